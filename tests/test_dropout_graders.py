"""The hidden checks of 4_2 against implementations: the reference and correct variants get full
marks, stubs get nothing, and each wrong implementation loses the part it breaks and no other."""

import pytest

from graders import dropout as checks
from tests.implementations.dropout import CORRECT, WRONG

PARTS = {
    "check_dropout": "dropout",
    "check_attention_with_dropout": "attention_with_dropout",
    "check_dropout_gpt_eval": "DropoutGPT",
    "check_dropout_gpt_training": "DropoutGPT",
}


def run_parts(functions, parts=PARTS):
    results = {}
    for check, name in parts.items():
        try:
            getattr(checks, check)(functions[name])
            results[check] = None
        except AssertionError as exc:
            results[check] = str(exc)
    return results


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
    assert all(results.values()) and all("NotImplementedError" in m for m in results.values())


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    functions, must_fail, must_pass = WRONG[name]
    results = run_parts(functions, {c: PARTS[c] for c in (must_fail, *must_pass)})
    assert results[must_fail] is not None, f"{name} was not caught by {must_fail}"
    for part in must_pass:
        assert results[part] is None, f"{name} wrongly lost {part}: {results[part]}"


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
