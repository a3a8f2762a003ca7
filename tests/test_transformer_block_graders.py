"""The hidden checks of 3_2 against implementations: correct variants get full marks, a stub gets
nothing, and each wrong implementation loses the part it breaks and only that part."""

import pytest

from graders import transformer_block as checks
from tests.implementations.transformer_block import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ["check_attention_head", "check_mlp", "check_transformer_block", "check_input_checks"]


def run_parts(head, mlp, block):
    return run_checks({
        "check_attention_head": lambda: checks.check_attention_head(head),
        "check_mlp": lambda: checks.check_mlp(mlp),
        "check_transformer_block": lambda: checks.check_transformer_block(block),
        "check_input_checks": lambda: checks.check_input_checks(block),
    })


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(*CORRECT[name]) == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    class Stub:
        def __init__(self, *args, **kwargs):
            raise NotImplementedError()

    results = run_parts(Stub, Stub, Stub)
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    triple, must_fail, must_pass = WRONG[name]
    results = run_parts(*triple)
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_missing_bias_is_named():
    message = run_parts(*WRONG["projections_without_bias"][0])["check_attention_head"]
    assert "q_proj.bias" in message


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(*WRONG["several_heads_accepted"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    assert results["check_input_checks"].startswith("input validation (1 of 1 checks failed")
    assert "`TransformerBlock(8, num_heads=2)` raises `ValueError` (this block has a single head): expected ValueError, " \
           "nothing was raised" in results["check_input_checks"]
