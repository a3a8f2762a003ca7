"""The hidden checks of 2_2 against implementations: the reference and correct variants get full
marks, stubs get nothing, and each wrong implementation loses the part it breaks, and only it."""

import pytest

from graders import word_embeddings as checks
from tests.implementations.word_embeddings import ALL, CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks


def run_parts(objs):
    """check name -> None when the check passes, else its message."""
    return run_checks({
        "check_vocabulary": lambda: checks.check_vocabulary(objs["tokenize_words"], objs["build_vocab"]),
        "check_dataset": lambda: checks.check_dataset(objs["TokenDataset"]),
        "check_model": lambda: checks.check_model(objs["NeuralLanguageModel"]),
        "check_train_epoch": lambda: checks.check_train_epoch(objs["train_epoch"], objs["NeuralLanguageModel"]),
        "check_most_similar": lambda: checks.check_most_similar(objs["most_similar"]),
        "check_input_checks": lambda: checks.check_input_checks(objs["TokenDataset"], objs["NeuralLanguageModel"]),
    })


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert run_parts(CORRECT[name]) == dict.fromkeys(ALL)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    results = run_parts(dict.fromkeys(CORRECT["reference"], stub))
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    objs, must_fail, must_pass = WRONG[name]
    results = run_parts(objs)
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_failure_message_names_the_input_and_the_difference():
    message = run_parts(WRONG["stride_ignored"][0])["check_dataset"]
    assert "expected" in message and "got" in message and "Windows(" in message


def test_synonyms_end_up_closer_than_unrelated_words():
    cos = checks.check_synonyms(CORRECT["reference"]["train_epoch"], CORRECT["reference"]["NeuralLanguageModel"])
    assert cos[("happy", "joyful")] > cos[("happy", "book")] + 0.3
    assert cos[("book", "novel")] > cos[("book", "happy")] + 0.3


def test_the_synonym_check_is_deterministic():
    objs = CORRECT["loops"]
    assert checks.check_synonyms(objs["train_epoch"], objs["NeuralLanguageModel"]) == \
        checks.check_synonyms(objs["train_epoch"], objs["NeuralLanguageModel"])


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(WRONG["model_without_value_error"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith("input validation (2 of 4 checks failed")
    assert "`vocab_size = 0` raises `ValueError`: expected ValueError, nothing was raised" in message
