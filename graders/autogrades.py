"""nbgrader's SaveAutoGrades, scoring a test cell by its errors only: what it wrote to stderr is not a failure.

nbgrader gives a test cell no points when anything in its output is on stderr, so a library's warning
or log line (transformers' "Skipping publisher trust check ... offline mode", a DeprecationWarning at
import, numpy's RuntimeWarning) would cost a correct student the part. Here a cell scores zero only
for an error output (an exception, the judge's failed verdict, a kernel that died), and otherwise as
nbgrader scores it (full points, or the partial credit of a numeric result). The stderr text stays
in the notebook, so the student sees it in the feedback. Configured by graders/course.py.
"""

from __future__ import annotations

import copy

from nbgrader import utils
from nbgrader.preprocessors import SaveAutoGrades


def without_stderr(cell):
    """A copy of the code cell `cell` without its stderr stream outputs."""
    cell = copy.copy(cell)
    cell.outputs = [o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return cell


def determine_grade(cell, log=None):
    """nbgrader.utils.determine_grade, except that stderr output costs nothing."""
    return utils.determine_grade(without_stderr(cell) if cell.cell_type == "code" else cell, log)


class SaveAutoGradesOfErrors(SaveAutoGrades):
    """SaveAutoGrades that scores test cells with `determine_grade` above."""

    def _add_score(self, cell, resources) -> None:
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        grade.auto_score, _ = determine_grade(cell, self.log)
        # as nbgrader: a manual score, or no automatic one, needs a grader's review
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        self.gradebook.db.commit()
