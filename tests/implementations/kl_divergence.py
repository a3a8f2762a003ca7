"""Implementations of 7_3's four functions, as students might write them.

Each entry of CORRECT and WRONG is a tuple (kl_divergence, js_divergence, token_distribution,
next_token_kl). A wrong entry breaks one function and takes correct ones for the others; WRONG
names the check that must catch it and the checks that must still pass.
"""

import math

import numpy as np
import torch

from solutions import kl_divergence as reference


def _check(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    if p.shape != q.shape or p.size == 0 or (p < 0).any() or (q < 0).any():
        raise ValueError("p and q must be non-negative arrays of the same non-zero length")
    if not (np.isclose(p.sum(), 1, atol=1e-8) and np.isclose(q.sum(), 1, atol=1e-8)):
        raise ValueError("p and q must sum to 1")
    return p, q


# ------------------------------------------------------------------ correct, written differently

def kl_xlogy(p, q):
    """torch's xlogy in float64: xlogy(p, p) - xlogy(p, q), inf where q = 0 < p."""
    p, q = _check(p, q)
    tp, tq = torch.from_numpy(p), torch.from_numpy(q)
    if ((tp > 0) & (tq == 0)).any():
        return float("inf")
    return (torch.xlogy(tp, tp) - torch.xlogy(tp, tq)).sum().item()


def js_via_entropies(p, q):
    """JS = H(M) - (H(P) + H(Q)) / 2 with H the Shannon entropy in nats."""
    p, q = _check(p, q)

    def h(d):
        d = d[d > 0]
        return -float(np.sum(d * np.log(d)))

    return h((p + q) / 2) - (h(p) + h(q)) / 2


def token_distribution_loop(sequences, vocab_size, smoothing=0.0):
    if vocab_size <= 0 or smoothing < 0:
        raise ValueError("vocab_size must be positive and smoothing non-negative")
    counts = [smoothing] * vocab_size
    n = 0
    for seq in sequences:
        for t in seq:
            if not 0 <= t < vocab_size:
                raise ValueError(f"token id {t} out of range")
            counts[t] += 1
            n += 1
    total = n + smoothing * vocab_size
    if total <= 0:
        raise ValueError("nothing to count")
    return np.array(counts) / total


@torch.no_grad()
def next_token_kl_kl_div(model_p, model_q, token_ids):
    """torch's kl_div in float32, the target being P (log_target)."""
    ids = torch.tensor(list(token_ids)) if not torch.is_tensor(token_ids) else token_ids
    if len(ids) == 0:
        raise ValueError("empty token_ids")
    lp = model_p(ids[None]).logits.float().log_softmax(-1)
    lq = model_q(ids[None]).logits.float().log_softmax(-1)
    if lp.shape != lq.shape:
        raise ValueError("the two models have vocabularies of different sizes")
    return torch.nn.functional.kl_div(lq, lp, log_target=True, reduction="sum").item() / len(ids)


REFERENCE = (reference.kl_divergence, reference.js_divergence, reference.token_distribution, reference.next_token_kl)
CORRECT = {
    "reference": REFERENCE,
    "written_differently": (kl_xlogy, js_via_entropies, token_distribution_loop, next_token_kl_kl_div),
}

# ---------------------------------------------------------------------------------- wrong


def _kl(log=np.log, swap=False, naive=False, validate=True):
    def kl(p, q):
        if validate:
            p, q = _check(p, q)
        else:
            p, q = np.asarray(p, float), np.asarray(q, float)
        if swap:
            p, q = q, p
        if naive:
            with np.errstate(divide="ignore", invalid="ignore"):
                return float(np.sum(p * log(p / q)))
        s = p > 0
        if (q[s] == 0).any():
            return math.inf
        return float(np.sum(p[s] * log(p[s] / q[s])))
    return kl


def _kl_scipy(p, q):
    import scipy.stats
    p, q = _check(p, q)
    return float(scipy.stats.entropy(p, q))


def _js_scipy(p, q):
    from scipy.spatial.distance import jensenshannon
    p, q = _check(p, q)
    return float(jensenshannon(p, q) ** 2)


def _js_with(kl):
    def js(p, q):
        p, q = _check(p, q)
        m = (p + q) / 2
        return 0.5 * kl(p, m) + 0.5 * kl(q, m)
    return js


def _js_one_sided(p, q):
    p, q = _check(p, q)
    return reference.kl_divergence(p, (p + q) / 2)


def _smoothing_not_in_total(sequences, vocab_size, smoothing=0.0):
    counts = np.bincount(np.concatenate([np.asarray(s, int) for s in sequences] + [np.zeros(0, int)]),
                         minlength=vocab_size)
    if counts.size > vocab_size or vocab_size <= 0 or smoothing < 0 or counts.sum() + smoothing == 0:
        raise ValueError("bad input")
    return (counts + smoothing) / counts.sum()


def _smoothing_renormalised_wrong(sequences, vocab_size, smoothing=0.0):
    if smoothing < 0:
        raise ValueError("negative smoothing")
    d = reference.token_distribution(sequences, vocab_size, 0.0) if any(len(s) for s in sequences) else None
    if d is None:
        return reference.token_distribution(sequences, vocab_size, smoothing)
    return (d + smoothing) / (1 + smoothing)  # adds smoothing to each probability, then normalises by the wrong sum


def _counts_without_checks(sequences, vocab_size, smoothing=0.0):
    """Right wherever the distribution is defined; bad ids, sizes or smoothing go through (or fail in NumPy)."""
    ids = np.concatenate([np.asarray(s, dtype=int) for s in sequences] + [np.zeros(0, dtype=int)])
    counts = np.zeros(max(vocab_size, 0)) + smoothing
    np.add.at(counts, ids[(ids >= 0) & (ids < vocab_size)], 1)
    with np.errstate(invalid="ignore", divide="ignore"):  # nothing to count: nan, not a ValueError
        return counts / counts.sum()


@torch.no_grad()
def _ntk(swap=False, drop_last=False, base=math.e, check_vocabulary=True):
    def ntk(model_p, model_q, token_ids):
        ids = torch.as_tensor(list(token_ids) if not torch.is_tensor(token_ids) else token_ids)
        if len(ids) == 0:
            raise ValueError("empty")
        a, b = (model_q, model_p) if swap else (model_p, model_q)
        lp = a(ids[None]).logits[0].double().log_softmax(-1)
        lq = b(ids[None]).logits[0].double().log_softmax(-1)
        if check_vocabulary and lp.shape != lq.shape:
            raise ValueError("vocabularies differ")
        kl = (lp.exp() * (lp - lq)).sum(-1) / math.log(base)
        return (kl[:-1] if drop_last and len(kl) > 1 else kl).mean().item()
    return ntk


def _with(**parts):
    names = ("kl_divergence", "js_divergence", "token_distribution", "next_token_kl")
    return tuple(parts.get(n, r) for n, r in zip(names, REFERENCE))


KL, JS, TD, NTK, INPUTS = ("check_kl_divergence", "check_js_divergence", "check_token_distribution",
                           "check_next_token_kl", "check_input_checks")
ALL = (KL, JS, TD, NTK, INPUTS)


def _others(part):
    return tuple(p for p in ALL if p != part)


# name -> (implementations, the check that must fail, the checks that must still pass)
WRONG = {
    # the list
    "kl_arguments_swapped": (_with(kl_divergence=_kl(swap=True)), KL, _others(KL)),
    "kl_in_bits": (_with(kl_divergence=_kl(log=np.log2)), KL, _others(KL)),
    "smoothing_breaks_normalisation": (_with(token_distribution=_smoothing_not_in_total), TD, _others(TD)),
    # more
    "smoothing_added_to_probabilities": (_with(token_distribution=_smoothing_renormalised_wrong), TD, _others(TD)),
    "kl_nan_for_zeros": (_with(kl_divergence=_kl(naive=True)), KL, _others(KL)),
    # right computations, missing raises: only the input-checks part is lost
    "kl_not_validated": (_with(kl_divergence=_kl(validate=False)), INPUTS, _others(INPUTS)),
    "token_distribution_not_validated": (_with(token_distribution=_counts_without_checks), INPUTS, _others(INPUTS)),
    "next_token_kl_no_vocabulary_check": (_with(next_token_kl=_ntk(check_vocabulary=False)), INPUTS,
                                          _others(INPUTS)),
    "kl_calls_scipy": (_with(kl_divergence=_kl_scipy), KL, _others(KL)),
    "js_calls_scipy": (_with(js_divergence=_js_scipy), JS, _others(JS)),
    "js_in_bits": (_with(js_divergence=_js_with(_kl(log=np.log2))), JS, _others(JS)),
    "js_one_sided": (_with(js_divergence=_js_one_sided), JS, _others(JS)),
    "next_token_kl_swapped": (_with(next_token_kl=_ntk(swap=True)), NTK, _others(NTK)),
    "next_token_kl_skips_last_position": (_with(next_token_kl=_ntk(drop_last=True)), NTK, _others(NTK)),
    "next_token_kl_in_bits": (_with(next_token_kl=_ntk(base=2)), NTK, _others(NTK)),
}
