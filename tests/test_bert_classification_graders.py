"""The hidden checks of 5_3 against implementations: the reference and correct variants get full
marks, a stub gets nothing, and each wrong implementation loses the part it breaks.

Each wrong implementation is run only through the checks its entry names (the part it must lose and
the parts it must keep); the other parts take the reference, so that one run of each check suffices."""

import pytest
import torch
import torch.nn.functional as F

from graders import bert_classification as checks
from tests.implementations.bert_classification import CORRECT, WRONG
from tests.parts import assert_all_fail, run_checks

PARTS = ["check_bert_classifier", "check_freeze_embeddings_and_attention", "check_apply_lora", "check_evaluate"]


def run_part(part, fn):
    return run_checks({part: lambda: getattr(checks, part)(fn)})[part]


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert {p: run_part(p, fn) for p, fn in zip(PARTS, CORRECT[name])} == dict.fromkeys(PARTS)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    class Stub(torch.nn.Module):
        def __init__(self, *args, **kwargs):
            super().__init__()
            raise NotImplementedError()

    results = {p: run_part(p, fn) for p, fn in zip(PARTS, (Stub, stub, stub, stub))}
    assert_all_fail(results)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    impls, must_fail, must_pass = WRONG[name]
    by_part = dict(zip(PARTS, impls))
    message = run_part(must_fail, by_part[must_fail])
    assert message is not None, f"{name} was not caught by {must_fail}"
    for part in must_pass:
        if by_part[part] is not CORRECT["reference"][PARTS.index(part)]:
            assert run_part(part, by_part[part]) is None, f"{name} wrongly lost {part}"


def test_messages_are_actionable():
    impls = WRONG["lora_on_wrong_modules"][0]
    message = run_part("check_apply_lora", impls[2])
    assert "key" in message and "adapters" in message
    message = run_part("check_evaluate", WRONG["accuracy_over_first_batch_only"][0][3])
    assert "all" in message and "scikit-learn" in message and "EvalProblem(" in message


def test_training_check_rejects_an_untrained_model():
    """The accuracy bar is far above chance: a model that predicts one class fails it."""
    from graders.profile import fixture_path

    class Constant(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bias = torch.nn.Parameter(torch.tensor([1.0, 0.0]))

        def forward(self, input_ids, attention_mask=None):
            return self.bias.expand(len(input_ids), 2)

    import json

    rows = [json.loads(line) for line in open(fixture_path("sentiment") / "test.jsonl")]
    batches = [{"input_ids": torch.zeros(len(rows[i:i + 50]), 3, dtype=torch.long),
                "attention_mask": torch.ones(len(rows[i:i + 50]), 3, dtype=torch.long),
                "labels": torch.tensor([r["label"] for r in rows[i:i + 50]])} for i in range(0, len(rows), 50)]
    with pytest.raises(AssertionError, match="below"):
        checks.check_training({"constant": Constant()}, batches)


def test_training_check_evaluates_a_model_on_its_own_device():
    """Tensors reach the student's process on the CPU; the check moves each batch to the device of the
    model's parameters there (a GPU when the notebook trained on one; the meta device stands in here)."""

    class OnMeta(torch.nn.Module):
        def __init__(self, answers):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.empty(2, device="meta"))
            self.answers, self.devices = iter(answers), []

        def forward(self, input_ids, attention_mask=None):
            self.devices.append([(type(t).__name__, t.device.type) for t in (input_ids, attention_mask)])
            return next(self.answers)  # meta tensors hold no values: the right logits, batch by batch

    labels = [torch.tensor([0, 1, 1]), torch.tensor([1, 0])]
    batches = [{"input_ids": torch.zeros(len(y), 4, dtype=torch.long), "attention_mask": torch.ones(len(y), 4, dtype=torch.long),
                "labels": y} for y in labels]
    model = OnMeta([F.one_hot(y, 2).float() for y in labels])
    checks.check_training({"meta": model}, batches)
    assert model.devices == [[("Tensor", "meta")] * 2] * 2 and model.training
