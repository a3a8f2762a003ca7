"""Hidden checks of 5_3_fine_tuning_bert_classfication (BERT classifier, freezing, LoRA, evaluation).

The checks build small random BERTs (`transformers.BertModel` of a tiny `BertConfig`, seeded) so
that each runs in a second or two on a CPU. The student's code changes the models it gets in place
(freezing, LoRA) or must hold the very encoder it is given, so those models are built where the
student's code runs, as twins of models built here, from which the expected values come. To keep
the parts independent, the freezing and LoRA checks give the student's functions a classifier like
the reference `BertClassifier`: transformers' `BertForSequenceClassification`, which has the same
modules (bert, dropout, classifier), parameter names and logits (in its output's `.logits`); and the
training check evaluates the student's trained models with the reference `evaluate`.

Oracles:
- the classifier: `classifier(pooler_output)` computed from the encoder and the student's own head
  (eval mode), plus the documented attributes and initialization;
- freezing: the set of parameter names under `bert.embeddings.` or in a layer's `.attention.`;
- LoRA: the names and shapes of the adapters (exactly the target projections, rank r), the count
  r * (in + out) per adapted projection plus the head, unchanged logits at initialization, and, after
  setting B to random values, the logits of the original model with every adapted weight replaced by
  W + (alpha / r) B A;
- evaluation: scikit-learn's `accuracy_score` and float64 cross-entropy over every example.

The tasks ask for no input checks, so there is no input-checks part; the edge cases each part
probes are listed in `EDGES` and stated in the notebook (graders/contract.py).
Hands out: nothing of the judge's. BERT encoders and classifiers are built where the student's code
runs (twins of the judge's, by their weights); for `evaluate`, a toy Scorer (graders/kernel_toys.py)
and a DataLoader are built there too, from weights and examples sent by value, a fresh pair per
example, and the expected values come from a twin Scorer here.
"""

from __future__ import annotations

import copy
import math
import re
from typing import NamedTuple

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score
from torch import nn
from transformers import BertConfig, BertModel

from solutions import bert_classification as reference

from .contract import Edge
from . import kernel_toys as kernel_toys_here
from .judge import judged
from .properties import assert_tensor_close, grading, kernel_toys, manual_seed, run_property, student_isinstance
from .properties import student_module
from .properties import type_name
from .wire import remote

#: The accuracy each model trained in the notebook must reach on the whole offline test set.
ACCURACY_BAR = 0.8
VOCAB = 60

#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_bert_classifier": (
        Edge("a single class (`num_classes = 1`)"),
        Edge("`dropout=0.0`, and `dropout=None` (the encoder's `hidden_dropout_prob`)"),
        Edge("`input_ids` alone, without `attention_mask` or `token_type_ids`"),
    ),
    "check_freeze_embeddings_and_attention": (
        Edge("an encoder of a single layer"),
        Edge("a head whose weight was frozen before the call (it stays frozen)"),
    ),
    "check_apply_lora": (
        Edge("the default arguments"),
        Edge("rank `r = 1` and `alpha = 1`"),
        Edge("`target_modules` of a single name (`(\"value\",)`) or all three of `query`, `key` and `value`"),
    ),
    "check_evaluate": (
        Edge("a loader of a single example"),
        Edge("a last batch smaller than the others"),
        Edge("a model that comes in training mode (with dropout) or in eval mode"),
        Edge("two to four classes"),
    ),
}


class Encoder(NamedTuple):
    """A tiny random BERT; hypothesis prints it by field when a check fails."""

    hidden: int
    layers: int
    dropout: float
    seed: int


def encoders():
    return st.builds(Encoder, hidden=st.sampled_from([16, 24]), layers=st.integers(1, 2),
                     dropout=st.sampled_from([0.1, 0.25]), seed=st.integers(0, 2**16))


def _config(spec: Encoder) -> dict:
    return dict(vocab_size=VOCAB, hidden_size=spec.hidden, num_hidden_layers=spec.layers, num_attention_heads=4,
                intermediate_size=spec.hidden + 8, max_position_embeddings=32, hidden_dropout_prob=spec.dropout,
                attention_probs_dropout_prob=0.0)


def make_bert(spec: Encoder) -> BertModel:
    manual_seed(spec.seed)
    return BertModel(BertConfig(**_config(spec))).eval()


def student_bert(spec: Encoder, like: BertModel):
    """A BertModel with the weights of `like`, built where the student's code runs."""
    transformers = student_module("transformers")
    bert = transformers.BertModel(transformers.BertConfig(**_config(spec)))
    bert.load_state_dict(like.state_dict())
    return bert.eval()


def classifiers(spec: Encoder, num_classes: int = 2):
    """reference.BertClassifier(make_bert(spec), num_classes) built here, and its twin where the
    student's code runs: a BertForSequenceClassification with the same weights (see the module's doc)."""
    ours = reference.BertClassifier(make_bert(spec), num_classes).eval()
    transformers = student_module("transformers")
    config = transformers.BertConfig(**_config(spec), num_labels=num_classes)
    theirs = transformers.BertForSequenceClassification(config)
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs.eval()


def _logits(out):
    """What a classifier returned, as logits: the twin's transformers output holds them in .logits."""
    return getattr(out, "logits", out)


def make_inputs(seed: int, batch: int = 3, length: int = 7):
    g = torch.Generator().manual_seed(seed + 1)
    ids = torch.randint(0, VOCAB, (batch, length), generator=g)
    mask = torch.ones(batch, length, dtype=torch.long)
    for i in range(batch):  # padding at the end of some rows
        mask[i, length - i:] = 0
    return ids, mask


def _trainable(model: nn.Module) -> dict[str, int]:
    return {n: p.numel() for n, p in model.named_parameters() if p.requires_grad}


def _listing(names, limit=4) -> str:
    names = sorted(names)
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


# ------------------------------------------------------------------------------- part 1: the head

@judged
def check_bert_classifier(BertClassifier) -> None:
    """Part 1: attributes, initialization and logits of BertClassifier."""
    __tracebackhide__ = True

    @grading(10)
    @given(encoders(), st.integers(1, 4), st.sampled_from([None, 0.0, 0.4]))
    def matches_pooled_head(spec, num_classes, dropout):
        ours = make_bert(spec)
        bert = student_bert(spec, ours)
        model = BertClassifier(bert, num_classes) if dropout is None else BertClassifier(bert, num_classes, dropout=dropout)
        if not student_module("operator").is_(getattr(model, "bert", None), bert):
            raise AssertionError("model.bert must be the encoder passed to BertClassifier (the same object)")
        head = getattr(model, "classifier", None)
        if not student_isinstance(head, "torch.nn.Linear") or (head.in_features, head.out_features) != (spec.hidden, num_classes):
            raise AssertionError(f"model.classifier must be nn.Linear({spec.hidden}, {num_classes}), got {head!r}")
        if head.bias is None or not torch.all(head.bias == 0):
            raise AssertionError("the classifier's bias must start at zero")
        bound = math.sqrt(6.0 / (spec.hidden + num_classes))
        w = head.weight.detach()
        if w.abs().max() > bound + 1e-6 or w.abs().max() < 0.2 * bound:
            raise AssertionError(f"the classifier's weight must be Xavier-uniform, in [-{bound:.4f}, {bound:.4f}] "
                                 f"for fan-in {spec.hidden} and fan-out {num_classes}; got values up to {w.abs().max():.4f}")
        drop = getattr(model, "dropout", None)
        expected_p = spec.dropout if dropout is None else dropout
        if not student_isinstance(drop, "torch.nn.Dropout") or not math.isclose(drop.p, expected_p):
            raise AssertionError(f"model.dropout must be nn.Dropout({expected_p}) (dropout={dropout}, "
                                 f"hidden_dropout_prob={spec.dropout}), got {drop!r}")
        model.eval()
        ids, mask = make_inputs(spec.seed)
        types = torch.zeros_like(ids)
        types[:, 3:] = 1
        with torch.no_grad():
            got = model(ids, attention_mask=mask, token_type_ids=types)
            pooled = ours(input_ids=ids, attention_mask=mask, token_type_ids=types).pooler_output
        assert_tensor_close(got, pooled @ w.T + head.bias.detach(),
                            what=f"logits in eval mode (with attention_mask and token_type_ids) for {spec}")
        with torch.no_grad():
            got = model(ids)
            pooled = ours(input_ids=ids).pooler_output
        assert_tensor_close(got, pooled @ w.T + head.bias.detach(), what=f"logits in eval mode given input_ids only for {spec}")
        # training mode with the encoder's own dropout off (bert back in eval mode): only the head's
        # dropout on the pooled output can change the logits; inverted dropout keeps their mean
        model.train()
        bert.eval()
        many = ids[:1].expand(400, -1).contiguous()
        manual_seed(spec.seed)
        with torch.no_grad():
            got = _logits(model(many))
        model.eval()
        expected = (pooled[:1] @ w.T + head.bias.detach()).expand_as(got)
        what = (f"logits in training mode (the encoder itself in eval mode) for {spec}, num_classes={num_classes}, "
                f"dropout={dropout}, of 400 copies of one input")
        if expected_p == 0:
            assert_tensor_close(got, expected, what=f"{what}: with dropout 0 they must equal those of eval mode")
        else:
            if torch.allclose(got, expected, atol=1e-6):
                raise AssertionError(f"{what}: they equal those of eval mode; apply the dropout to the pooled output "
                                     "(classifier(dropout(pooled))), which acts in training mode")
            spread = (got - expected).std(0).max().item()
            if (got.mean(0) - expected[0]).abs().max().item() > 6 * spread / math.sqrt(400) + 1e-5:
                raise AssertionError(f"{what}: their mean {got.mean(0).tolist()} must be about the eval-mode logits "
                                     f"{expected[0].tolist()} (nn.Dropout scales what it keeps by 1 / (1 - p))")

    def xavier_uniform_weight():
        # 24 x 4 = 96 values drawn uniformly from [-bound, bound]: some above 0.6 * bound but with
        # probability 1 - 0.6**96; nn.Linear's default rule, bound 1 / sqrt(24), stays below 0.44 * bound
        spec, num_classes = Encoder(hidden=24, layers=1, dropout=0.1, seed=9), 4
        manual_seed(spec.seed)
        head = BertClassifier(student_bert(spec, make_bert(spec)), num_classes).classifier
        bound = math.sqrt(6.0 / (spec.hidden + num_classes))
        w = head.weight.detach()
        if w.abs().max() > bound + 1e-6 or w.abs().max() < 0.6 * bound:
            raise AssertionError(f"BertClassifier(bert of hidden size {spec.hidden}, {num_classes}): the classifier's "
                                 f"{w.numel()} weights must be Xavier-uniform (nn.init.xavier_uniform_), spread over "
                                 f"[-{bound:.4f}, {bound:.4f}]; got values up to {w.abs().max():.4f} only")

    run_property("BertClassifier", matches_pooled_head)
    run_property("BertClassifier's Xavier-uniform head", xavier_uniform_weight)


# ----------------------------------------------------------------------------- part 2: freezing

def expected_frozen(model: nn.Module) -> set[str]:
    return {n for n, _ in model.named_parameters() if n.startswith("bert.embeddings.") or ".attention." in n}


@judged
def check_freeze_embeddings_and_attention(freeze_embeddings_and_attention) -> None:
    """Part 2: exactly the embeddings and attention blocks are frozen; values unchanged."""
    __tracebackhide__ = True

    @grading(10)
    @given(encoders(), st.booleans())
    def freezes_exactly(spec, pre_frozen_head):
        twin, model = classifiers(spec)
        if pre_frozen_head:  # "leave everything else as it was": a frozen head stays frozen
            twin.classifier.weight.requires_grad_(False)
            remote(model).classifier.weight.requires_grad_(False)
        before = {n: p.detach().clone() for n, p in twin.named_parameters()}
        reference.freeze_embeddings_and_attention(twin)
        freeze_embeddings_and_attention(model)
        frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
        expected = expected_frozen(twin) | ({"classifier.weight"} if pre_frozen_head else set())
        if frozen - expected:
            raise AssertionError(f"{spec}: these parameters must stay trainable: {_listing(frozen - expected)}")
        if expected - frozen:
            raise AssertionError(f"{spec}: these parameters must be frozen: {_listing(expected - frozen)}")
        got, ref = sum(_trainable(model).values()), sum(_trainable(twin).values())
        if got != ref:
            raise AssertionError(f"{spec}: {got} trainable parameters, expected {ref}")
        for n, p in model.named_parameters():
            if n in before and not torch.equal(p.detach(), before[n]):
                raise AssertionError(f"freezing changed the values of {n}; only set requires_grad")

    run_property("freeze_embeddings_and_attention", freezes_exactly)


# ---------------------------------------------------------------------------------- part 3: LoRA

_ADAPTER = re.compile(r"(encoder\.layer\.\d+\.[\w.]*?)\.lora_([AB])\.[\w]+\.weight$")


def _target_paths(bert: BertModel, targets) -> set[str]:
    return {n for n, m in bert.named_modules() if isinstance(m, nn.Linear) and n.rsplit(".", 1)[-1] in targets}


def _adapters(names) -> dict[str, dict[str, str]]:
    """Module path inside BERT (e.g. encoder.layer.0.attention.self.query) -> {"A": name, "B": name}
    of its adapters' weights among the parameter `names`."""
    found: dict[str, dict[str, str]] = {}
    for n in names:
        m = _ADAPTER.search(n)
        if m:
            found.setdefault(m.group(1), {})[m.group(2)] = n
    return found


class Lora(NamedTuple):
    r: int
    alpha: int
    targets: tuple[str, ...]


def loras():
    return st.builds(Lora, r=st.integers(1, 6), alpha=st.sampled_from([1, 4, 16]),
                     targets=st.sampled_from([("query", "value"), ("query", "key"), ("value",), ("key", "query", "value")]))


def _check_lora(apply_lora, spec: Encoder, lora: Lora | None) -> None:
    ours, model = classifiers(spec)
    original, head = ours.bert, ours.classifier
    ids, mask = make_inputs(spec.seed)
    with torch.no_grad():
        before = ours(ids, attention_mask=mask)
    r, alpha, targets = (8, 16, ("query", "value")) if lora is None else lora
    call = "apply_lora(model)" if lora is None else f"apply_lora(model, r={r}, alpha={alpha}, target_modules={targets})"
    manual_seed(spec.seed + 11)
    lora_model = apply_lora(model) if lora is None else apply_lora(model, r=r, alpha=alpha, target_modules=targets)
    if not student_isinstance(lora_model, "torch.nn.Module"):
        raise AssertionError(f"{call} must return the model, got {type_name(lora_model)}")
    lora_model.eval()
    params = dict(lora_model.named_parameters())

    # where the adapters are, and their rank
    expected_paths = _target_paths(original, targets)
    adapters = _adapters(params)
    if set(adapters) != expected_paths:
        extra, missing = set(adapters) - expected_paths, expected_paths - set(adapters)
        raise AssertionError(f"{call} on {spec}: adapters must sit exactly on the {targets} projections; "
                             + (f"unexpected adapters on {_listing(extra)}" if extra else f"no adapter on {_listing(missing)}"))
    for path, ab in adapters.items():
        linear = original.get_submodule(path)
        shapes = {"A": (r, linear.in_features), "B": (linear.out_features, r)}
        for k, shape in shapes.items():
            if k not in ab or tuple(params[ab[k]].shape) != shape:
                raise AssertionError(f"{call}: lora_{k} of {path} must have shape {shape}, got "
                                     f"{tuple(params[ab[k]].shape) if k in ab else 'none'}")

    # what is trainable
    trainable = {n: p.numel() for n, p in params.items() if p.requires_grad}
    wrong = [n for n in trainable if not (_ADAPTER.search(n) or "classifier" in n)]
    if wrong:
        raise AssertionError(f"{call}: only the adapters and the head may be trainable, not {_listing(wrong)}")
    head_params = sum(p.numel() for p in head.parameters())
    count = sum(r * (original.get_submodule(p).in_features + original.get_submodule(p).out_features) for p in expected_paths)
    if sum(trainable.values()) != count + head_params:
        raise AssertionError(f"{call} on {spec}: {sum(trainable.values())} trainable parameters, expected "
                             f"{count} in adapters + {head_params} in the head = {count + head_params}")

    # function: unchanged at init, W + (alpha / r) B A once B is not zero
    after = _logits(lora_model(ids, attention_mask=mask))
    assert_tensor_close(after, before, what=f"{call}: logits right after adding the adapters (B = 0) must not change")
    g = torch.Generator().manual_seed(spec.seed + 3)
    merged = copy.deepcopy(original)
    with torch.no_grad():
        for path in sorted(adapters):
            A, B = params[adapters[path]["A"]], torch.randn(params[adapters[path]["B"]].shape, generator=g) * 0.2
            remote(lora_model).get_parameter(adapters[path]["B"]).detach().copy_(B)  # where the adapter lives
            merged.get_submodule(path).weight += (alpha / r) * (B @ A.detach())
        expected = head(merged(input_ids=ids, attention_mask=mask).pooler_output)
    got = _logits(lora_model(ids, attention_mask=mask))
    assert_tensor_close(got, expected, what=f"{call}: logits with non-zero B must be those of W + (alpha / r) B A", atol=1e-4)


@judged
def check_apply_lora(apply_lora) -> None:
    """Part 3: adapters on exactly the target projections, rank r, scale alpha / r, counts, init."""
    __tracebackhide__ = True

    @grading(6)
    @given(encoders(), loras())
    def adapters_as_asked(spec, lora):
        _check_lora(apply_lora, spec, lora)

    run_property("apply_lora with the default arguments", lambda: _check_lora(apply_lora, Encoder(16, 2, 0.1, 0), None))
    run_property("apply_lora", adapters_as_asked)


# ---------------------------------------------------------------------------- part 4: evaluation

def scorer_table(num_classes: int, seed: int) -> torch.Tensor:
    """The weights of the toy Scorer (graders/kernel_toys.py) of one evaluation example."""
    return torch.randn(VOCAB, num_classes, generator=torch.Generator().manual_seed(seed))


def Scorer(num_classes: int, seed: int) -> nn.Module:
    """The toy classifier of one evaluation example, built here (the expected values' twin)."""
    return kernel_toys_here.Scorer(scorer_table(num_classes, seed))


class EvalProblem(NamedTuple):
    examples: int
    batch_size: int
    num_classes: int
    training: bool
    seed: int


def eval_problems():
    return st.builds(EvalProblem, examples=st.integers(1, 40), batch_size=st.integers(1, 16),
                     num_classes=st.integers(2, 4), training=st.booleans(), seed=st.integers(0, 2**16))


def eval_examples(problem: EvalProblem) -> list[dict]:
    """The examples of one evaluation problem: rows of 6 token ids with a padding mask, and a label."""
    g = torch.Generator().manual_seed(problem.seed + 1)
    length = 6
    examples = []
    for _ in range(problem.examples):
        n = int(torch.randint(1, length + 1, (), generator=g))
        mask = torch.zeros(length, dtype=torch.long)
        mask[:n] = 1
        examples.append({"input_ids": torch.randint(0, VOCAB, (length,), generator=g), "attention_mask": mask,
                         "labels": torch.randint(0, problem.num_classes, (), generator=g)})
    return examples


def make_loader(problem: EvalProblem, torch_module=torch):
    """A DataLoader over the problem's examples, of `torch_module` (the kernel's torch, to build it there)."""
    return torch_module.utils.data.DataLoader(eval_examples(problem), batch_size=problem.batch_size, shuffle=False)


@judged
def check_evaluate(evaluate) -> None:
    """Part 4: loss per example and accuracy over the whole loader; mode restored."""
    __tracebackhide__ = True

    @grading(40)
    @given(eval_problems())
    def matches_sklearn(problem):
        twin = Scorer(problem.num_classes, problem.seed).eval()
        with torch.no_grad():
            batches = list(make_loader(problem))
            logits = torch.cat([twin(b["input_ids"], attention_mask=b["attention_mask"]) for b in batches])
            labels = torch.cat([b["labels"] for b in batches])
        loss = F.cross_entropy(logits.double(), labels).item()
        accuracy = accuracy_score(labels.numpy(), logits.argmax(-1).numpy())
        # the model and its loader are built where the student's code runs, from the same weights and examples
        model = kernel_toys().Scorer(scorer_table(problem.num_classes, problem.seed))
        remote(model).train(problem.training)
        loader = make_loader(problem, student_module("torch"))
        got = evaluate(model, loader, torch.device("cpu"))
        if not isinstance(got, dict) or not {"loss", "accuracy"} <= set(got):
            raise AssertionError(f"evaluate must return a dict with 'loss' and 'accuracy', got {got!r}")
        if model.training != problem.training:
            raise AssertionError(f"the model came in {'training' if problem.training else 'eval'} mode and "
                                 f"left in {'training' if model.training else 'eval'} mode: restore its mode")
        n = problem.examples
        if not math.isclose(float(got["accuracy"]), accuracy, abs_tol=1e-9):
            raise AssertionError(f"accuracy over all {n} examples in batches of {problem.batch_size}: expected "
                                 f"{accuracy:.6f} (scikit-learn), got {float(got['accuracy']):.6f}")
        if not math.isclose(float(got["loss"]), loss, rel_tol=1e-5, abs_tol=1e-6):
            raise AssertionError(f"mean cross-entropy per example over all {n} examples in batches of "
                                 f"{problem.batch_size}: expected {loss:.6f}, got {float(got['loss']):.6f} (rtol=1e-05)")

    run_property("evaluate vs scikit-learn's accuracy over the whole loader", matches_sklearn)


# ------------------------------------------------------------------------------ part 5: training

class _OnItsDevice:
    """A model of the kernel as reference.evaluate sees it: tensors cross to the kernel on the CPU, so
    the batches it is called on are moved there to the model's device (a GPU, say), as evaluate would."""

    def __init__(self, model):
        self.model, self._torch = model, student_module("torch")
        first = remote(student_module("builtins").next)(remote(model).parameters().proxy)
        self.device = str(first.device.proxy)

    @property
    def training(self) -> bool:
        return self.model.training

    def eval(self):
        self.model.eval()

    def train(self, mode: bool = True):
        self.model.train(mode)

    def __call__(self, input_ids, attention_mask=None):
        def there(t):
            return None if t is None else remote(self._torch.as_tensor)(t, device=self.device).proxy

        with self._torch.no_grad():
            return self.model(there(input_ids), attention_mask=there(attention_mask))


@judged
def check_training(models: dict, test_loader) -> None:
    """Part 5: each model trained in the notebook reaches ACCURACY_BAR on the whole test set."""
    __tracebackhide__ = True
    for name, model in models.items():
        accuracy = reference.evaluate(_OnItsDevice(model), test_loader, "cpu")["accuracy"]
        if not accuracy >= ACCURACY_BAR:
            raise AssertionError(f"the {name} model reaches {accuracy:.3f} accuracy on the test set, below "
                                 f"{ACCURACY_BAR}: check the functions it uses (BertClassifier, freezing, LoRA)")
