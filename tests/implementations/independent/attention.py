"""3_1_transformer_impl_attention_qkv: implementations written from the release notebook alone (independently written; the author saw
neither source/, solutions/ nor graders/). The correct ones differ in matmul vs einsum vs a Python loop over the batch, torch.softmax vs
an own max-subtracted exp vs logsumexp, masked_fill vs an additive bias, and float32 vs float64 internally."""

ASSIGNMENT = "3_1_transformer_impl_attention_qkv"

# ---------------------------------------------------------------------------------------------------
# correct variant 1: matmul, masked_fill, torch.softmax
# ---------------------------------------------------------------------------------------------------
_W_MATMUL = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    scores = query @ key.transpose(-2, -1) / math.sqrt(E)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores, dim=-1)
'''

_S_MATMUL = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions S, got {key.shape[-2]} and {value.shape[-2]}")
    weights = attention_weights(query, key, attn_mask=attn_mask, is_causal=is_causal)
    return weights @ value
'''

# ---------------------------------------------------------------------------------------------------
# correct variant 2: einsum, one additive bias, own exp with the row maximum subtracted
# ---------------------------------------------------------------------------------------------------
_W_EINSUM = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    if query.size(-1) != key.size(-1):
        raise ValueError("query and key disagree on the feature size E: "
                         f"{query.size(-1)} vs {key.size(-1)}")
    scale = 1.0 / math.sqrt(query.size(-1))
    scores = torch.einsum("...le,...se->...ls", query, key) * scale
    n_q, n_k = query.size(-2), key.size(-2)
    bias = None
    if is_causal:
        future = torch.ones(n_q, n_k, dtype=torch.bool, device=scores.device).triu(diagonal=1)
        bias = torch.zeros(n_q, n_k, dtype=scores.dtype, device=scores.device).masked_fill(future, float("-inf"))
    elif attn_mask is not None:
        if attn_mask.dtype is torch.bool:
            zero = torch.zeros((), dtype=scores.dtype, device=scores.device)
            minus_inf = torch.full((), float("-inf"), dtype=scores.dtype, device=scores.device)
            bias = torch.where(attn_mask, zero, minus_inf)
        else:
            bias = attn_mask.to(dtype=scores.dtype)
    if bias is not None:
        scores = scores + bias
    shifted = scores - scores.amax(dim=-1, keepdim=True)
    e = torch.exp(shifted)
    return e / e.sum(dim=-1, keepdim=True)
'''

_S_EINSUM = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    if query.size(-1) != key.size(-1):
        raise ValueError(f"query has E={query.size(-1)}, key has E={key.size(-1)}")
    if key.size(-2) != value.size(-2):
        raise ValueError(f"key has S={key.size(-2)} positions, value has {value.size(-2)}")
    w = attention_weights(query, key, attn_mask, is_causal)
    return torch.einsum("...ls,...sv->...lv", w, value)
'''

# ---------------------------------------------------------------------------------------------------
# correct variant 3: float64 internally, a Python loop over the flattened batch, mask built by a loop
# ---------------------------------------------------------------------------------------------------
_W_LOOP64 = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    if tuple(query.shape)[-1] != tuple(key.shape)[-1]:
        raise ValueError("the last dimension E of query and key must match")
    out_dtype = query.dtype
    L, E = query.shape[-2], query.shape[-1]
    S = key.shape[-2]
    batch = torch.broadcast_shapes(query.shape[:-2], key.shape[:-2])
    if attn_mask is not None:
        batch = torch.broadcast_shapes(batch, attn_mask.shape[:-2])
    q = query.to(torch.float64).expand(*batch, L, E).reshape(-1, L, E)
    k = key.to(torch.float64).expand(*batch, S, E).reshape(-1, S, E)
    if is_causal:
        rows = [[j <= i for j in range(S)] for i in range(L)]
        mask = torch.tensor(rows, dtype=torch.bool, device=query.device)
    else:
        mask = attn_mask
    if mask is not None:
        mask = mask.expand(*batch, L, S).reshape(-1, L, S)
    result = []
    for n in range(q.shape[0]):
        s = torch.matmul(q[n], k[n].t()) / math.sqrt(E)
        if mask is not None:
            if mask.dtype == torch.bool:
                s = torch.where(mask[n], s, torch.tensor(float("-inf"), dtype=torch.float64, device=s.device))
            else:
                s = s + mask[n].to(torch.float64)
        result.append(torch.softmax(s, dim=-1))
    return torch.stack(result).reshape(*batch, L, S).to(out_dtype)
'''

_S_LOOP64 = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    if query.shape[-1] != key.shape[-1]:
        raise ValueError("query and key must share the feature size E")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError("key and value must have the same number S of positions")
    w = attention_weights(query, key, attn_mask=attn_mask, is_causal=is_causal).to(torch.float64)
    out = (w.unsqueeze(-1) * value.to(torch.float64).unsqueeze(-3)).sum(dim=-2)
    return out.to(value.dtype)
'''

# ---------------------------------------------------------------------------------------------------
# correct variant 4: additive float mask everywhere, softmax as exp(s - logsumexp(s)), matmul with mT
# ---------------------------------------------------------------------------------------------------
_W_LSE = '''def _as_bias(attn_mask, is_causal, L, S, dtype, device):
    """The mask as a float tensor to add to the scores (None when there is none)."""
    if is_causal:
        return torch.full((L, S), float("-inf"), dtype=dtype, device=device).triu(diagonal=1)
    if attn_mask is None:
        return None
    if attn_mask.dtype == torch.bool:
        return torch.zeros(attn_mask.shape, dtype=dtype, device=device).masked_fill(attn_mask.logical_not(), float("-inf"))
    return attn_mask.to(dtype)


def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E_q, E_k = query.shape[-1], key.shape[-1]
    if E_q != E_k:
        raise ValueError(f"E of query ({E_q}) differs from E of key ({E_k})")
    scores = torch.matmul(query, key.mT).div(E_q ** 0.5)
    bias = _as_bias(attn_mask, is_causal, scores.shape[-2], scores.shape[-1], scores.dtype, scores.device)
    if bias is not None:
        scores = scores + bias
    return torch.exp(scores - torch.logsumexp(scores, dim=-1, keepdim=True))
'''

_S_LSE = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    S_k, S_v = key.shape[-2], value.shape[-2]
    if S_k != S_v:
        raise ValueError(f"{S_k} keys but {S_v} values")
    return torch.matmul(attention_weights(query, key, attn_mask, is_causal), value)
'''

# ---------------------------------------------------------------------------------------------------
# wrong versions of attention_weights (each a copy of _W_MATMUL with one bug)
# ---------------------------------------------------------------------------------------------------
_W_NO_SCALE = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    scores = query @ key.transpose(-2, -1)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores, dim=-1)
'''

_W_SCALE_BY_E = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    scores = query @ key.transpose(-2, -1) / E
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores, dim=-1)
'''

_W_SOFTMAX_AXIS = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    scores = query @ key.transpose(-2, -1) / math.sqrt(E)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores, dim=-2)
'''

# own exp without subtracting the row maximum: overflows (inf / inf = nan) for scores ~ 10^4
_W_NAIVE_EXP = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    scores = query @ key.transpose(-2, -1) / math.sqrt(E)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    e = scores.exp()
    return e / e.sum(dim=-1, keepdim=True)
'''

# scales the query in place: the caller's tensor is changed
_W_INPLACE = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    query /= math.sqrt(E)
    scores = query @ key.transpose(-2, -1)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores, dim=-1)
'''

# calls the forbidden torch function (gets the weights by passing the identity as values)
_W_CALLS_TORCH = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    S = key.shape[-2]
    eye = torch.eye(S, dtype=query.dtype, device=query.device).expand(*key.shape[:-2], S, S)
    return F.scaled_dot_product_attention(query, key, eye, attn_mask=attn_mask, is_causal=is_causal)
'''

# --- mask bugs ---
# boolean mask read the nn.MultiheadAttention way: True removes the key
_W_BOOL_INVERTED = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    scores = query @ key.transpose(-2, -1) / math.sqrt(E)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores, dim=-1)
'''

# causal mask aligned to the bottom right (KV-cache convention) instead of torch.ones(L, S).tril()
_W_CAUSAL_BOTTOM_RIGHT = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    scores = query @ key.transpose(-2, -1) / math.sqrt(E)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril(diagonal=S - L)
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores, dim=-1)
'''

# the float mask is added before the division by sqrt(E), so finite biases are scaled down too
_W_MASK_BEFORE_SCALE = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    scores = query @ key.transpose(-2, -1)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores / math.sqrt(E), dim=-1)
'''

# a float mask is only used to remove keys (its -inf entries); finite biases are ignored
_W_FLOAT_MASK_ONLY_INF = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise ValueError(f"query and key must have the same size E, got {E} and {key.shape[-1]}")
    scores = query @ key.transpose(-2, -1) / math.sqrt(E)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype != torch.bool:
            attn_mask = attn_mask != float("-inf")
        scores = scores.masked_fill(~attn_mask, float("-inf"))
    return torch.softmax(scores, dim=-1)
'''

# --- input check bugs ---
_W_NO_E_CHECK = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    scores = query @ key.transpose(-2, -1) / math.sqrt(E)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores, dim=-1)
'''

_W_ASSERT_CHECK = '''def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False) -> Tensor:
    """softmax(query @ key^T / sqrt(E) + mask) over the keys: shape (..., L, S)."""
    E = query.shape[-1]
    assert key.shape[-1] == E, f"query and key must have the same size E, got {E} and {key.shape[-1]}"
    scores = query @ key.transpose(-2, -1) / math.sqrt(E)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    return torch.softmax(scores, dim=-1)
'''

# ---------------------------------------------------------------------------------------------------
# wrong versions of scaled_dot_product_attention (each a copy of _S_MATMUL with one bug)
# ---------------------------------------------------------------------------------------------------
_S_NO_S_CHECK = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    weights = attention_weights(query, key, attn_mask=attn_mask, is_causal=is_causal)
    return weights @ value
'''

# the S check raises the wrong exception type
_S_S_CHECK_INDEX_ERROR = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    if key.shape[-2] != value.shape[-2]:
        raise IndexError(f"key and value must have the same number of positions S, got {key.shape[-2]} and {value.shape[-2]}")
    weights = attention_weights(query, key, attn_mask=attn_mask, is_causal=is_causal)
    return weights @ value
'''

_S_DROPS_MASK = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions S, got {key.shape[-2]} and {value.shape[-2]}")
    weights = attention_weights(query, key)
    return weights @ value
'''

_S_DOUBLE_SCALE = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions S, got {key.shape[-2]} and {value.shape[-2]}")
    weights = attention_weights(query / math.sqrt(query.shape[-1]), key, attn_mask=attn_mask, is_causal=is_causal)
    return weights @ value
'''

_S_KEY_AS_VALUE = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions S, got {key.shape[-2]} and {value.shape[-2]}")
    weights = attention_weights(query, key, attn_mask=attn_mask, is_causal=is_causal)
    if key.shape[-1] == value.shape[-1]:
        value = key
    return weights @ value
'''

# fills a float32 buffer: float64 inputs come back as float32 (and rounded)
_S_FLOAT32_OUT = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions S, got {key.shape[-2]} and {value.shape[-2]}")
    weights = attention_weights(query, key, attn_mask=attn_mask, is_causal=is_causal)
    out = torch.zeros(*weights.shape[:-1], value.shape[-1])
    out[...] = weights @ value
    return out
'''

# weights transposed before the product: wrong (or a shape error) as soon as L != S
_S_TRANSPOSED = '''def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
    """Attention output softmax(query @ key^T / sqrt(E) + mask) @ value: shape (..., L, Ev)."""
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions S, got {key.shape[-2]} and {value.shape[-2]}")
    weights = attention_weights(query, key, attn_mask=attn_mask, is_causal=is_causal)
    if weights.shape[-1] == weights.shape[-2]:
        weights = weights.transpose(-2, -1)
    return weights @ value
'''


CORRECT = {
    "matmul_masked_fill": {"attention_weights": _W_MATMUL, "scaled_dot_product_attention": _S_MATMUL},
    "einsum_own_exp": {"attention_weights": _W_EINSUM, "scaled_dot_product_attention": _S_EINSUM},
    "float64_batch_loop": {"attention_weights": _W_LOOP64, "scaled_dot_product_attention": _S_LOOP64},
    "additive_logsumexp": {"attention_weights": _W_LSE, "scaled_dot_product_attention": _S_LSE},
}

WRONG = {
    # Task 1: the weights
    "no_scale": {"cells": {"attention_weights": _W_NO_SCALE, "scaled_dot_product_attention": _S_MATMUL},
                 "loses": ["test_attention_weights"], "bug": "scores are not divided by sqrt(E)"},
    "scale_by_E": {"cells": {"attention_weights": _W_SCALE_BY_E, "scaled_dot_product_attention": _S_MATMUL},
                   "loses": ["test_attention_weights"], "bug": "scores divided by E instead of sqrt(E)"},
    "softmax_over_queries": {"cells": {"attention_weights": _W_SOFTMAX_AXIS, "scaled_dot_product_attention": _S_MATMUL},
                             "loses": ["test_attention_weights"], "bug": "softmax over dim=-2 (the queries) instead of the keys"},
    "naive_exp": {"cells": {"attention_weights": _W_NAIVE_EXP, "scaled_dot_product_attention": _S_MATMUL},
                  "loses": ["test_attention_weights"], "bug": "own exp without subtracting the row maximum: nan for scores ~ 10^4"},
    "scales_query_in_place": {"cells": {"attention_weights": _W_INPLACE, "scaled_dot_product_attention": _S_MATMUL},
                              "loses": ["test_attention_weights"], "bug": "query /= sqrt(E) changes the caller's tensor"},
    "calls_torch_sdpa": {"cells": {"attention_weights": _W_CALLS_TORCH, "scaled_dot_product_attention": _S_MATMUL},
                         "loses": ["test_attention_weights"], "bug": "gets the weights from F.scaled_dot_product_attention, which the notebook forbids"},
    # Task 2: the output
    "sdpa_double_scale": {"cells": {"attention_weights": _W_MATMUL, "scaled_dot_product_attention": _S_DOUBLE_SCALE},
                          "loses": ["test_scaled_dot_product_attention"], "bug": "scales the query again before attention_weights (1/E overall)"},
    "sdpa_key_as_value": {"cells": {"attention_weights": _W_MATMUL, "scaled_dot_product_attention": _S_KEY_AS_VALUE},
                          "loses": ["test_scaled_dot_product_attention"], "bug": "averages the keys instead of the values when their sizes agree"},
    "sdpa_float32_output": {"cells": {"attention_weights": _W_MATMUL, "scaled_dot_product_attention": _S_FLOAT32_OUT},
                            "loses": ["test_scaled_dot_product_attention"], "bug": "writes into a default-dtype buffer: float64 inputs give a float32 output"},
    "sdpa_transposed_weights": {"cells": {"attention_weights": _W_MATMUL, "scaled_dot_product_attention": _S_TRANSPOSED},
                                "loses": ["test_scaled_dot_product_attention"], "bug": "multiplies the transposed weights by the values when L == S"},
    # Task 3: masks
    "bool_mask_inverted": {"cells": {"attention_weights": _W_BOOL_INVERTED, "scaled_dot_product_attention": _S_MATMUL},
                           "loses": ["test_masks"], "bug": "boolean mask True removes the key (nn.MultiheadAttention convention)"},
    "causal_bottom_right": {"cells": {"attention_weights": _W_CAUSAL_BOTTOM_RIGHT, "scaled_dot_product_attention": _S_MATMUL},
                            "loses": ["test_masks"], "bug": "causal mask tril(diagonal=S-L), aligned bottom right, wrong when L != S"},
    "float_mask_before_scale": {"cells": {"attention_weights": _W_MASK_BEFORE_SCALE, "scaled_dot_product_attention": _S_MATMUL},
                                "loses": ["test_masks"], "bug": "float mask added before the division by sqrt(E)"},
    "float_mask_only_inf": {"cells": {"attention_weights": _W_FLOAT_MASK_ONLY_INF, "scaled_dot_product_attention": _S_MATMUL},
                            "loses": ["test_masks"], "bug": "a float mask only removes its -inf keys; finite biases are ignored"},
    "sdpa_drops_mask": {"cells": {"attention_weights": _W_MATMUL, "scaled_dot_product_attention": _S_DROPS_MASK},
                        "loses": ["test_masks"], "bug": "scaled_dot_product_attention does not pass attn_mask / is_causal on"},
    # Task 4: input checks
    "no_E_check": {"cells": {"attention_weights": _W_NO_E_CHECK, "scaled_dot_product_attention": _S_MATMUL},
                   "loses": ["input-checks"], "bug": "no ValueError when query and key differ in E (matmul RuntimeError instead)"},
    "assert_E_check": {"cells": {"attention_weights": _W_ASSERT_CHECK, "scaled_dot_product_attention": _S_MATMUL},
                       "loses": ["input-checks"], "bug": "checks E with assert: AssertionError, not ValueError"},
    "no_S_check": {"cells": {"attention_weights": _W_MATMUL, "scaled_dot_product_attention": _S_NO_S_CHECK},
                   "loses": ["input-checks"], "bug": "no ValueError when key and value have different S"},
    "S_check_index_error": {"cells": {"attention_weights": _W_MATMUL, "scaled_dot_product_attention": _S_S_CHECK_INDEX_ERROR},
                            "loses": ["input-checks"], "bug": "key/value S mismatch raises IndexError instead of ValueError"},
}
