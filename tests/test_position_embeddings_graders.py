"""The hidden checks of 2_1 against implementations: the reference and correct variants get full
marks, stubs get nothing, and each wrong implementation loses the part it breaks, and only it."""

import pytest

from graders import position_embeddings as checks
from tests.implementations.position_embeddings import ALL, CORRECT, WRONG
from tests.parts import assert_all_fail, assert_loses_its_part, run_checks


def run_parts(fns):
    """check name -> None when the check passes, else its message."""
    return run_checks({
        "check_sinusoidal_position_embeddings": lambda: checks.check_sinusoidal_position_embeddings(fns["sinusoidal_position_embeddings"]),
        "check_cosine_similarity_matrix": lambda: checks.check_cosine_similarity_matrix(fns["cosine_similarity_matrix"]),
        "check_token_positions": lambda: checks.check_token_positions(fns["token_positions"]),
        "check_close_far_similarity": lambda: checks.check_close_far_similarity(fns["close_far_similarity"]),
        "check_input_checks": lambda: checks.check_input_checks(fns["sinusoidal_position_embeddings"],
                                                                fns["close_far_similarity"]),
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
    fns, must_fail, must_pass = WRONG[name]
    results = run_parts(fns)
    assert_loses_its_part(results, name, must_fail, must_pass)


def test_failure_message_names_the_input_and_the_difference():
    message = run_parts(WRONG["threshold_off_by_one"][0])["check_close_far_similarity"]
    assert "expected" in message and "got" in message and "SimilarityProblem(" in message


def test_failure_messages_are_deterministic():
    fns = WRONG["rows_not_normalised"][0]
    assert run_parts(fns) == run_parts(fns)


def test_forbidden_libraries_and_changes_in_place_are_named():
    for name, library in [("cosine_calls_sklearn", "sklearn"), ("cosine_calls_scipy", "scipy")]:
        message = run_parts(WRONG[name][0])["check_cosine_similarity_matrix"]
        assert "your code called" in message and library in message and "yourself" in message
    message = run_parts(WRONG["cosine_changes_X_in_place"][0])["check_cosine_similarity_matrix"]
    assert "modified its input `X` in place" in message


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = run_parts(WRONG["negative_threshold_accepted"][0])
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith("input validation (2 of 5 checks failed")
    assert "a negative `threshold` raises `ValueError`: expected ValueError, nothing was raised" in message
    assert "which is not square, raises `ValueError`: expected ValueError" in message


def test_zero_positions_may_give_an_empty_table_or_a_value_error():
    assert run_parts(CORRECT["reference"])["check_sinusoidal_position_embeddings"] is None
    assert run_parts(CORRECT["zero_positions_rejected"])["check_sinusoidal_position_embeddings"] is None
    message = run_parts(WRONG["zero_positions_flat"][0])["check_sinusoidal_position_embeddings"]
    assert "sinusoidal_position_embeddings(0, " in message and "empty table" in message
