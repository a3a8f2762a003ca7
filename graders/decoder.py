"""Hidden checks of 3_4_transformer_impl_full_transformer_decoder (GPT-2).

Oracles: the reference GPT (solutions/decoder.py) with the same weights; transformers'
GPT2LMHeadModel built from a tiny random configuration in process (nothing is downloaded), whose
logits the reference GPT reproduces once the student's `load_gpt2_weights` has copied its weights;
an argmax loop over the student's own model for greedy generation; parameter counts of
instantiated reference models, and no nn.Embedding created by `count_parameters` (the task asks for
the formula, without building the model: graders/wire.py `call_watched`). Dropout: in eval mode the
reference without dropout; in training mode, weights under which only dropout at one of the places the
notebook names (the embeddings' sum, each block's two branches, the attention weights) can change the
logits. Sampling frequencies follow softmax(logits / temperature), over the top_k tokens when given. Each part calls only the student's object it grades: the loader is
tried on the reference GPT, generation on the student's GPT whatever its forward computes.

The student's code runs in its own process (graders/judge.py). What it changes in place lives there:
the GPT the loader fills is the reference's architecture built there from torch and the shipped
modules of 3.2 and 3.3 (`_gpt_where_the_student_runs`), read back by its state dict; the token ids
and random generators given to generate are made there too. Identity (the tied unembedding) is
asked of that process with `operator.is_`.

The edge cases the parts probe are listed in `EDGES` and stated in the notebook; the one input check
(more tokens than the context window is a ValueError) is graded apart, in `check_input_checks`
(graders/contract.py), and no computation part tries it.
Hands out: nothing of the judge's; configurations, state dicts and token ids cross by value, and the
GPT the loader fills is built where the student's code runs.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from hypothesis import given
from hypothesis import strategies as st

from solutions import decoder as reference

from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import (assert_tensor_close, grading, manual_seed, run_property, shipped_module, student_copies,
                         student_module)
from .transformer_block import randomize, twin
from .wire import ForbiddenCall, call_watched, remote

GPT2_SMALL_PARAMETERS = 124_439_808


class Config(NamedTuple):
    """A small GPT configuration (E = H * D); hypothesis prints it by field on failure."""

    V: int
    C: int
    H: int
    D: int
    L: int
    seed: int

    def kwargs(self) -> dict:
        return dict(vocab_size=self.V, context_window_size=self.C, embedding_dim=self.H * self.D,
                    num_heads=self.H, num_layers=self.L)


_SIZES = Edge("vocabularies of 2 to 40 tokens, context windows of 1 to 10 positions, 1 to 3 heads of sizes 1 to 4")
_NO_BLOCKS = Edge("models without any block (`num_layers = 0`)")
_LENGTHS = Edge("sequences from a single token up to the whole context window")
#: check -> the edge cases its properties draw (graders/contract.py); the notebook states each
EDGES = {
    "check_gpt": (_SIZES, _NO_BLOCKS, _LENGTHS),
    "check_load_gpt2_weights": (_SIZES, Edge("one or two blocks"), _LENGTHS),
    "check_generate": (
        _SIZES, _NO_BLOCKS, _LENGTHS,
        Edge("`max_new_tokens = 0` (the ids come back as they were)"),
        Edge("generating past the context window: prompt and new tokens together longer than `context_window_size`"),
        Edge("`temperature` 0.5, 1 and 2 with `top_k` from 1 to 5, including a `top_k` larger than the vocabulary "
             "(then every token may be drawn)"),
    ),
    "check_count_parameters": (_SIZES, _NO_BLOCKS, Edge("vocabularies of up to 1000 tokens, and GPT-2 small")),
}


def configs(min_layers: int = 0, max_context: int = 10):
    return st.builds(Config, V=st.integers(2, 40), C=st.integers(1, max_context), H=st.integers(1, 3),
                     D=st.integers(1, 4), L=st.integers(min_layers, 2), seed=st.integers(0, 2**16))


def token_ids(cfg: Config, B: int, T: int, seed: int) -> torch.Tensor:
    return torch.randint(0, cfg.V, (B, T), generator=torch.Generator().manual_seed(seed))


def _randomized(model, seed: int, scale: float):
    """`randomize` for a model of the student's (a proxy): the same values, sent by load_state_dict."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for name, p in model.named_parameters():
        noise = torch.randn(p.shape, generator=g) * scale
        state[name] = 1 + noise if ".ln" in f".{name}" and name.endswith("weight") else noise
    model.load_state_dict(state, strict=False)
    return model.eval()


def _generator(seed: int):
    """A torch.Generator seeded with `seed`, where the student's code draws with it."""
    return student_module("torch").Generator().manual_seed(seed)


def _logits(model, ids, what):
    __tracebackhide__ = True
    with torch.no_grad():
        out = model(ids)
    B, T = ids.shape
    if not isinstance(out, torch.Tensor) or out.dim() != 3 or tuple(out.shape[:2]) != (B, T):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise AssertionError(f"{what}: token ids of shape {(B, T)} must give logits (B, T, vocab_size), got {shape}")
    return out


@judged
def check_gpt(GPT, GPTConfig) -> None:
    """Part 1: GPTConfig's defaults; GPT's embeddings, blocks, ln_f and tied lm_head."""
    __tracebackhide__ = True
    fields = {"vocab_size": 50257, "context_window_size": 1024, "embedding_dim": 768, "num_heads": 12,
              "num_layers": 12, "dropout": 0.0}
    default = GPTConfig()
    for name, value in fields.items():
        if getattr(default, name, None) != value:
            raise AssertionError(f"GPTConfig().{name} must be {value} (GPT-2 small), got {getattr(default, name, None)!r}")

    @grading(40)
    @given(configs(), st.data())
    def matches_reference(cfg, data):
        ref = randomize(reference.GPT(reference.GPTConfig(**cfg.kwargs())), cfg.seed)
        model = twin(lambda: GPT(GPTConfig(**cfg.kwargs())), ref, f"GPT({cfg})")
        B, T = data.draw(st.integers(1, 2), label="B"), data.draw(st.integers(1, cfg.C), label="T")
        ids = token_ids(cfg, B, T, cfg.seed)
        what = f"logits of GPT({cfg}) for token ids of shape {(B, T)}"
        assert_tensor_close(_logits(model, ids, what), ref(ids).detach(), what=what)

    @grading(10)
    @given(configs())
    def tied_and_counted(cfg):
        model = GPT(GPTConfig(**cfg.kwargs()))
        if not student_module("operator").is_(remote(model).lm_head.weight.proxy, remote(model).wte.weight.proxy):
            raise AssertionError("lm_head.weight must be the same Parameter as wte.weight (tied unembedding): "
                                 "make lm_head use the very Parameter of wte")
        expected = sum(p.numel() for p in reference.GPT(reference.GPTConfig(**cfg.kwargs())).parameters())
        got = sum(p.numel() for p in model.parameters())
        if got != expected:
            raise AssertionError(f"GPT({cfg}) has {got} parameters, expected {expected}")

    @grading(8)
    @given(configs(), st.data(), st.sampled_from([0.3, 0.6]))
    def no_dropout_in_eval_mode(cfg, data, p):
        ref, model = _dropout_models(GPT, GPTConfig, p, cfg=cfg)
        B, T = data.draw(st.integers(1, 2), label="B"), data.draw(st.integers(1, cfg.C), label="T")
        ids = token_ids(cfg, B, T, cfg.seed)
        what = f"logits of GPT({cfg}, dropout={p}) in eval mode for token ids of shape {(B, T)}, vs no dropout"
        assert_tensor_close(_logits(model, ids, what), ref(ids).detach(), what=what)

    run_property("GPT vs the reference with the same weights", matches_reference)
    run_property("GPT's tied unembedding and parameter count", tied_and_counted)
    run_property("GPT with dropout, in eval mode", no_dropout_in_eval_mode)
    run_property("GPT with dropout, in training mode", lambda: _dropout_in_training(GPT, GPTConfig))


_DROPOUT_SIZE = Config(V=11, C=8, H=2, D=4, L=1, seed=5)


def _dropout_models(GPT, GPTConfig, p, setup=None, cfg=_DROPOUT_SIZE):
    """The reference GPT (no dropout) with random weights, changed by `setup(reference)`, and the
    student's GPT(GPTConfig(..., dropout=p)) holding them, in eval mode."""
    __tracebackhide__ = True
    ref = randomize(reference.GPT(reference.GPTConfig(**cfg.kwargs())), cfg.seed)
    if setup is not None:
        with torch.no_grad():
            setup(ref)
    model = twin(lambda: GPT(GPTConfig(**cfg.kwargs(), dropout=p)), ref, f"GPT({cfg}, dropout={p})")
    return ref, model


def _switch_off(*layers):
    for layer in layers:
        layer.weight.zero_()
        if getattr(layer, "bias", None) is not None:
            layer.bias.zero_()


def _embeddings_cancel(model):
    """Token 0's embedding plus any position's is zero: dropout on the embeddings' sum changes nothing."""
    model.wpe.weight.copy_(-model.wte.weight[0].expand_as(model.wpe.weight))


def _only_embeddings(model):
    for block in model.blocks:
        _switch_off(block.attn.o_proj, block.mlp.fc_out)


def _only_attention_bias(model):
    _embeddings_cancel(model)
    for block in model.blocks:
        block.attn.o_proj.weight.zero_()  # the attention branch outputs o_proj's bias, whatever the weights
        _switch_off(block.mlp.fc_out)


def _only_mlp(model):
    _embeddings_cancel(model)
    for block in model.blocks:
        _switch_off(block.attn.o_proj)


def _attention_identity(model):
    _embeddings_cancel(model)
    for block in model.blocks:
        block.attn.o_proj.weight.copy_(torch.eye(block.attn.o_proj.weight.size(0)))
        block.attn.o_proj.bias.zero_()
        _switch_off(block.mlp.fc_out)


def _dropout_in_training(GPT, GPTConfig) -> None:
    """Dropout where the notebook puts it (on the embeddings' sum, in the blocks, in their attention),
    each seen alone: weights under which only dropout at that place can change the logits in training
    mode. Whatever order the student's code draws its masks in."""
    __tracebackhide__ = True
    p = 0.3
    places = {
        "the sum of the token and position embeddings (nn.Dropout(config.dropout); every sublayer here outputs 0)":
            (_only_embeddings, token_ids(_DROPOUT_SIZE, 64, _DROPOUT_SIZE.C, 1)),
        "the attention branch's output in each block (TransformerBlock(E, dropout=config.dropout))":
            (_only_attention_bias, torch.zeros(64, _DROPOUT_SIZE.C, dtype=torch.long)),
        "the MLP branch's output in each block (TransformerBlock(E, dropout=config.dropout))":
            (_only_mlp, torch.zeros(64, _DROPOUT_SIZE.C, dtype=torch.long)),
    }
    for i, (text, (setup, ids)) in enumerate(places.items()):
        _, model = _dropout_models(GPT, GPTConfig, p, setup)
        what = f"GPT({_DROPOUT_SIZE}, dropout={p}) on token ids of shape {tuple(ids.shape)}"
        expected = _logits(model, ids, what)
        model.train()
        manual_seed(20 + i)
        got = _logits(model, ids, what)
        model.eval()
        if torch.allclose(got, expected, atol=1e-6):
            raise AssertionError(f"{what} in training mode, with weights under which only dropout on {text} can change "
                                 "the logits: they did not change. Apply dropout there")

    # one token whose embeddings cancel, the MLP off, o_proj the identity: the stream stays exactly 0 (the
    # logits are ln_f.bias @ wte^T) when both heads' single attention weight is dropped, p**2 = 0.25 of
    # the sequences; without dropout on the attention weights only when residual dropout zeroes all 8
    # features, 0.5**8
    p, n = 0.5, 2000
    ref, model = _dropout_models(GPT, GPTConfig, p, _attention_identity)
    with torch.no_grad():
        empty = ref.ln_f.bias @ ref.wte.weight.T
    ids = torch.zeros(n, 1, dtype=torch.long)
    what = f"GPT({_DROPOUT_SIZE}, dropout={p}) in training mode on {n} sequences of one token"
    model.train()
    manual_seed(24)
    logits = _logits(model, ids, what)[:, 0]
    model.eval()
    fraction = torch.isclose(logits, empty.expand_as(logits), atol=1e-5).all(-1).double().mean().item()
    if fraction < 0.15:
        raise AssertionError(f"{what}, weights under which the residual stream stays 0 when every attention weight is "
                             f"dropped: that happened in {fraction:.3f} of them, expected about p**2 = 0.25 with dropout on "
                             "the attention weights: give each block's attention the same rate "
                             "(MultiHeadAttention(E, num_heads, config.dropout))")


def hf_gpt2(cfg: Config):
    """transformers' GPT-2 of this size, random weights (LayerNorms included), eval mode."""
    from transformers import GPT2Config, GPT2LMHeadModel
    from transformers.utils import logging

    logging.set_verbosity_error()
    config = GPT2Config(vocab_size=cfg.V, n_positions=cfg.C, n_embd=cfg.H * cfg.D, n_layer=cfg.L, n_head=cfg.H,
                        bos_token_id=0, eos_token_id=0, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    manual_seed(cfg.seed)
    return randomize(GPT2LMHeadModel(config), cfg.seed)


def _gpt_where_the_student_runs(cfg: Config):
    """The reference GPT's modules and parameter names (its __init__: embeddings, 3.2's blocks holding
    3.3's attention, ln_f, lm_head tied to wte), built where the student's code runs, with `config`
    read as attributes; random weights. No forward: the loader only fills it."""
    nn = student_module("torch").nn
    blocks, attention = shipped_module("transformer_block"), shipped_module("multi_head_attention")
    E = cfg.H * cfg.D
    model = nn.Module()
    model.config = student_module("types").SimpleNamespace(**cfg.kwargs(), dropout=0.0)
    model.wte, model.wpe = nn.Embedding(cfg.V, E), nn.Embedding(cfg.C, E)
    model.blocks = nn.ModuleList()
    for _ in range(cfg.L):
        block = blocks.TransformerBlock(E)
        block.attn = attention.MultiHeadAttention(E, cfg.H)
        model.blocks.append(block)
    model.ln_f = nn.LayerNorm(E)
    model.lm_head = nn.Linear(E, cfg.V, bias=False)
    model.lm_head.weight = remote(model.wte).weight.proxy
    state = randomize(reference.GPT(reference.GPTConfig(**cfg.kwargs())), cfg.seed + 1).state_dict()
    if list(model.state_dict()) != list(state):
        raise RuntimeError("the GPT built for the loader does not have the reference's parameter names")
    model.load_state_dict(state)
    return model


@judged
def check_load_gpt2_weights(load_gpt2_weights) -> None:
    """Part 2: load_gpt2_weights maps GPT2LMHeadModel's state dict (Conv1D weights transposed)."""
    __tracebackhide__ = True

    @grading(15)
    @given(configs(min_layers=1), st.data())
    def reproduces_transformers(cfg, data):
        hf = hf_gpt2(cfg)
        state = hf.state_dict()
        OrderedDict = student_module("collections").OrderedDict
        theirs = remote(OrderedDict)(state).proxy  # the student's copy of it
        gpt = _gpt_where_the_student_runs(cfg)
        load_gpt2_weights(gpt, theirs)
        after = OrderedDict(theirs)
        if list(after) != list(state) or any(not torch.equal(after[k], v) for k, v in state.items()):
            raise AssertionError("load_gpt2_weights changed the GPT-2 state dict it was given; copy, do not modify")
        model = reference.GPT(reference.GPTConfig(**cfg.kwargs())).eval()
        model.load_state_dict(gpt.state_dict())
        B, T = data.draw(st.integers(1, 2), label="B"), data.draw(st.integers(1, cfg.C), label="T")
        ids = token_ids(cfg, B, T, cfg.seed)
        with torch.no_grad():
            expected = hf(ids).logits
            got = model(ids)
        assert_tensor_close(got, expected, what=f"after load_gpt2_weights, logits of the reference GPT({cfg}) vs transformers' GPT2LMHeadModel")

    run_property("load_gpt2_weights reproduces transformers' GPT-2", reproduces_transformers)


def _argmax_loop(model, ids, n, C):
    with torch.no_grad():
        for _ in range(n):
            ids = torch.cat([ids, model(ids[:, -C:])[:, -1].argmax(-1, keepdim=True)], dim=1)
    return ids


def _generate(model, ids, n, what, **options):
    __tracebackhide__ = True
    theirs = student_copies(ids)[0]
    out = model.generate(theirs, n, **options)
    if not torch.equal(theirs.detach(), ids):
        raise AssertionError(f"{what}: generate modified the token ids it was given")
    B, T = ids.shape
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (B, T + n):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise AssertionError(f"{what}: expected ids of shape (B, T + max_new_tokens) = {(B, T + n)}, got {shape}")
    if not torch.equal(out[:, :T], ids):
        raise AssertionError(f"{what}: the returned ids must start with the given ones")
    return out


@judged
def check_generate(GPT, GPTConfig) -> None:
    """Part 3: GPT.generate: greedy at temperature 0, sampling with temperature and top_k, cropped context."""
    __tracebackhide__ = True

    def model_and_prompt(cfg, data):
        model = _randomized(GPT(GPTConfig(**cfg.kwargs())), cfg.seed, scale=1.0)
        B, T = data.draw(st.integers(1, 2), label="B"), data.draw(st.integers(1, cfg.C), label="T")
        n = data.draw(st.integers(0, cfg.C + 3), label="max_new_tokens")
        return model, token_ids(cfg, B, T, cfg.seed), n

    @grading(20)
    @given(configs(), st.data())
    def greedy_is_an_argmax_loop(cfg, data):
        model, ids, n = model_and_prompt(cfg, data)
        what = f"generate(ids of shape {tuple(ids.shape)}, max_new_tokens={n}, temperature=0) with GPT({cfg})"
        out = _generate(model, ids, n, what, temperature=0)
        expected = _argmax_loop(model, ids, n, cfg.C)
        if not torch.equal(out, expected):
            raise AssertionError(f"{what}: expected {expected.tolist()} (argmax of the last position, "
                                 f"looking at the last {cfg.C} ids each step), got {out.tolist()}")

    @grading(12)
    @given(configs(), st.data(), st.sampled_from([0.5, 1.0, 2.0]), st.integers(1, 5))
    def sampling(cfg, data, temperature, top_k):
        model, ids, n = model_and_prompt(cfg, data)
        what = f"generate(ids of shape {tuple(ids.shape)}, max_new_tokens={n}, temperature={temperature}, top_k={top_k}) with GPT({cfg})"
        runs = [_generate(model, ids, n, what, temperature=temperature, top_k=top_k,
                          generator=_generator(cfg.seed)) for _ in range(2)]
        if not torch.equal(*runs):
            raise AssertionError(f"{what}: two runs with generators seeded alike gave different ids; draw with generator=generator")
        out = runs[0]
        with torch.no_grad():
            for t in range(ids.size(1), out.size(1)):
                logits = model(out[:, max(0, t - cfg.C):t])[:, -1]
                kth = logits.topk(min(top_k, cfg.V), dim=-1).values[:, -1]
                chosen = logits.gather(1, out[:, t:t + 1]).squeeze(1)
                if (chosen < kth).any():
                    raise AssertionError(f"{what}: the token at position {t} is not among the top_k={top_k} most likely")
        greedy = _argmax_loop(model, ids, n, cfg.C)
        top1 = _generate(model, ids, n, what, temperature=temperature, top_k=1, generator=_generator(0))
        if not torch.equal(top1, greedy):
            raise AssertionError(f"{what}: with top_k=1 sampling must pick the most likely token, as temperature 0 does")

    def frequencies_follow_the_softmax():
        cfg = Config(V=6, C=4, H=2, D=2, L=1, seed=3)
        model = _randomized(GPT(GPTConfig(**cfg.kwargs())), cfg.seed, scale=1.0)
        prompt = token_ids(cfg, 1, 3, 0)
        with torch.no_grad():
            logits = model(prompt)[0, -1]
        N = 3000
        # top_k=3: the other logits set to -inf before the softmax; top_k=8 > V keeps every token
        for temperature, top_k in ((0.5, None), (2.0, None), (2.0, 3), (1.0, 8)):
            options = {} if top_k is None else {"top_k": top_k}
            out = model.generate(prompt.expand(N, -1), 1, temperature=temperature, generator=_generator(0), **options)
            counts = torch.bincount(out[:, -1], minlength=cfg.V).double() / N
            scaled = logits.double() / temperature
            if top_k is not None and top_k < cfg.V:
                scaled = scaled.masked_fill(scaled < scaled.topk(top_k).values[-1], float("-inf"))
            expected = torch.softmax(scaled, -1)
            distance = 0.5 * (counts - expected).abs().sum().item()
            if distance > 0.06:
                where = f"at temperature {temperature}" + ("" if top_k is None else f" with top_k={top_k}")
                rule = "softmax(logits / temperature)" + ("" if top_k is None or top_k >= cfg.V else
                                                         f" over the {top_k} most likely tokens (the others set to -inf)")
                raise AssertionError(f"{where}, {N} samples of the next token have frequencies "
                                     f"{[round(x, 3) for x in counts.tolist()]}, expected about {rule} = "
                                     f"{[round(x, 3) for x in expected.tolist()]}")

    run_property("greedy generate equals an argmax loop", greedy_is_an_argmax_loop)
    run_property("sampling with temperature and top_k", sampling)
    run_property("sampled frequencies", frequencies_follow_the_softmax)


@judged
def check_count_parameters(count_parameters, GPTConfig) -> None:
    """Part 4: count_parameters in closed form, against instantiated models and GPT-2 small."""
    __tracebackhide__ = True

    @grading(40)
    @given(configs(), st.integers(2, 1000))
    def matches_instantiated_models(cfg, V):
        cfg = cfg._replace(V=V)
        expected = sum(p.numel() for p in reference.GPT(reference.GPTConfig(**cfg.kwargs())).parameters())
        got = count_parameters(GPTConfig(**cfg.kwargs()))
        if got != expected:
            raise AssertionError(f"count_parameters(GPTConfig({cfg.kwargs()})) = {got}, but the model has {expected} parameters")

    def builds_no_model():
        # "computed by formula, without building the model": building GPT(config) creates its nn.Embedding
        try:
            call_watched(count_parameters, (GPTConfig(**_SMALL.kwargs()),), forbid=("torch.nn.Embedding.__init__",))
        except ForbiddenCall:
            raise AssertionError(f"count_parameters(GPTConfig({_SMALL.kwargs()})) built a model (it created an "
                                 "nn.Embedding): compute the number by formula, without building the model") from None

    run_property("count_parameters vs instantiated models", matches_instantiated_models)
    run_property("count_parameters by formula", builds_no_model)
    got = count_parameters(GPTConfig())
    if got != GPT2_SMALL_PARAMETERS:
        raise AssertionError(f"count_parameters(GPTConfig()) = {got}, GPT-2 small has {GPT2_SMALL_PARAMETERS:,}")


# ----------------------------------------------------------------------------------- input checks

_SMALL = Config(V=11, C=4, H=2, D=2, L=1, seed=0)


def _small_gpt(GPT, GPTConfig):
    """GPT(GPTConfig(small sizes)) in eval mode; an error here is not the input check's answer."""
    try:
        return GPT(GPTConfig(**_SMALL.kwargs())).eval()
    except Exception as exc:  # the student's code may raise anything
        raise RuntimeError(f"GPT(GPTConfig({_SMALL.kwargs()})) raised {type(exc).__name__}: {exc}") from None


#: the invalid call Task 5 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("a `GPT` with `context_window_size = 4` given token ids of shape `(1, 5)` raises `ValueError`",
               lambda f: _small_gpt(f["GPT"], f["GPTConfig"])(token_ids(_SMALL, 1, 5, 0))),
)


@judged
def check_input_checks(GPT, GPTConfig) -> None:
    """Part 5: the ValueError of Task 1, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, GPT=GPT, GPTConfig=GPTConfig)
