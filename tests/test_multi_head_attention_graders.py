"""The hidden checks of 3_3 against implementations: correct variants get full marks, a stub gets
nothing, and each wrong implementation loses the part it breaks."""

import pytest

from graders import multi_head_attention as checks
from tests.implementations.multi_head_attention import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ["check_split_merge_heads", "check_multi_head_attention", "check_input_checks"]


def run_parts(split, merge, mha):
    return run_checks({
        "check_split_merge_heads": lambda: checks.check_split_merge_heads(split, merge),
        "check_multi_head_attention": lambda: checks.check_multi_head_attention(mha),
        "check_input_checks": lambda: checks.check_input_checks(split, mha),
    })


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(*CORRECT[name]) == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(stub, stub, stub)
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    triple, must_fail, must_pass = WRONG[name]
    results = run_parts(*triple)
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(*WRONG["no_value_error"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    assert results["check_input_checks"].startswith("input validation")
    message = run_parts(*WRONG["only_divisibility_checked"][0])["check_input_checks"]
    assert message.startswith("input validation (2 of 5 checks failed")
    assert "`MultiHeadAttention(8, 0)`: no heads, raises `ValueError`: expected ValueError, got ZeroDivisionError" in message
