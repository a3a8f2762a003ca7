"""The hidden checks of 4_2 against implementations: the reference and correct variants get full
marks, stubs get nothing, and each wrong implementation loses the part it breaks and no other."""

import functools

import pytest

from graders import dropout as checks
from tests.implementations.dropout import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = {
    "check_dropout": "dropout",
    "check_attention_with_dropout": "attention_with_dropout",
    "check_dropout_gpt_eval": "DropoutGPT",
    "check_dropout_gpt_training": "DropoutGPT",
    "check_input_checks": ("dropout", "DropoutGPT"),
}


def run_parts(functions, parts=PARTS):
    return run_checks({check: functools.partial(getattr(checks, check),
                                                *(functions[n] for n in (names if isinstance(names, tuple) else (names,))))
                       for check, names in parts.items()})


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(CORRECT[name]) == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    class StubGPT(CORRECT["reference"]["DropoutGPT"]):
        def forward(self, token_ids):
            raise NotImplementedError()

    results = run_parts({"dropout": stub, "attention_with_dropout": stub, "DropoutGPT": StubGPT})
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    functions, must_fail, must_pass = WRONG[name]
    results = run_parts(functions, {c: PARTS[c] for c in (must_fail, *must_pass)})
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_messages_say_what_is_wrong():
    def message(name):
        functions, part, _ = WRONG[name]
        return run_parts(functions, {part: PARTS[part]})[part]

    assert "x / (1 - p)" in message("dropout_without_rescaling")
    assert "not training" in message("dropout_active_in_eval_mode")
    assert "yourself" in message("dropout_calls_torch")
    assert "independently" in message("dropout_shared_by_neighbours")
    assert "training=False" in message("attention_dropout_applied_at_eval")
    assert "embeddings" in message("gpt_without_embedding_dropout")
    assert "MLP branch" in message("gpt_without_mlp_branch_dropout")
    assert "attention weights" in message("gpt_without_attention_weight_dropout")


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(WRONG["dropout_accepts_p_1"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith("input validation (4 of 5 checks failed")
    assert "p = 1 raises `ValueError`: expected ValueError, nothing was raised" in message
    message = run_parts(WRONG["gpt_without_context_check"][0], {"check_input_checks": PARTS["check_input_checks"]})
    assert "given 17 tokens raises `ValueError`: expected ValueError, got IndexError" in message["check_input_checks"]
