"""solutions/bert_classification.py against independent oracles, on small random BERTs."""

import copy

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from sklearn.metrics import accuracy_score

from graders.bert_classification import (
    Encoder, Scorer, eval_problems, expected_frozen, make_bert, make_inputs, make_loader)
from solutions.bert_classification import BertClassifier, apply_lora, evaluate, freeze_embeddings_and_attention

SPEC = Encoder(hidden=16, layers=2, dropout=0.1, seed=0)


def test_classifier_is_a_linear_head_on_the_pooled_output():
    bert = make_bert(SPEC)
    model = BertClassifier(bert, 3).eval()
    assert model.bert is bert and model.dropout.p == 0.1
    ids, mask = make_inputs(0)
    pooled = bert(input_ids=ids, attention_mask=mask).pooler_output
    expected = pooled @ model.classifier.weight.T
    assert torch.allclose(model(ids, attention_mask=mask), expected, atol=1e-6)
    assert torch.all(model.classifier.bias == 0)


def test_freezing_leaves_feed_forward_pooler_and_head_trainable():
    model = BertClassifier(make_bert(SPEC), 2)
    freeze_embeddings_and_attention(model)
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen == expected_frozen(model)
    assert any("intermediate" in n for n, p in model.named_parameters() if p.requires_grad)


@pytest.mark.parametrize("r, alpha, targets", [(8, 16, ("query", "value")), (2, 4, ("key",))])
def test_lora_counts_and_identity_at_init(r, alpha, targets):
    model = BertClassifier(make_bert(SPEC), 2).eval()
    ids, mask = make_inputs(1)
    before = model(ids, attention_mask=mask)
    lora = apply_lora(model, r=r, alpha=alpha, target_modules=targets).eval()
    trainable = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    per_module = r * (16 + 16)
    assert trainable == SPEC.layers * len(targets) * per_module + (16 * 2 + 2)
    assert torch.allclose(lora(ids, attention_mask=mask), before, atol=1e-6)


def test_lora_scale_is_alpha_over_r():
    original = make_bert(SPEC)
    model = apply_lora(BertClassifier(copy.deepcopy(original), 2), r=2, alpha=6, target_modules=("value",)).eval()
    layer = model.bert.base_model.model.encoder.layer[0].attention.self.value
    with torch.no_grad():
        layer.lora_B["default"].weight.fill_(0.1)
    x = torch.randn(3, 16)
    delta = 3.0 * (layer.lora_B["default"].weight @ layer.lora_A["default"].weight)
    expected = x @ (original.encoder.layer[0].attention.self.value.weight + delta).T + layer.base_layer.bias
    assert torch.allclose(layer(x), expected, atol=1e-5)


@settings(max_examples=30)
@given(eval_problems())
def test_evaluate_equals_sklearn_over_the_whole_loader(problem):
    model = Scorer(problem.num_classes, problem.seed).train(problem.training)
    loader = make_loader(problem)
    got = evaluate(model, loader, "cpu")
    assert model.training == problem.training
    model.eval()
    batches = list(loader)
    logits = torch.cat([model(b["input_ids"], attention_mask=b["attention_mask"]) for b in batches]).detach()
    labels = torch.cat([b["labels"] for b in batches])
    assert got["accuracy"] == pytest.approx(accuracy_score(labels, logits.argmax(-1)))
    assert got["loss"] == pytest.approx(F.cross_entropy(logits, labels).item(), rel=1e-5)


def test_sentiment_fixture_is_balanced_and_deterministic(tmp_path):
    import json

    from graders.fixtures_sentiment import build_sentiment
    from graders.profile import fixture_path

    build_sentiment(tmp_path)
    cached = fixture_path("sentiment")
    for split in ("train", "test"):
        assert (tmp_path / f"{split}.jsonl").read_bytes() == (cached / f"{split}.jsonl").read_bytes()
        labels = [json.loads(line)["label"] for line in open(tmp_path / f"{split}.jsonl")]
        assert sum(labels) * 2 == len(labels)
