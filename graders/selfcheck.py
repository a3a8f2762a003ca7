"""`llmt check` and `llmt demo`: the course grading itself.

check: every source notebook, executed under the offline profile, gets full marks and runs without
an error in any cell (graded or not), and every release notebook gets zero on every autograded part.
demo: a scratch course with three students (complete, untouched, half done), graded, with
feedback, as an instructor would see it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat

from . import manifest, notebooks, report
from .course import Course
from .finding import Submission, find_submissions
from .grade import Report, grade


def check(assignments: list[manifest.Assignment], progress=None, workers: int = 1) -> tuple[Report, list[str]]:
    """Grade the references and the untouched releases; return the report and the problems found."""
    subs = []
    for a in assignments:
        subs.append(Submission("reference", a, a.source_notebook))
        subs.append(Submission("release", a, a.release_notebook))
    problems = []
    with tempfile.TemporaryDirectory(prefix="llmt-check-") as tmp:
        rep = grade(subs, Path(tmp), progress=progress, workers=workers)
        for a in assignments:
            problems += _errors_in_cells(Course(Path(tmp)).path("autograded", a.id, "reference") / f"{a.id}.ipynb", a)
    for r in rep.results.get("reference", []):
        if r.error or r.score < r.max_score or not r.cells:
            lost = [f"{c.grade_id} ({c.message or 'no message'})" for c in r.cells if c.score < c.max_score]
            problems.append(f"{r.assignment}: the reference scores {r.score:g}/{r.max_score:g}: {r.error or '; '.join(lost)}")
    for r in rep.results.get("release", []):
        scored = [c.grade_id for c in r.cells if c.score > 0]
        if r.error or scored:
            problems.append(f"{r.assignment}: the untouched release scores points in {', '.join(scored) or r.error}")
    return rep, problems


def _errors_in_cells(executed: Path, a: manifest.Assignment) -> list[str]:
    """An error in any cell of the executed reference notebook: a broken plot or config cell costs
    no points, so grading alone would not notice it."""
    if not executed.is_file():
        return []
    found = []
    for i, cell in enumerate(notebooks.read(executed).cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                cell_id = notebooks.nbgrader_meta(cell).get("grade_id") or cell.get("id") or f"#{i}"
                found.append(f"{a.id}: cell {cell_id} of the reference raised {out.get('ename')}: {out.get('evalue')}")
    return found


def _student_notebook(a: manifest.Assignment, share: float):
    """The release notebook with the first `share` of its solution cells filled from the source."""
    release_nb, source_nb = notebooks.read(a.release_notebook), notebooks.read(a.source_notebook)
    ids = [notebooks.nbgrader_meta(c)["grade_id"] for c in notebooks.solution_cells(source_nb)]
    keep = set(ids[: round(len(ids) * share)])
    return notebooks.fill_solutions(release_nb, source_nb, keep)


DEMO_STUDENTS = {"complete": 1.0, "half_done": 0.5, "untouched": 0.0}


def demo(assignments: list[manifest.Assignment], out: Path | None = None, progress=None, workers: int = 1,
         ) -> tuple[Report, Path]:
    """Write three students' submissions of `assignments` under `out`, grade them, write JSON and
    feedback there."""
    out = Path(out) if out else Path(tempfile.mkdtemp(prefix="llmt-demo-"))
    inbox = out / "submissions" / "submitted"
    for student, share in DEMO_STUDENTS.items():
        for a in assignments:
            path = inbox / student / a.id / f"{a.id}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(_student_notebook(a, share), str(path))
    subs, _ = find_submissions(out / "submissions")
    rep = grade(subs, out / "course", feedback_dir=out / "feedback", progress=progress, workers=workers)
    report.write_json(rep, out / "report.json")
    return rep, out
