"""4_2_pre_training_dropout: implementations written from the release notebook alone (independently written; the author saw
neither source/, solutions/ nor graders/). The correct ones differ in how the mask is drawn (rand_like >= p, bernoulli,
torch.rand + torch.where), how attention is computed (matmul with tril mask and own dropout, F.scaled_dot_product_attention
with dropout_p, einsum with own head split) and how the forward pass is laid out."""

ASSIGNMENT = "4_2_pre_training_dropout"

# ----------------------------------------------------------------------------------------------------------------
# dropout
# ----------------------------------------------------------------------------------------------------------------

_DO_RAND = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    keep = torch.rand_like(x) >= p          # True with probability 1 - p
    return x * keep / (1.0 - p)
'''

_DO_BERNOULLI = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    if p < 0 or p >= 1 or p != p:
        raise ValueError(f"p must satisfy 0 <= p < 1, got {p}")
    if training and p > 0:
        mask = torch.bernoulli(torch.full_like(x, 1.0 - p))
        return x * mask * (1.0 / (1.0 - p))
    return x
'''

_DO_WHERE = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    p = float(p)
    if not (p >= 0.0 and p < 1.0):
        raise ValueError("p must lie in [0, 1)")
    if not training or p == 0.0:
        return x
    u = torch.rand(x.shape, dtype=x.dtype, device=x.device)
    scale = 1.0 / (1.0 - p)
    return torch.where(u < p, torch.zeros_like(x), x * scale)
'''

# ----------------------------------------------------------------------------------------------------------------
# attention_with_dropout
# ----------------------------------------------------------------------------------------------------------------

_AT_MATMUL = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    H = attn.num_heads
    q = split_heads(attn.q_proj(x), H)
    k = split_heads(attn.k_proj(x), H)
    v = split_heads(attn.v_proj(x), H)
    D, T = q.size(-1), q.size(-2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(D)
    allowed = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
    scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    weights = dropout(weights, p, training)
    return attn.o_proj(merge_heads(weights @ v))
'''

_AT_SDPA = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    q, k, v = (split_heads(proj(x), attn.num_heads) for proj in (attn.q_proj, attn.k_proj, attn.v_proj))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=p if training else 0.0)
    return attn.o_proj(merge_heads(y))
'''

_AT_EINSUM = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    B, T, E = x.shape
    H = attn.num_heads
    D = E // H

    def heads(t):
        return t.reshape(B, T, H, D)          # head h holds features h*D .. (h+1)*D - 1

    q, k, v = heads(attn.q_proj(x)), heads(attn.k_proj(x)), heads(attn.v_proj(x))
    scores = torch.einsum("bthd,bshd->bhts", q, k) * D ** -0.5
    future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
    weights = dropout(weights, p, training)
    y = torch.einsum("bhts,bshd->bthd", weights, v).reshape(B, T, E)
    return attn.o_proj(y)
'''

# ----------------------------------------------------------------------------------------------------------------
# DropoutGPT
# ----------------------------------------------------------------------------------------------------------------

_GPT_HEAD = r'''class DropoutGPT(GPT):
    """3.4's GPT with dropout written by hand: p = config.dropout on the embeddings, on the attention
    weights and on each residual branch, in training mode only."""

    def __init__(self, config: GPTConfig):
        if not 0.0 <= config.dropout < 1.0:
            raise ValueError(f"config.dropout must be in [0, 1), got {config.dropout}")
        super().__init__(replace(config, dropout=0.0))   # 3.4's own dropout layers stay off: you write them
        self.config = config

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids (B, T) -> logits (B, T, vocab_size), with dropout while training."""
'''

_GPT_LOOP = _GPT_HEAD + r'''        T = token_ids.size(-1)
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        p, training = self.config.dropout, self.training
        positions = torch.arange(T, device=token_ids.device)
        x = dropout(self.wte(token_ids) + self.wpe(positions), p, training)
        for block in self.blocks:
            x = x + dropout(attention_with_dropout(block.attn, block.ln_1(x), p, training), p, training)
            x = x + dropout(block.mlp(block.ln_2(x)), p, training)
        return self.lm_head(self.ln_f(x))
'''

_GPT_HELPER = _GPT_HEAD + r'''        length = token_ids.shape[-1]
        limit = self.config.context_window_size
        if length > limit:
            raise ValueError(f"sequence of length {length} is longer than the context window ({limit})")

        def drop(t):
            return dropout(t, self.config.dropout, self.training)

        h = drop(self.wte(token_ids) + self.wpe.weight[:length])
        for block in self.blocks:
            attn_out = attention_with_dropout(block.attn, block.ln_1(h), self.config.dropout, self.training)
            h = h + drop(attn_out)
            mlp_out = block.mlp(block.ln_2(h))
            h = h + drop(mlp_out)
        return self.lm_head(self.ln_f(h))
'''

_GPT_INDEXED = _GPT_HEAD + r'''        if token_ids.shape[-1] > self.config.context_window_size:
            raise ValueError("more tokens than config.context_window_size")
        rate = self.config.dropout
        on = bool(self.training)
        tok = self.wte(token_ids)
        pos = self.wpe(torch.arange(token_ids.shape[-1], device=token_ids.device)).unsqueeze(0)
        stream = dropout(tok + pos, rate, on)
        for i in range(len(self.blocks)):
            blk = self.blocks[i]
            branch = dropout(attention_with_dropout(blk.attn, blk.ln_1(stream), rate, on), rate, on)
            stream = stream + branch
            branch = dropout(blk.mlp(blk.ln_2(stream)), rate, on)
            stream = stream + branch
        hidden = self.ln_f(stream)
        return self.lm_head(hidden)
'''

CORRECT = {
    "randlike_matmul_loop": {
        "dropout": _DO_RAND,
        "attention_with_dropout": _AT_MATMUL,
        "DropoutGPT": _GPT_LOOP,
    },
    "bernoulli_sdpa_helper": {
        "dropout": _DO_BERNOULLI,
        "attention_with_dropout": _AT_SDPA,
        "DropoutGPT": _GPT_HELPER,
    },
    "where_einsum_indexed": {
        "dropout": _DO_WHERE,
        "attention_with_dropout": _AT_EINSUM,
        "DropoutGPT": _GPT_INDEXED,
    },
}

# ----------------------------------------------------------------------------------------------------------------
# wrong variants
# ----------------------------------------------------------------------------------------------------------------

_DO_W_NO_RESCALE = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    keep = torch.rand_like(x) >= p
    return x * keep
'''

_DO_W_TIMES = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    if p < 0 or p >= 1 or p != p:
        raise ValueError(f"p must satisfy 0 <= p < 1, got {p}")
    if training and p > 0:
        mask = torch.bernoulli(torch.full_like(x, 1.0 - p))
        return x * mask * (1.0 - p)
    return x
'''

_DO_W_INPLACE = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    keep = torch.rand_like(x) >= p
    return x.mul_(keep).div_(1.0 - p)
'''

_DO_W_F_DROPOUT = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    return F.dropout(x, p, training=True)
'''

_DO_W_NUMPY = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    import numpy as np
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    keep = torch.from_numpy(np.random.rand(*x.shape) >= p).to(x.device)
    return x * keep / (1.0 - p)
'''

_DO_W_KEEP_P = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    p = float(p)
    if not (p >= 0.0 and p < 1.0):
        raise ValueError("p must lie in [0, 1)")
    if not training or p == 0.0:
        return x
    u = torch.rand(x.shape, dtype=x.dtype, device=x.device)
    scale = 1.0 / (1.0 - p)
    return torch.where(u < p, x * scale, torch.zeros_like(x))
'''

_DO_W_CHECK_TRAINING_ONLY = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    if not training or p == 0:
        return x
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must be in [0, 1), got {p}")
    keep = torch.rand_like(x) >= p
    return x * keep / (1.0 - p)
'''

_DO_W_ALLOWS_ONE = r'''def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1 / (1 - p)."""
    if p < 0 or p > 1:
        raise ValueError(f"p must be a probability, got {p}")
    if training and p > 0:
        mask = torch.bernoulli(torch.full_like(x, 1.0 - p))
        return x * mask * (1.0 / max(1.0 - p, 1e-12))
    return x
'''

_AT_W_DROP_OUTPUT = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    H = attn.num_heads
    q = split_heads(attn.q_proj(x), H)
    k = split_heads(attn.k_proj(x), H)
    v = split_heads(attn.v_proj(x), H)
    D, T = q.size(-1), q.size(-2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(D)
    allowed = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
    scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return attn.o_proj(dropout(merge_heads(weights @ v), p, training))
'''

_AT_W_NO_SCALE = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    H = attn.num_heads
    q = split_heads(attn.q_proj(x), H)
    k = split_heads(attn.k_proj(x), H)
    v = split_heads(attn.v_proj(x), H)
    T = q.size(-2)
    scores = q @ k.transpose(-2, -1)
    allowed = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
    scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    weights = dropout(weights, p, training)
    return attn.o_proj(merge_heads(weights @ v))
'''

_AT_W_SCALE_E = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    B, T, E = x.shape
    H = attn.num_heads
    D = E // H

    def heads(t):
        return t.reshape(B, T, H, D)

    q, k, v = heads(attn.q_proj(x)), heads(attn.k_proj(x)), heads(attn.v_proj(x))
    scores = torch.einsum("bthd,bshd->bhts", q, k) * E ** -0.5
    future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
    weights = dropout(weights, p, training)
    y = torch.einsum("bhts,bshd->bthd", weights, v).reshape(B, T, E)
    return attn.o_proj(y)
'''

_AT_W_NOT_CAUSAL = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    H = attn.num_heads
    q = split_heads(attn.q_proj(x), H)
    k = split_heads(attn.k_proj(x), H)
    v = split_heads(attn.v_proj(x), H)
    D = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(D)
    weights = torch.softmax(scores, dim=-1)
    weights = dropout(weights, p, training)
    return attn.o_proj(merge_heads(weights @ v))
'''

_AT_W_ALWAYS = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    q, k, v = (split_heads(proj(x), attn.num_heads) for proj in (attn.q_proj, attn.k_proj, attn.v_proj))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=p)
    return attn.o_proj(merge_heads(y))
'''

_AT_W_BEFORE_SOFTMAX = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    H = attn.num_heads
    q = split_heads(attn.q_proj(x), H)
    k = split_heads(attn.k_proj(x), H)
    v = split_heads(attn.v_proj(x), H)
    D, T = q.size(-1), q.size(-2)
    scores = dropout(q @ k.transpose(-2, -1) / math.sqrt(D), p, training)
    allowed = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
    scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return attn.o_proj(merge_heads(weights @ v))
'''

_AT_W_MODULE_P = r'''def attention_with_dropout(attn: MultiHeadAttention, x: Tensor, p: float, training: bool) -> Tensor:
    """Causal multi-head attention with attn's weights on x (B, T, E), dropout p on the attention weights
    when training: (B, T, E)."""
    q, k, v = (split_heads(proj(x), attn.num_heads) for proj in (attn.q_proj, attn.k_proj, attn.v_proj))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=attn.dropout if training else 0.0)
    return attn.o_proj(merge_heads(y))
'''

_GPT_W_ALWAYS_TRAINING = _GPT_HEAD + r'''        T = token_ids.size(-1)
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        p, training = self.config.dropout, True
        positions = torch.arange(T, device=token_ids.device)
        x = dropout(self.wte(token_ids) + self.wpe(positions), p, training)
        for block in self.blocks:
            x = x + dropout(attention_with_dropout(block.attn, block.ln_1(x), p, training), p, training)
            x = x + dropout(block.mlp(block.ln_2(x)), p, training)
        return self.lm_head(self.ln_f(x))
'''

_GPT_W_NO_LN_F = _GPT_HEAD + r'''        T = token_ids.size(-1)
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        p, training = self.config.dropout, self.training
        positions = torch.arange(T, device=token_ids.device)
        x = dropout(self.wte(token_ids) + self.wpe(positions), p, training)
        for block in self.blocks:
            x = x + dropout(attention_with_dropout(block.attn, block.ln_1(x), p, training), p, training)
            x = x + dropout(block.mlp(block.ln_2(x)), p, training)
        return self.lm_head(x)
'''

_GPT_W_MLP_LN_1 = _GPT_HEAD + r'''        length = token_ids.shape[-1]
        limit = self.config.context_window_size
        if length > limit:
            raise ValueError(f"sequence of length {length} is longer than the context window ({limit})")

        def drop(t):
            return dropout(t, self.config.dropout, self.training)

        h = drop(self.wte(token_ids) + self.wpe.weight[:length])
        for block in self.blocks:
            attn_out = attention_with_dropout(block.attn, block.ln_1(h), self.config.dropout, self.training)
            h = h + drop(attn_out)
            mlp_out = block.mlp(block.ln_1(h))
            h = h + drop(mlp_out)
        return self.lm_head(self.ln_f(h))
'''

_GPT_W_POST_LN = _GPT_HEAD + r'''        T = token_ids.size(-1)
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        p, training = self.config.dropout, self.training
        positions = torch.arange(T, device=token_ids.device)
        x = dropout(self.wte(token_ids) + self.wpe(positions), p, training)
        for block in self.blocks:
            x = block.ln_1(x + dropout(attention_with_dropout(block.attn, x, p, training), p, training))
            x = block.ln_2(x + dropout(block.mlp(x), p, training))
        return self.lm_head(self.ln_f(x))
'''

_GPT_W_NO_LENGTH_CHECK = _GPT_HEAD + r'''        T = token_ids.size(-1)
        p, training = self.config.dropout, self.training
        positions = torch.arange(T, device=token_ids.device)
        x = dropout(self.wte(token_ids) + self.wpe(positions), p, training)
        for block in self.blocks:
            x = x + dropout(attention_with_dropout(block.attn, block.ln_1(x), p, training), p, training)
            x = x + dropout(block.mlp(block.ln_2(x)), p, training)
        return self.lm_head(self.ln_f(x))
'''

_GPT_W_CHECK_OFF_BY_ONE = _GPT_HEAD + r'''        if token_ids.shape[-1] >= self.config.context_window_size:
            raise ValueError("more tokens than config.context_window_size")
        rate = self.config.dropout
        on = bool(self.training)
        tok = self.wte(token_ids)
        pos = self.wpe(torch.arange(token_ids.shape[-1], device=token_ids.device)).unsqueeze(0)
        stream = dropout(tok + pos, rate, on)
        for i in range(len(self.blocks)):
            blk = self.blocks[i]
            branch = dropout(attention_with_dropout(blk.attn, blk.ln_1(stream), rate, on), rate, on)
            stream = stream + branch
            branch = dropout(blk.mlp(blk.ln_2(stream)), rate, on)
            stream = stream + branch
        hidden = self.ln_f(stream)
        return self.lm_head(hidden)
'''

_GPT_W_NO_EMB_DROPOUT = _GPT_HEAD + r'''        T = token_ids.size(-1)
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        p, training = self.config.dropout, self.training
        positions = torch.arange(T, device=token_ids.device)
        x = self.wte(token_ids) + self.wpe(positions)
        for block in self.blocks:
            x = x + dropout(attention_with_dropout(block.attn, block.ln_1(x), p, training), p, training)
            x = x + dropout(block.mlp(block.ln_2(x)), p, training)
        return self.lm_head(self.ln_f(x))
'''

_GPT_W_NO_ATTN_DROPOUT = _GPT_HEAD + r'''        T = token_ids.size(-1)
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        p, training = self.config.dropout, self.training
        positions = torch.arange(T, device=token_ids.device)
        x = dropout(self.wte(token_ids) + self.wpe(positions), p, training)
        for block in self.blocks:
            x = x + dropout(block.attn(block.ln_1(x)), p, training)
            x = x + dropout(block.mlp(block.ln_2(x)), p, training)
        return self.lm_head(self.ln_f(x))
'''

_GPT_W_NO_MLP_DROPOUT = _GPT_HEAD + r'''        length = token_ids.shape[-1]
        limit = self.config.context_window_size
        if length > limit:
            raise ValueError(f"sequence of length {length} is longer than the context window ({limit})")

        def drop(t):
            return dropout(t, self.config.dropout, self.training)

        h = drop(self.wte(token_ids) + self.wpe.weight[:length])
        for block in self.blocks:
            attn_out = attention_with_dropout(block.attn, block.ln_1(h), self.config.dropout, self.training)
            h = h + drop(attn_out)
            h = h + block.mlp(block.ln_2(h))
        return self.lm_head(self.ln_f(h))
'''

_GPT_W_DROPS_STREAM = _GPT_HEAD + r'''        T = token_ids.size(-1)
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        p, training = self.config.dropout, self.training
        positions = torch.arange(T, device=token_ids.device)
        x = dropout(self.wte(token_ids) + self.wpe(positions), p, training)
        for block in self.blocks:
            x = dropout(x + attention_with_dropout(block.attn, block.ln_1(x), p, training), p, training)
            x = dropout(x + block.mlp(block.ln_2(x)), p, training)
        return self.lm_head(self.ln_f(x))
'''

_GPT_W_GLOBAL_P = _GPT_HEAD + r'''        T = token_ids.size(-1)
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        p, training = DROPOUT, self.training
        positions = torch.arange(T, device=token_ids.device)
        x = dropout(self.wte(token_ids) + self.wpe(positions), p, training)
        for block in self.blocks:
            x = x + dropout(attention_with_dropout(block.attn, block.ln_1(x), p, training), p, training)
            x = x + dropout(block.mlp(block.ln_2(x)), p, training)
        return self.lm_head(self.ln_f(x))
'''

_C1 = CORRECT["randlike_matmul_loop"]
_C2 = CORRECT["bernoulli_sdpa_helper"]
_C3 = CORRECT["where_einsum_indexed"]

_BOTH_GPT = ["test_dropout_gpt_eval", "test_dropout_gpt_training"]

WRONG = {
    # ---- dropout ----
    "do_no_rescale": {"cells": {**_C1, "dropout": _DO_W_NO_RESCALE}, "loses": ["test_dropout"],
                      "bug": "kept values are not scaled by 1 / (1 - p)"},
    "do_scale_times": {"cells": {**_C2, "dropout": _DO_W_TIMES}, "loses": ["test_dropout"],
                       "bug": "kept values multiplied by (1 - p) instead of divided"},
    "do_inplace": {"cells": {**_C1, "dropout": _DO_W_INPLACE}, "loses": ["test_dropout"],
                   "bug": "modifies x in place (mul_ / div_)"},
    "do_uses_F_dropout": {"cells": {**_C1, "dropout": _DO_W_F_DROPOUT}, "loses": ["test_dropout"],
                          "bug": "calls the forbidden F.dropout"},
    "do_numpy_rng": {"cells": {**_C1, "dropout": _DO_W_NUMPY}, "loses": ["test_dropout"],
                     "bug": "draws the mask with numpy's RNG: torch.manual_seed does not reproduce it"},
    "do_keeps_with_prob_p": {"cells": {**_C3, "dropout": _DO_W_KEEP_P}, "loses": ["test_dropout"],
                             "bug": "keeps a value with probability p (zeroes a fraction 1 - p)"},
    "do_check_only_in_training": {"cells": {**_C1, "dropout": _DO_W_CHECK_TRAINING_ONLY}, "loses": ["input-checks"],
                                  "bug": "p is validated only in training mode with p != 0"},
    "do_allows_p_one": {"cells": {**_C2, "dropout": _DO_W_ALLOWS_ONE}, "loses": ["input-checks"],
                        "bug": "accepts p = 1 (check p > 1 instead of p >= 1)"},
    # ---- attention_with_dropout ----
    "at_dropout_on_output": {"cells": {**_C1, "attention_with_dropout": _AT_W_DROP_OUTPUT},
                             "loses": ["test_attention_with_dropout"],
                             "bug": "dropout applied to the merged attention output, not to the attention weights"},
    "at_no_scale": {"cells": {**_C1, "attention_with_dropout": _AT_W_NO_SCALE}, "loses": ["test_attention_with_dropout"],
                    "bug": "scores not scaled by 1 / sqrt(D)"},
    "at_scale_by_E": {"cells": {**_C3, "attention_with_dropout": _AT_W_SCALE_E}, "loses": ["test_attention_with_dropout"],
                      "bug": "scores scaled by 1 / sqrt(E) instead of 1 / sqrt(head size)"},
    "at_not_causal": {"cells": {**_C1, "attention_with_dropout": _AT_W_NOT_CAUSAL}, "loses": ["test_attention_with_dropout"],
                      "bug": "no causal mask"},
    "at_dropout_always": {"cells": {**_C2, "attention_with_dropout": _AT_W_ALWAYS}, "loses": ["test_attention_with_dropout"],
                          "bug": "dropout_p = p even when not training"},
    "at_dropout_before_softmax": {"cells": {**_C1, "attention_with_dropout": _AT_W_BEFORE_SOFTMAX},
                                  "loses": ["test_attention_with_dropout"],
                                  "bug": "dropout applied to the scores before the softmax instead of to the weights"},
    "at_uses_module_p": {"cells": {**_C2, "attention_with_dropout": _AT_W_MODULE_P}, "loses": ["test_attention_with_dropout"],
                         "bug": "uses attn.dropout (the module's own rate) instead of the argument p"},
    # ---- DropoutGPT, evaluation mode ----
    "gpt_always_training": {"cells": {**_C1, "DropoutGPT": _GPT_W_ALWAYS_TRAINING}, "loses": ["test_dropout_gpt_eval"],
                            "bug": "passes training=True regardless of self.training: dropout also in eval mode"},
    "gpt_no_ln_f": {"cells": {**_C1, "DropoutGPT": _GPT_W_NO_LN_F}, "loses": _BOTH_GPT,
                    "bug": "the final LayerNorm ln_f is skipped"},
    "gpt_mlp_uses_ln_1": {"cells": {**_C2, "DropoutGPT": _GPT_W_MLP_LN_1}, "loses": _BOTH_GPT,
                          "bug": "the MLP branch is normalised with ln_1 instead of ln_2"},
    "gpt_post_ln": {"cells": {**_C1, "DropoutGPT": _GPT_W_POST_LN}, "loses": _BOTH_GPT,
                    "bug": "post-LN blocks (LayerNorm after the residual sum) instead of GPT-2's pre-LN"},
    "gpt_no_length_check": {"cells": {**_C1, "DropoutGPT": _GPT_W_NO_LENGTH_CHECK}, "loses": ["input-checks"],
                            "bug": "no ValueError for too many tokens (wpe raises IndexError)"},
    "gpt_length_check_off_by_one": {"cells": {**_C3, "DropoutGPT": _GPT_W_CHECK_OFF_BY_ONE}, "loses": _BOTH_GPT,
                                    "bug": "raises already when the input fills the context window exactly (>= instead of >)"},
    # ---- DropoutGPT, training mode ----
    "gpt_no_embedding_dropout": {"cells": {**_C1, "DropoutGPT": _GPT_W_NO_EMB_DROPOUT}, "loses": ["test_dropout_gpt_training"],
                                 "bug": "no dropout on the embeddings"},
    "gpt_no_attention_dropout": {"cells": {**_C1, "DropoutGPT": _GPT_W_NO_ATTN_DROPOUT}, "loses": ["test_dropout_gpt_training"],
                                 "bug": "calls block.attn directly: no dropout on the attention weights"},
    "gpt_no_mlp_dropout": {"cells": {**_C2, "DropoutGPT": _GPT_W_NO_MLP_DROPOUT}, "loses": ["test_dropout_gpt_training"],
                           "bug": "the MLP branch is not dropped out"},
    "gpt_drops_residual_stream": {"cells": {**_C1, "DropoutGPT": _GPT_W_DROPS_STREAM}, "loses": ["test_dropout_gpt_training"],
                                  "bug": "dropout on the residual stream after the sum instead of on the branch"},
    "gpt_global_dropout_rate": {"cells": {**_C1, "DropoutGPT": _GPT_W_GLOBAL_P}, "loses": ["test_dropout_gpt_training"],
                                "bug": "uses the notebook's global DROPOUT instead of self.config.dropout"},
}
