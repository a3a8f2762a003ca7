"""The cuts to grading's fixed cost per notebook (benchmarks/fixed_cost.md) keep their behaviour."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook

from graders import manifest
from graders.course import Course


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
