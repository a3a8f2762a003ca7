"""solutions/kl_divergence.py against SciPy, torch's kl_div and the definitions."""

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from graders.hellaswag import load
from graders.kl_divergence import corpora, distributions, oracle_next_token_kl, pairs
from solutions.kl_divergence import js_divergence, kl_divergence, next_token_kl, token_distribution


@given(pairs(q_full_support=False))
def test_kl_equals_scipy_entropy(pq):
    p, q = pq
    expected = scipy.stats.entropy(p, q)
    got = kl_divergence(p, q)
    assert got == expected if math.isinf(expected) else got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert got >= 0


@given(pairs(q_full_support=False))
def test_js_equals_scipy_and_is_a_bounded_symmetric_divergence(pq):
    p, q = pq
    got = js_divergence(p, q)
    assert got == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-9, abs=1e-12)
    assert got == js_divergence(q, p) and -1e-15 <= got <= math.log(2) + 1e-12


@given(distributions())
def test_zero_for_equal_distributions(p):
    assert kl_divergence(p, p) == 0 and js_divergence(p, p) == 0


def test_kl_is_asymmetric_and_infinite_outside_the_support():
    assert kl_divergence([0.5, 0.5], [0.9, 0.1]) != pytest.approx(kl_divergence([0.9, 0.1], [0.5, 0.5]))
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf


@pytest.mark.parametrize("p, q", [([0.5, 0.5], [1.0]), ([1.5, -0.5], [0.5, 0.5]), ([0.5, 0.4], [0.5, 0.5]), ([], [])])
def test_bad_distributions_raise_value_error(p, q):
    for fn in (kl_divergence, js_divergence):
        with pytest.raises(ValueError):
            fn(p, q)


@given(corpora())
def test_token_distribution_is_the_smoothed_count(corpus):
    sequences, vocab_size, smoothing = corpus
    d = token_distribution(sequences, vocab_size, smoothing)
    counts = np.zeros(vocab_size)
    for s in sequences:
        for t in s:
            counts[t] += 1
    assert d.dtype == np.float64 and d.sum() == pytest.approx(1.0)
    assert np.allclose(d, (counts + smoothing) / (counts.sum() + smoothing * vocab_size))


@pytest.mark.parametrize("args", [([[5]], 5, 0.0), ([[-1]], 5, 0.0), ([[1]], 5, -1.0), ([[0]], 0, 0.0), ([], 5, 0.0)])
def test_token_distribution_rejects_bad_input(args):
    with pytest.raises(ValueError):
        token_distribution(*args)


@settings(max_examples=8)
@given(st.lists(st.integers(0, 4095), min_size=1, max_size=30))
def test_next_token_kl(ids):
    (a, _), (b, _) = load("tiny-gpt2"), load("tiny-gpt-neo")
    assert abs(next_token_kl(a, a, ids)) < 1e-9
    assert next_token_kl(a, b, ids) == pytest.approx(oracle_next_token_kl(a, b, ids), rel=1e-9)
    with pytest.raises(ValueError):
        next_token_kl(a, b, [])
