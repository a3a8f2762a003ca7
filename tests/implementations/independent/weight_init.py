"""4_1_pre_training_weight_init: implementations written from the release notebook alone (independently written; the author saw
neither source/, solutions/ nor graders/). The correct ones differ in how windows are cut (index grid, per-row slices,
unfold), how the loss is computed (flattened F.cross_entropy, log_softmax+gather, float64 logsumexp), how the modules are
walked (one pass, two passes, per-parameter dispatch with tied tensors seen once) and how the losses are averaged."""

ASSIGNMENT = "4_1_pre_training_weight_init"

# ----------------------------------------------------------------------------------------------------------------
# get_batch
# ----------------------------------------------------------------------------------------------------------------

_GB_GRID = r'''def get_batch(data: Tensor, batch_size: int, context_window_size: int,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """batch_size random windows X of the 1-D token stream `data` and their targets Y (X shifted by one)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 1:
        raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
    n = len(data)
    if n < context_window_size + 1:
        raise ValueError(f"need at least {context_window_size + 1} tokens for one window and its targets, got {n}")
    starts = torch.randint(n - context_window_size, (batch_size,), generator=generator)
    grid = starts[:, None] + torch.arange(context_window_size)[None, :]
    return data[grid], data[grid + 1]
'''

_GB_ROWS = r'''def get_batch(data: Tensor, batch_size: int, context_window_size: int,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """batch_size random windows X of the 1-D token stream `data` and their targets Y (X shifted by one)."""
    T = context_window_size
    if batch_size < 1 or T < 1:
        raise ValueError(f"batch_size and context_window_size must be >= 1, got {batch_size} and {T}")
    if data.shape[0] <= T:
        raise ValueError(f"the data has {data.shape[0]} tokens; a window of {T} and its targets need {T + 1}")
    xs, ys = [], []
    for _ in range(batch_size):
        # one draw per row: independent starts, with replacement
        i = int(torch.randint(0, data.shape[0] - T, (1,), generator=generator))
        xs.append(data[i:i + T])
        ys.append(data[i + 1:i + T + 1])
    return torch.stack(xs), torch.stack(ys)
'''

_GB_UNFOLD = r'''def get_batch(data: Tensor, batch_size: int, context_window_size: int,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """batch_size random windows X of the 1-D token stream `data` and their targets Y (X shifted by one)."""
    if not (batch_size >= 1 and context_window_size >= 1):
        raise ValueError("batch_size and context_window_size must both be positive")
    if data.numel() < context_window_size + 1:
        raise ValueError("the data is shorter than one window plus its next token")
    # every window of T + 1 tokens: row i is data[i : i + T + 1], there are len(data) - T of them
    windows = data.unfold(0, context_window_size + 1, 1)
    picked = windows[torch.randint(windows.size(0), (batch_size,), generator=generator)]
    return picked[:, :-1].contiguous(), picked[:, 1:].contiguous()
'''

# ----------------------------------------------------------------------------------------------------------------
# lm_loss
# ----------------------------------------------------------------------------------------------------------------

_LOSS_FLAT = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    if tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise ValueError(f"targets of shape {tuple(targets.shape)} do not match logits of shape {tuple(logits.shape)}")
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
'''

_LOSS_GATHER = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    if logits.dim() < 1 or targets.shape != logits.shape[:-1]:
        raise ValueError(f"expected targets of shape {tuple(logits.shape[:-1])}, got {tuple(targets.shape)}")
    log_probs = torch.log_softmax(logits, dim=-1)
    true_token = log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return -true_token.mean()
'''

_LOSS_LSE64 = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    if list(logits.shape)[:-1] != list(targets.shape):
        raise ValueError("targets must have the shape of logits without its last (vocabulary) dimension")
    z = logits.to(torch.float64)
    # -log softmax(z)[y] = logsumexp(z) - z[y]
    nll = torch.logsumexp(z, dim=-1) - torch.take_along_dim(z, targets.long()[..., None], dim=-1)[..., 0]
    return nll.mean().to(logits.dtype)
'''

# ----------------------------------------------------------------------------------------------------------------
# init_gpt_weights
# ----------------------------------------------------------------------------------------------------------------

_INIT_ONE_PASS = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    residual_std = 0.02 / math.sqrt(2 * num_layers)
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            std = residual_std if name.endswith(("o_proj", "fc_out")) else 0.02
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        elif isinstance(module, nn.LayerNorm):
            if module.weight is not None:
                nn.init.ones_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
'''

_INIT_TWO_PASSES = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    if not num_layers >= 1:
        raise ValueError("num_layers must be >= 1")
    modules = list(model.named_modules())
    # pass 1: the plain GPT-2 scheme everywhere
    for _, m in modules:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)
        if isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    # pass 2: the residual projections get the depth-scaled std
    for name, m in modules:
        if name.endswith("o_proj") or name.endswith("fc_out"):
            nn.init.normal_(m.weight, 0.0, 0.02 * (2 * num_layers) ** -0.5)
'''

_INIT_BY_PARAM = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    if int(num_layers) != num_layers or num_layers < 1:
        raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
    seen = set()   # the tied wte / lm_head tensor is initialised once
    for name, module in model.named_modules():
        last = name.rsplit(".", 1)[-1]
        for pname, param in module.named_parameters(recurse=False):
            if id(param) in seen:
                continue
            seen.add(id(param))
            if isinstance(module, nn.LayerNorm):
                (nn.init.ones_ if pname == "weight" else nn.init.zeros_)(param)
            elif isinstance(module, (nn.Linear, nn.Embedding)):
                if pname == "bias":
                    nn.init.zeros_(param)
                elif last in ("o_proj", "fc_out"):
                    nn.init.normal_(param, std=0.02 / math.sqrt(2.0 * num_layers))
                else:
                    nn.init.normal_(param, std=0.02)
'''

# ----------------------------------------------------------------------------------------------------------------
# estimate_loss
# ----------------------------------------------------------------------------------------------------------------

_EST_LOOP = r'''def estimate_loss(model: nn.Module, data: Tensor, batch_size: int, context_window_size: int,
                  eval_iters: int) -> float:
    """Mean lm_loss of `model` over eval_iters random batches of `data`, in eval mode without
    gradients; the model is back in training mode afterwards."""
    if eval_iters < 1:
        raise ValueError(f"eval_iters must be at least 1, got {eval_iters}")
    device = next(model.parameters()).device
    model.eval()
    total = 0.0
    with torch.no_grad():
        for _ in range(eval_iters):
            X, Y = get_batch(data, batch_size, context_window_size)
            X, Y = X.to(device), Y.to(device)
            total += lm_loss(model(X), Y).item()
    model.train()
    return total / eval_iters
'''

_EST_STACK = r'''def estimate_loss(model: nn.Module, data: Tensor, batch_size: int, context_window_size: int,
                  eval_iters: int) -> float:
    """Mean lm_loss of `model` over eval_iters random batches of `data`, in eval mode without
    gradients; the model is back in training mode afterwards."""
    if eval_iters <= 0:
        raise ValueError("eval_iters must be positive")
    device = next(model.parameters()).device
    model.eval()
    try:
        with torch.set_grad_enabled(False):
            losses = []
            for _ in range(eval_iters):
                xb, yb = get_batch(data, batch_size, context_window_size)
                losses.append(lm_loss(model(xb.to(device)), yb.to(device)))
            mean = torch.stack(losses).double().mean()
    finally:
        model.train()
    return float(mean)
'''

_EST_FSUM = r'''def estimate_loss(model: nn.Module, data: Tensor, batch_size: int, context_window_size: int,
                  eval_iters: int) -> float:
    """Mean lm_loss of `model` over eval_iters random batches of `data`, in eval mode without
    gradients; the model is back in training mode afterwards."""
    where = next(model.parameters()).device
    model.train(False)
    values = []
    with torch.no_grad():
        while len(values) < eval_iters:
            inputs, targets = get_batch(data, batch_size, context_window_size)
            values.append(float(lm_loss(model(inputs.to(where)), targets.to(where))))
    model.train(True)
    return math.fsum(values) / len(values)
'''

CORRECT = {
    "grid_flatce_onepass": {
        "get_batch": _GB_GRID,
        "lm_loss": _LOSS_FLAT,
        "init_gpt_weights": _INIT_ONE_PASS,
        "estimate_loss": _EST_LOOP,
    },
    "rows_gather_twopasses": {
        "get_batch": _GB_ROWS,
        "lm_loss": _LOSS_GATHER,
        "init_gpt_weights": _INIT_TWO_PASSES,
        "estimate_loss": _EST_STACK,
    },
    "unfold_lse64_byparam": {
        "get_batch": _GB_UNFOLD,
        "lm_loss": _LOSS_LSE64,
        "init_gpt_weights": _INIT_BY_PARAM,
        "estimate_loss": _EST_FSUM,
    },
}

# ----------------------------------------------------------------------------------------------------------------
# wrong variants (each one bug in a copy of a correct cell)
# ----------------------------------------------------------------------------------------------------------------

_GB_W_LAST_MISSING = r'''def get_batch(data: Tensor, batch_size: int, context_window_size: int,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """batch_size random windows X of the 1-D token stream `data` and their targets Y (X shifted by one)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 1:
        raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
    n = len(data)
    if n < context_window_size + 1:
        raise ValueError(f"need at least {context_window_size + 1} tokens for one window and its targets, got {n}")
    starts = torch.randint(n - context_window_size - 1, (batch_size,), generator=generator)
    grid = starts[:, None] + torch.arange(context_window_size)[None, :]
    return data[grid], data[grid + 1]
'''

_GB_W_NO_GENERATOR = r'''def get_batch(data: Tensor, batch_size: int, context_window_size: int,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """batch_size random windows X of the 1-D token stream `data` and their targets Y (X shifted by one)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 1:
        raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
    n = len(data)
    if n < context_window_size + 1:
        raise ValueError(f"need at least {context_window_size + 1} tokens for one window and its targets, got {n}")
    starts = torch.randint(n - context_window_size, (batch_size,))
    grid = starts[:, None] + torch.arange(context_window_size)[None, :]
    return data[grid], data[grid + 1]
'''

_GB_W_INT64 = r'''def get_batch(data: Tensor, batch_size: int, context_window_size: int,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """batch_size random windows X of the 1-D token stream `data` and their targets Y (X shifted by one)."""
    T = context_window_size
    if batch_size < 1 or T < 1:
        raise ValueError(f"batch_size and context_window_size must be >= 1, got {batch_size} and {T}")
    if data.shape[0] <= T:
        raise ValueError(f"the data has {data.shape[0]} tokens; a window of {T} and its targets need {T + 1}")
    xs, ys = [], []
    for _ in range(batch_size):
        i = int(torch.randint(0, data.shape[0] - T, (1,), generator=generator))
        xs.append(data[i:i + T].tolist())
        ys.append(data[i + 1:i + T + 1].tolist())
    return torch.tensor(xs), torch.tensor(ys)
'''

_GB_W_RANDPERM = r'''def get_batch(data: Tensor, batch_size: int, context_window_size: int,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """batch_size random windows X of the 1-D token stream `data` and their targets Y (X shifted by one)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 1:
        raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
    n = len(data)
    if n < context_window_size + 1:
        raise ValueError(f"need at least {context_window_size + 1} tokens for one window and its targets, got {n}")
    starts = torch.randperm(n - context_window_size, generator=generator)[:batch_size]
    grid = starts[:, None] + torch.arange(context_window_size)[None, :]
    return data[grid], data[grid + 1]
'''

_GB_W_NO_LENGTH_CHECK = r'''def get_batch(data: Tensor, batch_size: int, context_window_size: int,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """batch_size random windows X of the 1-D token stream `data` and their targets Y (X shifted by one)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if context_window_size < 1:
        raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
    n = len(data)
    starts = torch.randint(n - context_window_size, (batch_size,), generator=generator)
    grid = starts[:, None] + torch.arange(context_window_size)[None, :]
    return data[grid], data[grid + 1]
'''

_GB_W_NO_BATCH_CHECK = r'''def get_batch(data: Tensor, batch_size: int, context_window_size: int,
              generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """batch_size random windows X of the 1-D token stream `data` and their targets Y (X shifted by one)."""
    if not context_window_size >= 1:
        raise ValueError("context_window_size must be positive")
    if data.numel() < context_window_size + 1:
        raise ValueError("the data is shorter than one window plus its next token")
    windows = data.unfold(0, context_window_size + 1, 1)
    picked = windows[torch.randint(windows.size(0), (batch_size,), generator=generator)]
    return picked[:, :-1].contiguous(), picked[:, 1:].contiguous()
'''

_LOSS_W_NLL = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    if tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise ValueError(f"targets of shape {tuple(targets.shape)} do not match logits of shape {tuple(logits.shape)}")
    V = logits.shape[-1]
    return F.nll_loss(logits.reshape(-1, V), targets.reshape(-1))
'''

_LOSS_W_SUM = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    if tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise ValueError(f"targets of shape {tuple(targets.shape)} do not match logits of shape {tuple(logits.shape)}")
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), reduction="sum")
'''

_LOSS_W_LAST = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    if tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise ValueError(f"targets of shape {tuple(targets.shape)} do not match logits of shape {tuple(logits.shape)}")
    return F.cross_entropy(logits[:, -1, :], targets[:, -1])
'''

_LOSS_W_TIME_SOFTMAX = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    if logits.dim() < 1 or targets.shape != logits.shape[:-1]:
        raise ValueError(f"expected targets of shape {tuple(logits.shape[:-1])}, got {tuple(targets.shape)}")
    log_probs = torch.log_softmax(logits, dim=1)
    true_token = log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return -true_token.mean()
'''

_LOSS_W_ITEM = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    if tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise ValueError(f"targets of shape {tuple(targets.shape)} do not match logits of shape {tuple(logits.shape)}")
    V = logits.shape[-1]
    return torch.tensor(F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1)).item())
'''

_LOSS_W_NO_CHECK = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
'''

_LOSS_W_NUMEL_CHECK = r'''def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against the next tokens targets (B, T), over all positions."""
    V = logits.shape[-1]
    if targets.numel() * V != logits.numel():
        raise ValueError("targets do not match the logits")
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
'''

_INIT_W_SQRT_L = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    residual_std = 0.02 / math.sqrt(num_layers)
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            std = residual_std if name.endswith(("o_proj", "fc_out")) else 0.02
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        elif isinstance(module, nn.LayerNorm):
            if module.weight is not None:
                nn.init.ones_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
'''

_INIT_W_LINEAR_ONLY = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    residual_std = 0.02 / math.sqrt(2 * num_layers)
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):   # wte is covered through the tied lm_head
            std = residual_std if name.endswith(("o_proj", "fc_out")) else 0.02
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            if module.weight is not None:
                nn.init.ones_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
'''

_INIT_W_UNTIE = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    residual_std = 0.02 / math.sqrt(2 * num_layers)
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            std = residual_std if name.endswith(("o_proj", "fc_out")) else 0.02
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            module.weight = nn.Parameter(torch.randn_like(module.weight) * 0.02)
        elif isinstance(module, nn.LayerNorm):
            if module.weight is not None:
                nn.init.ones_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
'''

_INIT_W_KEEP_BIAS = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    if not num_layers >= 1:
        raise ValueError("num_layers must be >= 1")
    modules = list(model.named_modules())
    for _, m in modules:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        if isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    for name, m in modules:
        if name.endswith("o_proj") or name.endswith("fc_out"):
            nn.init.normal_(m.weight, 0.0, 0.02 * (2 * num_layers) ** -0.5)
'''

_INIT_W_NO_LAYERNORM = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    if not num_layers >= 1:
        raise ValueError("num_layers must be >= 1")
    modules = list(model.named_modules())
    for _, m in modules:   # LayerNorm already starts as (1, 0) in PyTorch: nothing to do
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)
    for name, m in modules:
        if name.endswith("o_proj") or name.endswith("fc_out"):
            nn.init.normal_(m.weight, 0.0, 0.02 * (2 * num_layers) ** -0.5)
'''

_INIT_W_PROJ_SUBSTRING = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    residual_std = 0.02 / math.sqrt(2 * num_layers)
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            std = residual_std if ("proj" in name or "fc_out" in name) else 0.02
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        elif isinstance(module, nn.LayerNorm):
            if module.weight is not None:
                nn.init.ones_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
'''

_INIT_W_NO_CHECK = r'''def init_gpt_weights(model: nn.Module, num_layers: int) -> None:
    """GPT-2's init, in place: Linear and Embedding N(0, 0.02), biases 0, LayerNorm (1, 0), and
    o_proj / fc_out weights N(0, 0.02 / sqrt(2 * num_layers))."""
    residual_std = 0.02 / math.sqrt(2 * max(num_layers, 1))
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            std = residual_std if name.endswith(("o_proj", "fc_out")) else 0.02
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        elif isinstance(module, nn.LayerNorm):
            if module.weight is not None:
                nn.init.ones_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
'''

_EST_W_NO_EVAL = r'''def estimate_loss(model: nn.Module, data: Tensor, batch_size: int, context_window_size: int,
                  eval_iters: int) -> float:
    """Mean lm_loss of `model` over eval_iters random batches of `data`, in eval mode without
    gradients; the model is back in training mode afterwards."""
    if eval_iters < 1:
        raise ValueError(f"eval_iters must be at least 1, got {eval_iters}")
    device = next(model.parameters()).device
    total = 0.0
    with torch.no_grad():
        for _ in range(eval_iters):
            X, Y = get_batch(data, batch_size, context_window_size)
            X, Y = X.to(device), Y.to(device)
            total += lm_loss(model(X), Y).item()
    model.train()
    return total / eval_iters
'''

_EST_W_NO_TRAIN = r'''def estimate_loss(model: nn.Module, data: Tensor, batch_size: int, context_window_size: int,
                  eval_iters: int) -> float:
    """Mean lm_loss of `model` over eval_iters random batches of `data`, in eval mode without
    gradients; the model is back in training mode afterwards."""
    if eval_iters < 1:
        raise ValueError(f"eval_iters must be at least 1, got {eval_iters}")
    device = next(model.parameters()).device
    model.eval()
    total = 0.0
    with torch.no_grad():
        for _ in range(eval_iters):
            X, Y = get_batch(data, batch_size, context_window_size)
            X, Y = X.to(device), Y.to(device)
            total += lm_loss(model(X), Y).item()
    return total / eval_iters
'''

_EST_W_LAST_ONLY = r'''def estimate_loss(model: nn.Module, data: Tensor, batch_size: int, context_window_size: int,
                  eval_iters: int) -> float:
    """Mean lm_loss of `model` over eval_iters random batches of `data`, in eval mode without
    gradients; the model is back in training mode afterwards."""
    if eval_iters < 1:
        raise ValueError(f"eval_iters must be at least 1, got {eval_iters}")
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        for _ in range(eval_iters):
            X, Y = get_batch(data, batch_size, context_window_size)
            X, Y = X.to(device), Y.to(device)
            loss = lm_loss(model(X), Y).item()
    model.train()
    return loss
'''

_EST_W_GRAD = r'''def estimate_loss(model: nn.Module, data: Tensor, batch_size: int, context_window_size: int,
                  eval_iters: int) -> float:
    """Mean lm_loss of `model` over eval_iters random batches of `data`, in eval mode without
    gradients; the model is back in training mode afterwards."""
    if eval_iters < 1:
        raise ValueError(f"eval_iters must be at least 1, got {eval_iters}")
    device = next(model.parameters()).device
    model.eval()
    total = 0.0
    for _ in range(eval_iters):
        X, Y = get_batch(data, batch_size, context_window_size)
        X, Y = X.to(device), Y.to(device)
        total += lm_loss(model(X), Y).item()
    model.train()
    return total / eval_iters
'''

_EST_W_TENSOR = r'''def estimate_loss(model: nn.Module, data: Tensor, batch_size: int, context_window_size: int,
                  eval_iters: int) -> float:
    """Mean lm_loss of `model` over eval_iters random batches of `data`, in eval mode without
    gradients; the model is back in training mode afterwards."""
    if eval_iters <= 0:
        raise ValueError("eval_iters must be positive")
    device = next(model.parameters()).device
    model.eval()
    try:
        with torch.set_grad_enabled(False):
            losses = []
            for _ in range(eval_iters):
                xb, yb = get_batch(data, batch_size, context_window_size)
                losses.append(lm_loss(model(xb.to(device)), yb.to(device)))
            mean = torch.stack(losses).mean()
    finally:
        model.train()
    return mean
'''

_C1 = CORRECT["grid_flatce_onepass"]
_C2 = CORRECT["rows_gather_twopasses"]
_C3 = CORRECT["unfold_lse64_byparam"]

WRONG = {
    # ---- get_batch ----
    "gb_last_start_missing": {"cells": {**_C1, "get_batch": _GB_W_LAST_MISSING}, "loses": ["test_get_batch"],
                              "bug": "draws starts from len(data) - T - 1 values: the last window can never be picked"},
    "gb_no_generator": {"cells": {**_C1, "get_batch": _GB_W_NO_GENERATOR}, "loses": ["test_get_batch"],
                        "bug": "ignores the generator argument (global RNG): a seeded generator does not reproduce the batch"},
    "gb_int64_always": {"cells": {**_C2, "get_batch": _GB_W_INT64}, "loses": ["test_get_batch"],
                        "bug": "rebuilds X, Y with torch.tensor(list): int64 whatever the data's dtype"},
    "gb_randperm_no_replacement": {"cells": {**_C1, "get_batch": _GB_W_RANDPERM}, "loses": ["test_get_batch"],
                                   "bug": "starts drawn without replacement (randperm[:batch_size]): too few rows when batch_size > len(data) - T"},
    "gb_no_length_check": {"cells": {**_C1, "get_batch": _GB_W_NO_LENGTH_CHECK}, "loses": ["input-checks"],
                           "bug": "no ValueError when the data has fewer than T + 1 tokens (torch.randint raises RuntimeError instead)"},
    "gb_no_batch_size_check": {"cells": {**_C3, "get_batch": _GB_W_NO_BATCH_CHECK}, "loses": ["input-checks"],
                               "bug": "no ValueError for batch_size < 1 (returns an empty batch)"},
    # ---- lm_loss ----
    "loss_nll_on_logits": {"cells": {**_C1, "lm_loss": _LOSS_W_NLL}, "loses": ["test_lm_loss"],
                           "bug": "F.nll_loss on raw logits (the original notebook's bug)"},
    "loss_sum": {"cells": {**_C1, "lm_loss": _LOSS_W_SUM}, "loses": ["test_lm_loss"],
                 "bug": "sums the cross-entropy over positions instead of averaging"},
    "loss_last_position": {"cells": {**_C1, "lm_loss": _LOSS_W_LAST}, "loses": ["test_lm_loss"],
                           "bug": "only the last position of each window is scored"},
    "loss_softmax_time_axis": {"cells": {**_C2, "lm_loss": _LOSS_W_TIME_SOFTMAX}, "loses": ["test_lm_loss"],
                               "bug": "log_softmax over dim=1 (time) instead of the vocabulary"},
    "loss_item_detached": {"cells": {**_C1, "lm_loss": _LOSS_W_ITEM}, "loses": ["test_lm_loss"],
                           "bug": "goes through .item(): a constant tensor that autograd cannot differentiate"},
    "loss_no_shape_check": {"cells": {**_C1, "lm_loss": _LOSS_W_NO_CHECK}, "loses": ["input-checks"],
                            "bug": "no shape check: targets (3, 2) for logits (2, 3, V) are silently accepted"},
    "loss_numel_check_only": {"cells": {**_C1, "lm_loss": _LOSS_W_NUMEL_CHECK}, "loses": ["input-checks"],
                              "bug": "checks only the number of elements, not the shape"},
    # ---- init_gpt_weights ----
    "init_residual_sqrt_L": {"cells": {**_C1, "init_gpt_weights": _INIT_W_SQRT_L}, "loses": ["test_init_gpt_weights"],
                             "bug": "residual std 0.02 / sqrt(L) instead of 0.02 / sqrt(2L)"},
    "init_linear_only": {"cells": {**_C1, "init_gpt_weights": _INIT_W_LINEAR_ONLY}, "loses": ["test_init_gpt_weights"],
                         "bug": "only nn.Linear (and LayerNorm) re-initialised: the position embedding wpe stays N(0, 1)"},
    "init_untie_embedding": {"cells": {**_C1, "init_gpt_weights": _INIT_W_UNTIE}, "loses": ["test_init_gpt_weights"],
                             "bug": "replaces the embedding weights by a new nn.Parameter: lm_head is no longer tied to wte"},
    "init_keep_biases": {"cells": {**_C2, "init_gpt_weights": _INIT_W_KEEP_BIAS}, "loses": ["test_init_gpt_weights"],
                         "bug": "Linear biases keep PyTorch's uniform init instead of 0"},
    "init_no_layernorm_reset": {"cells": {**_C2, "init_gpt_weights": _INIT_W_NO_LAYERNORM}, "loses": ["test_init_gpt_weights"],
                                "bug": "LayerNorms are not reset to (1, 0) (wrong as soon as they were changed before)"},
    "init_proj_substring": {"cells": {**_C1, "init_gpt_weights": _INIT_W_PROJ_SUBSTRING}, "loses": ["test_init_gpt_weights"],
                            "bug": "'proj' in name: q_proj, k_proj, v_proj also get the residual std"},
    "init_no_num_layers_check": {"cells": {**_C1, "init_gpt_weights": _INIT_W_NO_CHECK}, "loses": ["input-checks"],
                                 "bug": "no ValueError for num_layers < 1 (clamps it to 1 instead)"},
    # ---- estimate_loss ----
    "est_no_eval": {"cells": {**_C1, "estimate_loss": _EST_W_NO_EVAL}, "loses": ["test_estimate_loss"],
                    "bug": "measures in training mode (model.eval() forgotten)"},
    "est_no_train_back": {"cells": {**_C1, "estimate_loss": _EST_W_NO_TRAIN}, "loses": ["test_estimate_loss"],
                          "bug": "leaves the model in eval mode"},
    "est_last_batch_only": {"cells": {**_C1, "estimate_loss": _EST_W_LAST_ONLY}, "loses": ["test_estimate_loss"],
                            "bug": "returns the loss of the last batch instead of the mean over eval_iters batches"},
    "est_with_grad": {"cells": {**_C1, "estimate_loss": _EST_W_GRAD}, "loses": ["test_estimate_loss"],
                      "bug": "no torch.no_grad(): the forward passes build graphs"},
    "est_returns_tensor": {"cells": {**_C2, "estimate_loss": _EST_W_TENSOR}, "loses": ["test_estimate_loss"],
                           "bug": "returns a 0-dim tensor instead of a Python float"},
}
