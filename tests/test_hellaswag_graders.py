"""The hidden checks of 7_2 against implementations: the reference and correct variants get full
marks, a stub gets nothing, and each wrong implementation loses the part it breaks."""

import pytest

from graders import hellaswag as checks
from tests.implementations.hellaswag import ALL, CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks


def run_parts(preprocess, build_request, continuation_logprobs, evaluate, parts=ALL):
    """check name -> None when the check passes, else its message."""
    calls = {
        "check_preprocess": lambda: checks.check_preprocess(preprocess),
        "check_build_request": lambda: checks.check_build_request(build_request),
        "check_continuation_logprobs": lambda: checks.check_continuation_logprobs(continuation_logprobs),
        "check_evaluate": lambda: checks.check_evaluate(evaluate),
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


def test_failure_message_names_the_input_and_the_difference():
    impls = WRONG["scores_context_tokens_too"][0]
    message = run_parts(*impls, parts=("check_continuation_logprobs",))["check_continuation_logprobs"]
    assert "expected" in message and "got" in message and "context" in message


def test_failure_messages_are_deterministic():
    impls = WRONG["acc_norm_by_token_count"][0]
    assert run_parts(*impls, parts=("check_evaluate",)) == run_parts(*impls, parts=("check_evaluate",))
