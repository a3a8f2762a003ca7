"""Hidden checks of 5_1_fine_tuning_writing_style (data pipeline, train step, perplexity).

The models are tiny GPT-Neo configurations built from fixed seeds (a vocabulary of 61 tokens, 16
wide, a global and a local attention layer with a window of 4), so every check runs in seconds on a
CPU. The student's functions get copies built where their code runs (`models_there`), so that a
train step changes the model in place there; expected values come from the judge's own copies, and
what the student's code leaves in a model is read back through its state_dict. The oracles:
- data: the contract itself (which tokens go where), on sequences whose values name their position;
- train_step: the loss the model gives the batch before the update, computed here from the logits;
  the parameters after two steps with stale gradients pre-filled, against the reference's;
  the loss falling over steps on one batch;
- perplexity: the reference, and a token-by-token computation (one forward pass per predicted
  token, so neither batching nor the shift of the labels can hide a mistake); the same value for
  every batch size.

The edge cases each part probes are listed in `EDGES` and stated in the notebook; the invalid
arguments (a `train_ratio` outside (0, 1), an empty part, `batch_size < 1`, `context_window_size < 2`,
a sequence shorter than its window, fewer than two tokens to score) are graded apart, in
`check_input_checks` (graders/contract.py), and no computation part tries them.
Hands out: tiny GPT-Neo models built where the student's code runs from the judge's weights (a fresh
copy per call), optimizers built there over them, and token ids and generators by value.
"""

from __future__ import annotations

import copy
import functools
import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st

from solutions import writing_style as reference

from . import wire
from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import grading, manual_seed, on_one_thread, run_property, student_generator, student_module

VOCAB = 61
CONFIG = dict(vocab_size=VOCAB, max_position_embeddings=64, hidden_size=16, num_layers=2, num_heads=2,
              attention_types=[[["global", "local"], 1]], window_size=4, intermediate_size=32,
              bos_token_id=0, eos_token_id=0)


@functools.lru_cache(maxsize=None)
def _base_model(seed: int):
    from transformers import GPTNeoConfig, GPTNeoForCausalLM

    torch.manual_seed(seed)
    return GPTNeoForCausalLM(GPTNeoConfig(**CONFIG)).eval()


def tiny_model(seed: int = 0):
    """A fresh copy of a tiny random GPT-Neo (the same weights for the same seed)."""
    return copy.deepcopy(_base_model(seed))


def models_there():
    """seed -> a fresh copy of tiny_model(seed), made where the student's code runs.

    One model per seed is built there (from this side's weights) on first use and copied there for
    each call; that first one is never handed to the student's code, so every copy starts clean."""
    built = {}
    deepcopy = student_module("copy").deepcopy

    def fresh(seed: int = 0):
        if seed not in built:
            transformers = student_module("transformers")
            model = transformers.GPTNeoForCausalLM(transformers.GPTNeoConfig(**CONFIG))
            model.load_state_dict(_base_model(seed).state_dict())
            built[seed] = model.eval()
        return deepcopy(built[seed])

    return fresh


def record_modes(model) -> list[bool]:
    """Whether `model` (a model there) was in training mode, for each of its forward calls from now on
    (a forward hook that reports here)."""
    modes = []

    def record(module, args, output):
        modes.append(bool(module.training))

    model.register_forward_hook(wire.Handout(record, ops={"call"}))  # the kernel may only call it
    return modes


def model_here(model_there):
    """A copy here of what the student's code left in a model there (its weights, read back)."""
    model = tiny_model()
    model.load_state_dict(model_there.state_dict())
    return model

#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_data": (
        Edge("`token_ids` as a list or as a 1-D tensor"),
        Edge("a split with a part of a single token"),
        Edge("a window exactly as long as the sequence (a single possible start)"),
        Edge("`context_window_size = 2` and `batch_size = 1`"),
    ),
    "check_train_step": (
        Edge("a batch of a single row of two tokens"),
        Edge("stale gradients left in `.grad` by an earlier step"),
    ),
    "check_perplexity": (
        Edge("a text of just two tokens"),
        Edge("windows of two tokens (`context_window_size = 2`)"),
        Edge("a window longer than the whole text (one short window)"),
        Edge("a last window of a single token (it predicts nothing and is skipped)"),
        Edge("a `batch_size` larger than the number of windows"),
    ),
}


def _tokens(n: int, seed: int) -> torch.Tensor:
    return torch.randint(0, VOCAB, (n,), generator=torch.Generator().manual_seed(seed))


def _ids(x, what: str) -> list[int]:
    try:
        t = torch.as_tensor(x)
    except Exception:
        raise AssertionError(f"{what}: expected a 1-D tensor of token ids, got {type(x).__name__}") from None
    if t.dim() != 1:
        raise AssertionError(f"{what}: expected a 1-D tensor, got shape {tuple(t.shape)}")
    return t.tolist()


# ---------------------------------------------------------------------------------------- part 1

@judged
@on_one_thread
def check_data(split_tokens, sample_batch) -> None:
    """Part 1: split_tokens and sample_batch."""
    __tracebackhide__ = True

    @grading(60)
    @given(st.integers(2, 300), st.floats(0.01, 0.99), st.booleans())
    def split_follows_the_contract(n, ratio, as_list):
        ids = torch.randperm(n, generator=torch.Generator().manual_seed(n)) + 7
        n_train = int(ratio * n)
        if n_train == 0 or n_train == n:
            return  # empty parts are checked below
        train, val = split_tokens(ids.tolist() if as_list else ids, ratio)
        got = (_ids(train, "train part"), _ids(val, "validation part"))
        for name, part in (("train", train), ("validation", val)):
            if not isinstance(part, torch.Tensor) or part.dtype != torch.long:
                raise AssertionError(
                    f"split_tokens of {n} tokens {'as a list' if as_list else 'as a tensor'}: the {name} part must be a "
                    f"1-D LongTensor (dtype torch.int64), got {type(part).__name__}"
                    + (f" of dtype {part.dtype}" if isinstance(part, torch.Tensor) else ""))
        expected = (ids[:n_train].tolist(), ids[n_train:].tolist())
        if got != expected:
            raise AssertionError(
                f"split_tokens of {n} tokens with train_ratio={ratio!r}: expected parts of lengths "
                f"{n_train} and {n - n_train} (the first int(train_ratio * n) tokens, then the rest), "
                f"got lengths {len(got[0])} and {len(got[1])}" + ("" if tuple(map(len, got)) != (n_train, n - n_train)
                                                                  else " with other tokens"))

    @grading(40)
    @given(st.integers(2, 40), st.integers(0, 30), st.integers(1, 6), st.integers(0, 2**16))
    def batch_is_made_of_windows(T, extra, B, seed):
        n = T + extra
        ids = torch.randperm(n, generator=torch.Generator().manual_seed(seed)) + 3  # a value names its position
        position = {v: i for i, v in enumerate(ids.tolist())}
        manual_seed(1)  # the global generator differs between the two calls; `generator` does not
        batch = sample_batch(ids, B, T, student_generator(seed))
        if not isinstance(batch, torch.Tensor):
            raise AssertionError(f"sample_batch must return a tensor, got {type(batch).__name__}")
        if tuple(batch.shape) != (B, T) or batch.dtype != torch.long:
            raise AssertionError(f"sample_batch({n} tokens, batch_size={B}, context_window_size={T}): expected a "
                                 f"({B}, {T}) LongTensor, got {tuple(batch.shape)} {batch.dtype}")
        for row in batch.tolist():
            if any(v not in position for v in row):
                raise AssertionError("a row holds values that are not in token_ids")
            s = position[row[0]]
            if row != ids[s:s + T].tolist():
                raise AssertionError(f"each row must be a contiguous window token_ids[s:s+{T}], got positions "
                                     f"{[position[v] for v in row]}")
        manual_seed(2)
        again = sample_batch(ids, B, T, student_generator(seed))
        if not torch.equal(torch.as_tensor(again), batch):
            raise AssertionError("two calls with generators seeded alike gave different batches: draw the starts "
                                 "with torch.randint(..., generator=generator)")

    def starts_are_uniform():
        for n, T in [(12, 9), (10, 2), (7, 7)]:
            num_starts = n - T + 1
            ids = torch.arange(100, 100 + n)
            batch = torch.as_tensor(sample_batch(ids, 4000, T, student_generator(n)))
            counts = torch.bincount(batch[:, 0] - 100, minlength=n).tolist()
            if any(counts[num_starts:]):
                raise AssertionError(f"{n} tokens, windows of {T}: a window started after the last possible start "
                                     f"{num_starts - 1}")
            expected = 4000 / num_starts
            low = [s for s in range(num_starts) if counts[s] < 0.75 * expected]
            if low:
                raise AssertionError(
                    f"{n} tokens, windows of {T}: every start 0..{num_starts - 1} must be equally likely; in 4000 "
                    f"windows start(s) {low} came up {[counts[s] for s in low]} times (about {expected:.0f} expected)")

    run_property("split_tokens", split_follows_the_contract)
    run_property("sample_batch windows", batch_is_made_of_windows)
    run_property("sample_batch starts", starts_are_uniform)


# ---------------------------------------------------------------------------------------- part 2

def _oracle_loss(model, batch: torch.Tensor) -> float:
    """Mean cross-entropy of predicting batch[:, 1:] from the logits at positions 0..T-2."""
    with torch.no_grad():
        logits = model(batch).logits.double()
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), batch[:, 1:].reshape(-1)).item()


class StepProblem(NamedTuple):
    B: int
    T: int
    seed: int


def step_problems():
    return st.builds(StepProblem, B=st.integers(1, 4), T=st.integers(2, 12), seed=st.integers(0, 2**16))


def _batch(problem: StepProblem, k: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(problem.seed * 7 + k)
    return torch.randint(0, VOCAB, (problem.B, problem.T), generator=g)


def _stale_grads(model, seed: int) -> dict[str, torch.Tensor]:
    """Random gradients, one per parameter of `model` (by name), as if left over from an earlier step."""
    g = torch.Generator().manual_seed(seed)
    return {name: torch.randn(p.shape, generator=g) for name, p in model.named_parameters()}


def _as_loss(value, what: str) -> float:
    if isinstance(value, torch.Tensor) or not isinstance(value, (float, int)):
        raise AssertionError(f"{what}: train_step must return the loss as a Python float (loss.item()), got "
                             f"{type(value).__name__}")
    return float(value)


@judged
@on_one_thread
def check_train_step(train_step) -> None:
    """Part 2: train_step."""
    __tracebackhide__ = True
    fresh = models_there()
    optim = student_module("torch").optim

    @grading(12)
    @given(step_problems())
    def returns_the_loss_before_the_update(problem):
        model = fresh(problem.seed % 3)
        batch = _batch(problem)
        expected = _oracle_loss(_base_model(problem.seed % 3), batch)
        optimizer = optim.SGD(model.parameters(), lr=0.1)
        got = _as_loss(train_step(model, batch, optimizer), f"batch {tuple(batch.shape)}")
        if not math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-5):
            raise AssertionError(
                f"loss of a batch of shape {tuple(batch.shape)}: expected {expected:.6f} (mean cross-entropy of "
                f"each token given the ones before it, before the update), got {got:.6f}. Let the model shift "
                f"the labels: model(input_ids=batch, labels=batch)")

    @grading(12)
    @given(step_problems())
    def clears_stale_gradients(problem):
        ours, theirs = tiny_model(problem.seed % 3), fresh(problem.seed % 3)
        stale = _stale_grads(ours, problem.seed)
        for name, p in ours.named_parameters():
            p.grad = stale[name]
        there = wire.remote(theirs)
        for name, grad in stale.items():
            there.get_parameter(name).proxy.grad = grad
        opt_ours = torch.optim.SGD(ours.parameters(), lr=0.1)
        opt_theirs = optim.SGD(theirs.parameters(), lr=0.1)
        for k in range(2):
            batch = _batch(problem, k)
            reference.train_step(ours, batch, opt_ours)
            _as_loss(train_step(theirs, batch, opt_theirs), f"batch {tuple(batch.shape)}")
            state = theirs.state_dict()
            for name, p in ours.named_parameters():
                q = state[name]
                if not torch.allclose(q, p.detach(), rtol=1e-4, atol=1e-6):
                    diff = (q - p.detach()).abs().max().item()
                    raise AssertionError(
                        f"after step {k + 1} with SGD, starting from stale gradients left in .grad, parameter {name} "
                        f"differs from the expected update by up to {diff:.3g} (rtol=1e-4, atol=1e-6): clear the "
                        f"gradients (optimizer.zero_grad()) before computing new ones in every step")

    @grading(6)
    @given(step_problems())
    def lowers_the_loss_on_a_fixed_batch(problem):
        model = fresh(problem.seed % 3)
        batch = _batch(problem)
        before = _oracle_loss(_base_model(problem.seed % 3), batch)
        optimizer = optim.AdamW(model.parameters(), lr=1e-2)
        losses = [_as_loss(train_step(model, batch, optimizer), "") for _ in range(8)]
        after = _oracle_loss(model_here(model), batch)
        if not after < before - 0.1:
            raise AssertionError(f"eight steps of AdamW (lr=1e-2) on one batch of shape {tuple(batch.shape)} should "
                                 f"lower its loss clearly: {before:.4f} before, {after:.4f} after (returned: "
                                 f"{[round(x, 4) for x in losses]})")

    def puts_the_model_in_training_mode():
        model = fresh(0)  # built in evaluation mode
        modes = record_modes(model)
        batch = _batch(StepProblem(B=2, T=6, seed=0))
        _as_loss(train_step(model, batch, optim.SGD(model.parameters(), lr=0.1)), f"batch {tuple(batch.shape)}")
        if not all(modes or [model.training]):  # a forward that bypasses the hooks: the mode it leaves
            raise AssertionError("train_step on a model left in evaluation mode: the model ran in evaluation mode; "
                                 "put it in training mode first (model.train()), so that dropout is on while training")

    run_property("train_step returns the loss", returns_the_loss_before_the_update)
    run_property("train_step clears old gradients", clears_stale_gradients)
    run_property("train_step lowers the loss", lowers_the_loss_on_a_fixed_batch)
    run_property("train_step puts the model in training mode", puts_the_model_in_training_mode)


# ---------------------------------------------------------------------------------------- part 3

def token_by_token_perplexity(model, token_ids: torch.Tensor, context_window_size: int) -> float:
    """The oracle: one forward pass per predicted token over consecutive non-overlapping windows."""
    nll, count = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(token_ids), context_window_size):
            window = token_ids[s:s + context_window_size]
            for i in range(1, len(window)):
                logits = model(window[None, :i]).logits[0, -1].double()
                nll -= torch.log_softmax(logits, -1)[window[i]].item()
                count += 1
    return math.exp(nll / count)


class PplProblem(NamedTuple):
    n: int
    T: int
    batch_size: int
    seed: int


def ppl_problems(max_n: int = 60):
    return st.builds(PplProblem, n=st.integers(2, max_n), T=st.integers(2, 12), batch_size=st.integers(1, 5),
                     seed=st.integers(0, 2**16))


def _ppl(perplexity, model, ids, T, batch_size) -> float:
    got = perplexity(model, ids, T, batch_size)
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if not isinstance(got, (float, int)):
        raise AssertionError(f"perplexity must return a Python float, got {type(got).__name__}")
    return float(got)


def _close(got: float, expected: float, what: str, rel: float = 1e-4) -> None:
    if not math.isclose(got, expected, rel_tol=rel):
        raise AssertionError(f"{what}: expected {expected:.6f}, got {got:.6f} (relative tolerance {rel:g})")


@judged
@on_one_thread
def check_perplexity(perplexity) -> None:
    """Part 3: perplexity over consecutive non-overlapping windows, per token."""
    __tracebackhide__ = True
    fresh = models_there()

    @grading(40)
    @given(ppl_problems())
    @example(PplProblem(n=23, T=8, batch_size=2, seed=1))
    @example(PplProblem(n=20, T=4, batch_size=3, seed=2))
    def matches_reference(problem):
        ids = _tokens(problem.n, problem.seed)
        expected = reference.perplexity(tiny_model(problem.seed % 3), ids, problem.T, problem.batch_size)
        got = _ppl(perplexity, fresh(problem.seed % 3), ids, problem.T, problem.batch_size)
        _close(got, expected, f"perplexity of {problem.n} tokens, context_window_size={problem.T}, "
                              f"batch_size={problem.batch_size}")

    @grading(12)
    @given(ppl_problems(max_n=30))
    @example(PplProblem(n=10, T=4, batch_size=2, seed=3))
    def matches_token_by_token(problem):
        ids = _tokens(problem.n, problem.seed)
        expected = token_by_token_perplexity(_base_model(problem.seed % 3), ids, problem.T)
        got = _ppl(perplexity, fresh(problem.seed % 3), ids, problem.T, problem.batch_size)
        _close(got, expected, f"perplexity of {problem.n} tokens, context_window_size={problem.T}, batch_size="
                              f"{problem.batch_size}, against one forward pass per predicted token")

    @grading(25)
    @given(ppl_problems(), st.integers(1, 6))
    @example(PplProblem(n=23, T=8, batch_size=2, seed=1), 1)
    def independent_of_batch_size(problem, other):
        model, ids = fresh(problem.seed % 3), _tokens(problem.n, problem.seed)
        a = _ppl(perplexity, model, ids, problem.T, problem.batch_size)
        b = _ppl(perplexity, model, ids, problem.T, other)
        _close(b, a, f"{problem.n} tokens, context_window_size={problem.T}: perplexity with batch_size={other} "
                     f"against batch_size={problem.batch_size} (average the NLL per token, not per batch)")

    def leaves_the_model_alone():
        model = fresh(1)
        _ppl(perplexity, model, _tokens(30, 0), 8, 2)
        after = model.state_dict()
        if any(not torch.equal(after[name], p) for name, p in _base_model(1).named_parameters()):
            raise AssertionError("perplexity changed the model's parameters")

    def measures_in_evaluation_mode():
        model = fresh(2)
        model.train()  # as a training loop leaves it
        modes = record_modes(model)
        _ppl(perplexity, model, _tokens(20, 0), 8, 2)
        if any(modes):
            raise AssertionError("perplexity of a model left in training mode: the model ran in training mode; put it "
                                 "in evaluation mode first (model.eval()), so that dropout is off while measuring")

    run_property("perplexity vs the reference", matches_reference)
    run_property("perplexity token by token", matches_token_by_token)
    run_property("perplexity does not depend on batch_size", independent_of_batch_size)
    run_property("perplexity leaves the model unchanged", leaves_the_model_alone)
    run_property("perplexity in evaluation mode", measures_in_evaluation_mode)


# ---------------------------------------------------------------------------------------- part 4

def _model_there():
    """A tiny GPT-Neo where the student's code runs; an error here is not the input check's answer."""
    try:
        return models_there()(0)
    except Exception as exc:
        raise RuntimeError(f"building a tiny GPT-Neo raised {type(exc).__name__}: {exc}") from None


_TEN = torch.arange(10)
#: the invalid calls Task 4 lists, tried by check_input_checks
INPUT_CHECKS = (
    *(InputCheck(f"`split_tokens(list(range(10)), {bad})`: a `train_ratio` not strictly between 0 and 1 raises "
                 "`ValueError`", lambda f, bad=bad: f["split_tokens"](list(range(10)), bad))
      for bad in (0, 1, 1.2, -0.5)),
    InputCheck("`split_tokens([5], 0.5)`: a part would be empty, which raises `ValueError`",
               lambda f: f["split_tokens"]([5], 0.5)),
    InputCheck("`sample_batch(torch.arange(10), 0, 4)`: `batch_size < 1` raises `ValueError`",
               lambda f: f["sample_batch"](_TEN, 0, 4)),
    InputCheck("`sample_batch(torch.arange(10), 2, 1)`: `context_window_size < 2` raises `ValueError`",
               lambda f: f["sample_batch"](_TEN, 2, 1)),
    InputCheck("`sample_batch(torch.arange(10), 2, 11)`: a sequence shorter than the window raises `ValueError`",
               lambda f: f["sample_batch"](_TEN, 2, 11)),
    InputCheck("`perplexity(model, torch.arange(10), 1, 2)`: `context_window_size < 2` raises `ValueError`",
               lambda f: f["perplexity"](_model_there(), _TEN, 1, 2)),
    InputCheck("`perplexity(model, torch.arange(10), 4, 0)`: `batch_size < 1` raises `ValueError`",
               lambda f: f["perplexity"](_model_there(), _TEN, 4, 0)),
    InputCheck("`perplexity(model, torch.tensor([3]), 4, 2)`: fewer than two tokens raises `ValueError`",
               lambda f: f["perplexity"](_model_there(), _TEN[3:4], 4, 2)),
)


@judged
@on_one_thread
def check_input_checks(split_tokens, sample_batch, perplexity) -> None:
    """Part 4: the ValueErrors of Tasks 1 and 3, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, split_tokens=split_tokens, sample_batch=sample_batch, perplexity=perplexity)
