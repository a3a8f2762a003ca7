"""7_3_evaluation_quantitative_KL_divergence: implementations written from the release notebook alone (independently
written; the author saw neither source/, solutions/ nor graders/). The correct ones differ in how KL is summed
(vectorised masked NumPy, an explicit loop with math.fsum, log p - log q with np.where, cross-entropy minus entropy),
in how JS is formed (its own mixture terms, p log(2p / (p + q)) in a loop, reusing kl_divergence, H(M) - mean entropy),
in the counting (np.bincount, a Python loop, np.add.at, np.unique) and in the next-token KL (float64 log-softmax,
a float32 manual logsumexp with a loop over positions, F.kl_div in float32, torch.distributions.Categorical)."""

ASSIGNMENT = "7_3_evaluation_quantitative_KL_divergence"

# ====================================================================================================================
# correct 1: vectorised NumPy with masks; float64 log-softmax in torch
# ====================================================================================================================

_A_VALIDATE = '''
def _validate(p, q) -> tuple[np.ndarray, np.ndarray]:
    """p and q as float64 arrays; ValueError unless both are distributions over the same outcomes."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.ndim != 1 or q.ndim != 1:
        raise ValueError(f"p and q must be 1-D, got shapes {p.shape} and {q.shape}")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    if p.size == 0:
        raise ValueError("p and q must not be empty")
    for name, a in (("p", p), ("q", q)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} has non-finite entries")
        if np.any(a < 0):
            raise ValueError(f"{name} has negative entries")
        if abs(a.sum() - 1.0) > 1e-6:
            raise ValueError(f"{name} sums to {a.sum()}, not 1")
    return p, q
'''

_A_KL_FN = '''
def kl_divergence(p, q) -> float:
    """KL(P || Q) = sum_i p_i log(p_i / q_i) in nats; 0 log 0 = 0; inf where p_i > 0 = q_i."""
    p, q = _validate(p, q)
    support = p > 0
    if np.any(support & (q == 0)):
        return math.inf
    ps, qs = p[support], q[support]
    return max(0.0, float(np.sum(ps * np.log(ps / qs))))
'''

_A_KL = _A_VALIDATE + "\n" + _A_KL_FN

_A_JS = '''
def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = _validate(p, q)
    m = 0.5 * (p + q)

    def kl_to_m(a):
        s = a > 0
        return float(np.sum(a[s] * np.log(a[s] / m[s])))

    value = 0.5 * kl_to_m(p) + 0.5 * kl_to_m(q)
    return min(max(value, 0.0), math.log(2))
'''

_A_TOK = '''
def token_distribution(sequences, vocab_size: int, smoothing: float = 0.0) -> np.ndarray:
    """(count_i + smoothing) / (N + smoothing * vocab_size) for every token id i < vocab_size."""
    if vocab_size < 1:
        raise ValueError(f"vocab_size must be at least 1, got {vocab_size}")
    if smoothing < 0:
        raise ValueError(f"smoothing must be non-negative, got {smoothing}")
    ids = np.asarray([int(t) for seq in sequences for t in seq], dtype=np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"token ids must lie in [0, {vocab_size})")
    if ids.size == 0 and smoothing == 0:
        raise ValueError("nothing to count: no tokens and no smoothing")
    counts = np.bincount(ids, minlength=vocab_size).astype(np.float64)
    return (counts + smoothing) / (ids.size + smoothing * vocab_size)
'''

_A_NTK = '''
def next_token_kl(model_p, model_q, token_ids) -> float:
    """Mean over positions t of KL(P(. | x_<=t) || Q(. | x_<=t)), in nats."""
    ids = torch.as_tensor(token_ids, dtype=torch.long).reshape(-1)
    if ids.numel() == 0:
        raise ValueError("token_ids must not be empty")
    with torch.no_grad():
        lp = F.log_softmax(model_p(input_ids=ids.to(model_p.device)[None]).logits[0].double(), dim=-1).cpu()
        lq = F.log_softmax(model_q(input_ids=ids.to(model_q.device)[None]).logits[0].double(), dim=-1).cpu()
    if lp.shape[-1] != lq.shape[-1]:
        raise ValueError(f"the models' vocabularies differ: {lp.shape[-1]} and {lq.shape[-1]} logits")
    per_position = (lp.exp() * (lp - lq)).sum(dim=-1)
    return float(per_position.mean())
'''

# ====================================================================================================================
# correct 2: explicit Python loops with math.fsum; float32 manual logsumexp, a loop over positions
# ====================================================================================================================

_B_KL = '''
def _validate(p, q) -> tuple[np.ndarray, np.ndarray]:
    """p and q as float64 arrays; ValueError unless both are distributions over the same outcomes."""
    arrays = []
    for name, a in (("p", p), ("q", q)):
        a = np.array(a, dtype=np.float64)
        if a.ndim != 1:
            raise ValueError(f"{name} must be a 1-D array, got shape {a.shape}")
        if len(a) == 0:
            raise ValueError(f"{name} is empty")
        for x in a:
            if not math.isfinite(x) or x < 0:
                raise ValueError(f"{name} has an entry {x}: probabilities must be finite and non-negative")
        total = math.fsum(a)
        if not abs(total - 1.0) <= 1e-6:
            raise ValueError(f"{name} sums to {total}, not to 1")
        arrays.append(a)
    if len(arrays[0]) != len(arrays[1]):
        raise ValueError(f"p has {len(arrays[0])} entries, q has {len(arrays[1])}")
    return arrays[0], arrays[1]


def kl_divergence(p, q) -> float:
    """KL(P || Q) = sum_i p_i log(p_i / q_i) in nats; 0 log 0 = 0; inf where p_i > 0 = q_i."""
    p, q = _validate(p, q)
    terms = []
    for pi, qi in zip(p.tolist(), q.tolist()):
        if pi == 0.0:
            continue
        if qi == 0.0:
            return math.inf
        terms.append(pi * math.log(pi / qi))
    return max(0.0, math.fsum(terms))
'''

_B_JS = '''
def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = _validate(p, q)
    terms = []
    for pi, qi in zip(p.tolist(), q.tolist()):
        both = pi + qi                       # p_i / m_i = 2 p_i / (p_i + q_i)
        if pi > 0:
            terms.append(0.5 * pi * math.log(2.0 * pi / both))
        if qi > 0:
            terms.append(0.5 * qi * math.log(2.0 * qi / both))
    return min(max(math.fsum(terms), 0.0), math.log(2.0))
'''

_B_TOK = '''
def token_distribution(sequences, vocab_size: int, smoothing: float = 0.0) -> np.ndarray:
    """(count_i + smoothing) / (N + smoothing * vocab_size) for every token id i < vocab_size."""
    if not vocab_size >= 1:
        raise ValueError(f"vocab_size must be >= 1, got {vocab_size}")
    if not smoothing >= 0:
        raise ValueError(f"smoothing must be >= 0, got {smoothing}")
    vocab_size = int(vocab_size)
    counts = [0] * vocab_size
    n = 0
    for seq in sequences:
        for token in seq:
            token = int(token)
            if token < 0 or token >= vocab_size:
                raise ValueError(f"token id {token} is outside [0, {vocab_size})")
            counts[token] += 1
            n += 1
    if n == 0 and smoothing == 0:
        raise ValueError("there is nothing to count (no tokens and no smoothing)")
    denominator = n + smoothing * vocab_size
    return np.array([(c + smoothing) / denominator for c in counts], dtype=np.float64)
'''

_B_NTK = '''
def next_token_kl(model_p, model_q, token_ids) -> float:
    """Mean over positions t of KL(P(. | x_<=t) || Q(. | x_<=t)), in nats."""
    if isinstance(token_ids, torch.Tensor):
        ids = [int(t) for t in token_ids.detach().cpu().reshape(-1).tolist()]
    else:
        ids = [int(t) for t in token_ids]
    if len(ids) == 0:
        raise ValueError("token_ids is empty")

    def log_probs(model):
        device = next(model.parameters()).device
        logits = model(torch.tensor([ids], dtype=torch.long, device=device)).logits[0].float().cpu()
        shifted = logits - logits.max(dim=-1, keepdim=True).values
        return shifted - shifted.exp().sum(dim=-1, keepdim=True).log()

    with torch.no_grad():
        lp, lq = log_probs(model_p), log_probs(model_q)
        if lp.shape[-1] != lq.shape[-1]:
            raise ValueError(f"vocabulary sizes differ: {lp.shape[-1]} vs {lq.shape[-1]}")
        per_position = []
        for t in range(lp.shape[0]):
            per_position.append(float(torch.dot(lp[t].exp(), lp[t] - lq[t])))
    return math.fsum(per_position) / len(per_position)
'''

# ====================================================================================================================
# correct 3: renormalising validation, log p - log q under np.where, JS reusing kl_divergence, np.add.at, F.kl_div
# ====================================================================================================================

_C_KL = '''
def _validate(p, q) -> tuple[np.ndarray, np.ndarray]:
    """p and q as float64 arrays; ValueError unless both are distributions over the same outcomes."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"shapes differ: {p.shape} vs {q.shape}")
    if p.ndim != 1:
        raise ValueError(f"expected 1-D arrays, got {p.ndim} dimensions")
    if p.size == 0:
        raise ValueError("empty distributions")
    if (p < 0).any() or (q < 0).any():
        raise ValueError("probabilities must be non-negative")
    if not np.isclose(p.sum(), 1.0, rtol=0.0, atol=1e-6):
        raise ValueError(f"p sums to {p.sum()}")
    if not np.isclose(q.sum(), 1.0, rtol=0.0, atol=1e-6):
        raise ValueError(f"q sums to {q.sum()}")
    return p / p.sum(), q / q.sum()


def kl_divergence(p, q) -> float:
    """KL(P || Q) = sum_i p_i log(p_i / q_i) in nats; 0 log 0 = 0; inf where p_i > 0 = q_i."""
    p, q = _validate(p, q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0)
    return float(np.maximum(terms.sum(), 0.0))
'''

_C_JS = '''
def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = _validate(p, q)
    m = (p + q) / 2
    return float(min(0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m), math.log(2)))
'''

_C_TOK = '''
def token_distribution(sequences, vocab_size: int, smoothing: float = 0.0) -> np.ndarray:
    """(count_i + smoothing) / (N + smoothing * vocab_size) for every token id i < vocab_size."""
    if vocab_size < 1:
        raise ValueError("vocab_size must be positive")
    if smoothing < 0:
        raise ValueError("smoothing must not be negative")
    parts = [np.asarray(seq, dtype=np.int64).reshape(-1) for seq in sequences]
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    if ((ids < 0) | (ids >= vocab_size)).any():
        raise ValueError("a token id lies outside the vocabulary")
    if ids.size == 0 and smoothing == 0:
        raise ValueError("no tokens to count and no smoothing")
    probs = np.zeros(vocab_size, dtype=np.float64)
    np.add.at(probs, ids, 1.0)
    probs += smoothing
    return probs / probs.sum()
'''

_C_NTK = '''
def next_token_kl(model_p, model_q, token_ids) -> float:
    """Mean over positions t of KL(P(. | x_<=t) || Q(. | x_<=t)), in nats."""
    if isinstance(token_ids, torch.Tensor):
        ids = token_ids.detach().long().flatten().cpu()
    else:
        ids = torch.tensor(list(token_ids), dtype=torch.long)
    if ids.numel() == 0:
        raise ValueError("no tokens")
    with torch.no_grad():
        logits_p = model_p(input_ids=ids.unsqueeze(0).to(model_p.device)).logits[0]
        logits_q = model_q(input_ids=ids.unsqueeze(0).to(model_q.device)).logits[0]
        if logits_p.shape[-1] != logits_q.shape[-1]:
            raise ValueError("the two models have different vocabularies")
        lp = F.log_softmax(logits_p.float(), dim=-1).cpu()
        lq = F.log_softmax(logits_q.float(), dim=-1).cpu()
        total = F.kl_div(lq, lp, log_target=True, reduction="sum")    # KL(target || input) = KL(P || Q)
    return total.item() / ids.numel()
'''

# ====================================================================================================================
# correct 4: KL = cross-entropy - entropy, JS = H(M) - (H(P) + H(Q)) / 2, np.unique counts, torch.distributions
# ====================================================================================================================

_D_KL = '''
def _validate(p, q) -> tuple[np.ndarray, np.ndarray]:
    """p and q as float64 arrays; ValueError unless both are distributions over the same outcomes."""
    p = np.array(p, dtype=np.float64, copy=True)
    q = np.array(q, dtype=np.float64, copy=True)
    if p.shape != q.shape or p.ndim != 1:
        raise ValueError(f"p and q must be 1-D arrays of the same length, got {p.shape} and {q.shape}")
    if len(p) == 0:
        raise ValueError("p and q are empty")
    if np.isnan(p).any() or np.isnan(q).any() or min(p.min(), q.min()) < 0:
        raise ValueError("entries must be non-negative numbers")
    bad = [name for name, a in (("p", p), ("q", q)) if not abs(float(a.sum()) - 1.0) <= 1e-6]
    if bad:
        raise ValueError(f"{', '.join(bad)} must sum to 1 (within 1e-6)")
    return p, q


def kl_divergence(p, q) -> float:
    """KL(P || Q) = sum_i p_i log(p_i / q_i) in nats; 0 log 0 = 0; inf where p_i > 0 = q_i."""
    p, q = _validate(p, q)
    nz = np.flatnonzero(p)
    if (q[nz] == 0).any():
        return math.inf
    cross_entropy = -float(np.dot(p[nz], np.log(q[nz])))
    entropy = -float(np.dot(p[nz], np.log(p[nz])))
    return max(cross_entropy - entropy, 0.0)
'''

_D_JS = '''
def _entropy(a: np.ndarray) -> float:
    nz = a[a > 0]
    return -float(np.dot(nz, np.log(nz)))


def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = _validate(p, q)
    value = _entropy((p + q) / 2) - (_entropy(p) + _entropy(q)) / 2
    return float(np.clip(value, 0.0, math.log(2)))
'''

_D_TOK = '''
import itertools


def token_distribution(sequences, vocab_size: int, smoothing: float = 0.0) -> np.ndarray:
    """(count_i + smoothing) / (N + smoothing * vocab_size) for every token id i < vocab_size."""
    if vocab_size < 1 or smoothing < 0:
        raise ValueError(f"need vocab_size >= 1 and smoothing >= 0, got {vocab_size} and {smoothing}")
    ids = np.fromiter(itertools.chain.from_iterable(sequences), dtype=np.int64)
    values, counts = np.unique(ids, return_counts=True)
    if values.size and (values[0] < 0 or values[-1] >= vocab_size):
        raise ValueError(f"token ids must be in range(0, {vocab_size}); found {values[0]}..{values[-1]}")
    total = ids.size + smoothing * vocab_size
    if total == 0:
        raise ValueError("nothing to count")
    dist = np.full(vocab_size, float(smoothing), dtype=np.float64)
    dist[values] += counts
    return dist / total
'''

_D_NTK = '''
def next_token_kl(model_p, model_q, token_ids) -> float:
    """Mean over positions t of KL(P(. | x_<=t) || Q(. | x_<=t)), in nats."""
    ids = token_ids.tolist() if isinstance(token_ids, torch.Tensor) else list(token_ids)
    if len(ids) == 0:
        raise ValueError("token_ids must hold at least one token")
    with torch.no_grad():
        outs = []
        for model in (model_p, model_q):
            batch = torch.tensor([ids], dtype=torch.long, device=model.device)
            outs.append(F.log_softmax(model(batch).logits[0].to("cpu", torch.float64), dim=-1))
        lp, lq = outs
        if lp.size(-1) != lq.size(-1):
            raise ValueError(f"{lp.size(-1)} logits vs {lq.size(-1)} logits")
        per_position = torch.distributions.kl.kl_divergence(torch.distributions.Categorical(logits=lp),
                                                            torch.distributions.Categorical(logits=lq))
    return per_position.mean().item()
'''


def _cells(kl, js, tok, ntk):
    return {"kl_divergence": kl, "js_divergence": js, "token_distribution": tok, "next_token_kl": ntk}


def _base(**changes):
    """Correct 1 with some cells replaced (each wrong variant changes one thing)."""
    cells = _cells(_A_KL, _A_JS, _A_TOK, _A_NTK)
    cells.update(changes)
    return cells


# ====================================================================================================================
# wrong: Task 1 (kl_divergence)
# ====================================================================================================================

_KL_LOG2 = _A_VALIDATE + '''
def kl_divergence(p, q) -> float:
    """KL(P || Q) = sum_i p_i log(p_i / q_i) in nats; 0 log 0 = 0; inf where p_i > 0 = q_i."""
    p, q = _validate(p, q)
    support = p > 0
    if np.any(support & (q == 0)):
        return math.inf
    ps, qs = p[support], q[support]
    return max(0.0, float(np.sum(ps * np.log2(ps / qs))))
'''

_KL_REVERSED = _A_VALIDATE + '''
def kl_divergence(p, q) -> float:
    """KL(P || Q) = sum_i p_i log(p_i / q_i) in nats; 0 log 0 = 0; inf where p_i > 0 = q_i."""
    p, q = _validate(p, q)
    support = q > 0
    if np.any(support & (p == 0)):
        return math.inf
    ps, qs = p[support], q[support]
    return max(0.0, float(np.sum(qs * np.log(qs / ps))))
'''

_KL_NAN_AT_ZERO_P = _A_VALIDATE + '''
def kl_divergence(p, q) -> float:
    """KL(P || Q) = sum_i p_i log(p_i / q_i) in nats; 0 log 0 = 0; inf where p_i > 0 = q_i."""
    p, q = _validate(p, q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(p * np.log(p / q)))
'''

_KL_SKIPS_Q_ZERO = _A_VALIDATE + '''
def kl_divergence(p, q) -> float:
    """KL(P || Q) = sum_i p_i log(p_i / q_i) in nats; 0 log 0 = 0; inf where p_i > 0 = q_i."""
    p, q = _validate(p, q)
    support = (p > 0) & (q > 0)
    ps, qs = p[support], q[support]
    return max(0.0, float(np.sum(ps * np.log(ps / qs))))
'''

_KL_EPSILON = _A_VALIDATE + '''
def kl_divergence(p, q) -> float:
    """KL(P || Q) = sum_i p_i log(p_i / q_i) in nats; 0 log 0 = 0; inf where p_i > 0 = q_i."""
    p, q = _validate(p, q)
    support = p > 0
    ps, qs = p[support], q[support] + 1e-10
    return max(0.0, float(np.sum(ps * np.log(ps / qs))))
'''

# ====================================================================================================================
# wrong: Task 2 (js_divergence)
# ====================================================================================================================

_JS_SYMMETRISED_KL = '''
def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = _validate(p, q)
    return 0.5 * kl_divergence(p, q) + 0.5 * kl_divergence(q, p)
'''

_JS_BITS = '''
def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = _validate(p, q)
    m = 0.5 * (p + q)

    def kl_to_m(a):
        s = a > 0
        return float(np.sum(a[s] * np.log2(a[s] / m[s])))

    return max(0.5 * kl_to_m(p) + 0.5 * kl_to_m(q), 0.0)
'''

_JS_SQRT = '''
def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = _validate(p, q)
    m = 0.5 * (p + q)

    def kl_to_m(a):
        s = a > 0
        return float(np.sum(a[s] * np.log(a[s] / m[s])))

    return math.sqrt(max(0.5 * kl_to_m(p) + 0.5 * kl_to_m(q), 0.0))
'''

_JS_NO_HALF = '''
def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = _validate(p, q)
    m = 0.5 * (p + q)

    def kl_to_m(a):
        s = a > 0
        return float(np.sum(a[s] * np.log(a[s] / m[s])))

    return max(kl_to_m(p) + kl_to_m(q), 0.0)
'''

_JS_ONE_SIDED = '''
def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = _validate(p, q)
    return kl_divergence(p, 0.5 * (p + q))
'''

# ====================================================================================================================
# wrong: Task 3 (token_distribution)
# ====================================================================================================================

_TOK_HEAD = '''
def token_distribution(sequences, vocab_size: int, smoothing: float = 0.0) -> np.ndarray:
    """(count_i + smoothing) / (N + smoothing * vocab_size) for every token id i < vocab_size."""
    if vocab_size < 1:
        raise ValueError(f"vocab_size must be at least 1, got {vocab_size}")
    if smoothing < 0:
        raise ValueError(f"smoothing must be non-negative, got {smoothing}")
    ids = np.asarray([int(t) for seq in sequences for t in seq], dtype=np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"token ids must lie in [0, {vocab_size})")
    if ids.size == 0 and smoothing == 0:
        raise ValueError("nothing to count: no tokens and no smoothing")
'''

_TOK_DENOM_NO_V = _TOK_HEAD + '''
    counts = np.bincount(ids, minlength=vocab_size).astype(np.float64)
    return (counts + smoothing) / (ids.size + smoothing)
'''

_TOK_DENOM_UNSMOOTHED = _TOK_HEAD + '''
    counts = np.bincount(ids, minlength=vocab_size).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (counts + smoothing) / ids.size
'''

_TOK_MEAN_OF_SEQUENCES = _TOK_HEAD + '''
    per_sequence = [np.bincount(np.asarray(seq, dtype=np.int64), minlength=vocab_size).astype(np.float64) + smoothing
                    for seq in sequences]
    per_sequence = [c / c.sum() for c in per_sequence if c.sum() > 0]
    if not per_sequence:
        return np.full(vocab_size, 1.0 / vocab_size)
    return np.mean(per_sequence, axis=0)
'''

_TOK_NO_MINLENGTH = _TOK_HEAD + '''
    counts = np.bincount(ids).astype(np.float64) if ids.size else np.zeros(vocab_size)
    return (counts + smoothing) / (ids.size + smoothing * vocab_size)
'''

_TOK_EMPTY_SMOOTHED_RAISES = '''
def token_distribution(sequences, vocab_size: int, smoothing: float = 0.0) -> np.ndarray:
    """(count_i + smoothing) / (N + smoothing * vocab_size) for every token id i < vocab_size."""
    if vocab_size < 1:
        raise ValueError(f"vocab_size must be at least 1, got {vocab_size}")
    if smoothing < 0:
        raise ValueError(f"smoothing must be non-negative, got {smoothing}")
    ids = np.asarray([int(t) for seq in sequences for t in seq], dtype=np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"token ids must lie in [0, {vocab_size})")
    if ids.size == 0:
        raise ValueError("nothing to count: no tokens")
    counts = np.bincount(ids, minlength=vocab_size).astype(np.float64)
    return (counts + smoothing) / (ids.size + smoothing * vocab_size)
'''

_TOK_FLOAT32 = _TOK_HEAD + '''
    counts = np.bincount(ids, minlength=vocab_size).astype(np.float32)
    return (counts + np.float32(smoothing)) / np.float32(ids.size + smoothing * vocab_size)
'''

# ====================================================================================================================
# wrong: Task 4 (next_token_kl)
# ====================================================================================================================

_NTK_HEAD = '''
def next_token_kl(model_p, model_q, token_ids) -> float:
    """Mean over positions t of KL(P(. | x_<=t) || Q(. | x_<=t)), in nats."""
    ids = torch.as_tensor(token_ids, dtype=torch.long).reshape(-1)
    if ids.numel() == 0:
        raise ValueError("token_ids must not be empty")
    with torch.no_grad():
        logits_p = model_p(input_ids=ids.to(model_p.device)[None]).logits[0].double().cpu()
        logits_q = model_q(input_ids=ids.to(model_q.device)[None]).logits[0].double().cpu()
    if logits_p.shape[-1] != logits_q.shape[-1]:
        raise ValueError(f"the models' vocabularies differ: {logits_p.shape[-1]} and {logits_q.shape[-1]} logits")
'''

_NTK_REVERSED = _NTK_HEAD + '''
    lp, lq = F.log_softmax(logits_p, dim=-1), F.log_softmax(logits_q, dim=-1)
    return float((lq.exp() * (lq - lp)).sum(dim=-1).mean())
'''

_NTK_DROPS_LAST = _NTK_HEAD + '''
    lp, lq = F.log_softmax(logits_p[:-1], dim=-1), F.log_softmax(logits_q[:-1], dim=-1)
    return float((lp.exp() * (lp - lq)).sum(dim=-1).mean())
'''

_NTK_SUM_OVER_POSITIONS = _NTK_HEAD + '''
    lp, lq = F.log_softmax(logits_p, dim=-1), F.log_softmax(logits_q, dim=-1)
    return float((lp.exp() * (lp - lq)).sum())
'''

_NTK_KL_DIV_NO_LOG_TARGET = _NTK_HEAD + '''
    lp, lq = F.log_softmax(logits_p, dim=-1), F.log_softmax(logits_q, dim=-1)
    return float(F.kl_div(lq, lp, reduction="sum")) / lp.shape[0]
'''

_NTK_BATCHMEAN_OVER_VOCAB = _NTK_HEAD + '''
    lp, lq = F.log_softmax(logits_p, dim=-1), F.log_softmax(logits_q, dim=-1)
    return float(F.kl_div(lq, lp, log_target=True, reduction="mean"))
'''

_NTK_SOFTMAX_OVER_POSITIONS = _NTK_HEAD + '''
    lp, lq = F.log_softmax(logits_p, dim=0), F.log_softmax(logits_q, dim=0)
    return float((lp.exp() * (lp - lq)).sum(dim=-1).mean())
'''

_NTK_RETURNS_TENSOR = _NTK_HEAD + '''
    lp, lq = F.log_softmax(logits_p, dim=-1), F.log_softmax(logits_q, dim=-1)
    return (lp.exp() * (lp - lq)).sum(dim=-1).mean()
'''

_NTK_LIST_ONLY = '''
def next_token_kl(model_p, model_q, token_ids) -> float:
    """Mean over positions t of KL(P(. | x_<=t) || Q(. | x_<=t)), in nats."""
    if len(token_ids) == 0:
        raise ValueError("token_ids must not be empty")
    with torch.no_grad():
        logits_p = model_p(input_ids=torch.tensor([token_ids], device=model_p.device)).logits[0].double().cpu()
        logits_q = model_q(input_ids=torch.tensor([token_ids], device=model_q.device)).logits[0].double().cpu()
    if logits_p.shape[-1] != logits_q.shape[-1]:
        raise ValueError(f"the models' vocabularies differ: {logits_p.shape[-1]} and {logits_q.shape[-1]} logits")
    lp, lq = F.log_softmax(logits_p, dim=-1), F.log_softmax(logits_q, dim=-1)
    return float((lp.exp() * (lp - lq)).sum(dim=-1).mean())
'''

# ====================================================================================================================
# wrong: Task 5 (input checks)
# ====================================================================================================================

def _replace(code: str, old: str, new: str) -> str:
    """code with old replaced by new; AssertionError when old does not occur (so each bug really is in)."""
    assert old in code, old
    return code.replace(old, new)


_NO_NEGATIVE_CHECK = _replace(_A_VALIDATE, '''        if np.any(a < 0):
            raise ValueError(f"{name} has negative entries")
''', "") + "\n" + _A_KL_FN

_P_SUM_UNCHECKED = _replace(_A_VALIDATE, '''        if abs(a.sum() - 1.0) > 1e-6:''', '''        if name == "q" and abs(a.sum() - 1.0) > 1e-6:''') + "\n" + _A_KL_FN

_B_NO_LENGTH_CHECK = _replace(_B_KL, '''    if len(arrays[0]) != len(arrays[1]):
        raise ValueError(f"p has {len(arrays[0])} entries, q has {len(arrays[1])}")
''', "")

_Q_UNCHECKED = _replace(_A_VALIDATE, '''    for name, a in (("p", p), ("q", q)):''', '''    for name, a in (("p", p),):''') + "\n" + _A_KL_FN

_JS_UNVALIDATED = '''
def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q) / 2, in nats."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    m = 0.5 * (p + q)

    def kl_to_m(a):
        s = a > 0
        return float(np.sum(a[s] * np.log(a[s] / m[s])))

    value = 0.5 * kl_to_m(p) + 0.5 * kl_to_m(q)
    return min(max(value, 0.0), math.log(2))
'''

_TOK_UPPER_BOUND_OFF_BY_ONE = _replace(_A_TOK, "ids.max() >= vocab_size", "ids.max() > vocab_size")

_TOK_NEGATIVE_IDS_WRAP = '''
def token_distribution(sequences, vocab_size: int, smoothing: float = 0.0) -> np.ndarray:
    """(count_i + smoothing) / (N + smoothing * vocab_size) for every token id i < vocab_size."""
    if vocab_size < 1:
        raise ValueError(f"vocab_size must be at least 1, got {vocab_size}")
    if smoothing < 0:
        raise ValueError(f"smoothing must be non-negative, got {smoothing}")
    ids = np.asarray([int(t) for seq in sequences for t in seq], dtype=np.int64)
    if ids.size and ids.max() >= vocab_size:
        raise ValueError(f"token ids must be below {vocab_size}")
    if ids.size == 0 and smoothing == 0:
        raise ValueError("nothing to count: no tokens and no smoothing")
    counts = np.zeros(vocab_size, dtype=np.float64)
    np.add.at(counts, ids, 1.0)
    return (counts + smoothing) / (ids.size + smoothing * vocab_size)
'''

_TOK_NOTHING_TO_COUNT_ALLOWED = _replace(_replace(_A_TOK, '''    if ids.size == 0 and smoothing == 0:
        raise ValueError("nothing to count: no tokens and no smoothing")
''', ""), "    return (counts", "    with np.errstate(invalid=\"ignore\"):\n        return (counts")

_TOK_NEGATIVE_SMOOTHING_ALLOWED = _replace(_A_TOK, '''    if smoothing < 0:
        raise ValueError(f"smoothing must be non-negative, got {smoothing}")
''', "")

_NTK_NO_VOCAB_CHECK = _replace(_A_NTK, '''    if lp.shape[-1] != lq.shape[-1]:
        raise ValueError(f"the models' vocabularies differ: {lp.shape[-1]} and {lq.shape[-1]} logits")
''', "")

_NTK_NO_EMPTY_CHECK = _replace(_A_NTK, '''    if ids.numel() == 0:
        raise ValueError("token_ids must not be empty")
''', "")

#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    "numpy_masks_logsoftmax_f64": _cells(_A_KL, _A_JS, _A_TOK, _A_NTK),
    "python_loops_fsum_logsumexp_f32": _cells(_B_KL, _B_JS, _B_TOK, _B_NTK),
    "renormalised_logdiff_kl_div_f32": _cells(_C_KL, _C_JS, _C_TOK, _C_NTK),
    "entropies_unique_categorical": _cells(_D_KL, _D_JS, _D_TOK, _D_NTK),
}

#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    # Task 1
    "kl_log2": {
        "cells": _base(kl_divergence=_KL_LOG2),
        "loses": ["test_kl_divergence"],
        "bug": "KL in bits (np.log2) although the task fixes nats",
    },
    "kl_reversed": {
        "cells": _base(kl_divergence=_KL_REVERSED),
        "loses": ["test_kl_divergence"],
        "bug": "computes KL(Q || P): the second argument weighs the logs",
    },
    "kl_nan_when_p_zero": {
        "cells": _base(kl_divergence=_KL_NAN_AT_ZERO_P),
        "loses": ["test_kl_divergence"],
        "bug": "naive sum p * log(p / q): a term with p_i = 0 gives nan instead of 0",
    },
    "kl_skips_q_zero": {
        "cells": _base(kl_divergence=_KL_SKIPS_Q_ZERO),
        "loses": ["test_kl_divergence"],
        "bug": "drops the terms with q_i = 0 instead of returning inf when p_i > 0 there",
    },
    "kl_epsilon_in_q": {
        "cells": _base(kl_divergence=_KL_EPSILON),
        "loses": ["test_kl_divergence"],
        "bug": "adds 1e-10 to q to dodge log(0): a finite number where the result must be math.inf",
    },
    # Task 2
    "js_symmetrised_kl": {
        "cells": _base(js_divergence=_JS_SYMMETRISED_KL),
        "loses": ["test_js_divergence"],
        "bug": "JS as (KL(P||Q) + KL(Q||P)) / 2 (Jeffreys), not against the mixture M",
    },
    "js_bits": {
        "cells": _base(js_divergence=_JS_BITS),
        "loses": ["test_js_divergence"],
        "bug": "JS in bits (log2, at most 1) instead of nats",
    },
    "js_sqrt_distance": {
        "cells": _base(js_divergence=_JS_SQRT),
        "loses": ["test_js_divergence"],
        "bug": "returns the square root (SciPy's jensenshannon distance) instead of the divergence",
    },
    "js_no_half": {
        "cells": _base(js_divergence=_JS_NO_HALF),
        "loses": ["test_js_divergence"],
        "bug": "KL(P||M) + KL(Q||M) without the factors 1/2 (maximum 2 ln 2)",
    },
    "js_one_sided": {
        "cells": _base(js_divergence=_JS_ONE_SIDED),
        "loses": ["test_js_divergence"],
        "bug": "returns KL(P || M) only: not symmetric",
    },
    # Task 3
    "smoothing_denominator_missing_vocab": {
        "cells": _base(token_distribution=_TOK_DENOM_NO_V),
        "loses": ["test_token_distribution"],
        "bug": "divides by N + alpha instead of N + alpha * V: the smoothed distribution does not sum to 1",
    },
    "smoothing_unnormalised": {
        "cells": _base(token_distribution=_TOK_DENOM_UNSMOOTHED),
        "loses": ["test_token_distribution"],
        "bug": "divides (c_i + alpha) by N only: the denominator does not grow with the pseudo-counts",
    },
    "mean_of_sequence_distributions": {
        "cells": _base(token_distribution=_TOK_MEAN_OF_SEQUENCES),
        "loses": ["test_token_distribution"],
        "bug": "averages per-sequence distributions instead of pooling the counts of all sequences",
    },
    "bincount_without_minlength": {
        "cells": _base(token_distribution=_TOK_NO_MINLENGTH),
        "loses": ["test_token_distribution"],
        "bug": "np.bincount without minlength: the result is only max id + 1 long, not vocab_size",
    },
    "smoothed_empty_corpus_raises": {
        "cells": _base(token_distribution=_TOK_EMPTY_SMOOTHED_RAISES),
        "loses": ["test_token_distribution"],
        "bug": "raises whenever there are no tokens, even with positive smoothing (must be uniform)",
    },
    "distribution_float32": {
        "cells": _base(token_distribution=_TOK_FLOAT32),
        "loses": ["test_token_distribution"],
        "bug": "returns a float32 array (the task asks for float64; sums are off by ~1e-7)",
    },
    # Task 4
    "next_token_kl_reversed": {
        "cells": _base(next_token_kl=_NTK_REVERSED),
        "loses": ["test_next_token_kl"],
        "bug": "computes KL(Q || P) at every position",
    },
    "next_token_kl_drops_last_position": {
        "cells": _base(next_token_kl=_NTK_DROPS_LAST),
        "loses": ["test_next_token_kl"],
        "bug": "drops the prediction after the last token (logits[:-1]), as for a loss with targets",
    },
    "next_token_kl_sums_positions": {
        "cells": _base(next_token_kl=_NTK_SUM_OVER_POSITIONS),
        "loses": ["test_next_token_kl"],
        "bug": "sums the per-position KLs instead of averaging them",
    },
    "next_token_kl_kl_div_without_log_target": {
        "cells": _base(next_token_kl=_NTK_KL_DIV_NO_LOG_TARGET),
        "loses": ["test_next_token_kl"],
        "bug": "F.kl_div(log_q, log_p) without log_target=True: log-probabilities taken as probabilities",
    },
    "next_token_kl_mean_over_vocab": {
        "cells": _base(next_token_kl=_NTK_BATCHMEAN_OVER_VOCAB),
        "loses": ["test_next_token_kl"],
        "bug": "F.kl_div(..., reduction='mean') averages over positions and vocabulary entries",
    },
    "next_token_kl_softmax_over_positions": {
        "cells": _base(next_token_kl=_NTK_SOFTMAX_OVER_POSITIONS),
        "loses": ["test_next_token_kl"],
        "bug": "log_softmax over dim 0 (positions) instead of the vocabulary axis",
    },
    "next_token_kl_returns_tensor": {
        "cells": _base(next_token_kl=_NTK_RETURNS_TENSOR),
        "loses": ["test_next_token_kl"],
        "bug": "returns a 0-d tensor instead of a Python float",
    },
    "next_token_kl_list_only": {
        "cells": _base(next_token_kl=_NTK_LIST_ONLY),
        "loses": ["test_next_token_kl"],
        "bug": "torch.tensor([token_ids]) works for a list only: a 1-D tensor of token ids fails",
    },
    # Task 5
    "no_negative_entry_check": {
        "cells": _base(kl_divergence=_NO_NEGATIVE_CHECK),
        "loses": ["input-checks"],
        "bug": "_validate does not reject negative entries ([1.25, -0.25] sums to 1)",
    },
    "p_sum_unchecked": {
        "cells": _base(kl_divergence=_P_SUM_UNCHECKED),
        "loses": ["input-checks"],
        "bug": "_validate checks that q sums to 1 but not p",
    },
    "no_length_check_zip_truncates": {
        "cells": _cells(_B_NO_LENGTH_CHECK, _B_JS, _B_TOK, _B_NTK),
        "loses": ["input-checks"],
        "bug": "(the loop implementation) no length check: zip() silently truncates p and q of different lengths",
    },
    "q_unchecked": {
        "cells": _base(kl_divergence=_Q_UNCHECKED),
        "loses": ["input-checks"],
        "bug": "_validate checks only p (finite, non-negative, sums to 1): a q summing to 1.2 is accepted",
    },
    "js_unvalidated": {
        "cells": _base(js_divergence=_JS_UNVALIDATED),
        "loses": ["input-checks"],
        "bug": "js_divergence never calls _validate: bad inputs give a number or a non-ValueError error",
    },
    "token_id_equal_to_vocab_accepted": {
        "cells": _base(token_distribution=_TOK_UPPER_BOUND_OFF_BY_ONE),
        "loses": ["input-checks"],
        "bug": "the id check is `> vocab_size`, so id == vocab_size is counted (a longer array)",
    },
    "negative_token_id_wraps": {
        "cells": _base(token_distribution=_TOK_NEGATIVE_IDS_WRAP),
        "loses": ["input-checks"],
        "bug": "negative ids are not rejected; np.add.at counts id -1 as the last token",
    },
    "nothing_to_count_returns_nan": {
        "cells": _base(token_distribution=_TOK_NOTHING_TO_COUNT_ALLOWED),
        "loses": ["input-checks"],
        "bug": "no tokens and no smoothing is not rejected: returns 0/0 = nan",
    },
    "negative_smoothing_accepted": {
        "cells": _base(token_distribution=_TOK_NEGATIVE_SMOOTHING_ALLOWED),
        "loses": ["input-checks"],
        "bug": "a negative smoothing is not rejected",
    },
    "next_token_kl_no_vocab_check": {
        "cells": _base(next_token_kl=_NTK_NO_VOCAB_CHECK),
        "loses": ["input-checks"],
        "bug": "models with different vocabularies are not rejected (torch RuntimeError, not ValueError)",
    },
    "next_token_kl_no_empty_check": {
        "cells": _base(next_token_kl=_NTK_NO_EMPTY_CHECK),
        "loses": ["input-checks"],
        "bug": "empty token_ids are not rejected with ValueError (the model call fails or the mean is nan)",
    },
}
