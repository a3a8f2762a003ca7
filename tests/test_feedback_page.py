"""Issue 20 §3: the student's feedback page, as headless Chromium shows it at 1200 px.

A tiny class of 3_1 is graded once with `llmt grade --feedback`: a complete notebook, the missing
scale (`math.sqrt(query.size(-1))` written `query.size(-1)`: the visible test of Task 1 fails) and
one whose attention_weights raises on float64 (its visible tests pass, the hidden checks fail
with the judge's message and the student's frames from the other process). Their pages must show
the student's code and the failing part's message, never the grader's plumbing (hidden-test lines,
judge frames, temporary paths), render the notebook's math without any outside host, and fit the
window. Screenshots go to $LLMT_ARTIFACTS when set (relative to the repository root), else to the
test's tmp folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from graders import manifest, notebooks
from graders.cli import main
from tests.browser import Chromium

A = manifest.get("3_1")
WIDTH = 1200
NO_SCALE = ("math.sqrt(query.size(-1))", "query.size(-1)")
RAISES = ("    scores = query @ key", "    if query.dtype == torch.float64:\n"
          "        raise RuntimeError('float64 is not supported here')\n    scores = query @ key")
STUDENTS = {"complete": None, "no_scale": NO_SCALE, "raises_on_float64": RAISES}

#: what the page requests from a host: scripts, style sheets, images, frames, media
REQUESTS = ("Array.from(document.querySelectorAll('[src], link[href], object[data]'), "
            "e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('data'))"
            ".filter(u => /^(https?:)?\\/\\//i.test(u))")
#: formulas rendered: MathML elements, and TeX delimiters left in the markdown cells' text
MATH = ("({math: document.querySelectorAll('.text_cell_render math').length, "
        "fractions: document.querySelectorAll('.text_cell_render math mfrac, .text_cell_render math msqrt').length, "
        "tex: Array.from(document.querySelectorAll('.text_cell_render'), e => e.innerText)"
        ".filter(t => /\\$|\\\\sqrt|\\\\frac/.test(t)).length})")
#: boxes a passed part should not have: an empty table cell, an empty output area
EMPTY = ("Array.from(document.querySelectorAll('#llmt-summary td, div.output_area, div.output_subarea'))"
         ".filter(e => e.offsetHeight > 0 && !e.innerText.trim() && !e.querySelector('img, svg, math'))"
         ".map(e => e.className || e.tagName)")


def _notebook(change) -> str:
    nb = notebooks.fill_solutions(notebooks.read(A.release_notebook), notebooks.read(A.source_notebook))
    cells = notebooks.solution_cells(nb)
    if change:
        assert any(change[0] in cell.source for cell in cells), change[0]
        for cell in cells:
            cell.source = cell.source.replace(*change)
    return nbformat.writes(nb)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback-class")
    for student, change in STUDENTS.items():
        path = root / "submissions" / student / A.id / f"{A.id}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(_notebook(change))
    code = main(["grade", str(root / "submissions"), "--course-dir", str(root / "course"),
                 "--feedback", str(root / "feedback")])
    assert code == 0
    return {s: root / "feedback" / s / A.id / f"{A.id}.html" for s in STUDENTS}


def _artifacts(tmp_path: Path) -> Path:
    root = manifest.COURSE_ROOT
    return root / os.environ["LLMT_ARTIFACTS"] if os.environ.get("LLMT_ARTIFACTS") else tmp_path / "artifacts"


def _look(page_file: Path, shot: Path) -> dict:
    with Chromium(width=WIDTH, height=900) as page:
        page.open(page_file.as_uri())
        page.wait_for("document.readyState", lambda state: state == "complete")
        seen = {"width": page.evaluate("document.documentElement.scrollWidth"),
                "text": page.evaluate("document.body.innerText"),
                "requests": page.evaluate(REQUESTS), "math": page.evaluate(MATH), "empty": page.evaluate(EMPTY),
                "shot": page.screenshot(shot)}
    print(f"screenshot: {seen['shot']}")
    return seen


def _plumbing_free(seen: dict, html: str) -> None:
    for said in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "/tmp/", "judge", "other process", "graders.", "zygote"):
        assert said not in seen["text"], f"{said!r} on the page (screenshot {seen['shot']})"
    assert "/tmp/" not in html and "_llmt_judge" not in html and "BEGIN HIDDEN TESTS" not in html
    assert seen["requests"] == [] and "cdnjs" not in html and "<script src=" not in html
    assert seen["width"] <= WIDTH, f"scrolls sideways: {seen['width']} px (screenshot {seen['shot']})"
    # the notebook's formulas (e.g. softmax(Q K^T / sqrt(E)) V) are MathML, no TeX left to a script
    assert seen["math"]["math"] >= 5 and seen["math"]["fractions"] >= 1 and seen["math"]["tex"] == 0, seen["math"]


def test_a_failed_visible_test_shows_the_students_code_and_the_message(pages, tmp_path):
    seen = _look(pages["no_scale"], _artifacts(tmp_path) / "feedback_no_scale.png")
    text = seen["text"]
    _plumbing_free(seen, pages["no_scale"].read_text())
    assert "weights differ from softmax(q k^T / sqrt(E))" in text  # the failing part's message
    assert "scores = query @ key.transpose(-2, -1) / query.size(-1)" in text  # the student's code
    assert "visible test or cell code failed" in text and "1 / 10" in text


def test_a_failed_hidden_check_shows_the_students_frames_not_the_judges(pages, tmp_path):
    seen = _look(pages["raises_on_float64"], _artifacts(tmp_path) / "feedback_hidden_check.png")
    text = seen["text"]
    _plumbing_free(seen, pages["raises_on_float64"].read_text())
    assert "hidden check failed: attention_weights vs torch: your code raised RuntimeError" in text
    assert "your code, line 9, in attention_weights" in text and "the hidden check (its code is not shown)" in text
    assert "raise RuntimeError('float64 is not supported here')" in text
    assert "dtype=torch.float64" in text  # the smallest failing input


def test_passed_parts_have_no_empty_boxes(pages, tmp_path):
    seen = _look(pages["complete"], _artifacts(tmp_path) / "feedback_complete.png")
    _plumbing_free(seen, pages["complete"].read_text())
    assert "10 / 10" in seen["text"] and "passed (visible tests and hidden check)" in seen["text"]
    assert seen["empty"] == [], f"empty boxes {seen['empty']} (screenshot {seen['shot']})"
