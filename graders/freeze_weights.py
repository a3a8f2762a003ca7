"""Hidden checks of 5_2_fine_tuning_freeze_weights (freezing, counting, the optimizer).

The models are tiny GPT-Neo configurations with fixed weights: four layers (global and local
attention alternating), 16 wide, a vocabulary of 61 tokens, with the output layer tied to the token
embedding (and, for counting, also untied). The student's functions change a model in place, so the
model they get is built where their code runs (`student_model`); the expected values come from a
twin of it built here (`tiny_model`). Each check sets the model up as the reference would, except
for the function it grades, so a mistake costs the points of its own part only. Oracles:
- freeze_attention: the reference's requires_grad flags; after training steps, frozen tensors are
  bit-identical and every other tensor has changed;
- count_parameters: the reference, and a count over the state dict deduplicated by storage that
  keeps parameters only;
- make_optimizer: exactly the trainable parameters, once each; weight decay 0 on biases and
  LayerNorm parameters, `weight_decay` on the Linear weights; and frozen parameters of a model that
  already holds (zero) gradients do not drift over training steps.

The edge cases each part probes are listed in `EDGES` and stated in the notebook; the invalid
arguments (a layer index out of range, negative included, rejected before anything is frozen; a part
that is not an attention projection; `lr <= 0`; a negative `weight_decay`) are graded apart, in
`check_input_checks` (graders/contract.py), and no computation part tries them.
Hands out: tiny GPT-Neo models built where the student's code runs from the judge's weights (a fresh
one per call), and optimizers built there over their parameters; nothing of the judge's own.
"""

from __future__ import annotations

import copy
import functools
from typing import NamedTuple

import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from solutions import freeze_weights as reference

from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import grading, on_one_thread, run_property
from .properties import student_isinstance, student_module, type_name
from .wire import is_proxy, remote

VOCAB, LAYERS = 61, 4
PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")

#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_freeze_attention": (
        Edge("an empty `layer_indices` (nothing is frozen)"),
        Edge("layer indices in any order"),
        Edge("the default `parts`, a single projection, or all four with `out_proj` (whose bias is frozen too)"),
    ),
    "check_count_parameters": (
        Edge("a tied and an untied `lm_head`"),
        Edge("nothing frozen at all"),
    ),
    "check_make_optimizer": (
        Edge("`weight_decay = 0.0`"),
        Edge("a model that already holds zero gradients from earlier training"),
    ),
}


def _config(tie: bool) -> dict:
    return dict(vocab_size=VOCAB, max_position_embeddings=32, hidden_size=16, num_layers=LAYERS, num_heads=2,
                attention_types=[[["global", "local"], LAYERS // 2]], window_size=4, intermediate_size=32,
                tie_word_embeddings=tie, bos_token_id=0, eos_token_id=0)


@functools.lru_cache(maxsize=None)
def _base_model(seed: int, tie: bool):
    from transformers import GPTNeoConfig, GPTNeoForCausalLM

    torch.manual_seed(seed)  # this process's own model: nothing to draw in the kernel
    return GPTNeoForCausalLM(GPTNeoConfig(**_config(tie))).eval()


def tiny_model(seed: int = 0, tie: bool = True):
    """A fresh copy of a tiny random GPT-Neo (the same weights for the same seed)."""
    return copy.deepcopy(_base_model(seed, tie))


def student_model(seed: int = 0, tie: bool = True):
    """`tiny_model(seed, tie)` built where the student's code runs (in the kernel when judged), so that
    what their functions do to it in place happens to this very model."""
    transformers = student_module("transformers")
    model = transformers.GPTNeoForCausalLM(transformers.GPTNeoConfig(**_config(tie)))
    model.load_state_dict(_base_model(seed, tie).state_dict())
    return model.eval()


def _owner(x):
    """x, with results that stay where it lives: calls on a proxy's result (a loss's backward, an
    in-place change of a parameter) must run in the kernel, not on a copy."""
    return remote(x) if is_proxy(x) else x


def _parameter(model, name: str):
    """The parameter `name` of `model` itself (a proxy of it when the model is the kernel's)."""
    p = _owner(model).get_parameter(name)
    return p.proxy if is_proxy(model) else p


def _twin(model, seed: int, tie: bool = True):
    """A tiny_model of this process with the requires_grad flags of `model` (by name)."""
    twin, flags = tiny_model(seed, tie), {n: p.requires_grad for n, p in model.named_parameters()}
    for n, p in twin.named_parameters():
        p.requires_grad_(flags.get(n, True))
    return twin


class Freeze(NamedTuple):
    """Which layers and projections to freeze; parts=None means the default (q, k, v)."""

    layers: tuple[int, ...]
    parts: tuple[str, ...] | None
    seed: int


def freezes(min_layers: int = 0):
    return st.builds(
        Freeze,
        layers=st.lists(st.integers(0, LAYERS - 1), min_size=min_layers, max_size=LAYERS, unique=True).map(tuple),
        parts=st.none() | st.lists(st.sampled_from(PARTS), min_size=1, max_size=4, unique=True).map(tuple),
        seed=st.integers(0, 2),
    )


def _freeze(fn, model, f: Freeze) -> None:
    if f.parts is None:
        fn(model, list(f.layers))
    else:
        fn(model, list(f.layers), parts=list(f.parts))


def _reference_freeze(model, f: Freeze, tie: bool = True):
    """reference.freeze_attention applied to `model` where it lives: the parameters it freezes on a
    twin (returned) are frozen by name in `model`."""
    twin = tiny_model(f.seed, tie)
    _freeze(reference.freeze_attention, twin, f)
    for name, p in twin.named_parameters():
        if not p.requires_grad:
            _owner(model).get_parameter(name).requires_grad_(False)
    return twin


def _reference_optimizer(model, seed: int, lr: float, weight_decay: float):
    """reference.make_optimizer(model, lr, weight_decay), built where `model` lives: the reference
    groups a twin's parameters; the optimizer holds `model`'s parameters of the same names."""
    twin = _twin(model, seed)
    names = {id(p): n for n, p in twin.named_parameters()}
    groups = [{**g, "params": [_parameter(model, names[id(p)]) for p in g["params"]]}
              for g in reference.make_optimizer(twin, lr, weight_decay).param_groups]
    return student_module("torch").optim.AdamW(groups, lr=lr)


def _train(model, optimizer, steps: int = 3, seed: int = 0) -> None:
    g = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(steps):
        batch = torch.randint(0, VOCAB, (2, 12), generator=g)
        optimizer.zero_grad(set_to_none=False)
        _owner(model)(input_ids=batch, labels=batch).loss.backward()
        optimizer.step()


def _assert_frozen_kept_and_rest_moved(model, before: dict[str, torch.Tensor], what: str) -> None:
    for name, p in model.named_parameters():
        same = torch.equal(p.detach(), before[name])
        if not p.requires_grad and not same:
            diff = (p.detach() - before[name]).abs().max().item()
            raise AssertionError(f"{what}: frozen parameter {name} changed by up to {diff:.3g}; it must stay "
                                 f"bit-for-bit identical")
        if p.requires_grad and same:
            raise AssertionError(f"{what}: trainable parameter {name} did not change during training")


# ---------------------------------------------------------------------------------------- part 1

@judged
@on_one_thread
def check_freeze_attention(freeze_attention) -> None:
    """Part 1: freeze_attention."""
    __tracebackhide__ = True

    def same_flags(ours, theirs, f, what):
        """Freeze `ours` with the reference and `theirs` with the student's code: the same parameters frozen."""
        _freeze(reference.freeze_attention, ours, f)
        _freeze(freeze_attention, theirs, f)
        expected = {n for n, p in ours.named_parameters() if not p.requires_grad}
        got = {n for n, p in theirs.named_parameters() if not p.requires_grad}
        if got != expected:
            missing, extra = sorted(expected - got), sorted(got - expected)
            raise AssertionError(
                f"{what}: "
                + (f"these should be frozen but are trainable: {missing[:4]}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"these should stay trainable but are frozen: {extra[:4]}" if extra else ""))

    @grading(40)
    @given(freezes())
    def flags_match_reference(f):
        ours, theirs = tiny_model(f.seed), student_model(f.seed)
        same_flags(ours, theirs, f, f"freezing layers {list(f.layers)} with parts={f.parts or 'default'}")

    @grading(8)
    @given(freezes(min_layers=1))
    def frozen_stay_the_rest_moves(f):
        model = student_model(f.seed)
        _freeze(freeze_attention, model, f)
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        _train(model, _reference_optimizer(model, f.seed, 1e-2, 0.1), seed=f.seed)
        _assert_frozen_kept_and_rest_moved(model, before, f"after 3 AdamW steps with layers {list(f.layers)} "
                                                          f"and parts={f.parts or 'default'} frozen")

    names = sorted(n for n, _ in tiny_model().named_parameters())

    @grading(20)
    @given(freezes(), st.lists(st.sampled_from(names), min_size=1, max_size=6, unique=True))
    def leaves_other_flags_alone(f, already):
        ours, theirs = tiny_model(f.seed), student_model(f.seed)
        for name in already:  # frozen before the call, as by an earlier freeze
            ours.get_parameter(name).requires_grad_(False)
            _owner(theirs).get_parameter(name).requires_grad_(False)
        same_flags(ours, theirs, f, f"freezing layers {list(f.layers)} with parts={f.parts or 'default'} in a model "
                    f"where {already[:4]} were already frozen (freeze_attention leaves every other parameter as it was)")

    run_property("freeze_attention freezes the right parameters", flags_match_reference)
    run_property("freeze_attention leaves the other parameters as they were", leaves_other_flags_alone)
    run_property("frozen parameters do not train", frozen_stay_the_rest_moves)


# ---------------------------------------------------------------------------------------- part 2

def oracle_counts(model) -> dict[str, int]:
    """Count over named_parameters with duplicates kept, deduplicated by storage."""
    seen, counts = set(), {"trainable": 0, "frozen": 0}
    for _, p in model.named_parameters(remove_duplicate=False):
        key = (p.untyped_storage().data_ptr(), p.storage_offset(), tuple(p.shape))
        if key in seen:
            continue
        seen.add(key)
        counts["trainable" if p.requires_grad else "frozen"] += p.numel()
    counts["total"] = counts["trainable"] + counts["frozen"]
    return counts


@judged
@on_one_thread
def check_count_parameters(count_parameters) -> None:
    """Part 2: count_parameters."""
    __tracebackhide__ = True

    @grading(30)
    @given(freezes(), st.booleans())
    def counts_match(f, tie):
        model = student_model(f.seed, tie)
        twin = _reference_freeze(model, f, tie)
        expected = reference.count_parameters(twin)
        assert expected == oracle_counts(twin)
        got = count_parameters(model)
        if not student_isinstance(got, "builtins.dict"):
            raise AssertionError(f"count_parameters must return a dict, got {type_name(got)}")
        got = {k: got.get(k) for k in ("trainable", "frozen", "total")}
        if got != expected:
            raise AssertionError(
                f"{'tied' if tie else 'untied'} lm_head, layers {list(f.layers)} frozen with parts="
                f"{f.parts or 'default'}: expected {expected}, got {got}"
                + (" (a tied weight is one tensor: count it once; buffers are not parameters)" if
                   got.get("total") != expected["total"] else ""))

    run_property("count_parameters", counts_match)


# ---------------------------------------------------------------------------------------- part 3

class OptProblem(NamedTuple):
    freeze: Freeze
    lr: float
    weight_decay: float


def opt_problems():
    return st.builds(OptProblem, freeze=freezes(min_layers=1), lr=st.sampled_from([1e-3, 3e-3, 1e-2]),
                     weight_decay=st.sampled_from([0.0, 0.01, 0.1, 0.5]))


def _no_decay_params(model) -> set[str]:
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[id(p)] for module in model.modules() for name, p in module.named_parameters(recurse=False)
            if name == "bias" or isinstance(module, nn.LayerNorm)}


def _linear_weights(model) -> set[str]:
    names = {id(p): n for n, p in model.named_parameters()}
    output = model.get_output_embeddings().weight  # tied to the embedding: left to the student's choice
    return {names[id(m.weight)] for m in model.modules() if isinstance(m, nn.Linear) and m.weight is not output}


def _held(optimizer, model) -> tuple[list[tuple[int, str | None, dict]], list[dict]]:
    """What a kernel's optimizer holds: each tensor in order, as its identity, its name in the kernel's
    `model` (None when it is not one of the model's parameters) and its group's options; and the
    options of each group. Identity is asked where the tensors live."""
    builtins = student_module("builtins")
    ids = list(builtins.map(builtins.id, remote(model).parameters().proxy))
    name_of = dict(zip(ids, (n for n, _ in model.named_parameters())))
    groups = remote(optimizer).param_groups
    held, options = [], []
    for i in range(len(groups.proxy)):
        options.append({k: v for k, v in groups.proxy[i].items() if k != "params"})
        held += [(t, name_of.get(t), options[-1]) for t in builtins.map(builtins.id, groups[i]["params"].proxy)]
    return held, options


@judged
@on_one_thread
def check_make_optimizer(make_optimizer) -> None:
    """Part 3: make_optimizer."""
    __tracebackhide__ = True

    @grading(30)
    @given(opt_problems())
    def holds_the_trainable_parameters(problem):
        f = problem.freeze
        model = student_model(f.seed)
        twin = _reference_freeze(model, f)
        opt = make_optimizer(model, problem.lr, problem.weight_decay)
        if not student_isinstance(opt, "torch.optim.AdamW"):
            raise AssertionError(f"make_optimizer must return a torch.optim.AdamW, got {type_name(opt)}")
        held, groups = _held(opt, model)
        ids = [i for i, _, _ in held]
        if len(ids) != len(set(ids)):
            raise AssertionError("the optimizer holds a parameter more than once")
        trainable = {n for n, p in twin.named_parameters() if p.requires_grad}
        frozen_held = sorted(name or "?" for _, name, _ in held if name not in trainable)
        if frozen_held:
            raise AssertionError(f"layers {list(f.layers)} frozen: the optimizer holds frozen parameters "
                                 f"{frozen_held[:4]}; give it the trainable parameters only")
        missing = sorted(trainable - {name for _, name, _ in held})
        if missing:
            raise AssertionError(f"the optimizer misses trainable parameters {missing[:4]}")
        decay = {name: options["weight_decay"] for _, name, options in held}
        lrs = {options["lr"] for options in groups}
        if lrs != {problem.lr}:
            raise AssertionError(f"lr={problem.lr}: the parameter groups have learning rates {sorted(lrs)}")
        for name in sorted(_no_decay_params(twin) & set(decay)):
            if decay[name] != 0:
                raise AssertionError(f"{name} has weight_decay={decay[name]}; biases and LayerNorm parameters get 0")
        for name in sorted(_linear_weights(twin) & set(decay)):
            if decay[name] != problem.weight_decay:
                raise AssertionError(f"weight_decay={problem.weight_decay}: the weight matrix {name} has "
                                     f"weight_decay={decay[name]}")

    @grading(10)
    @given(opt_problems().filter(lambda p: p.weight_decay > 0))
    def frozen_do_not_drift(problem):
        f = problem.freeze
        model = student_model(f.seed)
        batch = torch.randint(0, VOCAB, (2, 12), generator=torch.Generator().manual_seed(f.seed))
        _owner(model)(input_ids=batch, labels=batch).loss.backward()   # trained before: every .grad is a tensor
        model.zero_grad(set_to_none=False)
        _reference_freeze(model, f)
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        _train(model, make_optimizer(model, problem.lr, problem.weight_decay), seed=f.seed)
        _assert_frozen_kept_and_rest_moved(
            model, before, f"a model holding zero gradients, layers {list(f.layers)} frozen (parts="
                           f"{f.parts or 'default'}), 3 steps with weight_decay={problem.weight_decay}")

    run_property("make_optimizer parameter groups", holds_the_trainable_parameters)
    run_property("frozen parameters do not drift", frozen_do_not_drift)


# ---------------------------------------------------------------------------------------- part 4

def _model():
    """A fresh 4-layer tiny GPT-Neo where the student's code runs; an error here is not the input check's answer."""
    try:
        return student_model()
    except Exception as exc:
        raise RuntimeError(f"building a tiny GPT-Neo raised {type(exc).__name__}: {exc}") from None


def _rejects_before_freezing(freeze_attention, layer_indices, **kwargs):
    """freeze_attention(a fresh model, layer_indices, **kwargs), which must raise ValueError before it
    freezes anything: an AssertionError says so when it raised only after freezing some parameters."""
    model = _model()
    try:
        freeze_attention(model, layer_indices, **kwargs)
    except ValueError:
        frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
        if frozen:
            raise AssertionError(f"the ValueError came after {frozen[0]} (and {len(frozen) - 1} more) had been "
                                 "frozen: check every index and part before changing anything") from None
        raise


#: the invalid calls Task 4 lists, tried by check_input_checks (`model` has 4 layers)
INPUT_CHECKS = (
    InputCheck(f"`freeze_attention(model, [{LAYERS}])`: a layer index outside `range(num_layers)` raises `ValueError`",
               lambda f: _rejects_before_freezing(f["freeze_attention"], [LAYERS])),
    InputCheck("`freeze_attention(model, [-1])`: a negative index is not in `range(num_layers)` either, and raises "
               "`ValueError`", lambda f: _rejects_before_freezing(f["freeze_attention"], [-1])),
    InputCheck(f"`freeze_attention(model, [0, {LAYERS + 3}])`: one index out of range among good ones raises "
               "`ValueError` before anything is frozen (layer 0 stays trainable)",
               lambda f: _rejects_before_freezing(f["freeze_attention"], [0, LAYERS + 3])),
    InputCheck("`freeze_attention(model, [0], parts=[\"c_fc\"])`: a part that is not an attention projection raises "
               "`ValueError`", lambda f: _rejects_before_freezing(f["freeze_attention"], [0], parts=["c_fc"])),
    InputCheck("`make_optimizer(model, 0.0, 0.1)`: `lr = 0` raises `ValueError`",
               lambda f: f["make_optimizer"](_model(), 0.0, 0.1)),
    InputCheck("`make_optimizer(model, -1e-3, 0.1)`: a negative `lr` raises `ValueError`",
               lambda f: f["make_optimizer"](_model(), -1e-3, 0.1)),
    InputCheck("`make_optimizer(model, 1e-3, -0.1)`: a negative `weight_decay` raises `ValueError`",
               lambda f: f["make_optimizer"](_model(), 1e-3, -0.1)),
)


@judged
@on_one_thread
def check_input_checks(freeze_attention, make_optimizer) -> None:
    """Part 4: the ValueErrors of Tasks 1 and 3, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, freeze_attention=freeze_attention, make_optimizer=make_optimizer)
