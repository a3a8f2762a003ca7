"""The hidden checks of 7_3 against implementations: the reference and correct variants get full
marks, a stub gets nothing, and each wrong implementation loses the part it breaks."""

import pytest

from graders import kl_divergence as checks
from tests.implementations.kl_divergence import ALL, CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks


def run_parts(kl_divergence, js_divergence, token_distribution, next_token_kl, parts=ALL):
    """check name -> None when the check passes, else its message."""
    calls = {
        "check_kl_divergence": lambda: checks.check_kl_divergence(kl_divergence),
        "check_js_divergence": lambda: checks.check_js_divergence(js_divergence),
        "check_token_distribution": lambda: checks.check_token_distribution(token_distribution),
        "check_next_token_kl": lambda: checks.check_next_token_kl(next_token_kl),
        "check_input_checks": lambda: checks.check_input_checks(kl_divergence, js_divergence, token_distribution,
                                                                next_token_kl),
    }
    return run_checks(calls, parts)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(*CORRECT[name]) == dict.fromkeys(ALL)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(stub, stub, stub, stub)
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    impls, must_fail, must_pass = WRONG[name]
    results = run_parts(*impls, parts=(must_fail, *must_pass))
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_failure_messages_name_the_input_and_explain():
    message = run_parts(*WRONG["kl_arguments_swapped"][0], parts=("check_kl_divergence",))["check_kl_divergence"]
    assert "expected" in message and "got" in message and "p=" in message and "KL(Q || P)" in message
    message = run_parts(*WRONG["kl_in_bits"][0], parts=("check_kl_divergence",))["check_kl_divergence"]
    assert "bits" in message


def test_calling_scipy_is_reported():
    message = run_parts(*WRONG["kl_calls_scipy"][0], parts=("check_kl_divergence",))["check_kl_divergence"]
    assert "your code called scipy" in message and "yourself" in message
    message = run_parts(*WRONG["js_calls_scipy"][0], parts=("check_js_divergence",))["check_js_divergence"]
    assert "your code called scipy" in message


def test_failure_messages_are_deterministic():
    impls = WRONG["smoothing_breaks_normalisation"][0]
    assert run_parts(*impls, parts=("check_token_distribution",)) == run_parts(*impls, parts=("check_token_distribution",))


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(*WRONG["kl_not_validated"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith(f"input validation (5 of {len(checks.INPUT_CHECKS)} checks failed")
    assert "`kl_divergence([0.3, 0.3], [0.5, 0.5])`: `p` summing to 0.6 raises `ValueError`: expected ValueError" in message
    assert "js_divergence" not in message
    message = run_parts(*WRONG["next_token_kl_no_vocabulary_check"][0], parts=("check_input_checks",))["check_input_checks"]
    assert message.startswith(f"input validation (1 of {len(checks.INPUT_CHECKS)} checks failed")
    assert "another vocabulary size raises `ValueError`: expected ValueError, got RuntimeError" in message
