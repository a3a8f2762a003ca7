"""The hidden checks of 3_1 against implementations: the reference and correct variants get full
marks, a stub gets nothing, and each wrong implementation loses the part it breaks."""

import pytest

from graders import attention as checks
from tests.implementations.attention import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks


def run_parts(weights, sdpa):
    """grade_id-like part name -> None when the check passes, else its message."""
    return run_checks({
        "check_attention_weights": lambda: checks.check_attention_weights(weights),
        "check_scaled_dot_product_attention": lambda: checks.check_scaled_dot_product_attention(sdpa),
        "check_masks": lambda: checks.check_masks(sdpa, weights),
        "check_input_checks": lambda: checks.check_input_checks(weights, sdpa),
    })


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(*CORRECT[name]) == dict.fromkeys(
        ["check_attention_weights", "check_scaled_dot_product_attention", "check_masks", "check_input_checks"])


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(stub, stub)
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    pair, must_fail, must_pass = WRONG[name]
    results = run_parts(*pair)
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_failure_message_names_the_input_and_the_difference():
    message = run_parts(*WRONG["no_scaling"][0])["check_attention_weights"]
    assert "expected" in message and "got" in message and "rtol" in message
    assert "Problem(" in message  # the shrunk input


def test_failure_messages_are_deterministic():
    pair = WRONG["float_mask_as_bool"][0]
    assert run_parts(*pair) == run_parts(*pair)


def test_calling_torch_sdpa_is_reported():
    message = run_parts(*WRONG["calls_torch_sdpa"][0])["check_scaled_dot_product_attention"]
    assert "scaled_dot_product_attention" in message and "yourself" in message


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(*WRONG["no_value_error"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    assert results["check_input_checks"].startswith("input validation")
    assert "different sizes E raises `ValueError`: expected ValueError, got RuntimeError" in results["check_input_checks"]
