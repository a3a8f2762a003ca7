"""Hidden checks of 7_3_evaluation_quantitative_KL_divergence (KL and JS divergence, unigram and
next-token distributions).

Oracles: `scipy.stats.entropy(p, q)` (KL in nats) and `scipy.spatial.distance.jensenshannon(p, q)**2`
(JS in nats), which the student's kl/js may not call (SciPy is forbidden there: graders/forbidden.py);
torch's `F.kl_div` for next-token KL; the reference (solutions.kl_divergence) for token_distribution
and next_token_kl. The student's next_token_kl gets models loaded where its code runs. Distributions are float64 NumPy arrays normalised exactly
(up to rounding), with zeros in p; q is positive wherever p is unless a property says otherwise.

The edge cases each part probes are listed in `EDGES` and stated in the notebook; the invalid
inputs (arrays of different lengths, empty, negative or not summing to 1; bad token ids, sizes or
smoothing; nothing to count; empty `token_ids`; models whose vocabularies differ) are graded apart, in
`check_input_checks` (graders/contract.py), and no computation part tries them.
Hands out: models loaded where the student's code runs from the same fixtures (and, for one input
check, a tiny GPT-2 built there); arrays, lists and tensors by value; nothing of the judge's own.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.spatial.distance
import scipy.stats
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from solutions import kl_divergence as reference

from .hellaswag import load, student_fixtures
from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import grading, one_thread, quiet_libraries, run_property, student_module

entropy, jensenshannon = scipy.stats.entropy, scipy.spatial.distance.jensenshannon


def _number(got, what: str) -> float:
    try:
        value = float(got)
    except Exception:
        raise AssertionError(f"{what}: expected a float, got {type(got).__name__} {got!r}") from None
    if not isinstance(got, (float, int, np.floating, np.integer)) and not (
            isinstance(got, (np.ndarray, torch.Tensor)) and got.ndim == 0):
        raise AssertionError(f"{what}: expected a float, got {type(got).__name__}")
    return value


def _close(got: float, expected: float, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    if math.isinf(expected):
        return got == expected
    return abs(got - expected) <= atol + rtol * abs(expected)


_SINGLE = Edge("distributions of a single outcome (`[1.0]`)")
#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_kl_divergence": (
        _SINGLE,
        Edge("exact zeros in `p` (their terms are 0)"),
        Edge("zeros in `q` where `p` is positive (the result is `math.inf`)"),
    ),
    "check_js_divergence": (
        _SINGLE,
        Edge("zeros in both `p` and `q`, and disjoint supports (the result is ln 2)"),
    ),
    "check_token_distribution": (
        Edge("`vocab_size = 1`"),
        Edge("no sequences, or only empty ones, with a positive `smoothing` (the uniform distribution)"),
        Edge("tokens of the vocabulary that never occur, with `smoothing = 0` (probability 0)"),
        Edge("`smoothing` from 0.1 to 2.5"),
    ),
    "check_next_token_kl": (
        Edge("a single token (one position)"),
        Edge("`token_ids` as a list or as a 1-D tensor"),
        Edge("models of different architectures (GPT-2 and GPT-Neo) that share a vocabulary"),
        Edge("a model compared with itself (the result is 0)"),
    ),
}


# ------------------------------------------------------------------------------------ inputs

@st.composite
def distributions(draw, n: int | None = None, zeros: bool = True):
    """A float64 probability vector of length n (drawn when None), with some exact zeros if `zeros`."""
    n = n if n is not None else draw(st.integers(1, 12), label="n")
    weight = st.one_of(st.just(0.0), st.floats(1e-3, 1.0)) if zeros else st.floats(1e-3, 1.0)
    w = np.array(draw(st.lists(weight, min_size=n, max_size=n)), dtype=np.float64)
    if w.sum() == 0:
        w[draw(st.integers(0, n - 1))] = 1.0
    return w / w.sum()


@st.composite
def pairs(draw, q_full_support: bool = True):
    p = draw(distributions(), label="p")
    q = draw(distributions(len(p), zeros=not q_full_support), label="q")
    return p, q


# ------------------------------------------------------------------------------------ checks

@judged
def check_kl_divergence(kl_divergence) -> None:
    """Part 1: KL(P || Q) in nats vs scipy.stats.entropy; >= 0, zero iff equal, asymmetric; inf."""
    __tracebackhide__ = True

    @grading(200)
    @given(pairs())
    def matches_scipy(pq):
        p, q = pq
        expected = float(entropy(p, q))
        got = _number(kl_divergence(p, q), "kl_divergence(p, q)")
        if not _close(got, expected):
            reverse = float(entropy(q, p))
            hint = ""
            if _close(got, reverse):
                hint = "; you computed KL(Q || P): the first argument is the distribution the outcomes come from"
            elif _close(got, expected / math.log(2)):
                hint = "; that is the value in bits: use the natural logarithm"
            raise AssertionError(f"KL(p || q) for p={p.tolist()}, q={q.tolist()}: expected {expected:.10g} "
                                 f"(scipy.stats.entropy(p, q)), got {got:.10g} (rtol 1e-6){hint}")
        if got < 0:
            raise AssertionError(f"KL(p || q) must be non-negative, got {got} for p={p.tolist()}, q={q.tolist()}")

    @grading(100)
    @given(distributions())
    def zero_iff_equal(p):
        got = _number(kl_divergence(p, p), "kl_divergence(p, p)")
        if abs(got) > 1e-12:
            raise AssertionError(f"KL(p || p) must be 0, got {got} for p={p.tolist()}")
        if len(p) > 1:
            q = np.roll(p, 1)
            if not np.allclose(p, q):
                got = _number(kl_divergence(p, 0.5 * p + 0.5 * q), "kl_divergence")
                if not got > 0:
                    raise AssertionError(f"KL(p || q) must be positive when p != q, got {got} for p={p.tolist()}")

    @grading(50)
    @given(pairs(q_full_support=False))
    def infinite_outside_the_support(pq):
        p, q = pq
        expected = float(entropy(p, q))
        got = _number(kl_divergence(p, q), "kl_divergence(p, q)")
        if not _close(got, expected):
            raise AssertionError(f"KL(p || q) for p={p.tolist()}, q={q.tolist()}: expected {expected:.10g}, got "
                                 f"{got:.10g}; terms with p_i = 0 are 0, and p_i > 0 = q_i makes KL infinite")

    run_property("kl_divergence vs scipy.stats.entropy", matches_scipy)
    run_property("kl_divergence is zero exactly for equal distributions", zero_iff_equal)
    run_property("kl_divergence with zeros in q", infinite_outside_the_support)
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    a, b = _number(kl_divergence(p, q), "KL"), _number(kl_divergence(q, p), "KL")
    if _close(a, b):
        raise AssertionError(f"KL must not be symmetric: KL(fair || biased) = {a}, KL(biased || fair) = {b}")


@judged
def check_js_divergence(js_divergence) -> None:
    """Part 2: JS in nats vs scipy's jensenshannon squared; symmetric, <= ln 2, ln 2 for disjoint supports."""
    __tracebackhide__ = True

    @grading(200)
    @given(pairs(q_full_support=False))
    def matches_scipy(pq):
        p, q = pq
        expected = float(jensenshannon(p, q) ** 2)
        got = _number(js_divergence(p, q), "js_divergence(p, q)")
        if not _close(got, expected, rtol=1e-6, atol=1e-9):
            hint = "; that is the value in bits: use the natural logarithm" if _close(got, expected / math.log(2)) else ""
            raise AssertionError(f"JS(p, q) for p={p.tolist()}, q={q.tolist()}: expected {expected:.10g} "
                                 f"(scipy's jensenshannon(p, q) ** 2), got {got:.10g} (rtol 1e-6){hint}")
        swapped = _number(js_divergence(q, p), "js_divergence(q, p)")
        if abs(swapped - got) > 1e-12:
            raise AssertionError(f"JS must be symmetric: JS(p, q) = {got}, JS(q, p) = {swapped} for "
                                 f"p={p.tolist()}, q={q.tolist()}")
        if not -1e-12 <= got <= math.log(2) + 1e-12:
            raise AssertionError(f"JS must lie in [0, ln 2], got {got}")

    run_property("js_divergence vs scipy", matches_scipy)
    got = _number(js_divergence(np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.0, 1.0])), "JS")
    if not _close(got, math.log(2)):
        raise AssertionError(f"JS of distributions with disjoint supports is ln 2 = {math.log(2):.6f}, got {got}")


@st.composite
def corpora(draw):
    vocab_size = draw(st.integers(1, 30), label="vocab_size")
    sequences = draw(st.lists(st.lists(st.integers(0, vocab_size - 1), max_size=12), max_size=5), label="sequences")
    smoothing = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0, 2.5]), label="smoothing")
    if smoothing == 0 and not any(sequences):
        sequences = sequences + [[draw(st.integers(0, vocab_size - 1))]]
    return sequences, vocab_size, smoothing


@judged
def check_token_distribution(token_distribution) -> None:
    """Part 3: (count + smoothing) / (N + smoothing * V), a float64 vector summing to 1."""
    __tracebackhide__ = True

    @grading(200)
    @given(corpora())
    def matches_reference(corpus):
        sequences, vocab_size, smoothing = corpus
        expected = reference.token_distribution(sequences, vocab_size, smoothing)
        got = token_distribution([list(s) for s in sequences], vocab_size, smoothing)
        if not isinstance(got, np.ndarray) or got.shape != (vocab_size,):
            raise AssertionError(f"expected a NumPy array of shape ({vocab_size},), got {type(got).__name__} "
                                 f"{getattr(got, 'shape', '')}")
        if abs(float(got.sum()) - 1.0) > 1e-9:
            raise AssertionError(f"the distribution must sum to 1, yours sums to {float(got.sum()):.10g} for "
                                 f"sequences={sequences}, vocab_size={vocab_size}, smoothing={smoothing}: the "
                                 f"smoothing adds to the total too")
        if not np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            i = int(np.argmax(np.abs(got - expected)))
            raise AssertionError(f"sequences={sequences}, vocab_size={vocab_size}, smoothing={smoothing}: token {i} "
                                 f"expected {expected[i]:.10g}, got {got[i]:.10g}")

    run_property("token_distribution vs the definition", matches_reference)


def oracle_next_token_kl(model_p, model_q, ids: list[int]) -> float:
    with torch.no_grad():
        x = torch.tensor([ids])
        lp = F.log_softmax(model_p(input_ids=x).logits[0].double(), -1)
        lq = F.log_softmax(model_q(input_ids=x).logits[0].double(), -1)
    return F.kl_div(lq, lp, log_target=True, reduction="none").sum(-1).mean().item()  # KL(p || q)


MODEL_PAIRS = [("tiny-gpt2", "tiny-gpt-neo"), ("eval-small", "eval-large"), ("eval-large", "tiny-gpt2")]


@judged
def check_next_token_kl(next_token_kl) -> None:
    """Part 4: mean over positions of KL(P(.|prefix) || Q(.|prefix)); 0 with itself; vs the oracle."""
    __tracebackhide__ = True
    theirs = student_fixtures()

    @grading(15)
    @given(st.sampled_from(MODEL_PAIRS), st.booleans(), st.lists(st.integers(0, 4095), min_size=1, max_size=40),
           st.booleans())
    def matches_oracle(names, swap, ids, as_tensor):
        a, b = names[::-1] if swap else names
        (mp, _), (mq, _) = load(a), load(b)
        expected = oracle_next_token_kl(mp, mq, ids)
        ref = reference.next_token_kl(mp, mq, ids)
        assert _close(ref, expected, rtol=1e-6, atol=1e-9), "internal: the reference disagrees with the oracle"
        arg = torch.tensor(ids) if as_tensor else list(ids)
        got = _number(next_token_kl(theirs(a)[0], theirs(b)[0], arg), "next_token_kl")
        if not _close(got, expected, rtol=1e-4, atol=1e-6):
            reverse = oracle_next_token_kl(mq, mp, ids)
            hint = "; you computed KL(Q || P)" if _close(got, reverse, rtol=1e-4, atol=1e-6) else ""
            raise AssertionError(f"next_token_kl({a}, {b}) on {len(ids)} tokens {ids[:8]}{'...' if len(ids) > 8 else ''}"
                                 f" ({'tensor' if as_tensor else 'list'}): expected {expected:.6g}, got {got:.6g} "
                                 f"(rtol 1e-4){hint}")

    @grading(10)
    @given(st.sampled_from(["tiny-gpt2", "eval-large"]), st.lists(st.integers(0, 4095), min_size=1, max_size=40))
    def zero_with_itself(name, ids):
        model = theirs(name)[0]
        got = _number(next_token_kl(model, model, list(ids)), "next_token_kl")
        if abs(got) > 1e-6:
            raise AssertionError(f"a model's next-token KL with itself must be 0, got {got} ({name}, {len(ids)} tokens)")

    with one_thread(), quiet_libraries():
        run_property("next_token_kl vs torch's kl_div", matches_oracle)
        run_property("next_token_kl of a model with itself", zero_with_itself)


# ------------------------------------------------------------------------------------ input checks

_BAD_PAIRS = [
    ("[0.5, 0.5], [0.2, 0.3, 0.5]", "`p` and `q` of different lengths raise", ([0.5, 0.5], [0.2, 0.3, 0.5])),
    ("[1.25, -0.25], [0.5, 0.5]", "a negative entry raises", (np.array([1.25, -0.25]), np.array([0.5, 0.5]))),
    ("[0.5, 0.5], [0.6, 0.6]", "`q` summing to 1.2 raises", (np.array([0.5, 0.5]), np.array([0.6, 0.6]))),
    ("[0.3, 0.3], [0.5, 0.5]", "`p` summing to 0.6 raises", (np.array([0.3, 0.3]), np.array([0.5, 0.5]))),
    ("[], []", "empty arrays raise", (np.array([]), np.array([]))),
]
_BAD_COUNTS = [
    ("[[0, 5]], 5", "a token id equal to `vocab_size` raises", ([[0, 5]], 5, 0.0)),
    ("[[-1, 2]], 5", "a negative token id raises", ([[-1, 2]], 5, 0.0)),
    ("[[1, 2]], 5, smoothing=-0.5", "a negative `smoothing` raises", ([[1, 2]], 5, -0.5)),
    ("[[0]], 0", "`vocab_size = 0` raises", ([[0]], 0, 0.0)),
    ("[], 5", "no sequences and no smoothing (nothing to count) raise", ([], 5, 0.0)),
    ("[[], []], 5", "only empty sequences and no smoothing raise", ([[], []], 5, 0.0)),
]


def _model_there(name: str = "tiny-gpt2"):
    """An offline model where the student's code runs; an error here is not the input check's answer."""
    try:
        return student_fixtures()(name)[0]
    except Exception as exc:
        raise RuntimeError(f"loading the {name} fixture raised {type(exc).__name__}: {exc}") from None


def _other_vocabulary_there():
    """A tiny random GPT-2 with a vocabulary of 50 tokens (the fixtures have more), where the student's code runs."""
    transformers = student_module("transformers")
    config = transformers.GPT2Config(vocab_size=50, n_positions=16, n_embd=8, n_layer=1, n_head=2, bos_token_id=0,
                                     eos_token_id=0)
    return transformers.GPT2LMHeadModel(config).eval()


#: the invalid calls Task 5 lists, tried by check_input_checks
INPUT_CHECKS = (
    *(InputCheck(f"`{fn}({args})`: {what} `ValueError`", lambda f, fn=fn, call=call: f[fn](*call))
      for fn in ("kl_divergence", "js_divergence") for args, what, call in _BAD_PAIRS),
    *(InputCheck(f"`token_distribution({args})`: {what} `ValueError`",
                 lambda f, call=call: f["token_distribution"](*call)) for args, what, call in _BAD_COUNTS),
    InputCheck("`next_token_kl(model, model, [])`: empty `token_ids` raise `ValueError`",
               lambda f: f["next_token_kl"](*[_model_there()] * 2, [])),
    InputCheck("`next_token_kl(model, other, [1, 2, 3])` with `other` a model of another vocabulary size raises "
               "`ValueError`", lambda f: f["next_token_kl"](_model_there(), _other_vocabulary_there(), [1, 2, 3])),
)


@judged
def check_input_checks(kl_divergence, js_divergence, token_distribution, next_token_kl) -> None:
    """Part 5: the ValueErrors of Tasks 1 to 4, graded apart from the computations."""
    __tracebackhide__ = True
    with one_thread(), quiet_libraries():
        run_input_checks(INPUT_CHECKS, kl_divergence=kl_divergence, js_divergence=js_divergence,
                         token_distribution=token_distribution, next_token_kl=next_token_kl)
