"""solutions/weight_init.py against its oracles: F.cross_entropy, the definition of a batch, the
statistics of GPT-2's init; bad sizes raise ValueError."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given

from graders.weight_init import check_uniform_starts, logits_problems, streams
from solutions.decoder import GPT, GPTConfig
from solutions.weight_init import estimate_loss, get_batch, init_gpt_weights, lm_loss


@given(streams())
def test_batches_are_windows_and_their_next_tokens(s):
    data = torch.arange(s.length) * 7
    X, Y = get_batch(data, s.batch_size, s.context_window_size, generator=torch.Generator().manual_seed(s.seed))
    starts = X[:, 0] // 7
    assert (starts <= s.length - s.context_window_size - 1).all()
    assert torch.equal(X, (starts[:, None] + torch.arange(s.context_window_size)) * 7)
    assert torch.equal(Y, X + 7)


def test_every_window_is_equally_likely():
    g = torch.Generator().manual_seed(0)
    starts = torch.cat([get_batch(torch.arange(40), 64, 8, generator=g)[0][:, 0] for _ in range(500)])
    check_uniform_starts(starts.tolist(), 32)
    assert starts.max() == 31 and starts.min() == 0


@given(logits_problems())
def test_lm_loss_is_cross_entropy(p):
    logits = torch.randn(p.batch, p.T, p.V, dtype=p.dtype) * p.scale
    targets = torch.randint(p.V, (p.batch, p.T))
    expected = F.cross_entropy(logits.reshape(-1, p.V), targets.reshape(-1))
    assert torch.allclose(lm_loss(logits, targets), expected)


def test_init_statistics_and_initial_loss():
    config = GPTConfig(vocab_size=400, context_window_size=64, embedding_dim=128, num_heads=4, num_layers=4)
    torch.manual_seed(0)
    model = GPT(config)
    init_gpt_weights(model, config.num_layers)
    assert model.lm_head.weight is model.wte.weight
    assert abs(model.wte.weight.std().item() / 0.02 - 1) < 0.05
    residual = torch.cat([b.attn.o_proj.weight.flatten() for b in model.blocks])
    assert abs(residual.std().item() / (0.02 / math.sqrt(8)) - 1) < 0.05
    assert all((b.mlp.fc_in.bias == 0).all() and (b.ln_1.weight == 1).all() for b in model.blocks)
    tokens = torch.randint(400, (8, 64))
    with torch.no_grad():
        loss = F.cross_entropy(model(tokens).view(-1, 400), torch.randint(400, (8 * 64,)))
    assert abs(loss.item() - math.log(400)) < 0.1


def test_estimate_loss_of_a_uniform_model_is_ln_v():
    class Uniform(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(9))

        def forward(self, ids):
            assert not self.training and not torch.is_grad_enabled()
            return self.w.expand(*ids.shape, 9)

    model = Uniform().train()
    assert math.isclose(estimate_loss(model, torch.arange(30) % 9, 3, 4, 5), math.log(9), rel_tol=1e-6)
    assert model.training


@pytest.mark.parametrize("call", [
    lambda: get_batch(torch.arange(5), 2, 5),
    lambda: get_batch(torch.arange(5), 0, 2),
    lambda: get_batch(torch.arange(5), 2, 0),
    lambda: lm_loss(torch.randn(2, 3, 4), torch.zeros(3, 2, dtype=torch.long)),
    lambda: init_gpt_weights(torch.nn.Linear(2, 2), 0),
])
def test_bad_sizes_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_pretrain_corpus_fixture_is_deterministic_and_play_shaped(tmp_path):
    from graders.fixtures_corpus import FILE_NAME, build_corpus

    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        build_corpus(tmp_path / run)
    text = (tmp_path / "a" / FILE_NAME).read_text()
    assert text == (tmp_path / "b" / FILE_NAME).read_text()
    assert len(text) > 100_000 and "\nJULIET.\n" in text and "\nROMEO.\n" in text
