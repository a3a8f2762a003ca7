"""Hidden checks of 7_1_evaluation_quantitative_perplexity (sliding-window perplexity).

Models: small random GPT-2s built here, with a large initialisation so that their predictions are
sharp and depend on the context (a token-weighting or windowing mistake moves the result far beyond
the tolerance), and a GPT-2 whose logits are all zero (its word embeddings, tied to the output
layer, are zero): its perplexity is exactly the vocabulary size. The student's function gets a copy
of each, built where its code runs with the same weights (`model_for_student`); expected values come
from the check's own. Token ids are 1-D LongTensors, also copied there, so that a function that
changes them in place is seen.

Oracles, independent of the reference's loop:
- one window: exp of the mean cross-entropy of one forward pass over the whole sequence;
- stride == window: the sequence cut into consecutive chunks, each scored on its own, averaged over
  all scored tokens (token-weighted);
- stride < window: token by token, each token t >= 1 scored once, in the first window that ends
  after it, from the context that window gives it (a token that starts its window has no context
  there and is not scored).

The edge cases each part probes are listed in `EDGES` and stated in the notebook; the invalid
arguments (`context_window_size < 2`, a stride outside `1..context_window_size`, fewer than two
tokens) are graded apart, in `check_input_checks` (graders/contract.py), and no computation part
tries them.
Hands out: small GPT-2s built where the student's code runs from the judge's weights, and copies of
the token ids made there; nothing of the judge's own.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st

from solutions import perplexity as reference

from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import (assert_left_unchanged, grading, on_one_thread, quiet_libraries, run_property,
                         student_copies, student_module)

MAX_WINDOW = 48
RTOL = 1e-4

#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_one_window": (
        Edge("a text of just two tokens"),
        Edge("a text exactly as long as the window"),
        Edge("any `stride` from 1 to the window when the text fits in one window"),
        Edge("a model with uniform logits over 2 to 500 tokens, whose perplexity must be exactly its vocabulary "
             "size, with one window, non-overlapping windows or a sliding window"),
    ),
    "check_non_overlapping": (
        Edge("`stride=None` and `stride=context_window_size`"),
        Edge("a text just one token longer than the window, whose last window of a single token has no "
             "context in its window and scores nothing"),
        Edge("up to nine windows, the last one full or shorter"),
    ),
    "check_sliding_window": (
        Edge("`stride=1`, and `stride=context_window_size - 1`"),
        Edge("a last window shorter than the others"),
    ),
}


def _config(vocab_size: int) -> dict:
    return dict(vocab_size=vocab_size, n_positions=64, n_embd=32, n_layer=2, n_head=2, initializer_range=0.4,
                bos_token_id=0, eos_token_id=0)


@functools.lru_cache(maxsize=None)
def model(vocab_size: int = 97, uniform: bool = False, seed: int = 0):
    from transformers import GPT2Config, GPT2LMHeadModel

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        m = GPT2LMHeadModel(GPT2Config(**_config(vocab_size))).eval()
    if uniform:
        with torch.no_grad():
            m.transformer.wte.weight.zero_()  # tied to lm_head: every logit is 0
    return m


def model_for_student(vocab_size: int = 97, uniform: bool = False, seed: int = 0):
    """`model(...)`, built where the student's code runs with the same weights: whatever the student's
    code does to it stays with it, away from the model the check computes expected values with."""
    transformers = student_module("transformers")
    m = transformers.GPT2LMHeadModel(transformers.GPT2Config(**_config(vocab_size)))
    m.load_state_dict(model(vocab_size, uniform, seed).state_dict())
    return m.eval()


def student_models():
    """(vocab_size, uniform, seed) -> model_for_student(...), each built once: for one check."""
    return functools.cache(model_for_student)


class Problem(NamedTuple):
    num_tokens: int
    window: int
    stride: int | None
    seed: int


def _ids(problem: Problem, vocab_size: int = 97) -> torch.Tensor:
    g = torch.Generator().manual_seed(problem.seed)
    return torch.randint(0, vocab_size, (problem.num_tokens,), generator=g)


@st.composite
def problems(draw, kind: str, max_tokens: int = 80):
    """At most 9 windows per problem, so that each check stays within seconds."""
    if kind == "one window":
        window = draw(st.integers(2, MAX_WINDOW), label="window")
        n = draw(st.integers(2, window))
        stride = draw(st.none() | st.integers(1, window))
    elif kind == "non-overlapping":
        window = draw(st.integers(2, min(MAX_WINDOW, max_tokens - 1)), label="window")
        n = draw(st.integers(window + 1, min(max_tokens, 9 * window)))
        stride = draw(st.sampled_from([None, window]))
    else:
        window = draw(st.integers(3, min(MAX_WINDOW, max_tokens - 1)), label="window")
        stride = draw(st.integers(1, window - 1))
        n = draw(st.integers(window + 1, min(max_tokens, window + 8 * stride)))
    return Problem(n, window, stride, draw(st.integers(0, 2**16)))


@torch.no_grad()
def _token_nll(m, context_and_target: torch.Tensor) -> float:
    """-log P(last token | the tokens before it), from one forward pass."""
    logits = m(input_ids=context_and_target[:-1].unsqueeze(0)).logits[0, -1].double()
    return -F.log_softmax(logits, -1)[context_and_target[-1]].item()


@torch.no_grad()
def oracle_chunks(m, ids: torch.Tensor, window: int) -> float:
    nll, count = 0.0, 0
    for start in range(0, len(ids), window):
        chunk = ids[start:start + window]
        if len(chunk) < 2:
            continue
        logits = m(input_ids=chunk.unsqueeze(0)).logits[0, :-1].double()
        nll += F.cross_entropy(logits, chunk[1:], reduction="sum").item()
        count += len(chunk) - 1
    return math.exp(nll / count)


def oracle_token_by_token(m, ids: torch.Tensor, window: int, stride: int) -> float:
    n = len(ids)
    windows = []
    begin = 0
    while True:
        windows.append((begin, min(begin + window, n)))
        if windows[-1][1] == n:
            break
        begin += stride
    nll, count = 0.0, 0
    for t in range(1, n):
        begin = next(b for b, e in windows if e > t)
        if t == begin:
            continue
        nll += _token_nll(m, ids[begin:t + 1])
        count += 1
    return math.exp(nll / count)


def _call(perplexity, m, ids, problem: Problem) -> float:
    """perplexity(m, ids, ...) with `m` the student's copy of a model and a copy of `ids` that lives
    where the student's code runs, which it must leave unchanged."""
    there = student_copies(ids)
    if problem.stride is None:
        got = perplexity(m, *there, problem.window)
    else:
        got = perplexity(m, *there, problem.window, stride=problem.stride)
    assert_left_unchanged(there, [ids], ["token_ids"])
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if not isinstance(got, (float, int)):
        raise AssertionError(f"perplexity must return a float, got {type(got).__name__}")
    return float(got)


def _close(got: float, expected: float, what: str, problem: Problem) -> None:
    if not math.isclose(got, expected, rel_tol=RTOL):
        raise AssertionError(f"{what}: expected {expected:.6g}, got {got:.6g} (rtol={RTOL:g}) for "
                             f"{problem.num_tokens} tokens, context_window_size={problem.window}, "
                             f"stride={problem.stride}")


@on_one_thread
@quiet_libraries()
@judged
def check_one_window(perplexity) -> None:
    """Part 1: a text that fits in one window; the uniform model."""
    __tracebackhide__ = True
    theirs = student_models()

    @grading(20)
    @given(problems("one window"))
    @example(Problem(2, 2, None, 0))
    def matches_one_forward_pass(problem):
        m = model()
        ids = _ids(problem)
        got = _call(perplexity, theirs(), ids, problem)
        expected = reference.perplexity(m, ids, problem.window, problem.stride)
        oracle = oracle_chunks(m, ids, len(ids))
        assert math.isclose(expected, oracle, rel_tol=1e-5)
        _close(got, oracle, "perplexity of a text shorter than the window (one forward pass)", problem)

    @grading(10)
    @given(problems("one window") | problems("non-overlapping") | problems("sliding"),
           st.sampled_from([2, 50, 97, 500]))
    def uniform_model_gives_vocabulary_size(problem, vocab_size):
        got = _call(perplexity, theirs(vocab_size, uniform=True), _ids(problem, vocab_size), problem)
        _close(got, float(vocab_size), f"a model with uniform logits over {vocab_size} tokens", problem)

    run_property("perplexity of one window", matches_one_forward_pass)
    run_property("perplexity of a uniform model", uniform_model_gives_vocabulary_size)


@on_one_thread
@quiet_libraries()
@judged
def check_non_overlapping(perplexity) -> None:
    """Part 2: stride equal to the window (the default): consecutive chunks, token-weighted mean."""
    __tracebackhide__ = True
    theirs = student_models()

    @grading(25)
    @given(problems("non-overlapping"))
    @example(Problem(50, 8, None, 0))
    @example(Problem(9, 8, 8, 0))
    def matches_chunks(problem):
        m = model()
        ids = _ids(problem)
        got = _call(perplexity, theirs(), ids, problem)
        oracle = oracle_chunks(m, ids, problem.window)
        assert math.isclose(reference.perplexity(m, ids, problem.window, problem.stride), oracle, rel_tol=1e-5)
        _close(got, oracle, "perplexity with non-overlapping windows (token-weighted mean over all "
                            "scored tokens)", problem)

    run_property("perplexity with stride = window", matches_chunks)


@on_one_thread
@quiet_libraries()
@judged
def check_sliding_window(perplexity) -> None:
    """Part 3: stride < window: every token scored once, with the context its window gives it."""
    __tracebackhide__ = True
    theirs = student_models()

    @grading(25)
    @given(problems("sliding"))
    @example(Problem(40, 16, 8, 0))
    @example(Problem(12, 4, 1, 0))
    def matches_reference(problem):
        m = model()
        ids = _ids(problem)
        got = _call(perplexity, theirs(), ids, problem)
        expected = reference.perplexity(m, ids, problem.window, problem.stride)
        _close(got, expected, "sliding-window perplexity", problem)

    @grading(8)
    @given(problems("sliding", max_tokens=30))
    def each_token_scored_once(problem):
        m = model(seed=1)
        ids = _ids(problem)
        got = _call(perplexity, theirs(seed=1), ids, problem)
        _close(got, oracle_token_by_token(m, ids, problem.window, problem.stride),
               "each token must be scored exactly once, in the first window that reaches it", problem)

    run_property("sliding-window perplexity vs reference", matches_reference)
    run_property("sliding-window perplexity, token by token", each_token_scored_once)


def _model_there():
    """A small GPT-2 where the student's code runs; an error here is not the input check's answer."""
    try:
        return model_for_student()
    except Exception as exc:
        raise RuntimeError(f"building a small GPT-2 raised {type(exc).__name__}: {exc}") from None


_IDS = _ids(Problem(20, 4, None, 0))
#: the invalid calls the input-checks task lists, tried by check_input_checks (20 tokens)
INPUT_CHECKS = (
    InputCheck("`perplexity(model, token_ids, 1)`: `context_window_size < 2` raises `ValueError` (no token would "
               "have context)", lambda f: f["perplexity"](_model_there(), _IDS.clone(), 1)),
    InputCheck("`perplexity(model, token_ids, 0)`: `context_window_size = 0` raises `ValueError`",
               lambda f: f["perplexity"](_model_there(), _IDS.clone(), 0)),
    InputCheck("`perplexity(model, token_ids, 8, stride=0)`: `stride = 0` raises `ValueError`",
               lambda f: f["perplexity"](_model_there(), _IDS.clone(), 8, stride=0)),
    InputCheck("`perplexity(model, token_ids, 8, stride=9)`: a stride larger than the window raises `ValueError` "
               "(tokens would be skipped)", lambda f: f["perplexity"](_model_there(), _IDS.clone(), 8, stride=9)),
    InputCheck("`perplexity(model, token_ids[:1], 8)`: a single token raises `ValueError` (nothing to score)",
               lambda f: f["perplexity"](_model_there(), _IDS[:1].clone(), 8)),
)


@on_one_thread
@quiet_libraries()
@judged
def check_input_checks(perplexity) -> None:
    """Part 4: the ValueErrors of the task, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, perplexity=perplexity)
