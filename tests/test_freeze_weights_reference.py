"""solutions/freeze_weights.py on tiny GPT-Neo models and on GPT-Neo-125M's configuration."""

import pytest
import torch
from hypothesis import given

from graders.freeze_weights import LAYERS, _freeze, freezes, oracle_counts, tiny_model
from graders.writing_style import one_thread
from solutions.freeze_weights import count_parameters, freeze_attention, make_optimizer


@given(freezes())
def test_freezing_touches_only_the_named_projections(f):
    with one_thread():
        model = tiny_model(f.seed)
        _freeze(freeze_attention, model, f)
    parts = f.parts or ("q_proj", "k_proj", "v_proj")
    expected = {f"transformer.h.{i}.attn.attention.{p}.{w}" for i in f.layers for p in parts
                for w in (("weight", "bias") if p == "out_proj" else ("weight",))}
    assert {n for n, p in model.named_parameters() if not p.requires_grad} == expected
    assert count_parameters(model) == oracle_counts(model)


def test_bad_arguments_change_nothing():
    model = tiny_model()
    for layers, parts in [([0, LAYERS], ("q_proj",)), ([0], ("q_proj", "query"))]:
        with pytest.raises(ValueError):
            freeze_attention(model, layers, parts)
        assert all(p.requires_grad for p in model.parameters())
    for lr, wd in [(0.0, 0.1), (1e-3, -1.0)]:
        with pytest.raises(ValueError):
            make_optimizer(model, lr, wd)


def test_gpt_neo_125m_counts():
    """The real configuration on the meta device (no memory): 125,198,592 parameters, the tied
    lm_head counted once; freezing q/k/v of the later six layers freezes 6 * 3 * 768^2."""
    from transformers import GPTNeoConfig, GPTNeoForCausalLM

    config = GPTNeoConfig(vocab_size=50257, max_position_embeddings=2048, hidden_size=768, num_layers=12,
                          num_heads=12, attention_types=[[["global", "local"], 6]], window_size=256)
    with torch.device("meta"):
        model = GPTNeoForCausalLM(config)
    assert count_parameters(model) == {"trainable": 125_198_592, "frozen": 0, "total": 125_198_592}
    freeze_attention(model, range(6, 12))
    assert count_parameters(model)["frozen"] == 6 * 3 * 768 * 768
    opt = make_optimizer(model, 1e-4, 0.01)
    held = sum(p.numel() for g in opt.param_groups for p in g["params"])
    assert held == count_parameters(model)["trainable"]


def test_optimizer_groups():
    model = tiny_model()
    freeze_attention(model, [1], parts=["out_proj"])
    opt = make_optimizer(model, 1e-3, 0.1)
    decay = {id(p): g["weight_decay"] for g in opt.param_groups for p in g["params"]}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            assert id(p) not in decay
        elif name.endswith("bias") or ".ln_" in name:
            assert decay[id(p)] == 0.0, name
        else:
            assert decay[id(p)] == 0.1, name
