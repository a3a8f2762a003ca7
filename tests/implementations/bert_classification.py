"""Implementations of 5_3's four pieces, as students might write them.

Each entry of CORRECT and WRONG is a 4-tuple (BertClassifier, freeze_embeddings_and_attention,
apply_lora, evaluate). WRONG also names the check that must catch it and the checks that must still
pass, so that a bug costs the points of the part it breaks and no others.
"""

import copy

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model, inject_adapter_in_model
from torch import nn

from solutions import bert_classification as reference

REF = (reference.BertClassifier, reference.freeze_embeddings_and_attention, reference.apply_lora, reference.evaluate)


# ------------------------------------------------------------------ correct, written differently

class TupleOutputClassifier(nn.Module):
    """Reads the pooled output as the encoder's second output; builds the head with torch.empty."""

    def __init__(self, bert, num_classes, dropout=None):
        super().__init__()
        self.bert = bert
        self.dropout = nn.Dropout(bert.config.hidden_dropout_prob if dropout is None else dropout)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        with torch.no_grad():
            self.classifier.weight.copy_(nn.init.xavier_uniform_(torch.empty(num_classes, bert.config.hidden_size)))
            self.classifier.bias.zero_()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        pooled = self.bert(input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids, return_dict=False)[1]
        return self.classifier(self.dropout(pooled))


def freeze_by_name(model):
    for name, p in model.named_parameters():
        if name.startswith("bert.embeddings") or ".attention." in name:
            p.requires_grad = False


def lora_whole_model(model, r=8, alpha=16, target_modules=("query", "value")):
    """Wraps the whole classifier; the head is trained through peft's modules_to_save."""
    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=0.1, target_modules=list(target_modules),
                        modules_to_save=["classifier"])
    return get_peft_model(model, config)


def lora_injected(model, r=8, alpha=16, target_modules=("query", "value")):
    """peft's low-level inject_adapter_in_model, then freezing by hand."""
    inject_adapter_in_model(LoraConfig(r=r, lora_alpha=alpha, target_modules=list(target_modules)), model.bert)
    for name, p in model.named_parameters():
        p.requires_grad = "lora_" in name or name.startswith("classifier.")
    return model


def evaluate_collect_all(model, dataloader, device):
    """Collects every logit and label, then computes both numbers once."""
    mode = model.training
    model.eval()
    logits, labels = [], []
    with torch.inference_mode():
        for batch in dataloader:
            batch = {k: v.to(device) for k, v in batch.items()}
            logits.append(model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).double())
            labels.append(batch["labels"])
    model.train(mode)
    logits, labels = torch.cat(logits), torch.cat(labels)
    return {"loss": F.cross_entropy(logits, labels).item(),
            "accuracy": (logits.argmax(-1) == labels).double().mean().item()}


CORRECT = {
    "reference": REF,
    "tuple_output_whole_model_lora": (TupleOutputClassifier, freeze_by_name, lora_whole_model, evaluate_collect_all),
    "injected_lora": (TupleOutputClassifier, freeze_by_name, lora_injected, evaluate_collect_all),
}


# ---------------------------------------------------------------------------------- wrong

class IgnoresItsBert(reference.BertClassifier):
    """The original's bug: builds its own encoder instead of using the one it is given."""

    def __init__(self, bert, num_classes, dropout=None):
        super().__init__(copy.deepcopy(bert), num_classes, dropout)


class DropoutNotApplied(reference.BertClassifier):
    """Builds the dropout but returns classifier(pooled): no dropout in training mode."""

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.classifier(out.pooler_output)


class DefaultInitHead(reference.BertClassifier):
    """Zeroes the bias but keeps nn.Linear's default weight (bound 1 / sqrt(fan_in)), not Xavier-uniform."""

    def __init__(self, bert, num_classes, dropout=None):
        super().__init__(bert, num_classes, dropout)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.zeros_(self.classifier.bias)


class HeadOnLastToken(reference.BertClassifier):
    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.classifier(self.dropout(out.last_hidden_state[:, -1]))


def freeze_only_self_attention(model):
    """Forgets the attention's output projection and LayerNorm."""
    for p in model.bert.embeddings.parameters():
        p.requires_grad = False
    for layer in model.bert.encoder.layer:
        for p in layer.attention.self.parameters():
            p.requires_grad = False


def lora_wrong_modules(model, r=8, alpha=16, target_modules=("query", "value")):
    """Always adapts the query and key projections, whatever it is asked."""
    return reference.apply_lora(model, r, alpha, ("query", "key"))


def lora_alpha_ignored(model, r=8, alpha=16, target_modules=("query", "value")):
    return reference.apply_lora(model, r, r, target_modules)


def lora_head_frozen(model, r=8, alpha=16, target_modules=("query", "value")):
    """peft on the whole classifier without modules_to_save: the new head is frozen too."""
    return get_peft_model(model, LoraConfig(r=r, lora_alpha=alpha, target_modules=list(target_modules)))


def evaluate_first_batch_only(model, dataloader, device):
    """The original's bug: accuracy and loss of the first batch."""
    was = model.training
    model.eval()
    batch = next(iter(dataloader))
    with torch.no_grad():
        logits = model(batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device))
    model.train(was)
    labels = batch["labels"].to(device)
    return {"loss": F.cross_entropy(logits, labels).item(), "accuracy": (logits.argmax(-1) == labels).float().mean().item()}


def evaluate_mean_of_batch_means(model, dataloader, device):
    was = model.training
    model.eval()
    losses, accuracies = [], []
    with torch.no_grad():
        for batch in dataloader:
            logits = model(batch["input_ids"], attention_mask=batch["attention_mask"])
            losses.append(F.cross_entropy(logits, batch["labels"]).item())
            accuracies.append((logits.argmax(-1) == batch["labels"]).float().mean().item())
    model.train(was)
    return {"loss": sum(losses) / len(losses), "accuracy": sum(accuracies) / len(accuracies)}


def evaluate_stays_in_eval(model, dataloader, device):
    result = reference.evaluate(model, dataloader, device)
    model.eval()
    return result


def evaluate_in_train_mode(model, dataloader, device):
    """Forgets model.eval(): dropout stays on."""
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for batch in dataloader:
            logits = model(batch["input_ids"], attention_mask=batch["attention_mask"])
            total += F.cross_entropy(logits, batch["labels"], reduction="sum").item()
            correct += (logits.argmax(-1) == batch["labels"]).sum().item()
            n += len(batch["labels"])
    return {"loss": total / n, "accuracy": correct / n}


HEAD, FREEZE, LORA, EVAL = ("check_bert_classifier", "check_freeze_embeddings_and_attention", "check_apply_lora",
                            "check_evaluate")
C, Z, L, E = REF


def _others(part):
    return tuple(p for p in (HEAD, FREEZE, LORA, EVAL) if p != part)


# name -> (4-tuple, the check that must fail, the checks that must still pass)
WRONG = {
    "classifier_ignores_its_bert": ((IgnoresItsBert, Z, L, E), HEAD, _others(HEAD)),
    "classifier_without_dropout": ((DropoutNotApplied, Z, L, E), HEAD, _others(HEAD)),
    "classifier_default_init": ((DefaultInitHead, Z, L, E), HEAD, _others(HEAD)),
    "classifier_on_last_token": ((HeadOnLastToken, Z, L, E), HEAD, _others(HEAD)),
    "freeze_forgets_attention_output": ((C, freeze_only_self_attention, L, E), FREEZE, _others(FREEZE)),
    "lora_on_wrong_modules": ((C, Z, lora_wrong_modules, E), LORA, _others(LORA)),
    "lora_ignores_alpha": ((C, Z, lora_alpha_ignored, E), LORA, _others(LORA)),
    "lora_freezes_the_head": ((C, Z, lora_head_frozen, E), LORA, _others(LORA)),
    "accuracy_over_first_batch_only": ((C, Z, L, evaluate_first_batch_only), EVAL, _others(EVAL)),
    "evaluate_mean_of_batch_means": ((C, Z, L, evaluate_mean_of_batch_means), EVAL, _others(EVAL)),
    "evaluate_leaves_eval_mode": ((C, Z, L, evaluate_stays_in_eval), EVAL, _others(EVAL)),
    "evaluate_with_dropout_on": ((C, Z, L, evaluate_in_train_mode), EVAL, _others(EVAL)),
}
