"""Implementations of 4_1's four functions, as students might write them.

CORRECT maps a name to a dict {function name: implementation}, written differently from the
reference. WRONG maps a name to (the functions that differ from the reference, the check that must
catch them, the checks that must still pass), so that a bug costs its part's points and no others.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from solutions import weight_init as reference

REFERENCE = {
    "get_batch": reference.get_batch, "lm_loss": reference.lm_loss,
    "init_gpt_weights": reference.init_gpt_weights, "estimate_loss": reference.estimate_loss,
}


def _validate(data, batch_size, T):
    if batch_size < 1 or T < 1 or len(data) < T + 1:
        raise ValueError("bad sizes")


# ------------------------------------------------------------------ correct, written differently

def get_batch_loop(data, batch_size, context_window_size, generator=None):
    """One randint per row, then stack: another order of RNG calls."""
    _validate(data, batch_size, context_window_size)
    T = context_window_size
    rows = [int(torch.randint(0, len(data) - T, (1,), generator=generator)) for _ in range(batch_size)]
    return torch.stack([data[i:i + T] for i in rows]), torch.stack([data[i + 1:i + T + 1] for i in rows])


def get_batch_unfold(data, batch_size, context_window_size, generator=None):
    """All windows of T + 1 tokens by unfold; a row drawn with multinomial over equal weights."""
    _validate(data, batch_size, context_window_size)
    windows = data.unfold(0, context_window_size + 1, 1)           # (len - T, T + 1)
    rows = torch.multinomial(torch.ones(windows.size(0)), batch_size, replacement=True, generator=generator)
    chosen = windows[rows]
    return chosen[:, :-1].clone(), chosen[:, 1:].clone()


def lm_loss_gather(logits, targets):
    """log_softmax and gather in float64, cast back."""
    if logits.shape[:-1] != targets.shape:
        raise ValueError("shape mismatch")
    logp = torch.log_softmax(logits.double(), dim=-1)
    return -logp.gather(-1, targets.unsqueeze(-1)).mean().to(logits.dtype)


def lm_loss_transpose(logits, targets):
    """cross_entropy with the classes moved to dimension 1."""
    if tuple(logits.shape[:-1]) != tuple(targets.shape):
        raise ValueError("shape mismatch")
    return F.cross_entropy(logits.transpose(1, 2), targets)


def init_by_parameter_names(model, num_layers):
    """Walks named_parameters instead of modules and uses torch.no_grad + Tensor.normal_."""
    if num_layers < 1:
        raise ValueError("num_layers")
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            elif ".ln_" in f".{name}" and name.endswith("weight"):
                p.fill_(1.0)
            elif name.endswith(("o_proj.weight", "fc_out.weight")):
                p.normal_(0.0, 0.02 / math.sqrt(2 * num_layers))
            else:
                p.normal_(0.0, 0.02)


def init_with_apply(model, num_layers):
    """model.apply with a closure, then a second pass for the residual projections."""
    if num_layers < 1:
        raise ValueError("num_layers")

    def base(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.constant_(m.bias, 0.0)
        if isinstance(m, nn.LayerNorm):
            m.reset_parameters()

    model.apply(base)
    for block in model.blocks:
        nn.init.normal_(block.attn.o_proj.weight, std=0.02 / math.sqrt(2 * num_layers))
        nn.init.normal_(block.mlp.fc_out.weight, std=0.02 / math.sqrt(2 * num_layers))


def estimate_loss_inference_mode(model, data, batch_size, context_window_size, eval_iters):
    """inference_mode, one stacked forward pass, the previous mode restored."""
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        batches = [reference.get_batch(data, batch_size, context_window_size) for _ in range(eval_iters)]
        X = torch.cat([x for x, _ in batches])
        Y = torch.cat([y for _, y in batches])
        logits = model(X)
        losses = F.cross_entropy(logits.reshape(-1, logits.size(-1)), Y.reshape(-1), reduction="none")
        value = losses.view(eval_iters, -1).mean(1).mean().item()
    model.train(was_training)
    return value


CORRECT = {
    "reference": REFERENCE,
    "loops_and_gather": {**REFERENCE, "get_batch": get_batch_loop, "lm_loss": lm_loss_gather,
                         "init_gpt_weights": init_by_parameter_names},
    "unfold_and_apply": {**REFERENCE, "get_batch": get_batch_unfold, "lm_loss": lm_loss_transpose,
                         "init_gpt_weights": init_with_apply, "estimate_loss": estimate_loss_inference_mode},
}


# ---------------------------------------------------------------------------------- wrong

def _get_batch(shift=1, high_offset=0):
    def get_batch(data, batch_size, context_window_size, generator=None):
        _validate(data, batch_size, context_window_size)
        T = context_window_size
        starts = torch.randint(max(len(data) - T + high_offset, 1), (batch_size,), generator=generator)
        index = starts[:, None] + torch.arange(T)
        return data[index], data[index + shift]
    return get_batch


def nll_on_raw_logits(logits, targets):
    """The original notebook's bug: NLLLoss expects log-probabilities."""
    if logits.shape[:-1] != targets.shape:
        raise ValueError("shape mismatch")
    return F.nll_loss(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


def loss_on_last_position(logits, targets):
    if logits.shape[:-1] != targets.shape:
        raise ValueError("shape mismatch")
    return F.cross_entropy(logits[:, -1], targets[:, -1])


def loss_detached(logits, targets):
    return torch.tensor(reference.lm_loss(logits, targets).item())


def _init(residual="ok", biases="zero", layernorm=True, embeddings=True):
    def init_gpt_weights(model, num_layers):
        if num_layers < 1:
            raise ValueError("num_layers must be at least 1")
        scaled = 0.02 / math.sqrt(2 * num_layers)
        for name, m in model.named_modules():
            if isinstance(m, nn.Linear):
                is_residual = name.endswith(("o_proj", "fc_out"))
                std = scaled if (residual == "every_linear" or (is_residual and residual == "ok")) else 0.02
                nn.init.normal_(m.weight, std=std)
                if m.bias is not None and biases == "zero":
                    nn.init.zeros_(m.bias)
                elif m.bias is not None and biases == "default":
                    bound = 1 / math.sqrt(m.in_features)
                    nn.init.uniform_(m.bias, -bound, bound)    # what nn.Linear starts with
            elif isinstance(m, nn.Embedding) and embeddings:
                nn.init.normal_(m.weight, std=0.02)
            elif isinstance(m, nn.LayerNorm) and layernorm:
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
    return init_gpt_weights


def init_untied(model, num_layers):
    reference.init_gpt_weights(model, num_layers)
    model.lm_head.weight = nn.Parameter(model.wte.weight.detach().clone())


def init_uniform(model, num_layers):
    """Right std, wrong law: uniform on [-a, a] with a = std * sqrt(3)."""
    if num_layers < 1:
        raise ValueError("num_layers must be at least 1")
    for name, m in model.named_modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            std = 0.02 / math.sqrt(2 * num_layers) if name.endswith(("o_proj", "fc_out")) else 0.02
            nn.init.uniform_(m.weight, -std * math.sqrt(3), std * math.sqrt(3))
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            m.reset_parameters()


def get_batch_as_int64(data, batch_size, context_window_size, generator=None):
    """The right windows, rebuilt from Python lists: int64 whatever the data's dtype."""
    X, Y = reference.get_batch(data, batch_size, context_window_size, generator=generator)
    return torch.tensor(X.tolist()), torch.tensor(Y.tolist())


def _estimate(eval_mode=True, no_grad=True, reduce="mean", back_to_train=True, item=True):
    def estimate_loss(model, data, batch_size, context_window_size, eval_iters):
        if eval_mode:
            model.eval()
        losses = []
        with torch.set_grad_enabled(not no_grad):
            for _ in range(eval_iters):
                X, Y = reference.get_batch(data, batch_size, context_window_size)
                losses.append(reference.lm_loss(model(X), Y))
        if back_to_train:
            model.train()
        total = {"sum": torch.stack(losses).sum(), "last": losses[-1]}.get(reduce, torch.stack(losses).mean())
        return total.item() if item else total
    return estimate_loss


BATCH, LOSS, INIT, ESTIMATE, INPUTS = ("check_get_batch", "check_lm_loss", "check_init_gpt_weights",
                                      "check_estimate_loss", "check_input_checks")
ALL = (BATCH, LOSS, INIT, ESTIMATE, INPUTS)
OTHERS = {part: tuple(p for p in ALL if p != part) for part in ALL}


def get_batch_unchecked(data, batch_size, context_window_size, generator=None):
    """The right batches, but no ValueError: sizes below 1 give empty tensors, a stream too short for a
    window fails inside torch.randint (RuntimeError)."""
    T = context_window_size
    starts = torch.randint(len(data) - T, (batch_size,), generator=generator)
    index = starts[:, None] + torch.arange(T)
    return data[index], data[index + 1]


def lm_loss_counts_only(logits, targets):
    """The right loss, but checks only the number of targets, not their shape."""
    if logits.shape[:-1].numel() != targets.numel():
        raise ValueError("one target per position")
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


def init_clamps_num_layers(model, num_layers):
    """GPT-2's init, but num_layers below 1 is taken as 1 instead of rejected."""
    reference.init_gpt_weights(model, max(num_layers, 1))

# name -> (functions that differ from the reference, the check that must fail)
_WRONG = {
    "y_not_shifted": ({"get_batch": _get_batch(shift=0)}, BATCH),
    # randint(len - T - 1) (at least 1): never the last window, unless it is the only one; no crash
    "start_range_misses_last_window": ({"get_batch": _get_batch(high_offset=-1)}, BATCH),
    "windows_not_in_the_data_dtype": ({"get_batch": get_batch_as_int64}, BATCH),
    "nll_on_raw_logits": ({"lm_loss": nll_on_raw_logits}, LOSS),
    "loss_on_last_position_only": ({"lm_loss": loss_on_last_position}, LOSS),
    "loss_detached": ({"lm_loss": loss_detached}, LOSS),
    "residual_scaling_on_every_linear": ({"init_gpt_weights": _init(residual="every_linear")}, INIT),
    "no_residual_scaling": ({"init_gpt_weights": _init(residual="none")}, INIT),
    "biases_left_random": ({"init_gpt_weights": _init(biases="default")}, INIT),
    "layernorm_not_reset": ({"init_gpt_weights": _init(layernorm=False)}, INIT),
    "embeddings_not_initialised": ({"init_gpt_weights": _init(embeddings=False)}, INIT),
    "unties_lm_head": ({"init_gpt_weights": init_untied}, INIT),
    "uniform_init": ({"init_gpt_weights": init_uniform}, INIT),
    "estimate_in_training_mode": ({"estimate_loss": _estimate(eval_mode=False)}, ESTIMATE),
    "estimate_with_gradients": ({"estimate_loss": _estimate(no_grad=False)}, ESTIMATE),
    "estimate_sums_batches": ({"estimate_loss": _estimate(reduce="sum")}, ESTIMATE),
    "estimate_last_batch_only": ({"estimate_loss": _estimate(reduce="last")}, ESTIMATE),
    "estimate_leaves_eval_mode": ({"estimate_loss": _estimate(back_to_train=False)}, ESTIMATE),
    "estimate_returns_tensor": ({"estimate_loss": _estimate(item=False)}, ESTIMATE),
    # the input checks (Task 5) are a part of their own: a missing ValueError costs that part only
    "get_batch_without_value_error": ({"get_batch": get_batch_unchecked}, INPUTS),
    "lm_loss_checks_only_the_count": ({"lm_loss": lm_loss_counts_only}, INPUTS),
    "init_without_value_error": ({"init_gpt_weights": init_clamps_num_layers}, INPUTS),
}
WRONG = {name: ({**REFERENCE, **changed}, part, OTHERS[part]) for name, (changed, part) in _WRONG.items()}
