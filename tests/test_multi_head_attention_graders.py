"""The hidden checks of 3_3 against implementations: correct variants get full marks, a stub gets
nothing, and each wrong implementation loses the part it breaks."""

import pytest

from graders import multi_head_attention as checks
from tests.implementations.multi_head_attention import CORRECT, WRONG

PARTS = ["check_split_merge_heads", "check_multi_head_attention"]


def run_parts(split, merge, mha):
    results = {}
    for name, run in zip(PARTS, (lambda: checks.check_split_merge_heads(split, merge),
                                 lambda: checks.check_multi_head_attention(mha))):
        try:
            run()
            results[name] = None
        except AssertionError as exc:
            results[name] = str(exc)
    return results


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(*CORRECT[name]) == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(stub, stub, stub)
    assert all(m and "NotImplementedError" in m for m in results.values())


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    triple, must_fail, must_pass = WRONG[name]
    results = run_parts(*triple)
    assert results[must_fail] is not None, f"{name} was not caught by {must_fail}"
    for part in must_pass:
        assert results[part] is None, f"{name} wrongly lost {part}: {results[part]}"
