"""Hidden checks of 3_2_transformer_impl_transformer_block (GPT-2's block, one attention head).

The oracle is the reference (solutions/transformer_block.py) with the same weights, copied into the
student's modules by the contract's parameter names, plus properties every correct block has:
causality (changing later tokens leaves earlier outputs unchanged), the residual structure (with
the sublayers' output projections zeroed the block is the identity) and the parameter count
12 E^2 + 13 E. The block check puts reference sublayers into the student's block, so that it grades
the block's wiring (pre-LayerNorm, two residual branches) and not the head or the MLP again.
Dropout (`TransformerBlock(E, dropout=p)`) is seen with one sublayer silenced (its output projection
zeroed): in training mode the block's output minus its input is, value by value, the other
sublayer's output dropped (0) or kept and scaled by 1 / (1 - p), whatever order the student's code
draws its masks in; in eval mode the block equals the reference without dropout.
The edge cases the parts probe are listed in `EDGES` and stated in the notebook; the one input check
(a block with more than one head is a ValueError) is graded apart, in `check_input_checks`
(graders/contract.py), and no computation part tries it.
Hands out: copies of the reference's attention head and MLP, placed in the student's block via
`inside_student_module`: they compute in the judge and are handed out for calls only (wire.Handout:
no attribute, no parameter, no result but tensors); everything else crosses by value.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from hypothesis import given
from hypothesis import strategies as st

from solutions import transformer_block as reference

from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import assert_tensor_close, grading, inside_student_module, load_weights, manual_seed, run_property


class Problem(NamedTuple):
    """A batch of B sequences of T vectors of size E; hypothesis prints it by field on failure."""

    B: int
    T: int
    E: int
    seed: int


_SHAPES = (Edge("batches of 1 to 3 sequences of 1 to 8 tokens, a single token (T = 1) included"),
           Edge("embedding sizes from E = 1 up"))
#: check -> the edge cases its properties draw (graders/contract.py); the notebook states each
EDGES = {
    "check_attention_head": _SHAPES,
    "check_mlp": (*_SHAPES, Edge("`expansion` 1, 2 and 4, and the default")),
    "check_transformer_block": (*_SHAPES, Edge("parameter counts for every E from 1 to 64")),
}


def problems(max_E: int = 12):
    return st.builds(Problem, B=st.integers(1, 3), T=st.integers(1, 8), E=st.integers(1, max_E),
                     seed=st.integers(0, 2**16))


def randomize(module: torch.nn.Module, seed: int, scale: float = 0.5) -> torch.nn.Module:
    """Give every parameter random values (LayerNorm gains around 1), so that every weight matters."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            noise = torch.randn(p.shape, generator=g) * scale
            p.copy_(1 + noise if ".ln" in f".{name}" and name.endswith("weight") else noise)
    return module.eval()


def inputs(problem: Problem, scale: float = 1.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(problem.seed + 1)
    return torch.randn(problem.B, problem.T, problem.E, generator=g) * scale


def twin(make_student, ref: torch.nn.Module, what: str) -> torch.nn.Module:
    """The student's module built by `make_student()`, in eval mode, holding the reference's weights."""
    __tracebackhide__ = True
    student = make_student().eval()
    load_weights(student, ref.state_dict(), what)
    return student


def output(module, x: torch.Tensor, what: str) -> torch.Tensor:
    __tracebackhide__ = True
    with torch.no_grad():
        y = module(x)
    if not isinstance(y, torch.Tensor) or tuple(y.shape) != tuple(x.shape):
        shape = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        raise AssertionError(f"{what}: input of shape {tuple(x.shape)} must give the same shape, got {shape}")
    return y


def assert_causal(module, problem: Problem, data, what: str) -> None:
    """Changing the inputs from a position m on leaves the outputs before m unchanged."""
    __tracebackhide__ = True
    x = inputs(problem)
    m = data.draw(st.integers(1, problem.T), label="first changed position")
    x2 = x.clone()
    x2[:, m:] += 2.0
    a, b = output(module, x, what), output(module, x2, what)
    assert_tensor_close(b[:, :m], a[:, :m], what=f"{what}: changing the tokens from position {m} on changed outputs before {m} (it looks ahead)")


@judged
def check_attention_head(AttentionHead) -> None:
    """Part 1: AttentionHead(E): q/k/v/o projections with bias and causal attention."""
    __tracebackhide__ = True

    @grading(40)
    @given(problems())
    def matches_reference(problem):
        ref = randomize(reference.AttentionHead(problem.E), problem.seed)
        head = twin(lambda: AttentionHead(problem.E), ref, f"AttentionHead({problem.E})")
        x = inputs(problem)
        assert_tensor_close(output(head, x, "AttentionHead"), ref(x).detach(), what=f"AttentionHead({problem.E}) on x of shape {tuple(x.shape)}")

    @grading(20)
    @given(problems(), st.data())
    def causal(problem, data):
        ref = randomize(reference.AttentionHead(problem.E), problem.seed)
        head = twin(lambda: AttentionHead(problem.E), ref, f"AttentionHead({problem.E})")
        assert_causal(head, problem, data, "AttentionHead")

    run_property("AttentionHead vs the reference with the same weights", matches_reference)
    run_property("AttentionHead must be causal", causal)


@judged
def check_mlp(MLP) -> None:
    """Part 2: MLP(E, expansion=4): fc_in, GELU with the tanh approximation, fc_out."""
    __tracebackhide__ = True

    @grading(40)
    @given(problems(), st.sampled_from([None, 1, 2, 4]))
    def matches_reference(problem, expansion):
        args = (problem.E,) if expansion is None else (problem.E, expansion)
        ref = randomize(reference.MLP(*args), problem.seed, scale=1.0)
        mlp = twin(lambda: MLP(*args), ref, f"MLP{args}")
        x = inputs(problem, scale=2.0)
        assert_tensor_close(output(mlp, x, "MLP"), ref(x).detach(), what=f"MLP{args} on x of shape {tuple(x.shape)}")

    run_property("MLP vs the reference with the same weights", matches_reference)


def _with_reference_sublayers(block, ref):
    block.attn = inside_student_module(ref.attn)
    block.mlp = inside_student_module(ref.mlp)
    return block


@judged
def check_transformer_block(TransformerBlock) -> None:
    """Part 3: TransformerBlock(E): pre-LayerNorm, a residual around each sublayer, 12E^2 + 13E parameters."""
    __tracebackhide__ = True

    def make(problem, zero_sublayers=False):
        ref = randomize(reference.TransformerBlock(problem.E), problem.seed)
        block = twin(lambda: TransformerBlock(problem.E), ref, f"TransformerBlock({problem.E})")
        if zero_sublayers:
            with torch.no_grad():
                for layer in (ref.attn.o_proj, ref.mlp.fc_out):
                    layer.weight.zero_()
                    layer.bias.zero_()
        return ref, _with_reference_sublayers(block, ref)

    @grading(30)
    @given(problems())
    def matches_reference(problem):
        ref, block = make(problem)
        x = inputs(problem)
        assert_tensor_close(output(block, x, "TransformerBlock"), ref(x).detach(),
                            what=f"TransformerBlock({problem.E}) on x of shape {tuple(x.shape)} (with the reference's attention and MLP inside)")

    @grading(15)
    @given(problems())
    def zeroed_sublayers_give_the_identity(problem):
        _, block = make(problem, zero_sublayers=True)
        x = inputs(problem)
        assert_tensor_close(output(block, x, "TransformerBlock"), x,
                            what="with the outputs of attn and mlp zeroed, the block must return its input (x + 0 + 0)")

    @grading(15)
    @given(problems(), st.data())
    def causal(problem, data):
        _, block = make(problem)
        assert_causal(block, problem, data, "TransformerBlock")

    @grading(10)
    @given(st.integers(1, 64))
    def parameter_count(E):
        got = sum(p.numel() for p in TransformerBlock(E).parameters())
        if got != 12 * E * E + 13 * E:
            raise AssertionError(f"TransformerBlock({E}) has {got} parameters, expected 12*E^2 + 13*E = {12 * E * E + 13 * E}")

    def make_dropout(problem, p, silent):
        """The student's TransformerBlock(E, dropout=p) with the reference's weights and sublayers,
        the sublayer `silent` ("attn" or "mlp") made to output zero; and the reference (no dropout)."""
        ref = randomize(reference.TransformerBlock(problem.E), problem.seed)
        block = twin(lambda: TransformerBlock(problem.E, dropout=p), ref, f"TransformerBlock({problem.E}, dropout={p})")
        with torch.no_grad():
            layer = ref.attn.o_proj if silent == "attn" else ref.mlp.fc_out
            layer.weight.zero_()
            layer.bias.zero_()
        return ref, _with_reference_sublayers(block, ref)

    def sublayer_output(ref, x, live):
        with torch.no_grad():
            return ref.attn(ref.ln_1(x)) if live == "attn" else ref.mlp(ref.ln_2(x))

    def dropped_out(block, ref, problem, p, live, seed):
        """The block's output in training mode minus its input, checked to be, value by value, the
        live sublayer's output either dropped (0) or kept and scaled by 1 / (1 - p); the kept mask."""
        __tracebackhide__ = True
        x = inputs(problem)
        block.train()
        manual_seed(seed)
        delta = output(block, x, f"TransformerBlock(dropout={p}).train()") - x
        block.eval()
        scaled = sublayer_output(ref, x, live) / (1 - p)
        tol = 1e-5 + 1e-4 * scaled.abs()
        kept, dropped = (delta - scaled).abs() <= tol, delta.abs() <= tol
        if not bool((kept | dropped).all()):
            i = tuple(int(j) for j in (~(kept | dropped)).nonzero()[0])
            raise AssertionError(
                f"TransformerBlock({problem.E}, dropout={p}) in training mode, with only {live} outputting nonzero, on x of "
                f"shape {tuple(x.shape)}: output - x at {i} is {float(delta[i]):.6g}; dropout applied to {live}'s "
                f"output before it is added to the stream makes it 0 or {live}'s output / (1 - p) = {float(scaled[i]):.6g}")
        return kept & ~dropped

    @grading(12)
    @given(problems(), st.sampled_from([0.25, 0.5]), st.sampled_from(["attn", "mlp"]))
    def dropout_on_each_sublayer_output(problem, p, live):
        ref, block = make_dropout(problem, p, silent="mlp" if live == "attn" else "attn")
        dropped_out(block, ref, problem, p, live, seed=problem.seed)

    def dropout_only_while_training():
        problem, p = Problem(B=2, T=8, E=16, seed=3), 0.5
        for live in ("attn", "mlp"):
            ref, block = make_dropout(problem, p, silent="mlp" if live == "attn" else "attn")
            x = inputs(problem)
            assert_tensor_close(output(block, x, "TransformerBlock"), ref(x).detach(),
                                what=f"TransformerBlock({problem.E}, dropout={p}) in eval mode vs no dropout: dropout never acts in eval mode")
            kept = [dropped_out(block, ref, problem, p, live, seed) for seed in (5, 6)]
            for mask in kept:
                if bool(mask.all()):
                    raise AssertionError(f"TransformerBlock({problem.E}, dropout={p}) in training mode kept every value of "
                                         f"{live}'s output ({mask.numel()} values): apply nn.Dropout(dropout) to each sublayer's output")
            if bool((kept[0] == kept[1]).all()):
                raise AssertionError(f"TransformerBlock({problem.E}, dropout={p}) in training mode dropped the same values "
                                     f"of {live}'s output in two calls with different seeds: dropout must be random")

    run_property("TransformerBlock vs the reference with the same weights", matches_reference)
    run_property("TransformerBlock's residual connections", zeroed_sublayers_give_the_identity)
    run_property("TransformerBlock must be causal", causal)
    run_property("TransformerBlock's parameter count", parameter_count)
    run_property("TransformerBlock's dropout on each sublayer's output, in training mode", dropout_on_each_sublayer_output)
    run_property("TransformerBlock's dropout, only in training mode", dropout_only_while_training)


#: the invalid call Task 4 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`TransformerBlock(8, num_heads=2)` raises `ValueError` (this block has a single head)",
               lambda f: f["TransformerBlock"](8, num_heads=2)),
)


@judged
def check_input_checks(TransformerBlock) -> None:
    """Part 4: the ValueError of Task 3, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, TransformerBlock=TransformerBlock)
