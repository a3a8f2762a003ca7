"""Why a test cell scored nothing, as the report tells the student."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from graders.grade import _failure_messages


def _grade_cell(grade_id, outputs):
    meta = {"nbgrader": {"grade": True, "grade_id": grade_id, "locked": True, "points": 1,
                         "schema_version": 3, "solution": False, "task": False}}
    cell = new_code_cell("check()", metadata=meta)
    cell.outputs = outputs
    return cell


def test_messages_name_the_error_the_stderr_output_or_an_interrupted_cell(tmp_path):
    nb = new_notebook(cells=[
        _grade_cell("raised", [new_output("stream", name="stderr", text="a warning\n"),
                               new_output("error", ename="AssertionError", evalue="expected 1, got 2", traceback=[])]),
        _grade_cell("warned", [new_output("stream", name="stderr", text="UserWarning: deprecated\n")]),
        _grade_cell("printed", [new_output("stream", name="stdout", text="fine\n")]),
    ])
    path = tmp_path / "graded.ipynb"
    nbformat.write(nb, str(path))
    messages = _failure_messages(path)
    assert messages["raised"] == "AssertionError: expected 1, got 2"
    assert "wrote to stderr" in messages["warned"] and "UserWarning: deprecated" in messages["warned"]
    assert messages["printed"] == "no points: the cell did not run to the end"
