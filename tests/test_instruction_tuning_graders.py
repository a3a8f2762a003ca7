"""The hidden checks of 6_1 against implementations: correct variants get full marks, stubs get
nothing, each wrong implementation loses the part it breaks and keeps the others."""

import pytest

from graders import instruction_tuning as checks
from tests.implementations.instruction_tuning import CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks

PARTS = ("check_format_prompt", "check_tokenize_inputs", "check_tokenize_labels", "check_answer_question",
         "check_input_checks")


def run_parts(format_prompt, tokenize_example, answer_question):
    return run_checks({
        "check_format_prompt": lambda: checks.check_format_prompt(format_prompt),
        "check_tokenize_inputs": lambda: checks.check_tokenize_inputs(tokenize_example),
        "check_tokenize_labels": lambda: checks.check_tokenize_labels(tokenize_example),
        "check_answer_question": lambda: checks.check_answer_question(answer_question),
        "check_input_checks": lambda: checks.check_input_checks(tokenize_example, answer_question),
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


def test_eos_masking_bug_gets_an_actionable_message():
    message = run_parts(*WRONG["pad_is_eos_masked_by_id"][0])["check_tokenize_labels"]
    assert "EOS" in message and "expected" in message


def test_training_on_padding_names_the_position():
    message = run_parts(*WRONG["trains_on_padding"][0])["check_tokenize_labels"]
    assert "padding" in message


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(*WRONG["no_value_errors"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith("input validation (2 of 2 checks failed")
    assert "`max_length < 1` raises `ValueError`: expected ValueError, nothing was raised" in message
    assert "a negative `max_new_tokens` raises `ValueError`: expected ValueError, nothing was raised" in message
