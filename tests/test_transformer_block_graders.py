"""The hidden checks of 3_2 against implementations: correct variants get full marks, a stub gets
nothing, and each wrong implementation loses the part it breaks and only that part."""

import pytest

from graders import transformer_block as checks
from tests.implementations.transformer_block import CORRECT, WRONG

PARTS = ["check_attention_head", "check_mlp", "check_transformer_block"]


def run_parts(head, mlp, block):
    results = {}
    for name, arg in zip(PARTS, (head, mlp, block)):
        try:
            getattr(checks, name)(arg)
            results[name] = None
        except AssertionError as exc:
            results[name] = str(exc)
    return results


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(*CORRECT[name]) == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    class Stub:
        def __init__(self, *args, **kwargs):
            raise NotImplementedError()

    results = run_parts(Stub, Stub, Stub)
    assert all(m and "NotImplementedError" in m for m in results.values())


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    triple, must_fail, must_pass = WRONG[name]
    results = run_parts(*triple)
    assert results[must_fail] is not None, f"{name} was not caught by {must_fail}"
    for part in must_pass:
        assert results[part] is None, f"{name} wrongly lost {part}: {results[part]}"


def test_missing_bias_is_named():
    message = run_parts(*WRONG["projections_without_bias"][0])["check_attention_head"]
    assert "q_proj.bias" in message
