"""Implementations of 2_1's four functions, as students might write them.

Each entry of CORRECT is a dict part -> function; WRONG maps a name to (the functions, with the
reference for the others, the check that must catch it, the checks that must still pass).
"""

import math

import numpy as np

from solutions import position_embeddings as reference

REFERENCE = {
    "sinusoidal_position_embeddings": reference.sinusoidal_position_embeddings,
    "cosine_similarity_matrix": reference.cosine_similarity_matrix,
    "token_positions": reference.token_positions,
    "close_far_similarity": reference.close_far_similarity,
}


# ------------------------------------------------------------------ correct, written differently

def sinusoidal_loops_float32(num_positions, dim):
    """Plain loops, exp/log frequencies, a float32 result."""
    if dim % 2 or dim <= 0 or num_positions < 0:
        raise ValueError("dim must be even and positive, num_positions not negative")
    table = np.zeros((num_positions, dim), dtype=np.float32)
    for pos in range(num_positions):
        for k in range(0, dim, 2):
            angle = pos * math.exp(-math.log(10000.0) * k / dim)
            table[pos, k], table[pos, k + 1] = math.sin(angle), math.cos(angle)
    return table


def sinusoidal_stacked(num_positions, dim):
    """Stacks sin and cos on a new last axis, then reshapes: interleaved too."""
    if dim % 2 or dim < 2 or num_positions < 0:
        raise ValueError("bad sizes")
    angles = np.outer(np.arange(num_positions), 1 / np.power(10000, np.arange(dim // 2) * 2 / dim))
    return np.stack([np.sin(angles), np.cos(angles)], axis=-1).reshape(num_positions, dim)


def cosine_with_epsilon(X):
    """Adds a small epsilon to the norms instead of special-casing zero rows; einsum."""
    X = np.asarray(X, dtype=float)
    norms = np.sqrt(np.einsum("ij,ij->i", X, X))
    return np.einsum("id,jd->ij", X, X) / (np.outer(norms, norms) + 1e-12)


def cosine_float32_loops(X):
    """Double loop over the pairs, in float32, returned as a nested list."""
    X = np.asarray(X, dtype=np.float32)
    n = len(X)
    out = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            ni, nj = np.linalg.norm(X[i]), np.linalg.norm(X[j])
            out[i][j] = float(X[i] @ X[j] / (ni * nj)) if ni > 0 and nj > 0 else 0.0
    return np.array(out)


def positions_numpy(token_ids, target_id):
    """np.flatnonzero: returns NumPy ints in a list."""
    return list(np.flatnonzero(np.asarray(token_ids, dtype=int) == target_id)) if token_ids else []


def close_far_upper_triangle(sim, threshold):
    """Only the pairs i < j (the same means for a symmetric matrix), with np.triu_indices."""
    sim = np.asarray(sim)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1] or threshold < 0:
        raise ValueError("sim must be square and threshold not negative")
    i, j = np.triu_indices(len(sim), k=1)
    values, distance = sim[i, j], j - i
    return float(values[distance <= threshold].mean()), float(values[distance > threshold].mean())


def close_far_diagonals(sim, threshold):
    """Walks the diagonals of the matrix, weighting each by its length."""
    if np.ndim(sim) != 2 or len(sim) != len(sim[0]) or threshold < 0:
        raise ValueError("sim must be square and threshold not negative")
    sums = {"close": 0.0, "far": 0.0}
    counts = {"close": 0, "far": 0}
    for d in range(1, len(sim)):
        band = "close" if d <= threshold else "far"
        sums[band] += np.diagonal(sim, d).sum() + np.diagonal(sim, -d).sum()
        counts[band] += 2 * (len(sim) - d)
    return sums["close"] / counts["close"], sums["far"] / counts["far"]


def sinusoidal_rejects_zero_positions(num_positions, dim):
    """The reference, but no positions is a ValueError: the notebook accepts that as well as an empty table."""
    if num_positions == 0:
        raise ValueError("no positions: nothing to embed")
    return reference.sinusoidal_position_embeddings(num_positions, dim)


CORRECT = {
    "reference": REFERENCE,
    "zero_positions_rejected": {**REFERENCE, "sinusoidal_position_embeddings": sinusoidal_rejects_zero_positions},
    "loops_and_epsilon": {
        "sinusoidal_position_embeddings": sinusoidal_loops_float32,
        "cosine_similarity_matrix": cosine_with_epsilon,
        "token_positions": positions_numpy,
        "close_far_similarity": close_far_upper_triangle,
    },
    "stacked_and_float32": {
        **REFERENCE,
        "sinusoidal_position_embeddings": sinusoidal_stacked,
        "cosine_similarity_matrix": cosine_float32_loops,
        "close_far_similarity": close_far_diagonals,
    },
}


# ---------------------------------------------------------------------------------- wrong

def sinusoidal_halves_concatenated(num_positions, dim):
    """All sines first, then all cosines."""
    if dim % 2 or dim <= 0 or num_positions < 0:
        raise ValueError("bad sizes")
    angles = np.arange(num_positions)[:, None] / 10000 ** (np.arange(0, dim, 2) / dim)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def sinusoidal_empty_list_for_zero_positions(num_positions, dim):
    """Right for every size but 0, where it returns a flat empty array, not a table of shape (0, dim)."""
    if num_positions == 0:
        return np.array([])
    return reference.sinusoidal_position_embeddings(num_positions, dim)


def sinusoidal_odd_dim_accepted(num_positions, dim):
    if num_positions < 0:
        raise ValueError("bad sizes")
    angles = np.arange(num_positions)[:, None] / 10000 ** (np.arange(0, dim, 2) / dim)
    table = np.zeros((num_positions, dim + dim % 2))
    table[:, 0::2], table[:, 1::2] = np.sin(angles), np.cos(angles)
    return table[:, :dim]


def cosine_not_normalised(X):
    """The Gram matrix X X^T: dot products, not cosines."""
    X = np.asarray(X, dtype=float)
    return X @ X.T


def cosine_nan_for_zero_rows(X):
    X = np.asarray(X, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    return unit @ unit.T


def cosine_normalises_columns(X):
    X = np.asarray(X, dtype=float)
    norms = np.linalg.norm(X, axis=0, keepdims=True)
    unit = X / np.where(norms == 0, 1, norms)
    return unit @ unit.T


def positions_first_only(token_ids, target_id):
    return [token_ids.index(target_id)] if target_id in token_ids else []


def _close_far(include_diagonal=False, strict=False):
    def close_far_similarity(sim, threshold):
        sim = np.asarray(sim, dtype=float)
        if sim.ndim != 2 or sim.shape[0] != sim.shape[1] or threshold < 0:
            raise ValueError("sim must be square and threshold not negative")
        i, j = np.indices(sim.shape)
        d = np.abs(i - j)
        close = (d < threshold) if strict else (d <= threshold)
        if not include_diagonal:
            close &= d > 0
        far = (d >= threshold) & (d > 0) if strict else d > threshold
        return float(sim[close].mean()), float(sim[far].mean())
    return close_far_similarity


def close_far_no_value_error(sim, threshold):
    i, j = np.indices(np.shape(sim))
    d = np.abs(i - j)
    sim = np.asarray(sim)
    return float(sim[(d > 0) & (d <= threshold)].mean()), float(sim[d > threshold].mean())


def cosine_calls_sklearn(X):
    """Right values, but the task is to write it: scikit-learn's own function."""
    from sklearn.metrics.pairwise import cosine_similarity

    return cosine_similarity(np.asarray(X, dtype=float))


def cosine_calls_scipy(X):
    """Right values (zero rows give 0) through SciPy's cosine distance."""
    from scipy.spatial.distance import cdist

    X = np.asarray(X, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(1 - cdist(X, X, "cosine"))


def cosine_scales_input_in_place(X):
    """Right values, but normalises the caller's array in place."""
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    X /= np.where(norms == 0, 1.0, norms)
    return X @ X.T


def positions_pop_in_place(token_ids, target_id):
    """Right positions, but empties the caller's list while looking."""
    found, i = [], 0
    while token_ids:
        if token_ids.pop(0) == target_id:
            found.append(i)
        i += 1
    return found


def close_far_scipy_distances(sim, threshold):
    """Right means, with the distances |i - j| from SciPy's toeplitz: NumPy only, says the notebook."""
    from scipy.linalg import toeplitz

    sim = np.asarray(sim, dtype=float)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1] or threshold < 0:
        raise ValueError("sim must be square and threshold not negative")
    d = toeplitz(np.arange(len(sim)))
    return float(sim[(d > 0) & (d <= threshold)].mean()), float(sim[d > threshold].mean())


SINUSOIDAL, COSINE, POSITIONS, CLOSE_FAR = (
    "check_sinusoidal_position_embeddings", "check_cosine_similarity_matrix",
    "check_token_positions", "check_close_far_similarity",
)
INPUTS = "check_input_checks"
ALL = (SINUSOIDAL, COSINE, POSITIONS, CLOSE_FAR, INPUTS)


def _wrong(part, fn, name):
    return ({**REFERENCE, part: fn}, name, tuple(c for c in ALL if c != name))


# name -> (functions, the check that must fail, the checks that must still pass)
WRONG = {
    "sin_cos_halves_concatenated": _wrong("sinusoidal_position_embeddings", sinusoidal_halves_concatenated, SINUSOIDAL),
    "zero_positions_flat": _wrong("sinusoidal_position_embeddings", sinusoidal_empty_list_for_zero_positions, SINUSOIDAL),
    # the input checks (Task 5) are a part of their own: a missing ValueError costs that part only
    "odd_dim_accepted": _wrong("sinusoidal_position_embeddings", sinusoidal_odd_dim_accepted, INPUTS),
    "rows_not_normalised": _wrong("cosine_similarity_matrix", cosine_not_normalised, COSINE),
    "nan_for_zero_rows": _wrong("cosine_similarity_matrix", cosine_nan_for_zero_rows, COSINE),
    "columns_normalised": _wrong("cosine_similarity_matrix", cosine_normalises_columns, COSINE),
    "first_position_only": _wrong("token_positions", positions_first_only, POSITIONS),
    "diagonal_in_close_mean": _wrong("close_far_similarity", _close_far(include_diagonal=True), CLOSE_FAR),
    "threshold_off_by_one": _wrong("close_far_similarity", _close_far(strict=True), CLOSE_FAR),
    "negative_threshold_accepted": _wrong("close_far_similarity", close_far_no_value_error, INPUTS),
    "cosine_calls_sklearn": _wrong("cosine_similarity_matrix", cosine_calls_sklearn, COSINE),
    "cosine_calls_scipy": _wrong("cosine_similarity_matrix", cosine_calls_scipy, COSINE),
    "cosine_changes_X_in_place": _wrong("cosine_similarity_matrix", cosine_scales_input_in_place, COSINE),
    "positions_empty_the_list": _wrong("token_positions", positions_pop_in_place, POSITIONS),
    "close_far_calls_scipy": _wrong("close_far_similarity", close_far_scipy_distances, CLOSE_FAR),
}
