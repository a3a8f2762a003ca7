"""The hidden checks of 6_1 against implementations: correct variants get full marks, stubs get
nothing, each wrong implementation loses the part it breaks and keeps the others."""

import pytest

from graders import instruction_tuning as checks
from tests.implementations.instruction_tuning import CORRECT, WRONG

PARTS = ("check_format_prompt", "check_tokenize_inputs", "check_tokenize_labels", "check_answer_question")


def run_parts(format_prompt, tokenize_example, answer_question):
    args = {"check_format_prompt": format_prompt, "check_tokenize_inputs": tokenize_example,
            "check_tokenize_labels": tokenize_example, "check_answer_question": answer_question}
    results = {}
    for name in PARTS:
        try:
            getattr(checks, name)(args[name])
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
    assert all(results.values()) and all("NotImplementedError" in m for m in results.values())


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    triple, must_fail, must_pass = WRONG[name]
    results = run_parts(*triple)
    assert results[must_fail] is not None, f"{name} was not caught by {must_fail}"
    for part in must_pass:
        assert results[part] is None, f"{name} wrongly lost {part}: {results[part]}"


def test_eos_masking_bug_gets_an_actionable_message():
    message = run_parts(*WRONG["pad_is_eos_masked_by_id"][0])["check_tokenize_labels"]
    assert "EOS" in message and "expected" in message


def test_training_on_padding_names_the_position():
    message = run_parts(*WRONG["trains_on_padding"][0])["check_tokenize_labels"]
    assert "padding" in message
