"""Fine-tuning at GPT-Neo-125M's size on a GPU (5_1 and 5_2), with `pytest -m gpu`.

The gpu-marked tests skip cleanly without CUDA. They train the full-size GPT-Neo-125M configuration
(the real weights when they are in the local Hugging Face cache, random initialisation otherwise)
with the course's own reference code: `train_step` and `perplexity` of 5_1, `freeze_attention` and
`make_optimizer` of 5_2, under bf16 autocast at batch 8 x 512. They check that the loss falls
without NaN and that frozen weights stay bit-identical, and print tokens per second and the model
FLOPs utilisation (MFU). The whole file takes well under three minutes on one H100.

The FLOPs formula and the parameter count are plain functions, unit-tested on a CPU below with tiny
configurations and GPT-Neo-125M's on the meta device.
This file imports only torch, transformers and the project's code (no nbgrader, no datasets).
"""

from __future__ import annotations

import time

import pytest
import torch
from transformers import GPTNeoConfig, GPTNeoForCausalLM

from solutions.freeze_weights import count_parameters, freeze_attention, make_optimizer
from solutions.writing_style import perplexity, train_step

HUB_NAME = "EleutherAI/gpt-neo-125m"
BATCH, CONTEXT = 8, 512
TARGET_TOKENS_PER_SECOND = 150_000  # on one H100 (the target)
#: dense bf16 tensor-core peak of the cards we know, for the MFU
PEAK_BF16_FLOPS = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "A10G": 70e12, "L4": 121e12}


def gpt_neo_125m_config() -> GPTNeoConfig:
    return GPTNeoConfig(vocab_size=50257, max_position_embeddings=2048, hidden_size=768, num_layers=12,
                        num_heads=12, attention_types=[[["global", "local"], 6]], window_size=256,
                        bos_token_id=50256, eos_token_id=50256)


def parameter_count(config: GPTNeoConfig) -> int:
    """GPT-Neo's parameters in closed form, the output layer tied to the token embedding."""
    d, L, V, P = config.hidden_size, config.num_layers, config.vocab_size, config.max_position_embeddings
    inner = config.intermediate_size or 4 * d
    attention = 3 * d * d + d * d + d          # q, k, v without bias; out_proj with bias
    mlp = d * inner + inner + inner * d + d    # c_fc, c_proj with biases
    layer_norms = 2 * 2 * d
    return V * d + P * d + L * (attention + mlp + layer_norms) + 2 * d  # + ln_f


def training_flops_per_token(config: GPTNeoConfig, context: int) -> float:
    """Model FLOPs of one training token (forward and backward), PaLM's convention (appendix B).

    6 per parameter used in a matrix product: every parameter except the position embedding (a
    lookup); the token embedding is counted once, as the output layer it is tied to. Plus the
    attention scores and their weighted sum: 2 products of 2 * d * (keys seen) FLOPs forward, times 3
    for the backward pass, with `context` keys for a global layer and `min(context, window_size)` for
    a local one (causality is not discounted).
    """
    d = config.hidden_size
    matmul_params = parameter_count(config) - config.max_position_embeddings * d
    keys = sum(context if kind == "global" else min(context, config.window_size) for kind in config.attention_layers)
    return 6 * matmul_params + 12 * d * keys


def peak_flops(device_name: str) -> float | None:
    for card, flops in PEAK_BF16_FLOPS.items():
        if card in device_name:
            return flops
    return None


def model_flops_utilisation(tokens_per_second: float, flops_per_token: float, peak: float | None) -> float | None:
    return None if peak is None else tokens_per_second * flops_per_token / peak


# ------------------------------------------------------------------------------ CPU unit tests

@pytest.mark.parametrize("layers, width, heads, inner, window", [(2, 16, 2, None, 4), (4, 24, 3, 40, 8)])
def test_parameter_count_matches_an_instantiated_model(layers, width, heads, inner, window):
    config = GPTNeoConfig(vocab_size=97, max_position_embeddings=32, hidden_size=width, num_layers=layers,
                          num_heads=heads, attention_types=[[["global", "local"], layers // 2]],
                          window_size=window, intermediate_size=inner, bos_token_id=0, eos_token_id=0)
    model = GPTNeoForCausalLM(config)
    assert parameter_count(config) == sum(p.numel() for p in model.parameters()) == count_parameters(model)["total"]


def test_parameter_count_of_gpt_neo_125m():
    config = gpt_neo_125m_config()
    with torch.device("meta"):
        model = GPTNeoForCausalLM(config)
    assert parameter_count(config) == sum(p.numel() for p in model.parameters()) == 125_198_592


def test_training_flops_of_a_tiny_config_by_hand():
    config = GPTNeoConfig(vocab_size=10, max_position_embeddings=8, hidden_size=4, num_layers=2, num_heads=1,
                          attention_types=[[["global", "local"], 1]], window_size=3, intermediate_size=8,
                          bos_token_id=0, eos_token_id=0)
    params = 10 * 4 + 8 * 4 + 2 * ((4 * 16 + 4) + (4 * 8 + 8 + 8 * 4 + 4) + 16) + 8
    assert parameter_count(config) == params == sum(p.numel() for p in GPTNeoForCausalLM(config).parameters())
    # context 6: the global layer sees 6 keys, the local one min(6, 3) = 3
    assert training_flops_per_token(config, 6) == 6 * (params - 8 * 4) + 12 * 4 * (6 + 3)
    # GPT-Neo-125M at 512 tokens: about 0.77 GFLOP per token, 6N dominating
    big = training_flops_per_token(gpt_neo_125m_config(), 512)
    assert 6 * 123e6 < big < 6 * 123e6 + 12 * 768 * 12 * 512 + 1


def test_mfu_and_peaks():
    assert peak_flops("NVIDIA H100 80GB HBM3") == 989e12 and peak_flops("NVIDIA H200") == 989e12
    assert peak_flops("Some CPU") is None and model_flops_utilisation(1.0, 1.0, None) is None
    assert model_flops_utilisation(150_000, 7.7e8, 989e12) == pytest.approx(0.1168, rel=1e-3)


# ------------------------------------------------------------------------------ GPU tests

def _model(device: str = "cuda") -> GPTNeoForCausalLM:
    """The real GPT-Neo-125M when it is cached locally, else the same configuration at random init."""
    try:
        model = GPTNeoForCausalLM.from_pretrained(HUB_NAME, local_files_only=True)
        print("\nGPT-Neo-125M: pretrained weights from the local cache")
    except Exception:
        torch.manual_seed(0)
        model = GPTNeoForCausalLM(gpt_neo_125m_config())
        print("\nGPT-Neo-125M: configuration at random initialisation (no cached weights)")
    return model.to(device)


def _corpus(device: str = "cuda") -> torch.Tensor:
    """A learnable token stream: a random passage of 2,048 tokens repeated, so the loss must fall."""
    g = torch.Generator().manual_seed(0)
    passage = torch.randint(0, 50257, (2048,), generator=g)
    return passage.repeat(16).to(device)


def _batches(corpus: torch.Tensor, steps: int, seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    starts = torch.randint(0, len(corpus) - CONTEXT + 1, (steps, BATCH), generator=g).to(corpus.device)
    return [corpus[s[:, None] + torch.arange(CONTEXT, device=corpus.device)] for s in starts]


def _train(model, optimizer, batches) -> tuple[list[float], list[float]]:
    losses, seconds = [], []
    for batch in batches:
        torch.cuda.synchronize()
        start = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            losses.append(train_step(model, batch, optimizer))  # .item() synchronises
        seconds.append(time.perf_counter() - start)
    return losses, seconds


@pytest.fixture
def fast_matmuls():
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True  # GPT-Neo's attention runs in fp32
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpt_neo_125m_fine_tuning_throughput(fast_matmuls):
    steps = 40
    model = _model()
    corpus = _corpus()
    held_out = corpus[:4 * CONTEXT]
    with torch.autocast("cuda", dtype=torch.bfloat16):
        ppl_before = perplexity(model, held_out, CONTEXT, 4)
    optimizer = make_optimizer(model, lr=1e-3, weight_decay=0.01)
    losses, seconds = _train(model, optimizer, _batches(corpus, steps))
    with torch.autocast("cuda", dtype=torch.bfloat16):
        ppl_after = perplexity(model, held_out, CONTEXT, 4)

    assert all(torch.isfinite(torch.tensor(losses))), f"NaN or inf in the losses: {losses}"
    first, last = sum(losses[:3]) / 3, sum(losses[-5:]) / 5
    assert last < first - 0.5, f"the loss did not fall: {first:.3f} -> {last:.3f}"
    assert ppl_after < ppl_before, f"perplexity did not fall: {ppl_before:.1f} -> {ppl_after:.1f}"

    steady = sorted(seconds[5:])[len(seconds[5:]) // 2]   # median step after the warm-up
    tokens_per_second = BATCH * CONTEXT / steady
    flops = training_flops_per_token(model.config, CONTEXT)
    name = torch.cuda.get_device_name()
    mfu = model_flops_utilisation(tokens_per_second, flops, peak_flops(name))
    print(f"{name}: loss {first:.3f} -> {last:.3f}, perplexity {ppl_before:.1f} -> {ppl_after:.1f}; "
          f"median step {steady * 1e3:.1f} ms at batch {BATCH}x{CONTEXT}: {tokens_per_second:,.0f} tokens/s, "
          f"{flops / 1e9:.2f} GFLOP/token, MFU " + ("unknown (card not listed)" if mfu is None else f"{mfu:.1%}"))
    if "H100" in name or "H200" in name:
        assert tokens_per_second >= TARGET_TOKENS_PER_SECOND, (
            f"{tokens_per_second:,.0f} tokens/s is below the target of {TARGET_TOKENS_PER_SECOND:,}")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpt_neo_125m_frozen_attention_stays_frozen(fast_matmuls):
    """5_2 at full size: q/k/v of the later six layers frozen; they stay bit-identical through bf16
    training with a model that already holds gradients, while the rest trains; time per step printed."""
    steps = 20
    model = _model()
    corpus = _corpus()
    batches = _batches(corpus, steps, seed=1)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        model(input_ids=batches[0], labels=batches[0]).loss.backward()   # every .grad is now a tensor
    model.zero_grad(set_to_none=False)
    layers, d = model.config.num_layers, model.config.hidden_size
    freeze_attention(model, range(layers // 2, layers))
    counts = count_parameters(model)
    assert counts["frozen"] == (layers - layers // 2) * 3 * d * d and counts["total"] == parameter_count(model.config)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer = make_optimizer(model, lr=1e-3, weight_decay=0.1)
    losses, seconds = _train(model, optimizer, batches)
    assert all(torch.isfinite(torch.tensor(losses))) and losses[-1] < losses[0]
    for name, p in model.named_parameters():
        if p.requires_grad:
            assert not torch.equal(p.detach(), before[name]), f"{name} did not train"
        else:
            assert torch.equal(p.detach(), before[name]), f"frozen {name} changed"
    steady = sorted(seconds[5:])[len(seconds[5:]) // 2]
    print(f"frozen q/k/v in layers {layers // 2}-{layers - 1} ({counts['trainable']:,} trainable of {counts['total']:,}): "
          f"median step {steady * 1e3:.1f} ms, {BATCH * CONTEXT / steady:,.0f} tokens/s")
