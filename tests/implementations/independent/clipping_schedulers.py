"""5_4_fine_tuning_gradient_clipping_and_lr_scheduler: implementations written from the release notebook alone (independently
written; the author saw neither source/, solutions/ nor graders/). The correct ones differ in how the total norm is formed
(per-gradient norms stacked like PyTorch, one concatenated float64 vector with an explicit power sum, a float64 loop of
q-th powers), in how the gradients are scaled (detach().mul_ with a tensor factor, mul_ with a Python float under
no_grad), and in how the schedules are evaluated (plain floats, exact Fractions, torch float64 / the cos^2 identity)."""

ASSIGNMENT = "5_4_fine_tuning_gradient_clipping_and_lr_scheduler"

# --------------------------------------------------------------------------------------------------
# clip_grad_norm
# --------------------------------------------------------------------------------------------------

_CLIP_STACK = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    q = float(norm_type)
    device = grads[0].device
    norms = [torch.linalg.vector_norm(g.detach(), q).to(device) for g in grads]
    total = torch.linalg.vector_norm(torch.stack(norms), q)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for g in grads:
            g.detach().mul_(factor.to(g.device))
    return total
'''

_CLIP_CONCAT64 = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    if max_norm <= 0:
        raise ValueError("max_norm must be > 0")
    if torch.is_tensor(parameters):
        parameters = [parameters]
    with_grad = [p for p in list(parameters) if p.grad is not None]
    if len(with_grad) == 0:
        return torch.tensor(0.0)
    flat = torch.cat([p.grad.detach().reshape(-1).to("cpu", torch.float64) for p in with_grad])
    if flat.numel() == 0:
        total64 = torch.zeros((), dtype=torch.float64)
    elif math.isinf(norm_type):
        total64 = flat.abs().max()
    else:
        total64 = flat.abs().pow(norm_type).sum().pow(1.0 / norm_type)
    first = with_grad[0].grad
    total = total64.to(device=first.device, dtype=first.dtype)
    scale = float(max_norm) / (float(total) + 1e-6)
    if scale < 1.0:
        with torch.no_grad():
            for p in with_grad:
                p.grad.mul_(scale)
    return total
'''

_CLIP_POWER_LOOP = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    if isinstance(parameters, Tensor):
        parameters = (parameters,)
    params = tuple(parameters)
    if max_norm <= 0:
        raise ValueError(f"max_norm={max_norm} is not positive")
    grads = []
    for p in params:
        if p.grad is not None:
            grads.append(p.grad)
    if not grads:
        return torch.tensor(0.0)
    if norm_type == math.inf:
        total64 = torch.zeros((), dtype=torch.float64)
        for g in grads:
            if g.numel():
                total64 = torch.maximum(total64, g.detach().abs().max().to("cpu", torch.float64))
    else:
        acc = torch.zeros((), dtype=torch.float64)
        for g in grads:
            acc = acc + torch.linalg.vector_norm(g.detach(), norm_type, dtype=torch.float64).cpu() ** norm_type
        total64 = acc ** (1.0 / norm_type)
    total = total64.to(dtype=grads[0].dtype, device=grads[0].device)
    clip = max_norm / (total64.item() + 1e-6)
    if clip < 1:
        for g in grads:
            g.detach().mul_(clip)
    return total
'''

# --- wrong clip_grad_norm ---

_CLIP_RETURNS_AFTER = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    q = float(norm_type)
    device = grads[0].device
    norms = [torch.linalg.vector_norm(g.detach(), q).to(device) for g in grads]
    total = torch.linalg.vector_norm(torch.stack(norms), q)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for g in grads:
            g.detach().mul_(factor.to(g.device))
        total = total * factor
    return total
'''

_CLIP_PER_PARAMETER = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    q = float(norm_type)
    device = grads[0].device
    norms = [torch.linalg.vector_norm(g.detach(), q).to(device) for g in grads]
    total = torch.linalg.vector_norm(torch.stack(norms), q)
    for g, n in zip(grads, norms):
        factor = max_norm / (n + 1e-6)
        if factor < 1:
            g.detach().mul_(factor.to(g.device))
    return total
'''

_CLIP_NO_EPS = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    if max_norm <= 0:
        raise ValueError("max_norm must be > 0")
    if torch.is_tensor(parameters):
        parameters = [parameters]
    with_grad = [p for p in list(parameters) if p.grad is not None]
    if len(with_grad) == 0:
        return torch.tensor(0.0)
    flat = torch.cat([p.grad.detach().reshape(-1).to("cpu", torch.float64) for p in with_grad])
    if flat.numel() == 0:
        total64 = torch.zeros((), dtype=torch.float64)
    elif math.isinf(norm_type):
        total64 = flat.abs().max()
    else:
        total64 = flat.abs().pow(norm_type).sum().pow(1.0 / norm_type)
    first = with_grad[0].grad
    total = total64.to(device=first.device, dtype=first.dtype)
    if float(total) > max_norm:
        scale = float(max_norm) / float(total)
        with torch.no_grad():
            for p in with_grad:
                p.grad.mul_(scale)
    return total
'''

_CLIP_SCALES_UP = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    if isinstance(parameters, Tensor):
        parameters = (parameters,)
    params = tuple(parameters)
    if max_norm <= 0:
        raise ValueError(f"max_norm={max_norm} is not positive")
    grads = []
    for p in params:
        if p.grad is not None:
            grads.append(p.grad)
    if not grads:
        return torch.tensor(0.0)
    if norm_type == math.inf:
        total64 = torch.zeros((), dtype=torch.float64)
        for g in grads:
            if g.numel():
                total64 = torch.maximum(total64, g.detach().abs().max().to("cpu", torch.float64))
    else:
        acc = torch.zeros((), dtype=torch.float64)
        for g in grads:
            acc = acc + torch.linalg.vector_norm(g.detach(), norm_type, dtype=torch.float64).cpu() ** norm_type
        total64 = acc ** (1.0 / norm_type)
    total = total64.to(dtype=grads[0].dtype, device=grads[0].device)
    clip = max_norm / (total64.item() + 1e-6)
    for g in grads:
        g.detach().mul_(clip)
    return total
'''

_CLIP_INF_AS_SUM = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    if isinstance(parameters, Tensor):
        parameters = (parameters,)
    params = tuple(parameters)
    if max_norm <= 0:
        raise ValueError(f"max_norm={max_norm} is not positive")
    grads = []
    for p in params:
        if p.grad is not None:
            grads.append(p.grad)
    if not grads:
        return torch.tensor(0.0)
    if norm_type == math.inf:
        total64 = torch.zeros((), dtype=torch.float64)
        for g in grads:
            if g.numel():
                total64 = total64 + g.detach().abs().max().to("cpu", torch.float64)
    else:
        acc = torch.zeros((), dtype=torch.float64)
        for g in grads:
            acc = acc + torch.linalg.vector_norm(g.detach(), norm_type, dtype=torch.float64).cpu() ** norm_type
        total64 = acc ** (1.0 / norm_type)
    total = total64.to(dtype=grads[0].dtype, device=grads[0].device)
    clip = max_norm / (total64.item() + 1e-6)
    if clip < 1:
        for g in grads:
            g.detach().mul_(clip)
    return total
'''

_CLIP_NEW_TENSOR = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    with_grad = [p for p in params if p.grad is not None]
    if not with_grad:
        return torch.tensor(0.0)
    q = float(norm_type)
    device = with_grad[0].grad.device
    norms = [torch.linalg.vector_norm(p.grad.detach(), q).to(device) for p in with_grad]
    total = torch.linalg.vector_norm(torch.stack(norms), q)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for p in with_grad:
            p.grad = p.grad * factor.to(p.grad.device)
    return total
'''

_CLIP_GENERATOR_TWICE = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    q = float(norm_type)
    norms = [torch.linalg.vector_norm(p.grad.detach(), q) for p in parameters if p.grad is not None]
    if not norms:
        return torch.tensor(0.0)
    total = torch.linalg.vector_norm(torch.stack(norms), q)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for p in parameters:
            if p.grad is not None:
                p.grad.detach().mul_(factor)
    return total
'''

_CLIP_EMPTY_CRASH = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    grads = [p.grad for p in params if p.grad is not None]
    q = float(norm_type)
    norms = [torch.linalg.vector_norm(g.detach(), q) for g in grads]
    total = torch.linalg.vector_norm(torch.stack(norms), q)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for g in grads:
            g.detach().mul_(factor.to(g.device))
    return total
'''

_CLIP_CALLS_TORCH = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    if not any(p.grad is not None for p in params):
        return torch.tensor(0.0)
    return torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
'''

_CLIP_NO_CHECK = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    params = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    q = float(norm_type)
    device = grads[0].device
    norms = [torch.linalg.vector_norm(g.detach(), q).to(device) for g in grads]
    total = torch.linalg.vector_norm(torch.stack(norms), q)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for g in grads:
            g.detach().mul_(factor.to(g.device))
    return total
'''

_CLIP_NEGATIVE_ONLY = '''
def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale the gradients in place so that their total norm is at most max_norm; return the norm before."""
    if max_norm < 0:
        raise ValueError("max_norm must not be negative")
    if torch.is_tensor(parameters):
        parameters = [parameters]
    with_grad = [p for p in list(parameters) if p.grad is not None]
    if len(with_grad) == 0:
        return torch.tensor(0.0)
    flat = torch.cat([p.grad.detach().reshape(-1).to("cpu", torch.float64) for p in with_grad])
    if flat.numel() == 0:
        total64 = torch.zeros((), dtype=torch.float64)
    elif math.isinf(norm_type):
        total64 = flat.abs().max()
    else:
        total64 = flat.abs().pow(norm_type).sum().pow(1.0 / norm_type)
    first = with_grad[0].grad
    total = total64.to(device=first.device, dtype=first.dtype)
    scale = float(max_norm) / (float(total) + 1e-6)
    if scale < 1.0:
        with torch.no_grad():
            for p in with_grad:
                p.grad.mul_(scale)
    return total
'''

# --------------------------------------------------------------------------------------------------
# linear_warmup_lambda
# --------------------------------------------------------------------------------------------------

_LIN_PLAIN = '''
def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    return max(0.0, float(total_steps - step) / float(max(1, total_steps - warmup_steps)))
'''

_LIN_FRACTION = '''
from fractions import Fraction


def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    if step < 0:
        raise ValueError(f"step must be >= 0, got {step}")
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
    if total_steps < 1:
        raise ValueError(f"total_steps must be >= 1, got {total_steps}")
    if warmup_steps > total_steps:
        raise ValueError(f"warmup_steps ({warmup_steps}) > total_steps ({total_steps})")
    if step >= warmup_steps:
        remaining = Fraction(int(total_steps) - int(step), max(1, int(total_steps) - int(warmup_steps)))
        return float(max(remaining, Fraction(0)))
    return float(Fraction(int(step), max(1, int(warmup_steps))))
'''

_LIN_BRANCHLESS = '''
def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    problems = []
    if step < 0:
        problems.append("negative step")
    if warmup_steps < 0:
        problems.append("negative warmup_steps")
    if total_steps < 1:
        problems.append("total_steps < 1")
    if warmup_steps > total_steps:
        problems.append("warmup_steps > total_steps")
    if problems:
        raise ValueError(", ".join(problems))
    in_warmup = step < warmup_steps
    numerator = step if in_warmup else total_steps - step
    denominator = max(1, warmup_steps if in_warmup else total_steps - warmup_steps)
    value = numerator / denominator
    return float(value) if value > 0 else 0.0
'''

# --- wrong linear_warmup_lambda ---

_LIN_WARMUP_LE = '''
def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step <= warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    return max(0.0, float(total_steps - step) / float(max(1, total_steps - warmup_steps)))
'''

_LIN_INT_ZERO = '''
def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    return max(0, (total_steps - step) / max(1, total_steps - warmup_steps))
'''

_LIN_WARMUP_OFF_BY_ONE = '''
def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step + 1) / float(max(1, warmup_steps))
    return max(0.0, float(total_steps - step) / float(max(1, total_steps - warmup_steps)))
'''

_LIN_NO_MAX1 = '''
def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step) / float(warmup_steps)
    return max(0.0, float(total_steps - step) / float(total_steps - warmup_steps))
'''

_LIN_CALLS_HF = '''
def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    from transformers import get_linear_schedule_with_warmup

    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = get_linear_schedule_with_warmup(optimizer, warmup_steps, total_steps)
    return float(scheduler.lr_lambdas[0](step))
'''

_LIN_NO_WARMUP_GT_TOTAL = '''
def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    return max(0.0, float(total_steps - step) / float(max(1, total_steps - warmup_steps)))
'''

_LIN_TOTAL_ZERO_OK = '''
from fractions import Fraction


def linear_warmup_lambda(step: int, warmup_steps: int, total_steps: int) -> float:
    """Learning-rate factor: linear warmup from 0 to 1 over warmup_steps, then linear decay to 0 at total_steps."""
    if step < 0:
        raise ValueError(f"step must be >= 0, got {step}")
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
    if warmup_steps > total_steps:
        raise ValueError(f"warmup_steps ({warmup_steps}) > total_steps ({total_steps})")
    if step >= warmup_steps:
        remaining = Fraction(int(total_steps) - int(step), max(1, int(total_steps) - int(warmup_steps)))
        return float(max(remaining, Fraction(0)))
    return float(Fraction(int(step), max(1, int(warmup_steps))))
'''

# --------------------------------------------------------------------------------------------------
# cosine_warmup_lambda
# --------------------------------------------------------------------------------------------------

_COS_PLAIN = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    progress = float(step - warmup_steps) / float(max(1, total_steps - warmup_steps))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))
'''

_COS_TORCH64 = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    if step < 0:
        raise ValueError(f"step must be >= 0, got {step}")
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
    if total_steps < 1:
        raise ValueError(f"total_steps must be >= 1, got {total_steps}")
    if warmup_steps > total_steps:
        raise ValueError(f"warmup_steps ({warmup_steps}) > total_steps ({total_steps})")
    if step >= warmup_steps:
        progress = torch.tensor(step - warmup_steps, dtype=torch.float64) / max(1, total_steps - warmup_steps)
        value = 0.5 * (1.0 + torch.cos(2.0 * math.pi * num_cycles * progress))
        return float(torch.clamp(value, min=0.0))
    return step / max(1, warmup_steps) * 1.0
'''

_COS_SQUARED = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    problems = []
    if step < 0:
        problems.append("negative step")
    if warmup_steps < 0:
        problems.append("negative warmup_steps")
    if total_steps < 1:
        problems.append("total_steps < 1")
    if warmup_steps > total_steps:
        problems.append("warmup_steps > total_steps")
    if problems:
        raise ValueError(", ".join(problems))
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    p = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    # 0.5 * (1 + cos(2x)) == cos(x) ** 2, which is never negative
    return float(math.cos(math.pi * num_cycles * p) ** 2)
'''

# --- wrong cosine_warmup_lambda ---

_COS_EARLY_ZERO = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    progress = float(step - warmup_steps) / float(max(1, total_steps - warmup_steps - 1))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))
'''

_COS_IGNORES_CYCLES = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    progress = float(step - warmup_steps) / float(max(1, total_steps - warmup_steps))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))
'''

_COS_MISSING_TWO = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    progress = float(step - warmup_steps) / float(max(1, total_steps - warmup_steps))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * progress)))
'''

_COS_INT_ZERO = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return max(0, 0.5 * (1 + math.cos(2 * math.pi * num_cycles * progress)))
'''

_COS_PROGRESS_OVER_TOTAL = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    if step < 0 or warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: step={step}, warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    progress = float(step - warmup_steps) / float(max(1, total_steps))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))
'''

_COS_NO_STEP_CHECK = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    if warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"bad schedule arguments: warmup_steps={warmup_steps}, total_steps={total_steps}")
    if step < warmup_steps:
        return float(step) / float(max(1, warmup_steps))
    progress = float(step - warmup_steps) / float(max(1, total_steps - warmup_steps))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))
'''

_COS_NO_NEGATIVE_WARMUP_CHECK = '''
def cosine_warmup_lambda(step: int, warmup_steps: int, total_steps: int, num_cycles: float = 0.5) -> float:
    """Learning-rate factor: linear warmup over warmup_steps, then a cosine from 1 down to 0 at total_steps."""
    problems = []
    if step < 0:
        problems.append("negative step")
    if total_steps < 1:
        problems.append("total_steps < 1")
    if warmup_steps > total_steps:
        problems.append("warmup_steps > total_steps")
    if problems:
        raise ValueError(", ".join(problems))
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    p = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return float(math.cos(math.pi * num_cycles * p) ** 2)
'''


_BASE = {"clip_grad_norm": _CLIP_STACK, "linear_warmup_lambda": _LIN_PLAIN, "cosine_warmup_lambda": _COS_PLAIN}
_BASE_B = {"clip_grad_norm": _CLIP_CONCAT64, "linear_warmup_lambda": _LIN_FRACTION, "cosine_warmup_lambda": _COS_TORCH64}
_BASE_C = {"clip_grad_norm": _CLIP_POWER_LOOP, "linear_warmup_lambda": _LIN_BRANCHLESS, "cosine_warmup_lambda": _COS_SQUARED}

#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    "stacked_norms_plain_floats": _BASE,
    "concat64_fractions_torch": _BASE_B,
    "power_loop_branchless_cos2": _BASE_C,
}

#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    # --- clip_grad_norm ---
    "clip_returns_after": {
        "cells": {**_BASE, "clip_grad_norm": _CLIP_RETURNS_AFTER},
        "loses": ["test_clip_grad_norm"],
        "bug": "returns the total norm after clipping instead of before",
    },
    "clip_per_parameter": {
        "cells": {**_BASE, "clip_grad_norm": _CLIP_PER_PARAMETER},
        "loses": ["test_clip_grad_norm"],
        "bug": "clips each gradient by its own norm instead of scaling all by one factor from the total norm",
    },
    "clip_no_eps": {
        "cells": {**_BASE_B, "clip_grad_norm": _CLIP_NO_EPS},
        "loses": ["test_clip_grad_norm"],
        "bug": "factor max_norm / norm without the + 1e-6 (wrong for tiny norms, and clips exactly at the threshold)",
    },
    "clip_scales_up": {
        "cells": {**_BASE_C, "clip_grad_norm": _CLIP_SCALES_UP},
        "loses": ["test_clip_grad_norm"],
        "bug": "always multiplies by max_norm / (norm + 1e-6), scaling small gradients up",
    },
    "clip_inf_as_sum": {
        "cells": {**_BASE_C, "clip_grad_norm": _CLIP_INF_AS_SUM},
        "loses": ["test_clip_grad_norm"],
        "bug": "for norm_type=inf adds the per-parameter maxima instead of taking their maximum",
    },
    "clip_new_tensor": {
        "cells": {**_BASE, "clip_grad_norm": _CLIP_NEW_TENSOR},
        "loses": ["test_clip_grad_norm"],
        "bug": "assigns p.grad = p.grad * factor (a new tensor) instead of scaling in place",
    },
    "clip_generator_twice": {
        "cells": {**_BASE, "clip_grad_norm": _CLIP_GENERATOR_TWICE},
        "loses": ["test_clip_grad_norm"],
        "bug": "iterates `parameters` twice, so a generator is exhausted and nothing gets clipped",
    },
    "clip_empty_crash": {
        "cells": {**_BASE, "clip_grad_norm": _CLIP_EMPTY_CRASH},
        "loses": ["test_clip_grad_norm"],
        "bug": "no special case for 'no gradient at all': torch.stack([]) raises instead of returning tensor(0.)",
    },
    "clip_calls_torch": {
        "cells": {**_BASE, "clip_grad_norm": _CLIP_CALLS_TORCH},
        "loses": ["test_clip_grad_norm"],
        "bug": "calls the forbidden torch.nn.utils.clip_grad_norm_",
    },
    "clip_no_max_norm_check": {
        "cells": {**_BASE, "clip_grad_norm": _CLIP_NO_CHECK},
        "loses": ["input-checks"],
        "bug": "no ValueError for a non-positive max_norm",
    },
    "clip_zero_max_norm_accepted": {
        "cells": {**_BASE_B, "clip_grad_norm": _CLIP_NEGATIVE_ONLY},
        "loses": ["input-checks"],
        "bug": "raises only for max_norm < 0, so max_norm = 0 is accepted",
    },
    # --- linear_warmup_lambda ---
    "lin_warmup_le": {
        "cells": {**_BASE, "linear_warmup_lambda": _LIN_WARMUP_LE},
        "loses": ["test_linear_warmup_lambda"],
        "bug": "warmup branch taken for step <= warmup_steps: with warmup_steps = 0 step 0 gets 0 instead of 1",
    },
    "lin_int_zero": {
        "cells": {**_BASE, "linear_warmup_lambda": _LIN_INT_ZERO},
        "loses": ["test_linear_warmup_lambda"],
        "bug": "max(0, ...) returns the int 0 (not a float) at total_steps",
    },
    "lin_warmup_off_by_one": {
        "cells": {**_BASE, "linear_warmup_lambda": _LIN_WARMUP_OFF_BY_ONE},
        "loses": ["test_linear_warmup_lambda"],
        "bug": "warmup (step + 1) / warmup_steps: the first step already has a non-zero rate",
    },
    "lin_no_max1": {
        "cells": {**_BASE, "linear_warmup_lambda": _LIN_NO_MAX1},
        "loses": ["test_linear_warmup_lambda"],
        "bug": "no max(1, ...) in the decay denominator: ZeroDivisionError when warmup_steps == total_steps",
    },
    "lin_calls_hf": {
        "cells": {**_BASE, "linear_warmup_lambda": _LIN_CALLS_HF},
        "loses": ["test_linear_warmup_lambda"],
        "bug": "reads the factor from the forbidden transformers.get_linear_schedule_with_warmup",
    },
    "lin_no_warmup_gt_total_check": {
        "cells": {**_BASE, "linear_warmup_lambda": _LIN_NO_WARMUP_GT_TOTAL},
        "loses": ["input-checks"],
        "bug": "no ValueError when warmup_steps > total_steps",
    },
    "lin_total_zero_accepted": {
        "cells": {**_BASE_B, "linear_warmup_lambda": _LIN_TOTAL_ZERO_OK},
        "loses": ["input-checks"],
        "bug": "no ValueError for total_steps < 1 (total_steps = 0 with warmup 0 is accepted)",
    },
    # --- cosine_warmup_lambda ---
    "cos_early_zero": {
        "cells": {**_BASE, "cosine_warmup_lambda": _COS_EARLY_ZERO},
        "loses": ["test_cosine_warmup_lambda"],
        "bug": "progress divides by total - warmup - 1, so the cosine reaches 0 one step early",
    },
    "cos_ignores_cycles": {
        "cells": {**_BASE, "cosine_warmup_lambda": _COS_IGNORES_CYCLES},
        "loses": ["test_cosine_warmup_lambda"],
        "bug": "hard-codes half a cycle, ignoring num_cycles",
    },
    "cos_missing_two": {
        "cells": {**_BASE, "cosine_warmup_lambda": _COS_MISSING_TWO},
        "loses": ["test_cosine_warmup_lambda"],
        "bug": "cos(pi * num_cycles * p) without the factor 2",
    },
    "cos_int_zero": {
        "cells": {**_BASE, "cosine_warmup_lambda": _COS_INT_ZERO},
        "loses": ["test_cosine_warmup_lambda"],
        "bug": "max(0, ...) returns the int 0 (not a float) where the cosine reaches 0",
    },
    "cos_progress_over_total": {
        "cells": {**_BASE, "cosine_warmup_lambda": _COS_PROGRESS_OVER_TOTAL},
        "loses": ["test_cosine_warmup_lambda"],
        "bug": "progress (step - warmup) / total_steps: the decay never reaches 0 at total_steps when there is warmup",
    },
    "cos_no_step_check": {
        "cells": {**_BASE, "cosine_warmup_lambda": _COS_NO_STEP_CHECK},
        "loses": ["input-checks"],
        "bug": "no ValueError for a negative step",
    },
    "cos_no_negative_warmup_check": {
        "cells": {**_BASE_C, "cosine_warmup_lambda": _COS_NO_NEGATIVE_WARMUP_CHECK},
        "loses": ["input-checks"],
        "bug": "no ValueError for a negative warmup_steps",
    },
}
