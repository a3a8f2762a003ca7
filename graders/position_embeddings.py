"""Hidden checks of 2_1_embedding_explore_position_embedding (position embeddings, cosine similarity).

Oracles: the sinusoidal formula written out column by column; scikit-learn's `cosine_similarity`;
the properties every cosine similarity matrix has (symmetric, 1 on the diagonal for non-zero rows,
within [-1, 1], unchanged when a row is scaled by a positive number); a double loop over pairs for
the close and far means. Arrays come from small integers times row scales, so zero rows occur and
nothing under- or overflows; rows are not tiny, so a
solution that adds a small epsilon to the norms passes (tolerance 1e-5). Similarity matrices given
to `close_far_similarity` are symmetric and always have at least one close and one far pair (a mean over no pairs is outside the contract).
Inputs are copied where the student's code runs, so that a function that changes them in place is
seen; the cosine and close/far parts are to be written with NumPy: scikit-learn and SciPy are
forbidden there (graders/forbidden.py).
The edge cases each part probes are listed in `EDGES` and stated in the notebook's task text; zero
positions may give an empty table or a ValueError (the text leaves it open, so both pass). The
ValueErrors (an odd or non-positive `dim`, negative `num_positions`, a negative threshold, a matrix
that is not square) are graded apart, in `check_input_checks` (graders/contract.py), and no
computation part tries them.
Hands out: nothing of the judge's; arrays and lists cross by value, copied where the student's code
runs to see in-place changes.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics.pairwise import cosine_similarity as sklearn_cosine_similarity

from solutions import position_embeddings as reference

from .contract import Edge, InputCheck, either_or_error, run_input_checks
from .judge import judged
from .properties import assert_left_unchanged, assert_tensor_close, grading, run_property, student_copies

#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_sinusoidal_position_embeddings": (
        Edge("`num_positions = 0`: an empty table of shape `(0, dim)` or a `ValueError`, both are accepted"),
        Edge("a single position (`num_positions = 1`)"),
        Edge("`dim = 2`, a single pair of sin/cos columns"),
    ),
    "check_cosine_similarity_matrix": (
        Edge("a single row (`n = 1`) and rows of a single number (`d = 1`)"),
        Edge("rows of zeros, whose similarity with every row, itself included, is exactly 0"),
        Edge("rows whose lengths differ a lot (some scaled by 0.1, others by 1000)"),
        Edge("rows that point the same way or in opposite directions (similarity 1 or -1)"),
    ),
    "check_token_positions": (
        Edge("an empty `token_ids` (the answer is `[]`)"),
        Edge("a `target_id` that never occurs (the answer is `[]`)"),
        Edge("a sequence made only of `target_id`"),
    ),
    "check_close_far_similarity": (
        Edge("matrices from 3 × 3 up"),
        Edge("`threshold = 1`, and `threshold = n - 2`, whose only far pairs are `(0, n - 1)` and `(n - 1, 0)`"),
        Edge("You will not be asked for a mean over no pairs at all"),
    ),
}


def assert_array_close(got, expected, *, what: str, rtol: float = 1e-5, atol: float = 1e-5) -> None:
    """`got` is an array (or nested list) of `expected`'s shape with the same values within tolerance."""
    __tracebackhide__ = True
    try:
        array = np.array(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{what}: expected a NumPy array of numbers, got {type(got).__name__}") from None
    assert_tensor_close(torch.from_numpy(array), torch.from_numpy(np.array(expected, dtype=np.float64)),
                        what=what, rtol=rtol, atol=atol)


# ------------------------------------------------------------------------------- sinusoidal

def formula(num_positions: int, dim: int) -> np.ndarray:
    """PE[pos, 2i] = sin(pos / 10000^(2i/dim)), PE[pos, 2i+1] = cos(same), one entry at a time."""
    table = np.zeros((num_positions, dim))
    for pos in range(num_positions):
        for i in range(dim // 2):
            angle = pos / 10000 ** (2 * i / dim)
            table[pos, 2 * i] = math.sin(angle)
            table[pos, 2 * i + 1] = math.cos(angle)
    return table


@judged
def check_sinusoidal_position_embeddings(sinusoidal_position_embeddings) -> None:
    """Part 1: the interleaved sin/cos table (no positions: an empty table or a ValueError)."""
    __tracebackhide__ = True

    @grading(60)
    @given(num_positions=st.integers(0, 40), dim=st.integers(1, 12).map(lambda h: 2 * h))
    def matches_formula(num_positions, dim):
        what = f"sinusoidal_position_embeddings({num_positions}, {dim})"
        if num_positions == 0:  # the notebook accepts an empty table or a ValueError
            either_or_error(lambda: sinusoidal_position_embeddings(0, dim),
                            lambda got: assert_array_close(got, np.zeros((0, dim)), what=f"{what} (an empty table)"))
            return
        got = sinusoidal_position_embeddings(num_positions, dim)
        for expected in (formula(num_positions, dim), reference.sinusoidal_position_embeddings(num_positions, dim)):
            assert_array_close(got, expected, what=what, rtol=1e-5, atol=1e-5)

    run_property("sinusoidal_position_embeddings vs the formula", matches_formula)


# ------------------------------------------------------------------------------- cosine

class Rows(NamedTuple):
    """A matrix (n, d): small integers, each row multiplied by its scale."""

    values: tuple[tuple[int, ...], ...]
    scales: tuple[float, ...]

    def array(self) -> np.ndarray:
        return np.array(self.values, dtype=np.float64).reshape(len(self.values), -1) * np.array(self.scales)[:, None]


@st.composite
def row_matrices(draw, max_rows: int = 8, max_dim: int = 6):
    n, d = draw(st.integers(1, max_rows), label="n"), draw(st.integers(1, max_dim), label="d")
    values = draw(st.lists(st.tuples(*[st.integers(-5, 5)] * d), min_size=n, max_size=n).map(tuple))
    scales = draw(st.lists(st.sampled_from([1.0, 0.1, 1e3]), min_size=n, max_size=n).map(tuple))
    return Rows(values, scales)


def _unchanged_input(fn, inputs: dict, *more):
    """fn(*inputs.values(), *more) on copies that live where the student's code runs, which must
    leave them unchanged."""
    there = student_copies(*inputs.values())
    got = fn(*there, *more)
    assert_left_unchanged(there, list(inputs.values()), list(inputs))
    return got


def _cosine(fn, X: np.ndarray):
    return np.asarray(_unchanged_input(fn, {"X": X}), dtype=np.float64)


@judged
def check_cosine_similarity_matrix(cosine_similarity_matrix) -> None:
    """Part 2: all pairwise cosine similarities of the rows, zero rows giving 0."""
    __tracebackhide__ = True

    @grading()
    @given(row_matrices())
    def matches_sklearn(rows):
        X = rows.array()
        got = _cosine(cosine_similarity_matrix, X)
        what = f"cosine_similarity_matrix of X =\n{X}\n"
        for expected in (sklearn_cosine_similarity(X), reference.cosine_similarity_matrix(X)):
            assert_array_close(got, expected, what=what)

    @grading(50)
    @given(st.integers(1, 12), st.integers(1, 20), st.integers(0, 2**16))
    def is_a_similarity_matrix(n, d, seed):
        rng = np.random.default_rng(seed)
        X = (rng.normal(size=(n, d)) + 0.5) * 10.0 ** rng.uniform(-1, 3, size=(n, 1))
        C = _cosine(cosine_similarity_matrix, X)
        if C.shape != (n, n):
            raise AssertionError(f"for X of shape {X.shape} expected a ({n}, {n}) matrix, got shape {C.shape}")
        if not np.isfinite(C).all():
            raise AssertionError(f"for X of shape {X.shape} the similarities are not all finite")
        assert_array_close(C, C.T, what=f"symmetry (C against C.T) for X of shape {X.shape}")
        assert_array_close(np.diag(C), np.ones(n), what=f"diagonal (each row with itself) for X of shape {X.shape}")
        if (np.abs(C) > 1 + 1e-5).any():
            raise AssertionError(f"a cosine similarity is at most 1 in size, got {np.abs(C).max():.6g} for X of shape {X.shape}")
        c = 10.0 ** rng.uniform(-1, 1, size=(n, 1))
        assert_array_close(_cosine(cosine_similarity_matrix, X * c), C,
                           what=f"after scaling each row by a positive number (X of shape {X.shape})")

    run_property("cosine_similarity_matrix vs sklearn", matches_sklearn)
    run_property("cosine_similarity_matrix is a similarity matrix", is_a_similarity_matrix)
    X = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]])
    got = _cosine(cosine_similarity_matrix, X)
    if not (np.isfinite(got).all() and np.all(got[1] == 0) and np.all(got[:, 1] == 0)):
        raise AssertionError(f"a zero row must have similarity 0 with every row, itself included; for X =\n{X}\ngot\n{got}")


# ------------------------------------------------------------------------------- positions

@judged
def check_token_positions(token_positions) -> None:
    """Part 3: the indices where a token occurs, in increasing order."""
    __tracebackhide__ = True

    @grading()
    @given(st.lists(st.integers(0, 4), max_size=30), st.integers(0, 5))
    def matches_reference(token_ids, target_id):
        before = list(token_ids)
        got = _unchanged_input(token_positions, {"token_ids": token_ids}, target_id)
        expected = reference.token_positions(before, target_id)
        try:
            got_list = [int(i) for i in got]
        except TypeError:
            raise AssertionError(f"token_positions must return a list of ints, got {type(got).__name__}") from None
        if got_list != expected:
            raise AssertionError(f"token_positions({before}, {target_id}): expected {expected}, got {got_list}")

    run_property("token_positions", matches_reference)


# ------------------------------------------------------------------------------- close / far

def close_far_oracle(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    close, far = [], []
    for i in range(len(sim)):
        for j in range(len(sim)):
            if i != j:
                (close if abs(i - j) <= threshold else far).append(sim[i, j])
    return sum(close) / len(close), sum(far) / len(far)


class SimilarityProblem(NamedTuple):
    n: int
    threshold: int
    seed: int


def similarity_problems():
    return st.integers(3, 12).flatmap(lambda n: st.builds(
        SimilarityProblem, st.just(n), st.integers(1, n - 2), st.integers(0, 2**16)))


def similarity(problem: SimilarityProblem) -> np.ndarray:
    """A symmetric (n, n) similarity matrix with unit diagonal: cosines of random rows."""
    rng = np.random.default_rng(problem.seed)
    return sklearn_cosine_similarity(rng.normal(size=(problem.n, 4)))


@judged
def check_close_far_similarity(close_far_similarity) -> None:
    """Part 4: mean similarity over 0 < |i-j| <= threshold and over |i-j| > threshold."""
    __tracebackhide__ = True

    @grading()
    @given(similarity_problems())
    def matches_reference(problem):
        sim = similarity(problem)
        got = _unchanged_input(close_far_similarity, {"sim": sim}, problem.threshold)
        try:
            close, far = (float(x) for x in got)
        except (TypeError, ValueError):
            raise AssertionError(f"close_far_similarity must return a pair of floats, got {got!r}") from None
        what = f"(close_mean, far_mean) for n={problem.n}, threshold={problem.threshold}"
        for expected in (close_far_oracle(sim, problem.threshold), reference.close_far_similarity(sim, problem.threshold)):
            assert_array_close([close, far], expected, what=what, rtol=1e-7, atol=1e-9)

    run_property("close_far_similarity", matches_reference)


# ------------------------------------------------------------------------------- input checks

def _sim5() -> np.ndarray:
    return similarity(SimilarityProblem(5, 1, 0))


#: the invalid calls Task 5 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`sinusoidal_position_embeddings(10, 5)`: an odd `dim` raises `ValueError`",
               lambda f: f["sinusoidal_position_embeddings"](10, 5)),
    InputCheck("`sinusoidal_position_embeddings(10, 0)`: a `dim` that is not positive raises `ValueError`",
               lambda f: f["sinusoidal_position_embeddings"](10, 0)),
    InputCheck("`sinusoidal_position_embeddings(-1, 4)`: a negative `num_positions` raises `ValueError`",
               lambda f: f["sinusoidal_position_embeddings"](-1, 4)),
    InputCheck("`close_far_similarity(sim, -1)`: a negative `threshold` raises `ValueError`",
               lambda f: f["close_far_similarity"](_sim5(), -1)),
    InputCheck("`close_far_similarity(sim, 1)` with `sim` of shape `(3, 5)`, which is not square, raises `ValueError`",
               lambda f: f["close_far_similarity"](_sim5()[:3], 1)),
)


@judged
def check_input_checks(sinusoidal_position_embeddings, close_far_similarity) -> None:
    """Part 5: the ValueErrors of Tasks 1 and 4, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, sinusoidal_position_embeddings=sinusoidal_position_embeddings,
                     close_far_similarity=close_far_similarity)
