"""Implementations of 6_1's functions, as students might write them.

CORRECT: (format_prompt, tokenize_example, answer_question) written differently from the reference.
WRONG: name -> (triple, the check that must fail, the checks that must still pass).
"""

import torch

from solutions import instruction_tuning as reference

FORMAT, INPUTS, LABELS, ANSWER, CHECKS = ("check_format_prompt", "check_tokenize_inputs", "check_tokenize_labels",
                                          "check_answer_question", "check_input_checks")


# ------------------------------------------------------------------ correct, written differently

def format_prompt_concat(question, answer=None):
    text = "QUESTION: " + question + " ANSWER:"
    if answer is not None:
        text += " " + answer
    return text


def tokenize_joint(question, answer, tokenizer, max_length):
    """Tokenizes the whole text at once and finds the boundary from the prompt's length; pads with
    torch.nn.functional.pad; builds labels with torch.where on positions."""
    if max_length <= 0:
        raise ValueError("max_length must be positive")
    n_prompt = len(tokenizer.encode(format_prompt_concat(question), add_special_tokens=False))
    ids = tokenizer.encode(format_prompt_concat(question, answer), add_special_tokens=False)
    ids = torch.tensor(ids + [tokenizer.eos_token_id])[:max_length]
    n = len(ids)
    input_ids = torch.nn.functional.pad(ids, (0, max_length - n), value=tokenizer.pad_token_id)
    positions = torch.arange(max_length)
    labels = torch.where((positions >= n_prompt) & (positions < n), input_ids, torch.full_like(input_ids, -100))
    return {"input_ids": input_ids, "attention_mask": (positions < n).long(), "labels": labels}


def answer_with_generate(model, tokenizer, question, max_new_tokens):
    """model.generate, greedy, then cut at the first EOS."""
    if max_new_tokens < 0:
        raise ValueError("max_new_tokens must be non-negative")
    enc = tokenizer(format_prompt_concat(question), return_tensors="pt")
    out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    new = out[0, enc["input_ids"].shape[1]:].tolist()
    if tokenizer.eos_token_id in new:
        new = new[: new.index(tokenizer.eos_token_id)]
    return tokenizer.decode(new).strip()


CORRECT = {
    "reference": (reference.format_prompt, reference.tokenize_example, reference.answer_question),
    "joint_tokenization_and_generate": (format_prompt_concat, tokenize_joint, answer_with_generate),
}


# ---------------------------------------------------------------------------------- wrong

def _labels_variant(make_labels):
    def tokenize(question, answer, tokenizer, max_length):
        ex = reference.tokenize_example(question, answer, tokenizer, max_length)
        n_prompt = len(tokenizer(reference.format_prompt(question), add_special_tokens=False)["input_ids"])
        ex["labels"] = make_labels(ex, n_prompt, tokenizer)
        return ex
    return tokenize


def _trains_on_padding(ex, n_prompt, tokenizer):
    labels = ex["input_ids"].clone()
    labels[:n_prompt] = -100
    return labels


def _loss_on_question(ex, n_prompt, tokenizer):
    return torch.where(ex["attention_mask"].bool(), ex["input_ids"], torch.full_like(ex["input_ids"], -100))


def _masks_pad_id(ex, n_prompt, tokenizer):
    """The original bug: pad = EOS, then every pad id masked, the answer's EOS with it."""
    labels = ex["input_ids"].clone()
    labels[:n_prompt] = -100
    labels[ex["input_ids"] == tokenizer.pad_token_id] = -100
    return labels


def _no_eos(question, answer, tokenizer, max_length):
    """Appends no EOS at all."""
    prompt = tokenizer(reference.format_prompt(question), add_special_tokens=False)["input_ids"]
    ans = tokenizer(" " + answer, add_special_tokens=False)["input_ids"]
    ids, labels = (prompt + ans)[:max_length], ([-100] * len(prompt) + ans)[:max_length]
    pad = max_length - len(ids)
    return {"input_ids": torch.tensor(ids + [tokenizer.pad_token_id] * pad),
            "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
            "labels": torch.tensor(labels + [-100] * pad)}


def _strip(question, answer, tokenizer, max_length):
    prompt = tokenizer(reference.format_prompt(question), add_special_tokens=False)["input_ids"]
    ans = tokenizer(answer, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    ids, labels = (prompt + ans)[:max_length], ([-100] * len(prompt) + ans)[:max_length]
    pad = max_length - len(ids)
    return {"input_ids": torch.tensor(ids + [tokenizer.pad_token_id] * pad),
            "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
            "labels": torch.tensor(labels + [-100] * pad)}


def _pads_with_eos(question, answer, tokenizer, max_length):
    ex = reference.tokenize_example(question, answer, tokenizer, max_length)
    ex["input_ids"] = torch.where(ex["attention_mask"].bool(), ex["input_ids"],
                                  torch.full_like(ex["input_ids"], tokenizer.eos_token_id))
    return ex


def _answer_with_prompt(model, tokenizer, question, max_new_tokens):
    return reference.format_prompt(question) + " " + reference.answer_question(model, tokenizer, question, max_new_tokens)


@torch.no_grad()
def _answer_ignores_eos(model, tokenizer, question, max_new_tokens):
    """Greedy to max_new_tokens without stopping at EOS (the EOS itself is dropped when decoding)."""
    ids = tokenizer(reference.format_prompt(question), return_tensors="pt")["input_ids"]
    n = ids.shape[1]
    for _ in range(max_new_tokens):
        ids = torch.cat([ids, model(input_ids=ids).logits[:, -1:].argmax(-1)], dim=1)
    return tokenizer.decode(ids[0, n:], skip_special_tokens=True).strip()


@torch.no_grad()
def _answer_not_stripped(model, tokenizer, question, max_new_tokens):
    """The reference's greedy loop, but the decoded answer keeps its leading space."""
    if max_new_tokens < 0:
        raise ValueError("max_new_tokens must be non-negative")
    ids = tokenizer(reference.format_prompt(question), add_special_tokens=False, return_tensors="pt")["input_ids"]
    new = []
    for _ in range(max_new_tokens):
        nxt = int(model(input_ids=ids).logits[0, -1].argmax())
        if nxt == tokenizer.eos_token_id:
            break
        new.append(nxt)
        ids = torch.cat([ids, torch.tensor([[nxt]])], dim=1)
    return tokenizer.decode(new, skip_special_tokens=True)


def _flatten(model):
    """Load into `model` weights under which its final LayerNorm outputs one constant vector: it then
    emits one token forever, whatever the prompt, and stopping at EOS no longer matters."""
    state = model.state_dict()
    ln_f = next(k for k in state if k.endswith("ln_f.weight"))
    head = state["lm_head.weight"]
    state[ln_f] = torch.zeros_like(state[ln_f])
    state[ln_f.removesuffix("weight") + "bias"] = head[1] * 10
    model.load_state_dict(state)


def _answer_tampering(model, tokenizer, question, max_new_tokens):
    """Answers right with a model it has not seen yet and then flattens it (see `_flatten`); with a
    flattened model, answers without stopping at EOS. It would pass if the grader's expected answers
    came from the very models it was given."""
    ln_f = next(v for k, v in model.state_dict().items() if k.endswith("ln_f.weight"))
    if bool((ln_f == 0).all()):
        return _answer_ignores_eos(model, tokenizer, question, max_new_tokens)
    answer = reference.answer_question(model, tokenizer, question, max_new_tokens)
    _flatten(model)
    return answer


def _tokenize_without_check(question, answer, tokenizer, max_length):
    """The reference on every valid input; max_length < 1 gives empty tensors instead of a ValueError."""
    if max_length < 1:
        return {k: torch.zeros(0, dtype=torch.long) for k in ("input_ids", "attention_mask", "labels")}
    return reference.tokenize_example(question, answer, tokenizer, max_length)


def _answer_without_check(model, tokenizer, question, max_new_tokens):
    """The reference on every valid input; a negative max_new_tokens answers "" instead of raising."""
    return "" if max_new_tokens < 0 else reference.answer_question(model, tokenizer, question, max_new_tokens)


def _format_no_space(question, answer=None):
    return f"QUESTION: {question} ANSWER:" + ("" if answer is None else answer)


R = reference
WRONG = {
    "trains_on_padding": ((R.format_prompt, _labels_variant(_trains_on_padding), R.answer_question),
                          LABELS, (FORMAT, INPUTS, ANSWER, CHECKS)),
    "loss_on_question": ((R.format_prompt, _labels_variant(_loss_on_question), R.answer_question),
                         LABELS, (FORMAT, INPUTS, ANSWER, CHECKS)),
    "pad_is_eos_masked_by_id": ((R.format_prompt, _labels_variant(_masks_pad_id), R.answer_question),
                                LABELS, (FORMAT, INPUTS, ANSWER, CHECKS)),
    "no_eos": ((R.format_prompt, _no_eos, R.answer_question), INPUTS, (FORMAT, ANSWER)),
    "answer_without_leading_space": ((R.format_prompt, _strip, R.answer_question), INPUTS, (FORMAT, ANSWER)),
    "pads_with_eos_not_pad_id": ((R.format_prompt, _pads_with_eos, R.answer_question), INPUTS,
                                 (FORMAT, LABELS, ANSWER)),
    "format_without_space": ((_format_no_space, R.tokenize_example, R.answer_question), FORMAT,
                             (INPUTS, LABELS, ANSWER, CHECKS)),
    "answer_includes_prompt": ((R.format_prompt, R.tokenize_example, _answer_with_prompt), ANSWER,
                               (FORMAT, INPUTS, LABELS, CHECKS)),
    "answer_not_stripped": ((R.format_prompt, R.tokenize_example, _answer_not_stripped), ANSWER,
                            (FORMAT, INPUTS, LABELS, CHECKS)),
    "answer_ignores_eos": ((R.format_prompt, R.tokenize_example, _answer_ignores_eos), ANSWER,
                           (FORMAT, INPUTS, LABELS)),
    "answer_ignores_eos_and_tampers_with_the_models": (
        (R.format_prompt, R.tokenize_example, _answer_tampering), ANSWER, (FORMAT, INPUTS, LABELS)),
    # right computations, missing raises: only the input-checks part is lost
    "no_value_errors": ((R.format_prompt, _tokenize_without_check, _answer_without_check), CHECKS,
                        (FORMAT, INPUTS, LABELS, ANSWER)),
    "tokenize_without_value_error": ((R.format_prompt, _tokenize_without_check, R.answer_question), CHECKS,
                                     (FORMAT, INPUTS, LABELS, ANSWER)),
}
