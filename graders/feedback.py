"""The student's feedback page: nbgrader's HTML with a summary of every part on top.

nbgrader's feedback shows the graded notebook. The summary says, per part, the points, whether it
passed, and why not: a failed visible test (the asserts the student could run), or the hidden
check's message as the judge gave it (the property, the smallest failing input, expected vs got,
the tolerance). It never shows a hidden check's code: the checks live in graders/, which neither
the notebook nor this page contains; graders/feedback_html.py takes the hidden-test lines, the
judge's frames and temporary paths out of the page's tracebacks and renders its math offline.
"""

from __future__ import annotations

import html
from pathlib import Path

from . import contract
from .feedback_html import tidy
from .student_text import student_text
from .grade import AssignmentResult
from .report import lost

STYLE = ("font-family: sans-serif; margin: 1em 2em; border-collapse: collapse;",
         "border: 1px solid #bbb; padding: 4px 8px; vertical-align: top; text-align: left;")


def _status(grade_id: str, message: str | None, passed: bool) -> str:
    if passed:
        return "passed (visible tests and hidden check)"
    if grade_id == contract.INPUT_CHECKS_CELL:
        return "input validation failed (the computations are graded in their own parts)"
    if message and message.startswith("hidden check failed"):
        return "hidden check failed"
    if message and message.startswith(("the cell failed before", "visible test")):
        return "visible test or cell code failed"
    return "not passed"


def summary(result: AssignmentResult) -> str:
    """An HTML table of the parts of one graded notebook."""
    table, cell = STYLE
    rows = [f"<tr><th style='{cell}'>part</th><th style='{cell}'>points</th><th style='{cell}'>result</th></tr>"]
    for c in result.cells:
        passed = c.score >= c.max_score
        text = student_text("\n".join(x for x in (c.flag, c.message) if x)) if not passed else ""
        said = f"<pre style='white-space: pre-wrap; margin: 4px 0 0'>{html.escape(text)}</pre>" if text else ""
        rows.append(
            f"<tr><td style='{cell}'>{html.escape(c.grade_id)}</td>"
            f"<td style='{cell}'>{c.score:g} / {c.max_score:g}</td>"
            f"<td style='{cell}'>{html.escape(_status(c.grade_id, c.message, passed))}{said}</td></tr>")
    head = f"<h2 style='font-family: sans-serif; margin: 1em 2em 0'>{html.escape(result.assignment)}: " \
           f"{result.score:g} / {result.max_score:g}</h2>"
    for said in [lost(result), *result.notes]:  # which kind of part failed; what was repaired or ignored
        if said:
            head += f"<p style='font-family: sans-serif; margin: 0.5em 2em'>{html.escape(said)}</p>"
    return f"<div id='llmt-summary'>{head}<table style='{table}'>{''.join(rows)}</table></div>"


#: what a student does about a notebook that could not be graded, by the start of the reason
_ADVICE = (
    ("wrong assignment", "Hand in each notebook under its own assignment: this one as the assignment the reason "
                         "names, and this assignment's own notebook here."),
    ("the notebook is", "Clear the outputs (in Jupyter: Kernel, Restart Kernel and Clear Outputs of All Cells), "
                        "save, and hand it in again."),
    ("not a valid notebook", "Open the file in Jupyter: if it does not open, fetch a fresh copy of the assignment, "
                             "paste your code into its solution cells, save and hand that in."),
    ("symbolic link", "Hand in the files themselves, not links to them."),
    ("no notebook", "Hand in the assignment's notebook under its own name (the name the release gave it)."),
)
_ADVICE_ELSE = ("Fix what the reason says and hand the notebook in again; ask your instructor if it is not "
                "clear what went wrong.")


def advice(error: str) -> str:
    """What to do about a notebook that could not be graded for `error`."""
    text = error.lower()
    return next((said for start, said in _ADVICE if start in text), _ADVICE_ELSE)


def ungradable(page: Path, result: AssignmentResult) -> None:
    """Write the feedback page of a notebook that could not be graded: why, and what to do."""
    para = "<p style='font-family: sans-serif; margin: 0.5em 2em; max-width: 60em'>{}</p>"
    body = (f"<div id='llmt-summary'><h2 style='font-family: sans-serif; margin: 1em 2em 0'>"
            f"{html.escape(result.assignment)}: {result.score:g} / {result.max_score:g}</h2>"
            + para.format("This notebook could not be graded: " + html.escape(student_text(result.error or "unknown reason")))
            + para.format("<b>What to do:</b> " + html.escape(advice(result.error or "")))
            + "</div>")
    Path(page).write_text(f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(result.assignment)}"
                          f"</title></head><body>{body}</body></html>\n", encoding="utf-8")


def annotate(page: Path, result: AssignmentResult) -> None:
    """Insert the summary at the top of nbgrader's feedback page `page` (a file of ours, not the student's)."""
    text = Path(page).read_text(encoding="utf-8")
    at = text.find(">", text.find("<body")) + 1 if "<body" in text else 0
    Path(page).write_text(tidy(text[:at] + summary(result) + text[at:]), encoding="utf-8")
