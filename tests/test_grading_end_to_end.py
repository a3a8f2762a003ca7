"""nbgrader end to end: release, submit, autograde, gradebook, report, feedback.

One class is graded once per session (kernels are the slow part) and the tests read the results.
"""

import hashlib
import json
import stat
import xml.etree.ElementTree as ET
from html import escape as html_escape

import nbformat
import pytest

from graders import manifest, notebooks
from graders.cli import main

A = manifest.get("3_1")


def _submission(transform=None):
    nb = notebooks.fill_solutions(notebooks.read(A.release_notebook), notebooks.read(A.source_notebook))
    if transform:
        for cell in notebooks.solution_cells(nb):
            cell.source = transform(cell.source)
    return nbformat.writes(nb)


def _float_mask_as_bool(code):
    wrong = code.replace("if attn_mask.dtype == torch.bool:", "if True:  # every mask treated as boolean")
    return wrong.replace("masked_fill(~attn_mask,", "masked_fill(~attn_mask.bool(),")


def _without_test_masks():
    """Wrong masks, and the test cell that catches them deleted."""
    nb = nbformat.reads(_submission(_float_mask_as_bool), as_version=4)
    nb.cells = [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") != "test_masks"]
    return nbformat.writes(nb)


def _tests_edited_to_pass():
    nb = notebooks.read(A.release_notebook)
    for cell in nb.cells:
        if notebooks.nbgrader_meta(cell).get("grade"):
            cell.source = "print('all tests pass')"
    return nbformat.writes(nb)


def _other_assignment():
    """3_2's notebook, solved, handed in as 3_1."""
    b = manifest.get("3_2")
    return nbformat.writes(notebooks.fill_solutions(notebooks.read(b.release_notebook), notebooks.read(b.source_notebook)))


STUDENTS = {
    "complete": lambda: _submission(),
    "wrong_assignment": _other_assignment,
    "untouched": lambda: A.release_notebook.read_text(),
    "wrong_masks": lambda: _submission(_float_mask_as_bool),
    "kernel_dies": lambda: _submission(lambda code: code + "\n\nimport os\nos._exit(1)\n"),
    "broken_json": lambda: A.release_notebook.read_text()[:500],
    "deleted_a_test": _without_test_masks,
    "edited_the_tests": _tests_edited_to_pass,
    "renamed": lambda: _submission(),
    # visible tests pass, the hidden checks call it with float64: its traceback comes from the judge's process
    "raises_in_a_check": lambda: _submission(lambda code: code.replace(
        "    scores = query @ key", "    if query.dtype == torch.float64:\n        raise RuntimeError('no float64')\n"
        "    scores = query @ key")),
}


def _digest(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions" / "submitted"
    for student, make in STUDENTS.items():
        path = subs / student / A.id / (f"{A.id}.ipynb" if student != "renamed" else "my_attention.ipynb")
        path.parent.mkdir(parents=True)
        path.write_text(make())
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # grading must only read submissions
    before = _digest(root / "submissions")
    runs = []
    for run in ("first", "second"):
        out = root / run
        out.mkdir()
        code = main(["grade", str(root / "submissions"), "--course-dir", str(root / "course"), "--json", str(out / "report.json"),
                     "--junit", str(out / "junit.xml"), "--feedback", str(out / "feedback")])
        runs.append((code, out))
    return {"root": root, "runs": runs, "before": before, "after": _digest(root / "submissions")}


def _report(graded, run=0):
    return json.loads((graded["runs"][run][1] / "report.json").read_text())


def _scores(report):
    return {s["student"]: s["assignments"][0] for s in report["students"]}


def test_grading_finishes_with_exit_0(graded):
    assert [code for code, _ in graded["runs"]] == [0, 0]


def test_scores_per_student(graded):
    scores = {k: (v["score"], v["max_score"]) for k, v in _scores(_report(graded)).items()}
    assert scores == {
        "broken_json": (0, 10), "complete": (10, 10), "kernel_dies": (0, 10), "untouched": (0, 10), "wrong_masks": (7, 10),
        "deleted_a_test": (7, 10), "edited_the_tests": (0, 10), "renamed": (10, 10), "wrong_assignment": (0, 10),
        "raises_in_a_check": (1, 10),
    }


def test_a_deleted_test_cell_is_restored_and_run(graded):
    entry = _scores(_report(graded))["deleted_a_test"]
    masks = entry["cells"][2]
    assert masks["grade_id"] == "test_masks" and masks["score"] == 0 and "float mask" in masks["message"]
    assert entry["notes"] == ["restored deleted cells: test_masks"]


def test_report_holds_every_grade_cell(graded):
    complete = _scores(_report(graded))["complete"]
    assert [c["grade_id"] for c in complete["cells"]] == ["test_attention_weights", "test_scaled_dot_product_attention", "test_masks", "test_input_checks"]
    assert [c["max_score"] for c in complete["cells"]] == [3, 3, 3, 1]
    assert complete["error"] is None


def test_a_wrong_part_says_why(graded):
    masks = _scores(_report(graded))["wrong_masks"]["cells"][2]
    assert masks["score"] == 0 and "float mask" in masks["message"]


def test_invalid_notebook_is_an_error_entry_and_the_batch_goes_on(graded):
    broken = _scores(_report(graded))["broken_json"]
    assert broken["error"].startswith("not a valid notebook") and broken["score"] == 0
    assert [c["score"] for c in broken["cells"]] == [0, 0, 0, 0]


def test_a_notebook_of_another_assignment_is_recognised(graded):
    """Issue 20 §2: 3_2's notebook handed in as 3_1 is reported as such, not as a 3_1 with no work done."""
    from graders import report

    wrong = _scores(_report(graded))["wrong_assignment"]
    b = manifest.get("3_2").id
    assert wrong["error"].startswith(f"wrong assignment: this is the notebook of {b} (it has that assignment's cells "
                                     "test_attention_head, test_mlp, test_transformer_block")
    assert f"hand it in as {b}" in wrong["error"] and wrong["score"] == 0
    table = report.table(report.Report(results={"wrong_assignment": [_result(wrong)]}))
    assert "lost points" not in table and "error: wrong assignment: this is the notebook of " + b in table


def _result(entry):
    from graders.grade import AssignmentResult, CellResult

    return AssignmentResult(entry["assignment"], [CellResult(c["grade_id"], c["score"], c["max_score"], c["message"])
                                                  for c in entry["cells"]], entry["error"], notes=entry["notes"])


def test_an_ungradable_notebook_has_a_gradebook_row_and_a_feedback_page(graded):
    """Issue 20 §2: the formgrader shows it (a flagged zero with the reason) and the student reads why."""
    from nbgrader.api import Gradebook

    db = graded["root"] / "course" / "gradebook.db"
    with Gradebook(f"sqlite:///{db}", manifest.COURSE_ID) as gb:
        for student in ("broken_json", "wrong_assignment"):
            nb = gb.find_submission(A.id, student).notebooks[0]
            assert nb.score == 0 and nb.flagged and not nb.needs_manual_grade
            assert nb.comments[0].auto_comment.startswith("not graded: ")
    feedback = graded["runs"][0][1] / "feedback"
    page = (feedback / "broken_json" / A.id / f"{A.id}.html").read_text()
    assert "This notebook could not be graded: not a valid notebook: invalid JSON" in page
    assert "What to do:</b> Open the file in Jupyter" in page
    page = (feedback / "wrong_assignment" / A.id / f"{A.id}.html").read_text()
    assert "Hand in each notebook under its own assignment" in page


def test_dead_kernel_scores_zero_never_full(graded):
    dead = _scores(_report(graded))["kernel_dies"]
    assert dead["score"] == 0


def test_grading_twice_gives_identical_reports(graded):
    (_, first), (_, second) = graded["runs"]
    from graders.report import JUNIT_TIME

    assert (first / "report.json").read_bytes() == (second / "report.json").read_bytes()
    assert JUNIT_TIME.sub("", (first / "junit.xml").read_text()) == JUNIT_TIME.sub("", (second / "junit.xml").read_text())


def test_a_message_from_the_judges_process_shows_the_students_code_only(graded):
    """The same words every run: no temporary paths (they differ), no judge frames (issue 20 §3)."""
    message = _scores(_report(graded))["raises_in_a_check"]["cells"][0]["message"]
    assert message.startswith("hidden check failed: attention_weights vs torch: your code raised RuntimeError: no float64")
    assert "your code, line " in message and ", in attention_weights" in message
    assert "/tmp" not in message and "other process" not in message and "judge" not in message


def test_submitted_files_are_never_modified(graded):
    assert graded["before"] == graded["after"]


def test_gradebook_holds_the_scores(graded):
    from nbgrader.api import Gradebook

    db = graded["root"] / "course" / "gradebook.db"
    with Gradebook(f"sqlite:///{db}", manifest.COURSE_ID) as gb:
        assert gb.find_submission(A.id, "complete").score == 10
        assert gb.find_submission(A.id, "wrong_masks").score == 7
        assert gb.find_submission(A.id, "untouched").score == 0


def test_junit_report(graded):
    suites = ET.parse(graded["runs"][0][1] / "junit.xml").getroot()
    by_name = {s.get("name"): s for s in suites}
    assert by_name[f"complete.{A.id}"].get("failures") == "0"
    assert by_name[f"wrong_masks.{A.id}"].get("failures") == "1"
    assert by_name[f"untouched.{A.id}"].get("failures") == "4"  # every part short of its points fails
    broken = by_name[f"broken_json.{A.id}"]  # an ungradable notebook: an error on each of its parts
    assert broken.get("errors") == "4" and broken.get("failures") == "0" and broken.get("tests") == "4"
    assert all(case.find("error").get("message").startswith("not a valid notebook") for case in broken.iter("testcase"))
    cases = list(by_name[f"complete.{A.id}"].iter("testcase"))  # each part has the time its grade cell ran
    assert all(float(c.get("time")) > 0 for c in cases)
    assert float(by_name[f"complete.{A.id}"].get("time")) == pytest.approx(sum(float(c.get("time")) for c in cases), abs=0.01)
    assert {c.get("time") for c in broken.iter("testcase")} == {"0.000"}


def test_the_table_and_the_feedback_carry_the_notes(graded, capsys):
    """Issue 20 §2: what was repaired in a submission is in the table's notes and on its feedback page."""
    from graders import report
    from graders.grade import AssignmentResult, CellResult

    entry = _scores(_report(graded))["deleted_a_test"]
    result = AssignmentResult(A.id, [CellResult(c["grade_id"], c["score"], c["max_score"], c["message"]) for c in entry["cells"]],
                              notes=entry["notes"])
    assert report.notes(result).endswith("; restored deleted cells: test_masks")
    page = (graded["runs"][0][1] / "feedback" / "deleted_a_test" / A.id / f"{A.id}.html").read_text()
    assert "restored deleted cells: test_masks" in page


def test_feedback_html_per_graded_student(graded):
    feedback = graded["runs"][0][1] / "feedback"
    html = (feedback / "complete" / A.id / f"{A.id}.html").read_text()
    assert "Task 1: the visible tests pass" in html
    assert "llmt-summary" in html and "passed (visible tests and hidden check)" in html
    wrong = (feedback / "wrong_masks" / A.id / f"{A.id}.html").read_text()
    assert "hidden check failed" in wrong or "visible test or cell code failed" in wrong  # labelled
    checks = [ln.strip() for ln in (manifest.COURSE_ROOT / "graders" / f"{A.module}.py").read_text().splitlines()]
    for page in (html, wrong):  # no line of the hidden checks' code reaches the student
        assert not [ln for ln in checks if len(ln) > 40 and html_escape(ln) in page]


@pytest.fixture(scope="module")
def checked():
    """`llmt check` of the whole course, once (its notebooks graded two at a time): exit code and output."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", "--workers", "2"])
    return code, out.getvalue()


def test_check_passes(checked):
    code, out = checked
    assert code == 0 and "check passed" in out, out


@pytest.mark.parametrize("a", manifest.authored(), ids=lambda a: a.id)
def test_reference_gets_full_marks_and_release_zero(a, checked):
    """`llmt check`: the source notebook, graded offline, gets full marks; the release zero."""
    _, out = checked
    rows = {tuple(line.split()[:2]): line.split()[2:5] for line in out.splitlines() if line.split()[:2] in
            (["reference", a.id], ["release", a.id])}
    points = str(a.points)
    assert rows == {("reference", a.id): [points, "/", points], ("release", a.id): ["0", "/", points]}, out


def test_demo_prints_the_gradebook(tmp_path, capsys):
    assert main(["demo", A.id, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = {tuple(line.split()[:2]): line.split()[2:5] for line in out.splitlines()
            if line.startswith(("complete", "half_done", "untouched"))}  # (student, assignment or "total")
    assert rows[("complete", A.id)] == ["10", "/", "10"]
    assert rows[("untouched", A.id)] == ["0", "/", "10"]
    assert 0 < float(rows[("half_done", A.id)][0]) < 10
    assert (tmp_path / "feedback" / "half_done" / A.id / f"{A.id}.html").is_file()
    assert json.loads((tmp_path / "report.json").read_text())["profile"] == "offline"
