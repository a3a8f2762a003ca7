"""1_1_tokenization_impl_byte_pair_encoding: implementations written from the release notebook alone (independently written; the author saw
neither source/, solutions/ nor graders/). The correct ones differ in loops vs zip vs Counter, index vs skip-flag vs list.index merging,
incremental training with a linear max scan vs a lazy max-heap vs Counter-of-tuples, and id-space vs bytes-space BPE encoding with
three ways of cutting out special tokens."""

ASSIGNMENT = '1_1_tokenization_impl_byte_pair_encoding'

_PC_LOOP = r'''def get_pair_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    """How often each pair of neighbouring ids occurs in `ids`."""
    counts = {}
    for i in range(len(ids) - 1):
        pair = (ids[i], ids[i + 1])
        counts[pair] = counts.get(pair, 0) + 1
    return counts
'''

_PC_ZIP = r'''def get_pair_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    """How often each pair of neighbouring ids occurs in `ids`."""
    counts: dict[tuple[int, int], int] = {}
    for pair in zip(ids, ids[1:]):
        if pair in counts:
            counts[pair] += 1
        else:
            counts[pair] = 1
    return counts
'''

_PC_COUNTER = r'''from collections import Counter


def get_pair_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    """How often each pair of neighbouring ids occurs in `ids`."""
    following = iter(ids)
    next(following, None)          # the second element onwards, without copying the list
    return dict(Counter(zip(ids, following)))
'''

_MERGE_WHILE = r'''def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """`ids` with each occurrence of `pair`, left to right and non-overlapping, replaced by `new_id`."""
    out = []
    i, n = 0, len(ids)
    while i < n:
        if i + 1 < n and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
'''

_MERGE_SKIP = r'''def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """`ids` with each occurrence of `pair`, left to right and non-overlapping, replaced by `new_id`."""
    first, second = pair
    out = []
    skip_next = False
    for i, x in enumerate(ids):
        if skip_next:
            skip_next = False
            continue
        if x == first and i + 1 < len(ids) and ids[i + 1] == second:
            out.append(new_id)
            skip_next = True
        else:
            out.append(x)
    return out
'''

_MERGE_INDEX = r'''def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """`ids` with each occurrence of `pair`, left to right and non-overlapping, replaced by `new_id`."""
    first, second = pair
    out = []
    start, n = 0, len(ids)
    while True:
        try:
            j = ids.index(first, start)       # next candidate start of the pair
        except ValueError:
            out.extend(ids[start:])
            return out
        if j + 1 < n and ids[j + 1] == second:
            out.extend(ids[start:j])
            out.append(new_id)
            start = j + 2
        else:
            out.extend(ids[start:j + 1])
            start = j + 1
'''

_TRAIN_SCAN = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _split_on_specials(text, special_tokens):
    """The pieces of text between the special tokens (longest special token first)."""
    if not special_tokens:
        return [text]
    alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
    return regex.split(alternation, text)


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    n_special = len(special_tokens)
    if vocab_size < 256 + n_special:
        raise ValueError(f"vocab_size={vocab_size} leaves no room for the 256 bytes and {n_special} special tokens")
    vocab = {i: bytes([i]) for i in range(256)}
    for k, token in enumerate(special_tokens):
        vocab[256 + k] = token.encode("utf-8")

    frequency = {}
    for piece in _split_on_specials(text, special_tokens):
        for pre in regex.findall(GPT2_PATTERN, piece):
            frequency[pre] = frequency.get(pre, 0) + 1
    words = [list(pre.encode("utf-8")) for pre in frequency]
    weights = list(frequency.values())

    counts = {}        # pair -> weighted count
    where = {}         # pair -> indices of the words that (may) contain it
    for w, ids in enumerate(words):
        for pair, c in get_pair_counts(ids).items():
            counts[pair] = counts.get(pair, 0) + c * weights[w]
            where.setdefault(pair, set()).add(w)

    merges = []
    next_id = 256 + n_special
    while next_id < vocab_size:
        best, best_key = None, None
        for pair, c in counts.items():
            if c <= 0:
                continue
            key = (c, vocab[pair[0]], vocab[pair[1]])
            if best_key is None or key > best_key:
                best, best_key = pair, key
        if best is None:
            break
        vocab[next_id] = vocab[best[0]] + vocab[best[1]]
        merges.append((vocab[best[0]], vocab[best[1]]))
        for w in list(where.get(best, ())):
            old = words[w]
            new = merge(old, best, next_id)
            if len(new) == len(old):
                continue
            n = weights[w]
            for pair, c in get_pair_counts(old).items():
                counts[pair] -= c * n
            for pair, c in get_pair_counts(new).items():
                counts[pair] = counts.get(pair, 0) + c * n
                where.setdefault(pair, set()).add(w)
            words[w] = new
        counts.pop(best, None)
        where.pop(best, None)
        next_id += 1
    return vocab, merges
'''

_TRAIN_HEAP = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

import heapq


class _Descending:
    """Wraps a key so that heapq, a min-heap, pops the greatest key first."""
    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __lt__(self, other):
        return self.key > other.key


def _cut_specials(text, special_tokens):
    """Pieces between special tokens: the leftmost occurrence first, the longest one at equal starts."""
    specials = [s for s in special_tokens if s]
    if not specials:
        return [text]
    pieces, pos = [], 0
    while True:
        found = None
        for s in specials:
            j = text.find(s, pos)
            if j >= 0 and (found is None or j < found[0] or (j == found[0] and len(s) > len(found[1]))):
                found = (j, s)
        if found is None:
            pieces.append(text[pos:])
            return pieces
        pieces.append(text[pos:found[0]])
        pos = found[0] + len(found[1])


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    specials = list(special_tokens)
    if vocab_size < 256 + len(specials):
        raise ValueError(f"vocab_size must be at least 256 + {len(specials)} special tokens, got {vocab_size}")
    vocab = {b: bytes([b]) for b in range(256)}
    for offset, token in enumerate(specials):
        vocab[256 + offset] = token.encode("utf-8")

    words = {}            # bytes of a distinct pre-token -> [its ids, its frequency]
    for piece in _cut_specials(text, specials):
        for match in regex.finditer(GPT2_PATTERN, piece):
            key = match.group().encode("utf-8")
            entry = words.get(key)
            if entry is None:
                words[key] = [list(key), 1]
            else:
                entry[1] += 1

    counts, index = {}, {}
    for key, (ids, n) in words.items():
        for pair in zip(ids, ids[1:]):
            counts[pair] = counts.get(pair, 0) + n
            index.setdefault(pair, set()).add(key)
    heap = [(_Descending((c, vocab[p[0]], vocab[p[1]])), p) for p, c in counts.items()]
    heapq.heapify(heap)

    merges = []
    new_id = 256 + len(specials)
    while new_id < vocab_size:
        best = None
        while heap:
            entry, pair = heapq.heappop(heap)
            c = entry.key[0]
            if c > 0 and counts.get(pair) == c:     # skip entries made stale by later updates
                best = pair
                break
        if best is None:
            break
        left, right = vocab[best[0]], vocab[best[1]]
        vocab[new_id] = left + right
        merges.append((left, right))
        changed = {}
        for key in index.pop(best, ()):
            ids, n = words[key]
            new_ids = merge(ids, best, new_id)
            if len(new_ids) == len(ids):
                continue
            for pair, c in get_pair_counts(ids).items():
                changed[pair] = changed.get(pair, 0) - c * n
            for pair, c in get_pair_counts(new_ids).items():
                changed[pair] = changed.get(pair, 0) + c * n
                index.setdefault(pair, set()).add(key)
            words[key][0] = new_ids
        for pair, delta in changed.items():
            if delta == 0:
                continue
            c = counts.get(pair, 0) + delta
            if c > 0:
                counts[pair] = c
                heapq.heappush(heap, (_Descending((c, vocab[pair[0]], vocab[pair[1]])), pair))
            else:
                counts.pop(pair, None)
        new_id += 1
    return vocab, merges
'''

_TRAIN_TUPLES = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

from collections import Counter


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    first_merge_id = 256 + len(special_tokens)
    if vocab_size < first_merge_id:
        raise ValueError(f"vocab_size {vocab_size} < 256 + len(special_tokens) = {first_merge_id}")
    vocab = {i: bytes([i]) for i in range(256)}
    vocab.update({256 + k: s.encode("utf-8") for k, s in enumerate(special_tokens)})

    if special_tokens:
        splitter = "(" + "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True)) + ")"
        pieces = regex.split(splitter, text)[::2]          # the odd entries are the special tokens
    else:
        pieces = [text]
    pretokens = Counter(p for piece in pieces for p in regex.findall(GPT2_PATTERN, piece))
    words = Counter()                                      # tuple of ids -> frequency
    for pre, n in pretokens.items():
        words[tuple(pre.encode("utf-8"))] += n

    pair_counts = Counter()
    holders = {}
    for w, n in words.items():
        for pair, c in get_pair_counts(list(w)).items():
            pair_counts[pair] += c * n
            holders.setdefault(pair, set()).add(w)

    merges = []
    for new_id in range(first_merge_id, vocab_size):
        if not pair_counts:
            break
        best = max(pair_counts, key=lambda p: (pair_counts[p], vocab[p[0]], vocab[p[1]]))
        merges.append((vocab[best[0]], vocab[best[1]]))
        vocab[new_id] = vocab[best[0]] + vocab[best[1]]
        touched = set()
        for w in holders.pop(best, set()):
            n = words.pop(w, 0)
            if n == 0:
                continue                                   # this word was rewritten by an earlier merge
            merged = tuple(merge(list(w), best, new_id))
            for pair, c in get_pair_counts(list(w)).items():
                pair_counts[pair] -= c * n
                touched.add(pair)
            for pair, c in get_pair_counts(list(merged)).items():
                pair_counts[pair] += c * n
                touched.add(pair)
                holders.setdefault(pair, set()).add(merged)
            words[merged] += n
        for pair in touched:
            if pair_counts[pair] <= 0:
                del pair_counts[pair]
    return vocab, merges
'''

_TOK_IDS = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self.vocab = dict(vocab)
        inverse = {}
        for i, b in self.vocab.items():
            inverse.setdefault(b, i)
        self._byte_ids = [inverse.get(bytes([b])) for b in range(256)]
        self._merges = {}                   # (left id, right id) -> (rank, id of the merged token)
        for rank, (a, b) in enumerate(merges):
            left, right, joined = inverse.get(a), inverse.get(b), inverse.get(a + b)
            if left is None or right is None or joined is None:
                continue
            self._merges.setdefault((left, right), (rank, joined))
        self._special_ids = {}
        next_free = max(self.vocab) + 1 if self.vocab else 0
        for s in special_tokens or []:
            if s in self._special_ids:
                continue
            data = s.encode("utf-8")
            if data in inverse:
                self._special_ids[s] = inverse[data]
            else:
                self._special_ids[s] = next_free
                self.vocab[next_free] = data
                next_free += 1
        if self._special_ids:
            ordered = sorted(self._special_ids, key=len, reverse=True)
            self._special_re = regex.compile("(" + "|".join(regex.escape(s) for s in ordered) + ")")
        else:
            self._special_re = None
        self._pattern = regex.compile(pattern)
        self._cache = {}

    def _bpe(self, pre: str) -> list[int]:
        cached = self._cache.get(pre)
        if cached is not None:
            return cached
        ids = [self._byte_ids[b] for b in pre.encode("utf-8")]
        while len(ids) >= 2:
            best_rank, best_pair, best_new = None, None, None
            for i in range(len(ids) - 1):
                entry = self._merges.get((ids[i], ids[i + 1]))
                if entry is not None and (best_rank is None or entry[0] < best_rank):
                    best_rank, best_new = entry
                    best_pair = (ids[i], ids[i + 1])
            if best_pair is None:
                break
            ids = merge(ids, best_pair, best_new)
        self._cache[pre] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        out = []
        pieces = self._special_re.split(text) if self._special_re is not None else [text]
        for k, piece in enumerate(pieces):
            if k % 2 == 1:                  # the captured special tokens sit at the odd places
                out.append(self._special_ids[piece])
                continue
            for pre in self._pattern.findall(piece):
                out.extend(self._bpe(pre))
        return out

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        parts = []
        for i in ids:
            if i not in self.vocab:
                raise ValueError(f"id {i} is not in the vocabulary")
            parts.append(self.vocab[i])
        return b"".join(parts).decode("utf-8", errors="replace")
'''

_TOK_BYTES = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self.id_to_bytes = dict(vocab)
        self.bytes_to_id = {}
        for i in sorted(self.id_to_bytes):
            self.bytes_to_id.setdefault(self.id_to_bytes[i], i)
        self.rank = {}                      # (left bytes, right bytes) -> rank of the merge
        for r, (a, b) in enumerate(merges):
            if a + b in self.bytes_to_id and (a, b) not in self.rank:
                self.rank[(a, b)] = r
        self.special = {}
        free = max(self.id_to_bytes, default=-1) + 1
        for s in special_tokens or []:
            if s in self.special:
                continue
            data = s.encode("utf-8")
            if data in self.bytes_to_id:
                self.special[s] = self.bytes_to_id[data]
            else:
                self.special[s] = free
                self.id_to_bytes[free] = data
                free += 1
        self.regex = regex.compile(pattern)
        self.cache = {}

    def _chunk(self, chunk: str) -> list[int]:
        ids = self.cache.get(chunk)
        if ids is None:
            parts = [bytes([b]) for b in chunk.encode("utf-8")]
            while len(parts) > 1:
                best = None
                for pair in zip(parts, parts[1:]):
                    r = self.rank.get(pair)
                    if r is not None and (best is None or r < best[0]):
                        best = (r, pair)
                if best is None:
                    break
                pair = best[1]
                parts = merge(parts, pair, pair[0] + pair[1])
            ids = [self.bytes_to_id[p] for p in parts]
            self.cache[chunk] = ids
        return ids

    def _ordinary(self, text: str, out: list[int]) -> None:
        for m in self.regex.finditer(text):
            out.extend(self._chunk(m.group()))

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        out = []
        pos = 0
        while self.special:
            found = None                    # leftmost special token; the longest one at equal starts
            for s in self.special:
                j = text.find(s, pos)
                if j >= 0 and (found is None or j < found[0] or (j == found[0] and len(s) > len(found[1]))):
                    found = (j, s)
            if found is None:
                break
            self._ordinary(text[pos:found[0]], out)
            out.append(self.special[found[1]])
            pos = found[0] + len(found[1])
        self._ordinary(text[pos:], out)
        return out

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        chunks = []
        for i in ids:
            if i not in self.id_to_bytes:
                raise ValueError(f"unknown token id {i!r}")
            chunks.append(self.id_to_bytes[i])
        return b"".join(chunks).decode("utf-8", errors="replace")
'''

_TOK_MIN = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self._vocab = {int(i): bytes(b) for i, b in vocab.items()}
        lookup = {}
        for i, b in sorted(self._vocab.items()):
            if b not in lookup:
                lookup[b] = i
        self._lookup = lookup
        self._rank, self._new_id = {}, {}
        for rank, (a, b) in enumerate(merges):
            if a in lookup and b in lookup and a + b in lookup:
                key = (lookup[a], lookup[b])
                if key not in self._rank:
                    self._rank[key] = rank
                    self._new_id[key] = lookup[a + b]
        self._specials = {}
        for s in dict.fromkeys(special_tokens or []):
            data = s.encode("utf-8")
            if data in lookup:
                self._specials[s] = lookup[data]
            else:
                new = max(self._vocab) + 1 if self._vocab else 0
                self._vocab[new] = data
                self._specials[s] = new
        alternatives = sorted(self._specials, key=lambda s: (-len(s), s))
        self._special_re = regex.compile("|".join(map(regex.escape, alternatives))) if alternatives else None
        self._pattern = regex.compile(pattern)
        self._cache = {}

    def _encode_ordinary(self, text: str) -> list[int]:
        out = []
        inf = float("inf")
        for m in self._pattern.finditer(text):
            pre = m.group()
            if pre not in self._cache:
                ids = [self._lookup[bytes([b])] for b in pre.encode("utf-8")]
                while len(ids) > 1:
                    pair = min(zip(ids, ids[1:]), key=lambda p: self._rank.get(p, inf))
                    if pair not in self._rank:
                        break
                    ids = merge(ids, pair, self._new_id[pair])
                self._cache[pre] = tuple(ids)
            out.extend(self._cache[pre])
        return out

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        ids = []
        pos = 0
        if self._special_re is not None:
            for m in self._special_re.finditer(text):
                ids += self._encode_ordinary(text[pos:m.start()])
                ids.append(self._specials[m.group()])
                pos = m.end()
        ids += self._encode_ordinary(text[pos:])
        return ids

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        try:
            data = b"".join(self._vocab[i] for i in ids)
        except KeyError as error:
            raise ValueError(f"id {error.args[0]!r} is not in the vocabulary") from None
        return data.decode("utf-8", errors="replace")
'''

_GPT4_DICT = r'''def recover_merges(mergeable_ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    """Given. The merges, in rank order, that build every token of more than one byte."""
    merges = []
    for token, rank in sorted(mergeable_ranks.items(), key=lambda item: item[1]):
        if len(token) == 1:
            continue
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:   # BPE with the ranks below `rank` only
            best = None
            for i in range(len(parts) - 1):
                r = mergeable_ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < rank and (best is None or r < best[0]):
                    best = (r, i)
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        merges.append((parts[0], parts[1]))
    return merges


def gpt4_tokenizer(mergeable_ranks: dict[bytes, int], special_tokens: dict[str, int], pattern: str) -> Tokenizer:
    """A Tokenizer that encodes like tiktoken's encoding with these ranks, special tokens and pattern."""
    vocab = {rank: token for token, rank in mergeable_ranks.items()}
    for name, i in special_tokens.items():
        vocab[i] = name.encode("utf-8")
    return Tokenizer(vocab, recover_merges(mergeable_ranks), list(special_tokens), pattern)
'''

_GPT4_SORTED = r'''def recover_merges(mergeable_ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    """Given. The merges, in rank order, that build every token of more than one byte."""
    merges = []
    for token, rank in sorted(mergeable_ranks.items(), key=lambda item: item[1]):
        if len(token) == 1:
            continue
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:   # BPE with the ranks below `rank` only
            best = None
            for i in range(len(parts) - 1):
                r = mergeable_ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < rank and (best is None or r < best[0]):
                    best = (r, i)
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        merges.append((parts[0], parts[1]))
    return merges


def gpt4_tokenizer(mergeable_ranks: dict[bytes, int], special_tokens: dict[str, int], pattern: str) -> Tokenizer:
    """A Tokenizer that encodes like tiktoken's encoding with these ranks, special tokens and pattern."""
    vocab = {}
    for token, rank in sorted(mergeable_ranks.items(), key=lambda kv: kv[1]):
        vocab[rank] = token
    names = sorted(special_tokens, key=special_tokens.get)     # the special tokens by id
    for name in names:
        vocab[special_tokens[name]] = name.encode("utf-8")
    merges = recover_merges(mergeable_ranks)
    return Tokenizer(vocab, merges, special_tokens=names, pattern=pattern)
'''

_GPT4_ZIP = r'''def recover_merges(mergeable_ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    """Given. The merges, in rank order, that build every token of more than one byte."""
    merges = []
    for token, rank in sorted(mergeable_ranks.items(), key=lambda item: item[1]):
        if len(token) == 1:
            continue
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:   # BPE with the ranks below `rank` only
            best = None
            for i in range(len(parts) - 1):
                r = mergeable_ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < rank and (best is None or r < best[0]):
                    best = (r, i)
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        merges.append((parts[0], parts[1]))
    return merges


def gpt4_tokenizer(mergeable_ranks: dict[bytes, int], special_tokens: dict[str, int], pattern: str) -> Tokenizer:
    """A Tokenizer that encodes like tiktoken's encoding with these ranks, special tokens and pattern."""
    ids_to_bytes = dict(zip(mergeable_ranks.values(), mergeable_ranks.keys()))
    ids_to_bytes |= {i: s.encode("utf-8") for s, i in special_tokens.items()}
    return Tokenizer(ids_to_bytes, recover_merges(mergeable_ranks), [*special_tokens], pattern)
'''

_W_PC_MISS_LAST = r'''def get_pair_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    """How often each pair of neighbouring ids occurs in `ids`."""
    counts = {}
    for i in range(len(ids) - 2):
        pair = (ids[i], ids[i + 1])
        counts[pair] = counts.get(pair, 0) + 1
    return counts
'''

_W_PC_PRESENCE = r'''def get_pair_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    """How often each pair of neighbouring ids occurs in `ids`."""
    counts: dict[tuple[int, int], int] = {}
    for pair in zip(ids, ids[1:]):
        if pair in counts:
            counts[pair] = 1
        else:
            counts[pair] = 1
    return counts
'''

_W_PC_NO_OVERLAP = r'''def get_pair_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    """How often each pair of neighbouring ids occurs in `ids`."""
    counts = {}
    i = 0
    while i < len(ids) - 1:
        pair = (ids[i], ids[i + 1])
        counts[pair] = counts.get(pair, 0) + 1
        i += 2 if ids[i] == ids[i + 1] else 1      # "a a" used up: skip the second a
    return counts
'''

_W_PC_MUTATES = r'''def get_pair_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    """How often each pair of neighbouring ids occurs in `ids`."""
    counts = {}
    while len(ids) > 1:
        first = ids.pop(0)
        pair = (first, ids[0])
        counts[pair] = counts.get(pair, 0) + 1
    return counts
'''

_W_MERGE_OVERLAP = r'''def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """`ids` with each occurrence of `pair`, left to right and non-overlapping, replaced by `new_id`."""
    out = []
    i, n = 0, len(ids)
    while i < n:
        if i + 1 < n and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 1
        else:
            out.append(ids[i])
            i += 1
    return out
'''

_W_MERGE_TAIL = r'''def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """`ids` with each occurrence of `pair`, left to right and non-overlapping, replaced by `new_id`."""
    out = []
    i = 0
    while i < len(ids) - 1:
        if (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
'''

_W_MERGE_INPLACE = r'''def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """`ids` with each occurrence of `pair`, left to right and non-overlapping, replaced by `new_id`."""
    i = 0
    while i < len(ids) - 1:
        if ids[i] == pair[0] and ids[i + 1] == pair[1]:
            ids[i:i + 2] = [new_id]
        i += 1
    return ids
'''

_W_MERGE_RTL = r'''def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """`ids` with each occurrence of `pair`, left to right and non-overlapping, replaced by `new_id`."""
    out = []
    i = len(ids) - 1
    while i >= 0:
        if i >= 1 and ids[i - 1] == pair[0] and ids[i] == pair[1]:
            out.append(new_id)
            i -= 2
        else:
            out.append(ids[i])
            i -= 1
    return out[::-1]
'''

_W_TRAIN_TIE_MIN = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _split_on_specials(text, special_tokens):
    """The pieces of text between the special tokens (longest special token first)."""
    if not special_tokens:
        return [text]
    alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
    return regex.split(alternation, text)


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    n_special = len(special_tokens)
    if vocab_size < 256 + n_special:
        raise ValueError(f"vocab_size={vocab_size} leaves no room for the 256 bytes and {n_special} special tokens")
    vocab = {i: bytes([i]) for i in range(256)}
    for k, token in enumerate(special_tokens):
        vocab[256 + k] = token.encode("utf-8")

    frequency = {}
    for piece in _split_on_specials(text, special_tokens):
        for pre in regex.findall(GPT2_PATTERN, piece):
            frequency[pre] = frequency.get(pre, 0) + 1
    words = [list(pre.encode("utf-8")) for pre in frequency]
    weights = list(frequency.values())

    counts = {}        # pair -> weighted count
    where = {}         # pair -> indices of the words that (may) contain it
    for w, ids in enumerate(words):
        for pair, c in get_pair_counts(ids).items():
            counts[pair] = counts.get(pair, 0) + c * weights[w]
            where.setdefault(pair, set()).add(w)

    merges = []
    next_id = 256 + n_special
    while next_id < vocab_size:
        best, best_key = None, None
        for pair, c in counts.items():
            if c <= 0:
                continue
            key = (c, vocab[pair[0]], vocab[pair[1]])
            if best_key is None or key[0] > best_key[0] or (key[0] == best_key[0] and key[1:] < best_key[1:]):
                best, best_key = pair, key
        if best is None:
            break
        vocab[next_id] = vocab[best[0]] + vocab[best[1]]
        merges.append((vocab[best[0]], vocab[best[1]]))
        for w in list(where.get(best, ())):
            old = words[w]
            new = merge(old, best, next_id)
            if len(new) == len(old):
                continue
            n = weights[w]
            for pair, c in get_pair_counts(old).items():
                counts[pair] -= c * n
            for pair, c in get_pair_counts(new).items():
                counts[pair] = counts.get(pair, 0) + c * n
                where.setdefault(pair, set()).add(w)
            words[w] = new
        counts.pop(best, None)
        where.pop(best, None)
        next_id += 1
    return vocab, merges
'''

_W_TRAIN_TIE_IDS = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

import heapq


class _Descending:
    """Wraps a key so that heapq, a min-heap, pops the greatest key first."""
    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __lt__(self, other):
        return self.key > other.key


def _cut_specials(text, special_tokens):
    """Pieces between special tokens: the leftmost occurrence first, the longest one at equal starts."""
    specials = [s for s in special_tokens if s]
    if not specials:
        return [text]
    pieces, pos = [], 0
    while True:
        found = None
        for s in specials:
            j = text.find(s, pos)
            if j >= 0 and (found is None or j < found[0] or (j == found[0] and len(s) > len(found[1]))):
                found = (j, s)
        if found is None:
            pieces.append(text[pos:])
            return pieces
        pieces.append(text[pos:found[0]])
        pos = found[0] + len(found[1])


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    specials = list(special_tokens)
    if vocab_size < 256 + len(specials):
        raise ValueError(f"vocab_size must be at least 256 + {len(specials)} special tokens, got {vocab_size}")
    vocab = {b: bytes([b]) for b in range(256)}
    for offset, token in enumerate(specials):
        vocab[256 + offset] = token.encode("utf-8")

    words = {}            # bytes of a distinct pre-token -> [its ids, its frequency]
    for piece in _cut_specials(text, specials):
        for match in regex.finditer(GPT2_PATTERN, piece):
            key = match.group().encode("utf-8")
            entry = words.get(key)
            if entry is None:
                words[key] = [list(key), 1]
            else:
                entry[1] += 1

    counts, index = {}, {}
    for key, (ids, n) in words.items():
        for pair in zip(ids, ids[1:]):
            counts[pair] = counts.get(pair, 0) + n
            index.setdefault(pair, set()).add(key)
    heap = [(_Descending((c, p[0], p[1])), p) for p, c in counts.items()]
    heapq.heapify(heap)

    merges = []
    new_id = 256 + len(specials)
    while new_id < vocab_size:
        best = None
        while heap:
            entry, pair = heapq.heappop(heap)
            c = entry.key[0]
            if c > 0 and counts.get(pair) == c:     # skip entries made stale by later updates
                best = pair
                break
        if best is None:
            break
        left, right = vocab[best[0]], vocab[best[1]]
        vocab[new_id] = left + right
        merges.append((left, right))
        changed = {}
        for key in index.pop(best, ()):
            ids, n = words[key]
            new_ids = merge(ids, best, new_id)
            if len(new_ids) == len(ids):
                continue
            for pair, c in get_pair_counts(ids).items():
                changed[pair] = changed.get(pair, 0) - c * n
            for pair, c in get_pair_counts(new_ids).items():
                changed[pair] = changed.get(pair, 0) + c * n
                index.setdefault(pair, set()).add(key)
            words[key][0] = new_ids
        for pair, delta in changed.items():
            if delta == 0:
                continue
            c = counts.get(pair, 0) + delta
            if c > 0:
                counts[pair] = c
                heapq.heappush(heap, (_Descending((c, pair[0], pair[1])), pair))
            else:
                counts.pop(pair, None)
        new_id += 1
    return vocab, merges
'''

_W_TRAIN_NO_PRETOK = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _split_on_specials(text, special_tokens):
    """The pieces of text between the special tokens (longest special token first)."""
    if not special_tokens:
        return [text]
    alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
    return regex.split(alternation, text)


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    n_special = len(special_tokens)
    if vocab_size < 256 + n_special:
        raise ValueError(f"vocab_size={vocab_size} leaves no room for the 256 bytes and {n_special} special tokens")
    vocab = {i: bytes([i]) for i in range(256)}
    for k, token in enumerate(special_tokens):
        vocab[256 + k] = token.encode("utf-8")

    frequency = {}
    for piece in _split_on_specials(text, special_tokens):
        for pre in [piece]:
            frequency[pre] = frequency.get(pre, 0) + 1
    words = [list(pre.encode("utf-8")) for pre in frequency]
    weights = list(frequency.values())

    counts = {}        # pair -> weighted count
    where = {}         # pair -> indices of the words that (may) contain it
    for w, ids in enumerate(words):
        for pair, c in get_pair_counts(ids).items():
            counts[pair] = counts.get(pair, 0) + c * weights[w]
            where.setdefault(pair, set()).add(w)

    merges = []
    next_id = 256 + n_special
    while next_id < vocab_size:
        best, best_key = None, None
        for pair, c in counts.items():
            if c <= 0:
                continue
            key = (c, vocab[pair[0]], vocab[pair[1]])
            if best_key is None or key > best_key:
                best, best_key = pair, key
        if best is None:
            break
        vocab[next_id] = vocab[best[0]] + vocab[best[1]]
        merges.append((vocab[best[0]], vocab[best[1]]))
        for w in list(where.get(best, ())):
            old = words[w]
            new = merge(old, best, next_id)
            if len(new) == len(old):
                continue
            n = weights[w]
            for pair, c in get_pair_counts(old).items():
                counts[pair] -= c * n
            for pair, c in get_pair_counts(new).items():
                counts[pair] = counts.get(pair, 0) + c * n
                where.setdefault(pair, set()).add(w)
            words[w] = new
        counts.pop(best, None)
        where.pop(best, None)
        next_id += 1
    return vocab, merges
'''

_W_TRAIN_NO_SPLIT = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

from collections import Counter


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    first_merge_id = 256 + len(special_tokens)
    if vocab_size < first_merge_id:
        raise ValueError(f"vocab_size {vocab_size} < 256 + len(special_tokens) = {first_merge_id}")
    vocab = {i: bytes([i]) for i in range(256)}
    vocab.update({256 + k: s.encode("utf-8") for k, s in enumerate(special_tokens)})

    if False:
        splitter = "(" + "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True)) + ")"
        pieces = regex.split(splitter, text)[::2]          # the odd entries are the special tokens
    else:
        pieces = [text]
    pretokens = Counter(p for piece in pieces for p in regex.findall(GPT2_PATTERN, piece))
    words = Counter()                                      # tuple of ids -> frequency
    for pre, n in pretokens.items():
        words[tuple(pre.encode("utf-8"))] += n

    pair_counts = Counter()
    holders = {}
    for w, n in words.items():
        for pair, c in get_pair_counts(list(w)).items():
            pair_counts[pair] += c * n
            holders.setdefault(pair, set()).add(w)

    merges = []
    for new_id in range(first_merge_id, vocab_size):
        if not pair_counts:
            break
        best = max(pair_counts, key=lambda p: (pair_counts[p], vocab[p[0]], vocab[p[1]]))
        merges.append((vocab[best[0]], vocab[best[1]]))
        vocab[new_id] = vocab[best[0]] + vocab[best[1]]
        touched = set()
        for w in holders.pop(best, set()):
            n = words.pop(w, 0)
            if n == 0:
                continue                                   # this word was rewritten by an earlier merge
            merged = tuple(merge(list(w), best, new_id))
            for pair, c in get_pair_counts(list(w)).items():
                pair_counts[pair] -= c * n
                touched.add(pair)
            for pair, c in get_pair_counts(list(merged)).items():
                pair_counts[pair] += c * n
                touched.add(pair)
                holders.setdefault(pair, set()).add(merged)
            words[merged] += n
        for pair in touched:
            if pair_counts[pair] <= 0:
                del pair_counts[pair]
    return vocab, merges
'''

_W_TRAIN_UNWEIGHTED = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _split_on_specials(text, special_tokens):
    """The pieces of text between the special tokens (longest special token first)."""
    if not special_tokens:
        return [text]
    alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
    return regex.split(alternation, text)


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    n_special = len(special_tokens)
    if vocab_size < 256 + n_special:
        raise ValueError(f"vocab_size={vocab_size} leaves no room for the 256 bytes and {n_special} special tokens")
    vocab = {i: bytes([i]) for i in range(256)}
    for k, token in enumerate(special_tokens):
        vocab[256 + k] = token.encode("utf-8")

    frequency = {}
    for piece in _split_on_specials(text, special_tokens):
        for pre in regex.findall(GPT2_PATTERN, piece):
            frequency[pre] = frequency.get(pre, 0) + 1
    words = [list(pre.encode("utf-8")) for pre in frequency]
    weights = [1] * len(frequency)

    counts = {}        # pair -> weighted count
    where = {}         # pair -> indices of the words that (may) contain it
    for w, ids in enumerate(words):
        for pair, c in get_pair_counts(ids).items():
            counts[pair] = counts.get(pair, 0) + c * weights[w]
            where.setdefault(pair, set()).add(w)

    merges = []
    next_id = 256 + n_special
    while next_id < vocab_size:
        best, best_key = None, None
        for pair, c in counts.items():
            if c <= 0:
                continue
            key = (c, vocab[pair[0]], vocab[pair[1]])
            if best_key is None or key > best_key:
                best, best_key = pair, key
        if best is None:
            break
        vocab[next_id] = vocab[best[0]] + vocab[best[1]]
        merges.append((vocab[best[0]], vocab[best[1]]))
        for w in list(where.get(best, ())):
            old = words[w]
            new = merge(old, best, next_id)
            if len(new) == len(old):
                continue
            n = weights[w]
            for pair, c in get_pair_counts(old).items():
                counts[pair] -= c * n
            for pair, c in get_pair_counts(new).items():
                counts[pair] = counts.get(pair, 0) + c * n
                where.setdefault(pair, set()).add(w)
            words[w] = new
        counts.pop(best, None)
        where.pop(best, None)
        next_id += 1
    return vocab, merges
'''

_W_TRAIN_ID_OFFSET = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _split_on_specials(text, special_tokens):
    """The pieces of text between the special tokens (longest special token first)."""
    if not special_tokens:
        return [text]
    alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
    return regex.split(alternation, text)


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    n_special = len(special_tokens)
    if vocab_size < 256 + n_special:
        raise ValueError(f"vocab_size={vocab_size} leaves no room for the 256 bytes and {n_special} special tokens")
    vocab = {i: bytes([i]) for i in range(256)}
    for k, token in enumerate(special_tokens):
        vocab[256 + k] = token.encode("utf-8")

    frequency = {}
    for piece in _split_on_specials(text, special_tokens):
        for pre in regex.findall(GPT2_PATTERN, piece):
            frequency[pre] = frequency.get(pre, 0) + 1
    words = [list(pre.encode("utf-8")) for pre in frequency]
    weights = list(frequency.values())

    counts = {}        # pair -> weighted count
    where = {}         # pair -> indices of the words that (may) contain it
    for w, ids in enumerate(words):
        for pair, c in get_pair_counts(ids).items():
            counts[pair] = counts.get(pair, 0) + c * weights[w]
            where.setdefault(pair, set()).add(w)

    merges = []
    next_id = 256
    while next_id < vocab_size:
        best, best_key = None, None
        for pair, c in counts.items():
            if c <= 0:
                continue
            key = (c, vocab[pair[0]], vocab[pair[1]])
            if best_key is None or key > best_key:
                best, best_key = pair, key
        if best is None:
            break
        vocab[next_id] = vocab[best[0]] + vocab[best[1]]
        merges.append((vocab[best[0]], vocab[best[1]]))
        for w in list(where.get(best, ())):
            old = words[w]
            new = merge(old, best, next_id)
            if len(new) == len(old):
                continue
            n = weights[w]
            for pair, c in get_pair_counts(old).items():
                counts[pair] -= c * n
            for pair, c in get_pair_counts(new).items():
                counts[pair] = counts.get(pair, 0) + c * n
                where.setdefault(pair, set()).add(w)
            words[w] = new
        counts.pop(best, None)
        where.pop(best, None)
        next_id += 1
    return vocab, merges
'''

_W_SPEED_RECOUNT = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _split_on_specials(text, special_tokens):
    if not special_tokens:
        return [text]
    alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
    return regex.split(alternation, text)


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    n_special = len(special_tokens)
    if vocab_size < 256 + n_special:
        raise ValueError(f"vocab_size={vocab_size} leaves no room for the 256 bytes and {n_special} special tokens")
    vocab = {i: bytes([i]) for i in range(256)}
    for k, token in enumerate(special_tokens):
        vocab[256 + k] = token.encode("utf-8")
    frequency = {}
    for piece in _split_on_specials(text, special_tokens):
        for pre in regex.findall(GPT2_PATTERN, piece):
            frequency[pre] = frequency.get(pre, 0) + 1
    words = [list(pre.encode("utf-8")) for pre in frequency]
    weights = list(frequency.values())
    merges = []
    for next_id in range(256 + n_special, vocab_size):
        counts = {}
        for ids, n in zip(words, weights):              # recount everything after every merge
            for pair, c in get_pair_counts(ids).items():
                counts[pair] = counts.get(pair, 0) + c * n
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], vocab[p[0]], vocab[p[1]]))
        vocab[next_id] = vocab[best[0]] + vocab[best[1]]
        merges.append((vocab[best[0]], vocab[best[1]]))
        words = [merge(ids, best, next_id) for ids in words]
    return vocab, merges
'''

_W_SPEED_NODEDUP = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _split_on_specials(text, special_tokens):
    if not special_tokens:
        return [text]
    alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
    return regex.split(alternation, text)


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    n_special = len(special_tokens)
    if vocab_size < 256 + n_special:
        raise ValueError(f"vocab_size={vocab_size} leaves no room for the 256 bytes and {n_special} special tokens")
    vocab = {i: bytes([i]) for i in range(256)}
    for k, token in enumerate(special_tokens):
        vocab[256 + k] = token.encode("utf-8")
    frequency = {}
    for piece in _split_on_specials(text, special_tokens):
        for pre in regex.findall(GPT2_PATTERN, piece):
            frequency[pre] = frequency.get(pre, 0) + 1
    words = [list(pre.encode("utf-8")) for piece in _split_on_specials(text, special_tokens)
             for pre in regex.findall(GPT2_PATTERN, piece)]
    weights = [1] * len(words)
    merges = []
    for next_id in range(256 + n_special, vocab_size):
        counts = {}
        for ids, n in zip(words, weights):              # recount everything after every merge
            for pair, c in get_pair_counts(ids).items():
                counts[pair] = counts.get(pair, 0) + c * n
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], vocab[p[0]], vocab[p[1]]))
        vocab[next_id] = vocab[best[0]] + vocab[best[1]]
        merges.append((vocab[best[0]], vocab[best[1]]))
        words = [merge(ids, best, next_id) for ids in words]
    return vocab, merges
'''

_W_SPEED_FROM_TEXT = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    if vocab_size < 256 + len(special_tokens):
        raise ValueError(f"vocab_size must be at least 256 + {len(special_tokens)}, got {vocab_size}")
    vocab = {i: bytes([i]) for i in range(256)}
    for k, token in enumerate(special_tokens):
        vocab[256 + k] = token.encode("utf-8")
    if special_tokens:
        pieces = regex.split("|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True)), text)
    else:
        pieces = [text]
    current = {}                     # pre-token -> its ids so far
    merges = []
    for new_id in range(256 + len(special_tokens), vocab_size):
        counts = {}
        for piece in pieces:         # walk the whole text again after every merge
            for pre in regex.findall(GPT2_PATTERN, piece):
                ids = current.setdefault(pre, list(pre.encode("utf-8")))
                for pair in zip(ids, ids[1:]):
                    counts[pair] = counts.get(pair, 0) + 1
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], vocab[p[0]], vocab[p[1]]))
        merges.append((vocab[best[0]], vocab[best[1]]))
        vocab[new_id] = vocab[best[0]] + vocab[best[1]]
        current = {pre: merge(ids, best, new_id) for pre, ids in current.items()}
    return vocab, merges
'''

_W_TOK_LEFTMOST = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self.vocab = dict(vocab)
        inverse = {}
        for i, b in self.vocab.items():
            inverse.setdefault(b, i)
        self._byte_ids = [inverse.get(bytes([b])) for b in range(256)]
        self._merges = {}                   # (left id, right id) -> (rank, id of the merged token)
        for rank, (a, b) in enumerate(merges):
            left, right, joined = inverse.get(a), inverse.get(b), inverse.get(a + b)
            if left is None or right is None or joined is None:
                continue
            self._merges.setdefault((left, right), (rank, joined))
        self._special_ids = {}
        next_free = max(self.vocab) + 1 if self.vocab else 0
        for s in special_tokens or []:
            if s in self._special_ids:
                continue
            data = s.encode("utf-8")
            if data in inverse:
                self._special_ids[s] = inverse[data]
            else:
                self._special_ids[s] = next_free
                self.vocab[next_free] = data
                next_free += 1
        if self._special_ids:
            ordered = sorted(self._special_ids, key=len, reverse=True)
            self._special_re = regex.compile("(" + "|".join(regex.escape(s) for s in ordered) + ")")
        else:
            self._special_re = None
        self._pattern = regex.compile(pattern)
        self._cache = {}

    def _bpe(self, pre: str) -> list[int]:
        cached = self._cache.get(pre)
        if cached is not None:
            return cached
        ids = [self._byte_ids[b] for b in pre.encode("utf-8")]
        while len(ids) >= 2:
            best_rank, best_pair, best_new = None, None, None
            for i in range(len(ids) - 1):
                entry = self._merges.get((ids[i], ids[i + 1]))
                if entry is not None and best_rank is None:
                    best_rank, best_new = entry
                    best_pair = (ids[i], ids[i + 1])
            if best_pair is None:
                break
            ids = merge(ids, best_pair, best_new)
        self._cache[pre] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        out = []
        pieces = self._special_re.split(text) if self._special_re is not None else [text]
        for k, piece in enumerate(pieces):
            if k % 2 == 1:                  # the captured special tokens sit at the odd places
                out.append(self._special_ids[piece])
                continue
            for pre in self._pattern.findall(piece):
                out.extend(self._bpe(pre))
        return out

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        parts = []
        for i in ids:
            if i not in self.vocab:
                raise ValueError(f"id {i} is not in the vocabulary")
            parts.append(self.vocab[i])
        return b"".join(parts).decode("utf-8", errors="replace")
'''

_W_TOK_SPECIAL_ORDER = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self.vocab = dict(vocab)
        inverse = {}
        for i, b in self.vocab.items():
            inverse.setdefault(b, i)
        self._byte_ids = [inverse.get(bytes([b])) for b in range(256)]
        self._merges = {}                   # (left id, right id) -> (rank, id of the merged token)
        for rank, (a, b) in enumerate(merges):
            left, right, joined = inverse.get(a), inverse.get(b), inverse.get(a + b)
            if left is None or right is None or joined is None:
                continue
            self._merges.setdefault((left, right), (rank, joined))
        self._special_ids = {}
        next_free = max(self.vocab) + 1 if self.vocab else 0
        for s in special_tokens or []:
            if s in self._special_ids:
                continue
            data = s.encode("utf-8")
            if data in inverse:
                self._special_ids[s] = inverse[data]
            else:
                self._special_ids[s] = next_free
                self.vocab[next_free] = data
                next_free += 1
        if self._special_ids:
            ordered = list(self._special_ids)
            self._special_re = regex.compile("(" + "|".join(regex.escape(s) for s in ordered) + ")")
        else:
            self._special_re = None
        self._pattern = regex.compile(pattern)
        self._cache = {}

    def _bpe(self, pre: str) -> list[int]:
        cached = self._cache.get(pre)
        if cached is not None:
            return cached
        ids = [self._byte_ids[b] for b in pre.encode("utf-8")]
        while len(ids) >= 2:
            best_rank, best_pair, best_new = None, None, None
            for i in range(len(ids) - 1):
                entry = self._merges.get((ids[i], ids[i + 1]))
                if entry is not None and (best_rank is None or entry[0] < best_rank):
                    best_rank, best_new = entry
                    best_pair = (ids[i], ids[i + 1])
            if best_pair is None:
                break
            ids = merge(ids, best_pair, best_new)
        self._cache[pre] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        out = []
        pieces = self._special_re.split(text) if self._special_re is not None else [text]
        for k, piece in enumerate(pieces):
            if k % 2 == 1:                  # the captured special tokens sit at the odd places
                out.append(self._special_ids[piece])
                continue
            for pre in self._pattern.findall(piece):
                out.extend(self._bpe(pre))
        return out

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        parts = []
        for i in ids:
            if i not in self.vocab:
                raise ValueError(f"id {i} is not in the vocabulary")
            parts.append(self.vocab[i])
        return b"".join(parts).decode("utf-8", errors="replace")
'''

_W_TOK_BYTE_IDS = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self.vocab = dict(vocab)
        inverse = {}
        for i, b in self.vocab.items():
            inverse.setdefault(b, i)
        self._byte_ids = [inverse.get(bytes([b])) for b in range(256)]
        self._merges = {}                   # (left id, right id) -> (rank, id of the merged token)
        for rank, (a, b) in enumerate(merges):
            left, right, joined = inverse.get(a), inverse.get(b), inverse.get(a + b)
            if left is None or right is None or joined is None:
                continue
            self._merges.setdefault((left, right), (rank, joined))
        self._special_ids = {}
        next_free = max(self.vocab) + 1 if self.vocab else 0
        for s in special_tokens or []:
            if s in self._special_ids:
                continue
            data = s.encode("utf-8")
            if data in inverse:
                self._special_ids[s] = inverse[data]
            else:
                self._special_ids[s] = next_free
                self.vocab[next_free] = data
                next_free += 1
        if self._special_ids:
            ordered = sorted(self._special_ids, key=len, reverse=True)
            self._special_re = regex.compile("(" + "|".join(regex.escape(s) for s in ordered) + ")")
        else:
            self._special_re = None
        self._pattern = regex.compile(pattern)
        self._cache = {}

    def _bpe(self, pre: str) -> list[int]:
        cached = self._cache.get(pre)
        if cached is not None:
            return cached
        ids = list(pre.encode("utf-8"))
        while len(ids) >= 2:
            best_rank, best_pair, best_new = None, None, None
            for i in range(len(ids) - 1):
                entry = self._merges.get((ids[i], ids[i + 1]))
                if entry is not None and (best_rank is None or entry[0] < best_rank):
                    best_rank, best_new = entry
                    best_pair = (ids[i], ids[i + 1])
            if best_pair is None:
                break
            ids = merge(ids, best_pair, best_new)
        self._cache[pre] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        out = []
        pieces = self._special_re.split(text) if self._special_re is not None else [text]
        for k, piece in enumerate(pieces):
            if k % 2 == 1:                  # the captured special tokens sit at the odd places
                out.append(self._special_ids[piece])
                continue
            for pre in self._pattern.findall(piece):
                out.extend(self._bpe(pre))
        return out

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        parts = []
        for i in ids:
            if i not in self.vocab:
                raise ValueError(f"id {i} is not in the vocabulary")
            parts.append(self.vocab[i])
        return b"".join(parts).decode("utf-8", errors="replace")
'''

_W_TOK_STRICT = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self.id_to_bytes = dict(vocab)
        self.bytes_to_id = {}
        for i in sorted(self.id_to_bytes):
            self.bytes_to_id.setdefault(self.id_to_bytes[i], i)
        self.rank = {}                      # (left bytes, right bytes) -> rank of the merge
        for r, (a, b) in enumerate(merges):
            if a + b in self.bytes_to_id and (a, b) not in self.rank:
                self.rank[(a, b)] = r
        self.special = {}
        free = max(self.id_to_bytes, default=-1) + 1
        for s in special_tokens or []:
            if s in self.special:
                continue
            data = s.encode("utf-8")
            if data in self.bytes_to_id:
                self.special[s] = self.bytes_to_id[data]
            else:
                self.special[s] = free
                self.id_to_bytes[free] = data
                free += 1
        self.regex = regex.compile(pattern)
        self.cache = {}

    def _chunk(self, chunk: str) -> list[int]:
        ids = self.cache.get(chunk)
        if ids is None:
            parts = [bytes([b]) for b in chunk.encode("utf-8")]
            while len(parts) > 1:
                best = None
                for pair in zip(parts, parts[1:]):
                    r = self.rank.get(pair)
                    if r is not None and (best is None or r < best[0]):
                        best = (r, pair)
                if best is None:
                    break
                pair = best[1]
                parts = merge(parts, pair, pair[0] + pair[1])
            ids = [self.bytes_to_id[p] for p in parts]
            self.cache[chunk] = ids
        return ids

    def _ordinary(self, text: str, out: list[int]) -> None:
        for m in self.regex.finditer(text):
            out.extend(self._chunk(m.group()))

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        out = []
        pos = 0
        while self.special:
            found = None                    # leftmost special token; the longest one at equal starts
            for s in self.special:
                j = text.find(s, pos)
                if j >= 0 and (found is None or j < found[0] or (j == found[0] and len(s) > len(found[1]))):
                    found = (j, s)
            if found is None:
                break
            self._ordinary(text[pos:found[0]], out)
            out.append(self.special[found[1]])
            pos = found[0] + len(found[1])
        self._ordinary(text[pos:], out)
        return out

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        chunks = []
        for i in ids:
            if i not in self.id_to_bytes:
                raise ValueError(f"unknown token id {i!r}")
            chunks.append(self.id_to_bytes[i])
        return b"".join(chunks).decode("utf-8")
'''

_W_TOK_NO_PRETOK = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self._vocab = {int(i): bytes(b) for i, b in vocab.items()}
        lookup = {}
        for i, b in sorted(self._vocab.items()):
            if b not in lookup:
                lookup[b] = i
        self._lookup = lookup
        self._rank, self._new_id = {}, {}
        for rank, (a, b) in enumerate(merges):
            if a in lookup and b in lookup and a + b in lookup:
                key = (lookup[a], lookup[b])
                if key not in self._rank:
                    self._rank[key] = rank
                    self._new_id[key] = lookup[a + b]
        self._specials = {}
        for s in dict.fromkeys(special_tokens or []):
            data = s.encode("utf-8")
            if data in lookup:
                self._specials[s] = lookup[data]
            else:
                new = max(self._vocab) + 1 if self._vocab else 0
                self._vocab[new] = data
                self._specials[s] = new
        alternatives = sorted(self._specials, key=lambda s: (-len(s), s))
        self._special_re = regex.compile("|".join(map(regex.escape, alternatives))) if alternatives else None
        self._pattern = regex.compile(pattern)
        self._cache = {}

    def _encode_ordinary(self, text: str) -> list[int]:
        out = []
        inf = float("inf")
        for pre in ([text] if text else []):
            if pre not in self._cache:
                ids = [self._lookup[bytes([b])] for b in pre.encode("utf-8")]
                while len(ids) > 1:
                    pair = min(zip(ids, ids[1:]), key=lambda p: self._rank.get(p, inf))
                    if pair not in self._rank:
                        break
                    ids = merge(ids, pair, self._new_id[pair])
                self._cache[pre] = tuple(ids)
            out.extend(self._cache[pre])
        return out

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        ids = []
        pos = 0
        if self._special_re is not None:
            for m in self._special_re.finditer(text):
                ids += self._encode_ordinary(text[pos:m.start()])
                ids.append(self._specials[m.group()])
                pos = m.end()
        ids += self._encode_ordinary(text[pos:])
        return ids

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        try:
            data = b"".join(self._vocab[i] for i in ids)
        except KeyError as error:
            raise ValueError(f"id {error.args[0]!r} is not in the vocabulary") from None
        return data.decode("utf-8", errors="replace")
'''

_W_TOK_SPECIAL_NODECODE = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self.id_to_bytes = dict(vocab)
        self.bytes_to_id = {}
        for i in sorted(self.id_to_bytes):
            self.bytes_to_id.setdefault(self.id_to_bytes[i], i)
        self.rank = {}                      # (left bytes, right bytes) -> rank of the merge
        for r, (a, b) in enumerate(merges):
            if a + b in self.bytes_to_id and (a, b) not in self.rank:
                self.rank[(a, b)] = r
        self.special = {}
        free = max(self.id_to_bytes, default=-1) + 1
        for s in special_tokens or []:
            if s in self.special:
                continue
            data = s.encode("utf-8")
            if data in self.bytes_to_id:
                self.special[s] = self.bytes_to_id[data]
            else:
                self.special[s] = free
                free += 1
        self.regex = regex.compile(pattern)
        self.cache = {}

    def _chunk(self, chunk: str) -> list[int]:
        ids = self.cache.get(chunk)
        if ids is None:
            parts = [bytes([b]) for b in chunk.encode("utf-8")]
            while len(parts) > 1:
                best = None
                for pair in zip(parts, parts[1:]):
                    r = self.rank.get(pair)
                    if r is not None and (best is None or r < best[0]):
                        best = (r, pair)
                if best is None:
                    break
                pair = best[1]
                parts = merge(parts, pair, pair[0] + pair[1])
            ids = [self.bytes_to_id[p] for p in parts]
            self.cache[chunk] = ids
        return ids

    def _ordinary(self, text: str, out: list[int]) -> None:
        for m in self.regex.finditer(text):
            out.extend(self._chunk(m.group()))

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        out = []
        pos = 0
        while self.special:
            found = None                    # leftmost special token; the longest one at equal starts
            for s in self.special:
                j = text.find(s, pos)
                if j >= 0 and (found is None or j < found[0] or (j == found[0] and len(s) > len(found[1]))):
                    found = (j, s)
            if found is None:
                break
            self._ordinary(text[pos:found[0]], out)
            out.append(self.special[found[1]])
            pos = found[0] + len(found[1])
        self._ordinary(text[pos:], out)
        return out

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        chunks = []
        for i in ids:
            if i not in self.id_to_bytes:
                raise ValueError(f"unknown token id {i!r}")
            chunks.append(self.id_to_bytes[i])
        return b"".join(chunks).decode("utf-8", errors="replace")
'''

_W_GPT4_PATTERN = r'''def recover_merges(mergeable_ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    """Given. The merges, in rank order, that build every token of more than one byte."""
    merges = []
    for token, rank in sorted(mergeable_ranks.items(), key=lambda item: item[1]):
        if len(token) == 1:
            continue
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:   # BPE with the ranks below `rank` only
            best = None
            for i in range(len(parts) - 1):
                r = mergeable_ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < rank and (best is None or r < best[0]):
                    best = (r, i)
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        merges.append((parts[0], parts[1]))
    return merges


def gpt4_tokenizer(mergeable_ranks: dict[bytes, int], special_tokens: dict[str, int], pattern: str) -> Tokenizer:
    """A Tokenizer that encodes like tiktoken's encoding with these ranks, special tokens and pattern."""
    vocab = {rank: token for token, rank in mergeable_ranks.items()}
    for name, i in special_tokens.items():
        vocab[i] = name.encode("utf-8")
    return Tokenizer(vocab, recover_merges(mergeable_ranks), list(special_tokens))
'''

_W_GPT4_NOSPECIAL = r'''def recover_merges(mergeable_ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    """Given. The merges, in rank order, that build every token of more than one byte."""
    merges = []
    for token, rank in sorted(mergeable_ranks.items(), key=lambda item: item[1]):
        if len(token) == 1:
            continue
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:   # BPE with the ranks below `rank` only
            best = None
            for i in range(len(parts) - 1):
                r = mergeable_ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < rank and (best is None or r < best[0]):
                    best = (r, i)
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        merges.append((parts[0], parts[1]))
    return merges


def gpt4_tokenizer(mergeable_ranks: dict[bytes, int], special_tokens: dict[str, int], pattern: str) -> Tokenizer:
    """A Tokenizer that encodes like tiktoken's encoding with these ranks, special tokens and pattern."""
    vocab = {}
    for token, rank in sorted(mergeable_ranks.items(), key=lambda kv: kv[1]):
        vocab[rank] = token
    names = sorted(special_tokens, key=special_tokens.get)     # the special tokens by id
    for name in names:
        vocab[special_tokens[name]] = name.encode("utf-8")
    merges = recover_merges(mergeable_ranks)
    return Tokenizer(vocab, merges, special_tokens=None, pattern=pattern)
'''

_W_GPT4_NEXTFREE = r'''def recover_merges(mergeable_ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    """Given. The merges, in rank order, that build every token of more than one byte."""
    merges = []
    for token, rank in sorted(mergeable_ranks.items(), key=lambda item: item[1]):
        if len(token) == 1:
            continue
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:   # BPE with the ranks below `rank` only
            best = None
            for i in range(len(parts) - 1):
                r = mergeable_ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < rank and (best is None or r < best[0]):
                    best = (r, i)
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        merges.append((parts[0], parts[1]))
    return merges


def gpt4_tokenizer(mergeable_ranks: dict[bytes, int], special_tokens: dict[str, int], pattern: str) -> Tokenizer:
    """A Tokenizer that encodes like tiktoken's encoding with these ranks, special tokens and pattern."""
    ids_to_bytes = dict(zip(mergeable_ranks.values(), mergeable_ranks.keys()))
    return Tokenizer(ids_to_bytes, recover_merges(mergeable_ranks), [*special_tokens], pattern)
'''

_W_GPT4_IDENTITY = r'''def recover_merges(mergeable_ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    """Given. The merges, in rank order, that build every token of more than one byte."""
    merges = []
    for token, rank in sorted(mergeable_ranks.items(), key=lambda item: item[1]):
        if len(token) == 1:
            continue
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:   # BPE with the ranks below `rank` only
            best = None
            for i in range(len(parts) - 1):
                r = mergeable_ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < rank and (best is None or r < best[0]):
                    best = (r, i)
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        merges.append((parts[0], parts[1]))
    return merges


def gpt4_tokenizer(mergeable_ranks: dict[bytes, int], special_tokens: dict[str, int], pattern: str) -> Tokenizer:
    """A Tokenizer that encodes like tiktoken's encoding with these ranks, special tokens and pattern."""
    vocab = {rank: token for token, rank in mergeable_ranks.items() if len(token) > 1}
    vocab.update({b: bytes([b]) for b in range(256)})
    for name, i in special_tokens.items():
        vocab[i] = name.encode("utf-8")
    return Tokenizer(vocab, recover_merges(mergeable_ranks), list(special_tokens), pattern)
'''

_W_IC_NO_VOCAB_CHECK = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def _split_on_specials(text, special_tokens):
    """The pieces of text between the special tokens (longest special token first)."""
    if not special_tokens:
        return [text]
    alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
    return regex.split(alternation, text)


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    n_special = len(special_tokens)
    vocab = {i: bytes([i]) for i in range(256)}
    for k, token in enumerate(special_tokens):
        vocab[256 + k] = token.encode("utf-8")

    frequency = {}
    for piece in _split_on_specials(text, special_tokens):
        for pre in regex.findall(GPT2_PATTERN, piece):
            frequency[pre] = frequency.get(pre, 0) + 1
    words = [list(pre.encode("utf-8")) for pre in frequency]
    weights = list(frequency.values())

    counts = {}        # pair -> weighted count
    where = {}         # pair -> indices of the words that (may) contain it
    for w, ids in enumerate(words):
        for pair, c in get_pair_counts(ids).items():
            counts[pair] = counts.get(pair, 0) + c * weights[w]
            where.setdefault(pair, set()).add(w)

    merges = []
    next_id = 256 + n_special
    while next_id < vocab_size:
        best, best_key = None, None
        for pair, c in counts.items():
            if c <= 0:
                continue
            key = (c, vocab[pair[0]], vocab[pair[1]])
            if best_key is None or key > best_key:
                best, best_key = pair, key
        if best is None:
            break
        vocab[next_id] = vocab[best[0]] + vocab[best[1]]
        merges.append((vocab[best[0]], vocab[best[1]]))
        for w in list(where.get(best, ())):
            old = words[w]
            new = merge(old, best, next_id)
            if len(new) == len(old):
                continue
            n = weights[w]
            for pair, c in get_pair_counts(old).items():
                counts[pair] -= c * n
            for pair, c in get_pair_counts(new).items():
                counts[pair] = counts.get(pair, 0) + c * n
                where.setdefault(pair, set()).add(w)
            words[w] = new
        counts.pop(best, None)
        where.pop(best, None)
        next_id += 1
    return vocab, merges
'''

_W_IC_256_ONLY = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

import heapq


class _Descending:
    """Wraps a key so that heapq, a min-heap, pops the greatest key first."""
    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __lt__(self, other):
        return self.key > other.key


def _cut_specials(text, special_tokens):
    """Pieces between special tokens: the leftmost occurrence first, the longest one at equal starts."""
    specials = [s for s in special_tokens if s]
    if not specials:
        return [text]
    pieces, pos = [], 0
    while True:
        found = None
        for s in specials:
            j = text.find(s, pos)
            if j >= 0 and (found is None or j < found[0] or (j == found[0] and len(s) > len(found[1]))):
                found = (j, s)
        if found is None:
            pieces.append(text[pos:])
            return pieces
        pieces.append(text[pos:found[0]])
        pos = found[0] + len(found[1])


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    specials = list(special_tokens)
    if vocab_size < 256:
        raise ValueError(f"vocab_size must be at least 256 + {len(specials)} special tokens, got {vocab_size}")
    vocab = {b: bytes([b]) for b in range(256)}
    for offset, token in enumerate(specials):
        vocab[256 + offset] = token.encode("utf-8")

    words = {}            # bytes of a distinct pre-token -> [its ids, its frequency]
    for piece in _cut_specials(text, specials):
        for match in regex.finditer(GPT2_PATTERN, piece):
            key = match.group().encode("utf-8")
            entry = words.get(key)
            if entry is None:
                words[key] = [list(key), 1]
            else:
                entry[1] += 1

    counts, index = {}, {}
    for key, (ids, n) in words.items():
        for pair in zip(ids, ids[1:]):
            counts[pair] = counts.get(pair, 0) + n
            index.setdefault(pair, set()).add(key)
    heap = [(_Descending((c, vocab[p[0]], vocab[p[1]])), p) for p, c in counts.items()]
    heapq.heapify(heap)

    merges = []
    new_id = 256 + len(specials)
    while new_id < vocab_size:
        best = None
        while heap:
            entry, pair = heapq.heappop(heap)
            c = entry.key[0]
            if c > 0 and counts.get(pair) == c:     # skip entries made stale by later updates
                best = pair
                break
        if best is None:
            break
        left, right = vocab[best[0]], vocab[best[1]]
        vocab[new_id] = left + right
        merges.append((left, right))
        changed = {}
        for key in index.pop(best, ()):
            ids, n = words[key]
            new_ids = merge(ids, best, new_id)
            if len(new_ids) == len(ids):
                continue
            for pair, c in get_pair_counts(ids).items():
                changed[pair] = changed.get(pair, 0) - c * n
            for pair, c in get_pair_counts(new_ids).items():
                changed[pair] = changed.get(pair, 0) + c * n
                index.setdefault(pair, set()).add(key)
            words[key][0] = new_ids
        for pair, delta in changed.items():
            if delta == 0:
                continue
            c = counts.get(pair, 0) + delta
            if c > 0:
                counts[pair] = c
                heapq.heappush(heap, (_Descending((c, vocab[pair[0]], vocab[pair[1]])), pair))
            else:
                counts.pop(pair, None)
        new_id += 1
    return vocab, merges
'''

_W_IC_KEYERROR = r'''class Tokenizer:
    """A byte-level BPE tokenizer built from a vocabulary and its merges."""

    def __init__(self, vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]],
                 special_tokens: list[str] | None = None, pattern: str = GPT2_PATTERN):
        self.vocab = dict(vocab)
        inverse = {}
        for i, b in self.vocab.items():
            inverse.setdefault(b, i)
        self._byte_ids = [inverse.get(bytes([b])) for b in range(256)]
        self._merges = {}                   # (left id, right id) -> (rank, id of the merged token)
        for rank, (a, b) in enumerate(merges):
            left, right, joined = inverse.get(a), inverse.get(b), inverse.get(a + b)
            if left is None or right is None or joined is None:
                continue
            self._merges.setdefault((left, right), (rank, joined))
        self._special_ids = {}
        next_free = max(self.vocab) + 1 if self.vocab else 0
        for s in special_tokens or []:
            if s in self._special_ids:
                continue
            data = s.encode("utf-8")
            if data in inverse:
                self._special_ids[s] = inverse[data]
            else:
                self._special_ids[s] = next_free
                self.vocab[next_free] = data
                next_free += 1
        if self._special_ids:
            ordered = sorted(self._special_ids, key=len, reverse=True)
            self._special_re = regex.compile("(" + "|".join(regex.escape(s) for s in ordered) + ")")
        else:
            self._special_re = None
        self._pattern = regex.compile(pattern)
        self._cache = {}

    def _bpe(self, pre: str) -> list[int]:
        cached = self._cache.get(pre)
        if cached is not None:
            return cached
        ids = [self._byte_ids[b] for b in pre.encode("utf-8")]
        while len(ids) >= 2:
            best_rank, best_pair, best_new = None, None, None
            for i in range(len(ids) - 1):
                entry = self._merges.get((ids[i], ids[i + 1]))
                if entry is not None and (best_rank is None or entry[0] < best_rank):
                    best_rank, best_new = entry
                    best_pair = (ids[i], ids[i + 1])
            if best_pair is None:
                break
            ids = merge(ids, best_pair, best_new)
        self._cache[pre] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: special tokens whole, everything else by BPE merges in priority order."""
        out = []
        pieces = self._special_re.split(text) if self._special_re is not None else [text]
        for k, piece in enumerate(pieces):
            if k % 2 == 1:                  # the captured special tokens sit at the odd places
                out.append(self._special_ids[piece])
                continue
            for pre in self._pattern.findall(piece):
                out.extend(self._bpe(pre))
        return out

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        parts = []
        for i in ids:
            parts.append(self.vocab[i])
        return b"".join(parts).decode("utf-8", errors="replace")
'''

_W_IC_ASSERT = r'''GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

from collections import Counter


def train_bpe(text: str, vocab_size: int, special_tokens: list[str] = []) -> tuple[dict[int, bytes], list[tuple[bytes, bytes]]]:
    """Learn a byte-level BPE vocabulary of `vocab_size` ids from `text` and the merges that build it."""
    first_merge_id = 256 + len(special_tokens)
    assert vocab_size >= first_merge_id, "vocab_size too small"
    vocab = {i: bytes([i]) for i in range(256)}
    vocab.update({256 + k: s.encode("utf-8") for k, s in enumerate(special_tokens)})

    if special_tokens:
        splitter = "(" + "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True)) + ")"
        pieces = regex.split(splitter, text)[::2]          # the odd entries are the special tokens
    else:
        pieces = [text]
    pretokens = Counter(p for piece in pieces for p in regex.findall(GPT2_PATTERN, piece))
    words = Counter()                                      # tuple of ids -> frequency
    for pre, n in pretokens.items():
        words[tuple(pre.encode("utf-8"))] += n

    pair_counts = Counter()
    holders = {}
    for w, n in words.items():
        for pair, c in get_pair_counts(list(w)).items():
            pair_counts[pair] += c * n
            holders.setdefault(pair, set()).add(w)

    merges = []
    for new_id in range(first_merge_id, vocab_size):
        if not pair_counts:
            break
        best = max(pair_counts, key=lambda p: (pair_counts[p], vocab[p[0]], vocab[p[1]]))
        merges.append((vocab[best[0]], vocab[best[1]]))
        vocab[new_id] = vocab[best[0]] + vocab[best[1]]
        touched = set()
        for w in holders.pop(best, set()):
            n = words.pop(w, 0)
            if n == 0:
                continue                                   # this word was rewritten by an earlier merge
            merged = tuple(merge(list(w), best, new_id))
            for pair, c in get_pair_counts(list(w)).items():
                pair_counts[pair] -= c * n
                touched.add(pair)
            for pair, c in get_pair_counts(list(merged)).items():
                pair_counts[pair] += c * n
                touched.add(pair)
                holders.setdefault(pair, set()).add(merged)
            words[merged] += n
        for pair in touched:
            if pair_counts[pair] <= 0:
                del pair_counts[pair]
    return vocab, merges
'''

#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    'loops_index_scan': {
        'get_pair_counts': _PC_LOOP,
        'merge': _MERGE_WHILE,
        'train_bpe': _TRAIN_SCAN,
        'Tokenizer': _TOK_IDS,
        'gpt4_tokenizer': _GPT4_DICT,
    },
    'zip_heap_bytes': {
        'get_pair_counts': _PC_ZIP,
        'merge': _MERGE_SKIP,
        'train_bpe': _TRAIN_HEAP,
        'Tokenizer': _TOK_BYTES,
        'gpt4_tokenizer': _GPT4_SORTED,
    },
    'counter_tuples_min': {
        'get_pair_counts': _PC_COUNTER,
        'merge': _MERGE_INDEX,
        'train_bpe': _TRAIN_TUPLES,
        'Tokenizer': _TOK_MIN,
        'gpt4_tokenizer': _GPT4_ZIP,
    },
}

#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    'pairs_miss_last': {
        "cells": {'get_pair_counts': _W_PC_MISS_LAST, 'merge': _MERGE_WHILE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_get_pair_counts'],
        "bug": 'off by one: the loop stops before the last pair',
    },
    'pairs_presence_only': {
        "cells": {'get_pair_counts': _W_PC_PRESENCE, 'merge': _MERGE_SKIP, 'train_bpe': _TRAIN_HEAP, 'Tokenizer': _TOK_BYTES, 'gpt4_tokenizer': _GPT4_SORTED},
        "loses": ['test_get_pair_counts'],
        "bug": 'a pair that occurs again is reset to 1 instead of counted',
    },
    'pairs_no_overlap': {
        "cells": {'get_pair_counts': _W_PC_NO_OVERLAP, 'merge': _MERGE_WHILE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_get_pair_counts'],
        "bug": 'runs of one id are counted without overlaps: 7 7 7 gives one (7, 7)',
    },
    'pairs_mutate_input': {
        "cells": {'get_pair_counts': _W_PC_MUTATES, 'merge': _MERGE_WHILE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_get_pair_counts'],
        "bug": "consumes the input list with pop(0): the caller's list is left with one element",
    },
    'merge_overlapping': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _W_MERGE_OVERLAP, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_merge'],
        "bug": 'advances by one after a merge, so occurrences overlap and the second id is kept',
    },
    'merge_drops_tail': {
        "cells": {'get_pair_counts': _PC_ZIP, 'merge': _W_MERGE_TAIL, 'train_bpe': _TRAIN_HEAP, 'Tokenizer': _TOK_BYTES, 'gpt4_tokenizer': _GPT4_SORTED},
        "loses": ['test_merge'],
        "bug": 'the loop stops at len - 1, so an unmerged last id is dropped',
    },
    'merge_in_place': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _W_MERGE_INPLACE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_merge'],
        "bug": "rewrites the input list in place and returns it (the caller's list changes)",
    },
    'merge_right_to_left': {
        "cells": {'get_pair_counts': _PC_COUNTER, 'merge': _W_MERGE_RTL, 'train_bpe': _TRAIN_TUPLES, 'Tokenizer': _TOK_MIN, 'gpt4_tokenizer': _GPT4_ZIP},
        "loses": ['test_merge'],
        "bug": 'scans from the right: (5, 5) in 5 5 5 gives 5 9',
    },
    'train_tie_smallest': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _W_TRAIN_TIE_MIN, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_train_bpe'],
        "bug": 'ties go to the smallest pair of bytes instead of the greatest',
    },
    'train_tie_by_ids': {
        "cells": {'get_pair_counts': _PC_ZIP, 'merge': _MERGE_SKIP, 'train_bpe': _W_TRAIN_TIE_IDS, 'Tokenizer': _TOK_BYTES, 'gpt4_tokenizer': _GPT4_SORTED},
        "loses": ['test_train_bpe'],
        "bug": 'ties are broken on the ids (a, b) instead of the bytes (vocab[a], vocab[b])',
    },
    'train_no_pretokenization': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _W_TRAIN_NO_PRETOK, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_train_bpe'],
        "bug": 'skips pre-tokenization: pairs are counted across words (each piece between specials is one sequence)',
    },
    'train_specials_not_split': {
        "cells": {'get_pair_counts': _PC_COUNTER, 'merge': _MERGE_INDEX, 'train_bpe': _W_TRAIN_NO_SPLIT, 'Tokenizer': _TOK_MIN, 'gpt4_tokenizer': _GPT4_ZIP},
        "loses": ['test_train_bpe'],
        "bug": 'special tokens get their ids but are not cut out of the text, so their characters are trained on',
    },
    'train_unweighted_pretokens': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _W_TRAIN_UNWEIGHTED, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_train_bpe'],
        "bug": 'counts each distinct pre-token once but forgets to weight its pairs by its frequency',
    },
    'train_merge_ids_ignore_specials': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _W_TRAIN_ID_OFFSET, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_train_bpe'],
        "bug": 'merge ids start at 256 whatever the special tokens, overwriting their ids',
    },
    'speed_recount_every_merge': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _W_SPEED_RECOUNT, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_train_bpe_speed'],
        "bug": 'correct merges, but recounts every pair of every pre-token after each merge',
    },
    'speed_recount_no_dedup': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _W_SPEED_NODEDUP, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_train_bpe_speed'],
        "bug": 'correct merges, but keeps every pre-token occurrence (no frequencies) and recounts everything each merge',
    },
    'speed_recount_from_text': {
        "cells": {'get_pair_counts': _PC_ZIP, 'merge': _MERGE_SKIP, 'train_bpe': _W_SPEED_FROM_TEXT, 'Tokenizer': _TOK_BYTES, 'gpt4_tokenizer': _GPT4_SORTED},
        "loses": ['test_train_bpe_speed'],
        "bug": 'correct merges, but re-pretokenizes the whole text and recounts every pair after each merge',
    },
    'encode_leftmost_not_priority': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _W_TOK_LEFTMOST, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_Tokenizer', 'test_gpt4_tokenizer'],
        "bug": 'merges the leftmost mergeable pair instead of the one learnt first',
    },
    'encode_specials_in_given_order': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _W_TOK_SPECIAL_ORDER, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_Tokenizer'],
        "bug": 'special tokens are matched in the order given, so <|end|> wins over a longer <|end|><|end|> listed after it',
    },
    'encode_assumes_byte_ids': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _W_TOK_BYTE_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['test_gpt4_tokenizer'],
        "bug": "assumes id b is the byte b: right for trained vocabularies, wrong for GPT-4's ranks",
    },
    'decode_strict_utf8': {
        "cells": {'get_pair_counts': _PC_ZIP, 'merge': _MERGE_SKIP, 'train_bpe': _TRAIN_HEAP, 'Tokenizer': _W_TOK_STRICT, 'gpt4_tokenizer': _GPT4_SORTED},
        "loses": ['test_Tokenizer'],
        "bug": "decodes with errors='strict': ids that cut a character raise UnicodeDecodeError",
    },
    'encode_no_pretokenization': {
        "cells": {'get_pair_counts': _PC_COUNTER, 'merge': _MERGE_INDEX, 'train_bpe': _TRAIN_TUPLES, 'Tokenizer': _W_TOK_NO_PRETOK, 'gpt4_tokenizer': _GPT4_ZIP},
        "loses": ['test_Tokenizer'],
        "bug": 'applies the merges to each whole piece between special tokens, without the pre-tokenization pattern',
    },
    'missing_special_not_decodable': {
        "cells": {'get_pair_counts': _PC_ZIP, 'merge': _MERGE_SKIP, 'train_bpe': _TRAIN_HEAP, 'Tokenizer': _W_TOK_SPECIAL_NODECODE, 'gpt4_tokenizer': _GPT4_SORTED},
        "loses": ['test_Tokenizer'],
        "bug": 'a special token missing from vocab gets an id for encoding but is never added for decoding',
    },
    'gpt4_gpt2_pattern': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _W_GPT4_PATTERN},
        "loses": ['test_gpt4_tokenizer'],
        "bug": 'ignores the given pattern and pre-tokenizes with GPT2_PATTERN',
    },
    'gpt4_no_special_tokens': {
        "cells": {'get_pair_counts': _PC_ZIP, 'merge': _MERGE_SKIP, 'train_bpe': _TRAIN_HEAP, 'Tokenizer': _TOK_BYTES, 'gpt4_tokenizer': _W_GPT4_NOSPECIAL},
        "loses": ['test_gpt4_tokenizer'],
        "bug": 'does not pass the special tokens to the Tokenizer, so <|endoftext|> is encoded as text',
    },
    'gpt4_specials_next_free': {
        "cells": {'get_pair_counts': _PC_COUNTER, 'merge': _MERGE_INDEX, 'train_bpe': _TRAIN_TUPLES, 'Tokenizer': _TOK_MIN, 'gpt4_tokenizer': _W_GPT4_NEXTFREE},
        "loses": ['test_gpt4_tokenizer'],
        "bug": 'leaves the special tokens out of the vocabulary, so they get the next free ids instead of their own',
    },
    'gpt4_identity_bytes': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _W_GPT4_IDENTITY},
        "loses": ['test_gpt4_tokenizer'],
        "bug": 'puts the 256 single bytes at ids 0..255 instead of their ranks',
    },
    'check_vocab_size_missing': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _W_IC_NO_VOCAB_CHECK, 'Tokenizer': _TOK_IDS, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['input-checks'],
        "bug": 'train_bpe has no vocab_size check (returns a vocabulary larger than asked)',
    },
    'check_ignores_specials': {
        "cells": {'get_pair_counts': _PC_ZIP, 'merge': _MERGE_SKIP, 'train_bpe': _W_IC_256_ONLY, 'Tokenizer': _TOK_BYTES, 'gpt4_tokenizer': _GPT4_SORTED},
        "loses": ['input-checks'],
        "bug": 'the vocab_size check forgets the special tokens (only vocab_size < 256 raises)',
    },
    'check_decode_keyerror': {
        "cells": {'get_pair_counts': _PC_LOOP, 'merge': _MERGE_WHILE, 'train_bpe': _TRAIN_SCAN, 'Tokenizer': _W_IC_KEYERROR, 'gpt4_tokenizer': _GPT4_DICT},
        "loses": ['input-checks'],
        "bug": 'decode of an unknown id raises KeyError, not ValueError',
    },
    'check_assert_not_valueerror': {
        "cells": {'get_pair_counts': _PC_COUNTER, 'merge': _MERGE_INDEX, 'train_bpe': _W_IC_ASSERT, 'Tokenizer': _TOK_MIN, 'gpt4_tokenizer': _GPT4_ZIP},
        "loses": ['input-checks'],
        "bug": 'checks vocab_size with assert (AssertionError) instead of raising ValueError',
    },
}
