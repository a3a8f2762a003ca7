r"""7_2_evaluation_quantitative_HellaSwag: implementations written from the release notebook alone (independently
written; the author saw neither source/, solutions/ nor graders/). The correct ones differ in how the cleaning is
written (str methods + re.sub, a compiled pattern, re.split/join), how the request is assembled, how continuations are
scored (one by one in float32, as a right-padded batch with an attention mask, one by one in float64 with gather)
and how the best ending is picked (max with a key, torch.argmax, numpy.argmax)."""

ASSIGNMENT = "7_2_evaluation_quantitative_HellaSwag"

# --------------------------------------------------------------------------------------------------- preprocess
_PRE_PLAIN = r'''
def preprocess(text: str) -> str:
    """lm-evaluation-harness's HellaSwag cleaning: strip, " [title]" -> ". ", drop [..], "  " -> " " once."""
    text = text.strip()
    text = text.replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    text = text.replace("  ", " ")
    return text
'''

_PRE_COMPILED = r'''
_TITLE = re.compile(r" \[title\]")
_BRACKETED = re.compile(r"\[.*?\]")


def preprocess(text: str) -> str:
    """lm-evaluation-harness's HellaSwag cleaning: strip, " [title]" -> ". ", drop [..], "  " -> " " once."""
    return _BRACKETED.sub("", _TITLE.sub(". ", text.strip())).replace("  ", " ")
'''

_PRE_SPLIT = r'''
def preprocess(text: str) -> str:
    """lm-evaluation-harness's HellaSwag cleaning: strip, " [title]" -> ". ", drop [..], "  " -> " " once."""
    steps = [
        str.strip,
        lambda t: ". ".join(t.split(" [title]")),
        lambda t: "".join(re.split(r"\[.*?\]", t)),
        lambda t: re.sub(" {2}", " ", t),
    ]
    for step in steps:
        text = step(text)
    return text
'''

# wrong: greedy bracket pattern
_PRE_GREEDY = r'''
def preprocess(text: str) -> str:
    """lm-evaluation-harness's HellaSwag cleaning: strip, " [title]" -> ". ", drop [..], "  " -> " " once."""
    text = text.strip()
    text = text.replace(" [title]", ". ")
    text = re.sub(r"\[.*\]", "", text)
    text = text.replace("  ", " ")
    return text
'''

# wrong: strip done last
_PRE_STRIP_LAST = r'''
def preprocess(text: str) -> str:
    """lm-evaluation-harness's HellaSwag cleaning: strip, " [title]" -> ". ", drop [..], "  " -> " " once."""
    text = text.replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    text = text.replace("  ", " ")
    return text.strip()
'''

# wrong: double spaces collapsed until none is left
_PRE_COLLAPSE_ALL = r'''
def preprocess(text: str) -> str:
    """lm-evaluation-harness's HellaSwag cleaning: strip, " [title]" -> ". ", drop [..], "  " -> " " once."""
    text = text.strip()
    text = text.replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    while "  " in text:
        text = text.replace("  ", " ")
    return text
'''

# wrong: "[title]" replaced without its leading space
_PRE_TITLE_NO_SPACE = r'''
def preprocess(text: str) -> str:
    """lm-evaluation-harness's HellaSwag cleaning: strip, " [title]" -> ". ", drop [..], "  " -> " " once."""
    text = text.strip()
    text = text.replace("[title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    text = text.replace("  ", " ")
    return text
'''

# ------------------------------------------------------------------------------------------------ build_request
_REQ_FSTRING = r'''
def build_request(example: dict) -> tuple[str, list[str]]:
    """The harness's context and the continuations " " + preprocess(ending) of one HellaSwag item."""
    raw = f"{example['activity_label']}: {example['ctx_a']} {example['ctx_b'].capitalize()}"
    return preprocess(raw), [" " + preprocess(ending) for ending in example["endings"]]
'''

_REQ_LOOP = r'''
def build_request(example: dict) -> tuple[str, list[str]]:
    """The harness's context and the continuations " " + preprocess(ending) of one HellaSwag item."""
    context = preprocess(example["activity_label"] + ": " + example["ctx_a"] + " " + example["ctx_b"].capitalize())
    continuations = []
    for ending in example["endings"]:
        continuations.append(" " + preprocess(ending))
    return context, continuations
'''

_REQ_JOIN = r'''
def build_request(example: dict) -> tuple[str, list[str]]:
    """The harness's context and the continuations " " + preprocess(ending) of one HellaSwag item."""
    label, ctx_a, ctx_b = (example[k] for k in ("activity_label", "ctx_a", "ctx_b"))
    context = preprocess(" ".join([label + ":", ctx_a, ctx_b.capitalize()]))
    continuations = list(map(lambda ending: " {}".format(preprocess(ending)), example["endings"]))
    return context, continuations
'''

# wrong: ctx_b is not capitalised
_REQ_NO_CAPITALIZE = r'''
def build_request(example: dict) -> tuple[str, list[str]]:
    """The harness's context and the continuations " " + preprocess(ending) of one HellaSwag item."""
    raw = f"{example['activity_label']}: {example['ctx_a']} {example['ctx_b']}"
    return preprocess(raw), [" " + preprocess(ending) for ending in example["endings"]]
'''

# wrong: only the first character is upper-cased (the rest is kept)
_REQ_FIRST_UPPER = r'''
def build_request(example: dict) -> tuple[str, list[str]]:
    """The harness's context and the continuations " " + preprocess(ending) of one HellaSwag item."""
    ctx_b = example["ctx_b"]
    ctx_b = ctx_b[:1].upper() + ctx_b[1:]
    context = preprocess(example["activity_label"] + ": " + example["ctx_a"] + " " + ctx_b)
    continuations = []
    for ending in example["endings"]:
        continuations.append(" " + preprocess(ending))
    return context, continuations
'''

# wrong: the continuations lose their leading space
_REQ_NO_SPACE = r'''
def build_request(example: dict) -> tuple[str, list[str]]:
    """The harness's context and the continuations " " + preprocess(ending) of one HellaSwag item."""
    raw = f"{example['activity_label']}: {example['ctx_a']} {example['ctx_b'].capitalize()}"
    return preprocess(raw), [preprocess(" " + ending) for ending in example["endings"]]
'''

# wrong: each part is cleaned on its own and then joined
_REQ_PARTS = r'''
def build_request(example: dict) -> tuple[str, list[str]]:
    """The harness's context and the continuations " " + preprocess(ending) of one HellaSwag item."""
    context = (preprocess(example["activity_label"]) + ": " + preprocess(example["ctx_a"]) + " "
               + preprocess(example["ctx_b"]).capitalize())
    continuations = []
    for ending in example["endings"]:
        continuations.append(" " + preprocess(ending))
    return context, continuations
'''

# ------------------------------------------------------------------------------------------- continuation_logprobs
_LP_ONE_BY_ONE = r'''
def continuation_logprobs(model, tokenizer, context: str, continuations: list[str]) -> list[float]:
    """Summed log-probability of each continuation's tokens after `context` (context tokens not scored)."""
    n_context = len(tokenizer(context, add_special_tokens=False)["input_ids"])
    if n_context == 0:
        raise ValueError("the context has no tokens: nothing predicts the first continuation token")
    scores = []
    with torch.no_grad():
        for continuation in continuations:
            whole = tokenizer(context + continuation, add_special_tokens=False)["input_ids"]
            ids = torch.tensor([whole], device=model.device)
            logp = F.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)
            total = 0.0
            for position in range(n_context, len(whole)):
                total += logp[position - 1, whole[position]].item()
            scores.append(total)
    return scores
'''

_LP_BATCH = r'''
def continuation_logprobs(model, tokenizer, context: str, continuations: list[str]) -> list[float]:
    """Summed log-probability of each continuation's tokens after `context` (context tokens not scored)."""
    if len(continuations) == 0:
        return []
    n_context = len(tokenizer(context, add_special_tokens=False)["input_ids"])
    if n_context == 0:
        raise ValueError("the context has no tokens: nothing predicts the first continuation token")
    sequences = [tokenizer(context + c, add_special_tokens=False)["input_ids"] for c in continuations]
    width = max(len(s) for s in sequences)
    input_ids = torch.zeros((len(sequences), width), dtype=torch.long)
    attention_mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        input_ids[row, :len(seq)] = torch.tensor(seq, dtype=torch.long)
        attention_mask[row, :len(seq)] = 1
    with torch.no_grad():
        logits = model(input_ids=input_ids.to(model.device), attention_mask=attention_mask.to(model.device)).logits
        logp = torch.log_softmax(logits.float(), dim=-1)[:, :-1]                  # position i predicts token i + 1
        token_logp = logp.gather(-1, input_ids[:, 1:].to(logp.device).unsqueeze(-1)).squeeze(-1)
        positions = torch.arange(1, width, device=logp.device)
        lengths = torch.tensor([len(s) for s in sequences], device=logp.device)
        scored = (positions[None, :] >= n_context) & (positions[None, :] < lengths[:, None])
        sums = (token_logp * scored).sum(dim=1)
    return [float(s) for s in sums.cpu()]
'''

_LP_FLOAT64 = r'''
@torch.no_grad()
def continuation_logprobs(model, tokenizer, context: str, continuations: list[str]) -> list[float]:
    """Summed log-probability of each continuation's tokens after `context` (context tokens not scored)."""
    context_ids = tokenizer(context, add_special_tokens=False, return_tensors="pt")["input_ids"][0]
    start = context_ids.shape[0]
    if start == 0:
        raise ValueError("empty context")
    result = []
    for continuation in continuations:
        whole = tokenizer(context + continuation, add_special_tokens=False, return_tensors="pt")["input_ids"]
        whole = whole.to(model.device)
        if whole.shape[1] <= start:
            result.append(0.0)
            continue
        logits = model(whole).logits[0, start - 1:-1].to(torch.float64)
        targets = whole[0, start:]
        picked = torch.log_softmax(logits, dim=-1).gather(1, targets.unsqueeze(1))
        result.append(picked.sum().item())
    return result
'''

# wrong: context tokens are scored too
_LP_WITH_CONTEXT = r'''
def continuation_logprobs(model, tokenizer, context: str, continuations: list[str]) -> list[float]:
    """Summed log-probability of each continuation's tokens after `context` (context tokens not scored)."""
    scores = []
    with torch.no_grad():
        for continuation in continuations:
            whole = tokenizer(context + continuation, add_special_tokens=False)["input_ids"]
            ids = torch.tensor([whole], device=model.device)
            logp = F.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)
            total = 0.0
            for position in range(1, len(whole)):
                total += logp[position - 1, whole[position]].item()
            scores.append(total)
    return scores
'''

# wrong: the logits at position i score token i
_LP_NO_SHIFT = r'''
def continuation_logprobs(model, tokenizer, context: str, continuations: list[str]) -> list[float]:
    """Summed log-probability of each continuation's tokens after `context` (context tokens not scored)."""
    n_context = len(tokenizer(context, add_special_tokens=False)["input_ids"])
    if n_context == 0:
        raise ValueError("the context has no tokens: nothing predicts the first continuation token")
    scores = []
    with torch.no_grad():
        for continuation in continuations:
            whole = tokenizer(context + continuation, add_special_tokens=False)["input_ids"]
            ids = torch.tensor([whole], device=model.device)
            logp = F.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)
            total = 0.0
            for position in range(n_context, len(whole)):
                total += logp[position, whole[position]].item()
            scores.append(total)
    return scores
'''

# wrong: the mean log-probability per token instead of the sum
_LP_MEAN = r'''
@torch.no_grad()
def continuation_logprobs(model, tokenizer, context: str, continuations: list[str]) -> list[float]:
    """Summed log-probability of each continuation's tokens after `context` (context tokens not scored)."""
    context_ids = tokenizer(context, add_special_tokens=False, return_tensors="pt")["input_ids"][0]
    start = context_ids.shape[0]
    if start == 0:
        raise ValueError("empty context")
    result = []
    for continuation in continuations:
        whole = tokenizer(context + continuation, add_special_tokens=False, return_tensors="pt")["input_ids"]
        whole = whole.to(model.device)
        if whole.shape[1] <= start:
            result.append(0.0)
            continue
        logits = model(whole).logits[0, start - 1:-1].to(torch.float64)
        targets = whole[0, start:]
        picked = torch.log_softmax(logits, dim=-1).gather(1, targets.unsqueeze(1))
        result.append(picked.mean().item())
    return result
'''

# wrong: batch padded on the left without position ids (scores depend on the other continuations)
_LP_LEFT_PAD = r'''
def continuation_logprobs(model, tokenizer, context: str, continuations: list[str]) -> list[float]:
    """Summed log-probability of each continuation's tokens after `context` (context tokens not scored)."""
    if len(continuations) == 0:
        return []
    n_context = len(tokenizer(context, add_special_tokens=False)["input_ids"])
    if n_context == 0:
        raise ValueError("the context has no tokens: nothing predicts the first continuation token")
    sequences = [tokenizer(context + c, add_special_tokens=False)["input_ids"] for c in continuations]
    width = max(len(s) for s in sequences)
    input_ids = torch.zeros((len(sequences), width), dtype=torch.long)
    attention_mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        input_ids[row, width - len(seq):] = torch.tensor(seq, dtype=torch.long)
        attention_mask[row, width - len(seq):] = 1
    with torch.no_grad():
        logits = model(input_ids=input_ids.to(model.device), attention_mask=attention_mask.to(model.device)).logits
        logp = torch.log_softmax(logits.float(), dim=-1)[:, :-1]
        token_logp = logp.gather(-1, input_ids[:, 1:].to(logp.device).unsqueeze(-1)).squeeze(-1)
        positions = torch.arange(1, width, device=logp.device)
        lengths = torch.tensor([len(s) for s in sequences], device=logp.device)
        offset = width - lengths
        scored = positions[None, :] >= (offset + n_context)[:, None]
        sums = (token_logp * scored).sum(dim=1)
    return [float(s) for s in sums.cpu()]
'''

# wrong: right-padded batch whose padding positions are summed as well
_LP_SUMS_PADDING = r'''
def continuation_logprobs(model, tokenizer, context: str, continuations: list[str]) -> list[float]:
    """Summed log-probability of each continuation's tokens after `context` (context tokens not scored)."""
    if len(continuations) == 0:
        return []
    n_context = len(tokenizer(context, add_special_tokens=False)["input_ids"])
    if n_context == 0:
        raise ValueError("the context has no tokens: nothing predicts the first continuation token")
    sequences = [tokenizer(context + c, add_special_tokens=False)["input_ids"] for c in continuations]
    width = max(len(s) for s in sequences)
    input_ids = torch.zeros((len(sequences), width), dtype=torch.long)
    attention_mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        input_ids[row, :len(seq)] = torch.tensor(seq, dtype=torch.long)
        attention_mask[row, :len(seq)] = 1
    with torch.no_grad():
        logits = model(input_ids=input_ids.to(model.device), attention_mask=attention_mask.to(model.device)).logits
        logp = torch.log_softmax(logits.float(), dim=-1)[:, :-1]
        token_logp = logp.gather(-1, input_ids[:, 1:].to(logp.device).unsqueeze(-1)).squeeze(-1)
        positions = torch.arange(1, width, device=logp.device)
        scored = (positions >= n_context).expand_as(token_logp)
        sums = (token_logp * scored).sum(dim=1)
    return [float(s) for s in sums.cpu()]
'''

# ---------------------------------------------------------------------------------------------------- evaluate
_EV_MAX_KEY = r'''
def evaluate(model, tokenizer, examples) -> dict:
    """HellaSwag acc and acc_norm (log-probability per character of the ending) over `examples`."""
    hits, hits_norm, n = 0, 0, 0
    for example in tqdm(examples, desc="HellaSwag"):
        context, continuations = build_request(example)
        scores = continuation_logprobs(model, tokenizer, context, continuations)
        lengths = [len(c) - 1 for c in continuations]          # without the leading space
        per_char = [s / n_chars if n_chars else -math.inf for s, n_chars in zip(scores, lengths)]
        gold = int(example["label"])
        hits += max(range(len(scores)), key=lambda i: scores[i]) == gold
        hits_norm += max(range(len(per_char)), key=lambda i: per_char[i]) == gold
        n += 1
    return {"acc": hits / n, "acc_norm": hits_norm / n}
'''

_EV_TORCH = r'''
def evaluate(model, tokenizer, examples) -> dict:
    """HellaSwag acc and acc_norm (log-probability per character of the ending) over `examples`."""
    correct = torch.zeros(2, dtype=torch.long)
    for example in tqdm(examples):
        context, continuations = build_request(example)
        scores = torch.tensor(continuation_logprobs(model, tokenizer, context, continuations), dtype=torch.float64)
        chars = torch.tensor([len(preprocess(e)) for e in example["endings"]], dtype=torch.float64)
        label = int(example["label"])
        correct[0] += int(torch.argmax(scores).item() == label)
        correct[1] += int(torch.argmax(scores / chars).item() == label)
    return {"acc": correct[0].item() / len(examples), "acc_norm": correct[1].item() / len(examples)}
'''

_EV_NUMPY = r'''
import numpy as np


def evaluate(model, tokenizer, examples) -> dict:
    """HellaSwag acc and acc_norm (log-probability per character of the ending) over `examples`."""
    right, right_norm = [], []
    for item in tqdm(list(examples), desc="items", leave=False):
        ctx, conts = build_request(item)
        lls = np.array(continuation_logprobs(model, tokenizer, ctx, conts), dtype=np.float64)
        lens = np.array([len(c[1:]) for c in conts], dtype=np.float64)
        gold = int(str(item["label"]))
        with np.errstate(divide="ignore", invalid="ignore"):
            normed = lls / lens
        right.append(int(np.argmax(lls)) == gold)
        right_norm.append(int(np.argmax(normed)) == gold)
    return {"acc": sum(right) / len(right), "acc_norm": sum(right_norm) / len(right_norm)}
'''

# wrong: normalises by the number of tokens
_EV_BY_TOKENS = r'''
def evaluate(model, tokenizer, examples) -> dict:
    """HellaSwag acc and acc_norm (log-probability per character of the ending) over `examples`."""
    hits, hits_norm, n = 0, 0, 0
    for example in tqdm(examples, desc="HellaSwag"):
        context, continuations = build_request(example)
        scores = continuation_logprobs(model, tokenizer, context, continuations)
        n_ctx = len(tokenizer(context, add_special_tokens=False)["input_ids"])
        lengths = [len(tokenizer(context + c, add_special_tokens=False)["input_ids"]) - n_ctx for c in continuations]
        per_token = [s / k if k else -math.inf for s, k in zip(scores, lengths)]
        gold = int(example["label"])
        hits += max(range(len(scores)), key=lambda i: scores[i]) == gold
        hits_norm += max(range(len(per_token)), key=lambda i: per_token[i]) == gold
        n += 1
    return {"acc": hits / n, "acc_norm": hits_norm / n}
'''

# wrong: the length counts the leading space
_EV_COUNTS_SPACE = r'''
def evaluate(model, tokenizer, examples) -> dict:
    """HellaSwag acc and acc_norm (log-probability per character of the ending) over `examples`."""
    hits, hits_norm, n = 0, 0, 0
    for example in tqdm(examples, desc="HellaSwag"):
        context, continuations = build_request(example)
        scores = continuation_logprobs(model, tokenizer, context, continuations)
        lengths = [len(c) for c in continuations]
        per_char = [s / n_chars for s, n_chars in zip(scores, lengths)]
        gold = int(example["label"])
        hits += max(range(len(scores)), key=lambda i: scores[i]) == gold
        hits_norm += max(range(len(per_char)), key=lambda i: per_char[i]) == gold
        n += 1
    return {"acc": hits / n, "acc_norm": hits_norm / n}
'''

# wrong: compares the predicted index with the label without converting the label
_EV_STR_LABEL = r'''
def evaluate(model, tokenizer, examples) -> dict:
    """HellaSwag acc and acc_norm (log-probability per character of the ending) over `examples`."""
    hits, hits_norm, n = 0, 0, 0
    for example in tqdm(examples, desc="HellaSwag"):
        context, continuations = build_request(example)
        scores = continuation_logprobs(model, tokenizer, context, continuations)
        lengths = [len(c) - 1 for c in continuations]
        per_char = [s / n_chars if n_chars else -math.inf for s, n_chars in zip(scores, lengths)]
        gold = example["label"]
        hits += max(range(len(scores)), key=lambda i: scores[i]) == gold
        hits_norm += max(range(len(per_char)), key=lambda i: per_char[i]) == gold
        n += 1
    return {"acc": hits / n, "acc_norm": hits_norm / n}
'''

# wrong: ties go to the last ending
_EV_LAST_TIE = r'''
import numpy as np


def evaluate(model, tokenizer, examples) -> dict:
    """HellaSwag acc and acc_norm (log-probability per character of the ending) over `examples`."""
    right, right_norm = [], []
    for item in tqdm(list(examples), desc="items", leave=False):
        ctx, conts = build_request(item)
        lls = np.array(continuation_logprobs(model, tokenizer, ctx, conts), dtype=np.float64)
        lens = np.array([len(c[1:]) for c in conts], dtype=np.float64)
        gold = int(str(item["label"]))
        with np.errstate(divide="ignore", invalid="ignore"):
            normed = lls / lens
        last = len(lls) - 1
        right.append(last - int(np.argmax(lls[::-1])) == gold)
        right_norm.append(last - int(np.argmax(normed[::-1])) == gold)
    return {"acc": sum(right) / len(right), "acc_norm": sum(right_norm) / len(right_norm)}
'''

# wrong: acc_norm and acc swapped in the returned dict
_EV_SWAPPED = r'''
def evaluate(model, tokenizer, examples) -> dict:
    """HellaSwag acc and acc_norm (log-probability per character of the ending) over `examples`."""
    correct = torch.zeros(2, dtype=torch.long)
    for example in tqdm(examples):
        context, continuations = build_request(example)
        scores = torch.tensor(continuation_logprobs(model, tokenizer, context, continuations), dtype=torch.float64)
        chars = torch.tensor([len(preprocess(e)) for e in example["endings"]], dtype=torch.float64)
        label = int(example["label"])
        correct[0] += int(torch.argmax(scores).item() == label)
        correct[1] += int(torch.argmax(scores / chars).item() == label)
    return {"acc": correct[1].item() / len(examples), "acc_norm": correct[0].item() / len(examples)}
'''

_MATH = "import math\n"

#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    "plain_onebyone_maxkey": {
        "preprocess": _PRE_PLAIN,
        "build_request": _REQ_FSTRING,
        "continuation_logprobs": _LP_ONE_BY_ONE,
        "evaluate": _MATH + _EV_MAX_KEY,
    },
    "compiled_batch_torch": {
        "preprocess": _PRE_COMPILED,
        "build_request": _REQ_LOOP,
        "continuation_logprobs": _LP_BATCH,
        "evaluate": _EV_TORCH,
    },
    "split_float64_numpy": {
        "preprocess": _PRE_SPLIT,
        "build_request": _REQ_JOIN,
        "continuation_logprobs": _LP_FLOAT64,
        "evaluate": _EV_NUMPY,
    },
    # was WRONG ("on a tie the last of the best endings is taken"): Task 4 says to take the first, but its hidden
    # tests promise that "items whose two best endings score within 10^-3 of each other (by sum or per character)
    # are never tried", so no check may probe ties and the tie rule is not graded
    "split_float64_last_on_ties": {
        "preprocess": _PRE_SPLIT,
        "build_request": _REQ_JOIN,
        "continuation_logprobs": _LP_FLOAT64,
        "evaluate": _EV_LAST_TIE,
    },
}

#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    "pre_greedy_brackets": {
        "cells": {"preprocess": _PRE_GREEDY, "build_request": _REQ_FSTRING,
                  "continuation_logprobs": _LP_ONE_BY_ONE, "evaluate": _MATH + _EV_MAX_KEY},
        "loses": ["test_preprocess"],
        "bug": r"greedy r'\[.*\]' removes everything between the first '[' and the last ']'",
    },
    "pre_strip_last": {
        "cells": {"preprocess": _PRE_STRIP_LAST, "build_request": _REQ_LOOP,
                  "continuation_logprobs": _LP_BATCH, "evaluate": _EV_TORCH},
        "loses": ["test_preprocess"],
        "bug": "strips at the end instead of first",
    },
    "pre_collapse_all_spaces": {
        "cells": {"preprocess": _PRE_COLLAPSE_ALL, "build_request": _REQ_FSTRING,
                  "continuation_logprobs": _LP_ONE_BY_ONE, "evaluate": _MATH + _EV_MAX_KEY},
        "loses": ["test_preprocess"],
        "bug": "replaces double spaces until none is left instead of once",
    },
    "pre_title_without_space": {
        "cells": {"preprocess": _PRE_TITLE_NO_SPACE, "build_request": _REQ_JOIN,
                  "continuation_logprobs": _LP_FLOAT64, "evaluate": _EV_NUMPY},
        "loses": ["test_preprocess"],
        "bug": "replaces '[title]' (without the leading space) by '. '",
    },
    "req_no_capitalize": {
        "cells": {"preprocess": _PRE_PLAIN, "build_request": _REQ_NO_CAPITALIZE,
                  "continuation_logprobs": _LP_ONE_BY_ONE, "evaluate": _MATH + _EV_MAX_KEY},
        "loses": ["test_build_request"],
        "bug": "ctx_b is used as it is, not capitalised",
    },
    "req_first_letter_upper_only": {
        "cells": {"preprocess": _PRE_COMPILED, "build_request": _REQ_FIRST_UPPER,
                  "continuation_logprobs": _LP_BATCH, "evaluate": _EV_TORCH},
        "loses": ["test_build_request"],
        "bug": "upper-cases the first character of ctx_b but does not lower-case the rest",
    },
    "req_no_leading_space": {
        "cells": {"preprocess": _PRE_PLAIN, "build_request": _REQ_NO_SPACE,
                  "continuation_logprobs": _LP_ONE_BY_ONE, "evaluate": _MATH + _EV_MAX_KEY},
        "loses": ["test_build_request"],
        "bug": "continuation = preprocess(' ' + ending): the strip removes the leading space",
    },
    "req_parts_cleaned_separately": {
        "cells": {"preprocess": _PRE_SPLIT, "build_request": _REQ_PARTS,
                  "continuation_logprobs": _LP_FLOAT64, "evaluate": _EV_NUMPY},
        "loses": ["test_build_request"],
        "bug": "preprocesses activity_label, ctx_a and ctx_b one by one and joins them, instead of the joined string",
    },
    "lp_scores_context": {
        "cells": {"preprocess": _PRE_PLAIN, "build_request": _REQ_FSTRING,
                  "continuation_logprobs": _LP_WITH_CONTEXT, "evaluate": _MATH + _EV_MAX_KEY},
        "loses": ["test_continuation_logprobs"],
        "bug": "sums the log-probabilities of the context tokens too",
    },
    "lp_no_shift": {
        "cells": {"preprocess": _PRE_PLAIN, "build_request": _REQ_FSTRING,
                  "continuation_logprobs": _LP_NO_SHIFT, "evaluate": _MATH + _EV_MAX_KEY},
        "loses": ["test_continuation_logprobs"],
        "bug": "scores token i with the logits at position i instead of i - 1",
    },
    "lp_mean_not_sum": {
        "cells": {"preprocess": _PRE_SPLIT, "build_request": _REQ_JOIN,
                  "continuation_logprobs": _LP_MEAN, "evaluate": _EV_NUMPY},
        "loses": ["test_continuation_logprobs"],
        "bug": "returns the mean log-probability per token instead of the sum",
    },
    "lp_left_padding": {
        "cells": {"preprocess": _PRE_COMPILED, "build_request": _REQ_LOOP,
                  "continuation_logprobs": _LP_LEFT_PAD, "evaluate": _EV_TORCH},
        "loses": ["test_continuation_logprobs"],
        "bug": "pads the batch on the left without position ids: a score depends on the other continuations",
    },
    "lp_sums_padding": {
        "cells": {"preprocess": _PRE_COMPILED, "build_request": _REQ_LOOP,
                  "continuation_logprobs": _LP_SUMS_PADDING, "evaluate": _EV_TORCH},
        "loses": ["test_continuation_logprobs"],
        "bug": "in the right-padded batch the padding positions are summed as well",
    },
    "ev_norm_by_tokens": {
        "cells": {"preprocess": _PRE_PLAIN, "build_request": _REQ_FSTRING,
                  "continuation_logprobs": _LP_ONE_BY_ONE, "evaluate": _MATH + _EV_BY_TOKENS},
        "loses": ["test_evaluate"],
        "bug": "acc_norm divides by the number of continuation tokens instead of characters",
    },
    "ev_length_with_space": {
        "cells": {"preprocess": _PRE_PLAIN, "build_request": _REQ_FSTRING,
                  "continuation_logprobs": _LP_ONE_BY_ONE, "evaluate": _MATH + _EV_COUNTS_SPACE},
        "loses": ["test_evaluate"],
        "bug": "acc_norm divides by len(continuation), which counts the leading space",
    },
    "ev_label_not_int": {
        "cells": {"preprocess": _PRE_PLAIN, "build_request": _REQ_FSTRING,
                  "continuation_logprobs": _LP_ONE_BY_ONE, "evaluate": _MATH + _EV_STR_LABEL},
        "loses": ["test_evaluate"],
        "bug": "compares the predicted index with example['label'] without int(): a string label never matches",
    },
    "ev_acc_swapped": {
        "cells": {"preprocess": _PRE_COMPILED, "build_request": _REQ_LOOP,
                  "continuation_logprobs": _LP_BATCH, "evaluate": _EV_SWAPPED},
        "loses": ["test_evaluate"],
        "bug": "returns the per-character accuracy as acc and the summed one as acc_norm",
    },
}
