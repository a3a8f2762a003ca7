"""solutions/position_embeddings.py against independent oracles: the formula, sklearn, a double loop."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics.pairwise import cosine_similarity

from graders.position_embeddings import close_far_oracle, formula, row_matrices, similarity, similarity_problems
from solutions.position_embeddings import (
    close_far_similarity,
    cosine_similarity_matrix,
    sinusoidal_position_embeddings,
    token_positions,
)


@given(st.integers(0, 30), st.integers(1, 10).map(lambda h: 2 * h))
def test_sinusoidal_equals_the_formula(n, dim):
    table = sinusoidal_position_embeddings(n, dim)
    assert table.shape == (n, dim)
    assert np.allclose(table, formula(n, dim), rtol=1e-12, atol=1e-12)


def test_sinusoidal_similarity_depends_only_on_the_distance():
    sim = cosine_similarity_matrix(sinusoidal_position_embeddings(40, 16))
    for d in range(1, 40):
        band = np.diagonal(sim, d)
        assert np.allclose(band, band[0])


@given(row_matrices())
def test_cosine_equals_sklearn(rows):
    X = rows.array()
    C = cosine_similarity_matrix(X)
    assert np.allclose(C, cosine_similarity(X), rtol=1e-12, atol=1e-12)
    assert np.allclose(C, C.T)
    nonzero = np.linalg.norm(X, axis=1) > 0
    assert np.allclose(np.diag(C)[nonzero], 1) and np.all(np.diag(C)[~nonzero] == 0)
    assert np.all(np.abs(C) <= 1 + 1e-12)
    scale = np.arange(1, len(X) + 1)[:, None] * 7.5
    assert np.allclose(cosine_similarity_matrix(X * scale), C)


@given(st.lists(st.integers(0, 3), max_size=20), st.integers(0, 4))
def test_token_positions_find_every_occurrence(ids, target):
    positions = token_positions(ids, target)
    assert positions == sorted(positions)
    assert [ids[i] for i in positions] == [target] * len(positions)
    assert len(positions) == ids.count(target)


@given(similarity_problems())
def test_close_far_equals_a_double_loop(problem):
    sim = similarity(problem)
    assert np.allclose(close_far_similarity(sim, problem.threshold), close_far_oracle(sim, problem.threshold),
                       rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("args, message", [((10, 5), "even"), ((10, 0), "even"), ((-2, 4), "negative")])
def test_sinusoidal_bad_sizes_raise_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        sinusoidal_position_embeddings(*args)


@pytest.mark.parametrize("sim, threshold, message", [
    (np.eye(3), -1, "negative"), (np.ones((2, 3)), 1, "square"), (np.ones(3), 1, "square"),
])
def test_close_far_bad_input_raises_value_error(sim, threshold, message):
    with pytest.raises(ValueError, match=message):
        close_far_similarity(sim, threshold)


def test_cosine_rejects_a_vector():
    with pytest.raises(ValueError, match="2-D"):
        cosine_similarity_matrix(np.ones(3))
