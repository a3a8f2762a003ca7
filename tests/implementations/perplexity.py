"""Implementations of 7_1's `perplexity`, as students might write them.

WRONG: name -> (function, the check that must fail, the checks that must still pass).
"""

import math

import torch
import torch.nn.functional as F

from solutions import perplexity as reference

ONE, NON_OVERLAPPING, SLIDING, INPUTS = ("check_one_window", "check_non_overlapping", "check_sliding_window",
                                      "check_input_checks")


def _validate(n, window, stride):
    if window < 2 or not 1 <= stride <= window or n < 2:
        raise ValueError("bad arguments")


# ------------------------------------------------------------------ correct, written differently

@torch.no_grad()
def hf_guide_labels_loss(model, token_ids, context_window_size, stride=None):
    """The transformers guide's loop: labels with -100, `.loss` times the number of scored tokens."""
    stride = context_window_size if stride is None else stride
    ids = token_ids.view(1, -1)
    seq_len = ids.size(1)
    _validate(seq_len, context_window_size, stride)
    nll_sum, n_tokens, prev_end = 0.0, 0, 0
    for begin in range(0, seq_len, stride):
        end = min(begin + context_window_size, seq_len)
        trg_len = end - prev_end
        input_ids = ids[:, begin:end]
        target_ids = input_ids.clone()
        target_ids[:, :-trg_len] = -100
        num_valid = (target_ids != -100).sum().item() - 1 if trg_len == end - begin else trg_len
        if num_valid > 0:
            loss = model(input_ids, labels=target_ids).loss
            nll_sum += loss.item() * num_valid
            n_tokens += num_valid
        prev_end = end
        if end == seq_len:
            break
    return math.exp(nll_sum / n_tokens)


@torch.no_grad()
def per_token_float64(model, token_ids, context_window_size, stride=None):
    """Collects float64 log-probs of every newly scored position, window by window, with gather."""
    stride = context_window_size if stride is None else stride
    ids = token_ids.flatten().tolist()
    _validate(len(ids), context_window_size, stride)
    scored = []
    next_unscored = 1
    begin = 0
    while True:
        end = min(begin + context_window_size, len(ids))
        window = torch.tensor(ids[begin:end])
        logp = F.log_softmax(model(input_ids=window[None]).logits[0].double(), -1)
        for t in range(max(next_unscored, begin + 1), end):
            scored.append(logp[t - begin - 1, ids[t]].item())
        next_unscored = end
        if end == len(ids):
            break
        begin += stride
    return math.exp(-sum(scored) / len(scored))


CORRECT = {
    "reference": reference.perplexity,
    "hf_guide_labels_loss": hf_guide_labels_loss,
    "per_token_float64": per_token_float64,
}


# ---------------------------------------------------------------------------------- wrong

@torch.no_grad()
def rescores_overlap(model, token_ids, context_window_size, stride=None):
    """Scores every token of every window: overlapping tokens are scored again, with less context."""
    stride = context_window_size if stride is None else stride
    ids = token_ids.view(1, -1)
    _validate(ids.size(1), context_window_size, stride)
    nll_sum, n_tokens = 0.0, 0
    for begin in range(0, ids.size(1), stride):
        end = min(begin + context_window_size, ids.size(1))
        window = ids[:, begin:end]
        if window.size(1) > 1:
            nll_sum += model(window, labels=window).loss.item() * (window.size(1) - 1)
            n_tokens += window.size(1) - 1
        if end == ids.size(1):
            break
    return math.exp(nll_sum / n_tokens)


@torch.no_grad()
def mean_of_window_losses(model, token_ids, context_window_size, stride=None):
    """The right tokens, but the mean of the windows' mean losses instead of a token-weighted mean."""
    stride = context_window_size if stride is None else stride
    ids = token_ids.view(1, -1)
    seq_len = ids.size(1)
    _validate(seq_len, context_window_size, stride)
    losses, prev_end = [], 0
    for begin in range(0, seq_len, stride):
        end = min(begin + context_window_size, seq_len)
        target = ids[:, begin:end].clone()
        target[:, : end - begin - (end - prev_end)] = -100
        loss = model(ids[:, begin:end], labels=target).loss
        if not torch.isnan(loss):
            losses.append(loss)
        prev_end = end
        if end == seq_len:
            break
    return math.exp(torch.stack(losses).mean().item())


@torch.no_grad()
def no_value_errors(model, token_ids, context_window_size, stride=None):
    try:
        return reference.perplexity(model, token_ids, context_window_size, stride)
    except ValueError:
        return float("nan")


def shifts_token_ids_in_place(model, token_ids, context_window_size, stride=None):
    """The right perplexity, but it leaves the caller's token ids shifted by one (in place)."""
    result = reference.perplexity(model, token_ids, context_window_size, stride)
    token_ids.add_(1)
    return result


WRONG = {
    "rescores_overlapping_tokens": (rescores_overlap, SLIDING, (ONE, NON_OVERLAPPING, INPUTS)),
    "mean_of_window_losses": (mean_of_window_losses, NON_OVERLAPPING, (ONE, INPUTS)),
    # the right perplexity wherever one exists, nan instead of each ValueError: only the input checks are lost
    "no_value_errors": (no_value_errors, INPUTS, (ONE, NON_OVERLAPPING, SLIDING)),
    "changes_token_ids_in_place": (shifts_token_ids_in_place, ONE, (INPUTS,)),
}
