"""5_3_fine_tuning_bert_classfication: implementations written from the release notebook alone (independently written; the
author saw neither source/, solutions/ nor graders/). The correct ones differ in how they call the encoder (keywords and
.pooler_output, positional with return_dict, a tuple with return_dict=False), in the order of the head's initialisation,
in how they freeze (parameter loops, requires_grad_ on modules, a regex over names), in how they reach peft
(get_peft_model with a list, with a full-match regex and explicit defaults, inject_adapter_in_model) and in how evaluate
accumulates (Python sums, concatenation then one float64 loss, log_softmax + gather with per-module mode restore)."""

ASSIGNMENT = "5_3_fine_tuning_bert_classfication"

# --------------------------------------------------------------------------------------------------
# BertClassifier
# --------------------------------------------------------------------------------------------------

_CLF_KEYWORDS = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        p = bert.config.hidden_dropout_prob if dropout is None else dropout
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.classifier(self.dropout(outputs.pooler_output))
'''

_CLF_POSITIONAL = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        config = bert.config
        head = nn.Linear(config.hidden_size, num_classes)
        with torch.no_grad():
            head.bias.zero_()
        nn.init.xavier_uniform_(head.weight)
        self.bert = bert
        self.dropout = nn.Dropout(p=config.hidden_dropout_prob if dropout is None else float(dropout))
        self.classifier = head

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        pooled = self.bert(input_ids, attention_mask, token_type_ids, return_dict=True)["pooler_output"]
        pooled = self.dropout(pooled)
        return self.classifier(pooled)
'''

_CLF_TUPLE = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        if dropout is None:
            dropout = getattr(bert.config, "hidden_dropout_prob")
        hidden_size = bert.config.hidden_size
        self.classifier = nn.Linear(in_features=hidden_size, out_features=num_classes, bias=True)
        nn.init.xavier_uniform_(self.classifier.weight, gain=1.0)
        nn.init.constant_(self.classifier.bias, 0.0)
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        inputs = {"input_ids": input_ids}
        if attention_mask is not None:
            inputs["attention_mask"] = attention_mask
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids
        sequence_output, pooled_output = self.bert(**inputs, return_dict=False)[:2]
        return self.classifier(self.dropout(pooled_output))
'''

# --- wrong BertClassifier ---

_CLF_DROPOUT_OR = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        p = dropout or bert.config.hidden_dropout_prob
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.classifier(self.dropout(outputs.pooler_output))
'''

_CLF_CLS_TOKEN = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        p = bert.config.hidden_dropout_prob if dropout is None else dropout
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.classifier(self.dropout(outputs.last_hidden_state[:, 0]))
'''

_CLF_NO_TOKEN_TYPES = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        config = bert.config
        head = nn.Linear(config.hidden_size, num_classes)
        with torch.no_grad():
            head.bias.zero_()
        nn.init.xavier_uniform_(head.weight)
        self.bert = bert
        self.dropout = nn.Dropout(p=config.hidden_dropout_prob if dropout is None else float(dropout))
        self.classifier = head

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        pooled = self.bert(input_ids, attention_mask, return_dict=True)["pooler_output"]
        pooled = self.dropout(pooled)
        return self.classifier(pooled)
'''

_CLF_DEFAULT_INIT = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        if dropout is None:
            dropout = getattr(bert.config, "hidden_dropout_prob")
        hidden_size = bert.config.hidden_size
        self.classifier = nn.Linear(in_features=hidden_size, out_features=num_classes, bias=True)
        nn.init.constant_(self.classifier.bias, 0.0)
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        inputs = {"input_ids": input_ids}
        if attention_mask is not None:
            inputs["attention_mask"] = attention_mask
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids
        sequence_output, pooled_output = self.bert(**inputs, return_dict=False)[:2]
        return self.classifier(self.dropout(pooled_output))
'''

_CLF_DEEPCOPY = '''
import copy


class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = copy.deepcopy(bert)
        p = bert.config.hidden_dropout_prob if dropout is None else dropout
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.classifier(self.dropout(outputs.pooler_output))
'''

_CLF_NO_DROPOUT_APPLIED = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        p = bert.config.hidden_dropout_prob if dropout is None else dropout
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.classifier(outputs.pooler_output)
'''

_CLF_NO_MASK = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        p = bert.config.hidden_dropout_prob if dropout is None else dropout
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        outputs = self.bert(input_ids=input_ids, token_type_ids=token_type_ids)
        return self.classifier(self.dropout(outputs.pooler_output))
'''

_CLF_NO_GRAD_ENCODER = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        p = bert.config.hidden_dropout_prob if dropout is None else dropout
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        with torch.no_grad():
            outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.classifier(self.dropout(outputs.pooler_output))
'''

_CLF_SOFTMAX = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        p = bert.config.hidden_dropout_prob if dropout is None else dropout
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return torch.softmax(self.classifier(self.dropout(outputs.pooler_output)), dim=-1)
'''

_CLF_KEEP_PROB = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        self.bert = bert
        keep = 1.0 - bert.config.hidden_dropout_prob if dropout is None else dropout
        self.dropout = nn.Dropout(keep)
        self.classifier = nn.Linear(bert.config.hidden_size, num_classes)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return self.classifier(self.dropout(outputs.pooler_output))
'''

_CLF_ZERO_WEIGHT = '''
class BertClassifier(nn.Module):
    """A BERT encoder with a dropout and a linear head on its pooled output."""

    def __init__(self, bert: nn.Module, num_classes: int, dropout: float | None = None):
        super().__init__()
        config = bert.config
        head = nn.Linear(config.hidden_size, num_classes)
        with torch.no_grad():
            head.bias.zero_()
            head.weight.zero_()
        self.bert = bert
        self.dropout = nn.Dropout(p=config.hidden_dropout_prob if dropout is None else float(dropout))
        self.classifier = head

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        pooled = self.bert(input_ids, attention_mask, token_type_ids, return_dict=True)["pooler_output"]
        pooled = self.dropout(pooled)
        return self.classifier(pooled)
'''

# --------------------------------------------------------------------------------------------------
# freeze_embeddings_and_attention
# --------------------------------------------------------------------------------------------------

_FREEZE_LOOPS = '''
def freeze_embeddings_and_attention(model: BertClassifier) -> None:
    """Freeze the embeddings and the attention block of every encoder layer, in place."""
    for p in model.bert.embeddings.parameters():
        p.requires_grad = False
    for layer in model.bert.encoder.layer:
        for p in layer.attention.parameters():
            p.requires_grad = False
'''

_FREEZE_MODULES = '''
def freeze_embeddings_and_attention(model: BertClassifier) -> None:
    """Freeze the embeddings and the attention block of every encoder layer, in place."""
    encoder = model.bert
    to_freeze = [encoder.embeddings] + [layer.attention for layer in encoder.encoder.layer]
    for module in to_freeze:
        module.requires_grad_(False)
'''

_FREEZE_REGEX = '''
import re

_FROZEN_NAME = re.compile(r"(embeddings|encoder\\.layer\\.\\d+\\.attention)\\.")


def freeze_embeddings_and_attention(model: BertClassifier) -> None:
    """Freeze the embeddings and the attention block of every encoder layer, in place."""
    for name, p in model.bert.named_parameters():
        if _FROZEN_NAME.match(name):
            p.requires_grad_(False)
'''

# --- wrong freeze ---

_FREEZE_WHOLE_LAYERS = '''
def freeze_embeddings_and_attention(model: BertClassifier) -> None:
    """Freeze the embeddings and the attention block of every encoder layer, in place."""
    for p in model.bert.embeddings.parameters():
        p.requires_grad = False
    for layer in model.bert.encoder.layer:
        for p in layer.parameters():
            p.requires_grad = False
'''

_FREEZE_SELF_ONLY = '''
def freeze_embeddings_and_attention(model: BertClassifier) -> None:
    """Freeze the embeddings and the attention block of every encoder layer, in place."""
    encoder = model.bert
    to_freeze = [encoder.embeddings] + [layer.attention.self for layer in encoder.encoder.layer]
    for module in to_freeze:
        module.requires_grad_(False)
'''

_FREEZE_NO_EMBEDDINGS = '''
def freeze_embeddings_and_attention(model: BertClassifier) -> None:
    """Freeze the embeddings and the attention block of every encoder layer, in place."""
    for layer in model.bert.encoder.layer:
        for p in layer.attention.parameters():
            p.requires_grad = False
'''

_FREEZE_WORD_EMBEDDINGS_ONLY = '''
import re

_FROZEN_NAME = re.compile(r"(embeddings\\.word_embeddings|encoder\\.layer\\.\\d+\\.attention)\\.")


def freeze_embeddings_and_attention(model: BertClassifier) -> None:
    """Freeze the embeddings and the attention block of every encoder layer, in place."""
    for name, p in model.bert.named_parameters():
        if _FROZEN_NAME.match(name):
            p.requires_grad_(False)
'''

_FREEZE_EVERYTHING = '''
def freeze_embeddings_and_attention(model: BertClassifier) -> None:
    """Freeze the embeddings and the attention block of every encoder layer, in place."""
    for p in model.parameters():
        p.requires_grad = False
    for layer in model.bert.encoder.layer:
        for p in list(layer.intermediate.parameters()) + list(layer.output.parameters()):
            p.requires_grad = True
'''

# --------------------------------------------------------------------------------------------------
# apply_lora
# --------------------------------------------------------------------------------------------------

_LORA_LIST = '''
def apply_lora(model: BertClassifier, r: int = 8, alpha: int = 16,
               target_modules: tuple[str, ...] = ("query", "value")) -> nn.Module:
    """Add LoRA adapters (rank r, scale alpha / r) to the named projections of model.bert; return the model."""
    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=list(target_modules))
    model.bert = get_peft_model(model.bert, config)
    return model
'''

_LORA_REGEX = '''
import re


def apply_lora(model: BertClassifier, r: int = 8, alpha: int = 16,
               target_modules: tuple[str, ...] = ("query", "value")) -> nn.Module:
    """Add LoRA adapters (rank r, scale alpha / r) to the named projections of model.bert; return the model."""
    names = [target_modules] if isinstance(target_modules, str) else list(target_modules)
    pattern = r"(?:.*\\.)?(?:" + "|".join(re.escape(n) for n in names) + r")"
    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=pattern, lora_dropout=0.05,
                        bias="none", use_rslora=False)
    wrapped = get_peft_model(model.bert, config)
    model.bert = wrapped
    for p in model.classifier.parameters():
        p.requires_grad = True
    return model
'''

_LORA_INJECT = '''
from peft import inject_adapter_in_model


def apply_lora(model: BertClassifier, r: int = 8, alpha: int = 16,
               target_modules: tuple[str, ...] = ("query", "value")) -> nn.Module:
    """Add LoRA adapters (rank r, scale alpha / r) to the named projections of model.bert; return the model."""
    config = LoraConfig(r=int(r), lora_alpha=alpha, target_modules=sorted(set(target_modules)), lora_dropout=0.0)
    model.bert = inject_adapter_in_model(config, model.bert)
    for name, p in model.bert.named_parameters():
        if "lora_" not in name:
            p.requires_grad_(False)
    return model
'''

# --- wrong apply_lora ---

_LORA_ALPHA_IS_SCALE = '''
def apply_lora(model: BertClassifier, r: int = 8, alpha: int = 16,
               target_modules: tuple[str, ...] = ("query", "value")) -> nn.Module:
    """Add LoRA adapters (rank r, scale alpha / r) to the named projections of model.bert; return the model."""
    config = LoraConfig(r=r, lora_alpha=alpha / r, target_modules=list(target_modules))
    model.bert = get_peft_model(model.bert, config)
    return model
'''

_LORA_RSLORA = '''
def apply_lora(model: BertClassifier, r: int = 8, alpha: int = 16,
               target_modules: tuple[str, ...] = ("query", "value")) -> nn.Module:
    """Add LoRA adapters (rank r, scale alpha / r) to the named projections of model.bert; return the model."""
    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=list(target_modules), use_rslora=True)
    model.bert = get_peft_model(model.bert, config)
    return model
'''

_LORA_HARDCODED_TARGETS = '''
def apply_lora(model: BertClassifier, r: int = 8, alpha: int = 16,
               target_modules: tuple[str, ...] = ("query", "value")) -> nn.Module:
    """Add LoRA adapters (rank r, scale alpha / r) to the named projections of model.bert; return the model."""
    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=["query", "value"])
    model.bert = get_peft_model(model.bert, config)
    return model
'''

_LORA_BIAS_ALL = '''
def apply_lora(model: BertClassifier, r: int = 8, alpha: int = 16,
               target_modules: tuple[str, ...] = ("query", "value")) -> nn.Module:
    """Add LoRA adapters (rank r, scale alpha / r) to the named projections of model.bert; return the model."""
    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=list(target_modules), bias="all")
    model.bert = get_peft_model(model.bert, config)
    return model
'''

_LORA_WHOLE_MODEL = '''
def apply_lora(model: BertClassifier, r: int = 8, alpha: int = 16,
               target_modules: tuple[str, ...] = ("query", "value")) -> nn.Module:
    """Add LoRA adapters (rank r, scale alpha / r) to the named projections of model.bert; return the model."""
    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=list(target_modules))
    return get_peft_model(model, config)
'''

_LORA_RETURNS_ENCODER = '''
def apply_lora(model: BertClassifier, r: int = 8, alpha: int = 16,
               target_modules: tuple[str, ...] = ("query", "value")) -> nn.Module:
    """Add LoRA adapters (rank r, scale alpha / r) to the named projections of model.bert; return the model."""
    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=list(target_modules))
    model.bert = get_peft_model(model.bert, config)
    return model.bert
'''

# --------------------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------------------

_EVAL_SUMS = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    was_training = model.training
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    try:
        with torch.no_grad():
            for batch in dataloader:
                input_ids = batch["input_ids"].to(device)
                attention_mask = batch["attention_mask"].to(device)
                labels = batch["labels"].to(device)
                logits = model(input_ids, attention_mask=attention_mask)
                total_loss += F.cross_entropy(logits.float(), labels, reduction="sum").item()
                correct += (logits.argmax(dim=-1) == labels).sum().item()
                count += labels.numel()
    finally:
        model.train(was_training)
    return {"loss": total_loss / count, "accuracy": correct / count}
'''

_EVAL_CONCAT = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    mode = model.training
    model.train(False)
    all_logits, all_labels = [], []
    with torch.no_grad():
        for batch in dataloader:
            logits = model(batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device))
            all_logits.append(logits.detach().double().cpu())
            all_labels.append(batch["labels"].reshape(-1).cpu())
    if mode:
        model.train()
    logits = torch.cat(all_logits)
    labels = torch.cat(all_labels).long()
    loss = F.cross_entropy(logits, labels)
    accuracy = (torch.argmax(logits, dim=1) == labels).double().mean()
    return {"loss": float(loss), "accuracy": float(accuracy)}
'''

_EVAL_GATHER = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    loss_sum = torch.zeros((), dtype=torch.float64)
    hits = torch.zeros((), dtype=torch.long)
    seen = 0
    with torch.inference_mode():
        for batch in dataloader:
            batch = {k: v.to(device) for k, v in batch.items()}
            logits = model(batch["input_ids"], attention_mask=batch["attention_mask"]).float()
            labels = batch["labels"]
            log_probs = torch.log_softmax(logits, dim=-1)
            picked = log_probs.gather(1, labels.view(-1, 1)).squeeze(1)
            loss_sum -= picked.double().sum().cpu()
            hits += torch.eq(torch.max(logits, dim=1).indices, labels).sum().cpu()
            seen += int(labels.shape[0])
    for module, was_training in modes:
        module.training = was_training
    return {"loss": loss_sum.item() / seen, "accuracy": hits.item() / seen}
'''

# --- wrong evaluate ---

_EVAL_BATCH_MEAN_LOSS = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    was_training = model.training
    model.eval()
    losses, correct, count = [], 0, 0
    try:
        with torch.no_grad():
            for batch in dataloader:
                input_ids = batch["input_ids"].to(device)
                attention_mask = batch["attention_mask"].to(device)
                labels = batch["labels"].to(device)
                logits = model(input_ids, attention_mask=attention_mask)
                losses.append(F.cross_entropy(logits.float(), labels).item())
                correct += (logits.argmax(dim=-1) == labels).sum().item()
                count += labels.numel()
    finally:
        model.train(was_training)
    return {"loss": sum(losses) / len(losses), "accuracy": correct / count}
'''

_EVAL_BATCH_MEAN_ACCURACY = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    was_training = model.training
    model.eval()
    total_loss, accuracies, count = 0.0, [], 0
    try:
        with torch.no_grad():
            for batch in dataloader:
                input_ids = batch["input_ids"].to(device)
                attention_mask = batch["attention_mask"].to(device)
                labels = batch["labels"].to(device)
                logits = model(input_ids, attention_mask=attention_mask)
                total_loss += F.cross_entropy(logits.float(), labels, reduction="sum").item()
                accuracies.append((logits.argmax(dim=-1) == labels).float().mean().item())
                count += labels.numel()
    finally:
        model.train(was_training)
    return {"loss": total_loss / count, "accuracy": sum(accuracies) / len(accuracies)}
'''

_EVAL_NO_RESTORE = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    model.train(False)
    all_logits, all_labels = [], []
    with torch.no_grad():
        for batch in dataloader:
            logits = model(batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device))
            all_logits.append(logits.detach().double().cpu())
            all_labels.append(batch["labels"].reshape(-1).cpu())
    logits = torch.cat(all_logits)
    labels = torch.cat(all_labels).long()
    loss = F.cross_entropy(logits, labels)
    accuracy = (torch.argmax(logits, dim=1) == labels).double().mean()
    return {"loss": float(loss), "accuracy": float(accuracy)}
'''

_EVAL_ALWAYS_TRAIN = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    try:
        with torch.no_grad():
            for batch in dataloader:
                input_ids = batch["input_ids"].to(device)
                attention_mask = batch["attention_mask"].to(device)
                labels = batch["labels"].to(device)
                logits = model(input_ids, attention_mask=attention_mask)
                total_loss += F.cross_entropy(logits.float(), labels, reduction="sum").item()
                correct += (logits.argmax(dim=-1) == labels).sum().item()
                count += labels.numel()
    finally:
        model.train()
    return {"loss": total_loss / count, "accuracy": correct / count}
'''

_EVAL_NO_EVAL_MODE = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    loss_sum = torch.zeros((), dtype=torch.float64)
    hits = torch.zeros((), dtype=torch.long)
    seen = 0
    with torch.inference_mode():
        for batch in dataloader:
            batch = {k: v.to(device) for k, v in batch.items()}
            logits = model(batch["input_ids"], attention_mask=batch["attention_mask"]).float()
            labels = batch["labels"]
            log_probs = torch.log_softmax(logits, dim=-1)
            picked = log_probs.gather(1, labels.view(-1, 1)).squeeze(1)
            loss_sum -= picked.double().sum().cpu()
            hits += torch.eq(torch.max(logits, dim=1).indices, labels).sum().cpu()
            seen += int(labels.shape[0])
    return {"loss": loss_sum.item() / seen, "accuracy": hits.item() / seen}
'''

_EVAL_FIRST_BATCH = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            batch = next(iter(dataloader))
            labels = batch["labels"].to(device)
            logits = model(batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device))
            loss = F.cross_entropy(logits.float(), labels).item()
            accuracy = (logits.argmax(dim=-1) == labels).float().mean().item()
    finally:
        model.train(was_training)
    return {"loss": loss, "accuracy": accuracy}
'''

_EVAL_TENSORS = '''
def evaluate(model: nn.Module, dataloader, device) -> dict:
    """Mean cross-entropy per example and accuracy of model over every batch of dataloader."""
    was_training = model.training
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    try:
        with torch.no_grad():
            for batch in dataloader:
                input_ids = batch["input_ids"].to(device)
                attention_mask = batch["attention_mask"].to(device)
                labels = batch["labels"].to(device)
                logits = model(input_ids, attention_mask=attention_mask)
                total_loss = total_loss + F.cross_entropy(logits.float(), labels, reduction="sum")
                correct = correct + (logits.argmax(dim=-1) == labels).sum()
                count += labels.numel()
    finally:
        model.train(was_training)
    return {"loss": total_loss / count, "accuracy": correct / count}
'''


_BASE_A = {"BertClassifier": _CLF_KEYWORDS, "freeze_embeddings_and_attention": _FREEZE_LOOPS,
           "apply_lora": _LORA_LIST, "evaluate": _EVAL_SUMS}

#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    "keywords_loops_list_sums": _BASE_A,
    "positional_modules_regex_concat": {
        "BertClassifier": _CLF_POSITIONAL,
        "freeze_embeddings_and_attention": _FREEZE_MODULES,
        "apply_lora": _LORA_REGEX,
        "evaluate": _EVAL_CONCAT,
    },
    "tuple_regex_inject_gather": {
        "BertClassifier": _CLF_TUPLE,
        "freeze_embeddings_and_attention": _FREEZE_REGEX,
        "apply_lora": _LORA_INJECT,
        "evaluate": _EVAL_GATHER,
    },
}

#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    # --- BertClassifier ---
    "clf_dropout_or": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_DROPOUT_OR},
        "loses": ["test_BertClassifier"],
        "bug": "dropout or hidden_dropout_prob: an explicit dropout=0.0 is replaced by the encoder's probability",
    },
    "clf_cls_token": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_CLS_TOKEN},
        "loses": ["test_BertClassifier"],
        "bug": "classifies last_hidden_state[:, 0] (the raw [CLS] vector) instead of pooler_output",
    },
    "clf_no_token_types": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_NO_TOKEN_TYPES},
        "loses": ["test_BertClassifier"],
        "bug": "forward drops token_type_ids instead of passing them to the encoder",
    },
    "clf_default_init": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_DEFAULT_INIT},
        "loses": ["test_BertClassifier"],
        "bug": "keeps nn.Linear's default (Kaiming) weight init instead of xavier_uniform_",
    },
    "clf_deepcopy": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_DEEPCOPY},
        "loses": ["test_BertClassifier"],
        "bug": "stores a deep copy of the encoder instead of the one it is given",
    },
    "clf_no_dropout_applied": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_NO_DROPOUT_APPLIED},
        "loses": ["test_BertClassifier"],
        "bug": "forward skips self.dropout (logits differ in training mode)",
    },
    "clf_no_attention_mask": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_NO_MASK},
        "loses": ["test_BertClassifier"],
        "bug": "forward does not pass attention_mask to the encoder, so padding is attended to",
    },
    # --- freeze_embeddings_and_attention ---
    "freeze_whole_layers": {
        "cells": {**_BASE_A, "freeze_embeddings_and_attention": _FREEZE_WHOLE_LAYERS},
        "loses": ["test_freeze_embeddings_and_attention"],
        "bug": "freezes every encoder layer entirely, feed-forward parts included",
    },
    "freeze_self_attention_only": {
        "cells": {**_BASE_A, "freeze_embeddings_and_attention": _FREEZE_SELF_ONLY},
        "loses": ["test_freeze_embeddings_and_attention"],
        "bug": "freezes layer.attention.self only, leaving the attention output projection and its LayerNorm trainable",
    },
    "freeze_no_embeddings": {
        "cells": {**_BASE_A, "freeze_embeddings_and_attention": _FREEZE_NO_EMBEDDINGS},
        "loses": ["test_freeze_embeddings_and_attention"],
        "bug": "forgets to freeze the embeddings",
    },
    "freeze_word_embeddings_only": {
        "cells": {**_BASE_A, "freeze_embeddings_and_attention": _FREEZE_WORD_EMBEDDINGS_ONLY},
        "loses": ["test_freeze_embeddings_and_attention"],
        "bug": "freezes only the word embeddings, not position/segment embeddings and the embedding LayerNorm",
    },
    "freeze_everything_but_ffn": {
        "cells": {**_BASE_A, "freeze_embeddings_and_attention": _FREEZE_EVERYTHING},
        "loses": ["test_freeze_embeddings_and_attention"],
        "bug": "freezes the whole model and re-enables only the feed-forward parts (pooler and head frozen)",
    },
    # --- apply_lora ---
    "lora_alpha_is_scale": {
        "cells": {**_BASE_A, "apply_lora": _LORA_ALPHA_IS_SCALE},
        "loses": ["test_apply_lora"],
        "bug": "passes lora_alpha=alpha / r, so the scale is alpha / r**2",
    },
    "lora_rslora": {
        "cells": {**_BASE_A, "apply_lora": _LORA_RSLORA},
        "loses": ["test_apply_lora"],
        "bug": "use_rslora=True: the scale is alpha / sqrt(r), not alpha / r",
    },
    "lora_hardcoded_targets": {
        "cells": {**_BASE_A, "apply_lora": _LORA_HARDCODED_TARGETS},
        "loses": ["test_apply_lora"],
        "bug": "ignores target_modules and always adapts query and value",
    },
    "lora_bias_all": {
        "cells": {**_BASE_A, "apply_lora": _LORA_BIAS_ALL},
        "loses": ["test_apply_lora"],
        "bug": "bias='all' makes every bias of the encoder trainable",
    },
    "lora_whole_model": {
        "cells": {**_BASE_A, "apply_lora": _LORA_WHOLE_MODEL},
        "loses": ["test_apply_lora"],
        "bug": "wraps the whole classifier with get_peft_model: the head gets frozen and a PeftModel is returned",
    },
    "lora_returns_encoder": {
        "cells": {**_BASE_A, "apply_lora": _LORA_RETURNS_ENCODER},
        "loses": ["test_apply_lora", "test_training"],
        "bug": "returns model.bert (the PeftModel) instead of the classifier, so calling it gives no logits",
    },
    # --- evaluate ---
    "eval_batch_mean_loss": {
        "cells": {**_BASE_A, "evaluate": _EVAL_BATCH_MEAN_LOSS},
        "loses": ["test_evaluate"],
        "bug": "averages the per-batch mean losses, giving the short last batch too much weight",
    },
    "eval_batch_mean_accuracy": {
        "cells": {**_BASE_A, "evaluate": _EVAL_BATCH_MEAN_ACCURACY},
        "loses": ["test_evaluate"],
        "bug": "averages the per-batch accuracies instead of counting correct examples",
    },
    "eval_no_restore": {
        "cells": {**_BASE_A, "evaluate": _EVAL_NO_RESTORE},
        "loses": ["test_evaluate"],
        "bug": "leaves the model in eval mode",
    },
    "eval_always_train": {
        "cells": {**_BASE_A, "evaluate": _EVAL_ALWAYS_TRAIN},
        "loses": ["test_evaluate"],
        "bug": "puts the model back with model.train() even when it came in eval mode",
    },
    "eval_no_eval_mode": {
        "cells": {**_BASE_A, "evaluate": _EVAL_NO_EVAL_MODE},
        "loses": ["test_evaluate"],
        "bug": "never switches to eval mode, so dropout is active while evaluating",
    },
    "eval_first_batch": {
        "cells": {**_BASE_A, "evaluate": _EVAL_FIRST_BATCH},
        "loses": ["test_evaluate"],
        "bug": "evaluates the first batch only (the original notebook's bug)",
    },
    "eval_returns_tensors": {
        "cells": {**_BASE_A, "evaluate": _EVAL_TENSORS},
        "loses": ["test_evaluate"],
        "bug": "returns 0-d tensors instead of Python floats",
    },
    # --- training (Section 5) ---
    "clf_softmax": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_SOFTMAX},
        "loses": ["test_BertClassifier"],
        "bug": "forward returns softmax probabilities instead of logits",
    },
    "clf_keep_prob": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_KEEP_PROB},
        "loses": ["test_BertClassifier", "test_training"],
        "bug": "dropout=None uses 1 - hidden_dropout_prob (a keep probability): offline that is p = 1, every pooled vector dropped",
    },
    "clf_zero_weight": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_ZERO_WEIGHT},
        "loses": ["test_BertClassifier"],
        "bug": "initialises the head's weight to zeros as well as its bias, instead of Xavier-uniform",
    },
    "clf_no_grad_encoder": {
        "cells": {**_BASE_A, "BertClassifier": _CLF_NO_GRAD_ENCODER},
        "loses": ["test_training"],
        "bug": "runs the encoder under torch.no_grad(), so only the head ever trains",
    },
}
