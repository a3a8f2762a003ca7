"""The hidden checks of 7_1 against implementations: correct variants get full marks, a stub gets
nothing, each wrong implementation loses the part it breaks and keeps the others."""

import pytest

from graders import perplexity as checks
from tests.implementations.perplexity import CORRECT, WRONG

PARTS = ("check_one_window", "check_non_overlapping", "check_sliding_window")


def run_parts(fn):
    results = {}
    for name in PARTS:
        try:
            getattr(checks, name)(fn)
            results[name] = None
        except AssertionError as exc:
            results[name] = str(exc)
    return results


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(CORRECT[name]) == dict.fromkeys(PARTS)


def test_stub_gets_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(stub)
    assert all(results.values()) and all("NotImplementedError" in m for m in results.values())


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    fn, must_fail, must_pass = WRONG[name]
    results = run_parts(fn)
    assert results[must_fail] is not None, f"{name} was not caught by {must_fail}"
    for part in must_pass:
        assert results[part] is None, f"{name} wrongly lost {part}: {results[part]}"


def test_failure_message_names_the_input():
    message = run_parts(WRONG["rescores_overlapping_tokens"][0])["check_sliding_window"]
    assert "expected" in message and "got" in message and "stride=" in message and "Problem(" in message
