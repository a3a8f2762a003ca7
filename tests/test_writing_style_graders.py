"""The hidden checks of 5_1 against implementations: the reference and correct variants get full
marks, a stub gets nothing, and each wrong implementation loses the part it breaks."""

import pytest

from graders import writing_style as checks
from tests.implementations.writing_style import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ("check_data", "check_train_step", "check_perplexity", "check_input_checks")


def run_parts(impl, parts=PARTS):
    """part name -> None when the check passes, else its message."""
    calls = {
        "check_data": lambda: checks.check_data(impl["split_tokens"], impl["sample_batch"]),
        "check_train_step": lambda: checks.check_train_step(impl["train_step"]),
        "check_perplexity": lambda: checks.check_perplexity(impl["perplexity"]),
        "check_input_checks": lambda: checks.check_input_checks(impl["split_tokens"], impl["sample_batch"],
                                                                impl["perplexity"]),
    }
    return run_checks(calls, parts)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(CORRECT[name]) == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(dict.fromkeys(["split_tokens", "sample_batch", "train_step", "perplexity"], stub))
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    impl, must_fail, must_pass = WRONG[name]
    results = run_parts(impl, (must_fail, *must_pass))
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_messages_say_what_to_fix():
    message = run_parts(WRONG["train_step_no_zero_grad"][0], ["check_train_step"])["check_train_step"]
    assert "zero_grad" in message and "stale" in message
    message = run_parts(WRONG["perplexity_mean_per_batch"][0], ["check_perplexity"])["check_perplexity"]
    assert "expected" in message and "got" in message and "PplProblem(" in message


def test_failure_messages_are_deterministic():
    impl = WRONG["perplexity_overlapping_windows"][0]
    assert run_parts(impl, ["check_perplexity"]) == run_parts(impl, ["check_perplexity"])


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(WRONG["no_value_errors"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith(f"input validation ({len(checks.INPUT_CHECKS)} of {len(checks.INPUT_CHECKS)} checks failed")
    assert ("`split_tokens([5], 0.5)`: a part would be empty, which raises `ValueError`: expected ValueError, "
            "nothing was raised") in message
    assert "fewer than two tokens raises `ValueError`: expected ValueError, got ZeroDivisionError" in message
    message = run_parts(WRONG["perplexity_no_value_error"][0], ["check_input_checks"])["check_input_checks"]
    assert message.startswith(f"input validation (3 of {len(checks.INPUT_CHECKS)} checks failed")
