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


def test_messages_name_the_error_or_an_interrupted_cell(tmp_path):
    nb = new_notebook(cells=[
        _grade_cell("raised", [new_output("stream", name="stderr", text="a warning\n"),
                               new_output("error", ename="AssertionError", evalue="expected 1, got 2", traceback=[])]),
        _grade_cell("printed", [new_output("stream", name="stdout", text="fine\n")]),
    ])
    path = tmp_path / "graded.ipynb"
    nbformat.write(nb, str(path))
    messages = _failure_messages(path)
    assert messages["raised"] == "AssertionError: expected 1, got 2"
    assert messages["printed"] == "no points: the cell did not run to the end"


def test_a_test_cell_scores_by_its_errors_not_its_stderr():
    """graders/autogrades.py: a library's warning on stderr costs nothing; an error costs the cell."""
    from graders.autogrades import determine_grade

    warned = _grade_cell("warned", [new_output("stream", name="stderr", text="UserWarning: deprecated\n"),
                                    new_output("stream", name="stdout", text="Task 1: the visible tests pass\n")])
    raised = _grade_cell("raised", [new_output("stream", name="stderr", text="a warning\n"),
                                    new_output("error", ename="AssertionError", evalue="no", traceback=[])])
    assert determine_grade(warned) == (1.0, 1.0) and determine_grade(raised) == (0, 1.0)
    assert len(warned.outputs) == 2  # the warning stays in the notebook, for the feedback


def test_check_names_an_error_in_any_cell_of_the_reference(tmp_path):
    from nbformat.v4 import new_markdown_cell

    from graders import manifest
    from graders.selfcheck import _errors_in_cells

    plot = new_code_cell("plt.plot(x)", metadata={"nbgrader": {"grade_id": "plot", "grade": False}})
    plot.outputs = [new_output("error", ename="NameError", evalue="name 'x' is not defined", traceback=[])]
    path = tmp_path / "executed.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# title"), plot, _grade_cell("fine", [])]), str(path))
    a = manifest.get("3_1")
    assert _errors_in_cells(path, a) == [f"{a.id}: cell plot of the reference raised NameError: name 'x' is not defined"]


def _validation_only_result():
    from graders.grade import AssignmentResult, CellResult

    failed = ("AssertionError: hidden check failed: input validation (1 of 3 checks failed; your computations are "
              "graded in their own parts): `max_norm <= 0`: expected ValueError, nothing was raised")
    return AssignmentResult("5_4_fine_tuning_clipping_schedulers", [
        CellResult("test_clip_grad_norm", 4.0, 4.0), CellResult("test_input_checks", 0.0, 1.0, failed)])


def test_the_report_says_which_kind_of_part_failed():
    """Issue 16 §1: a notebook whose only loss is its input checks reads "the computation passed;
    input validation: ...", in the table and on the feedback page."""
    from graders import feedback, report
    from graders.grade import CellResult, Report

    result = _validation_only_result()
    said = "the computation passed; input validation: `max_norm <= 0`: expected ValueError, nothing was raised"
    assert report.lost(result) == said
    rep = Report()
    rep.add("alice", result)
    assert report.table(rep).splitlines()[2].endswith(said)
    page = feedback.summary(result)
    import html

    assert html.escape(said) in page
    assert "input validation failed (the computations are graded in their own parts)" in page
    result.cells[0] = CellResult("test_clip_grad_norm", 0.0, 4.0, "AssertionError: hidden check failed: wrong norm")
    assert report.lost(result) == ("lost points in test_clip_grad_norm; input validation: `max_norm <= 0`: "
                                   "expected ValueError, nothing was raised")
    visible = CellResult("test_input_checks", 0.0, 1.0, "AssertionError: clip_grad_norm: max_norm=0.0 must raise ValueError")
    result.cells[1] = visible
    assert report.lost(result).endswith("input validation: clip_grad_norm: max_norm=0.0 must raise ValueError")
