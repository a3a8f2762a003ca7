"""2_1_embedding_explore_position_embedding: implementations written from the release notebook alone (independently written; the
author saw neither source/, solutions/ nor graders/). The correct ones differ in NumPy broadcasting vs Python loops vs
stack/reshape (one returns float32, one raises for num_positions = 0), row normalising vs loops vs an einsum Gram matrix,
comprehension vs list.index vs flatnonzero, and distance masks vs loops vs summing diagonals."""

ASSIGNMENT = '2_1_embedding_explore_position_embedding'

_SIN_BROADCAST = r'''def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if dim <= 0 or dim % 2 != 0:
        raise ValueError(f"dim must be a positive even number, got {dim}")
    if num_positions < 0:
        raise ValueError(f"num_positions must not be negative, got {num_positions}")
    positions = np.arange(num_positions, dtype=np.float64)[:, None]          # (P, 1)
    frequencies = 1.0 / 10000 ** (np.arange(0, dim, 2, dtype=np.float64) / dim)   # (dim/2,)
    angles = positions * frequencies                                          # (P, dim/2)
    table = np.empty((num_positions, dim), dtype=np.float64)
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles)
    return table
'''

_SIN_LOOPS = r'''import math


def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    if dim % 2 == 1:
        raise ValueError(f"dim must be even so that sin and cos come in pairs, got {dim}")
    if num_positions < 0:
        raise ValueError(f"num_positions cannot be negative, got {num_positions}")
    table = np.zeros((num_positions, dim))
    for pos in range(num_positions):
        for i in range(dim // 2):
            angle = pos / math.pow(10000.0, 2 * i / dim)
            table[pos, 2 * i] = math.sin(angle)
            table[pos, 2 * i + 1] = math.cos(angle)
    return table
'''

_SIN_STACK32 = r'''def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if dim < 1 or dim % 2:
        raise ValueError(f"expected a positive even dim, got {dim}")
    if num_positions < 1:
        raise ValueError(f"expected at least one position, got num_positions={num_positions}")
    pair_index = np.arange(dim // 2)
    inverse_wavelength = np.exp(-np.log(10000.0) * (2 * pair_index) / dim)
    angles = np.outer(np.arange(num_positions), inverse_wavelength)
    # (P, dim/2, 2) -> (P, dim): each sin sits right before the cos of the same frequency
    table = np.stack([np.sin(angles), np.cos(angles)], axis=-1).reshape(num_positions, dim)
    return table.astype(np.float32)
'''

_COS_NORMALISE = r'''def cosine_similarity_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) matrix of the cosine similarities between the rows of X (n, d); zero rows give 0."""
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    unit = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
    return unit @ unit.T
'''

_COS_LOOPS = r'''def cosine_similarity_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) matrix of the cosine similarities between the rows of X (n, d); zero rows give 0."""
    rows = [np.asarray(row, dtype=float) for row in X]
    n = len(rows)
    lengths = [float(np.sqrt(np.dot(r, r))) for r in rows]
    S = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            if lengths[i] == 0.0 or lengths[j] == 0.0:
                continue
            value = float(np.dot(rows[i], rows[j])) / (lengths[i] * lengths[j])
            value = min(1.0, max(-1.0, value))
            S[i, j] = S[j, i] = value
    return S
'''

_COS_GRAM = r'''def cosine_similarity_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) matrix of the cosine similarities between the rows of X (n, d); zero rows give 0."""
    gram = np.einsum("id,jd->ij", X, X).astype(np.float64)       # all dot products
    lengths = np.sqrt(np.clip(np.diag(gram), 0.0, None))
    denominator = np.outer(lengths, lengths)
    sim = np.zeros_like(gram)
    nonzero = denominator > 0
    sim[nonzero] = gram[nonzero] / denominator[nonzero]
    sim = (sim + sim.T) / 2                                        # exactly symmetric
    np.fill_diagonal(sim, (lengths > 0).astype(np.float64))        # exactly 1 for non-zero rows
    return np.clip(sim, -1.0, 1.0)
'''

_TP_COMPREHENSION = r'''def token_positions(token_ids: list[int], target_id: int) -> list[int]:
    """Indices i, in increasing order, where token_ids[i] == target_id."""
    return [i for i, token in enumerate(token_ids) if token == target_id]
'''

_TP_INDEX = r'''def token_positions(token_ids: list[int], target_id: int) -> list[int]:
    """Indices i, in increasing order, where token_ids[i] == target_id."""
    ids = list(token_ids)
    found = []
    start = 0
    while True:
        try:
            i = ids.index(target_id, start)
        except ValueError:
            return found
        found.append(i)
        start = i + 1
'''

_TP_NUMPY = r'''def token_positions(token_ids: list[int], target_id: int) -> list[int]:
    """Indices i, in increasing order, where token_ids[i] == target_id."""
    ids = np.asarray(token_ids, dtype=np.int64).reshape(-1)
    return [int(i) for i in np.flatnonzero(ids == target_id)]
'''

_CF_MASKS = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    sim = np.asarray(sim)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError(f"sim must be a square 2-D array, got shape {sim.shape}")
    if threshold < 0:
        raise ValueError(f"threshold must not be negative, got {threshold}")
    index = np.arange(sim.shape[0])
    distance = np.abs(index[:, None] - index[None, :])
    close = (distance > 0) & (distance <= threshold)
    far = distance > threshold
    return float(sim[close].mean()), float(sim[far].mean())
'''

_CF_LOOPS = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    shape = np.shape(sim)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"expected a square matrix, got shape {shape}")
    if threshold < 0:
        raise ValueError("threshold cannot be negative")
    n = shape[0]
    close_sum = far_sum = 0.0
    close_count = far_count = 0
    for i in range(n):
        for j in range(n):
            d = abs(i - j)
            if d == 0:
                continue
            if d <= threshold:
                close_sum += float(sim[i][j])
                close_count += 1
            else:
                far_sum += float(sim[i][j])
                far_count += 1
    close_mean = close_sum / close_count if close_count else float("nan")
    far_mean = far_sum / far_count if far_count else float("nan")
    return close_mean, far_mean
'''

_CF_DIAGONALS = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    S = np.asarray(sim, dtype=np.float64)
    if S.ndim != 2:
        raise ValueError(f"sim must be 2-D, got {S.ndim} dimensions")
    n, m = S.shape
    if n != m:
        raise ValueError(f"sim must be square, got {n} x {m}")
    if threshold < 0:
        raise ValueError(f"threshold {threshold} is negative")
    sums = {"close": 0.0, "far": 0.0}
    counts = {"close": 0, "far": 0}
    for k in range(1, n):                  # the k-th diagonals above and below hold the pairs at distance k
        group = "close" if k <= threshold else "far"
        sums[group] += np.diagonal(S, k).sum() + np.diagonal(S, -k).sum()
        counts[group] += 2 * (n - k)
    return sums["close"] / counts["close"], sums["far"] / counts["far"]
'''

_W_SIN_CONCAT = r'''def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if dim <= 0 or dim % 2 != 0:
        raise ValueError(f"dim must be a positive even number, got {dim}")
    if num_positions < 0:
        raise ValueError(f"num_positions must not be negative, got {num_positions}")
    positions = np.arange(num_positions, dtype=np.float64)[:, None]          # (P, 1)
    frequencies = 1.0 / 10000 ** (np.arange(0, dim, 2, dtype=np.float64) / dim)   # (dim/2,)
    angles = positions * frequencies                                          # (P, dim/2)
    table = np.empty((num_positions, dim), dtype=np.float64)
    table[:, :dim // 2] = np.sin(angles)
    table[:, dim // 2:] = np.cos(angles)
    return table
'''

_W_SIN_EXPONENT = r'''import math


def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    if dim % 2 == 1:
        raise ValueError(f"dim must be even so that sin and cos come in pairs, got {dim}")
    if num_positions < 0:
        raise ValueError(f"num_positions cannot be negative, got {num_positions}")
    table = np.zeros((num_positions, dim))
    for pos in range(num_positions):
        for i in range(dim // 2):
            angle = pos / math.pow(10000.0, i / dim)
            table[pos, 2 * i] = math.sin(angle)
            table[pos, 2 * i + 1] = math.cos(angle)
    return table
'''

_W_SIN_SWAP = r'''def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if dim <= 0 or dim % 2 != 0:
        raise ValueError(f"dim must be a positive even number, got {dim}")
    if num_positions < 0:
        raise ValueError(f"num_positions must not be negative, got {num_positions}")
    positions = np.arange(num_positions, dtype=np.float64)[:, None]          # (P, 1)
    frequencies = 1.0 / 10000 ** (np.arange(0, dim, 2, dtype=np.float64) / dim)   # (dim/2,)
    angles = positions * frequencies                                          # (P, dim/2)
    table = np.empty((num_positions, dim), dtype=np.float64)
    table[:, 0::2] = np.cos(angles)
    table[:, 1::2] = np.sin(angles)
    return table
'''

_W_SIN_FROM_ONE = r'''def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if dim < 1 or dim % 2:
        raise ValueError(f"expected a positive even dim, got {dim}")
    if num_positions < 1:
        raise ValueError(f"expected at least one position, got num_positions={num_positions}")
    pair_index = np.arange(dim // 2)
    inverse_wavelength = np.exp(-np.log(10000.0) * (2 * pair_index) / dim)
    angles = np.outer(np.arange(1, num_positions + 1), inverse_wavelength)
    # (P, dim/2, 2) -> (P, dim): each sin sits right before the cos of the same frequency
    table = np.stack([np.sin(angles), np.cos(angles)], axis=-1).reshape(num_positions, dim)
    return table.astype(np.float32)
'''

_W_SIN_COLUMN_EXP = r'''def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if dim <= 0 or dim % 2 != 0:
        raise ValueError(f"dim must be a positive even number, got {dim}")
    if num_positions < 0:
        raise ValueError(f"num_positions must not be negative, got {num_positions}")
    positions = np.arange(num_positions, dtype=np.float64)[:, None]          # (P, 1)
    frequencies = 1.0 / 10000 ** (2 * np.arange(0, dim, 2, dtype=np.float64) / dim)   # (dim/2,)
    angles = positions * frequencies                                          # (P, dim/2)
    table = np.empty((num_positions, dim), dtype=np.float64)
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles)
    return table
'''

_W_COS_NAN = r'''def cosine_similarity_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) matrix of the cosine similarities between the rows of X (n, d); zero rows give 0."""
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = X / norms
    return unit @ unit.T
'''

_W_COS_DOT = r'''def cosine_similarity_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) matrix of the cosine similarities between the rows of X (n, d); zero rows give 0."""
    rows = [np.asarray(row, dtype=float) for row in X]
    n = len(rows)
    lengths = [float(np.sqrt(np.dot(r, r))) for r in rows]
    S = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            if lengths[i] == 0.0 or lengths[j] == 0.0:
                continue
            value = float(np.dot(rows[i], rows[j]))
            S[i, j] = S[j, i] = value
    return S
'''

_W_COS_AXIS0 = r'''def cosine_similarity_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) matrix of the cosine similarities between the rows of X (n, d); zero rows give 0."""
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=0, keepdims=True)
    unit = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
    return unit @ unit.T
'''

_W_COS_DIAG1 = r'''def cosine_similarity_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) matrix of the cosine similarities between the rows of X (n, d); zero rows give 0."""
    gram = np.einsum("id,jd->ij", X, X).astype(np.float64)       # all dot products
    lengths = np.sqrt(np.clip(np.diag(gram), 0.0, None))
    denominator = np.outer(lengths, lengths)
    sim = np.zeros_like(gram)
    nonzero = denominator > 0
    sim[nonzero] = gram[nonzero] / denominator[nonzero]
    sim = (sim + sim.T) / 2                                        # exactly symmetric
    np.fill_diagonal(sim, 1.0)        # exactly 1 for non-zero rows
    return np.clip(sim, -1.0, 1.0)
'''

_W_COS_ABS = r'''def cosine_similarity_matrix(X: np.ndarray) -> np.ndarray:
    """(n, n) matrix of the cosine similarities between the rows of X (n, d); zero rows give 0."""
    gram = np.einsum("id,jd->ij", X, X).astype(np.float64)       # all dot products
    lengths = np.sqrt(np.clip(np.diag(gram), 0.0, None))
    denominator = np.outer(lengths, lengths)
    sim = np.zeros_like(gram)
    nonzero = denominator > 0
    sim[nonzero] = gram[nonzero] / denominator[nonzero]
    sim = (sim + sim.T) / 2                                        # exactly symmetric
    np.fill_diagonal(sim, (lengths > 0).astype(np.float64))        # exactly 1 for non-zero rows
    return np.abs(np.clip(sim, -1.0, 1.0))
'''

_W_TP_ONE = r'''def token_positions(token_ids: list[int], target_id: int) -> list[int]:
    """Indices i, in increasing order, where token_ids[i] == target_id."""
    return [i for i, token in enumerate(token_ids, start=1) if token == target_id]
'''

_W_TP_FIRST = r'''def token_positions(token_ids: list[int], target_id: int) -> list[int]:
    """Indices i, in increasing order, where token_ids[i] == target_id."""
    ids = list(token_ids)
    found = []
    start = 0
    while True:
        try:
            i = ids.index(target_id, start)
        except ValueError:
            return found
        found.append(i)
        return found
'''

_W_TP_RAISE = r'''def token_positions(token_ids: list[int], target_id: int) -> list[int]:
    """Indices i, in increasing order, where token_ids[i] == target_id."""
    first = token_ids.index(target_id)
    return [first] + [i for i in range(first + 1, len(token_ids)) if token_ids[i] == target_id]
'''

_W_TP_DESC = r'''def token_positions(token_ids: list[int], target_id: int) -> list[int]:
    """Indices i, in increasing order, where token_ids[i] == target_id."""
    ids = np.asarray(token_ids, dtype=np.int64).reshape(-1)
    return [int(i) for i in np.flatnonzero(ids == target_id)[::-1]]
'''

_W_CF_STRICT = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    sim = np.asarray(sim)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError(f"sim must be a square 2-D array, got shape {sim.shape}")
    if threshold < 0:
        raise ValueError(f"threshold must not be negative, got {threshold}")
    index = np.arange(sim.shape[0])
    distance = np.abs(index[:, None] - index[None, :])
    close = (distance > 0) & (distance < threshold)
    far = distance > threshold
    return float(sim[close].mean()), float(sim[far].mean())
'''

_W_CF_DIAG = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    shape = np.shape(sim)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"expected a square matrix, got shape {shape}")
    if threshold < 0:
        raise ValueError("threshold cannot be negative")
    n = shape[0]
    close_sum = far_sum = 0.0
    close_count = far_count = 0
    for i in range(n):
        for j in range(n):
            d = abs(i - j)
            if d <= threshold:
                close_sum += float(sim[i][j])
                close_count += 1
            else:
                far_sum += float(sim[i][j])
                far_count += 1
    close_mean = close_sum / close_count if close_count else float("nan")
    far_mean = far_sum / far_count if far_count else float("nan")
    return close_mean, far_mean
'''

_W_CF_ROWMEANS = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    sim = np.asarray(sim)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1]:
        raise ValueError(f"sim must be a square 2-D array, got shape {sim.shape}")
    if threshold < 0:
        raise ValueError(f"threshold must not be negative, got {threshold}")
    n = sim.shape[0]
    close_means, far_means = [], []
    for i in range(n):
        d = np.abs(np.arange(n) - i)
        row_close, row_far = sim[i][(d > 0) & (d <= threshold)], sim[i][d > threshold]
        if row_close.size:
            close_means.append(row_close.mean())
        if row_far.size:
            far_means.append(row_far.mean())
    return float(np.mean(close_means)), float(np.mean(far_means))
'''

_W_CF_FAR_GE = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    S = np.asarray(sim, dtype=np.float64)
    if S.ndim != 2:
        raise ValueError(f"sim must be 2-D, got {S.ndim} dimensions")
    n, m = S.shape
    if n != m:
        raise ValueError(f"sim must be square, got {n} x {m}")
    if threshold < 0:
        raise ValueError(f"threshold {threshold} is negative")
    sums = {"close": 0.0, "far": 0.0}
    counts = {"close": 0, "far": 0}
    for k in range(1, n):                  # the k-th diagonals above and below hold the pairs at distance k
        group = "close" if k < threshold else "far"
        sums[group] += np.diagonal(S, k).sum() + np.diagonal(S, -k).sum()
        counts[group] += 2 * (n - k)
    return sums["close"] / counts["close"], sums["far"] / counts["far"]
'''

_W_IC_ODD = r'''import math


def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    if num_positions < 0:
        raise ValueError(f"num_positions cannot be negative, got {num_positions}")
    table = np.zeros((num_positions, dim))
    for pos in range(num_positions):
        for i in range(dim // 2):
            angle = pos / math.pow(10000.0, 2 * i / dim)
            table[pos, 2 * i] = math.sin(angle)
            table[pos, 2 * i + 1] = math.cos(angle)
    return table
'''

_W_IC_DIM0 = r'''def sinusoidal_position_embeddings(num_positions: int, dim: int) -> np.ndarray:
    """Interleaved sin/cos table: column 2i is sin(pos / 10000^(2i/dim)), column 2i+1 the cos."""
    if dim < 0 or dim % 2 != 0:
        raise ValueError(f"dim must be a positive even number, got {dim}")
    if num_positions < 0:
        raise ValueError(f"num_positions must not be negative, got {num_positions}")
    positions = np.arange(num_positions, dtype=np.float64)[:, None]          # (P, 1)
    frequencies = 1.0 / 10000 ** (np.arange(0, dim, 2, dtype=np.float64) / dim)   # (dim/2,)
    angles = positions * frequencies                                          # (P, dim/2)
    table = np.empty((num_positions, dim), dtype=np.float64)
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles)
    return table
'''

_W_IC_SQUARE = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    sim = np.asarray(sim)
    if threshold < 0:
        raise ValueError(f"threshold must not be negative, got {threshold}")
    index = np.arange(sim.shape[0])
    distance = np.abs(index[:, None] - index[None, :])
    close = (distance > 0) & (distance <= threshold)
    far = distance > threshold
    return float(sim[close].mean()), float(sim[far].mean())
'''

_W_IC_THRESHOLD = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    shape = np.shape(sim)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"expected a square matrix, got shape {shape}")
    n = shape[0]
    close_sum = far_sum = 0.0
    close_count = far_count = 0
    for i in range(n):
        for j in range(n):
            d = abs(i - j)
            if d == 0:
                continue
            if d <= threshold:
                close_sum += float(sim[i][j])
                close_count += 1
            else:
                far_sum += float(sim[i][j])
                far_count += 1
    close_mean = close_sum / close_count if close_count else float("nan")
    far_mean = far_sum / far_count if far_count else float("nan")
    return close_mean, far_mean
'''

_W_IC_TYPEERROR = r'''def close_far_similarity(sim: np.ndarray, threshold: int) -> tuple[float, float]:
    """Mean of sim[i, j] over 0 < |i - j| <= threshold, and over |i - j| > threshold."""
    S = np.asarray(sim, dtype=np.float64)
    if S.ndim != 2:
        raise ValueError(f"sim must be 2-D, got {S.ndim} dimensions")
    n, m = S.shape
    if n != m:
        raise TypeError(f"sim must be square, got {n} x {m}")
    if threshold < 0:
        raise ValueError(f"threshold {threshold} is negative")
    sums = {"close": 0.0, "far": 0.0}
    counts = {"close": 0, "far": 0}
    for k in range(1, n):                  # the k-th diagonals above and below hold the pairs at distance k
        group = "close" if k <= threshold else "far"
        sums[group] += np.diagonal(S, k).sum() + np.diagonal(S, -k).sum()
        counts[group] += 2 * (n - k)
    return sums["close"] / counts["close"], sums["far"] / counts["far"]
'''

#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    'broadcast_masks': {
        'sinusoidal_position_embeddings': _SIN_BROADCAST,
        'cosine_similarity_matrix': _COS_NORMALISE,
        'token_positions': _TP_COMPREHENSION,
        'close_far_similarity': _CF_MASKS,
    },
    'python_loops': {
        'sinusoidal_position_embeddings': _SIN_LOOPS,
        'cosine_similarity_matrix': _COS_LOOPS,
        'token_positions': _TP_INDEX,
        'close_far_similarity': _CF_LOOPS,
    },
    'stack_gram_diagonals': {
        'sinusoidal_position_embeddings': _SIN_STACK32,
        'cosine_similarity_matrix': _COS_GRAM,
        'token_positions': _TP_NUMPY,
        'close_far_similarity': _CF_DIAGONALS,
    },
}

#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    'sin_not_interleaved': {
        "cells": {'sinusoidal_position_embeddings': _W_SIN_CONCAT, 'cosine_similarity_matrix': _COS_NORMALISE, 'token_positions': _TP_COMPREHENSION, 'close_far_similarity': _CF_MASKS},
        "loses": ['test_sinusoidal_position_embeddings'],
        "bug": 'all sines then all cosines instead of interleaved columns',
    },
    'sin_exponent_i_over_d': {
        "cells": {'sinusoidal_position_embeddings': _W_SIN_EXPONENT, 'cosine_similarity_matrix': _COS_LOOPS, 'token_positions': _TP_INDEX, 'close_far_similarity': _CF_LOOPS},
        "loses": ['test_sinusoidal_position_embeddings'],
        "bug": 'the exponent uses i/d instead of 2i/d (frequencies decay too slowly)',
    },
    'sin_cos_swapped': {
        "cells": {'sinusoidal_position_embeddings': _W_SIN_SWAP, 'cosine_similarity_matrix': _COS_NORMALISE, 'token_positions': _TP_COMPREHENSION, 'close_far_similarity': _CF_MASKS},
        "loses": ['test_sinusoidal_position_embeddings'],
        "bug": 'cos in the even columns and sin in the odd ones',
    },
    'sin_positions_from_one': {
        "cells": {'sinusoidal_position_embeddings': _W_SIN_FROM_ONE, 'cosine_similarity_matrix': _COS_GRAM, 'token_positions': _TP_NUMPY, 'close_far_similarity': _CF_DIAGONALS},
        "loses": ['test_sinusoidal_position_embeddings'],
        "bug": 'positions start at 1 instead of 0',
    },
    'sin_column_index_exponent': {
        "cells": {'sinusoidal_position_embeddings': _W_SIN_COLUMN_EXP, 'cosine_similarity_matrix': _COS_NORMALISE, 'token_positions': _TP_COMPREHENSION, 'close_far_similarity': _CF_MASKS},
        "loses": ['test_sinusoidal_position_embeddings'],
        "bug": 'uses the column index 2i where the pair index i belongs, i.e. 10000^(4i/d)',
    },
    'cos_zero_rows_nan': {
        "cells": {'sinusoidal_position_embeddings': _SIN_BROADCAST, 'cosine_similarity_matrix': _W_COS_NAN, 'token_positions': _TP_COMPREHENSION, 'close_far_similarity': _CF_MASKS},
        "loses": ['test_cosine_similarity_matrix'],
        "bug": 'divides by the norm without guarding zero rows: NaN instead of 0',
    },
    'cos_no_normalisation': {
        "cells": {'sinusoidal_position_embeddings': _SIN_LOOPS, 'cosine_similarity_matrix': _W_COS_DOT, 'token_positions': _TP_INDEX, 'close_far_similarity': _CF_LOOPS},
        "loses": ['test_cosine_similarity_matrix'],
        "bug": 'returns the dot products, not divided by the lengths',
    },
    'cos_column_norms': {
        "cells": {'sinusoidal_position_embeddings': _SIN_BROADCAST, 'cosine_similarity_matrix': _W_COS_AXIS0, 'token_positions': _TP_COMPREHENSION, 'close_far_similarity': _CF_MASKS},
        "loses": ['test_cosine_similarity_matrix'],
        "bug": 'normalises the columns (axis=0) instead of the rows',
    },
    'cos_diagonal_forced_one': {
        "cells": {'sinusoidal_position_embeddings': _SIN_STACK32, 'cosine_similarity_matrix': _W_COS_DIAG1, 'token_positions': _TP_NUMPY, 'close_far_similarity': _CF_DIAGONALS},
        "loses": ['test_cosine_similarity_matrix'],
        "bug": 'sets the whole diagonal to 1, zero rows included',
    },
    'cos_absolute_value': {
        "cells": {'sinusoidal_position_embeddings': _SIN_STACK32, 'cosine_similarity_matrix': _W_COS_ABS, 'token_positions': _TP_NUMPY, 'close_far_similarity': _CF_DIAGONALS},
        "loses": ['test_cosine_similarity_matrix'],
        "bug": 'returns |cos|: opposite rows get +1 instead of -1',
    },
    'positions_one_based': {
        "cells": {'sinusoidal_position_embeddings': _SIN_BROADCAST, 'cosine_similarity_matrix': _COS_NORMALISE, 'token_positions': _W_TP_ONE, 'close_far_similarity': _CF_MASKS},
        "loses": ['test_token_positions'],
        "bug": 'indices counted from 1',
    },
    'positions_first_only': {
        "cells": {'sinusoidal_position_embeddings': _SIN_LOOPS, 'cosine_similarity_matrix': _COS_LOOPS, 'token_positions': _W_TP_FIRST, 'close_far_similarity': _CF_LOOPS},
        "loses": ['test_token_positions'],
        "bug": 'returns only the first occurrence',
    },
    'positions_raise_when_missing': {
        "cells": {'sinusoidal_position_embeddings': _SIN_LOOPS, 'cosine_similarity_matrix': _COS_LOOPS, 'token_positions': _W_TP_RAISE, 'close_far_similarity': _CF_LOOPS},
        "loses": ['test_token_positions'],
        "bug": 'uses list.index first, which raises ValueError when the token never occurs',
    },
    'positions_descending': {
        "cells": {'sinusoidal_position_embeddings': _SIN_STACK32, 'cosine_similarity_matrix': _COS_GRAM, 'token_positions': _W_TP_DESC, 'close_far_similarity': _CF_DIAGONALS},
        "loses": ['test_token_positions'],
        "bug": 'indices in decreasing order',
    },
    'close_strict_threshold': {
        "cells": {'sinusoidal_position_embeddings': _SIN_BROADCAST, 'cosine_similarity_matrix': _COS_NORMALISE, 'token_positions': _TP_COMPREHENSION, 'close_far_similarity': _W_CF_STRICT},
        "loses": ['test_close_far_similarity'],
        "bug": 'close uses |i - j| < threshold, so pairs at exactly the threshold are left out of both means',
    },
    'close_includes_diagonal': {
        "cells": {'sinusoidal_position_embeddings': _SIN_LOOPS, 'cosine_similarity_matrix': _COS_LOOPS, 'token_positions': _TP_INDEX, 'close_far_similarity': _W_CF_DIAG},
        "loses": ['test_close_far_similarity'],
        "bug": 'the diagonal (i = j) is counted among the close pairs',
    },
    'close_mean_of_row_means': {
        "cells": {'sinusoidal_position_embeddings': _SIN_BROADCAST, 'cosine_similarity_matrix': _COS_NORMALISE, 'token_positions': _TP_COMPREHENSION, 'close_far_similarity': _W_CF_ROWMEANS},
        "loses": ['test_close_far_similarity'],
        "bug": 'averages the per-row means instead of all pairs (rows near the edges weigh too much)',
    },
    'close_threshold_counts_as_far': {
        "cells": {'sinusoidal_position_embeddings': _SIN_STACK32, 'cosine_similarity_matrix': _COS_GRAM, 'token_positions': _TP_NUMPY, 'close_far_similarity': _W_CF_FAR_GE},
        "loses": ['test_close_far_similarity'],
        "bug": 'pairs at exactly the threshold distance go to the far group',
    },
    'check_odd_dim_missing': {
        "cells": {'sinusoidal_position_embeddings': _W_IC_ODD, 'cosine_similarity_matrix': _COS_LOOPS, 'token_positions': _TP_INDEX, 'close_far_similarity': _CF_LOOPS},
        "loses": ['input-checks'],
        "bug": 'no check for an odd dim (the last column silently stays 0)',
    },
    'check_dim_zero_allowed': {
        "cells": {'sinusoidal_position_embeddings': _W_IC_DIM0, 'cosine_similarity_matrix': _COS_NORMALISE, 'token_positions': _TP_COMPREHENSION, 'close_far_similarity': _CF_MASKS},
        "loses": ['input-checks'],
        "bug": 'dim = 0 passes the check (< 0 instead of <= 0) and returns an empty (n, 0) table',
    },
    'check_square_missing': {
        "cells": {'sinusoidal_position_embeddings': _SIN_BROADCAST, 'cosine_similarity_matrix': _COS_NORMALISE, 'token_positions': _TP_COMPREHENSION, 'close_far_similarity': _W_IC_SQUARE},
        "loses": ['input-checks'],
        "bug": 'no check that sim is square (a (3, 5) matrix fails later with an IndexError)',
    },
    'check_threshold_missing': {
        "cells": {'sinusoidal_position_embeddings': _SIN_LOOPS, 'cosine_similarity_matrix': _COS_LOOPS, 'token_positions': _TP_INDEX, 'close_far_similarity': _W_IC_THRESHOLD},
        "loses": ['input-checks'],
        "bug": 'no check for a negative threshold (returns nan and a mean over every off-diagonal pair)',
    },
    'check_typeerror_not_valueerror': {
        "cells": {'sinusoidal_position_embeddings': _SIN_STACK32, 'cosine_similarity_matrix': _COS_GRAM, 'token_positions': _TP_NUMPY, 'close_far_similarity': _W_IC_TYPEERROR},
        "loses": ['input-checks'],
        "bug": 'a non-square sim raises TypeError instead of ValueError',
    },
}
