"""The hidden checks of 7_1 against implementations: correct variants get full marks, a stub gets
nothing, each wrong implementation loses the part it breaks and keeps the others."""

import functools

import pytest

from graders import perplexity as checks
from tests.implementations.perplexity import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ("check_one_window", "check_non_overlapping", "check_sliding_window")


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
