"""The nbgrader side of the course: its configuration and a handle on a course directory.

`configure` is what nbgrader_config.py applies, so `nbgrader ...` run by hand in the repository
and the `llmt` command see the same course. `Course` wraps one course directory (the repository
itself, or a scratch one) and nbgrader's Python API over it.
"""

from __future__ import annotations

import functools
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

from . import generation, manifest
from .sandbox import DEFAULT_CELL_TIMEOUT, Limits, Sandbox


def configure(c: Config, cell_timeout: int = DEFAULT_CELL_TIMEOUT, sandbox: Sandbox | None = None) -> Config:
    """Apply the course's nbgrader settings to `c` and return it.

    Kernels run in `sandbox` (graders.sandbox; the default walls and limits when None, whose
    cell timeout is then `cell_timeout`), and a kernel that dies costs only the cells it did not run
    (graders.execute).
    """
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    from .autogrades import SaveAutoGradesOfErrors
    from .execute import SandboxedExecute

    sandbox = sandbox or Sandbox(limits=Limits(cell_timeout=int(cell_timeout)))
    c.CourseDirectory.course_id = manifest.COURSE_ID
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".hypothesis"]
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    # kernels run sandboxed; a test cell's stderr (a library's warning) costs nothing (graders/autogrades.py)
    replace = {Execute: SandboxedExecute, SaveAutoGrades: SaveAutoGradesOfErrors}
    c.Autograde.autograde_preprocessors = [replace.get(p, p)
                                           for p in Autograde.class_traits()["autograde_preprocessors"].default()]
    c.SandboxedExecute.sandbox = sandbox.to_dict()
    c.Execute.timeout = sandbox.limits.cell_timeout
    c.Execute.interrupt_on_timeout = True
    c.Execute.kernel_name = "python3"
    # the feedback page shows the student's notebook without the hidden regions (the checks' calls)
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    # no command history file per kernel; the kernel's own start-up chatter stays out of the logs
    c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
    # once the last cell has run (its outputs are in), kill the kernel's process group instead of asking
    # it to exit: a kernel that loaded torch takes 1 to 2 s to exit
    c.Execute.shutdown_kernel = "immediate"
    return c


#: the first line of the nbgrader_config.py that llmt writes into a course directory (write_config)
CONFIG_MARK = "# written by llmt (graders/course.py write_config):"

_CONFIG = '''{mark} `llmt grade` rewrites this file; delete this line to keep your edits
"""nbgrader's configuration of the course directory it lies in, for nbgrader's commands and its
formgrader started in this folder: the course llmt graded here, with llmt's settings."""

import os
import sys

sys.path.insert(0, {root!r})  # the checkout whose graders package graded this course

from graders.course import configure  # noqa: E402

c = configure(get_config())  # noqa: F821 (get_config is given by traitlets' config loader)
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# the exchange (release, fetch, collect) of this course directory, the one llmt's API uses here
c.Exchange.root = os.path.join(c.CourseDirectory.root, {exchange!r})
# `nbgrader autograde` run by hand grades under the offline profile too, like `llmt grade`
c.Autograde.pre_convert_hook = "graders.profile.use_offline_profile"
'''

#: the exchange folder of a course directory other than the repository (Course.api, write_config)
EXCHANGE = ".exchange"


def write_config(root: Path) -> Path | None:
    """Leave in course directory `root` an nbgrader_config.py for the formgrader and nbgrader's commands.

    Started in `root`, `jupyter server` (the formgrader) and `nbgrader ...` then see the course llmt
    graded there: its course id and settings (`configure`), `root` as the course directory and
    `root/.exchange` as the exchange, made here since the formgrader offers release and collect only
    where the exchange exists. Returns the file, or None where nothing was written: `root` is the
    repository (whose own nbgrader_config.py serves), or its nbgrader_config.py is not one llmt
    wrote (its first line is not CONFIG_MARK).
    """
    root = Path(root).resolve()
    if root == manifest.COURSE_ROOT.resolve():
        return None
    path = root / "nbgrader_config.py"
    text = _CONFIG.format(mark=CONFIG_MARK, root=str(manifest.COURSE_ROOT.resolve()), exchange=EXCHANGE)
    if path.exists() and not path.read_text(errors="replace").startswith(CONFIG_MARK):
        return None
    (root / EXCHANGE).mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


@dataclass
class Course:
    """One nbgrader course directory (source/, release/, submitted/, autograded/, feedback/, gradebook.db)."""

    root: Path
    cell_timeout: int = DEFAULT_CELL_TIMEOUT
    #: the kernels' walls and limits (graders.sandbox); None: the defaults with `cell_timeout`
    sandbox: Sandbox | None = None

    def __post_init__(self) -> None:
        from . import gradebook_writes

        self.root = Path(self.root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        gradebook_writes.note_course(self.db_path)  # a new gradebook is written without disk waits

    @property
    def db_path(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def path(self, kind: str, assignment_id: str, student: str | None = None) -> Path:
        """`kind` is source, release, submitted, autograded or feedback."""
        if student is None:
            return self.root / kind / assignment_id
        return self.root / kind / student / assignment_id

    def api(self):
        """nbgrader's API over this directory, configured like nbgrader_config.py does."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        c = configure(Config(), self.cell_timeout, self.sandbox)
        c.CourseDirectory.root = str(self.root)
        c.CourseDirectory.db_url = self.db_url
        c.Exchange.root = str(self.root / EXCHANGE)  # never the system-wide exchange
        _alembic_head_in_process()
        api = NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)
        api.log.setLevel(logging.WARNING)
        return api

    def add_source(self, assignment: manifest.Assignment) -> None:
        """Copy an assignment's source folder from the repository (no-op in the repository itself)."""
        src = manifest.COURSE_ROOT / "source" / assignment.id
        dest = self.path("source", assignment.id)
        if dest.resolve() == src.resolve():
            return
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))

    def generate(self, assignment: manifest.Assignment) -> None:
        """nbgrader generate_assignment: writes release/<A> and records the assignment in the gradebook
        (skipped when nothing changed since it last ran here: graders/generation.py)."""
        if generation.up_to_date(self, assignment):
            return
        self.add_source(assignment)
        result = self.api().generate_assignment(assignment.id, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(
                f"nbgrader generate_assignment failed for {assignment.id}:\n{result.get('log', '')}"
                f"{result.get('error', '')}"
            )
        generation.record(self, assignment)


@functools.cache
def _alembic_head_in_process() -> None:
    """Spare nbgrader a subprocess each time it creates a gradebook.

    To stamp a new gradebook with its schema version nbgrader runs the `alembic heads` command
    (2 to 3 seconds here, and only when the environment's scripts are on PATH). The answer is fixed
    for the installed nbgrader, so hand nbgrader a function that reads it once through alembic's
    Python API, when a gradebook is first created: importing alembic takes 0.2 to 0.4 s, which
    grading in a course directory whose gradebook exists never needs.
    """
    import nbgrader.api

    nbgrader.api.get_alembic_version = _alembic_head


@functools.cache
def _alembic_head() -> str:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = AlembicConfig()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()
