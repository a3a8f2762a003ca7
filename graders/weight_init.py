"""Hidden checks of 4_1_pre_training_weight_init (batches, the language-model loss, GPT-2's init).

Oracles: for `get_batch`, the definition (every row of X is a window of the data, Y the same window
one token later) and a chi-square test of the start positions; for `lm_loss`, `F.cross_entropy`
over all positions (value and gradient); for `estimate_loss`, a small model whose loss is known in
closed form and which records how it was called; for `init_gpt_weights`, the statistics of each kind
of tensor of the course's GPT (solutions/decoder.py) and the loss at initialisation next to ln(V).
The edge cases the parts probe are listed in `EDGES` and stated in the notebook's task text; the
ValueErrors (sizes below 1, a stream too short for one window, targets of the wrong shape,
num_layers below 1) are graded apart, in `check_input_checks` (graders/contract.py), and no
computation part tries them.
Hands out: token streams and logits by value; the models that `init_gpt_weights` and `estimate_loss`
work on (the shipped GPT, an embedding) are built where the student's code runs; the forward hook
that records the embedding's calls is the judge's, handed out for calls only (wire.Handout).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from . import wire
from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import assert_tensor_close, grading, manual_seed, run_property, student_generator, student_module

#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_get_batch": (
        Edge("streams of 2 to 60 tokens and batches of 1 to 8 windows"),
        Edge("`context_window_size = 1`, and `context_window_size = len(data) - 1`, where the only valid start is 0"),
        Edge("`batch_size` larger than the number of valid starts, so that starts repeat"),
    ),
    "check_lm_loss": (
        Edge("B from 1 to 4, T from 1 to 6 and V from 2 to 20, a single position (B = T = 1) included"),
        Edge("float32 and float64 logits, scaled by 0.1, 1 or 10"),
    ),
    "check_init_gpt_weights": (
        Edge("GPTs of 2 and of 6 blocks whose parameters all start from random values, so that a bias or a "
             "LayerNorm left as it was is seen"),
    ),
    "check_estimate_loss": (
        Edge("`batch_size = 1`, `eval_iters = 1` and windows of a single token"),
        Edge("a `model` that is any module mapping token ids `(B, T)` to logits `(B, T, V)`, on the CPU"),
    ),
}


# ----------------------------------------------------------------------------------- get_batch

class Stream(NamedTuple):
    """A token stream of distinct ids (so that a window's start is its first id's position)."""

    length: int
    batch_size: int
    context_window_size: int
    seed: int


def streams():
    return st.integers(2, 60).flatmap(lambda n: st.builds(
        Stream, length=st.just(n), batch_size=st.integers(1, 8),
        context_window_size=st.integers(1, n - 1), seed=st.integers(0, 2**16)))


#: integer dtypes the streams come in: X and Y must have the data's dtype
STREAM_DTYPES = (torch.int64, torch.int32, torch.int16)


def _stream_data(length, seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.randperm(length, generator=g) + 1000).to(STREAM_DTYPES[seed % len(STREAM_DTYPES)])


def _starts(X, Y, data, T, what):
    """The start position of every row; fails unless X, Y are (B, T) windows of data, Y one later."""
    N = data.numel()
    position = torch.full((int(data.max()) + 1,), -1, dtype=torch.long)
    position[data.long()] = torch.arange(N)
    first = X[:, 0].long()
    outside = (first < 0) | (first >= position.numel())
    starts = torch.where(outside, -1, position[first.clamp(0, position.numel() - 1)])
    if (starts < 0).any():
        row = int((starts < 0).nonzero()[0])
        raise AssertionError(f"{what}: X[{row}, 0] = {int(X[row, 0])} is not a token of the data")
    if (starts > N - T - 1).any():
        row = int((starts > N - T - 1).nonzero()[0])
        raise AssertionError(
            f"{what}: row {row} starts at position {int(starts[row])}, but the last valid start is len(data) - T - 1 = "
            f"{N - T - 1} (Y needs one more token after the window)")
    index = starts.unsqueeze(1) + torch.arange(T)
    for row in torch.nonzero((X.to(data.dtype) != data[index]).any(1)).flatten().tolist()[:1]:
        i = int(starts[row])
        raise AssertionError(f"{what}: row {row} of X is not data[{i}:{i + T}] (a contiguous window of the stream)")
    for row in torch.nonzero((Y.to(data.dtype) != data[index + 1]).any(1)).flatten().tolist()[:1]:
        i = int(starts[row])
        raise AssertionError(
            f"{what}: row {row} of Y must be data[{i + 1}:{i + T + 1}], the window of X shifted by one token "
            f"(the next token at every position), got {Y[row].tolist()} for X = {X[row].tolist()}")
    return starts.tolist()


def _batch(get_batch, data, B, T, generator, what):
    __tracebackhide__ = True
    out = get_batch(data, B, T, generator=generator)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise AssertionError(f"{what}: get_batch must return a tuple (X, Y), got {type(out).__name__}")
    X, Y = out
    for name, t in (("X", X), ("Y", Y)):
        if not isinstance(t, torch.Tensor):
            raise AssertionError(f"{what}: {name} must be a torch.Tensor, got {type(t).__name__}")
        if tuple(t.shape) != (B, T):
            raise AssertionError(f"{what}: {name} must have shape (batch_size, context_window_size) = {(B, T)}, got {tuple(t.shape)}")
        if t.dtype.is_floating_point or t.dtype == torch.bool:
            raise AssertionError(f"{what}: {name} must hold integer token ids (the data's dtype), got {t.dtype}")
    return X, Y


#: Uniformity test: 32 possible starts, 500 batches of 64 (32,000 starts, 1,000 expected per start).
#: The statistic sum((observed - expected)^2 / expected) follows a chi-square law with 31 degrees of
#: freedom when the starts are uniform and independent. The threshold is its 1 - 1e-6 quantile, so a
#: correct sampler fails with probability one in a million; with the fixed seed below grading is
#: deterministic, and a correct solution is rejected only if its particular draw is that one-in-a-
#: million draw. A sampler that can never pick the last window adds about 1,000 to the statistic.
UNIFORM_LENGTH, UNIFORM_T, UNIFORM_BATCH, UNIFORM_CALLS, UNIFORM_SEED = 40, 8, 64, 500, 20240
FALSE_FAILURE_RATE = 1e-6


@judged
def check_get_batch(get_batch) -> None:
    """Part 1: windows of the stream, Y shifted by one, every valid start equally likely."""
    __tracebackhide__ = True

    @grading(40)
    @given(streams())
    def windows(stream):
        data = _stream_data(stream.length, stream.seed)
        g = student_generator(stream.seed)
        what = f"get_batch(data of length {stream.length}, batch_size={stream.batch_size}, context_window_size={stream.context_window_size})"
        X, Y = _batch(get_batch, data, stream.batch_size, stream.context_window_size, g, what)
        _starts(X, Y, data, stream.context_window_size, what)
        for name, t in (("X", X), ("Y", Y)):
            if t.dtype != data.dtype:
                raise AssertionError(f"{what}: {name} must have the data's dtype, {data.dtype}, got {t.dtype} "
                                     "(index the data instead of rebuilding the windows from Python lists)")

    @grading(20)
    @given(streams())
    def follows_the_generator(stream):
        data = _stream_data(stream.length, stream.seed)
        B, T = stream.batch_size, stream.context_window_size
        what = f"get_batch(data of length {stream.length}, batch_size={B}, context_window_size={T})"
        manual_seed(1)
        a = _batch(get_batch, data, B, T, student_generator(stream.seed), what)
        manual_seed(2)
        b = _batch(get_batch, data, B, T, student_generator(stream.seed), what)
        if not (torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])):
            raise AssertionError(f"{what}: two generators with the same seed gave different batches; draw the start "
                                 "positions with the `generator` you are given (torch.randint(..., generator=generator))")

    run_property("get_batch windows", windows)
    run_property("get_batch with a generator", follows_the_generator)

    data = torch.arange(UNIFORM_LENGTH)
    g = student_generator(UNIFORM_SEED)
    what = f"get_batch(data of length {UNIFORM_LENGTH}, batch_size={UNIFORM_BATCH}, context_window_size={UNIFORM_T})"
    try:
        starts = []
        for _ in range(UNIFORM_CALLS):
            X, Y = _batch(get_batch, data, UNIFORM_BATCH, UNIFORM_T, g, what)
            starts += _starts(X, Y, data, UNIFORM_T, what)
    except AssertionError:
        raise
    except Exception as exc:
        raise AssertionError(f"{what}: your code raised {type(exc).__name__}: {exc}") from None
    check_uniform_starts(starts, UNIFORM_LENGTH - UNIFORM_T)


@judged
def check_uniform_starts(starts: list[int], num_starts: int) -> None:
    """Chi-square test that `starts` are uniform over range(num_starts); see UNIFORM_* above."""
    from scipy.stats import chi2

    counts = torch.bincount(torch.tensor(starts), minlength=num_starts).double()
    expected = len(starts) / num_starts
    statistic = float(((counts - expected) ** 2 / expected).sum())
    threshold = float(chi2.isf(FALSE_FAILURE_RATE, num_starts - 1))
    if statistic > threshold:
        low, high = int(counts.argmin()), int(counts.argmax())
        raise AssertionError(
            f"start positions are not uniform over 0..len(data)-T-1 = 0..{num_starts - 1}: in {len(starts)} draws, "
            f"start {low} came {int(counts[low])} times and start {high} {int(counts[high])} times ({expected:.0f} "
            f"expected each); chi-square {statistic:.1f} > {threshold:.1f}, a value a uniform sampler exceeds with "
            f"probability {FALSE_FAILURE_RATE:g}. Is the last window, starting at len(data) - T - 1, possible?")


# ----------------------------------------------------------------------------------- lm_loss

class Logits(NamedTuple):
    batch: int
    T: int
    V: int
    scale: float
    dtype: torch.dtype
    seed: int


def logits_problems():
    return st.builds(Logits, batch=st.integers(1, 4), T=st.integers(1, 6), V=st.integers(2, 20),
                     scale=st.sampled_from([0.1, 1.0, 10.0]), dtype=st.sampled_from([torch.float32, torch.float64]),
                     seed=st.integers(0, 2**16))


def _student_gradient(lm_loss, logits, targets):
    """The gradient of the student's loss with respect to the logits, computed where their code runs
    (a loss that crosses by value is a copy, cut from the graph that produced it)."""
    torch_there = student_module("torch")
    leaf = wire.remote(torch_there).as_tensor(logits).proxy  # a leaf that requires grad, over there
    loss = wire.remote(lm_loss)(leaf, targets).proxy
    (grad,) = torch_there.autograd.grad(loss, leaf)
    return grad


@judged
def check_lm_loss(lm_loss) -> None:
    """Part 2: the mean cross-entropy over every position, its value and its gradient."""
    __tracebackhide__ = True

    @grading(50)
    @given(logits_problems())
    def matches_cross_entropy(p):
        g = torch.Generator().manual_seed(p.seed)
        logits = (torch.randn(p.batch, p.T, p.V, generator=g, dtype=p.dtype) * p.scale).requires_grad_()
        targets = torch.randint(p.V, (p.batch, p.T), generator=g)
        got = lm_loss(logits, targets)
        expected = F.cross_entropy(logits.reshape(-1, p.V), targets.reshape(-1))
        what = f"lm_loss(logits {tuple(logits.shape)}, targets {tuple(targets.shape)})"
        assert_tensor_close(got, expected, what=f"{what} vs F.cross_entropy over all positions (a 0-dim tensor)")
        if not got.requires_grad:
            raise AssertionError(f"{what}: the loss does not depend on the logits in autograd; keep it a tensor "
                                 "(no .item(), no .detach()) so that training can call .backward() on it")
        (expected_grad,) = torch.autograd.grad(expected, logits)
        assert_tensor_close(_student_gradient(lm_loss, logits, targets), expected_grad,
                            what=f"gradient of {what} with respect to the logits")

    run_property("lm_loss vs F.cross_entropy", matches_cross_entropy)


# ----------------------------------------------------------------------------------- estimate_loss

#: the probability next_token_model gives the next token after token x: NEXT_PROBABILITY[x % 3]
NEXT_PROBABILITY = (0.5, 0.25, 0.8)


def next_token_model(vocab_size: int):
    """A model built where the student's code runs: after token x it predicts (x + 1) % V with
    probability NEXT_PROBABILITY[x % 3], the rest of the probability spread evenly, so on the stream
    0, 1, ..., V-1, 0, 1, ... its loss at a position holding x is exactly -ln NEXT_PROBABILITY[x % 3]
    and two batches have different losses. An embedding whose rows are these log-probabilities: its
    output requires grad exactly when it ran with gradients enabled."""
    V = vocab_size
    q = torch.tensor([NEXT_PROBABILITY[x % 3] for x in range(V)], dtype=torch.float64)
    logp = ((1 - q) / (V - 1)).log().unsqueeze(1).expand(V, V).clone()
    logp[torch.arange(V), (torch.arange(V) + 1) % V] = q.log()
    model = student_module("torch").nn.Embedding(V, V)
    model.load_state_dict({"weight": logp.float()})
    return model.train()


def known_batch_loss(tokens) -> float:
    """next_token_model's mean loss over input tokens of the stream (nested lists of any shape), their
    next tokens as targets."""
    def flat(x):
        return [t for y in x for t in flat(y)] if isinstance(x, (list, tuple)) else [x]
    return sum(-math.log(NEXT_PROBABILITY[int(t) % 3]) for t in flat(tokens)) / len(flat(tokens))


def record_calls(model) -> list[tuple[tuple[int, ...], bool, bool, list]]:
    """The shape of each input, whether gradients were enabled, whether the model was in training
    mode and the input tokens, for every call of `model` from now on (a forward hook that reports here)."""
    calls = []

    def record(module, args, output):
        calls.append((tuple(args[0].shape), bool(output.requires_grad), bool(module.training), args[0].tolist()))

    model.register_forward_hook(wire.Handout(record, ops={"call"}))  # the kernel may only call it
    return calls


class Estimate(NamedTuple):
    batch_size: int
    context_window_size: int
    eval_iters: int
    vocab_size: int


@judged
def check_estimate_loss(estimate_loss) -> None:
    """Part 4: the mean loss of eval_iters batches, in eval mode, without gradients, as a float."""
    __tracebackhide__ = True

    @grading(15)
    @given(st.builds(Estimate, batch_size=st.integers(1, 4), context_window_size=st.integers(1, 8),
                     eval_iters=st.integers(1, 5), vocab_size=st.integers(3, 11)))
    def known_loss(p):
        data = torch.arange(200) % p.vocab_size
        model = next_token_model(p.vocab_size)
        calls = record_calls(model)
        manual_seed(0)
        got = estimate_loss(model, data, p.batch_size, p.context_window_size, p.eval_iters)
        what = (f"estimate_loss(model, data, batch_size={p.batch_size}, context_window_size={p.context_window_size}, "
                f"eval_iters={p.eval_iters})")
        if not isinstance(got, float):
            raise AssertionError(f"{what}: return a Python float (e.g. with .item()), got {type(got).__name__}")
        if not calls:
            raise AssertionError(f"{what}: the model was never called")
        if any(grad for _, grad, _, _ in calls):
            raise AssertionError(f"{what}: the model ran with gradients enabled; evaluate under torch.no_grad()")
        if any(training for _, _, training, _ in calls):
            raise AssertionError(f"{what}: the model ran in training mode; call model.eval() first (dropout "
                                 "must be off while measuring)")
        if not model.training:
            raise AssertionError(f"{what}: the model was left in eval mode; switch it back with model.train()")
        shapes = [s for s, _, _, _ in calls]
        rows = sum(math.prod(s[:-1]) for s in shapes)
        if any(s[-1] != p.context_window_size for s in shapes) or rows != p.batch_size * p.eval_iters:
            raise AssertionError(f"{what}: expected eval_iters batches of batch_size windows of context_window_size "
                                 f"tokens ({p.eval_iters} x {p.batch_size} x {p.context_window_size}), the model saw {shapes}")
        # the batches all have batch_size rows (checked above), so the mean of their losses is the mean
        # over every position the model saw, however the calls were cut
        expected = known_batch_loss([tokens for *_, tokens in calls])
        last = known_batch_loss(calls[-1][3])
        if not math.isclose(got, expected, rel_tol=1e-5, abs_tol=1e-6):
            hint = (" That is the loss of the last batch only: return the mean over the eval_iters batches."
                    if math.isclose(got, last, rel_tol=1e-5, abs_tol=1e-6) else "")
            raise AssertionError(
                f"{what}: the model predicts each next token with a known probability, so the mean loss of the batches "
                f"it saw is {expected:.6f}; got {got:.6f}. Average the mean cross-entropy of the batches, comparing "
                f"the logits with the next tokens (Y).{hint}")

    run_property("estimate_loss on a model with a known loss", known_loss)


# ----------------------------------------------------------------------------------- init_gpt_weights

#: GPTs the init is checked on: wide enough that every kind of tensor holds thousands of values.
INIT_CONFIGS = (dict(vocab_size=512, context_window_size=64, embedding_dim=128, num_heads=4, num_layers=2),
                dict(vocab_size=300, context_window_size=96, embedding_dim=96, num_heads=2, num_layers=6))
STD_TOLERANCE = 0.05          # relative; each tensor kind has >= 6,000 values: 6 standard errors or more
MEAN_SIGMAS = 6               # |mean| below 6 standard errors of the mean
NORMAL_P_VALUE = 1e-6         # Kolmogorov-Smirnov test of N(0, std): false failure one in a million
INITIAL_LOSS_MARGIN = 0.1     # |loss - ln V| on random tokens right after the init


def _kind(name: str, module: nn.Module) -> str | None:
    leaf = name.rsplit(".", 1)[-1]
    if isinstance(module, nn.Linear):
        return "residual" if leaf in ("o_proj", "fc_out") else "linear"
    if isinstance(module, nn.Embedding):
        return "embedding"
    if isinstance(module, nn.LayerNorm):
        return "layernorm"
    return None


def _check_normal(values: torch.Tensor, std: float, what: str) -> None:
    from scipy.stats import kstest

    values = values.detach().double().flatten()
    n = values.numel()
    got_std, got_mean = float(values.std()), float(values.mean())
    if abs(got_std / std - 1) > STD_TOLERANCE:
        raise AssertionError(f"{what}: expected std {std:.5f}, got {got_std:.5f} ({n} values, tolerance "
                             f"{STD_TOLERANCE:.0%})")
    if abs(got_mean) > MEAN_SIGMAS * std / math.sqrt(n):
        raise AssertionError(f"{what}: expected mean 0, got {got_mean:.2e} ({n} values)")
    p = kstest(values.numpy(), "norm", args=(0.0, std)).pvalue
    if p < NORMAL_P_VALUE:
        raise AssertionError(f"{what}: the values do not look normal N(0, {std:.5f}) (Kolmogorov-Smirnov p = {p:.1e}); "
                             "use a normal distribution (nn.init.normal_)")


def _start_from_noise(model, reference: nn.Module, seed: int) -> None:
    """Give every parameter of `model` values no init leaves behind (N(0.5, 1)), so that nothing
    can be left as it was."""
    g = torch.Generator().manual_seed(seed)
    model.load_state_dict({n: torch.randn(p.shape, generator=g) + 0.5 for n, p in reference.named_parameters()},
                          strict=False)


@judged
def check_init_gpt_weights(init_gpt_weights) -> None:
    """Part 3: GPT-2's init on the course's GPT: per-kind statistics, tying kept, loss near ln V.

    The model is the course's GPT built where the student's code runs (the shipped decoder.py), so
    that the init changes it in place; its values are then read back and judged here, on a copy of
    the same architecture (solutions/decoder.py) that also tells which layer is of which kind."""
    __tracebackhide__ = True
    from solutions.decoder import GPT, GPTConfig

    decoder = student_module("decoder")
    for options in INIT_CONFIGS:
        config = GPTConfig(**options)
        L = config.num_layers
        reference = GPT(config)
        model = decoder.GPT(decoder.GPTConfig(**options))
        _start_from_noise(model, reference, L)
        where = f"GPTConfig({', '.join(f'{k}={v}' for k, v in options.items())})"
        manual_seed(100 + L)
        try:
            init_gpt_weights(model, L)
        except Exception as exc:
            raise AssertionError(f"init_gpt_weights(model, {L}) on {where}: your code raised {type(exc).__name__}: {exc}") from None
        there = wire.remote(model)
        if there.lm_head.weight.proxy.data_ptr() != there.wte.weight.proxy.data_ptr():
            raise AssertionError(f"init_gpt_weights on {where}: lm_head.weight is no longer tied to wte.weight; "
                                 "initialise in place (nn.init.normal_) instead of assigning new Parameters")
        state = model.state_dict()
        if list(state) != list(reference.state_dict()):
            raise AssertionError(f"init_gpt_weights on {where}: the model's parameters changed names or number; "
                                 "initialise the existing tensors in place")

        pools: dict[str, list[torch.Tensor]] = {"linear": [], "residual": []}
        for name, module in reference.named_modules():
            kind = _kind(name, module)
            weight, bias = state.get(f"{name}.weight"), state.get(f"{name}.bias")
            if kind in ("linear", "residual"):
                if module.weight is not reference.wte.weight:
                    pools[kind].append(weight)
                if bias is not None and not torch.all(bias == 0):
                    raise AssertionError(f"init_gpt_weights on {where}: {name}.bias must be all zeros, its largest "
                                         f"value is {bias.abs().max():.3g}")
            elif kind == "embedding":
                _check_normal(weight, 0.02, f"init_gpt_weights on {where}: {name}.weight (Embedding)")
            elif kind == "layernorm":
                if not (torch.all(weight == 1) and torch.all(bias == 0)):
                    raise AssertionError(f"init_gpt_weights on {where}: {name} must have weight 1 and bias 0")
        _check_normal(torch.cat([w.flatten() for w in pools["linear"]]), 0.02,
                      f"init_gpt_weights on {where}: weights of the Linear layers other than o_proj and fc_out")
        residual_std = 0.02 / math.sqrt(2 * L)
        _check_normal(torch.cat([w.flatten() for w in pools["residual"]]), residual_std,
                      f"init_gpt_weights on {where}: weights of the residual projections o_proj and fc_out "
                      f"(0.02 / sqrt(2 * num_layers) = {residual_std:.5f})")

        reference.load_state_dict(state)
        g = torch.Generator().manual_seed(L)
        tokens = torch.randint(config.vocab_size, (8, config.context_window_size), generator=g)
        targets = torch.randint(config.vocab_size, tokens.shape, generator=g)  # unrelated to the inputs
        with torch.no_grad():
            logits = reference.eval()(tokens)
        loss = float(F.cross_entropy(logits.reshape(-1, config.vocab_size), targets.reshape(-1)))
        if abs(loss - math.log(config.vocab_size)) > INITIAL_LOSS_MARGIN:
            raise AssertionError(f"init_gpt_weights on {where}: the loss on random tokens right after the init is "
                                 f"{loss:.3f}, expected within {INITIAL_LOSS_MARGIN} of ln(vocab_size) = "
                                 f"{math.log(config.vocab_size):.3f}")


# ----------------------------------------------------------------------------------- input checks

_TEN = torch.arange(10)
_LOGITS = torch.zeros(2, 3, 5)


def _small_gpt_there():
    """A small GPT of the shipped decoder.py, built where the student's code runs."""
    decoder = student_module("decoder")
    return decoder.GPT(decoder.GPTConfig(vocab_size=16, context_window_size=4, embedding_dim=8, num_heads=2,
                                         num_layers=1))


#: the invalid calls Task 5 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`get_batch(data, 2, 10)` with `data` of 10 tokens (no room for the targets) raises `ValueError`",
               lambda f: f["get_batch"](_TEN, 2, 10)),
    InputCheck("`get_batch(data, 0, 3)`: `batch_size = 0` raises `ValueError`",
               lambda f: f["get_batch"](_TEN, 0, 3)),
    InputCheck("`get_batch(data, 2, 0)`: `context_window_size = 0` raises `ValueError`",
               lambda f: f["get_batch"](_TEN, 2, 0)),
    InputCheck("`lm_loss` with logits of shape `(2, 3, 5)` and targets of shape `(2, 4)` raises `ValueError`",
               lambda f: f["lm_loss"](_LOGITS, torch.zeros(2, 4, dtype=torch.long))),
    InputCheck("`lm_loss` with logits of shape `(2, 3, 5)` and targets of shape `(3, 2)` (as many targets, in the "
               "wrong shape) raises `ValueError`",
               lambda f: f["lm_loss"](_LOGITS, torch.zeros(3, 2, dtype=torch.long))),
    InputCheck("`init_gpt_weights(model, 0)`: `num_layers = 0` raises `ValueError`",
               lambda f: f["init_gpt_weights"](_small_gpt_there(), 0)),
)


@judged
def check_input_checks(get_batch, lm_loss, init_gpt_weights) -> None:
    """Part 5: the ValueErrors of Tasks 1 to 3, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, get_batch=get_batch, lm_loss=lm_loss, init_gpt_weights=init_gpt_weights)
