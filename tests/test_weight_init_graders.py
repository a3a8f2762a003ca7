"""The hidden checks of 4_1 against implementations: the reference and correct variants get full
marks, stubs get nothing, and each wrong implementation loses the part it breaks and no other."""

import functools

import pytest

from graders import weight_init as checks
from tests.implementations.weight_init import CORRECT, REFERENCE, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, beside_the_notebook, run_checks

PARTS = {
    "check_get_batch": "get_batch",
    "check_lm_loss": "lm_loss",
    "check_init_gpt_weights": "init_gpt_weights",
    "check_estimate_loss": "estimate_loss",
    "check_input_checks": ("get_batch", "lm_loss", "init_gpt_weights"),
}


@pytest.fixture(autouse=True, scope="module")
def _shipped_decoder():
    """The init is checked on the course's GPT, built from decoder.py, shipped beside the notebook."""
    with beside_the_notebook("4_1_pre_training_weight_init"):
        yield


def run_parts(functions, parts=PARTS):
    """check name -> None when the check passes, else its message."""
    return run_checks({check: functools.partial(getattr(checks, check), *(functions[f] for f in _names(names)))
                       for check, names in parts.items()})


def _names(names):
    return names if isinstance(names, tuple) else (names,)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(CORRECT[name]) == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(dict.fromkeys(REFERENCE, stub))
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    functions, must_fail, must_pass = WRONG[name]
    results = run_parts(functions, {c: PARTS[c] for c in (must_fail, *must_pass)})
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_messages_say_what_is_wrong():
    messages = {name: run_parts(WRONG[name][0], {WRONG[name][1]: PARTS[WRONG[name][1]]})[WRONG[name][1]]
                for name in ("y_not_shifted", "nll_on_raw_logits", "estimate_in_training_mode")}
    assert "shifted by one" in messages["y_not_shifted"]
    assert "expected" in messages["nll_on_raw_logits"] and "Logits(" in messages["nll_on_raw_logits"]
    assert "model.eval()" in messages["estimate_in_training_mode"]


def test_failure_messages_are_deterministic():
    functions, part, _ = WRONG["start_range_misses_last_window"]
    assert run_parts(functions, {part: PARTS[part]}) == run_parts(functions, {part: PARTS[part]})


def test_uniformity_test_names_the_missing_last_window():
    """A sampler that never picks the last window (and never crashes) fails the chi-square test, with
    a message that says so."""
    functions, part, _ = WRONG["start_range_misses_last_window"]
    assert "chi-square" in run_parts(functions, {part: PARTS[part]})[part]
    with pytest.raises(AssertionError, match="chi-square.*last window"):
        checks.check_uniform_starts([i % 31 for i in range(32_000)], 32)
    checks.check_uniform_starts([i % 32 for i in range(32_000)], 32)


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(WRONG["get_batch_without_value_error"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith("input validation (3 of 6 checks failed")
    assert "`batch_size = 0` raises `ValueError`: expected ValueError, nothing was raised" in message
    message = run_parts(WRONG["lm_loss_checks_only_the_count"][0], {"check_input_checks": PARTS["check_input_checks"]})
    assert "(1 of 6 checks failed" in message["check_input_checks"]
    assert "targets of shape `(3, 2)`" in message["check_input_checks"]
