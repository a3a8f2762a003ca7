"""The hidden checks of 7_1 against implementations: correct variants get full marks, a stub gets
nothing, each wrong implementation loses the part it breaks and keeps the others."""

import functools

import pytest

from graders import perplexity as checks
from tests.implementations.perplexity import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ("check_one_window", "check_non_overlapping", "check_sliding_window", "check_input_checks")


def run_parts(fn):
    return run_checks({name: functools.partial(getattr(checks, name), fn) for name in PARTS})


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(CORRECT[name]) == dict.fromkeys(PARTS)


def test_stub_gets_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(stub)
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    fn, must_fail, must_pass = WRONG[name]
    results = run_parts(fn)
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_failure_message_names_the_input():
    message = run_parts(WRONG["rescores_overlapping_tokens"][0])["check_sliding_window"]
    assert "expected" in message and "got" in message and "stride=" in message and "Problem(" in message


def test_changing_token_ids_in_place_is_named():
    message = run_parts(WRONG["changes_token_ids_in_place"][0])["check_one_window"]
    assert "modified its input `token_ids` in place" in message


def test_what_the_student_code_does_to_its_model_stays_with_its_copy():
    """The student's function gets a model built where its code runs: wrecking it (other weights,
    train mode) harms only itself, never the check's own model or the next check."""
    from solutions import perplexity as reference

    m = checks.model()
    ids = checks._ids(checks.Problem(30, 8, None, 0))
    before = reference.perplexity(m, ids, 8)

    def wrecks_its_model(model, token_ids, context_window_size, stride=None):
        result = reference.perplexity(model, token_ids, context_window_size, stride)
        model.load_state_dict({k: v * 0 for k, v in model.state_dict().items()})
        model.train()
        return result

    assert run_parts(wrecks_its_model)["check_one_window"] is not None  # its own later examples suffer
    assert not m.training and reference.perplexity(m, ids, 8) == before
    assert run_parts(CORRECT["reference"]) == dict.fromkeys(PARTS)


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(WRONG["no_value_errors"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith(f"input validation ({len(checks.INPUT_CHECKS)} of {len(checks.INPUT_CHECKS)} checks failed")
    assert ("`perplexity(model, token_ids, 8, stride=9)`: a stride larger than the window raises `ValueError` "
            "(tokens would be skipped): expected ValueError, nothing was raised") in message
