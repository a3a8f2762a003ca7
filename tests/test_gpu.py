"""GPU checks (`pytest -m gpu`): skipped without CUDA. They import only torch, hypothesis and the
project's own code, so they run on a machine without nbgrader or datasets."""

import time

import pytest
import torch
import torch.nn.functional as F

from solutions.attention import scaled_dot_product_attention

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]

TOLERANCE = {torch.float32: 2e-3, torch.bfloat16: 3e-2, torch.float16: 5e-3}


def _timed(fn, repeats=20):
    fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats


@pytest.mark.parametrize("dtype", list(TOLERANCE), ids=str)
def test_reference_attention_matches_fused_kernels_at_gpt2_size(dtype):
    """GPT-2 small's attention (batch 8, 12 heads, 1024 positions, head size 64), causal, on the GPU."""
    g = torch.Generator(device="cuda").manual_seed(0)
    q, k, v = (torch.randn(8, 12, 1024, 64, device="cuda", dtype=dtype, generator=g) for _ in range(3))
    ours = scaled_dot_product_attention(q, k, v, is_causal=True)
    fused = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert ours.dtype == dtype and torch.isfinite(ours).all()
    assert (ours.float() - fused.float()).abs().max().item() < TOLERANCE[dtype]
    t_ours = _timed(lambda: scaled_dot_product_attention(q, k, v, is_causal=True))
    t_fused = _timed(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
    tokens = 8 * 1024
    print(f"\n{dtype}: reference {t_ours * 1e3:.2f} ms ({tokens / t_ours:,.0f} tokens/s), "
          f"torch fused {t_fused * 1e3:.2f} ms ({tokens / t_fused:,.0f} tokens/s), ratio {t_ours / t_fused:.1f}x")
