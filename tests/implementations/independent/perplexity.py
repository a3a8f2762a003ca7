"""7_1_evaluation_quantitative_perplexity: implementations written from the release notebook alone (independently
written; the author saw neither source/, solutions/ nor graders/). The correct ones differ in how a window is scored
(the model's own loss with -100 labels times the count, a float64 log-softmax and gather, per-token float32 cross
entropies summed with math.fsum) and in the loop (for over starts with a break, precomputed window list, while)."""

ASSIGNMENT = "7_1_evaluation_quantitative_perplexity"

_HF_LOSS = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if stride is None:
        stride = context_window_size
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 tokens, got {n}")
    total_nll, n_scored = 0.0, 0
    prev_end = 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            input_ids = token_ids[begin:end].unsqueeze(0).to(model.device)
            labels = input_ids.clone()
            new_tokens = end - prev_end
            labels[:, :-new_tokens] = -100
            scored = int((labels[:, 1:] != -100).sum())
            if scored > 0:
                loss = model(input_ids=input_ids, labels=labels).loss
                total_nll += loss.item() * scored
                n_scored += scored
            prev_end = end
            if end == n:
                break
    return math.exp(total_nll / n_scored)
'''

_GATHER_F64 = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    window = int(context_window_size)
    if window < 2:
        raise ValueError("context_window_size must be >= 2")
    step = window if stride is None else stride
    if step < 1 or step > window:
        raise ValueError("stride must lie in 1..context_window_size")
    n_tokens = len(token_ids)
    if n_tokens < 2:
        raise ValueError("perplexity needs at least two tokens")
    # (begin, end, first scored position inside the window)
    windows = []
    covered = 0
    begin = 0
    while True:
        end = min(begin + window, n_tokens)
        windows.append((begin, end, max(covered - begin, 1)))
        covered = end
        if end >= n_tokens:
            break
        begin += step
    device = next(model.parameters()).device
    nll = torch.zeros((), dtype=torch.float64)
    count = 0
    with torch.no_grad():
        for begin, end, first in windows:
            if first >= end - begin:
                continue
            chunk = token_ids[begin:end].to(device)
            logits = model(input_ids=chunk[None]).logits[0].to(torch.float64)
            logp = torch.log_softmax(logits[first - 1:-1], dim=-1)
            targets = chunk[first:]
            nll -= logp.gather(1, targets[:, None]).sum().cpu()
            count += targets.numel()
    return float(torch.exp(nll / count))
'''

_PER_TOKEN_FSUM = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    ids = torch.as_tensor(token_ids)
    if context_window_size < 2:
        raise ValueError("the context window must hold at least two tokens")
    stride = context_window_size if stride is None else stride
    if stride < 1:
        raise ValueError("stride must be positive")
    if stride > context_window_size:
        raise ValueError("a stride larger than the window would skip tokens")
    if ids.numel() < 2:
        raise ValueError("at least two tokens are needed")
    length = ids.numel()
    losses = []
    scored_until = 1          # tokens before this index are scored (token 0 never is)
    begin = 0
    with torch.no_grad():
        while True:
            end = min(begin + context_window_size, length)
            if end > scored_until:
                chunk = ids[begin:end].to(model.device)
                logits = model(input_ids=chunk.unsqueeze(0)).logits[0].float()
                # logits at local position j predict the token at local position j + 1
                start = max(scored_until, begin + 1)
                targets = chunk[start - begin:]
                predicting = logits[start - begin - 1:end - begin - 1]
                losses.extend(F.cross_entropy(predicting, targets, reduction="none").tolist())
                scored_until = end
            if end == length:
                break
            begin += stride
    return math.exp(math.fsum(losses) / len(losses))
'''

# ---- wrong: one window
_NO_SHIFT = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    window = int(context_window_size)
    if window < 2:
        raise ValueError("context_window_size must be >= 2")
    step = window if stride is None else stride
    if step < 1 or step > window:
        raise ValueError("stride must lie in 1..context_window_size")
    n_tokens = len(token_ids)
    if n_tokens < 2:
        raise ValueError("perplexity needs at least two tokens")
    windows = []
    covered = 0
    begin = 0
    while True:
        end = min(begin + window, n_tokens)
        windows.append((begin, end, max(covered - begin, 1)))
        covered = end
        if end >= n_tokens:
            break
        begin += step
    device = next(model.parameters()).device
    nll = torch.zeros((), dtype=torch.float64)
    count = 0
    with torch.no_grad():
        for begin, end, first in windows:
            if first >= end - begin:
                continue
            chunk = token_ids[begin:end].to(device)
            logits = model(input_ids=chunk[None]).logits[0].to(torch.float64)
            logp = torch.log_softmax(logits[first:], dim=-1)
            targets = chunk[first:]
            nll -= logp.gather(1, targets[:, None]).sum().cpu()
            count += targets.numel()
    return float(torch.exp(nll / count))
'''

_COUNTS_FIRST_TOKEN = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if stride is None:
        stride = context_window_size
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 tokens, got {n}")
    total_nll, n_scored = 0.0, 0
    prev_end = 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            input_ids = token_ids[begin:end].unsqueeze(0).to(model.device)
            labels = input_ids.clone()
            new_tokens = end - prev_end
            labels[:, :-new_tokens] = -100
            scored = int((labels[:, 1:] != -100).sum())
            if scored > 0:
                loss = model(input_ids=input_ids, labels=labels).loss
                total_nll += loss.item() * scored
                n_scored += scored
            prev_end = end
            if end == n:
                break
    return math.exp(total_nll / (n_scored + 1))
'''

_BASE_2 = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if stride is None:
        stride = context_window_size
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 tokens, got {n}")
    total_nll, n_scored = 0.0, 0
    prev_end = 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            input_ids = token_ids[begin:end].unsqueeze(0).to(model.device)
            labels = input_ids.clone()
            new_tokens = end - prev_end
            labels[:, :-new_tokens] = -100
            scored = int((labels[:, 1:] != -100).sum())
            if scored > 0:
                loss = model(input_ids=input_ids, labels=labels).loss
                total_nll += loss.item() * scored
                n_scored += scored
            prev_end = end
            if end == n:
                break
    return 2 ** (total_nll / n_scored)
'''

_RETURNS_TENSOR = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    window = int(context_window_size)
    if window < 2:
        raise ValueError("context_window_size must be >= 2")
    step = window if stride is None else stride
    if step < 1 or step > window:
        raise ValueError("stride must lie in 1..context_window_size")
    n_tokens = len(token_ids)
    if n_tokens < 2:
        raise ValueError("perplexity needs at least two tokens")
    windows = []
    covered = 0
    begin = 0
    while True:
        end = min(begin + window, n_tokens)
        windows.append((begin, end, max(covered - begin, 1)))
        covered = end
        if end >= n_tokens:
            break
        begin += step
    device = next(model.parameters()).device
    nll = torch.zeros((), dtype=torch.float64)
    count = 0
    with torch.no_grad():
        for begin, end, first in windows:
            if first >= end - begin:
                continue
            chunk = token_ids[begin:end].to(device)
            logits = model(input_ids=chunk[None]).logits[0].to(torch.float64)
            logp = torch.log_softmax(logits[first - 1:-1], dim=-1)
            targets = chunk[first:]
            nll -= logp.gather(1, targets[:, None]).sum().cpu()
            count += targets.numel()
    return torch.exp(nll / count)
'''

# ---- wrong: input checks
_NO_TOKEN_CHECK = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if stride is None:
        stride = context_window_size
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    total_nll, n_scored = 0.0, 0
    prev_end = 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            input_ids = token_ids[begin:end].unsqueeze(0).to(model.device)
            labels = input_ids.clone()
            new_tokens = end - prev_end
            labels[:, :-new_tokens] = -100
            scored = int((labels[:, 1:] != -100).sum())
            if scored > 0:
                loss = model(input_ids=input_ids, labels=labels).loss
                total_nll += loss.item() * scored
                n_scored += scored
            prev_end = end
            if end == n:
                break
    return math.exp(total_nll / n_scored)
'''

_LARGE_STRIDE_ALLOWED = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    ids = torch.as_tensor(token_ids)
    if context_window_size < 2:
        raise ValueError("the context window must hold at least two tokens")
    stride = context_window_size if stride is None else stride
    if stride < 1:
        raise ValueError("stride must be positive")
    if ids.numel() < 2:
        raise ValueError("at least two tokens are needed")
    length = ids.numel()
    losses = []
    scored_until = 1
    begin = 0
    with torch.no_grad():
        while True:
            end = min(begin + context_window_size, length)
            if end > scored_until:
                chunk = ids[begin:end].to(model.device)
                logits = model(input_ids=chunk.unsqueeze(0)).logits[0].float()
                start = max(scored_until, begin + 1)
                targets = chunk[start - begin:]
                predicting = logits[start - begin - 1:end - begin - 1]
                losses.extend(F.cross_entropy(predicting, targets, reduction="none").tolist())
                scored_until = end
            if end == length:
                break
            begin += stride
    return math.exp(math.fsum(losses) / len(losses))
'''

_WINDOW_CHECK_OFF = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 1:
        raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
    if stride is None:
        stride = context_window_size
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 tokens, got {n}")
    total_nll, n_scored = 0.0, 0
    prev_end = 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            input_ids = token_ids[begin:end].unsqueeze(0).to(model.device)
            labels = input_ids.clone()
            new_tokens = end - prev_end
            labels[:, :-new_tokens] = -100
            scored = int((labels[:, 1:] != -100).sum())
            if scored > 0:
                loss = model(input_ids=input_ids, labels=labels).loss
                total_nll += loss.item() * scored
                n_scored += scored
            prev_end = end
            if end == n:
                break
    return math.exp(total_nll / n_scored)
'''

# ---- wrong: non-overlapping windows
_MEAN_OF_WINDOWS = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if stride is None:
        stride = context_window_size
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 tokens, got {n}")
    window_losses = []
    prev_end = 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            input_ids = token_ids[begin:end].unsqueeze(0).to(model.device)
            labels = input_ids.clone()
            new_tokens = end - prev_end
            labels[:, :-new_tokens] = -100
            scored = int((labels[:, 1:] != -100).sum())
            if scored > 0:
                window_losses.append(model(input_ids=input_ids, labels=labels).loss.item())
            prev_end = end
            if end == n:
                break
    return math.exp(sum(window_losses) / len(window_losses))
'''

_STRIDE_DEFAULT_HALF = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if stride is None:
        stride = context_window_size // 2
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 tokens, got {n}")
    total_nll, n_scored = 0.0, 0
    prev_end = 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            input_ids = token_ids[begin:end].unsqueeze(0).to(model.device)
            labels = input_ids.clone()
            new_tokens = end - prev_end
            labels[:, :-new_tokens] = -100
            scored = int((labels[:, 1:] != -100).sum())
            if scored > 0:
                loss = model(input_ids=input_ids, labels=labels).loss
                total_nll += loss.item() * scored
                n_scored += scored
            prev_end = end
            if end == n:
                break
    return math.exp(total_nll / n_scored)
'''

_DROPS_LAST_WINDOW = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    window = int(context_window_size)
    if window < 2:
        raise ValueError("context_window_size must be >= 2")
    step = window if stride is None else stride
    if step < 1 or step > window:
        raise ValueError("stride must lie in 1..context_window_size")
    n_tokens = len(token_ids)
    if n_tokens < 2:
        raise ValueError("perplexity needs at least two tokens")
    windows = []
    covered = 0
    for begin in range(0, max(n_tokens - window, 0) + 1, step):
        end = min(begin + window, n_tokens)
        windows.append((begin, end, max(covered - begin, 1)))
        covered = end
    device = next(model.parameters()).device
    nll = torch.zeros((), dtype=torch.float64)
    count = 0
    with torch.no_grad():
        for begin, end, first in windows:
            if first >= end - begin:
                continue
            chunk = token_ids[begin:end].to(device)
            logits = model(input_ids=chunk[None]).logits[0].to(torch.float64)
            logp = torch.log_softmax(logits[first - 1:-1], dim=-1)
            targets = chunk[first:]
            nll -= logp.gather(1, targets[:, None]).sum().cpu()
            count += targets.numel()
    return float(torch.exp(nll / count))
'''

_TRG_LEN_WEIGHT = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if stride is None:
        stride = context_window_size
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 tokens, got {n}")
    total_nll, n_scored = 0.0, 0
    prev_end = 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            input_ids = token_ids[begin:end].unsqueeze(0).to(model.device)
            labels = input_ids.clone()
            new_tokens = end - prev_end
            labels[:, :-new_tokens] = -100
            scored = int((labels[:, 1:] != -100).sum())
            if scored > 0:
                loss = model(input_ids=input_ids, labels=labels).loss
                total_nll += loss.item() * new_tokens
                n_scored += new_tokens
            prev_end = end
            if end == n:
                break
    return math.exp(total_nll / n_scored)
'''

# ---- wrong: sliding windows
_NO_CONTEXT_MASK = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if stride is None:
        stride = context_window_size
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 tokens, got {n}")
    total_nll, n_scored = 0.0, 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            input_ids = token_ids[begin:end].unsqueeze(0).to(model.device)
            labels = input_ids.clone()
            scored = int((labels[:, 1:] != -100).sum())
            if scored > 0:
                loss = model(input_ids=input_ids, labels=labels).loss
                total_nll += loss.item() * scored
                n_scored += scored
            if end == n:
                break
    return math.exp(total_nll / n_scored)
'''

_MUTATES_INPUT = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if stride is None:
        stride = context_window_size
    if not 1 <= stride <= context_window_size:
        raise ValueError(f"stride must be in 1..{context_window_size}, got {stride}")
    n = token_ids.shape[0]
    if n < 2:
        raise ValueError(f"need at least 2 tokens, got {n}")
    total_nll, n_scored = 0.0, 0
    prev_end = 0
    with torch.no_grad():
        for begin in range(0, n, stride):
            end = min(begin + context_window_size, n)
            window = token_ids[begin:end]
            logits = model(input_ids=window[None].to(model.device)).logits[0, :-1].float()
            targets = window[1:]
            n_context = max(prev_end - begin - 1, 0)
            targets[:n_context] = -100                 # context only: already scored
            scored = int((targets != -100).sum())
            if scored > 0:
                total_nll += F.cross_entropy(logits, targets.to(logits.device), ignore_index=-100,
                                             reduction="sum").item()
                n_scored += scored
            prev_end = end
            if end == n:
                break
    return math.exp(total_nll / n_scored)
'''

_MASK_OFF_BY_ONE = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    window = int(context_window_size)
    if window < 2:
        raise ValueError("context_window_size must be >= 2")
    step = window if stride is None else stride
    if step < 1 or step > window:
        raise ValueError("stride must lie in 1..context_window_size")
    n_tokens = len(token_ids)
    if n_tokens < 2:
        raise ValueError("perplexity needs at least two tokens")
    windows = []
    covered = 0
    begin = 0
    while True:
        end = min(begin + window, n_tokens)
        windows.append((begin, end, max(covered - begin + 1, 1)))
        covered = end
        if end >= n_tokens:
            break
        begin += step
    device = next(model.parameters()).device
    nll = torch.zeros((), dtype=torch.float64)
    count = 0
    with torch.no_grad():
        for begin, end, first in windows:
            if first >= end - begin:
                continue
            chunk = token_ids[begin:end].to(device)
            logits = model(input_ids=chunk[None]).logits[0].to(torch.float64)
            logp = torch.log_softmax(logits[first - 1:-1], dim=-1)
            targets = chunk[first:]
            nll -= logp.gather(1, targets[:, None]).sum().cpu()
            count += targets.numel()
    return float(torch.exp(nll / count))
'''

_COUNT_WINDOW_LENGTH = '''
def perplexity(model, token_ids: Tensor, context_window_size: int, stride: int | None = None) -> float:
    """Sliding-window perplexity: each token scored once, token-weighted mean NLL, exponentiated."""
    ids = torch.as_tensor(token_ids)
    if context_window_size < 2:
        raise ValueError("the context window must hold at least two tokens")
    stride = context_window_size if stride is None else stride
    if stride < 1:
        raise ValueError("stride must be positive")
    if stride > context_window_size:
        raise ValueError("a stride larger than the window would skip tokens")
    if ids.numel() < 2:
        raise ValueError("at least two tokens are needed")
    length = ids.numel()
    total = 0.0
    count = 0
    scored_until = 1
    begin = 0
    with torch.no_grad():
        while True:
            end = min(begin + context_window_size, length)
            if end > scored_until:
                chunk = ids[begin:end].to(model.device)
                logits = model(input_ids=chunk.unsqueeze(0)).logits[0].float()
                start = max(scored_until, begin + 1)
                targets = chunk[start - begin:]
                predicting = logits[start - begin - 1:end - begin - 1]
                total += F.cross_entropy(predicting, targets, reduction="sum").item()
                count += end - begin - 1
                scored_until = end
            if end == length:
                break
            begin += stride
    return math.exp(total / count)
'''

#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    "hf_labels_loss": {"perplexity": _HF_LOSS},
    "logsoftmax_gather_float64": {"perplexity": _GATHER_F64},
    "per_token_ce_fsum": {"perplexity": _PER_TOKEN_FSUM},
}

#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    "no_shift": {
        "cells": {"perplexity": _NO_SHIFT},
        "loses": ["test_one_window", "test_non_overlapping", "test_sliding_window"],
        "bug": "the logits at position i score token i (no shift by one)",
    },
    "counts_one_extra_token": {
        "cells": {"perplexity": _COUNTS_FIRST_TOKEN},
        "loses": ["test_one_window", "test_non_overlapping", "test_sliding_window"],
        "bug": "divides the total NLL by the number of scored tokens + 1 (as if token 0 were scored)",
    },
    "base_two": {
        "cells": {"perplexity": _BASE_2},
        "loses": ["test_one_window", "test_non_overlapping", "test_sliding_window"],
        "bug": "returns 2 ** (mean NLL in nats) instead of exp",
    },
    "returns_tensor": {
        "cells": {"perplexity": _RETURNS_TENSOR},
        "loses": ["test_one_window"],
        "bug": "returns a 0-d float64 tensor instead of a Python float",
    },
    "no_token_count_check": {
        "cells": {"perplexity": _NO_TOKEN_CHECK},
        "loses": ["input-checks"],
        "bug": "fewer than 2 tokens is not rejected with ValueError (ZeroDivisionError instead)",
    },
    "stride_above_window_allowed": {
        "cells": {"perplexity": _LARGE_STRIDE_ALLOWED},
        "loses": ["input-checks"],
        "bug": "stride > context_window_size is not rejected",
    },
    "window_of_one_allowed": {
        "cells": {"perplexity": _WINDOW_CHECK_OFF},
        "loses": ["input-checks"],
        "bug": "the window check is `< 1`, so context_window_size == 1 is accepted",
    },
    "mean_of_window_losses": {
        "cells": {"perplexity": _MEAN_OF_WINDOWS},
        "loses": ["test_non_overlapping", "test_sliding_window"],
        "bug": "averages the window losses instead of weighting by the number of scored tokens",
    },
    "stride_none_is_half_window": {
        "cells": {"perplexity": _STRIDE_DEFAULT_HALF},
        "loses": ["test_non_overlapping"],
        "bug": "stride=None defaults to context_window_size // 2 instead of context_window_size",
    },
    "drops_last_partial_window": {
        "cells": {"perplexity": _DROPS_LAST_WINDOW},
        "loses": ["test_non_overlapping", "test_sliding_window"],
        "bug": "windows start only in range(0, N - window + 1, stride): the tail after the last full window is never scored",
    },
    "weights_by_target_length": {
        "cells": {"perplexity": _TRG_LEN_WEIGHT},
        "loses": ["test_non_overlapping", "test_sliding_window"],
        "bug": "weights each window by end - prev_end (counts the unscored first token of a window)",
    },
    "no_context_mask": {
        "cells": {"perplexity": _NO_CONTEXT_MASK},
        "loses": ["test_sliding_window"],
        "bug": "overlapping tokens are not masked with -100: they are scored again in every window",
    },
    "mutates_token_ids": {
        "cells": {"perplexity": _MUTATES_INPUT},
        "loses": ["test_sliding_window"],
        "bug": "writes -100 into a view of token_ids to mask the context (the caller's tensor is changed)",
    },
    "context_mask_off_by_one": {
        "cells": {"perplexity": _MASK_OFF_BY_ONE},
        "loses": ["test_sliding_window"],
        "bug": "masks one context token too many in every overlapping window: the first new token is never scored",
    },
    "counts_whole_window": {
        "cells": {"perplexity": _COUNT_WINDOW_LENGTH},
        "loses": ["test_sliding_window"],
        "bug": "counts window length - 1 tokens for every window, context tokens included",
    },
}
