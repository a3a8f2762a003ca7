"""solutions/word_embeddings.py against independent oracles: str methods, plain slicing, torch's
cross-entropy, a loop over cosine similarities, and the synonym corpus."""

import string

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from graders.fixtures_text import SYNONYMS, build_synonym_corpus, synonym_corpus
from graders.word_embeddings import corpus_loader, texts, windows_problems
from solutions.word_embeddings import (
    NeuralLanguageModel,
    TokenDataset,
    build_vocab,
    most_similar,
    tokenize_words,
    train_epoch,
)


@given(texts)
def test_tokenize_equals_str_methods(text):
    for p in string.punctuation:
        text = text.replace(p, " ")
    expected = [w.lower() for w in text.split() if len(w) > 1 and w.isascii() and w.isalpha()]
    assert tokenize_words(text) == expected


@given(st.lists(st.text("xyz", min_size=2, max_size=3)))
def test_vocab_ids_are_sorted_and_inverse(words):
    token2id, id2token = build_vocab(words)
    assert list(token2id) == sorted(set(words)) and list(token2id.values()) == list(range(len(token2id)))
    assert all(id2token[i] == w for w, i in token2id.items())


@given(windows_problems)
def test_windows_are_slices(problem):
    words, n, stride = problem
    token2id, id2token = build_vocab(words)
    dataset = TokenDataset(words, token2id, n, stride)
    starts = [s for s in range(0, len(words), stride) if s + n < len(words)]
    assert len(dataset) == len(starts)
    for i, s in enumerate(starts):
        context, target = dataset[i]
        assert [id2token[int(t)] for t in context] == words[s:s + n]
        assert [id2token[int(t)] for t in target] == words[s + 1:s + n + 1]


def test_model_is_embedding_concat_tanh_linear():
    torch.manual_seed(0)
    model = NeuralLanguageModel(11, 3, 4, 5)
    x = torch.randint(0, 11, (7, 4))
    e = model.embedding.weight[x].reshape(7, 12)
    expected = torch.tanh(e @ model.hidden.weight.T + model.hidden.bias) @ model.output.weight.T + model.output.bias
    assert torch.allclose(model(x), expected, atol=1e-6)
    assert NeuralLanguageModel(11, 3, 4).hidden.out_features == 256


def test_train_epoch_returns_the_mean_cross_entropy_of_the_last_target():
    loader, token2id = corpus_loader(20, 3, 2, 8, seed=1, shuffle=False)
    torch.manual_seed(0)
    model = NeuralLanguageModel(len(token2id), 4, 3, 8)
    lr0 = torch.optim.SGD(model.parameters(), lr=0.0)  # no step: the mean loss of the untouched model
    expected = sum(F.cross_entropy(model(c), t[:, -1]).item() for c, t in loader) / len(loader)
    assert train_epoch(model, loader, lr0, "cpu") == pytest.approx(expected, rel=1e-6)


def test_most_similar_equals_a_loop():
    table = torch.randn(12, 5, generator=torch.Generator().manual_seed(3))
    id2token = {i: f"w{i}" for i in range(12)}
    token2id = {w: i for i, w in id2token.items()}
    sims = [(F.cosine_similarity(table[i], table[4], dim=0).item(), f"w{i}") for i in range(12) if i != 4]
    expected = sorted(sims, reverse=True)[:4]
    got = most_similar(table, token2id, id2token, "w4", 4)
    assert [w for w, _ in got] == [w for _, w in expected]
    assert [s for _, s in got] == pytest.approx([s for s, _ in expected], abs=1e-6)


def test_synonym_corpus_is_deterministic_and_synonyms_share_contexts(tmp_path):
    assert synonym_corpus(50) == synonym_corpus(50) != synonym_corpus(50, seed=1)
    words = tokenize_words(" ".join(synonym_corpus()))
    for a, b in SYNONYMS:
        assert abs(words.count(a) - words.count(b)) < 0.3 * words.count(a)
    build_synonym_corpus(tmp_path)
    assert (tmp_path / "train.jsonl").read_text().count("\n") == len(synonym_corpus())
    assert "wikitext-103-raw-v1" in (tmp_path / "README.md").read_text()


@pytest.mark.parametrize("args, message", [((6, 0), "stride"), ((0, 4), "context_window_size")])
def test_dataset_bad_sizes_raise_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        TokenDataset(["aa", "bb"], {"aa": 0, "bb": 1}, *args)


def test_model_bad_sizes_raise_value_error():
    with pytest.raises(ValueError, match="at least 1"):
        NeuralLanguageModel(10, 0, 3)
