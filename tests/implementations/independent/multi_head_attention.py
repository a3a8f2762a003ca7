"""3_3_transformer_impl_multi_head_attention: implementations written from the release notebook alone (independently written; the
author saw neither source/, solutions/ nor graders/). The correct ones differ in how heads are cut and glued (view/transpose/reshape vs
unflatten/permute/flatten vs chunk/stack and unbind/cat), in how causality is asked for (is_causal vs an explicit boolean mask with an
explicit scale) and in the projections (four nn.Linear calls vs one fused F.linear over the stacked q/k/v weights)."""

ASSIGNMENT = "3_3_transformer_impl_multi_head_attention"

# ---------------------------------------------------------------------------------------------------
# correct variant 1: view + transpose, transpose + reshape; is_causal=True
# ---------------------------------------------------------------------------------------------------
_SPLIT_VIEW = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    B, T, E = x.shape
    if num_heads < 1 or E % num_heads != 0:
        raise ValueError(f"cannot split E={E} features into num_heads={num_heads} heads")
    D = E // num_heads
    return x.view(B, T, num_heads, D).transpose(1, 2)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    B, H, T, D = x.shape
    return x.transpose(1, 2).reshape(B, T, H * D)
'''

_MHA_CAUSAL = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if embedding_dim < 1 or num_heads < 1 or embedding_dim % num_heads != 0:
            raise ValueError(f"embedding_dim={embedding_dim} must be a positive multiple of num_heads={num_heads}")
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        q = split_heads(self.q_proj(x), self.num_heads)
        k = split_heads(self.k_proj(x), self.num_heads)
        v = split_heads(self.v_proj(x), self.num_heads)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.o_proj(merge_heads(y))
'''

# ---------------------------------------------------------------------------------------------------
# correct variant 2: unflatten + permute, permute + flatten; explicit boolean causal mask and scale
# ---------------------------------------------------------------------------------------------------
_SPLIT_UNFLATTEN = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    E = x.size(-1)
    if num_heads <= 0 or E % num_heads:
        raise ValueError(f"the embedding size {E} is not divisible by num_heads={num_heads}")
    return x.unflatten(-1, (num_heads, E // num_heads)).permute(0, 2, 1, 3)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    return x.permute(0, 2, 1, 3).flatten(start_dim=2)
'''

_MHA_EXPLICIT_MASK = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if num_heads <= 0 or embedding_dim <= 0:
            raise ValueError("embedding_dim and num_heads must both be positive")
        if embedding_dim % num_heads:
            raise ValueError(f"{embedding_dim} features cannot be split into {num_heads} heads")
        self.num_heads = num_heads
        self.head_dim = embedding_dim // num_heads
        self.dropout_p = float(dropout)
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (nn.Linear(embedding_dim, embedding_dim) for _ in range(4))

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        T = x.shape[1]
        heads = [split_heads(proj(x), self.num_heads) for proj in (self.q_proj, self.k_proj, self.v_proj)]
        keep = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        p = self.dropout_p if self.training else 0.0
        y = F.scaled_dot_product_attention(*heads, attn_mask=keep, dropout_p=p, scale=1.0 / math.sqrt(self.head_dim))
        return self.o_proj(merge_heads(y))
'''

# ---------------------------------------------------------------------------------------------------
# correct variant 3: chunk + stack, unbind + cat; one fused projection for q, k and v
# ---------------------------------------------------------------------------------------------------
_SPLIT_CHUNK = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    if num_heads < 1:
        raise ValueError(f"num_heads must be at least 1, got {num_heads}")
    if x.shape[-1] % num_heads:
        raise ValueError(f"E={x.shape[-1]} is not a multiple of num_heads={num_heads}")
    return torch.stack(x.chunk(num_heads, dim=-1), dim=1)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    return torch.cat(x.unbind(dim=1), dim=-1)
'''

_MHA_FUSED = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if min(embedding_dim, num_heads) < 1 or embedding_dim % num_heads != 0:
            raise ValueError(f"need positive sizes with num_heads dividing embedding_dim, got {embedding_dim} and {num_heads}")
        self.embedding_dim, self.num_heads, self.attn_dropout = embedding_dim, num_heads, dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        weight = torch.cat([self.q_proj.weight, self.k_proj.weight, self.v_proj.weight], dim=0)
        bias = torch.cat([self.q_proj.bias, self.k_proj.bias, self.v_proj.bias], dim=0)
        q, k, v = F.linear(x, weight, bias).split(self.embedding_dim, dim=-1)
        p = 0.0
        if self.training:
            p = self.attn_dropout
        y = F.scaled_dot_product_attention(split_heads(q, self.num_heads), split_heads(k, self.num_heads),
                                           split_heads(v, self.num_heads), dropout_p=p, is_causal=True)
        return self.o_proj(merge_heads(y))
'''

# ---------------------------------------------------------------------------------------------------
# wrong split / merge
# ---------------------------------------------------------------------------------------------------
# the bug the notebook warns about: reshape without the transpose (round trip still gives x back)
_SPLIT_RESHAPE_ONLY = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    B, T, E = x.shape
    if num_heads < 1 or E % num_heads != 0:
        raise ValueError(f"cannot split E={E} features into num_heads={num_heads} heads")
    D = E // num_heads
    return x.reshape(B, num_heads, T, D)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    B, H, T, D = x.shape
    return x.reshape(B, T, H * D)
'''

# features dealt out round-robin: head h gets features h, h+H, h+2H, ... (merge is its inverse)
_SPLIT_INTERLEAVED = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    B, T, E = x.shape
    if num_heads < 1 or E % num_heads != 0:
        raise ValueError(f"cannot split E={E} features into num_heads={num_heads} heads")
    D = E // num_heads
    return x.view(B, T, D, num_heads).permute(0, 3, 1, 2)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    B, H, T, D = x.shape
    return x.permute(0, 2, 3, 1).reshape(B, T, H * D)
'''

# merge with the wrong permutation: features come out D-major (interleaved), not head after head
_MERGE_WRONG_PERMUTE = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    B, T, E = x.shape
    if num_heads < 1 or E % num_heads != 0:
        raise ValueError(f"cannot split E={E} features into num_heads={num_heads} heads")
    D = E // num_heads
    return x.view(B, T, num_heads, D).transpose(1, 2)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    B, H, T, D = x.shape
    return x.permute(0, 2, 3, 1).reshape(B, T, H * D)
'''

# split forgets the transpose: (B, T, H, D) comes out (merge is its inverse)
_SPLIT_NO_TRANSPOSE = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    B, T, E = x.shape
    if num_heads < 1 or E % num_heads != 0:
        raise ValueError(f"cannot split E={E} features into num_heads={num_heads} heads")
    D = E // num_heads
    return x.view(B, T, num_heads, D)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    B, T, H, D = x.shape
    return x.reshape(B, T, H * D)
'''

# .view after the transpose: RuntimeError on the non-contiguous tensor (the notebook warns)
_MERGE_VIEW = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    B, T, E = x.shape
    if num_heads < 1 or E % num_heads != 0:
        raise ValueError(f"cannot split E={E} features into num_heads={num_heads} heads")
    D = E // num_heads
    return x.view(B, T, num_heads, D).transpose(1, 2)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    B, H, T, D = x.shape
    return x.transpose(1, 2).view(B, T, H * D)
'''

# input-check bugs of split_heads
_SPLIT_NO_CHECK = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    B, T, E = x.shape
    D = E // num_heads
    return x.view(B, T, num_heads, D).transpose(1, 2)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    B, H, T, D = x.shape
    return x.transpose(1, 2).reshape(B, T, H * D)
'''

_SPLIT_MODULO_ONLY = '''def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(B, T, E) -> (B, num_heads, T, E // num_heads): head h gets features h*D .. (h+1)*D - 1."""
    B, T, E = x.shape
    if E % num_heads != 0:
        raise ValueError(f"cannot split E={E} features into num_heads={num_heads} heads")
    D = E // num_heads
    return x.view(B, T, num_heads, D).transpose(1, 2)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, D) -> (B, T, H * D): the inverse of split_heads."""
    B, H, T, D = x.shape
    return x.transpose(1, 2).reshape(B, T, H * D)
'''

# ---------------------------------------------------------------------------------------------------
# wrong MultiHeadAttention (copies of _MHA_CAUSAL with one bug)
# ---------------------------------------------------------------------------------------------------
# scales every head by 1/sqrt(E) instead of 1/sqrt(D)
_MHA_SCALE_BY_E = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if embedding_dim < 1 or num_heads < 1 or embedding_dim % num_heads != 0:
            raise ValueError(f"embedding_dim={embedding_dim} must be a positive multiple of num_heads={num_heads}")
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        q = split_heads(self.q_proj(x), self.num_heads)
        k = split_heads(self.k_proj(x), self.num_heads)
        v = split_heads(self.v_proj(x), self.num_heads)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=1.0 / math.sqrt(x.shape[-1]),
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.o_proj(merge_heads(y))
'''

# is_causal forgotten
_MHA_NOT_CAUSAL = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if embedding_dim < 1 or num_heads < 1 or embedding_dim % num_heads != 0:
            raise ValueError(f"embedding_dim={embedding_dim} must be a positive multiple of num_heads={num_heads}")
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        q = split_heads(self.q_proj(x), self.num_heads)
        k = split_heads(self.k_proj(x), self.num_heads)
        v = split_heads(self.v_proj(x), self.num_heads)
        y = F.scaled_dot_product_attention(q, k, v,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.o_proj(merge_heads(y))
'''

# dropout_p passed in eval mode too
_MHA_DROPOUT_IN_EVAL = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if embedding_dim < 1 or num_heads < 1 or embedding_dim % num_heads != 0:
            raise ValueError(f"embedding_dim={embedding_dim} must be a positive multiple of num_heads={num_heads}")
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        q = split_heads(self.q_proj(x), self.num_heads)
        k = split_heads(self.k_proj(x), self.num_heads)
        v = split_heads(self.v_proj(x), self.num_heads)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=self.dropout)
        return self.o_proj(merge_heads(y))
'''

# dropout never applied, not even while training
_MHA_NO_DROPOUT = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if embedding_dim < 1 or num_heads < 1 or embedding_dim % num_heads != 0:
            raise ValueError(f"embedding_dim={embedding_dim} must be a positive multiple of num_heads={num_heads}")
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        q = split_heads(self.q_proj(x), self.num_heads)
        k = split_heads(self.k_proj(x), self.num_heads)
        v = split_heads(self.v_proj(x), self.num_heads)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o_proj(merge_heads(y))
'''

# o_proj left out of the forward pass
_MHA_NO_O_PROJ = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if embedding_dim < 1 or num_heads < 1 or embedding_dim % num_heads != 0:
            raise ValueError(f"embedding_dim={embedding_dim} must be a positive multiple of num_heads={num_heads}")
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        q = split_heads(self.q_proj(x), self.num_heads)
        k = split_heads(self.k_proj(x), self.num_heads)
        v = split_heads(self.v_proj(x), self.num_heads)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        return merge_heads(y)
'''

# keys and values swapped in the attention call
_MHA_K_V_SWAPPED = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if embedding_dim < 1 or num_heads < 1 or embedding_dim % num_heads != 0:
            raise ValueError(f"embedding_dim={embedding_dim} must be a positive multiple of num_heads={num_heads}")
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        q = split_heads(self.q_proj(x), self.num_heads)
        k = split_heads(self.k_proj(x), self.num_heads)
        v = split_heads(self.v_proj(x), self.num_heads)
        y = F.scaled_dot_product_attention(q, v, k, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.o_proj(merge_heads(y))
'''

# no check in __init__ (the error only comes from split_heads in forward)
_MHA_NO_CHECK = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        q = split_heads(self.q_proj(x), self.num_heads)
        k = split_heads(self.k_proj(x), self.num_heads)
        v = split_heads(self.v_proj(x), self.num_heads)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.o_proj(merge_heads(y))
'''

# only the divisibility is checked: num_heads=0 is a ZeroDivisionError, negative sizes pass
_MHA_MODULO_ONLY = '''class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention with AttentionHead's four projections (GPT-2's attention).

    `dropout` is applied to the attention weights while training (and never in eval mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if embedding_dim % num_heads != 0:
            raise ValueError(f"embedding_dim={embedding_dim} must be a multiple of num_heads={num_heads}")
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        q = split_heads(self.q_proj(x), self.num_heads)
        k = split_heads(self.k_proj(x), self.num_heads)
        v = split_heads(self.v_proj(x), self.num_heads)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.o_proj(merge_heads(y))
'''


CORRECT = {
    "view_transpose_is_causal": {"split_heads": _SPLIT_VIEW, "multi_head_attention": _MHA_CAUSAL},
    "unflatten_permute_bool_mask": {"split_heads": _SPLIT_UNFLATTEN, "multi_head_attention": _MHA_EXPLICIT_MASK},
    "chunk_stack_fused_qkv": {"split_heads": _SPLIT_CHUNK, "multi_head_attention": _MHA_FUSED},
}

WRONG = {
    # Task 1: split and merge
    "reshape_without_transpose": {"cells": {"split_heads": _SPLIT_RESHAPE_ONLY, "multi_head_attention": _MHA_CAUSAL},
                                  "loses": ["test_split_merge_heads"], "bug": "x.reshape(B, H, T, D) without the transpose (and its inverse): heads mix positions"},
    "heads_interleaved": {"cells": {"split_heads": _SPLIT_INTERLEAVED, "multi_head_attention": _MHA_CAUSAL},
                          "loses": ["test_split_merge_heads"], "bug": "view(B, T, D, H): head h gets features h, h+H, ... instead of h*D .. (h+1)*D-1"},
    "merge_wrong_permute": {"cells": {"split_heads": _MERGE_WRONG_PERMUTE, "multi_head_attention": _MHA_CAUSAL},
                            "loses": ["test_split_merge_heads"], "bug": "merge_heads permutes to (B, T, D, H) before the reshape"},
    "split_without_transpose": {"cells": {"split_heads": _SPLIT_NO_TRANSPOSE, "multi_head_attention": _MHA_CAUSAL},
                                "loses": ["test_split_merge_heads"], "bug": "split_heads returns (B, T, H, D), merge_heads expects it"},
    "merge_with_view": {"cells": {"split_heads": _MERGE_VIEW, "multi_head_attention": _MHA_CAUSAL},
                        "loses": ["test_split_merge_heads"], "bug": ".view after the transpose: RuntimeError on a non-contiguous tensor"},
    # Task 2: multi-head attention
    "mha_scale_by_E": {"cells": {"split_heads": _SPLIT_VIEW, "multi_head_attention": _MHA_SCALE_BY_E},
                       "loses": ["test_multi_head_attention"], "bug": "scale 1/sqrt(E) instead of 1/sqrt(D)"},
    "mha_not_causal": {"cells": {"split_heads": _SPLIT_VIEW, "multi_head_attention": _MHA_NOT_CAUSAL},
                       "loses": ["test_multi_head_attention"], "bug": "no causal mask"},
    "mha_dropout_in_eval": {"cells": {"split_heads": _SPLIT_VIEW, "multi_head_attention": _MHA_DROPOUT_IN_EVAL},
                            "loses": ["test_multi_head_attention"], "bug": "dropout_p=self.dropout even in eval mode"},
    "mha_no_dropout": {"cells": {"split_heads": _SPLIT_VIEW, "multi_head_attention": _MHA_NO_DROPOUT},
                       "loses": ["test_multi_head_attention"], "bug": "dropout never applied while training"},
    "mha_no_o_proj": {"cells": {"split_heads": _SPLIT_VIEW, "multi_head_attention": _MHA_NO_O_PROJ},
                      "loses": ["test_multi_head_attention"], "bug": "merged heads returned without o_proj"},
    "mha_k_v_swapped": {"cells": {"split_heads": _SPLIT_VIEW, "multi_head_attention": _MHA_K_V_SWAPPED},
                        "loses": ["test_multi_head_attention"], "bug": "attention(q, v, k): keys and values swapped"},
    # input checks
    "mha_no_init_check": {"cells": {"split_heads": _SPLIT_VIEW, "multi_head_attention": _MHA_NO_CHECK},
                          "loses": ["input-checks"], "bug": "MultiHeadAttention(10, 4) is accepted at construction"},
    "mha_modulo_only_check": {"cells": {"split_heads": _SPLIT_VIEW, "multi_head_attention": _MHA_MODULO_ONLY},
                              "loses": ["input-checks"], "bug": "num_heads=0 raises ZeroDivisionError, negative sizes are accepted"},
    "split_no_check": {"cells": {"split_heads": _SPLIT_NO_CHECK, "multi_head_attention": _MHA_CAUSAL},
                       "loses": ["input-checks"], "bug": "split_heads(E=6, 4 heads) fails in view with RuntimeError, not ValueError"},
    "split_modulo_only_check": {"cells": {"split_heads": _SPLIT_MODULO_ONLY, "multi_head_attention": _MHA_CAUSAL},
                                "loses": ["input-checks"], "bug": "split_heads(x, 0) is a ZeroDivisionError, negative num_heads passes"},
}
