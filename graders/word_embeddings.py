"""Hidden checks of 2_2_embedding_train_token_embedding (a Bengio et al. 2003 language model).

Tokenization, vocabulary, windows and nearest neighbours are compared with the reference on
generated inputs. The model is checked with the reference's weights copied into its documented
layers (`embedding`, `hidden`, `output`). `train_epoch` is checked on the reference model's
computation (so a wrong model does not cost this part too), built out of torch's layers where the
student's code runs, with a loader made there too: the same epoch as the reference's, the loss
falls; then the student's own model class and `train_epoch` are trained on a small corpus where
synonyms share contexts (graders/fixtures_text.py), and "happy" must end nearer "joyful" than
"book". What training leaves in a model is read back through its state_dict and judged here.
Everything is seeded and runs on one CPU thread, so a submission always gets the same result.
The edge cases each part probes are listed in `EDGES` and stated in the notebook's task text. The
ValueErrors (a window or stride below 1, a model size below 1) are graded apart, in
`check_input_checks` (graders/contract.py), and no computation part tries them.
Hands out: nothing of the judge's. Texts, words and tensors cross by value; the model, optimizer and
data loader `train_epoch` works on are built where the student's code runs (torch's layers there,
holding the reference's weights sent by value), and only their state comes back.
"""

from __future__ import annotations

import string
from typing import NamedTuple

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.data import DataLoader, RandomSampler

from solutions import word_embeddings as reference

from . import wire
from .fixtures_text import synonym_corpus
from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import (assert_tensor_close, grading, manual_seed, one_thread, run_property, student_generator,
                         student_module)

#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_vocabulary": (
        Edge("an empty text, and a text with no word in it (the answer is `[]`)"),
        Edge("single letters, digits, non-ASCII letters and upper-case letters next to the separators"),
        Edge("an empty list of words (`build_vocab([])` gives two empty dictionaries)"),
        Edge("words that occur more than once"),
    ),
    "check_dataset": (
        Edge("an empty list of words, and fewer than `context_window_size + 1` words (a dataset of length 0)"),
        Edge("`context_window_size = 1` and `stride = 1`"),
        Edge("`stride` larger than `context_window_size` (the windows skip words)"),
        Edge("the defaults `context_window_size=6, stride=4`"),
    ),
    "check_model": (
        Edge("sizes as small as 1: `embedding_dim`, `context_window_size`, `hidden_dim` and the batch"),
        Edge("a vocabulary of two words"),
    ),
    "check_train_epoch": (
        Edge("windows of a single word (`context_window_size = 1`)"),
        Edge("a `model` that is any module mapping contexts `(B, n)` to logits `(B, vocab_size)`, not "
             "necessarily your `NeuralLanguageModel`"),
        Edge("`device` given as `torch.device(\"cpu\")` or as the string `\"cpu\"`"),
    ),
    "check_most_similar": (
        Edge("`k = 1`, and `k` equal to the number of other words, `vocab_size - 1`"),
        Edge("a vocabulary of two words"),
    ),
}


# ------------------------------------------------------------------------------- vocabulary

#: ASCII punctuation and whitespace, all of it (string.whitespace: also \r, \v and \f); Unicode
#: spaces are left out: the notebook says "whitespace" and hints at `\s`, but never says which
_SEPARATORS = string.punctuation + string.whitespace
#: words, separators and stray characters: digits, non-ASCII letters, single letters
texts = st.lists(
    st.one_of(
        st.text(string.ascii_letters, min_size=1, max_size=6),
        st.text(_SEPARATORS, min_size=1, max_size=3),
        st.text(string.ascii_letters + string.digits + "éßÅ" + _SEPARATORS, max_size=5),
    ),
    max_size=12,
).map("".join)

word_lists = st.lists(st.text("abcdefg", min_size=2, max_size=4), max_size=25)


@judged
def check_vocabulary(tokenize_words, build_vocab) -> None:
    """Part 1: words of a text; ids of the sorted unique words and the inverse mapping."""
    __tracebackhide__ = True

    @grading(200)
    @given(texts)
    def tokenization_matches(text):
        got = tokenize_words(text)
        expected = reference.tokenize_words(text)
        if list(got) != expected:
            raise AssertionError(f"tokenize_words({text!r}): expected {expected}, got {got}")

    @grading()
    @given(word_lists)
    def vocabulary_matches(words):
        got = build_vocab(words)
        expected = reference.build_vocab(words)
        try:
            token2id, id2token = got
        except (TypeError, ValueError):
            raise AssertionError(f"build_vocab must return a pair (token2id, id2token), got {got!r}") from None
        if dict(token2id) != expected[0]:
            raise AssertionError(f"build_vocab({words}): expected token2id {expected[0]}, got {token2id}")
        if dict(id2token) != expected[1]:
            raise AssertionError(f"build_vocab({words}): expected id2token {expected[1]}, got {id2token}")

    run_property("tokenize_words", tokenization_matches)
    run_property("build_vocab", vocabulary_matches)


# ------------------------------------------------------------------------------- windows

class Windows(NamedTuple):
    words: list[str]
    context_window_size: int
    stride: int


windows_problems = st.builds(
    Windows, st.lists(st.sampled_from(["ant", "bee", "cat", "dog", "eel"]), max_size=30),
    st.integers(1, 7), st.integers(1, 6),
)


def _items(dataset_class, words, token2id, *args):
    dataset = dataset_class(words, token2id, *args)
    return [dataset[i] for i in range(len(dataset))]


def _compare_items(got, expected, where):
    __tracebackhide__ = True
    if len(got) != len(expected):
        raise AssertionError(f"{where}: expected {len(expected)} items, got {len(got)}")
    for i, (g, e) in enumerate(zip(got, expected)):
        if not (isinstance(g, (tuple, list)) and len(g) == 2):
            raise AssertionError(f"{where}: item {i} must be a pair (context, target), got {type(g).__name__}")
        for name, gt, et in zip(("context", "target"), g, e):
            if not isinstance(gt, torch.Tensor) or gt.dtype != torch.long:
                raise AssertionError(f"{where}: the {name} of item {i} must be a LongTensor, got {getattr(gt, 'dtype', type(gt).__name__)}")
            if gt.shape != et.shape or not torch.equal(gt, et):
                raise AssertionError(f"{where}: the {name} of item {i}: expected {et.tolist()}, got {gt.tolist()}")


@judged
def check_dataset(TokenDataset) -> None:
    """Part 2: the (context, shifted context) windows at starts 0, stride, ... < len(words) - n."""
    __tracebackhide__ = True

    @grading()
    @given(windows_problems)
    def windows_match(problem):
        words, n, stride = problem
        token2id, _ = reference.build_vocab(words)
        where = f"TokenDataset of {len(words)} words, context_window_size={n}, stride={stride}"
        _compare_items(_items(TokenDataset, words, token2id, n, stride),
                       _items(reference.TokenDataset, words, token2id, n, stride), where)

    run_property("TokenDataset", windows_match)
    words = [f"w{i % 7}" for i in range(23)]
    token2id, _ = reference.build_vocab(words)
    _compare_items(_items(TokenDataset, words, token2id), _items(reference.TokenDataset, words, token2id),
                   "TokenDataset of 23 words with the defaults context_window_size=6, stride=4")


# ------------------------------------------------------------------------------- model

class ModelProblem(NamedTuple):
    vocab_size: int
    embedding_dim: int
    context_window_size: int
    hidden_dim: int
    batch: int
    seed: int


model_problems = st.builds(ModelProblem, st.integers(2, 20), st.integers(1, 6), st.integers(1, 6),
                           st.integers(1, 12), st.integers(1, 5), st.integers(0, 2**16))


def copy_weights(source: torch.nn.Module, target) -> None:
    """Copy `embedding`, `hidden` and `output` of `source` (the reference, here) into the same layers
    of `target` (the student's model), by their state_dict names."""
    own = target.state_dict()
    for name, p in source.state_dict().items():
        layer = name.split(".")[0]
        if not hasattr(target, layer):
            raise AssertionError(f"the model has no attribute `{layer}`: name the layers embedding, hidden, output")
        q = own.get(name)
        if q is None or q.shape != p.shape:
            raise AssertionError(f"`{name}` should have shape {tuple(p.shape)}, got {None if q is None else tuple(q.shape)}")
    target.load_state_dict(source.state_dict(), strict=False)


@judged
def check_model(NeuralLanguageModel) -> None:
    """Part 3: the student's model with the reference's weights computes the reference's logits."""
    __tracebackhide__ = True

    @grading(50)
    @given(model_problems)
    def same_logits(problem):
        V, D, n, H, B, seed = problem
        torch.manual_seed(seed)
        expected_model = reference.NeuralLanguageModel(V, D, n, H)
        model = NeuralLanguageModel(V, D, n, H)
        copy_weights(expected_model, model)
        count = sum(p.numel() for p in model.parameters())
        expected_count = sum(p.numel() for p in expected_model.parameters())
        if count != expected_count:
            raise AssertionError(f"the model should have {expected_count} parameters, got {count}")
        context = torch.randint(0, V, (B, n), generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            assert_tensor_close(model(context), expected_model(context),
                                what=f"logits for a batch of {B} contexts of {n} words")

    with one_thread():
        run_property("NeuralLanguageModel with the reference's weights", same_logits)
    hidden = getattr(NeuralLanguageModel(10, 4, 3), "hidden", None)
    if getattr(hidden, "out_features", None) != 256:
        raise AssertionError("hidden_dim must default to 256 (model.hidden an nn.Linear with 256 outputs)")


# ------------------------------------------------------------------------------- training

def corpus_loader(num_sentences, n, stride, batch_size, seed, shuffle=True):
    words = reference.tokenize_words(" ".join(synonym_corpus(num_sentences, seed=seed)))
    token2id, id2token = reference.build_vocab(words)
    dataset = reference.TokenDataset(words, token2id, n, stride)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=True,
                        generator=torch.Generator().manual_seed(seed))
    return loader, token2id


def loader_there(loader: DataLoader):
    """`loader` made again where the student's code runs: the same items, batches and order."""
    data = student_module("torch.utils.data")
    items = [loader.dataset[i] for i in range(len(loader.dataset))]
    contexts, targets = (torch.stack(column) for column in zip(*items))
    return data.DataLoader(data.TensorDataset(contexts, targets), batch_size=loader.batch_size,
                           shuffle=isinstance(loader.sampler, RandomSampler), drop_last=loader.drop_last,
                           generator=student_generator(loader.generator.initial_seed()))


#: the reference model's layers -> their index in `reference_model_there`'s Sequential
LAYERS = {"embedding": 0, "hidden": 2, "output": 4}


def reference_model_there(vocab_size, embedding_dim, context_window_size, hidden_dim):
    """The reference NeuralLanguageModel's computation, built out of torch's layers where the
    student's code runs (solutions/ is not there): Embedding, Flatten, Linear, Tanh, Linear."""
    nn = student_module("torch").nn
    return nn.Sequential(nn.Embedding(vocab_size, embedding_dim), nn.Flatten(1),
                         nn.Linear(context_window_size * embedding_dim, hidden_dim), nn.Tanh(),
                         nn.Linear(hidden_dim, vocab_size))


def to_sequential(state: dict) -> dict:
    """A reference model's state_dict, named for `reference_model_there`."""
    return {f"{LAYERS[k.split('.')[0]]}.{k.split('.', 1)[1]}": v for k, v in state.items()}


def from_sequential(state: dict) -> dict:
    """The inverse of `to_sequential`."""
    names = {str(i): layer for layer, i in LAYERS.items()}
    return {f"{names[k.split('.')[0]]}.{k.split('.', 1)[1]}": v for k, v in state.items()}


def oracle_loss(model, loader) -> float:
    """Mean cross-entropy of the word after each window (target[:, -1]), without training."""
    with torch.no_grad():
        losses = [F.cross_entropy(model(c), t[:, -1]).item() for c, t in loader]
    return sum(losses) / len(losses)


class EpochProblem(NamedTuple):
    context_window_size: int
    stride: int
    batch_size: int
    seed: int


epoch_problems = st.builds(EpochProblem, st.integers(1, 5), st.integers(1, 4), st.integers(4, 16), st.integers(0, 2**16))


def _mean_loss(got) -> float:
    """What train_epoch returned, as the float it must be."""
    try:
        return float(got)
    except (TypeError, ValueError):
        raise AssertionError(f"train_epoch must return the mean loss as a float, got {got!r}") from None


@judged
def check_train_epoch(train_epoch, NeuralLanguageModel) -> None:
    """Part 4: one epoch equals the reference's and lowers the loss; trained synonyms end up close."""
    __tracebackhide__ = True
    optim = student_module("torch").optim

    @grading(8)
    @given(epoch_problems)
    def same_epoch_as_reference(problem):
        n, stride, batch_size, seed = problem
        loader, token2id = corpus_loader(30, n, stride, batch_size, seed, shuffle=False)
        sizes = (len(token2id), 8, n, 16)
        torch.manual_seed(seed)
        expected_model = reference.NeuralLanguageModel(*sizes)
        model = reference_model_there(*sizes)
        model.load_state_dict(to_sequential(expected_model.state_dict()))
        before = oracle_loss(expected_model, loader)
        got = train_epoch(model, loader_there(loader), optim.SGD(model.parameters(), lr=0.5), torch.device("cpu"))
        expected = reference.train_epoch(expected_model, loader, torch.optim.SGD(expected_model.parameters(), lr=0.5), "cpu")
        got = _mean_loss(got)
        where = f"one epoch of SGD (lr 0.5) over {len(loader)} batches of {batch_size} windows of {n} words"
        assert_tensor_close(torch.tensor(got), torch.tensor(expected), what=f"mean loss returned by {where}",
                            rtol=1e-4, atol=1e-5)
        trained = reference.NeuralLanguageModel(*sizes)
        trained.load_state_dict(from_sequential(model.state_dict()))
        for (name, p), q in zip(expected_model.named_parameters(), trained.parameters()):
            assert_tensor_close(q, p, what=f"parameter {name} after {where}", rtol=1e-4, atol=1e-5)
        after = oracle_loss(trained, loader)
        if not after < before:
            raise AssertionError(f"{where}: the loss did not fall ({before:.4f} before, {after:.4f} after)")

    def puts_the_model_in_training_mode():
        # "Put the model in training mode first": a model that comes in eval mode, with an
        # nn.Dropout(1.0) before its output layer, predicts from the output bias alone in training
        # mode (every hidden value dropped) and from its hidden layer in eval mode
        n, stride, batch_size, seed = 3, 2, 8, 4
        loader, token2id = corpus_loader(30, n, stride, batch_size, seed, shuffle=False)
        V, E, H = len(token2id), 8, 16

        def build(nn):
            return nn.Sequential(nn.Embedding(V, E), nn.Flatten(1), nn.Linear(n * E, H), nn.Tanh(), nn.Dropout(1.0),
                                 nn.Linear(H, V))

        torch.manual_seed(seed)
        expected_model = build(torch.nn).eval()
        model = build(student_module("torch").nn)
        model.load_state_dict(expected_model.state_dict())
        model.eval()
        got = train_epoch(model, loader_there(loader), optim.SGD(model.parameters(), lr=0.5), torch.device("cpu"))
        expected = reference.train_epoch(expected_model, loader, torch.optim.SGD(expected_model.parameters(), lr=0.5), "cpu")
        got = _mean_loss(got)
        assert_tensor_close(torch.tensor(got), torch.tensor(expected), rtol=1e-4, atol=1e-5,
                            what="mean loss returned by one epoch of a model given in eval mode, with an nn.Dropout(1.0) "
                                 "before its output layer (put the model in training mode first: model.train())")

    with one_thread():
        run_property("train_epoch vs the reference", same_epoch_as_reference)
        run_property("train_epoch puts the model in training mode", puts_the_model_in_training_mode)
    check_synonyms(train_epoch, NeuralLanguageModel)


@judged
def check_synonyms(train_epoch, NeuralLanguageModel, epochs: int = 3) -> dict[tuple[str, str], float]:
    """Train the student's model with the student's train_epoch; synonyms must end up closest."""
    __tracebackhide__ = True
    loader, token2id = corpus_loader(1500, 6, 4, 32, seed=0)
    torch_there = student_module("torch")
    manual_seed(0)
    try:
        with one_thread():
            model = NeuralLanguageModel(len(token2id), 16, 6, 64)
            with torch_there.no_grad():
                wire.remote(model).embedding.weight.mul_(0.1)
            optimizer = torch_there.optim.Adam(model.parameters(), lr=1e-2)
            there = loader_there(loader)
            for _ in range(epochs):
                train_epoch(model, there, optimizer, "cpu")
            table = model.embedding.weight.detach()
    except Exception as exc:
        raise AssertionError(f"training your NeuralLanguageModel with your train_epoch: your code raised "
                             f"{type(exc).__name__}: {exc}") from None
    cos = {(a, b): F.cosine_similarity(table[token2id[a]], table[token2id[b]], dim=0).item()
           for a, b in [("happy", "joyful"), ("happy", "book"), ("book", "novel"), ("book", "happy")]}
    for (a, b), (_, c) in [(("happy", "joyful"), ("happy", "book")), (("book", "novel"), ("book", "happy"))]:
        if not cos[(a, b)] > cos[(a, c)]:
            raise AssertionError(
                f"after {epochs} epochs of your train_epoch on a corpus where {a!r} and {b!r} share every context, "
                f"cos({a}, {b}) = {cos[(a, b)]:.3f} should be above cos({a}, {c}) = {cos[(a, c)]:.3f}")
    return cos


# ------------------------------------------------------------------------------- neighbours

class NeighbourProblem(NamedTuple):
    vocab_size: int
    dim: int
    word: int
    k: int
    seed: int


neighbour_problems = st.integers(2, 15).flatmap(lambda V: st.builds(
    NeighbourProblem, st.just(V), st.integers(2, 8), st.integers(0, V - 1), st.integers(1, V - 1), st.integers(0, 2**16)))


@judged
def check_most_similar(most_similar) -> None:
    """Part 5: the k nearest words by cosine similarity, most similar first, the word left out."""
    __tracebackhide__ = True

    @grading()
    @given(neighbour_problems)
    def matches_reference(problem):
        V, dim, index, k, seed = problem
        table = torch.randn(V, dim, generator=torch.Generator().manual_seed(seed)) * (1 + torch.arange(V))[:, None]
        id2token = {i: f"w{i:02d}" for i in range(V)}
        token2id = {w: i for i, w in id2token.items()}
        word = id2token[index]
        got = most_similar(table, token2id, id2token, word, k)
        expected = reference.most_similar(table, token2id, id2token, word, k)
        try:
            got_words, got_sims = [w for w, _ in got], [float(s) for _, s in got]
        except (TypeError, ValueError):
            raise AssertionError(f"most_similar must return a list of (word, similarity) pairs, got {got!r}") from None
        if got_words != [w for w, _ in expected]:
            raise AssertionError(f"the {k} words nearest to {word!r}: expected {expected}, got {got}")
        assert_tensor_close(torch.tensor(got_sims, dtype=torch.float64),
                            torch.tensor([s for _, s in expected], dtype=torch.float64),
                            what=f"similarities of the {k} words nearest to {word!r}", rtol=1e-5, atol=1e-6)

    run_property("most_similar", matches_reference)


# ------------------------------------------------------------------------------- input checks

_WORDS = [f"w{i % 7}" for i in range(23)]
_TOKEN2ID = reference.build_vocab(_WORDS)[0]

#: the invalid calls Task 6 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`TokenDataset(words, token2id, 6, 0)`: `stride = 0` raises `ValueError`",
               lambda f: f["TokenDataset"](_WORDS, _TOKEN2ID, 6, 0)),
    InputCheck("`TokenDataset(words, token2id, 0, 4)`: `context_window_size = 0` raises `ValueError`",
               lambda f: f["TokenDataset"](_WORDS, _TOKEN2ID, 0, 4)),
    InputCheck("`NeuralLanguageModel(0, 4, 3)`: `vocab_size = 0` raises `ValueError`",
               lambda f: f["NeuralLanguageModel"](0, 4, 3)),
    InputCheck("`NeuralLanguageModel(10, 4, 0)`: `context_window_size = 0` raises `ValueError`",
               lambda f: f["NeuralLanguageModel"](10, 4, 0)),
)


@judged
def check_input_checks(TokenDataset, NeuralLanguageModel) -> None:
    """Part 6: the ValueErrors of Tasks 2 and 3, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, TokenDataset=TokenDataset, NeuralLanguageModel=NeuralLanguageModel)
