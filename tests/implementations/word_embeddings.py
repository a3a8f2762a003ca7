"""Implementations of 2_2's functions and classes, as students might write them.

Each entry is a dict of the five parts' objects. WRONG also names the check that must catch it and
the checks that must still pass, so that a bug costs the points of its part and no others.
"""

import re
import string

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset

from solutions import word_embeddings as reference

REFERENCE = {
    "tokenize_words": reference.tokenize_words,
    "build_vocab": reference.build_vocab,
    "TokenDataset": reference.TokenDataset,
    "NeuralLanguageModel": reference.NeuralLanguageModel,
    "train_epoch": reference.train_epoch,
    "most_similar": reference.most_similar,
}


# ------------------------------------------------------------------ correct, written differently

def tokenize_by_characters(text):
    """A character loop instead of a regex."""
    words, current = [], []
    for ch in text + " ":
        if ch.isspace() or ch in string.punctuation:
            piece = "".join(current)
            if len(piece) > 1 and piece.isascii() and piece.isalpha():
                words.append(piece.lower())
            current = []
        else:
            current.append(ch)
    return words


def tokenize_findall(text):
    """findall of runs of non-separators; lowercase first."""
    pieces = re.findall(r"[^\s" + re.escape(string.punctuation) + r"]+", text)
    return [p.lower() for p in pieces if re.fullmatch(r"[A-Za-z]{2,}", p)]


def vocab_by_loop(words):
    token2id = {}
    for word in sorted(words):
        token2id.setdefault(word, len(token2id))
    return token2id, dict(enumerate(token2id))


class WindowsPrecomputed(Dataset):
    """Builds every item up front, with a while loop."""

    def __init__(self, words, token2id, context_window_size=6, stride=4):
        if context_window_size <= 0 or stride <= 0:
            raise ValueError("sizes must be positive")
        ids = [token2id[w] for w in words]
        self.items, s = [], 0
        while s + context_window_size < len(ids):
            window = ids[s:s + context_window_size + 1]
            self.items.append((torch.tensor(window[:-1]), torch.tensor(window[1:])))
            s += stride

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


class ModelWithView(nn.Module):
    """view instead of flatten, F.tanh, a Sequential-free forward with extra attributes without parameters."""

    def __init__(self, vocab_size, embedding_dim, context_window_size, hidden_dim=256):
        super().__init__()
        if vocab_size < 1 or embedding_dim < 1 or context_window_size < 1 or hidden_dim < 1:
            raise ValueError("all sizes must be at least 1")
        self.n, self.d = context_window_size, embedding_dim
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(self.n * self.d, hidden_dim)
        self.output = nn.Linear(hidden_dim, vocab_size)
        self.activation = nn.Tanh()

    def forward(self, x):
        return self.output(self.activation(self.hidden(self.embedding(x).view(-1, self.n * self.d))))


def train_epoch_weighted(model, dataloader, optimizer, device):
    """nn.CrossEntropyLoss, log_softmax + nll, sums the loss tensors, set_to_none before backward."""
    model.train()
    criterion = nn.CrossEntropyLoss()
    losses = []
    for context, target in dataloader:
        optimizer.zero_grad(set_to_none=True)
        logits = model(context.to(device))
        loss = criterion(logits, target[:, -1].to(device)) if len(losses) % 2 else F.nll_loss(
            F.log_softmax(logits, dim=-1), target.to(device)[:, -1])
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    return torch.stack(losses).mean().item()


def most_similar_sorted(embeddings, token2id, id2token, word, k):
    """F.cosine_similarity against every row in float32 and a Python sort."""
    query = embeddings[token2id[word]]
    sims = F.cosine_similarity(embeddings, query[None, :], dim=1)
    ranked = sorted(((s.item(), i) for i, s in enumerate(sims) if i != token2id[word]), reverse=True)
    return [(id2token[i], s) for s, i in ranked[:k]]


CORRECT = {
    "reference": REFERENCE,
    "loops": {
        "tokenize_words": tokenize_by_characters,
        "build_vocab": vocab_by_loop,
        "TokenDataset": WindowsPrecomputed,
        "NeuralLanguageModel": ModelWithView,
        "train_epoch": train_epoch_weighted,
        "most_similar": most_similar_sorted,
    },
    "findall": {**REFERENCE, "tokenize_words": tokenize_findall},
}


# ---------------------------------------------------------------------------------- wrong

def tokenize_keeps_digits(text):
    pieces = re.split(r"[\s" + re.escape(string.punctuation) + r"]+", text)
    return [p.lower() for p in pieces if len(p) > 1 and p.isascii() and p.isalnum()]


def tokenize_whitespace_only(text):
    return [p.lower() for p in text.split() if len(p) > 1 and p.isascii() and p.isalpha()]


def tokenize_at_space_tab_newline(text):
    """Splits at space, tab and newline only: \r, \v and \f do not separate words."""
    pieces = re.split(r"[ \t\n" + re.escape(string.punctuation) + r"]+", text)
    return [p.lower() for p in pieces if re.fullmatch(r"[A-Za-z]{2,}", p)]


def vocab_first_seen(words):
    token2id = {}
    for word in words:
        token2id.setdefault(word, len(token2id))
    return token2id, dict(enumerate(token2id))


def _windows(last_start_included=False, last_window_missing=False, stride_ignored=False, targets_unshifted=False):
    class Windows(reference.TokenDataset):
        def __init__(self, words, token2id, context_window_size=6, stride=4):
            super().__init__(words, token2id, context_window_size, stride)
            end = len(words) - context_window_size + (1 if last_start_included else 0) - (1 if last_window_missing else 0)
            self.starts = range(0, max(end, 0), 1 if stride_ignored else stride)

        def __getitem__(self, i):
            context, target = super().__getitem__(i)
            return (context, context) if targets_unshifted else (context, target)
    return Windows


class ModelFromFirstWord(reference.NeuralLanguageModel):
    """Feeds the first word's vector, repeated, instead of the window."""

    def forward(self, context):
        first = self.embedding(context[:, :1]).expand(-1, context.size(1), -1)
        return self.output(torch.tanh(self.hidden(first.flatten(1))))


class ModelWithoutTanh(reference.NeuralLanguageModel):
    def forward(self, context):
        return self.output(self.hidden(self.embedding(context).flatten(1)))


def _train_epoch(target_column=-1, zero_grad=True, mean=True, train_mode=True):
    def train_epoch(model, dataloader, optimizer, device):
        if train_mode:
            model.train()
        losses = []
        for context, target in dataloader:
            loss = F.cross_entropy(model(context.to(device)), target[:, target_column].to(device))
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return sum(losses) / len(losses) if mean else losses[-1]
    return train_epoch


def most_similar_keeps_word(embeddings, token2id, id2token, word, k):
    unit = F.normalize(embeddings, dim=1)
    values, indices = torch.topk(unit @ unit[token2id[word]], k)
    return [(id2token[int(i)], float(v)) for v, i in zip(values, indices)]


def most_similar_dot_product(embeddings, token2id, id2token, word, k):
    sims = embeddings @ embeddings[token2id[word]]
    sims[token2id[word]] = float("-inf")
    values, indices = torch.topk(sims, k)
    return [(id2token[int(i)], float(v)) for v, i in zip(values, indices)]


VOCAB, DATASET, MODEL, TRAIN, NEIGHBOURS = (
    "check_vocabulary", "check_dataset", "check_model", "check_train_epoch", "check_most_similar")
INPUTS = "check_input_checks"
ALL = (VOCAB, DATASET, MODEL, TRAIN, NEIGHBOURS, INPUTS)


class DatasetClampsSizes(reference.TokenDataset):
    """Right windows, but a window or stride below 1 is quietly taken as 1 (no ValueError)."""

    def __init__(self, words, token2id, context_window_size=6, stride=4):
        super().__init__(words, token2id, max(context_window_size, 1), max(stride, 1))


class ModelClampsSizes(reference.NeuralLanguageModel):
    """The right model, but sizes below 1 are quietly taken as 1 (no ValueError)."""

    def __init__(self, vocab_size, embedding_dim, context_window_size, hidden_dim=256):
        super().__init__(*(max(n, 1) for n in (vocab_size, embedding_dim, context_window_size, hidden_dim)))


def _wrong(part, obj, check):
    return ({**REFERENCE, part: obj}, check, tuple(c for c in ALL if c != check))


# name -> (objects, the check that must fail, the checks that must still pass)
WRONG = {
    "tokenizer_keeps_digits": _wrong("tokenize_words", tokenize_keeps_digits, VOCAB),
    "tokenizer_ignores_punctuation": _wrong("tokenize_words", tokenize_whitespace_only, VOCAB),
    "tokenizer_splits_at_space_tab_newline_only": _wrong("tokenize_words", tokenize_at_space_tab_newline, VOCAB),
    "vocab_in_order_of_appearance": _wrong("build_vocab", vocab_first_seen, VOCAB),
    "windows_off_by_one": _wrong("TokenDataset", _windows(last_start_included=True), DATASET),
    "windows_off_by_one_short": _wrong("TokenDataset", _windows(last_window_missing=True), DATASET),
    "stride_ignored": _wrong("TokenDataset", _windows(stride_ignored=True), DATASET),
    "targets_not_shifted": _wrong("TokenDataset", _windows(targets_unshifted=True), DATASET),
    "model_predicts_from_first_word": _wrong("NeuralLanguageModel", ModelFromFirstWord, MODEL),
    "model_without_tanh": _wrong("NeuralLanguageModel", ModelWithoutTanh, MODEL),
    "trains_on_first_target": _wrong("train_epoch", _train_epoch(target_column=0), TRAIN),
    "train_epoch_leaves_eval_mode": _wrong("train_epoch", _train_epoch(train_mode=False), TRAIN),
    "no_zero_grad": _wrong("train_epoch", _train_epoch(zero_grad=False), TRAIN),
    "returns_last_batch_loss": _wrong("train_epoch", _train_epoch(mean=False), TRAIN),
    "neighbours_include_the_word": _wrong("most_similar", most_similar_keeps_word, NEIGHBOURS),
    "neighbours_by_dot_product": _wrong("most_similar", most_similar_dot_product, NEIGHBOURS),
    # the input checks (Task 6) are a part of their own: a missing ValueError costs that part only
    "dataset_without_value_error": _wrong("TokenDataset", DatasetClampsSizes, INPUTS),
    "model_without_value_error": _wrong("NeuralLanguageModel", ModelClampsSizes, INPUTS),
}
