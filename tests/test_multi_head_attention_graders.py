"""The hidden checks of 3_3 against implementations: correct variants get full marks, a stub gets
nothing, and each wrong implementation loses the part it breaks."""

import pytest

from graders import multi_head_attention as checks
from tests.implementations.multi_head_attention import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ["check_split_merge_heads", "check_multi_head_attention"]


def run_parts(split, merge, mha):
    return run_checks({
        "check_split_merge_heads": lambda: checks.check_split_merge_heads(split, merge),
        "check_multi_head_attention": lambda: checks.check_multi_head_attention(mha),
    })


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
    results = run_parts(*triple)
    assert_loses_its_part(results, name, must_fail, must_pass)
