"""The hidden checks of 5_4 against implementations: the reference and correct variants get full
marks, a stub gets nothing, and each wrong implementation loses the part it breaks."""

import pytest

from graders import clipping_schedulers as checks
from tests.implementations.clipping_schedulers import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ["check_clip_grad_norm", "check_linear_warmup_lambda", "check_cosine_warmup_lambda", "check_input_checks"]


def run_parts(clip, linear, cosine, parts=PARTS):
    """part name -> None when the check passes, else its message."""
    return run_checks({
        "check_clip_grad_norm": lambda: checks.check_clip_grad_norm(clip),
        "check_linear_warmup_lambda": lambda: checks.check_linear_warmup_lambda(linear),
        "check_cosine_warmup_lambda": lambda: checks.check_cosine_warmup_lambda(cosine),
        "check_input_checks": lambda: checks.check_input_checks(clip, linear, cosine),
    }, parts)


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
    results = run_parts(*triple, parts=(must_fail, *must_pass))
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_messages_name_the_step_and_the_oracle():
    triple = WRONG["cosine_reaches_zero_too_early"][0]
    message = run_parts(*triple)["check_cosine_warmup_lambda"]
    assert "at step" in message and "expected" in message and "pair=" in message
    message = run_parts(*WRONG["clipping_returns_post_clip_norm"][0])["check_clip_grad_norm"]
    assert "BEFORE clipping" in message


def test_calling_the_oracles_is_reported():
    message = run_parts(*WRONG["clipping_calls_torch"][0])["check_clip_grad_norm"]
    assert "clip_grad_norm_" in message and "yourself" in message
    message = run_parts(*WRONG["cosine_calls_transformers"][0])["check_cosine_warmup_lambda"]
    assert "transformers.optimization" in message and "yourself" in message


def test_a_missing_input_check_costs_only_the_input_checks_part():
    clip, linear = WRONG["clipping_without_value_error"][0][0], WRONG["linear_without_value_errors"][0][1]
    results = run_parts(clip, linear, CORRECT["reference"][2])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith(f"input validation (6 of {len(checks.INPUT_CHECKS)} checks failed")
    assert "`clip_grad_norm(params, 0.0)`: `max_norm = 0` raises `ValueError`: expected ValueError, nothing was raised" in message
    assert "`linear_warmup_lambda(0, 7, 6)`: `warmup_steps > total_steps` raises `ValueError`: expected" in message
    assert "cosine_warmup_lambda" not in message
