"""What the checks try is what the notebooks say (graders/contract.py).

Each check module's INPUT_CHECKS and EDGES are stated word for word in its notebook's markdown; the
input checks are one small part of their own; no computation part tries an invalid input (its
visible test and its hidden check alike), so a missing `raise` costs the input-checks part only.
"""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

from graders import contract, judge, manifest, notebooks

ASSIGNMENTS = [a for a in manifest.authored()]


def _module(a):
    return importlib.import_module(f"graders.{a.module}")


def _markdown(a) -> str:
    nb = notebooks.read(a.source_notebook)
    return contract.normalized(" ".join(c.source for c in nb.cells if c.cell_type == "markdown"))


def _cells(a) -> dict:
    nb = notebooks.read(a.source_notebook)
    return {notebooks.nbgrader_meta(c)["grade_id"]: c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade")}


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.id[:3])
def test_every_declared_input_check_and_edge_is_stated_in_the_notebook(a):
    module, text = _module(a), _markdown(a)
    declared = [c.text for c in getattr(module, "INPUT_CHECKS", ())]
    declared += [e.text for edges in getattr(module, "EDGES", {}).values() for e in edges]
    missing = [t for t in declared if contract.normalized(t) not in text]
    assert not missing, f"{a.id}: the notebook's markdown does not state {missing}"


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.id[:3])
def test_edges_are_declared_for_checks_that_exist(a):
    module = _module(a)
    checks = set(judge.hidden_checks(a))
    unknown = set(getattr(module, "EDGES", {})) - checks
    assert not unknown, f"{a.id}: EDGES names {sorted(unknown)}, which no hidden cell calls"


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.id[:3])
def test_input_checks_are_one_small_part_of_their_own(a):
    module, cells = _module(a), _cells(a)
    checks = getattr(module, "INPUT_CHECKS", ())
    if not checks:
        assert contract.INPUT_CHECKS_CELL not in cells, f"{a.id} grades input checks it does not declare"
        return
    assert contract.INPUT_CHECKS_CELL in cells, f"{a.id} declares input checks but has no {contract.INPUT_CHECKS_CELL} cell"
    cell = cells[contract.INPUT_CHECKS_CELL]
    assert float(notebooks.nbgrader_meta(cell)["points"]) <= a.points / 10
    assert judge.hidden_checks(a).get("check_input_checks") == contract.INPUT_CHECKS_CELL


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.id[:3])
def test_no_computation_part_tries_an_invalid_input(a):
    """Neither a computation cell's visible asserts nor its hidden check expect a ValueError: that is
    the input-checks part's job (graders/contract.py)."""
    for grade_id, cell in _cells(a).items():
        if grade_id != contract.INPUT_CHECKS_CELL:
            assert "ValueError" not in cell.source, f"{a.id}: the visible test {grade_id} tries an invalid input"
    tree = ast.parse(inspect.getsource(_module(a)))
    calls = {node.func.id for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "expect_value_error" not in calls, f"graders/{a.module}.py tries invalid inputs outside INPUT_CHECKS"
