"""solutions/dropout.py against its oracles: torch's F.dropout statistics, 3.3's attention and 3.4's GPT
without dropout; bad probabilities raise ValueError."""

from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F

from solutions.decoder import GPT, GPTConfig
from solutions.dropout import DropoutGPT, attention_with_dropout, dropout
from solutions.multi_head_attention import MultiHeadAttention


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_matches_torch_in_law(p):
    torch.manual_seed(0)
    x = torch.ones(100_000)
    ours, theirs = dropout(x, p, True), F.dropout(x, p, True)
    values = ours.unique()
    assert values[0] == 0 and len(values) == 2 and abs(values[1].item() - 1 / (1 - p)) < 1e-5
    assert abs((ours == 0).float().mean() - (theirs == 0).float().mean()) < 0.01
    assert abs(ours.mean() - 1) < 0.05


def test_dropout_off_is_the_identity():
    x = torch.randn(3, 4)
    assert torch.equal(dropout(x, 0.7, False), x) and torch.equal(dropout(x, 0.0, True), x)


@pytest.mark.parametrize("p", [-0.01, 1.0, 2.0])
def test_bad_p_raises_value_error(p):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        dropout(torch.ones(2), p, True)
    with pytest.raises(ValueError):
        DropoutGPT(GPTConfig(vocab_size=10, context_window_size=4, embedding_dim=8, num_heads=2, num_layers=1, dropout=p))


def test_attention_without_dropout_is_the_module():
    torch.manual_seed(0)
    attn = MultiHeadAttention(16, 4)
    x = torch.randn(2, 6, 16)
    assert torch.allclose(attention_with_dropout(attn, x, 0.3, False), attn.eval()(x), atol=1e-6)


def test_dropout_gpt_equals_the_gpt_in_eval_mode_and_with_p_0():
    config = GPTConfig(vocab_size=50, context_window_size=8, embedding_dim=16, num_heads=2, num_layers=2, dropout=0.4)
    torch.manual_seed(0)
    plain = GPT(replace(config, dropout=0.0)).eval()
    ids = torch.randint(50, (3, 8))
    model = DropoutGPT(config)
    model.load_state_dict(plain.state_dict())
    zero = DropoutGPT(replace(config, dropout=0.0))
    zero.load_state_dict(plain.state_dict())
    with torch.no_grad():
        assert torch.allclose(model.eval()(ids), plain(ids), atol=1e-6)
        assert torch.allclose(zero.train()(ids), plain(ids), atol=1e-6)
        torch.manual_seed(1)
        a = model.train()(ids)
        torch.manual_seed(1)
        assert torch.equal(a, model(ids)) and not torch.allclose(a, plain(ids))
    with pytest.raises(ValueError):
        model(torch.zeros(1, 9, dtype=torch.long))
