"""Implementations of 1_1's functions, as students might write them.

An implementation is a dict of the five graded objects (get_pair_counts, merge, train_bpe,
Tokenizer, gpt4_tokenizer); `impl(...)` fills in the reference for the ones a variant leaves alone.
WRONG also names the check that must catch it and the checks that must still pass, so that a bug
costs the points of the part it breaks and no others.
"""

import heapq
from collections import Counter, defaultdict

import regex

from solutions import bpe as reference

GPT2_PATTERN = reference.GPT2_PATTERN


def impl(**overrides):
    names = ["get_pair_counts", "merge", "train_bpe", "Tokenizer", "gpt4_tokenizer"]
    parts = {n: getattr(reference, n) for n in names}
    parts.update(overrides)
    return parts


def gpt4_with(tokenizer_class):
    """gpt4_tokenizer written on top of another Tokenizer class."""
    def gpt4_tokenizer(mergeable_ranks, special_tokens, pattern):
        vocab = {rank: token for token, rank in mergeable_ranks.items()}
        vocab.update({i: s.encode() for s, i in special_tokens.items()})
        return tokenizer_class(vocab, reference.recover_merges(mergeable_ranks), list(special_tokens), pattern)
    return gpt4_tokenizer


def _pieces(text, special_tokens):
    if not special_tokens:
        return [text]
    return regex.split("|".join(map(regex.escape, sorted(special_tokens, key=len, reverse=True))), text)


def _check_size(vocab_size, special_tokens):
    if vocab_size < 256 + len(special_tokens):
        raise ValueError("vocab_size too small")


# ------------------------------------------------------------------ correct, written differently

def pair_counts_counter(ids):
    return Counter(zip(ids, ids[1:]))


def merge_with_skip(ids, pair, new_id):
    out, skip = [], False
    for i, x in enumerate(ids):
        if skip:
            skip = False
        elif i + 1 < len(ids) and (x, ids[i + 1]) == tuple(pair):
            out.append(new_id)
            skip = True
        else:
            out.append(x)
    return out


class _Greatest:
    """Reverses the order of pairs of bytes, so that heapq's smallest is the greatest pair."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __lt__(self, other):
        return self.key > other.key

    def __eq__(self, other):
        return self.key == other.key


def train_bpe_heap(text, vocab_size, special_tokens=[]):
    """Incremental counts with a lazy max-heap instead of a scan for the best pair."""
    _check_size(vocab_size, special_tokens)
    vocab = {i: bytes([i]) for i in range(256)}
    vocab.update({256 + i: s.encode() for i, s in enumerate(special_tokens)})
    words = Counter(tuple(w.encode()) for p in _pieces(text, special_tokens) for w in regex.findall(GPT2_PATTERN, p))
    seqs, freqs = [list(w) for w in words], list(words.values())
    counts, where = defaultdict(int), defaultdict(set)
    for k, (seq, f) in enumerate(zip(seqs, freqs)):
        for p in zip(seq, seq[1:]):
            counts[p] += f
            where[p].add(k)
    heap = [(-c, _Greatest((vocab[a], vocab[b])), (a, b)) for (a, b), c in counts.items()]
    heapq.heapify(heap)
    merges = []
    next_id = 256 + len(special_tokens)
    while next_id < vocab_size and heap:
        negative, _, pair = heapq.heappop(heap)
        if counts.get(pair, 0) != -negative or -negative == 0:
            continue  # stale entry
        vocab[next_id] = vocab[pair[0]] + vocab[pair[1]]
        merges.append((vocab[pair[0]], vocab[pair[1]]))
        changed = set()
        for k in where.pop(pair):
            seq, f = seqs[k], freqs[k]
            if not any(p == pair for p in zip(seq, seq[1:])):
                continue
            for p in zip(seq, seq[1:]):
                counts[p] -= f
                changed.add(p)
            seq = seqs[k] = merge_with_skip(seq, pair, next_id)
            for p in zip(seq, seq[1:]):
                counts[p] += f
                where[p].add(k)
                changed.add(p)
        counts.pop(pair, None)
        for p in changed:
            if counts.get(p, 0) > 0:
                heapq.heappush(heap, (-counts[p], _Greatest((vocab[p[0]], vocab[p[1]])), p))
            else:
                counts.pop(p, None)
        next_id += 1
    return vocab, merges


def train_bpe_key_scan(text, vocab_size, special_tokens=[]):
    """Incremental counts, but one max() with a key function over all pairs per merge (slower)."""
    _check_size(vocab_size, special_tokens)
    vocab = {i: bytes([i]) for i in range(256)}
    for s in special_tokens:
        vocab[len(vocab)] = s.encode("utf-8")
    words = Counter(w for p in _pieces(text, special_tokens) for w in regex.findall(GPT2_PATTERN, p))
    seqs = {w: list(w.encode()) for w in words}
    counts, where = Counter(), defaultdict(set)
    for w, seq in seqs.items():
        for p in zip(seq, seq[1:]):
            counts[p] += words[w]
            where[p].add(w)
    merges = []
    while len(vocab) < vocab_size:
        counts = +counts  # drop zeros
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], vocab[p[0]], vocab[p[1]]))
        new_id = len(vocab)
        vocab[new_id] = vocab[best[0]] + vocab[best[1]]
        merges.append((vocab[best[0]], vocab[best[1]]))
        for w in list(where[best]):
            old = seqs[w]
            new = reference.merge(old, best, new_id)
            if new == old:
                continue
            counts.subtract(Counter({p: c * words[w] for p, c in Counter(zip(old, old[1:])).items()}))
            counts.update(Counter({p: c * words[w] for p, c in Counter(zip(new, new[1:])).items()}))
            for p in zip(new, new[1:]):
                where[p].add(w)
            seqs[w] = new
        del where[best]
    return vocab, merges


class TokenizerByBytes:
    """Merges bytes objects by rank and looks the ids up at the end; finds special tokens by hand."""

    def __init__(self, vocab, merges, special_tokens=None, pattern=GPT2_PATTERN):
        self.vocab = dict(vocab)
        self.ids = {b: i for i, b in sorted(self.vocab.items(), reverse=True)}
        self.rank = {}
        for r, (a, b) in enumerate(merges):
            self.rank.setdefault((a, b), r)
        self.pattern = regex.compile(pattern)
        self.specials = {}
        for s in special_tokens or []:
            if s.encode() not in self.ids:
                new = max(self.vocab) + 1
                self.vocab[new] = s.encode()
                self.ids[s.encode()] = new
            self.specials[s] = self.ids[s.encode()]

    def _bpe(self, word):
        parts = [bytes([b]) for b in word.encode()]
        while True:
            ranked = [(self.rank.get((a, b), float("inf")), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            if not ranked or min(ranked)[0] == float("inf"):
                return [self.ids[p] for p in parts]
            best = parts[min(ranked)[1]], parts[min(ranked)[1] + 1]
            out, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and (parts[i], parts[i + 1]) == best:
                    out.append(best[0] + best[1])
                    i += 2
                else:
                    out.append(parts[i])
                    i += 1
            parts = out

    def encode(self, text):
        ids, start, i = [], 0, 0
        while i <= len(text):
            hits = [s for s in self.specials if text.startswith(s, i)]
            if hits or i == len(text):
                for word in self.pattern.findall(text[start:i]):
                    ids += self._bpe(word)
                if not hits:
                    break
                longest = max(hits, key=len)
                ids.append(self.specials[longest])
                i = start = i + len(longest)
            else:
                i += 1
        return ids

    def decode(self, ids):
        try:
            data = b"".join(self.vocab[i] for i in ids)
        except KeyError as exc:
            raise ValueError(f"unknown id {exc}") from None
        return data.decode("utf-8", "replace")


class TokenizerTrainingOrder(reference.Tokenizer):
    """Applies every merge in training order over the whole pre-token (correct, slow for GPT-4)."""

    def _encode_word(self, data):
        ids = [self.id_of[bytes([b])] for b in data]
        for pair, (_, new) in sorted(self.merge_of.items(), key=lambda kv: kv[1][0]):
            if len(ids) == 1:
                break
            ids = reference.merge(ids, pair, new)
        return ids


CORRECT = {
    "reference": impl(),
    "counter_heap_bytes": impl(get_pair_counts=pair_counts_counter, merge=merge_with_skip, train_bpe=train_bpe_heap,
                               Tokenizer=TokenizerByBytes, gpt4_tokenizer=gpt4_with(TokenizerByBytes)),
    "key_scan_training_order": impl(train_bpe=train_bpe_key_scan, Tokenizer=TokenizerTrainingOrder),
}


# ---------------------------------------------------------------------------------- wrong

def merge_overlapping(ids, pair, new_id):
    """Replaces the pair at every position where it starts, overlaps included: (a, a) in a a a -> X X."""
    out = []
    for i in range(len(ids)):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
        elif not (i > 0 and (ids[i - 1], ids[i]) == pair):
            out.append(ids[i])
    return out


def pair_counts_non_overlapping(ids):
    counts, i = {}, 0
    while i + 1 < len(ids):
        pair = (ids[i], ids[i + 1])
        counts[pair] = counts.get(pair, 0) + 1
        i += 2 if ids[i] == ids[i + 1] else 1
    return counts


def _train_with(pretokenize=None, tie=max, split_specials=True, recount=False, check_size=True):
    """A family of train_bpe implementations, each argument bending one rule."""
    def train(text, vocab_size, special_tokens=[]):
        if check_size:
            _check_size(vocab_size, special_tokens)
        vocab = {i: bytes([i]) for i in range(256)}
        vocab.update({256 + i: s.encode() for i, s in enumerate(special_tokens)})
        pieces = _pieces(text, special_tokens) if split_specials else ["".join(_pieces(text, special_tokens))]
        split = pretokenize or (lambda p: regex.findall(GPT2_PATTERN, p))
        words = Counter(w for p in pieces for w in split(p))
        seqs, freqs = [list(w.encode()) for w in words], list(words.values())
        merges = []
        for new_id in range(256 + len(special_tokens), vocab_size):
            counts = Counter()
            for seq, f in zip(seqs, freqs):
                for p in zip(seq, seq[1:]):
                    counts[p] += f
            if not counts:
                break
            top = max(counts.values())
            best = tie((p for p, c in counts.items() if c == top), key=lambda p: (vocab[p[0]], vocab[p[1]]))
            vocab[new_id] = vocab[best[0]] + vocab[best[1]]
            merges.append((vocab[best[0]], vocab[best[1]]))
            seqs = [reference.merge(s, best, new_id) for s in seqs]
        return vocab, merges
    return train


class TokenizerPerPosition(reference.Tokenizer):
    """Walks left to right and, at each position, keeps merging with the right neighbour while that
    pair is a merge (the first learnt applicable one), instead of merging by priority over the word."""

    def _encode_word(self, data):
        ids = [self.id_of[bytes([b])] for b in data]
        i = 0
        while i < len(ids) - 1:
            pair = (ids[i], ids[i + 1])
            if pair in self.merge_of:
                ids[i:i + 2] = [self.merge_of[pair][1]]
            else:
                i += 1
        return ids


class TokenizerStrictDecode(reference.Tokenizer):
    def decode(self, ids):
        if any(i not in self.vocab for i in ids):
            raise ValueError("unknown id")
        return b"".join(self.vocab[i] for i in ids).decode("utf-8")


class TokenizerSpecialsByRegex(reference.Tokenizer):
    """Knows the special tokens' ids (decode works) but encodes them as ordinary text."""

    def encode(self, text):
        ids = []
        for word in self.pattern.findall(text):
            ids += self._encode_word(word.encode())
        return ids


class TokenizerNoPretokenization(reference.Tokenizer):
    """Cuts out the special tokens but merges each whole piece between them, without `pattern`."""

    def encode(self, text):
        chunks = self.special_pattern.split(text) if self.special_pattern else [text]
        ids = []
        for k, chunk in enumerate(chunks):
            if k % 2 == 1:
                ids.append(self.special_ids[chunk])
            elif chunk:
                ids += self._encode_word(chunk.encode("utf-8"))
        return ids


class TokenizerBytesAreIds(reference.Tokenizer):
    """Assumes id b is the byte b: right for trained vocabularies, wrong for GPT-4's ranks."""

    def _encode_word(self, data):
        ids = list(data)
        while len(ids) > 1:
            candidates = [(self.merge_of[p][0], p) for p in zip(ids, ids[1:]) if p in self.merge_of]
            if not candidates:
                break
            pair = min(candidates)[1]
            ids = reference.merge(ids, pair, self.merge_of[pair][1])
        return ids


def gpt4_calls_tiktoken(mergeable_ranks, special_tokens, pattern):
    import tiktoken

    enc = tiktoken.Encoding("copy", pat_str=pattern, mergeable_ranks=mergeable_ranks, special_tokens=special_tokens)

    class Wrapper:
        def encode(self, text):
            return enc.encode(text, allowed_special="all")

        def decode(self, ids):
            return enc.decode(ids)
    return Wrapper()


def gpt4_calls_core_bpe(mergeable_ranks, special_tokens, pattern):
    """Hides tiktoken behind the Rust core's own encode method."""
    import tiktoken

    core = tiktoken.Encoding("copy", pat_str=pattern, mergeable_ranks=mergeable_ranks,
                             special_tokens=special_tokens)._core_bpe
    tok = reference.gpt4_tokenizer(mergeable_ranks, special_tokens, pattern)
    tok.encode = lambda text: core.encode(text, set(special_tokens))
    return tok


PAIRS, MERGE, TRAIN, SPEED, TOKENIZER, GPT4, INPUTS = (
    "check_get_pair_counts", "check_merge", "check_train_bpe", "check_train_bpe_speed", "check_tokenizer",
    "check_gpt4_tokenizer", "check_input_checks")
ALL = (PAIRS, MERGE, TRAIN, SPEED, TOKENIZER, GPT4, INPUTS)


def train_bpe_clamped(text, vocab_size, special_tokens=[]):
    """The reference's training, but a vocab_size too small for the bytes and special tokens is
    quietly raised to the smallest one (no ValueError)."""
    return reference.train_bpe(text, max(vocab_size, 256 + len(special_tokens)), special_tokens)


class TokenizerSkipsUnknownIds(reference.Tokenizer):
    """Decodes the known ids and leaves the unknown ones out, instead of raising ValueError."""

    def decode(self, ids):
        return reference.Tokenizer.decode(self, [i for i in ids if i in self.vocab])


def merge_in_place(ids, pair, new_id):
    """The right result, built by rewriting the caller's list."""
    i = 0
    while i < len(ids) - 1:
        if (ids[i], ids[i + 1]) == tuple(pair):
            ids[i:i + 2] = [new_id]
        i += 1
    return ids


def pair_counts_popping(ids):
    """The right counts, but empties the caller's list while counting."""
    counts = Counter()
    while len(ids) > 1:
        counts[ids[0], ids[1]] += 1
        ids.pop(0)
    return dict(counts)


def _others(*failing):
    return tuple(p for p in ALL if p not in failing)


# name -> (implementation, the check that must fail, the checks that must still pass)
WRONG = {
    # the list
    "overlapping_merges": (impl(merge=merge_overlapping), MERGE, _others(MERGE)),
    "pairs_across_pretokens": (impl(train_bpe=_train_with(pretokenize=lambda p: [p] if p else [])), TRAIN,
                               _others(TRAIN, SPEED)),
    "merges_across_special_tokens": (impl(train_bpe=_train_with(split_specials=False)), TRAIN, _others(TRAIN, SPEED)),
    "ties_broken_the_other_way": (impl(train_bpe=_train_with(tie=min)), TRAIN, _others(TRAIN, SPEED)),
    "encode_per_position_in_training_order": (impl(Tokenizer=TokenizerPerPosition), TOKENIZER, _others(TOKENIZER)),
    "decode_strict": (impl(Tokenizer=TokenizerStrictDecode), TOKENIZER, _others(TOKENIZER)),
    "special_tokens_split_by_the_regex": (impl(Tokenizer=TokenizerSpecialsByRegex), TOKENIZER, _others(TOKENIZER)),
    "encode_without_pretokenization": (impl(Tokenizer=TokenizerNoPretokenization), TOKENIZER, _others(TOKENIZER)),
    "naive_recount_per_merge": (impl(train_bpe=_train_with()), SPEED, _others(SPEED)),
    # more
    "pair_counts_skip_overlaps": (impl(get_pair_counts=pair_counts_non_overlapping), PAIRS, _others(PAIRS)),
    "pair_counts_empty_the_list": (impl(get_pair_counts=pair_counts_popping), PAIRS, _others(PAIRS)),
    "merge_rewrites_the_list": (impl(merge=merge_in_place), MERGE, _others(MERGE)),
    # the input checks (Task 7) are a part of their own: a missing ValueError costs that part only
    "no_value_error_for_small_vocab": (impl(train_bpe=train_bpe_clamped), INPUTS, _others(INPUTS)),
    "no_value_error_for_small_vocab_naive": (impl(train_bpe=_train_with(check_size=False)), INPUTS,
                                             _others(INPUTS, SPEED)),
    "no_value_error_for_unknown_ids": (impl(Tokenizer=TokenizerSkipsUnknownIds), INPUTS, _others(INPUTS)),
    "bytes_taken_as_ids": (impl(Tokenizer=TokenizerBytesAreIds, gpt4_tokenizer=gpt4_with(TokenizerBytesAreIds)),
                           GPT4, _others(GPT4)),
    "gpt4_calls_tiktoken": (impl(gpt4_tokenizer=gpt4_calls_tiktoken), GPT4, _others(GPT4)),
    "gpt4_calls_tiktoken_core": (impl(gpt4_tokenizer=gpt4_calls_core_bpe), GPT4, _others(GPT4)),
}
