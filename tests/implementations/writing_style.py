"""Implementations of 5_1's functions, as students might write them.

An implementation is a dict {split_tokens, sample_batch, train_step, perplexity}. CORRECT ones are
written differently from the reference; each WRONG one replaces one function of the reference and
names the check that must catch it and the checks that must still pass.
"""

import math

import torch
import torch.nn.functional as F

from solutions import writing_style as reference

REFERENCE = {
    "split_tokens": reference.split_tokens,
    "sample_batch": reference.sample_batch,
    "train_step": reference.train_step,
    "perplexity": reference.perplexity,
}


# ------------------------------------------------------------------ correct, written differently

def split_with_lists(token_ids, train_ratio=0.8):
    ids = list(torch.as_tensor(token_ids).tolist())
    if train_ratio <= 0 or train_ratio >= 1:
        raise ValueError("train_ratio must be in (0, 1)")
    k = math.floor(train_ratio * len(ids))
    if k < 1 or k >= len(ids):
        raise ValueError("empty part")
    return torch.tensor(ids[:k]), torch.tensor(ids[k:])


def sample_with_unfold(token_ids, batch_size, context_window_size, generator=None):
    ids = torch.as_tensor(token_ids)
    if batch_size <= 0 or context_window_size <= 1 or context_window_size > ids.numel():
        raise ValueError("bad sizes")
    windows = ids.unfold(0, context_window_size, 1)          # every possible window
    starts = torch.randint(windows.size(0), (batch_size,), generator=generator)
    return windows[starts].long()


def train_step_manual_loss(model, batch, optimizer):
    """Computes the shifted cross-entropy itself and zeroes gradients through the model."""
    model.train()
    model.zero_grad(set_to_none=False)
    logits = model(batch).logits
    loss = F.cross_entropy(logits[:, :-1].flatten(0, 1), batch[:, 1:].flatten())
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def perplexity_padded_hf_loss(model, token_ids, context_window_size, batch_size):
    """Pads the short window with -100 labels and sums the model's own (mean) loss times the count."""
    ids = torch.as_tensor(token_ids)
    if context_window_size < 2 or batch_size < 1 or ids.numel() < 2:
        raise ValueError("bad arguments")
    windows = [w for w in ids.split(context_window_size) if w.numel() > 1]
    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for i in range(0, len(windows), batch_size):
            chunk = windows[i:i + batch_size]
            width = max(w.numel() for w in chunk)
            x = torch.zeros(len(chunk), width, dtype=torch.long)
            labels = torch.full((len(chunk), width), -100)
            mask = torch.zeros(len(chunk), width, dtype=torch.long)
            for r, w in enumerate(chunk):
                x[r, :w.numel()] = w
                labels[r, :w.numel()] = w
                mask[r, :w.numel()] = 1
            n = int((labels[:, 1:] != -100).sum())
            total += model(input_ids=x, attention_mask=mask, labels=labels).loss.double().item() * n
            count += n
    return math.exp(total / count)


def perplexity_float64_one_window_at_a_time(model, token_ids, context_window_size, batch_size):
    """Ignores batch_size for the computation (one window per forward pass), sums log-probs in float64."""
    ids = torch.as_tensor(token_ids)
    if context_window_size < 2 or batch_size < 1 or len(ids) < 2:
        raise ValueError("bad arguments")
    logp_sum, n = torch.zeros((), dtype=torch.float64), 0
    model.eval()
    with torch.no_grad():
        for s in range(0, len(ids), context_window_size):
            w = ids[s:s + context_window_size]
            if len(w) < 2:
                continue
            logp = torch.log_softmax(model(w[None]).logits[0, :-1].double(), -1)
            logp_sum += logp.gather(1, w[1:, None]).sum()
            n += len(w) - 1
    return math.exp(-logp_sum.item() / n)


CORRECT = {
    "reference": REFERENCE,
    "written_differently": {
        "split_tokens": split_with_lists,
        "sample_batch": sample_with_unfold,
        "train_step": train_step_manual_loss,
        "perplexity": perplexity_padded_hf_loss,
    },
    "float64_per_window": {**REFERENCE, "perplexity": perplexity_float64_one_window_at_a_time},
}


# ---------------------------------------------------------------------------------------- wrong

def _validate(ids, context_window_size, batch_size):
    if context_window_size < 2 or batch_size < 1 or len(ids) < 2:
        raise ValueError("bad arguments")


def perplexity_mean_per_batch(model, token_ids, context_window_size, batch_size):
    """The original's mistake: the mean of each batch's mean loss."""
    ids = torch.as_tensor(token_ids)
    _validate(ids, context_window_size, batch_size)
    windows = [w for w in ids.split(context_window_size) if len(w) > 1]
    losses = []
    with torch.no_grad():
        for i in range(0, len(windows), batch_size):
            chunk = windows[i:i + batch_size]
            nll, n = 0.0, 0
            for w in chunk:
                nll += F.cross_entropy(model(w[None]).logits[0, :-1], w[1:], reduction="sum").item()
                n += len(w) - 1
            losses.append(nll / n)
    return math.exp(sum(losses) / len(losses))


def perplexity_overlapping_windows(model, token_ids, context_window_size, batch_size):
    """Windows every T // 2 tokens, every token of each window scored: the middle ones twice."""
    ids = torch.as_tensor(token_ids)
    _validate(ids, context_window_size, batch_size)
    stride = max(1, context_window_size // 2)
    nll, n = 0.0, 0
    with torch.no_grad():
        for s in range(0, max(1, len(ids) - 1), stride):
            w = ids[s:s + context_window_size]
            if len(w) < 2:
                continue
            nll += F.cross_entropy(model(w[None]).logits[0, :-1], w[1:], reduction="sum").item()
            n += len(w) - 1
    return math.exp(nll / n)


def perplexity_skips_the_tail(model, token_ids, context_window_size, batch_size):
    """Only full windows: the last, shorter one is dropped."""
    ids = torch.as_tensor(token_ids)
    _validate(ids, context_window_size, batch_size)
    windows = [w for w in ids.split(context_window_size) if len(w) == context_window_size] or [ids]
    x = torch.stack(windows) if len(windows) > 1 else windows[0][None]
    with torch.no_grad():
        logits = model(x).logits[:, :-1]
        return math.exp(F.cross_entropy(logits.flatten(0, 1), x[:, 1:].flatten()).item())


def train_step_labels_shifted_twice(model, batch, optimizer):
    """Shifts the labels by hand, then the model shifts them again: predicts two tokens ahead."""
    model.train()
    optimizer.zero_grad()
    loss = model(input_ids=batch[:, :-1], labels=batch[:, 1:]).loss
    loss.backward()
    optimizer.step()
    return loss.item()


def train_step_no_zero_grad(model, batch, optimizer):
    """Never clears the gradients: each step applies the sum of all earlier gradients."""
    model.train()
    loss = model(input_ids=batch, labels=batch).loss
    loss.backward()
    optimizer.step()
    return loss.item()


def train_step_returns_tensor(model, batch, optimizer):
    model.train()
    optimizer.zero_grad()
    loss = model(input_ids=batch, labels=batch).loss
    loss.backward()
    optimizer.step()
    return loss


def split_rounds(token_ids, train_ratio=0.8):
    ids = torch.as_tensor(token_ids)
    if not 0 < train_ratio < 1:
        raise ValueError("train_ratio")
    k = round(train_ratio * len(ids)) + 1  # one token too many for training
    if k <= 0 or k >= len(ids):
        raise ValueError("empty part")
    return ids[:k], ids[k:]


def sample_never_last_start(token_ids, batch_size, context_window_size, generator=None):
    """Off by one: the last possible window is never drawn."""
    ids = torch.as_tensor(token_ids)
    if batch_size < 1 or context_window_size < 2 or len(ids) < context_window_size:
        raise ValueError("bad sizes")
    starts = torch.randint(0, max(1, len(ids) - context_window_size), (batch_size,), generator=generator)
    return torch.stack([ids[s:s + context_window_size] for s in starts])


def sample_ignores_generator(token_ids, batch_size, context_window_size, generator=None):
    ids = torch.as_tensor(token_ids)
    if batch_size < 1 or context_window_size < 2 or len(ids) < context_window_size:
        raise ValueError("bad sizes")
    starts = torch.randint(0, len(ids) - context_window_size + 1, (batch_size,))
    return torch.stack([ids[s:s + context_window_size] for s in starts])


def split_without_checks(token_ids, train_ratio=0.8):
    """Right on every valid input; never raises (an empty part, a ratio of 1.2: whatever slicing gives)."""
    ids = torch.as_tensor(token_ids).long()
    k = int(train_ratio * len(ids))
    return ids[:k], ids[k:]


def sample_without_checks(token_ids, batch_size, context_window_size, generator=None):
    """Right on every valid input; leaves bad sizes to torch (which raises RuntimeError, or returns nonsense)."""
    ids = torch.as_tensor(token_ids)
    starts = torch.randint(0, len(ids) - context_window_size + 1, (batch_size,), generator=generator)
    return torch.stack([ids[s:s + context_window_size] for s in starts.tolist()]) if batch_size > 0 \
        else torch.empty(0, context_window_size, dtype=torch.long)


def perplexity_without_checks(model, token_ids, context_window_size, batch_size):
    """The reference's computation without its ValueErrors: a single token divides by zero."""
    ids = torch.as_tensor(token_ids)
    windows = [w for w in ids.split(max(context_window_size, 1)) if len(w) > 1]
    nll, n = 0.0, 0
    model.eval()
    with torch.no_grad():
        for w in windows:
            nll += F.cross_entropy(model(w[None]).logits[0, :-1].double(), w[1:], reduction="sum").item()
            n += len(w) - 1
    return math.exp(nll / n)


def train_step_no_train_mode(model, batch, optimizer):
    """Forgets model.train(): a model left in evaluation mode trains with its dropout off."""
    optimizer.zero_grad()
    loss = model(input_ids=batch, labels=batch).loss
    loss.backward()
    optimizer.step()
    return loss.item()


def perplexity_no_eval_mode(model, token_ids, context_window_size, batch_size):
    """Forgets model.eval(): a model left in training mode is measured with its dropout on."""
    training = model.training
    model.train(training)  # a no-op, and no model.eval()
    ids = torch.as_tensor(token_ids)
    if context_window_size < 2 or batch_size < 1 or ids.numel() < 2:
        raise ValueError("bad arguments")
    nll, n = 0.0, 0
    with torch.no_grad():
        for w in (w for w in ids.split(context_window_size) if len(w) > 1):
            nll += F.cross_entropy(model(w[None]).logits[0, :-1].double(), w[1:], reduction="sum").item()
            n += len(w) - 1
    return math.exp(nll / n)


def split_float_tensors(token_ids, train_ratio=0.8):
    """The right parts, built with torch.Tensor(...): float32, not LongTensors."""
    train, validation = reference.split_tokens(token_ids, train_ratio)
    return torch.Tensor(train.tolist()), torch.Tensor(validation.tolist())


DATA, STEP, PPL, INPUTS = "check_data", "check_train_step", "check_perplexity", "check_input_checks"

# name -> (implementation, the check that must fail, the checks that must still pass)
WRONG = {
    "perplexity_mean_per_batch": ({**REFERENCE, "perplexity": perplexity_mean_per_batch}, PPL, (DATA, STEP, INPUTS)),
    "perplexity_overlapping_windows": ({**REFERENCE, "perplexity": perplexity_overlapping_windows}, PPL, (DATA, STEP, INPUTS)),
    "perplexity_skips_the_tail": ({**REFERENCE, "perplexity": perplexity_skips_the_tail}, PPL, (DATA, STEP, INPUTS)),
    "train_step_labels_shifted_twice": ({**REFERENCE, "train_step": train_step_labels_shifted_twice}, STEP, (DATA, PPL, INPUTS)),
    "train_step_no_zero_grad": ({**REFERENCE, "train_step": train_step_no_zero_grad}, STEP, (DATA, PPL, INPUTS)),
    "train_step_returns_tensor": ({**REFERENCE, "train_step": train_step_returns_tensor}, STEP, (DATA, PPL, INPUTS)),
    "train_step_no_train_mode": ({**REFERENCE, "train_step": train_step_no_train_mode}, STEP, (DATA, PPL, INPUTS)),
    "perplexity_no_eval_mode": ({**REFERENCE, "perplexity": perplexity_no_eval_mode}, PPL, (DATA, STEP, INPUTS)),
    "split_float_tensors": ({**REFERENCE, "split_tokens": split_float_tensors}, DATA, (STEP, PPL, INPUTS)),
    "split_off_by_one": ({**REFERENCE, "split_tokens": split_rounds}, DATA, (STEP, PPL, INPUTS)),
    "sample_never_last_start": ({**REFERENCE, "sample_batch": sample_never_last_start}, DATA, (STEP, PPL, INPUTS)),
    "sample_ignores_generator": ({**REFERENCE, "sample_batch": sample_ignores_generator}, DATA, (STEP, PPL, INPUTS)),
    # right computations, missing raises: only the input-checks part is lost
    "no_value_errors": ({**REFERENCE, "split_tokens": split_without_checks, "sample_batch": sample_without_checks,
                         "perplexity": perplexity_without_checks}, INPUTS, (DATA, STEP, PPL)),
    "perplexity_no_value_error": ({**REFERENCE, "perplexity": perplexity_without_checks}, INPUTS, (DATA, STEP, PPL)),
}
