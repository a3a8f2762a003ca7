"""The cuts to grading's fixed cost per notebook (benchmarks/fixed_cost.md) keep their behaviour."""

import shutil
import sqlite3
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook
from sqlalchemy import text

from graders import manifest
from graders.course import Course, _alembic_head


def _scratch_assignment(course: Course, name: str, cells: list[str]) -> None:
    """An assignment of one notebook: `cells`, then a graded cell worth one point."""
    graded = new_code_cell("assert True", metadata={"nbgrader": {
        "grade": True, "grade_id": "check", "points": 1, "solution": False, "locked": True, "schema_version": 3}})
    nb = new_notebook(cells=[new_code_cell(c) for c in cells] + [graded])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = course.path("source", name)
    src.mkdir(parents=True)
    nbformat.write(nb, str(src / f"{name}.ipynb"))
    assert course.api().generate_assignment(name, force=True, create=True)["success"]
    sub = course.path("submitted", name, "s")
    sub.mkdir(parents=True)
    nbformat.write(nb, str(sub / f"{name}.ipynb"))


def test_the_graded_kernel_is_killed_once_its_cells_ran(tmp_path):
    """nbgrader asks a kernel to exit and waits for it (1 to 2 s once torch is loaded); the course
    kills it after its last cell instead: the score is kept and the kernel's exit hooks never run."""
    marker = tmp_path / "exit-hook-ran"
    course = Course(tmp_path / "course")
    _scratch_assignment(course, "shutdown", [f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).touch)"])
    result = course.api().autograde("shutdown", "s", force=True, create=True)
    assert result["success"], result.get("log")
    with Gradebook(course.db_url, manifest.COURSE_ID) as gb:
        assert gb.find_submission_notebook("shutdown", "shutdown", "s").score == 1
    assert not marker.exists(), "the kernel was asked to exit (its exit hook ran) instead of being killed"


@pytest.fixture
def generations(monkeypatch):
    """The assignments nbgrader's generate_assignment ran for."""
    ran = []
    api = Course.api

    def counting_api(self):
        nbgrader_api = api(self)
        generate = nbgrader_api.generate_assignment

        def generate_assignment(assignment_id, *args, **kwargs):
            ran.append(assignment_id)
            return generate(assignment_id, *args, **kwargs)
        nbgrader_api.generate_assignment = generate_assignment
        return nbgrader_api
    monkeypatch.setattr(Course, "api", counting_api)
    return ran


A = manifest.get("3_3")


def test_an_assignment_is_generated_once_per_course_directory(tmp_path, generations):
    course = Course(tmp_path)
    course.generate(A)
    course.generate(A)
    Course(tmp_path).generate(A)
    assert generations == [A.id]
    assert (course.path("release", A.id) / f"{A.id}.ipynb").is_file()


def test_an_assignment_is_generated_again_when_its_source_or_gradebook_changed(tmp_path, generations):
    course = Course(tmp_path)
    course.generate(A)
    copy = course.path("source", A.id) / f"{A.id}.ipynb"
    copy.write_text(copy.read_text() + "\n")  # the course's copy edited by hand
    course.generate(A)
    assert copy.read_bytes() == A.source_notebook.read_bytes(), "the repository's source is copied back"
    course.db_path.unlink()  # a new gradebook has none of the assignment's cells
    course.generate(A)
    with Gradebook(course.db_url, manifest.COURSE_ID) as gb:
        assert gb.find_notebook(A.id, A.id).grade_cells
    course.generate(A)
    assert generations == [A.id] * 3


def test_a_stamp_from_another_gradebook_does_not_count(tmp_path, generations):
    """A gradebook swapped for another that also holds the assignment (its rows have other ids)."""
    first, second = Course(tmp_path / "first"), Course(tmp_path / "second")
    first.generate(A)
    second.generate(A)
    shutil.copyfile(second.db_path, first.db_path)
    first.generate(A)
    assert generations == [A.id] * 3


def test_llmt_starts_without_building_the_iri_parser_and_iris_still_validate():
    """graders/deferred_imports.py: `import graders.cli` leaves rfc3987_syntax (and its Lark parser)
    for later; jsonschema's "iri" format, the one user of it, gives the same answers."""
    code = (
        "import sys, graders.cli, nbgrader.apps, jsonschema\n"
        "print('lark' in sys.modules)\n"
        "checker = jsonschema.FormatChecker()\n"
        "print(checker.conforms('http://example.org/ä', 'iri'), checker.conforms('not an iri', 'iri'))\n"
        "from rfc3987_syntax import is_valid_syntax_iri\n"
        "print('lark' in sys.modules, is_valid_syntax_iri('urn:x'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "False", "True", "True"]


def test_alembic_is_imported_only_to_create_a_gradebook(tmp_path):
    """graders/course.py hands nbgrader alembic's head lazily: a new gradebook is stamped with it,
    and grading in a course directory whose gradebook exists never imports alembic."""
    code = (
        "import sys\n"
        "from graders.course import Course\n"
        "from nbgrader.api import Gradebook\n"
        f"course = Course({str(tmp_path)!r})\n"
        "course.api()\n"
        "Gradebook(course.db_url).close()\n"
        "print('alembic' in sys.modules)\n"
    )

    def alembic_imported() -> str:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()

    assert alembic_imported() == "True"  # to create the gradebook
    assert alembic_imported() == "False"
    with sqlite3.connect(tmp_path / "gradebook.db") as db:
        (stamped,), = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert stamped == _alembic_head()


def _synchronous(course: Course) -> int:
    with Gradebook(course.db_url, manifest.COURSE_ID) as gb:
        return gb.db.execute(text("PRAGMA synchronous")).scalar()


def test_a_gradebook_created_here_is_written_without_disk_waits_and_an_existing_one_with(tmp_path):
    """graders/gradebook_writes.py: SQLite's synchronous=OFF (0) for a gradebook that did not exist
    before this process, its default FULL (2) for one that did, such as an instructor's."""
    assert _synchronous(Course(tmp_path / "new")) == 0
    assert _synchronous(Course(tmp_path / "new")) == 0  # still the one created here
    existing = tmp_path / "existing"
    existing.mkdir()
    sqlite3.connect(existing / "gradebook.db").close()
    assert _synchronous(Course(existing)) == 2
