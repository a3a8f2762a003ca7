"""Implementations of 3_1's two functions, as students might write them.

Each entry of CORRECT and WRONG is a pair (attention_weights, scaled_dot_product_attention).
WRONG also names the check that must catch it and the checks that must still pass, so that a bug
costs the points of the part it breaks and no others.
"""

import math

import torch
import torch.nn.functional as F

from solutions import attention as reference


def _sdpa_from(weights):
    def sdpa(query, key, value, attn_mask=None, is_causal=False):
        if key.size(-2) != value.size(-2):
            raise ValueError("key and value must have the same length")
        return weights(query, key, attn_mask, is_causal) @ value
    return sdpa


def _check_e(query, key):
    if query.size(-1) != key.size(-1):
        raise ValueError("query and key must have the same size E")


# ------------------------------------------------------------------ correct, written differently

def einsum_manual_softmax(query, key, attn_mask=None, is_causal=False):
    """einsum, a hand-written stable softmax, and finfo.min instead of -inf for masked keys."""
    _check_e(query, key)
    scores = torch.einsum("...le,...se->...ls", query, key) * query.size(-1) ** -0.5
    L, S = scores.shape[-2:]
    lowest = torch.finfo(scores.dtype).min
    if is_causal:
        scores = torch.where(torch.arange(S) <= torch.arange(L)[:, None], scores, lowest)
    if attn_mask is not None:
        scores = torch.where(attn_mask, scores, lowest) if attn_mask.dtype == torch.bool else scores + attn_mask
    scores = scores - scores.amax(dim=-1, keepdim=True)
    e = scores.exp()
    return e / e.sum(dim=-1, keepdim=True)


def float64_additive_bias(query, key, attn_mask=None, is_causal=False):
    """Computes in float64 and casts back; turns every mask into an additive bias first."""
    _check_e(query, key)
    q, k = query.double(), key.double()
    L, S = q.size(-2), k.size(-2)
    bias = torch.zeros(L, S, dtype=torch.float64)
    if is_causal:
        bias = bias.masked_fill(torch.triu(torch.ones(L, S, dtype=torch.bool), diagonal=1), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias = bias + torch.zeros(attn_mask.shape, dtype=torch.float64).masked_fill(~attn_mask, float("-inf"))
        else:
            bias = bias + attn_mask.double()
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.size(-1)) + bias
    return F.softmax(scores, dim=-1).to(query.dtype)


def sdpa_via_bmm(query, key, value, attn_mask=None, is_causal=False):
    """Flattens the batch dimensions and uses bmm, without calling attention_weights."""
    if key.size(-2) != value.size(-2):
        raise ValueError("key and value must have the same length")
    w = float64_additive_bias(query, key, attn_mask, is_causal)
    batch = w.shape[:-2]
    out = torch.bmm(w.reshape(-1, *w.shape[-2:]), value.reshape(-1, *value.shape[-2:]))
    return out.reshape(*batch, *out.shape[-2:])


CORRECT = {
    "reference": (reference.attention_weights, reference.scaled_dot_product_attention),
    "einsum_manual_softmax": (einsum_manual_softmax, _sdpa_from(einsum_manual_softmax)),
    "float64_additive_bias": (float64_additive_bias, sdpa_via_bmm),
}


# ---------------------------------------------------------------------------------- wrong

def _weights(scale=None, axis=-1, causal_diagonal=0, causal_upper=False, mask_mode="ok", stable=True,
             validate=True):
    """A family of attention weights, each argument bending one rule."""
    def weights(query, key, attn_mask=None, is_causal=False):
        if validate:
            _check_e(query, key)
        E = query.size(-1)
        scores = query @ key.transpose(-2, -1) * (E ** -0.5 if scale is None else scale(E))
        L, S = scores.shape[-2:]
        if is_causal:
            ones = torch.ones(L, S, dtype=torch.bool)
            allowed = ones.triu() if causal_upper else ones.tril(causal_diagonal)
            scores = scores.masked_fill(~allowed, float("-inf"))
        if attn_mask is not None and mask_mode != "ignored":
            if attn_mask.dtype == torch.bool or mask_mode == "float_as_bool":
                scores = scores.masked_fill(~attn_mask.bool(), float("-inf"))
            else:
                scores = scores + attn_mask
        if not stable:
            e = scores.exp()
            return e / e.sum(dim=axis, keepdim=True)
        return torch.softmax(scores, dim=axis)
    return weights


def _pair(weights):
    return weights, _sdpa_from(weights)


def _mutates_mask(query, key, attn_mask=None, is_causal=False):
    if attn_mask is not None and attn_mask.dtype != torch.bool:
        attn_mask.nan_to_num_(neginf=-1e9)  # "cleans" the caller's mask in place
    return reference.attention_weights(query, key, attn_mask, is_causal)


def _weights_transposed(query, key, value, attn_mask=None, is_causal=False):
    if key.size(-2) != value.size(-2):
        raise ValueError("key and value must have the same length")
    return reference.attention_weights(query, key, attn_mask, is_causal).transpose(-2, -1) @ value


def _sdpa_default_dtype(query, key, value, attn_mask=None, is_causal=False):
    """Writes the output into a buffer of the default dtype: float64 inputs give a float32 output."""
    if key.size(-2) != value.size(-2):
        raise ValueError("key and value must have the same length")
    w = reference.attention_weights(query, key, attn_mask, is_causal)
    out = torch.zeros(*w.shape[:-1], value.size(-1))
    out[...] = w @ value
    return out


def _calls_torch(query, key, value, attn_mask=None, is_causal=False):
    return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask, is_causal=is_causal)


WEIGHTS, SDPA, MASKS, INPUTS = ("check_attention_weights", "check_scaled_dot_product_attention", "check_masks",
                                "check_input_checks")

# name -> (pair, the check that must fail, the checks that must still pass)
WRONG = {
    "no_scaling": (_pair(_weights(scale=lambda E: 1.0)), WEIGHTS, ()),
    "scaled_by_d": (_pair(_weights(scale=lambda E: 1.0 / E)), WEIGHTS, ()),
    "softmax_over_queries": (_pair(_weights(axis=-2)), WEIGHTS, ()),
    "exp_overflows": (_pair(_weights(stable=False)), WEIGHTS, ()),
    "no_value_error": (_pair(_weights(validate=False)), INPUTS, (WEIGHTS, SDPA, MASKS)),
    "weights_transposed_before_values": ((reference.attention_weights, _weights_transposed), SDPA, (WEIGHTS, INPUTS)),
    "calls_torch_sdpa": ((reference.attention_weights, _calls_torch), SDPA, (WEIGHTS,)),
    "output_in_the_default_dtype": ((reference.attention_weights, _sdpa_default_dtype), SDPA, (WEIGHTS, INPUTS)),
    "causal_mask_transposed": (_pair(_weights(causal_upper=True)), MASKS, (WEIGHTS, SDPA)),
    "diagonal_masked_out": (_pair(_weights(causal_diagonal=-1)), MASKS, (WEIGHTS, SDPA)),
    "attn_mask_ignored": (_pair(_weights(mask_mode="ignored")), MASKS, (WEIGHTS, SDPA)),
    "float_mask_as_bool": (_pair(_weights(mask_mode="float_as_bool")), MASKS, (WEIGHTS, SDPA)),
    "mutates_float_mask": (_pair(_mutates_mask), MASKS, (WEIGHTS, SDPA)),
}
