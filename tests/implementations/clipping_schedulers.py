"""Implementations of 5_4's three functions, as students might write them.

Each entry of CORRECT and WRONG is a triple (clip_grad_norm, linear_warmup_lambda,
cosine_warmup_lambda). WRONG also names the check that must catch it and the checks that must still
pass, so that a bug costs the points of the part it breaks and no others.
"""

import math

import torch

from solutions import clipping_schedulers as reference

REF = (reference.clip_grad_norm, reference.linear_warmup_lambda, reference.cosine_warmup_lambda)


def _validate(step, warmup_steps, total_steps):
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError("bad schedule")


# ------------------------------------------------------------------ correct, written differently

def clip_flat_float64(parameters, max_norm, norm_type=2.0):
    """Concatenates all gradients into one float64 vector; always multiplies (by 1 when not clipping)."""
    if not max_norm > 0:
        raise ValueError("max_norm must be positive")
    params = [parameters] if torch.is_tensor(parameters) else list(parameters)
    with_grad = [p for p in params if p.grad is not None]
    if not with_grad:
        return torch.tensor(0.0)
    flat = torch.cat([p.grad.detach().reshape(-1).double() for p in with_grad])
    total = flat.abs().max() if norm_type == math.inf else flat.abs().pow(norm_type).sum().pow(1 / norm_type)
    factor = min(1.0, max_norm / (total.item() + 1e-6))
    for p in with_grad:
        p.grad.detach().mul_(factor)
    return total.to(with_grad[0].grad.dtype)


def linear_piecewise(step, warmup_steps, total_steps):
    """Interpolation between corner points, written without max(1, ...)."""
    _validate(step, warmup_steps, total_steps)
    if step < warmup_steps:
        return float(step) / warmup_steps
    if total_steps == warmup_steps:
        return 0.0 if step >= total_steps else 1.0
    return float(max(0, total_steps - step)) / (total_steps - warmup_steps)


def cosine_via_sin(step, warmup_steps, total_steps, num_cycles=0.5):
    """cos^2 form for half a cycle, 0.5 (1 + cos) otherwise."""
    _validate(step, warmup_steps, total_steps)
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    if num_cycles == 0.5:
        return max(0.0, math.cos(math.pi * progress / 2) ** 2)
    return max(0.0, 0.5 + 0.5 * math.cos(2 * math.pi * num_cycles * progress))


CORRECT = {
    "reference": REF,
    "float64_flat_and_piecewise": (clip_flat_float64, linear_piecewise, cosine_via_sin),
}


# ---------------------------------------------------------------------------------- wrong

def grads_norm(grads, norm_type):
    if norm_type == math.inf:
        return torch.stack([g.abs().max() for g in grads]).max()
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads]), norm_type)


def clip_by_value(parameters, max_norm, norm_type=2.0):
    """Clamps each entry to [-max_norm, max_norm] (clip_grad_value_'s rule); returns the norm before."""
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    total = grads_norm(grads, norm_type)
    for g in grads:
        g.clamp_(-max_norm, max_norm)
    return total


def clip_returns_norm_after(parameters, max_norm, norm_type=2.0):
    params = list(parameters)
    reference.clip_grad_norm(params, max_norm, norm_type)
    grads = [p.grad for p in params if p.grad is not None]
    return grads_norm(grads, norm_type) if grads else torch.tensor(0.0)


def linear_warmup_off_by_one(step, warmup_steps, total_steps):
    """Counts steps from 1 during warmup: the first step already has a non-zero rate."""
    _validate(step, warmup_steps, total_steps)
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


def cosine_warmup_off_by_one(step, warmup_steps, total_steps, num_cycles=0.5):
    """Warmup divides by warmup_steps + 1, so it never quite reaches 1."""
    _validate(step, warmup_steps, total_steps)
    if step < warmup_steps:
        return step / (warmup_steps + 1)
    return reference.cosine_warmup_lambda(step, warmup_steps, total_steps, num_cycles)


def cosine_zero_too_early(step, warmup_steps, total_steps, num_cycles=0.5):
    """Progress measured over total - warmup - 1 steps: the cosine hits 0 one step before the end."""
    _validate(step, warmup_steps, total_steps)
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps - 1))
    return max(0.0, 0.5 * (1.0 + math.cos(2 * math.pi * num_cycles * progress)))


def linear_no_validation(step, warmup_steps, total_steps):
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


def clip_no_validation(parameters, max_norm, norm_type=2.0):
    """Right for every positive max_norm; max_norm <= 0 goes through and zeroes (or flips) the gradients."""
    params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    total = grads_norm(grads, norm_type)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for g in grads:
            g.mul_(factor)
    return total


def clip_assigns_new_tensors(parameters, max_norm, norm_type=2.0):
    """The right values, but p.grad = p.grad * factor: new tensors, the old gradients left unclipped."""
    if not max_norm > 0:
        raise ValueError("max_norm must be positive")
    params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
    with_grad = [p for p in params if p.grad is not None]
    if not with_grad:
        return torch.tensor(0.0)
    total = grads_norm([p.grad for p in with_grad], norm_type)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for p in with_grad:
            p.grad = p.grad * factor
    return total


def calls_torch_clip(parameters, max_norm, norm_type=2.0):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    from torch.nn.utils import clip_grad_norm_ as clip

    return clip(parameters, max_norm, norm_type)


def calls_transformers_cosine(step, warmup_steps, total_steps, num_cycles=0.5):
    from transformers import get_cosine_schedule_with_warmup

    _validate(step, warmup_steps, total_steps)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    return get_cosine_schedule_with_warmup(optimizer, warmup_steps, total_steps, num_cycles).lr_lambdas[0](step)


CLIP, LINEAR, COSINE, INPUTS = ("check_clip_grad_norm", "check_linear_warmup_lambda", "check_cosine_warmup_lambda",
                                "check_input_checks")
_, REF_LINEAR, REF_COSINE = REF

# name -> (triple, the check that must fail, the checks that must still pass)
WRONG = {
    "clipping_by_value": ((clip_by_value, REF_LINEAR, REF_COSINE), CLIP, (LINEAR, COSINE, INPUTS)),
    "clipping_returns_post_clip_norm": ((clip_returns_norm_after, REF_LINEAR, REF_COSINE), CLIP, (LINEAR, COSINE, INPUTS)),
    "clipping_assigns_new_tensors": ((clip_assigns_new_tensors, REF_LINEAR, REF_COSINE), CLIP, (LINEAR, COSINE, INPUTS)),
    "clipping_calls_torch": ((calls_torch_clip, REF_LINEAR, REF_COSINE), CLIP, (LINEAR, COSINE, INPUTS)),
    "linear_warmup_off_by_one": ((REF[0], linear_warmup_off_by_one, REF_COSINE), LINEAR, (CLIP, COSINE, INPUTS)),
    "linear_without_value_errors": ((REF[0], linear_no_validation, REF_COSINE), INPUTS, (CLIP, LINEAR, COSINE)),
    "clipping_without_value_error": ((clip_no_validation, REF_LINEAR, REF_COSINE), INPUTS, (CLIP, LINEAR, COSINE)),
    "cosine_warmup_off_by_one": ((REF[0], REF_LINEAR, cosine_warmup_off_by_one), COSINE, (CLIP, LINEAR, INPUTS)),
    "cosine_reaches_zero_too_early": ((REF[0], REF_LINEAR, cosine_zero_too_early), COSINE, (CLIP, LINEAR, INPUTS)),
    "cosine_calls_transformers": ((REF[0], REF_LINEAR, calls_transformers_cosine), COSINE, (CLIP, LINEAR, INPUTS)),
}
