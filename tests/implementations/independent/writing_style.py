"""5_1_fine_tuning_writing_style: implementations written from the release notebook alone (independently written; the
author saw neither source/, solutions/ nor graders/). The correct ones differ in how the data is cut (tensor slices,
Python lists, torch.split / unfold), how the loss is taken (the model's labels, cross-entropy by hand on shifted
logits) and how the perplexity sums the NLL (log_softmax + gather with the short window alone, a padded last batch with
ignore_index, the model's mean loss times the token count accumulated in float64)."""

ASSIGNMENT = "5_1_fine_tuning_writing_style"

# ----------------------------------------------------------------------------------------------------------------
# split_tokens + sample_batch (one solution cell)
# ----------------------------------------------------------------------------------------------------------------

_DATA_TENSOR = r'''def split_tokens(token_ids, train_ratio: float = 0.8) -> tuple[Tensor, Tensor]:
    """(the first int(train_ratio * n) token ids, the rest) as 1-D LongTensors."""
    if not 0 < train_ratio < 1:
        raise ValueError(f"train_ratio must be strictly between 0 and 1, got {train_ratio}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    cut = int(train_ratio * len(ids))
    if cut == 0 or cut == len(ids):
        raise ValueError(f"a split of {len(ids)} tokens at {train_ratio} leaves one part empty")
    return ids[:cut].clone(), ids[cut:].clone()


def sample_batch(token_ids, batch_size: int, context_window_size: int,
                 generator: torch.Generator | None = None) -> Tensor:
    """(batch_size, context_window_size) windows of token_ids at uniformly random starts."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    if len(ids) < context_window_size:
        raise ValueError(f"{len(ids)} tokens are fewer than a window of {context_window_size}")
    starts = torch.randint(len(ids) - context_window_size + 1, (batch_size,), generator=generator)
    return ids[starts[:, None] + torch.arange(context_window_size)]
'''

_DATA_LISTS = r'''def split_tokens(token_ids, train_ratio: float = 0.8) -> tuple[Tensor, Tensor]:
    """(the first int(train_ratio * n) token ids, the rest) as 1-D LongTensors."""
    if train_ratio <= 0 or train_ratio >= 1 or train_ratio != train_ratio:
        raise ValueError("train_ratio must be in the open interval (0, 1)")
    seq = token_ids.tolist() if isinstance(token_ids, Tensor) else list(token_ids)
    n = len(seq)
    cut = int(train_ratio * n)
    if not 0 < cut < n:
        raise ValueError(f"splitting {n} tokens with train_ratio={train_ratio} gives an empty part")
    return torch.tensor(seq[:cut], dtype=torch.long), torch.tensor(seq[cut:], dtype=torch.long)


def sample_batch(token_ids, batch_size: int, context_window_size: int,
                 generator: torch.Generator | None = None) -> Tensor:
    """(batch_size, context_window_size) windows of token_ids at uniformly random starts."""
    ids = token_ids if isinstance(token_ids, Tensor) else torch.tensor(list(token_ids), dtype=torch.long)
    T = context_window_size
    if batch_size < 1 or T < 2:
        raise ValueError(f"need batch_size >= 1 and context_window_size >= 2, got {batch_size} and {T}")
    if ids.shape[0] < T:
        raise ValueError("the sequence is shorter than one window")
    rows = []
    for s in torch.randint(0, ids.shape[0] - T + 1, (batch_size,), generator=generator).tolist():
        rows.append(ids[s:s + T])
    return torch.stack(rows).long()
'''

_DATA_SPLIT_UNFOLD = r'''def split_tokens(token_ids, train_ratio: float = 0.8) -> tuple[Tensor, Tensor]:
    """(the first int(train_ratio * n) token ids, the rest) as 1-D LongTensors."""
    if not (train_ratio > 0.0 and train_ratio < 1.0):
        raise ValueError(f"train_ratio={train_ratio} is not in (0, 1)")
    ids = token_ids if isinstance(token_ids, Tensor) else torch.tensor(token_ids)
    ids = ids.long()
    n = ids.shape[0]
    n_train = math.floor(train_ratio * n)
    if n_train < 1 or n - n_train < 1:
        raise ValueError("both the training and the validation part must hold at least one token")
    train, validation = torch.split(ids, [n_train, n - n_train])
    return train.clone(), validation.clone()


def sample_batch(token_ids, batch_size: int, context_window_size: int,
                 generator: torch.Generator | None = None) -> Tensor:
    """(batch_size, context_window_size) windows of token_ids at uniformly random starts."""
    if not batch_size >= 1:
        raise ValueError("batch_size must be >= 1")
    if not context_window_size >= 2:
        raise ValueError("context_window_size must be >= 2: one token to read, one to predict")
    ids = torch.as_tensor(token_ids).long()
    if ids.numel() < context_window_size:
        raise ValueError("token_ids is shorter than context_window_size")
    windows = ids.unfold(0, context_window_size, 1)     # every window: len - T + 1 rows
    return windows[torch.randint(windows.shape[0], (batch_size,), generator=generator)]
'''

# ----------------------------------------------------------------------------------------------------------------
# train_step
# ----------------------------------------------------------------------------------------------------------------

_TS_LABELS = r'''def train_step(model, batch: Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step of causal language modelling on batch (B, T); returns the loss."""
    model.train()
    device = next(model.parameters()).device
    batch = batch.to(device)
    optimizer.zero_grad()
    loss = model(input_ids=batch, labels=batch).loss
    loss.backward()
    optimizer.step()
    return loss.item()
'''

_TS_BY_HAND = r'''def train_step(model, batch: Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step of causal language modelling on batch (B, T); returns the loss."""
    model.train()
    batch = batch.to(model.device).long()
    optimizer.zero_grad(set_to_none=True)
    logits = model(input_ids=batch).logits
    # position t predicts token t + 1
    loss = F.cross_entropy(logits[:, :-1].flatten(0, 1).float(), batch[:, 1:].flatten())
    loss.backward()
    optimizer.step()
    return float(loss.detach())
'''

_TS_VALUE_FIRST = r'''def train_step(model, batch: Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step of causal language modelling on batch (B, T); returns the loss."""
    optimizer.zero_grad(set_to_none=False)
    model.train(True)
    on_device = batch.to(next(model.parameters()).device)
    out = model(on_device, labels=on_device)
    loss = out["loss"]
    value = loss.detach().cpu().item()
    loss.backward()
    optimizer.step()
    return value
'''

# ----------------------------------------------------------------------------------------------------------------
# perplexity
# ----------------------------------------------------------------------------------------------------------------

_PPL_GATHER = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    n = len(ids)
    if n < 2:
        raise ValueError(f"need at least two tokens, got {n}")
    T = context_window_size
    device = next(model.parameters()).device
    n_full = n // T
    full = ids[: n_full * T].reshape(n_full, T)
    rest = ids[n_full * T:]

    def nll_sum(windows):
        logits = model(input_ids=windows.to(device)).logits.float()
        log_probs = torch.log_softmax(logits[:, :-1], dim=-1)
        targets = windows[:, 1:].to(device)
        return -log_probs.gather(-1, targets.unsqueeze(-1)).sum().item(), targets.numel()

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, n_full, batch_size):
            s, c = nll_sum(full[i:i + batch_size])
            total, count = total + s, count + c
        if len(rest) >= 2:   # the short last window, on its own
            s, c = nll_sum(rest[None, :])
            total, count = total + s, count + c
    return math.exp(total / count)
'''

_PPL_PADDED = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    T = context_window_size
    if T < 2 or batch_size < 1:
        raise ValueError(f"need context_window_size >= 2 and batch_size >= 1, got {T} and {batch_size}")
    seq = token_ids.tolist() if isinstance(token_ids, Tensor) else list(token_ids)
    if len(seq) < 2:
        raise ValueError("perplexity needs at least two tokens")
    windows = [seq[s:s + T] for s in range(0, len(seq), T)]
    windows = [w for w in windows if len(w) > 1]        # a lone last token predicts nothing
    device = next(model.parameters()).device
    model.eval()
    nll, predicted = 0.0, 0
    with torch.no_grad():
        for b in range(0, len(windows), batch_size):
            group = windows[b:b + batch_size]
            width = max(len(w) for w in group)
            inputs = torch.zeros(len(group), width, dtype=torch.long)
            labels = torch.full((len(group), width), -100, dtype=torch.long)
            for r, w in enumerate(group):
                inputs[r, :len(w)] = torch.tensor(w)
                labels[r, :len(w)] = torch.tensor(w)
            inputs, labels = inputs.to(device), labels.to(device)
            logits = model(input_ids=inputs).logits          # causal: right padding cannot reach real tokens
            nll += F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)).float(), labels[:, 1:].reshape(-1),
                                   ignore_index=-100, reduction="sum").item()
            predicted += int((labels[:, 1:] != -100).sum())
    return math.exp(nll / predicted)
'''

_PPL_FSUM = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    if not context_window_size >= 2:
        raise ValueError("context_window_size must be >= 2")
    if not batch_size >= 1:
        raise ValueError("batch_size must be >= 1")
    ids = torch.as_tensor(token_ids).long().reshape(-1)
    if ids.numel() < 2:
        raise ValueError("fewer than two tokens: nothing to predict")
    pieces = torch.split(ids, context_window_size)     # consecutive, the last one may be shorter
    full = [w for w in pieces if len(w) == context_window_size]
    short = [w for w in pieces if 1 < len(w) < context_window_size]
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    sums = []   # NLL sums in float64, one per forward pass
    count = 0
    with torch.no_grad():
        groups = [torch.stack(full[i:i + batch_size]) for i in range(0, len(full), batch_size)]
        groups += [w.unsqueeze(0) for w in short]
        for g in groups:
            g = g.to(device)
            n_pred = g.shape[0] * (g.shape[1] - 1)
            mean_loss = model(input_ids=g, labels=g).loss     # the model shifts the labels itself
            sums.append(mean_loss.double().item() * n_pred)
            count += n_pred
    model.train(was_training)
    return math.exp(math.fsum(sums) / count)
'''

CORRECT = {
    "tensor_labels_gather": {
        "data_functions": _DATA_TENSOR,
        "train_step": _TS_LABELS,
        "perplexity": _PPL_GATHER,
    },
    "lists_byhand_padded": {
        "data_functions": _DATA_LISTS,
        "train_step": _TS_BY_HAND,
        "perplexity": _PPL_PADDED,
    },
    "unfold_valuefirst_fsum": {
        "data_functions": _DATA_SPLIT_UNFOLD,
        "train_step": _TS_VALUE_FIRST,
        "perplexity": _PPL_FSUM,
    },
}

# ----------------------------------------------------------------------------------------------------------------
# wrong variants
# ----------------------------------------------------------------------------------------------------------------

_SAMPLE_OK_TENSOR = r'''

def sample_batch(token_ids, batch_size: int, context_window_size: int,
                 generator: torch.Generator | None = None) -> Tensor:
    """(batch_size, context_window_size) windows of token_ids at uniformly random starts."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    if len(ids) < context_window_size:
        raise ValueError(f"{len(ids)} tokens are fewer than a window of {context_window_size}")
    starts = torch.randint(len(ids) - context_window_size + 1, (batch_size,), generator=generator)
    return ids[starts[:, None] + torch.arange(context_window_size)]
'''

_SPLIT_OK_TENSOR = r'''def split_tokens(token_ids, train_ratio: float = 0.8) -> tuple[Tensor, Tensor]:
    """(the first int(train_ratio * n) token ids, the rest) as 1-D LongTensors."""
    if not 0 < train_ratio < 1:
        raise ValueError(f"train_ratio must be strictly between 0 and 1, got {train_ratio}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    cut = int(train_ratio * len(ids))
    if cut == 0 or cut == len(ids):
        raise ValueError(f"a split of {len(ids)} tokens at {train_ratio} leaves one part empty")
    return ids[:cut].clone(), ids[cut:].clone()

'''

_DATA_W_LAST_START = _SPLIT_OK_TENSOR + r'''
def sample_batch(token_ids, batch_size: int, context_window_size: int,
                 generator: torch.Generator | None = None) -> Tensor:
    """(batch_size, context_window_size) windows of token_ids at uniformly random starts."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    if len(ids) < context_window_size:
        raise ValueError(f"{len(ids)} tokens are fewer than a window of {context_window_size}")
    starts = torch.randint(len(ids) - context_window_size, (batch_size,), generator=generator)
    return ids[starts[:, None] + torch.arange(context_window_size)]
'''

_DATA_W_NO_GENERATOR = _SPLIT_OK_TENSOR + r'''
def sample_batch(token_ids, batch_size: int, context_window_size: int,
                 generator: torch.Generator | None = None) -> Tensor:
    """(batch_size, context_window_size) windows of token_ids at uniformly random starts."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    if len(ids) < context_window_size:
        raise ValueError(f"{len(ids)} tokens are fewer than a window of {context_window_size}")
    starts = torch.randint(len(ids) - context_window_size + 1, (batch_size,))
    return ids[starts[:, None] + torch.arange(context_window_size)]
'''

_DATA_W_ROUND = r'''def split_tokens(token_ids, train_ratio: float = 0.8) -> tuple[Tensor, Tensor]:
    """(the first int(train_ratio * n) token ids, the rest) as 1-D LongTensors."""
    if not 0 < train_ratio < 1:
        raise ValueError(f"train_ratio must be strictly between 0 and 1, got {train_ratio}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    cut = round(train_ratio * len(ids))
    if cut == 0 or cut == len(ids):
        raise ValueError(f"a split of {len(ids)} tokens at {train_ratio} leaves one part empty")
    return ids[:cut].clone(), ids[cut:].clone()
''' + _SAMPLE_OK_TENSOR

_DATA_W_FLOAT = r'''def split_tokens(token_ids, train_ratio: float = 0.8) -> tuple[Tensor, Tensor]:
    """(the first int(train_ratio * n) token ids, the rest) as 1-D LongTensors."""
    if train_ratio <= 0 or train_ratio >= 1 or train_ratio != train_ratio:
        raise ValueError("train_ratio must be in the open interval (0, 1)")
    seq = token_ids.tolist() if isinstance(token_ids, Tensor) else list(token_ids)
    n = len(seq)
    cut = int(train_ratio * n)
    if not 0 < cut < n:
        raise ValueError(f"splitting {n} tokens with train_ratio={train_ratio} gives an empty part")
    return torch.Tensor(seq[:cut]), torch.Tensor(seq[cut:])
''' + _SAMPLE_OK_TENSOR

_DATA_W_TUPLE = _SPLIT_OK_TENSOR + r'''
def sample_batch(token_ids, batch_size: int, context_window_size: int,
                 generator: torch.Generator | None = None) -> Tensor:
    """(batch_size, context_window_size) windows of token_ids at uniformly random starts."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    if len(ids) < context_window_size:
        raise ValueError(f"{len(ids)} tokens are fewer than a window of {context_window_size}")
    starts = torch.randint(len(ids) - context_window_size + 1, (batch_size,), generator=generator)
    return ids[starts[:, None] + torch.arange(context_window_size)].int()
'''

_DATA_W_NO_EMPTY_CHECK = r'''def split_tokens(token_ids, train_ratio: float = 0.8) -> tuple[Tensor, Tensor]:
    """(the first int(train_ratio * n) token ids, the rest) as 1-D LongTensors."""
    if not 0 < train_ratio < 1:
        raise ValueError(f"train_ratio must be strictly between 0 and 1, got {train_ratio}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    cut = int(train_ratio * len(ids))
    return ids[:cut].clone(), ids[cut:].clone()
''' + _SAMPLE_OK_TENSOR

_DATA_W_WINDOW_ONE = _SPLIT_OK_TENSOR + r'''
def sample_batch(token_ids, batch_size: int, context_window_size: int,
                 generator: torch.Generator | None = None) -> Tensor:
    """(batch_size, context_window_size) windows of token_ids at uniformly random starts."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 1:
        raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    if len(ids) < context_window_size:
        raise ValueError(f"{len(ids)} tokens are fewer than a window of {context_window_size}")
    starts = torch.randint(len(ids) - context_window_size + 1, (batch_size,), generator=generator)
    return ids[starts[:, None] + torch.arange(context_window_size)]
'''

_DATA_W_NO_RATIO_CHECK = r'''def split_tokens(token_ids, train_ratio: float = 0.8) -> tuple[Tensor, Tensor]:
    """(the first int(train_ratio * n) token ids, the rest) as 1-D LongTensors."""
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    train, validation = ids[:int(train_ratio * len(ids))], ids[int(train_ratio * len(ids)):]
    if len(train) == 0 or len(validation) == 0:
        raise ValueError(f"train_ratio={train_ratio} leaves one part empty")
    return train.clone(), validation.clone()
''' + _SAMPLE_OK_TENSOR

_TS_W_DOUBLE_SHIFT = r'''def train_step(model, batch: Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step of causal language modelling on batch (B, T); returns the loss."""
    model.train()
    device = next(model.parameters()).device
    batch = batch.to(device)
    optimizer.zero_grad()
    loss = model(input_ids=batch[:, :-1], labels=batch[:, 1:]).loss
    loss.backward()
    optimizer.step()
    return loss.item()
'''

_TS_W_NO_ZERO_GRAD = r'''def train_step(model, batch: Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step of causal language modelling on batch (B, T); returns the loss."""
    model.train()
    device = next(model.parameters()).device
    batch = batch.to(device)
    loss = model(input_ids=batch, labels=batch).loss
    loss.backward()
    optimizer.step()
    return loss.item()
'''

_TS_W_ZERO_AFTER_BACKWARD = r'''def train_step(model, batch: Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step of causal language modelling on batch (B, T); returns the loss."""
    model.train()
    device = next(model.parameters()).device
    batch = batch.to(device)
    loss = model(input_ids=batch, labels=batch).loss
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()
'''

_TS_W_LOSS_AFTER = r'''def train_step(model, batch: Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step of causal language modelling on batch (B, T); returns the loss."""
    model.train()
    device = next(model.parameters()).device
    batch = batch.to(device)
    optimizer.zero_grad()
    model(input_ids=batch, labels=batch).loss.backward()
    optimizer.step()
    with torch.no_grad():
        return model(input_ids=batch, labels=batch).loss.item()
'''

_TS_W_NO_TRAIN_MODE = r'''def train_step(model, batch: Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step of causal language modelling on batch (B, T); returns the loss."""
    device = next(model.parameters()).device
    batch = batch.to(device)
    optimizer.zero_grad()
    loss = model(input_ids=batch, labels=batch).loss
    loss.backward()
    optimizer.step()
    return loss.item()
'''

_TS_W_TENSOR = r'''def train_step(model, batch: Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step of causal language modelling on batch (B, T); returns the loss."""
    model.train()
    batch = batch.to(model.device).long()
    optimizer.zero_grad(set_to_none=True)
    logits = model(input_ids=batch).logits
    loss = F.cross_entropy(logits[:, :-1].flatten(0, 1).float(), batch[:, 1:].flatten())
    loss.backward()
    optimizer.step()
    return loss.detach()
'''

_PPL_W_BATCH_MEAN = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    if not context_window_size >= 2:
        raise ValueError("context_window_size must be >= 2")
    if not batch_size >= 1:
        raise ValueError("batch_size must be >= 1")
    ids = torch.as_tensor(token_ids).long().reshape(-1)
    if ids.numel() < 2:
        raise ValueError("fewer than two tokens: nothing to predict")
    pieces = torch.split(ids, context_window_size)
    full = [w for w in pieces if len(w) == context_window_size]
    short = [w for w in pieces if 1 < len(w) < context_window_size]
    device = next(model.parameters()).device
    model.eval()
    batch_losses = []
    with torch.no_grad():
        groups = [torch.stack(full[i:i + batch_size]) for i in range(0, len(full), batch_size)]
        groups += [w.unsqueeze(0) for w in short]
        for g in groups:
            g = g.to(device)
            batch_losses.append(model(input_ids=g, labels=g).loss.item())
    return math.exp(sum(batch_losses) / len(batch_losses))
'''

_PPL_W_OVERLAP = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    T = context_window_size
    if T < 2 or batch_size < 1:
        raise ValueError(f"need context_window_size >= 2 and batch_size >= 1, got {T} and {batch_size}")
    seq = token_ids.tolist() if isinstance(token_ids, Tensor) else list(token_ids)
    if len(seq) < 2:
        raise ValueError("perplexity needs at least two tokens")
    # windows of T + 1 tokens at stride T, so that no token is left unpredicted at a window border
    windows = [seq[s:s + T + 1] for s in range(0, len(seq) - 1, T)]
    windows = [w for w in windows if len(w) > 1]
    device = next(model.parameters()).device
    model.eval()
    nll, predicted = 0.0, 0
    with torch.no_grad():
        for b in range(0, len(windows), batch_size):
            group = windows[b:b + batch_size]
            width = max(len(w) for w in group)
            inputs = torch.zeros(len(group), width, dtype=torch.long)
            labels = torch.full((len(group), width), -100, dtype=torch.long)
            for r, w in enumerate(group):
                inputs[r, :len(w)] = torch.tensor(w)
                labels[r, :len(w)] = torch.tensor(w)
            inputs, labels = inputs.to(device), labels.to(device)
            logits = model(input_ids=inputs).logits
            nll += F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)).float(), labels[:, 1:].reshape(-1),
                                   ignore_index=-100, reduction="sum").item()
            predicted += int((labels[:, 1:] != -100).sum())
    return math.exp(nll / predicted)
'''

_PPL_W_DROP_SHORT = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    n = len(ids)
    if n < 2:
        raise ValueError(f"need at least two tokens, got {n}")
    T = context_window_size
    device = next(model.parameters()).device
    n_full = n // T
    full = ids[: n_full * T].reshape(n_full, T)

    def nll_sum(windows):
        logits = model(input_ids=windows.to(device)).logits.float()
        log_probs = torch.log_softmax(logits[:, :-1], dim=-1)
        targets = windows[:, 1:].to(device)
        return -log_probs.gather(-1, targets.unsqueeze(-1)).sum().item(), targets.numel()

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, n_full, batch_size):
            s, c = nll_sum(full[i:i + batch_size])
            total, count = total + s, count + c
    return math.exp(total / count)
'''

_PPL_W_NO_EXP = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    n = len(ids)
    if n < 2:
        raise ValueError(f"need at least two tokens, got {n}")
    T = context_window_size
    device = next(model.parameters()).device
    n_full = n // T
    full = ids[: n_full * T].reshape(n_full, T)
    rest = ids[n_full * T:]

    def nll_sum(windows):
        logits = model(input_ids=windows.to(device)).logits.float()
        log_probs = torch.log_softmax(logits[:, :-1], dim=-1)
        targets = windows[:, 1:].to(device)
        return -log_probs.gather(-1, targets.unsqueeze(-1)).sum().item(), targets.numel()

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, n_full, batch_size):
            s, c = nll_sum(full[i:i + batch_size])
            total, count = total + s, count + c
        if len(rest) >= 2:
            s, c = nll_sum(rest[None, :])
            total, count = total + s, count + c
    return total / count
'''

_PPL_W_NO_SHIFT = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    n = len(ids)
    if n < 2:
        raise ValueError(f"need at least two tokens, got {n}")
    T = context_window_size
    device = next(model.parameters()).device
    n_full = n // T
    full = ids[: n_full * T].reshape(n_full, T)
    rest = ids[n_full * T:]

    def nll_sum(windows):
        logits = model(input_ids=windows.to(device)).logits.float()
        log_probs = torch.log_softmax(logits[:, 1:], dim=-1)
        targets = windows[:, 1:].to(device)
        return -log_probs.gather(-1, targets.unsqueeze(-1)).sum().item(), targets.numel()

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, n_full, batch_size):
            s, c = nll_sum(full[i:i + batch_size])
            total, count = total + s, count + c
        if len(rest) >= 2:
            s, c = nll_sum(rest[None, :])
            total, count = total + s, count + c
    return math.exp(total / count)
'''

_PPL_W_NO_EVAL = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    if not context_window_size >= 2:
        raise ValueError("context_window_size must be >= 2")
    if not batch_size >= 1:
        raise ValueError("batch_size must be >= 1")
    ids = torch.as_tensor(token_ids).long().reshape(-1)
    if ids.numel() < 2:
        raise ValueError("fewer than two tokens: nothing to predict")
    pieces = torch.split(ids, context_window_size)
    full = [w for w in pieces if len(w) == context_window_size]
    short = [w for w in pieces if 1 < len(w) < context_window_size]
    device = next(model.parameters()).device
    sums = []
    count = 0
    with torch.no_grad():
        groups = [torch.stack(full[i:i + batch_size]) for i in range(0, len(full), batch_size)]
        groups += [w.unsqueeze(0) for w in short]
        for g in groups:
            g = g.to(device)
            n_pred = g.shape[0] * (g.shape[1] - 1)
            mean_loss = model(input_ids=g, labels=g).loss
            sums.append(mean_loss.double().item() * n_pred)
            count += n_pred
    return math.exp(math.fsum(sums) / count)
'''

_PPL_W_PAD_COUNTED = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    T = context_window_size
    if T < 2 or batch_size < 1:
        raise ValueError(f"need context_window_size >= 2 and batch_size >= 1, got {T} and {batch_size}")
    seq = token_ids.tolist() if isinstance(token_ids, Tensor) else list(token_ids)
    if len(seq) < 2:
        raise ValueError("perplexity needs at least two tokens")
    windows = [seq[s:s + T] for s in range(0, len(seq), T)]
    windows = [w for w in windows if len(w) > 1]
    device = next(model.parameters()).device
    model.eval()
    nll, predicted = 0.0, 0
    with torch.no_grad():
        for b in range(0, len(windows), batch_size):
            group = windows[b:b + batch_size]
            inputs = torch.zeros(len(group), T, dtype=torch.long)   # pad every window to T with token 0
            for r, w in enumerate(group):
                inputs[r, :len(w)] = torch.tensor(w)
            inputs = inputs.to(device)
            logits = model(input_ids=inputs).logits
            nll += F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)).float(), inputs[:, 1:].reshape(-1),
                                   reduction="sum").item()
            predicted += inputs[:, 1:].numel()
    return math.exp(nll / predicted)
'''

_PPL_W_NO_LENGTH_CHECK = r'''def perplexity(model, token_ids, context_window_size: int, batch_size: int) -> float:
    """exp(mean NLL per predicted token) over consecutive non-overlapping windows of token_ids."""
    if context_window_size < 2:
        raise ValueError(f"context_window_size must be at least 2, got {context_window_size}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    ids = torch.as_tensor(token_ids, dtype=torch.long)
    n = len(ids)
    T = context_window_size
    device = next(model.parameters()).device
    n_full = n // T
    full = ids[: n_full * T].reshape(n_full, T)
    rest = ids[n_full * T:]

    def nll_sum(windows):
        logits = model(input_ids=windows.to(device)).logits.float()
        log_probs = torch.log_softmax(logits[:, :-1], dim=-1)
        targets = windows[:, 1:].to(device)
        return -log_probs.gather(-1, targets.unsqueeze(-1)).sum().item(), targets.numel()

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, n_full, batch_size):
            s, c = nll_sum(full[i:i + batch_size])
            total, count = total + s, count + c
        if len(rest) >= 2:
            s, c = nll_sum(rest[None, :])
            total, count = total + s, count + c
    return math.exp(total / max(count, 1))
'''

_C1 = CORRECT["tensor_labels_gather"]
_C2 = CORRECT["lists_byhand_padded"]
_C3 = CORRECT["unfold_valuefirst_fsum"]

WRONG = {
    # ---- split_tokens / sample_batch ----
    "data_last_start_missing": {"cells": {**_C1, "data_functions": _DATA_W_LAST_START}, "loses": ["test_data"],
                                "bug": "starts drawn from len - T values: the last window can never be picked"},
    "data_ignores_generator": {"cells": {**_C1, "data_functions": _DATA_W_NO_GENERATOR}, "loses": ["test_data"],
                               "bug": "the generator argument is ignored (global RNG)"},
    "data_split_round": {"cells": {**_C1, "data_functions": _DATA_W_ROUND}, "loses": ["test_data"],
                         "bug": "split point round(train_ratio * n) instead of int(train_ratio * n)"},
    "data_split_float_tensor": {"cells": {**_C2, "data_functions": _DATA_W_FLOAT}, "loses": ["test_data"],
                                "bug": "split_tokens builds its parts with torch.Tensor(...): float32, not LongTensors"},
    "data_batch_int32": {"cells": {**_C1, "data_functions": _DATA_W_TUPLE}, "loses": ["test_data"],
                         "bug": "sample_batch casts the windows to int32 instead of returning a LongTensor"},
    "data_no_empty_part_check": {"cells": {**_C1, "data_functions": _DATA_W_NO_EMPTY_CHECK}, "loses": ["input-checks"],
                                 "bug": "no ValueError when a part of the split would be empty"},
    "data_window_of_one_allowed": {"cells": {**_C1, "data_functions": _DATA_W_WINDOW_ONE}, "loses": ["input-checks"],
                                   "bug": "context_window_size = 1 accepted (check < 1 instead of < 2)"},
    "data_no_ratio_check": {"cells": {**_C1, "data_functions": _DATA_W_NO_RATIO_CHECK}, "loses": ["input-checks"],
                            "bug": "train_ratio itself is not checked: a negative ratio slices from the end without error"},
    # ---- train_step ----
    "ts_double_shift": {"cells": {**_C1, "train_step": _TS_W_DOUBLE_SHIFT}, "loses": ["test_train_step"],
                        "bug": "shifts by hand as well (input batch[:, :-1], labels batch[:, 1:]): predicts two tokens ahead"},
    "ts_no_zero_grad": {"cells": {**_C1, "train_step": _TS_W_NO_ZERO_GRAD}, "loses": ["test_train_step"],
                        "bug": "gradients never cleared: every step also applies all earlier gradients"},
    "ts_zero_grad_after_backward": {"cells": {**_C1, "train_step": _TS_W_ZERO_AFTER_BACKWARD}, "loses": ["test_train_step"],
                                    "bug": "zero_grad between backward and step: the step applies no gradient"},
    "ts_loss_after_update": {"cells": {**_C1, "train_step": _TS_W_LOSS_AFTER}, "loses": ["test_train_step"],
                             "bug": "returns the loss recomputed after the update"},
    "ts_no_train_mode": {"cells": {**_C1, "train_step": _TS_W_NO_TRAIN_MODE}, "loses": ["test_train_step"],
                         "bug": "model.train() forgotten: a model left in eval mode trains without dropout"},
    "ts_returns_tensor": {"cells": {**_C2, "train_step": _TS_W_TENSOR}, "loses": ["test_train_step"],
                          "bug": "returns a detached 0-dim tensor instead of a Python float"},
    # ---- perplexity ----
    "ppl_mean_of_batch_means": {"cells": {**_C3, "perplexity": _PPL_W_BATCH_MEAN}, "loses": ["test_perplexity"],
                                "bug": "averages the mean loss of each batch (per batch, not per token)"},
    "ppl_overlapping_windows": {"cells": {**_C2, "perplexity": _PPL_W_OVERLAP}, "loses": ["test_perplexity"],
                                "bug": "windows of T + 1 tokens at stride T: the first token of each window is also predicted"},
    "ppl_drops_short_window": {"cells": {**_C1, "perplexity": _PPL_W_DROP_SHORT}, "loses": ["test_perplexity"],
                               "bug": "the short last window is left out"},
    "ppl_no_exp": {"cells": {**_C1, "perplexity": _PPL_W_NO_EXP}, "loses": ["test_perplexity"],
                   "bug": "returns the mean NLL instead of its exponential"},
    "ppl_no_shift": {"cells": {**_C1, "perplexity": _PPL_W_NO_SHIFT}, "loses": ["test_perplexity"],
                     "bug": "logits at position t scored against token t (no shift)"},
    "ppl_no_eval_mode": {"cells": {**_C3, "perplexity": _PPL_W_NO_EVAL}, "loses": ["test_perplexity"],
                         "bug": "model.eval() forgotten: a model with dropout is measured in training mode"},
    "ppl_padding_counted": {"cells": {**_C2, "perplexity": _PPL_W_PAD_COUNTED}, "loses": ["test_perplexity"],
                            "bug": "pads the short window with token 0 and scores the padding too"},
    "ppl_no_length_check": {"cells": {**_C1, "perplexity": _PPL_W_NO_LENGTH_CHECK}, "loses": ["input-checks"],
                            "bug": "no ValueError for fewer than two tokens (returns exp(0) = 1.0)"},
}
