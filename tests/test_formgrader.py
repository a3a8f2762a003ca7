"""nbgrader's formgrader, the instructor's web interface, works with this course.

A Jupyter server with the formgrader extension serves a scratch copy of the course on 127.0.0.1,
behind a token: the course's nbgrader_config.py, its source/ folders (the formgrader lists the
assignments it finds there) and a gradebook recording the manifest's assignments, as
`nbgrader db assignment add` makes it (the formgrader reads each one's due date and submissions
from it). Headless Chromium opens the formgrader's "Manage Assignments" page, whose table
JavaScript fills from the formgrader's API, and the test reads the assignment ids off the rendered
page. A second test grades a notebook with `llmt grade --course-dir D` into a tmp folder, starts
the server in D as README.md says, and finds there the assignment and the submission. The
screenshots are kept as artifacts: under $LLMT_ARTIFACTS when set (relative to the repository
root; CI uploads that folder), else in the test's tmp folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from graders import course as course_module
from graders import manifest
from tests.browser import Chromium

ROOT = manifest.COURSE_ROOT
#: the ids in the first column of the formgrader's assignment table, once its JavaScript has run
ASSIGNMENT_NAMES = "Array.from(document.querySelectorAll('td.name'), td => td.textContent.trim())"
#: the configuration the formgrader loaded (it shows it on the page)
LOADED_CONFIG = "(document.querySelector('#collapseConfig pre') || {}).textContent || ''"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _course_copy(folder: Path) -> Path:
    course = folder / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source", course / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    course_module._alembic_head_in_process()  # a new gradebook without the `alembic` command on PATH
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for a in manifest.ASSIGNMENTS:
            gb.update_or_create_assignment(a.id)
    return course


@contextlib.contextmanager
def jupyter_server(tmp_path: Path, cwd: Path, *options: str, env: dict | None = None):
    """(base URL, token, log file) of `jupyter server` started in `cwd` on a free port of 127.0.0.1.

    Jupyter's own configuration, runtime and data folders are private ones under `tmp_path` (no
    user-wide config); `options` and `env` come on top."""
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
               JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"), **(env or {}))
    log = open(tmp_path / "jupyter-server.log", "w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
         "--ip=127.0.0.1", f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}", *options],
        cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(f"{base}/api/status", headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(request, timeout=5) as r:
                    json.load(r)
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"the Jupyter server did not start:\n{log.read()[-3000:]}")
                time.sleep(0.2)
        yield base, token, Path(log.name)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def formgrader(tmp_path):
    """(base URL, token, log file) of a Jupyter server running formgrader over a scratch course."""
    course = _course_copy(tmp_path)
    exchange = tmp_path / "exchange"  # nbgrader's release/collect folder, here a private one
    exchange.mkdir()
    # the course's nbgrader_config.py imports graders from this checkout
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    with jupyter_server(tmp_path, course, f"--ServerApp.root_dir={course}", f"--Exchange.root={exchange}",
                        env={"PYTHONPATH": pythonpath}) as served:
        yield served


def _artifacts(tmp_path: Path) -> Path:
    # a relative $LLMT_ARTIFACTS is taken from the repository root (pathlib keeps an absolute one)
    return ROOT / os.environ["LLMT_ARTIFACTS"] if os.environ.get("LLMT_ARTIFACTS") else tmp_path / "artifacts"


def test_formgrader_lists_the_course_assignments(formgrader, tmp_path):
    base, token, server_log = formgrader
    artifacts = _artifacts(tmp_path)
    expected = sorted(a.id for a in manifest.ASSIGNMENTS)
    assert len(expected) == 17

    with Chromium(width=1400, height=1000) as page:
        page.open(f"{base}/formgrader/manage_assignments?token={token}")
        listed = page.wait_for(ASSIGNMENT_NAMES, lambda names: len(names) >= len(expected))
        config = page.evaluate(LOADED_CONFIG)
        warnings = page.evaluate("Array.from(document.querySelectorAll('.alert-warning'), e => e.id)")
        shot = page.screenshot(artifacts / "formgrader_assignments.png")

    print(f"screenshot: {shot}")
    assert sorted(listed) == expected, (
        f"the formgrader lists {listed} (screenshot {shot}); its server's log ends:\n{server_log.read_text()[-3000:]}")
    # the formgrader runs on the course's own nbgrader_config.py: its course id and grading hook;
    # no warning (nbgrader warns of a missing course id or exchange above the table)
    assert manifest.COURSE_ID in config and "graders.profile.use_offline_profile" in config
    assert warnings == []
    assert shot.stat().st_size > 10_000


#: (student id, score) of each row of the formgrader's submissions table of one assignment
SUBMISSIONS = ("Array.from(document.querySelectorAll('#main-table tr'), tr => [tr.querySelector('td.student-id'), "
               "tr.querySelector('td.score')]).filter(([id]) => id && id.textContent.trim())"
               ".map(([id, score]) => [id.textContent.trim(), score.textContent.trim()])")


def test_formgrader_on_a_course_dir_that_llmt_grade_wrote(tmp_path):
    """README, "Instructors: formgrader": `llmt grade ... --course-dir D`, then `jupyter server` started in D."""
    a = manifest.get("3_1")
    handed_in = tmp_path / "alice"
    handed_in.mkdir()
    shutil.copy(a.release_notebook, handed_in / f"{a.id}.ipynb")  # the release as handed out: zero points
    course = tmp_path / "graded"
    done = subprocess.run([sys.executable, "-m", "graders.cli", "grade", str(handed_in), "--student", "alice",
                           "--course-dir", str(course)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (course / "nbgrader_config.py").is_file()

    # as the README says: in the course directory, no course options (the port and token are the test's)
    with jupyter_server(tmp_path, course) as (base, token, server_log):
        with Chromium(width=1400, height=1000) as page:
            page.open(f"{base}/formgrader/manage_assignments?token={token}")
            listed = page.wait_for(ASSIGNMENT_NAMES, lambda names: len(names) >= 1)
            config = page.evaluate(LOADED_CONFIG)
            warnings = page.evaluate("Array.from(document.querySelectorAll('.alert-warning'), e => e.id)")
            page.open(f"{base}/formgrader/manage_submissions/{a.id}?token={token}")
            submissions = page.wait_for(SUBMISSIONS, lambda rows: len(rows) >= 1)
            shot = page.screenshot(_artifacts(tmp_path) / "formgrader_course_dir_submissions.png")
        log = server_log.read_text()[-3000:]

    print(f"screenshot: {shot}")
    assert listed == [a.id], f"the formgrader lists {listed} (screenshot {shot}); its server's log ends:\n{log}"
    assert [student for student, _ in submissions] == ["alice"], f"{submissions} (screenshot {shot}):\n{log}"
    assert submissions[0][1].replace(" ", "") == f"0/{a.points:g}", submissions
    # the course directory's own config: the course id, the grading hook and its own exchange
    # (which exists: no warning above the table, release and collect are offered)
    assert manifest.COURSE_ID in config and "graders.profile.use_offline_profile" in config
    assert str(course.resolve() / ".exchange") in config
    assert warnings == []


def test_the_readme_names_the_exchange_the_formgrader_warns_about():
    """The formgrader's warning names nbgrader's default exchange (the repository's config keeps it)."""
    from nbgrader.exchange.default.exchange import Exchange

    default = Exchange.class_traits()["root"].default()
    readme = (ROOT / "README.md").read_text()
    section = " ".join(readme.split("## Instructors: formgrader")[1].split("\n## ")[0].split())
    assert f"`{default}`" in section and f"The exchange directory at {default} does not exist" in section
    assert "D/.exchange" in section and course_module.EXCHANGE == ".exchange"
