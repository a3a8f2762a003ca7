"""The hidden checks of 5_2 against implementations: the reference and correct variants get full
marks, a stub gets nothing, and each wrong implementation loses the part it breaks."""

import pytest

from graders import freeze_weights as checks
from tests.implementations.freeze_weights import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ("check_freeze_attention", "check_count_parameters", "check_make_optimizer", "check_input_checks")


def run_parts(impl, parts=PARTS):
    """part name -> None when the check passes, else its message."""
    calls = {
        "check_freeze_attention": lambda: checks.check_freeze_attention(impl["freeze_attention"]),
        "check_count_parameters": lambda: checks.check_count_parameters(impl["count_parameters"]),
        "check_make_optimizer": lambda: checks.check_make_optimizer(impl["make_optimizer"]),
        "check_input_checks": lambda: checks.check_input_checks(impl["freeze_attention"], impl["make_optimizer"]),
    }
    return run_checks(calls, parts)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(CORRECT[name]) == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(dict.fromkeys(["freeze_attention", "count_parameters", "make_optimizer"], stub))
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    impl, must_fail, must_pass = WRONG[name]
    results = run_parts(impl, (must_fail, *must_pass))
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_frozen_parameters_left_in_the_optimizer_are_reported():
    message = run_parts(WRONG["optimizer_keeps_frozen_with_decay"][0], ["check_make_optimizer"])["check_make_optimizer"]
    assert "frozen" in message and "trainable parameters only" in message


def test_drift_alone_is_caught():
    """A frozen parameter that drifts is caught by training, not only by looking at the groups."""
    import torch

    from solutions import freeze_weights as reference

    def leaky(model, lr, weight_decay):
        opt = reference.make_optimizer(model, lr, weight_decay)
        opt.add_param_group({"params": [p for p in model.parameters() if not p.requires_grad],
                             "weight_decay": weight_decay})
        return opt

    model = checks.tiny_model(0)
    batch = torch.randint(0, checks.VOCAB, (2, 12))
    model(input_ids=batch, labels=batch).loss.backward()
    model.zero_grad(set_to_none=False)
    reference.freeze_attention(model, [3])
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    checks._train(model, leaky(model, 1e-2, 0.5))
    with pytest.raises(AssertionError, match="frozen parameter .* changed"):
        checks._assert_frozen_kept_and_rest_moved(model, before, "leaky")


def test_a_missing_input_check_costs_only_the_input_checks_part():
    impl = {**WRONG["freeze_without_checks"][0], "make_optimizer": WRONG["optimizer_without_checks"][0]["make_optimizer"]}
    results = run_parts(impl)
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    # torch's AdamW rejects a negative lr by itself: 6 of the 7 calls go through
    assert message.startswith(f"input validation (6 of {len(checks.INPUT_CHECKS)} checks failed")
    assert "`freeze_attention(model, [-1])`: a negative index is not in `range(num_layers)` either" in message
    assert "`make_optimizer(model, 0.0, 0.1)`: `lr = 0` raises `ValueError`: expected ValueError, nothing was raised" in message


def test_a_value_error_after_freezing_costs_the_input_checks_part():
    """A check made while freezing raises after changing something: that costs the input checks only."""
    from solutions import freeze_weights as reference

    def checks_while_freezing(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")):
        for i in layer_indices:
            reference.freeze_attention(model, [i], parts)

    results = run_parts({**CORRECT["reference"], "freeze_attention": checks_while_freezing},
                        ["check_freeze_attention", "check_input_checks"])
    assert results["check_freeze_attention"] is None
    message = results["check_input_checks"]
    assert message.startswith(f"input validation (1 of {len(checks.INPUT_CHECKS)} checks failed")
    assert ("before anything is frozen (layer 0 stays trainable): expected ValueError, got AssertionError: the "
            "ValueError came after transformer.h.0.attn.attention") in message
