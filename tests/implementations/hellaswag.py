"""Implementations of 7_2's four functions, as students might write them.

Each entry of CORRECT and WRONG is a tuple (preprocess, build_request, continuation_logprobs,
evaluate). A wrong entry breaks one function and takes the reference for the others, so that the
test shows the bug costs the points of its own part; WRONG names the check that must catch it and
the checks that must still pass.
"""

import re

import numpy as np
import torch
import torch.nn.functional as F

from solutions import hellaswag as reference

# ------------------------------------------------------------------ correct, written differently


def preprocess_split(text):
    """The same four steps, written with re.sub and a negated character class."""
    text = re.sub(r" \[title\]", ". ", text.strip())
    text = re.sub(r"\[[^\]\n]*\]", "", text)  # no "]" inside: the shortest match, as non-greedy .*?
    return text.replace("  ", " ")


def build_request_fstring(example):
    label, a, b = example["activity_label"], example["ctx_a"], example["ctx_b"]
    b = b[:1].upper() + b[1:].lower()
    return preprocess_split(f"{label}: {a} {b}"), tuple(" " + preprocess_split(e) for e in example["endings"])


@torch.no_grad()
def logprobs_one_by_one(model, tokenizer, context, continuations):
    """One forward pass per continuation; the continuation encoded on its own; float64 log-softmax."""
    ctx = tokenizer.encode(context, add_special_tokens=False)
    out = []
    for c in continuations:
        cont = tokenizer.encode(c, add_special_tokens=False)
        ids = torch.tensor(ctx + cont).unsqueeze(0)
        logp = model(ids).logits.double().log_softmax(-1)[0]
        rows = torch.arange(len(ctx) - 1, len(ctx) + len(cont) - 1)
        out.append(float(logp[rows, torch.tensor(cont)].sum()))
    return np.array(out)


@torch.no_grad()
def logprobs_left_padded(model, tokenizer, context, continuations):
    """A batch padded on the LEFT, with explicit position ids so that positions do not shift."""
    ctx = tokenizer(context, add_special_tokens=False)["input_ids"]
    seqs = [ctx + tokenizer(context + c, add_special_tokens=False)["input_ids"][len(ctx):] for c in continuations]
    width = max(map(len, seqs))
    ids = torch.tensor([[0] * (width - len(s)) + s for s in seqs])
    mask = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in seqs])
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    logp = F.log_softmax(model(input_ids=ids, attention_mask=mask, position_ids=positions).logits.float(), -1)
    scores = []
    for row, s in enumerate(seqs):
        n = len(s) - len(ctx)
        targets = ids[row, width - n:]
        scores.append(logp[row, width - n - 1: width - 1].gather(1, targets[:, None]).sum().item())
    return scores


def evaluate_numpy(model, tokenizer, examples):
    hits = np.zeros(2)
    examples = list(examples)
    for ex in examples:
        context, conts = build_request_fstring(ex)
        s = np.asarray(logprobs_one_by_one(model, tokenizer, context, conts))
        chars = np.array([len(preprocess_split(e)) for e in ex["endings"]], dtype=float)
        hits += [np.argmax(s) == int(ex["label"]), np.argmax(s / chars) == int(ex["label"])]
    return {"acc": hits[0] / len(examples), "acc_norm": hits[1] / len(examples), "n": len(examples)}


REFERENCE = (reference.preprocess, reference.build_request, reference.continuation_logprobs, reference.evaluate)
CORRECT = {
    "reference": REFERENCE,
    "written_differently": (preprocess_split, build_request_fstring, logprobs_one_by_one, evaluate_numpy),
    "left_padded_batch": (reference.preprocess, reference.build_request, logprobs_left_padded, reference.evaluate),
}

# ---------------------------------------------------------------------------------- wrong


@torch.no_grad()
def _scores(model, tokenizer, context, continuations, *, score_context=False, shift=1, mask_padding=True):
    """A family of scorers (batched, right padding), each argument bending one rule."""
    ctx = tokenizer(context, add_special_tokens=False)["input_ids"]
    seqs = [ctx + tokenizer(context + c, add_special_tokens=False)["input_ids"][len(ctx):] for c in continuations]
    width = max(map(len, seqs))
    ids = torch.tensor([s + [0] * (width - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in seqs])
    logits = model(input_ids=ids, attention_mask=mask if mask_padding else torch.ones_like(mask)).logits
    logp = F.log_softmax(logits.float(), -1)
    out = []
    for row, s in enumerate(seqs):
        first = 1 if score_context else len(ctx)
        total = 0.0
        for t in range(first, len(s)):
            total += logp[row, t - shift, s[t]].item()
        out.append(total)
    return out


def _build_no_space(example):
    context, conts = reference.build_request(example)
    return context, [c[1:] for c in conts]


def _build_upper_first_only(example):
    b = example["ctx_b"]
    context = reference.preprocess(example["activity_label"] + ": " + example["ctx_a"] + " " + b[:1].upper() + b[1:])
    return context, [" " + reference.preprocess(e) for e in example["endings"]]


def _preprocess_collapse_all(text):
    return re.sub(" {2,}", " ", reference.preprocess(text.strip()).replace("  ", " "))


def _preprocess_greedy(text):
    text = text.strip().replace(" [title]", ". ")
    return re.sub(r"\[.*\]", "", text).replace("  ", " ")


def _evaluate(normalise):
    def evaluate(model, tokenizer, examples):
        examples = list(examples)
        right = right_norm = 0
        for ex in examples:
            context, conts = reference.build_request(ex)
            s = reference.continuation_logprobs(model, tokenizer, context, conts)
            n = [normalise(tokenizer, c) for c in conts]
            gold = int(ex["label"])
            right += int(np.argmax(s)) == gold
            right_norm += int(np.argmax([a / b for a, b in zip(s, n)])) == gold
        return {"acc": right / len(examples), "acc_norm": right_norm / len(examples)}
    return evaluate


def _with(**parts):
    names = ("preprocess", "build_request", "continuation_logprobs", "evaluate")
    return tuple(parts.get(n, r) for n, r in zip(names, REFERENCE))


PRE, BUILD, SCORE, EVAL = "check_preprocess", "check_build_request", "check_continuation_logprobs", "check_evaluate"
ALL = (PRE, BUILD, SCORE, EVAL)


def _others(part):
    return tuple(p for p in ALL if p != part)


# name -> (implementations, the check that must fail, the checks that must still pass)
WRONG = {
    # the list
    "scores_context_tokens_too": (_with(continuation_logprobs=lambda m, t, c, cs: _scores(m, t, c, cs, score_context=True)),
                                  SCORE, _others(SCORE)),
    "continuation_without_leading_space": (_with(build_request=_build_no_space), BUILD, _others(BUILD)),
    "acc_norm_by_token_count": (_with(evaluate=_evaluate(lambda t, c: len(t(c, add_special_tokens=False)["input_ids"]))),
                                EVAL, _others(EVAL)),
    # more
    "acc_norm_counts_the_leading_space": (_with(evaluate=_evaluate(lambda t, c: len(c))), EVAL, _others(EVAL)),
    "logits_of_the_same_position": (_with(continuation_logprobs=lambda m, t, c, cs: _scores(m, t, c, cs, shift=0)),
                                    SCORE, _others(SCORE)),
    "capitalize_keeps_the_rest": (_with(build_request=_build_upper_first_only), BUILD, _others(BUILD)),
    "collapses_every_space_run": (_with(preprocess=_preprocess_collapse_all), PRE, (SCORE, EVAL)),
    "greedy_brackets": (_with(preprocess=_preprocess_greedy), PRE, (SCORE, EVAL)),
}
