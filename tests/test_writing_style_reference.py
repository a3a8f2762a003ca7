"""solutions/writing_style.py against independent oracles, and the offline corpus of 5_1."""

import math
from types import SimpleNamespace

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from graders import fixtures_styles
from graders.writing_style import (VOCAB, _oracle_loss, one_thread, ppl_problems, tiny_model,
                                   token_by_token_perplexity)
from solutions.writing_style import perplexity, sample_batch, split_tokens, train_step


@pytest.fixture(autouse=True)
def _one_thread():
    with one_thread():
        yield


class UniformModel(nn.Module):
    """Logits all zero: every token has probability 1/V, so the perplexity is V."""

    def __init__(self, vocab):
        super().__init__()
        self.vocab = vocab
        self.unused = nn.Parameter(torch.zeros(1))

    def forward(self, input_ids):
        return SimpleNamespace(logits=torch.zeros(*input_ids.shape, self.vocab))


@given(ppl_problems(max_n=30))
def test_perplexity_equals_token_by_token(problem):
    model = tiny_model(problem.seed % 3)
    ids = torch.randint(0, VOCAB, (problem.n,), generator=torch.Generator().manual_seed(problem.seed))
    got = perplexity(model, ids, problem.T, problem.batch_size)
    assert math.isclose(got, token_by_token_perplexity(model, ids, problem.T), rel_tol=1e-5)
    assert math.isclose(got, perplexity(model, ids, problem.T, 1), rel_tol=1e-6)


@given(st.integers(2, 50), st.integers(2, 9), st.integers(1, 4))
def test_uniform_model_has_perplexity_of_the_vocabulary_size(n, T, batch_size):
    ids = torch.randint(0, 37, (n,))
    assert math.isclose(perplexity(UniformModel(37), ids, T, batch_size), 37.0, rel_tol=1e-6)


def test_perplexity_restores_the_mode_and_rejects_nonsense():
    model = tiny_model(0).train()
    perplexity(model, torch.arange(20) % VOCAB, 4, 2)
    assert model.training
    for args in [(torch.arange(10), 1, 2), (torch.arange(10), 4, 0), (torch.arange(1), 4, 2)]:
        with pytest.raises(ValueError):
            perplexity(model, *args)


def test_split_and_batch_follow_the_contract():
    train, val = split_tokens(list(range(100)), 0.57)  # 0.57 * 100 = 56.99999999999999
    assert len(train) == int(0.57 * 100) == 56 and torch.equal(torch.cat([train, val]), torch.arange(100))
    with pytest.raises(ValueError):
        split_tokens([1, 2], 0.3)
    ids = torch.arange(1000, 1010)
    batch = sample_batch(ids, 500, 10, torch.Generator().manual_seed(0))
    assert (batch == ids).all()  # a window as long as the sequence has a single start
    for args in [(0, 4), (2, 1), (2, 11)]:
        with pytest.raises(ValueError):
            sample_batch(ids, *args)


def test_train_step_returns_the_loss_before_the_update_and_learns():
    model = tiny_model(1)
    batch = torch.randint(0, VOCAB, (3, 9), generator=torch.Generator().manual_seed(0))
    before = _oracle_loss(model, batch)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    losses = [train_step(model, batch, optimizer) for _ in range(8)]
    assert math.isclose(losses[0], before, rel_tol=1e-5) and _oracle_loss(model, batch) < before - 0.5


def test_style_books_are_deterministic_and_different():
    play, tale = fixtures_styles.play_text(), fixtures_styles.tale_text()
    assert play == fixtures_styles.play_text() and tale == fixtures_styles.tale_text()
    words = lambda text: {w for w in text.lower().split() if not w[0].isdigit()}  # noqa: E731
    shared = words(play) & words(tale)
    assert len(shared) < 0.15 * min(len(words(play)), len(words(tale))), sorted(shared)


def test_each_briefly_tuned_model_is_best_on_its_own_style():
    """The notebook's claim under the offline profile: its short fine-tune (same sizes, steps, learning
    rate and seed) makes the 2x2 table of perplexities diagonal."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from graders.profile import fixture_path

    path = fixture_path("tiny-gpt-neo")
    tokenizer = AutoTokenizer.from_pretrained(path)
    splits = {name: split_tokens(tokenizer(text)["input_ids"])
              for name, text in [("play", fixtures_styles.play_text()), ("tale", fixtures_styles.tale_text())]}
    table = {}
    for name, (train, _) in splits.items():
        model = AutoModelForCausalLM.from_pretrained(path)
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
        g = torch.Generator().manual_seed(0)
        for _ in range(50):
            train_step(model, sample_batch(train, 8, 32, g), optimizer)
        table[name] = {book: perplexity(model, val, 32, 32) for book, (_, val) in splits.items()}
    assert table["play"]["play"] < table["tale"]["play"] and table["tale"]["tale"] < table["play"]["tale"], table
