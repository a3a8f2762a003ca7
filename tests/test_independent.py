"""Graders tried on implementations written from the release notebooks alone (issue 16 §3).

The CORRECT implementations in tests/implementations/independent/ are graded end to end, with
`llmt grade`, in one run: each must get full marks. The suite grades the first one of each assignment
(17 notebooks, a minute or two on 2 cores); `LLMT_INDEPENDENT=all` grades every one (about 50,
`python -m tests.independent --grade` prints the same figures). A correct one that loses points is a grader bug
(fix the check, or the notebook's text when the contract was unclear, never the implementation).
The WRONG ones (plausible bugs by the same authors, about 400 notebooks) are graded by
`python -m tests.independent --grade --wrong`, which prints per assignment how many bugs lost points
of every part they name; here each is checked to name real parts.
"""

from __future__ import annotations

import os

import pytest

from graders import contract, manifest, notebooks
from tests import independent

MODULES = independent.modules()
ALL = os.environ.get("LLMT_INDEPENDENT") == "all"
CORRECT = [(m, name) for m in MODULES for name in (m.CORRECT if ALL else list(m.CORRECT)[:1])]


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    return independent.grade(tmp_path_factory.mktemp("independent"), correct={name for _, name in CORRECT})


def test_each_assignment_has_three_correct_implementations_and_three_bugs_per_part():
    for m in MODULES:
        per_part: dict[str, int] = {}
        for wrong in m.WRONG.values():
            for part in wrong["loses"]:
                per_part[part] = per_part.get(part, 0) + 1
        assert len(m.CORRECT) >= 3, m.ASSIGNMENT
        assert {p: n for p, n in per_part.items() if n < 3} == {}, m.ASSIGNMENT


@pytest.mark.parametrize("module, variant", CORRECT, ids=lambda x: x if isinstance(x, str) else x.ASSIGNMENT[:3])
def test_a_correct_implementation_gets_full_marks(graded, module, variant):
    a, _, entry = graded[f"{manifest.get(module.ASSIGNMENT).module}-{variant}"]
    lost = {c["grade_id"]: c["message"] for c in entry["cells"] if c["score"] < c["max_score"]}
    assert entry["error"] is None and lost == {}, f"{variant} ({a.id[:3]}): {lost or entry['error']}"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.ASSIGNMENT[:3])
def test_every_bug_names_parts_of_its_notebook(module):
    a = manifest.get(module.ASSIGNMENT)
    parts = {"input-checks" if g == contract.INPUT_CHECKS_CELL else g
             for g in (notebooks.nbgrader_meta(c).get("grade_id") for c in notebooks.read(a.source_notebook).cells
                       if notebooks.nbgrader_meta(c).get("grade"))}
    for name, wrong in module.WRONG.items():
        assert wrong["loses"] and set(wrong["loses"]) <= parts, (name, wrong["loses"])
        independent.filled(a, wrong["cells"])  # fills every solution cell, no unknown one
