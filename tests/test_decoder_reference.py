"""The reference modules of 3_2, 3_3 and 3_4 against their independent oracles: torch's
nn.MultiheadAttention, transformers' GPT2LMHeadModel, closed-form counts; and their ValueErrors."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from graders.decoder import Config, configs, hf_gpt2, token_ids
from solutions import decoder, multi_head_attention, transformer_block


@settings(max_examples=20, deadline=None)
@given(configs(min_layers=1))
def test_reference_gpt_reproduces_transformers_gpt2(cfg):
    hf = hf_gpt2(cfg)
    model = decoder.GPT(decoder.GPTConfig(**cfg.kwargs())).eval()
    decoder.load_gpt2_weights(model, hf.state_dict())
    ids = token_ids(cfg, 2, cfg.C, cfg.seed)
    with torch.no_grad():
        assert torch.allclose(model(ids), hf(ids).logits, rtol=1e-4, atol=1e-5)


def test_gpt2_small_count_and_config():
    assert decoder.count_parameters(decoder.GPTConfig()) == 124_439_808
    model = decoder.GPT(decoder.GPTConfig(vocab_size=100, context_window_size=16, embedding_dim=24, num_heads=4, num_layers=3))
    assert sum(p.numel() for p in model.parameters()) == decoder.count_parameters(model.config)
    assert model.lm_head.weight is model.wte.weight


def test_one_head_equals_attention_head_and_torch():
    torch.manual_seed(0)
    head, mha = transformer_block.AttentionHead(12), multi_head_attention.MultiHeadAttention(12, 1)
    mha.load_state_dict(head.state_dict())
    x = torch.randn(2, 5, 12)
    assert torch.allclose(mha(x), head(x), atol=1e-6)
    mha4 = multi_head_attention.MultiHeadAttention(12, 4).eval()
    t = torch.nn.MultiheadAttention(12, 4, batch_first=True).eval()
    with torch.no_grad():
        t.in_proj_weight.copy_(torch.cat([mha4.q_proj.weight, mha4.k_proj.weight, mha4.v_proj.weight]))
        t.in_proj_bias.copy_(torch.cat([mha4.q_proj.bias, mha4.k_proj.bias, mha4.v_proj.bias]))
        t.out_proj.load_state_dict(mha4.o_proj.state_dict())
        expected, _ = t(x, x, x, attn_mask=torch.ones(5, 5, dtype=torch.bool).triu(1))
        assert torch.allclose(mha4(x), expected, atol=1e-5)


def test_dropout_acts_only_in_training():
    cfg = decoder.GPTConfig(vocab_size=20, context_window_size=8, embedding_dim=8, num_heads=2, num_layers=2, dropout=0.5)
    torch.manual_seed(0)
    model, plain = decoder.GPT(cfg), decoder.GPT(decoder.GPTConfig(**{**cfg.__dict__, "dropout": 0.0}))
    plain.load_state_dict(model.state_dict())
    ids = torch.randint(0, 20, (2, 8))
    model.eval(), plain.eval()
    assert torch.allclose(model(ids), plain(ids), atol=1e-6)
    model.train()
    torch.manual_seed(1)
    a = model(ids)
    torch.manual_seed(1)
    assert torch.equal(a, model(ids)) and not torch.allclose(a, plain(ids))


def test_greedy_generation_crops_to_the_context():
    torch.manual_seed(0)
    model = decoder.GPT(decoder.GPTConfig(vocab_size=10, context_window_size=3, embedding_dim=4, num_heads=2, num_layers=1)).eval()
    out = model.generate(torch.tensor([[1, 2]]), 6, temperature=0)
    assert out.shape == (1, 8)
    for t in range(2, 8):
        assert out[0, t] == model(out[:, max(0, t - 3):t])[0, -1].argmax()


@pytest.mark.parametrize("make, message", [
    (lambda: multi_head_attention.MultiHeadAttention(10, 4), "multiple of num_heads"),
    (lambda: multi_head_attention.split_heads(torch.randn(1, 2, 6), 4), "not divisible"),
    (lambda: transformer_block.TransformerBlock(8, num_heads=2), "single attention head"),
    (lambda: transformer_block.MLP(0), "positive"),
    (lambda: decoder.GPT(decoder.GPTConfig(10, 4, 4, 2, 1))(torch.zeros(1, 5, dtype=torch.long)), "context window"),
    (lambda: decoder.GPT(decoder.GPTConfig(10, 4, 4, 2, 1)).generate(torch.zeros(1, 1, dtype=torch.long), 2, top_k=0), "top_k"),
    (lambda: decoder.GPT(decoder.GPTConfig(10, 4, 4, 2, 1)).generate(torch.zeros(1, 1, dtype=torch.long), -1), "max_new_tokens"),
])
def test_bad_sizes_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()
