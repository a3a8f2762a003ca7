"""solutions/attention.py against torch's F.scaled_dot_product_attention."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from graders.attention import make_mask, make_qkv, problems
from solutions.attention import attention_weights, scaled_dot_product_attention


def close(a, b):
    tol = {"rtol": 1e-7, "atol": 1e-9} if b.dtype == torch.float64 else {"rtol": 1e-4, "atol": 1e-5}
    return a.dtype == b.dtype and a.shape == b.shape and torch.allclose(a, b, **tol)


@given(problems(), st.sampled_from([None, "causal", "bool", "float"]), st.booleans())
def test_reference_equals_torch(problem, mask, broadcast):
    q, k, v = make_qkv(*problem)
    kwargs = {}
    if mask == "causal":
        kwargs["is_causal"] = True
    elif mask:
        kwargs["attn_mask"] = make_mask(problem.batch, problem.L, problem.S, problem.dtype, problem.seed, mask, broadcast)
    assert close(scaled_dot_product_attention(q, k, v, **kwargs), F.scaled_dot_product_attention(q, k, v, **kwargs))


@given(problems())
def test_weights_are_a_distribution_over_keys(problem):
    q, k, _ = make_qkv(*problem, scale=1e4)
    w = attention_weights(q, k, is_causal=True)
    assert torch.isfinite(w).all() and (w >= 0).all()
    assert torch.allclose(w.sum(-1), torch.ones(w.shape[:-1], dtype=w.dtype), atol=1e-5)
    assert (w.triu(diagonal=1) == 0).all()


def test_inputs_are_not_modified():
    q, k, v = make_qkv((2,), 3, 4, 5, 6, torch.float32, 0)
    mask = make_mask((2,), 3, 4, torch.float32, 0, "float", broadcast=False)
    copies = [t.clone() for t in (q, k, v, mask)]
    scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert all(torch.equal(a, b) for a, b in zip(copies, (q, k, v, mask)))


@pytest.mark.parametrize("shapes, message", [
    (((3, 4), (5, 3), (5, 2)), "last dimension E"),
    (((3, 4), (5, 4), (6, 2)), "number of positions S"),
])
def test_bad_shapes_raise_value_error(shapes, message):
    q, k, v = (torch.randn(*s) for s in shapes)
    with pytest.raises(ValueError, match=message):
        scaled_dot_product_attention(q, k, v)
