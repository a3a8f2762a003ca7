"""The hidden checks of 3_4 against implementations: correct variants get full marks, a stub gets
nothing, and each wrong implementation loses the part it breaks and only that part."""

import pytest

from graders import decoder as checks
from tests.implementations.decoder import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ["check_gpt", "check_load_gpt2_weights", "check_generate", "check_count_parameters", "check_input_checks"]


def run_parts(impl, parts=PARTS):
    calls = {
        "check_gpt": lambda: checks.check_gpt(impl["GPT"], impl["GPTConfig"]),
        "check_load_gpt2_weights": lambda: checks.check_load_gpt2_weights(impl["load_gpt2_weights"]),
        "check_generate": lambda: checks.check_generate(impl["GPT"], impl["GPTConfig"]),
        "check_count_parameters": lambda: checks.check_count_parameters(impl["count_parameters"], impl["GPTConfig"]),
        "check_input_checks": lambda: checks.check_input_checks(impl["GPT"], impl["GPTConfig"]),
    }
    return run_checks(calls, parts)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(CORRECT[name]) == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts({"GPT": stub, "GPTConfig": CORRECT["reference"]["GPTConfig"], "load_gpt2_weights": stub,
                         "count_parameters": stub})
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    impl, must_fail, must_pass = WRONG[name]
    results = run_parts(impl, [must_fail, *must_pass])
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_untied_unembedding_is_named():
    message = run_parts(WRONG["untied_unembedding"][0], ["check_gpt"])["check_gpt"]
    assert "tied" in message


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(WRONG["no_context_check"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    assert results["check_input_checks"].startswith("input validation (1 of 1 checks failed")
    assert "raises `ValueError`: expected ValueError, got IndexError" in results["check_input_checks"]
