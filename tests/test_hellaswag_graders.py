"""The hidden checks of 7_2 against implementations: the reference and correct variants get full
marks, a stub gets nothing, and each wrong implementation loses the part it breaks."""

import pytest
import torch

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


def test_what_the_student_code_does_to_its_models_stays_with_its_copies():
    """The student's functions get models loaded where their code runs: a function that wrecks
    them (other weights, train mode) harms only itself, never the check's own models or later checks."""
    from solutions import hellaswag as reference

    model, tokenizer = checks.load("tiny-gpt2")
    before = reference.continuation_logprobs(model, tokenizer, "The cat", [" sees", " a red apple"])

    def wrecks_its_model(model, tokenizer, context, continuations):
        scores = reference.continuation_logprobs(model, tokenizer, context, continuations)
        model.load_state_dict({k: torch.zeros_like(v) for k, v in model.state_dict().items()})
        model.train()
        tokenizer.pad_token = tokenizer.eos_token
        return scores

    run_parts(*CORRECT["reference"][:2], wrecks_its_model, CORRECT["reference"][3], parts=("check_continuation_logprobs",))
    assert not model.training and tokenizer.pad_token is None
    assert reference.continuation_logprobs(model, tokenizer, "The cat", [" sees", " a red apple"]) == before
    assert run_parts(*CORRECT["reference"], parts=("check_continuation_logprobs",)) == {"check_continuation_logprobs": None}
