"""Small readers of nbgrader notebooks: grade cells, solution cells, the setup cell."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
#: Tag of the cell whose imports the solution cells need; it opens solutions/<module>.py.
SETUP_TAG = "setup"


@dataclass(frozen=True)
class GradeCell:
    grade_id: str
    points: float
    autograded: bool


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_cells(nb) -> list[GradeCell]:
    """The notebook's graded cells in notebook order."""
    cells = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            cells.append(GradeCell(meta["grade_id"], float(meta.get("points", 0)), cell.cell_type == "code"))
    return cells


def solution_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("solution")]


def setup_cell(nb):
    for cell in nb.cells:
        if SETUP_TAG in cell.get("metadata", {}).get("tags", []):
            return cell
    return None


def solution_code(source: str) -> str:
    """A solution cell's code with the nbgrader solution markers removed."""
    lines = [ln for ln in source.splitlines() if ln.strip() not in (BEGIN_SOLUTION, END_SOLUTION)]
    return "\n".join(lines).strip() + "\n"


def fill_solutions(release_nb, source_nb, grade_ids: set[str] | None = None):
    """A copy of a release notebook with solution cells filled in from the source notebook.

    Only the cells whose grade_id is in `grade_ids` are filled (all when None): this is how the
    demo builds a complete and a half-done student.
    """
    filled = nbformat.from_dict(release_nb)
    answers = {nbgrader_meta(c)["grade_id"]: solution_code(c.source) for c in solution_cells(source_nb)}
    for cell in solution_cells(filled):
        gid = nbgrader_meta(cell)["grade_id"]
        if gid in answers and (grade_ids is None or gid in grade_ids):
            cell.source = answers[gid]
    return filled
