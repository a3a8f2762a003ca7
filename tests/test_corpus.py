"""The adversarial corpus (tests/corpus/): every case graded in one batch, each getting its
expected report, and the unusual ones graded twice.

Each module of tests/corpus/ other than case.py holds `CASES`. The cases are built into one
`submitted/<case.name>/<assignment>/` tree, graded together by graders.grade.grade in a fresh
course directory; each case must get exactly what its Case says, and no submitted file may change.
The cases that end in an error, a flag or a check of the course folder (kernel deaths, timeouts,
tampering found: the paths where timing could creep in) are graded again in a second course
directory and must get identical reports (tests/test_grading_end_to_end.py grades a whole class
twice for the ordinary paths).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import json
import os
import pkgutil
import re
from pathlib import Path

import pytest

import tests.corpus
from graders import manifest, notebooks, report
from graders.grade import STUDENT_ID, AssignmentResult, CellResult, find_submissions, grade
from tests.corpus.case import Case

CELL_TIMEOUT = 30


def _collect() -> list[Case]:
    """Every case; $LLMT_CORPUS_ONLY (a regex of case names) narrows it while working on a few."""
    names = sorted(m.name for m in pkgutil.iter_modules(tests.corpus.__path__) if m.name != "case")
    only = re.compile(os.environ.get("LLMT_CORPUS_ONLY", ""))
    return [case for name in names for case in importlib.import_module(f"tests.corpus.{name}").CASES
            if only.search(case.name)]


CASES = _collect()
#: the cases graded a second time, whose two reports must be identical: those ending in an error,
#: a flag or a check of the course afterwards, and the controls those checks look for in the gradebook
TWICE = [c for c in CASES if c.error or c.flags or c.after or c.name.endswith("_control")]


def _digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under `root` (a symbolic link: of what it points to)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@dataclasses.dataclass
class Graded:
    submitted: Path
    courses: list[Path]
    reports: list[dict]
    results: dict[str, object]  # case name -> its AssignmentResult in the first run
    before: dict[str, str]
    after: dict[str, str]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Graded:
    root = tmp_path_factory.mktemp("corpus")
    submitted = root / "submitted"
    for case in CASES:
        a = manifest.get(case.assignment)
        folder = submitted / case.name / a.id
        folder.mkdir(parents=True)
        case.build(folder, notebooks.read(a.source_notebook), notebooks.read(a.release_notebook))
    before = _digest(submitted)
    subs, notes = find_submissions(submitted)
    kwargs = {"cell_timeout": CELL_TIMEOUT}
    if "workers" in inspect.signature(grade).parameters:  # issue 9
        kwargs["workers"] = 2
    courses, reports, results = [], [], {}
    again = {c.name for c in TWICE}
    for run, batch in (("course-1", subs), ("course-2", [s for s in subs if s.student in again])):
        rep = grade(batch, root / run, **kwargs)
        rep.notes = notes
        courses.append(root / run)
        reports.append(report.as_dict(rep))
        if not results:
            results = {student: rs for student, rs in rep.results.items()}
    return Graded(submitted, courses, reports, results, before, _digest(submitted))


def test_case_names_are_unique_student_ids():
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    assert [n for n in names if not STUDENT_ID.match(n)] == []
    assert [c.name for c in CASES if manifest.get(c.assignment).id != c.assignment] == []


def test_grading_the_corpus_twice_gives_identical_reports(graded):
    again = {c.name for c in TWICE}
    assert again, "no case is graded twice"
    first = dict(graded.reports[0], students=[s for s in graded.reports[0]["students"] if s["student"] in again])
    first, second = (json.dumps(r, indent=1, sort_keys=True).splitlines() for r in (first, graded.reports[1]))
    assert first == second


def test_every_case_is_in_the_report_once(graded):
    assert sorted(graded.results) == sorted(c.name for c in CASES)
    assert {name: [r.assignment for r in rs] for name, rs in graded.results.items()} == \
        {c.name: [c.assignment] for c in CASES}


def _problems(case: Case, result) -> list[str]:
    """What in `result` (an AssignmentResult) differs from what `case` expects."""
    problems = []
    if case.error is None and result.error is not None:
        problems.append(f"error: expected none, got {result.error!r}")
    elif case.error is not None and not re.search(case.error, result.error or ""):
        problems.append(f"error: expected /{case.error}/, got {result.error!r}")
    cells = {c.grade_id: c for c in result.cells}
    for gid in sorted((set(case.scores) | set(case.messages) | set(case.flags)) - set(cells)):
        problems.append(f"{gid}: expected in the report, but the assignment has no such grade cell")
    has_flags = "flag" in {f.name for f in dataclasses.fields(CellResult)}
    if case.flags and not has_flags:
        problems.append(f"flags {case.flags} expected, but CellResult has no `flag` field yet")
    for gid, c in cells.items():
        want = float(case.scores.get(gid, 0))
        if c.score != want:
            problems.append(f"{gid}: score expected {want:g}, got {c.score:g} / {c.max_score:g} (message: {c.message!r})")
        if gid in case.messages and not re.search(case.messages[gid], c.message or ""):
            problems.append(f"{gid}: message expected /{case.messages[gid]}/, got {c.message!r}")
        flag = getattr(c, "flag", None) if has_flags else None
        if gid in case.flags and has_flags and not re.search(case.flags[gid], flag or ""):
            problems.append(f"{gid}: flag expected /{case.flags[gid]}/, got {flag!r}")
        if gid not in case.flags and flag:
            problems.append(f"{gid}: no flag expected, got {flag!r}")
    for pattern in case.notes:
        if not any(re.search(pattern, n) for n in result.notes):
            problems.append(f"notes: none matches /{pattern}/ (notes: {result.notes})")
    return problems


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_gets_its_expected_report(graded, case):
    (result,) = graded.results[case.name]
    problems = _problems(case, result)
    prefix = f"{case.name}/"
    changed = sorted(p for p in set(graded.before) | set(graded.after)
                     if p.startswith(prefix) and graded.before.get(p) != graded.after.get(p))
    if changed:
        problems.append(f"submitted files changed by grading: {changed}")
    if case.after is not None:
        for course in graded.courses:  # every case with `after` is graded twice (TWICE)
            try:
                case.after(course, graded.submitted)
            except AssertionError as exc:
                problems.append(f"after ({course.name}): {exc}")
    entry = next(s for s in graded.reports[0]["students"] if s["student"] == case.name)["assignments"][0]
    assert not problems, (f"corpus case {case.name!r} ({case.assignment}): {case.what}\n  "
                          + "\n  ".join(problems) + "\nits report entry:\n" + json.dumps(entry, indent=1))


def test_a_case_that_fails_says_what_differs():
    case = Case("x", "3_2", lambda *args: None, "an example", scores={"test_mlp": 2}, messages={"test_mlp": "boom"},
                flags={"test_mlp": "tampering"}, notes=("^converted",))
    result = AssignmentResult("3_2", [CellResult("test_mlp", 0.0, 2.0, "AssertionError: no"),
                                      CellResult("test_attention_head", 3.0, 3.0)], error="it broke")
    problems = _problems(case, result)
    assert "error: expected none, got 'it broke'" in problems
    assert "test_mlp: score expected 2, got 0 / 2 (message: 'AssertionError: no')" in problems
    assert "test_mlp: message expected /boom/, got 'AssertionError: no'" in problems
    assert "test_attention_head: score expected 0, got 3 / 3 (message: None)" in problems
    assert "notes: none matches /^converted/ (notes: [])" in problems
    assert any(p.startswith(("flags {'test_mlp': 'tampering'} expected, but CellResult has no `flag` field",
                             "test_mlp: flag expected /tampering/")) for p in problems)
    assert len(problems) == 6


def test_no_submitted_file_changed(graded):
    assert graded.before == graded.after
