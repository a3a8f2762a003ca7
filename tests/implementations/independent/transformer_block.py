"""3_2_transformer_impl_transformer_block: implementations written from the release notebook alone (independently written; the author saw
neither source/, solutions/ nor graders/). The correct ones differ in the attention (F.scaled_dot_product_attention vs einsum with a
masked_fill vs a loop over query positions on the visible prefix), the GELU (nn.GELU module vs F.gelu vs the tanh formula by hand) and
the block (one nn.Dropout vs two vs F.dropout in a loop over the two sublayers)."""

ASSIGNMENT = "3_2_transformer_impl_transformer_block"

# ---------------------------------------------------------------------------------------------------
# correct variant 1: PyTorch's attention, nn.GELU module, one nn.Dropout
# ---------------------------------------------------------------------------------------------------
_HEAD_SDPA = '''class AttentionHead(nn.Module):
    """One causal self-attention head, GPT-2 style: four projections with bias.

    q_proj, k_proj, v_proj map each token to its query, key and value (all of size embedding_dim);
    o_proj maps the attention output back into the residual stream.
    """

    def __init__(self, embedding_dim: int):
        super().__init__()
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E); position t only looks at positions 0..t."""
        attended = F.scaled_dot_product_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), is_causal=True)
        return self.o_proj(attended)
'''

_MLP_MODULE = '''class MLP(nn.Module):
    """The feed-forward sublayer: fc_in (E -> expansion*E), GELU (tanh approximation), fc_out back to E."""

    def __init__(self, embedding_dim: int, expansion: int = 4):
        super().__init__()
        self.fc_in = nn.Linear(embedding_dim, expansion * embedding_dim)
        self.act = nn.GELU(approximate="tanh")
        self.fc_out = nn.Linear(expansion * embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (..., E) -> (..., E), each position on its own."""
        return self.fc_out(self.act(self.fc_in(x)))
'''

_BLOCK_ONE_DROPOUT = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads != 1:
            raise ValueError(f"TransformerBlock has exactly one head, got num_heads={num_heads}")
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = x + self.dropout(self.attn(self.ln_1(x)))
        x = x + self.dropout(self.mlp(self.ln_2(x)))
        return x
'''

# ---------------------------------------------------------------------------------------------------
# correct variant 2: attention by einsum and masked_fill, F.gelu, two nn.Dropout modules
# ---------------------------------------------------------------------------------------------------
_HEAD_EINSUM = '''class AttentionHead(nn.Module):
    """One causal self-attention head, GPT-2 style: four projections with bias.

    q_proj, k_proj, v_proj map each token to its query, key and value (all of size embedding_dim);
    o_proj maps the attention output back into the residual stream.
    """

    def __init__(self, embedding_dim: int):
        super().__init__()
        self.embedding_dim = embedding_dim
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            setattr(self, name, nn.Linear(embedding_dim, embedding_dim, bias=True))

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E); position t only looks at positions 0..t."""
        q = self.q_proj(x)
        k = self.k_proj(x)
        v = self.v_proj(x)
        T = x.shape[-2]
        scores = torch.einsum("...td,...sd->...ts", q, k) / math.sqrt(self.embedding_dim)
        future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=1)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        return self.o_proj(torch.einsum("...ts,...sd->...td", weights, v))
'''

_MLP_FUNCTIONAL = '''class MLP(nn.Module):
    """The feed-forward sublayer: fc_in (E -> expansion*E), GELU (tanh approximation), fc_out back to E."""

    def __init__(self, embedding_dim: int, expansion: int = 4):
        super().__init__()
        hidden = embedding_dim * expansion
        self.fc_in = nn.Linear(embedding_dim, hidden)
        self.fc_out = nn.Linear(hidden, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (..., E) -> (..., E), each position on its own."""
        h = self.fc_in(x)
        h = F.gelu(h, approximate="tanh")
        return self.fc_out(h)
'''

_BLOCK_TWO_DROPOUTS = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads not in (1,):
            raise ValueError("only num_heads=1 is supported here (multi-head attention comes in 3.3)")
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.attn_dropout = nn.Dropout(p=dropout)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.mlp_dropout = nn.Dropout(p=dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        attn_out = self.attn_dropout(self.attn(self.ln_1(x)))
        h = x + attn_out
        mlp_out = self.mlp_dropout(self.mlp(self.ln_2(h)))
        return h + mlp_out
'''

# ---------------------------------------------------------------------------------------------------
# correct variant 3: a loop over query positions (each sees only the prefix 0..t), GELU by formula,
# the block as a loop over its (norm, sublayer) pairs with F.dropout
# ---------------------------------------------------------------------------------------------------
_HEAD_PREFIX_LOOP = '''class AttentionHead(nn.Module):
    """One causal self-attention head, GPT-2 style: four projections with bias.

    q_proj, k_proj, v_proj map each token to its query, key and value (all of size embedding_dim);
    o_proj maps the attention output back into the residual stream.
    """

    def __init__(self, embedding_dim: int):
        super().__init__()
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)
        self.scale = embedding_dim ** -0.5

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E); position t only looks at positions 0..t."""
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        outputs = []
        for t in range(x.shape[-2]):
            visible_k = k[..., : t + 1, :]                          # keys 0..t
            s = (visible_k @ q[..., t, :].unsqueeze(-1)).squeeze(-1) * self.scale
            w = torch.softmax(s, dim=-1)                            # (..., t + 1)
            outputs.append((w.unsqueeze(-1) * v[..., : t + 1, :]).sum(dim=-2))
        return self.o_proj(torch.stack(outputs, dim=-2))
'''

_MLP_FORMULA = '''class MLP(nn.Module):
    """The feed-forward sublayer: fc_in (E -> expansion*E), GELU (tanh approximation), fc_out back to E."""

    def __init__(self, embedding_dim: int, expansion: int = 4):
        super().__init__()
        self.fc_in = nn.Linear(embedding_dim, expansion * embedding_dim)
        self.fc_out = nn.Linear(expansion * embedding_dim, embedding_dim)

    @staticmethod
    def gelu_tanh(z: Tensor) -> Tensor:
        return 0.5 * z * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z.pow(3))))

    def forward(self, x: Tensor) -> Tensor:
        """x: (..., E) -> (..., E), each position on its own."""
        return self.fc_out(self.gelu_tanh(self.fc_in(x)))
'''

_BLOCK_PAIR_LOOP = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads == 1:
            self.ln_1 = nn.LayerNorm(embedding_dim)
            self.attn = AttentionHead(embedding_dim)
            self.ln_2 = nn.LayerNorm(embedding_dim)
            self.mlp = MLP(embedding_dim)
            self.p = float(dropout)
        else:
            raise ValueError(f"num_heads must be 1 for this block, not {num_heads}")

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        for norm, sublayer in ((self.ln_1, self.attn), (self.ln_2, self.mlp)):
            x = x + F.dropout(sublayer(norm(x)), p=self.p, training=self.training)
        return x
'''

# ---------------------------------------------------------------------------------------------------
# wrong AttentionHeads (copies of _HEAD_SDPA or _HEAD_EINSUM with one bug)
# ---------------------------------------------------------------------------------------------------
_HEAD_NOT_CAUSAL = '''class AttentionHead(nn.Module):
    """One causal self-attention head, GPT-2 style: four projections with bias.

    q_proj, k_proj, v_proj map each token to its query, key and value (all of size embedding_dim);
    o_proj maps the attention output back into the residual stream.
    """

    def __init__(self, embedding_dim: int):
        super().__init__()
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E); position t only looks at positions 0..t."""
        attended = F.scaled_dot_product_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x))
        return self.o_proj(attended)
'''

_HEAD_NO_SCALE = '''class AttentionHead(nn.Module):
    """One causal self-attention head, GPT-2 style: four projections with bias.

    q_proj, k_proj, v_proj map each token to its query, key and value (all of size embedding_dim);
    o_proj maps the attention output back into the residual stream.
    """

    def __init__(self, embedding_dim: int):
        super().__init__()
        self.embedding_dim = embedding_dim
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            setattr(self, name, nn.Linear(embedding_dim, embedding_dim, bias=True))

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E); position t only looks at positions 0..t."""
        q = self.q_proj(x)
        k = self.k_proj(x)
        v = self.v_proj(x)
        T = x.shape[-2]
        scores = torch.einsum("...td,...sd->...ts", q, k)
        future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=1)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        return self.o_proj(torch.einsum("...ts,...sd->...td", weights, v))
'''

# keep-mask tril(diagonal=1): token t also sees token t + 1
_HEAD_PEEKS_AHEAD = '''class AttentionHead(nn.Module):
    """One causal self-attention head, GPT-2 style: four projections with bias.

    q_proj, k_proj, v_proj map each token to its query, key and value (all of size embedding_dim);
    o_proj maps the attention output back into the residual stream.
    """

    def __init__(self, embedding_dim: int):
        super().__init__()
        self.embedding_dim = embedding_dim
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            setattr(self, name, nn.Linear(embedding_dim, embedding_dim, bias=True))

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E); position t only looks at positions 0..t."""
        q = self.q_proj(x)
        k = self.k_proj(x)
        v = self.v_proj(x)
        T = x.shape[-2]
        scores = torch.einsum("...td,...sd->...ts", q, k) / math.sqrt(self.embedding_dim)
        future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=2)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        return self.o_proj(torch.einsum("...ts,...sd->...td", weights, v))
'''

_HEAD_NO_BIAS = '''class AttentionHead(nn.Module):
    """One causal self-attention head, GPT-2 style: four projections with bias.

    q_proj, k_proj, v_proj map each token to its query, key and value (all of size embedding_dim);
    o_proj maps the attention output back into the residual stream.
    """

    def __init__(self, embedding_dim: int):
        super().__init__()
        self.q_proj = nn.Linear(embedding_dim, embedding_dim, bias=False)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim, bias=False)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim, bias=False)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E); position t only looks at positions 0..t."""
        attended = F.scaled_dot_product_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), is_causal=True)
        return self.o_proj(attended)
'''

_HEAD_NO_O_PROJ = '''class AttentionHead(nn.Module):
    """One causal self-attention head, GPT-2 style: four projections with bias.

    q_proj, k_proj, v_proj map each token to its query, key and value (all of size embedding_dim);
    o_proj maps the attention output back into the residual stream.
    """

    def __init__(self, embedding_dim: int):
        super().__init__()
        self.q_proj = nn.Linear(embedding_dim, embedding_dim)
        self.k_proj = nn.Linear(embedding_dim, embedding_dim)
        self.v_proj = nn.Linear(embedding_dim, embedding_dim)
        self.o_proj = nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E); position t only looks at positions 0..t."""
        attended = F.scaled_dot_product_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), is_causal=True)
        return attended
'''

# ---------------------------------------------------------------------------------------------------
# wrong MLPs (copies of _MLP_MODULE with one bug)
# ---------------------------------------------------------------------------------------------------
_MLP_EXACT_GELU = '''class MLP(nn.Module):
    """The feed-forward sublayer: fc_in (E -> expansion*E), GELU (tanh approximation), fc_out back to E."""

    def __init__(self, embedding_dim: int, expansion: int = 4):
        super().__init__()
        self.fc_in = nn.Linear(embedding_dim, expansion * embedding_dim)
        self.act = nn.GELU()
        self.fc_out = nn.Linear(expansion * embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (..., E) -> (..., E), each position on its own."""
        return self.fc_out(self.act(self.fc_in(x)))
'''

_MLP_RELU = '''class MLP(nn.Module):
    """The feed-forward sublayer: fc_in (E -> expansion*E), GELU (tanh approximation), fc_out back to E."""

    def __init__(self, embedding_dim: int, expansion: int = 4):
        super().__init__()
        self.fc_in = nn.Linear(embedding_dim, expansion * embedding_dim)
        self.act = nn.ReLU()
        self.fc_out = nn.Linear(expansion * embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (..., E) -> (..., E), each position on its own."""
        return self.fc_out(self.act(self.fc_in(x)))
'''

_MLP_FIXED_WIDTH = '''class MLP(nn.Module):
    """The feed-forward sublayer: fc_in (E -> expansion*E), GELU (tanh approximation), fc_out back to E."""

    def __init__(self, embedding_dim: int, expansion: int = 4):
        super().__init__()
        self.fc_in = nn.Linear(embedding_dim, 4 * embedding_dim)
        self.act = nn.GELU(approximate="tanh")
        self.fc_out = nn.Linear(4 * embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (..., E) -> (..., E), each position on its own."""
        return self.fc_out(self.act(self.fc_in(x)))
'''

_MLP_GELU_AFTER_OUT = '''class MLP(nn.Module):
    """The feed-forward sublayer: fc_in (E -> expansion*E), GELU (tanh approximation), fc_out back to E."""

    def __init__(self, embedding_dim: int, expansion: int = 4):
        super().__init__()
        self.fc_in = nn.Linear(embedding_dim, expansion * embedding_dim)
        self.act = nn.GELU(approximate="tanh")
        self.fc_out = nn.Linear(expansion * embedding_dim, embedding_dim)

    def forward(self, x: Tensor) -> Tensor:
        """x: (..., E) -> (..., E), each position on its own."""
        return self.act(self.fc_out(self.fc_in(x)))
'''

# ---------------------------------------------------------------------------------------------------
# wrong blocks (copies of _BLOCK_ONE_DROPOUT with one bug)
# ---------------------------------------------------------------------------------------------------
# post-LN (2017 transformer): normalizes after the addition
_BLOCK_POST_LN = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads != 1:
            raise ValueError(f"TransformerBlock has exactly one head, got num_heads={num_heads}")
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = self.ln_1(x + self.dropout(self.attn(x)))
        x = self.ln_2(x + self.dropout(self.mlp(x)))
        return x
'''

# no residual connection around the MLP
_BLOCK_NO_MLP_RESIDUAL = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads != 1:
            raise ValueError(f"TransformerBlock has exactly one head, got num_heads={num_heads}")
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = x + self.dropout(self.attn(self.ln_1(x)))
        x = self.dropout(self.mlp(self.ln_2(x)))
        return x
'''

# ln_1 used in front of both sublayers (ln_2 is never used)
_BLOCK_SHARED_LN = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads != 1:
            raise ValueError(f"TransformerBlock has exactly one head, got num_heads={num_heads}")
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = x + self.dropout(self.attn(self.ln_1(x)))
        x = x + self.dropout(self.mlp(self.ln_1(x)))
        return x
'''

# the stream itself is replaced by ln_1(x) before the attention residual
_BLOCK_NORMALIZES_STREAM = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads != 1:
            raise ValueError(f"TransformerBlock has exactly one head, got num_heads={num_heads}")
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = self.ln_1(x)
        x = x + self.dropout(self.attn(x))
        x = x + self.dropout(self.mlp(self.ln_2(x)))
        return x
'''

# dropout applied to the stream after the addition, not to the sublayer output
_BLOCK_DROPOUT_ON_STREAM = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads != 1:
            raise ValueError(f"TransformerBlock has exactly one head, got num_heads={num_heads}")
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = self.dropout(x + self.attn(self.ln_1(x)))
        x = self.dropout(x + self.mlp(self.ln_2(x)))
        return x
'''

# the dropout argument is ignored
_BLOCK_NO_DROPOUT = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads != 1:
            raise ValueError(f"TransformerBlock has exactly one head, got num_heads={num_heads}")
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Identity()  # dropout comes in 4.2

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = x + self.dropout(self.attn(self.ln_1(x)))
        x = x + self.dropout(self.mlp(self.ln_2(x)))
        return x
'''

# num_heads other than 1 is accepted (and silently ignored)
_BLOCK_NUM_HEADS_IGNORED = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = x + self.dropout(self.attn(self.ln_1(x)))
        x = x + self.dropout(self.mlp(self.ln_2(x)))
        return x
'''

# num_heads checked with assert: AssertionError, not ValueError
_BLOCK_NUM_HEADS_ASSERT = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        assert num_heads == 1, f"TransformerBlock has exactly one head, got num_heads={num_heads}"
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = x + self.dropout(self.attn(self.ln_1(x)))
        x = x + self.dropout(self.mlp(self.ln_2(x)))
        return x
'''

# only num_heads < 1 raises: num_heads=2 is accepted
_BLOCK_NUM_HEADS_POSITIVE = '''class TransformerBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(.)).

    This block has one attention head (AttentionHead); 3.3's MultiHeadAttention has the same four
    projections and can take its place as `block.attn`. `dropout` drops out each sublayer's output
    before it is added to the residual stream (only in training mode).
    """

    def __init__(self, embedding_dim: int, num_heads: int = 1, dropout: float = 0.0):
        super().__init__()
        if num_heads < 1:
            raise ValueError(f"TransformerBlock has exactly one head, got num_heads={num_heads}")
        self.ln_1 = nn.LayerNorm(embedding_dim)
        self.attn = AttentionHead(embedding_dim)
        self.ln_2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLP(embedding_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x: (B, T, E) -> (B, T, E)."""
        x = x + self.dropout(self.attn(self.ln_1(x)))
        x = x + self.dropout(self.mlp(self.ln_2(x)))
        return x
'''


CORRECT = {
    "sdpa_gelu_module": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_ONE_DROPOUT},
    "einsum_functional_gelu": {"attention_head": _HEAD_EINSUM, "mlp": _MLP_FUNCTIONAL, "transformer_block": _BLOCK_TWO_DROPOUTS},
    "prefix_loop_gelu_formula": {"attention_head": _HEAD_PREFIX_LOOP, "mlp": _MLP_FORMULA, "transformer_block": _BLOCK_PAIR_LOOP},
}


WRONG = {
    # Task 1: the attention head
    "head_not_causal": {"cells": {"attention_head": _HEAD_NOT_CAUSAL, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_ONE_DROPOUT},
                        "loses": ["test_attention_head"], "bug": "F.scaled_dot_product_attention without is_causal=True"},
    "head_no_scale": {"cells": {"attention_head": _HEAD_NO_SCALE, "mlp": _MLP_FUNCTIONAL, "transformer_block": _BLOCK_TWO_DROPOUTS},
                      "loses": ["test_attention_head"], "bug": "scores not divided by sqrt(E)"},
    "head_peeks_ahead": {"cells": {"attention_head": _HEAD_PEEKS_AHEAD, "mlp": _MLP_FUNCTIONAL, "transformer_block": _BLOCK_TWO_DROPOUTS},
                         "loses": ["test_attention_head"], "bug": "mask triu(diagonal=2): token t also attends to token t+1"},
    "head_no_bias": {"cells": {"attention_head": _HEAD_NO_BIAS, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_ONE_DROPOUT},
                     "loses": ["test_attention_head"], "bug": "the four projections are nn.Linear(..., bias=False)"},
    "head_no_o_proj": {"cells": {"attention_head": _HEAD_NO_O_PROJ, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_ONE_DROPOUT},
                       "loses": ["test_attention_head"], "bug": "o_proj is defined but the attention output is returned without it"},
    # Task 2: the MLP
    "mlp_exact_gelu": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_EXACT_GELU, "transformer_block": _BLOCK_ONE_DROPOUT},
                       "loses": ["test_mlp"], "bug": "nn.GELU() (exact erf GELU) instead of the tanh approximation"},
    "mlp_relu": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_RELU, "transformer_block": _BLOCK_ONE_DROPOUT},
                 "loses": ["test_mlp"], "bug": "ReLU instead of GELU"},
    "mlp_ignores_expansion": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_FIXED_WIDTH, "transformer_block": _BLOCK_ONE_DROPOUT},
                              "loses": ["test_mlp"], "bug": "hidden width hard-coded to 4E whatever expansion is"},
    "mlp_gelu_after_fc_out": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_GELU_AFTER_OUT, "transformer_block": _BLOCK_ONE_DROPOUT},
                              "loses": ["test_mlp"], "bug": "GELU applied after fc_out instead of between fc_in and fc_out"},
    # Task 3: the block
    "block_post_ln": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_POST_LN},
                      "loses": ["test_transformer_block"], "bug": "post-LN: ln(x + sublayer(x)) instead of x + sublayer(ln(x))"},
    "block_no_mlp_residual": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_NO_MLP_RESIDUAL},
                              "loses": ["test_transformer_block"], "bug": "x = mlp(ln_2(x)) without the residual"},
    "block_shared_ln": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_SHARED_LN},
                        "loses": ["test_transformer_block"], "bug": "ln_1 in front of the MLP too; ln_2 unused"},
    "block_normalizes_stream": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_NORMALIZES_STREAM},
                                "loses": ["test_transformer_block"], "bug": "x = ln_1(x) overwrites the stream before the attention residual"},
    "block_dropout_on_stream": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_DROPOUT_ON_STREAM},
                                "loses": ["test_transformer_block"], "bug": "dropout(x + sublayer) in training mode: drops the stream, not the sublayer output"},
    "block_ignores_dropout": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_NO_DROPOUT},
                              "loses": ["test_transformer_block"], "bug": "the dropout argument is ignored (no dropout in training mode)"},
    # input check of Task 3
    "num_heads_not_checked": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_NUM_HEADS_IGNORED},
                              "loses": ["input-checks"], "bug": "TransformerBlock(E, num_heads=2) is accepted"},
    "num_heads_assert": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_NUM_HEADS_ASSERT},
                         "loses": ["input-checks"], "bug": "num_heads checked with assert: AssertionError, not ValueError"},
    "num_heads_only_positive": {"cells": {"attention_head": _HEAD_SDPA, "mlp": _MLP_MODULE, "transformer_block": _BLOCK_NUM_HEADS_POSITIVE},
                                "loses": ["input-checks"], "bug": "only num_heads < 1 raises; num_heads=2 is accepted"},
}
