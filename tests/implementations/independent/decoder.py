"""3_4_transformer_impl_full_transformer_decoder: implementations written from the release notebook alone (independently written;
the author saw neither source/, solutions/ nor graders/). The correct ones differ in how the model is assembled and run (nn.Dropout
and wpe(arange) vs wpe.weight[:T] and F.linear vs F.dropout and x @ wte.weight.T), how the parameters are counted (closed formula vs
per-sublayer sums vs per-module helpers), how the weights are loaded (param.copy_ per block vs one load_state_dict vs a renaming
table over the Hugging Face keys) and how tokens are generated (cat loop with a threshold top-k vs a preallocated output with
scatter top-k in float64 vs a sliding window with sort top-k applied before the temperature)."""

ASSIGNMENT = "3_4_transformer_impl_full_transformer_decoder"

_CONFIG = '''@dataclass
class GPTConfig:
    """The sizes of a GPT; the defaults are GPT-2 small's."""

    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0
'''

# ---------------------------------------------------------------------------------------------------
# GPT, correct variant 1: nn.Dropout, wpe(arange(T)), lm_head
# ---------------------------------------------------------------------------------------------------
_GPT_PLAIN = _CONFIG + '''

class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        E = config.embedding_dim
        self.wte = nn.Embedding(config.vocab_size, E)
        self.wpe = nn.Embedding(config.context_window_size, E)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList()
        for _ in range(config.num_layers):
            block = TransformerBlock(E, dropout=config.dropout)
            block.attn = MultiHeadAttention(E, config.num_heads, config.dropout)
            self.blocks.append(block)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        positions = torch.arange(T, device=token_ids.device)
        x = self.drop(self.wte(token_ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
'''

# ---------------------------------------------------------------------------------------------------
# GPT, correct variant 2: blocks from a helper, wpe.weight[:T], F.linear with the tied weight
# ---------------------------------------------------------------------------------------------------
_GPT_HELPER = _CONFIG + '''

def _gpt_block(embedding_dim: int, num_heads: int, dropout: float) -> nn.Module:
    """3.2's block with 3.3's multi-head attention in place of its single head."""
    block = TransformerBlock(embedding_dim, num_heads=1, dropout=dropout)
    block.attn = MultiHeadAttention(embedding_dim, num_heads, dropout=dropout)
    return block


class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.embedding_dim)
        self.wpe = nn.Embedding(config.context_window_size, config.embedding_dim)
        self.embedding_dropout = nn.Dropout(p=config.dropout)
        self.blocks = nn.ModuleList(
            [_gpt_block(config.embedding_dim, config.num_heads, config.dropout) for _ in range(config.num_layers)]
        )
        self.ln_f = nn.LayerNorm(config.embedding_dim)
        lm_head = nn.Linear(config.embedding_dim, config.vocab_size, bias=False)
        lm_head.weight = self.wte.weight
        self.lm_head = lm_head

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        T = token_ids.size(-1)
        if T > self.wpe.num_embeddings:
            raise ValueError(f"sequence of length {T} is longer than context_window_size={self.wpe.num_embeddings}")
        h = self.wte(token_ids) + self.wpe.weight[:T]
        h = self.embedding_dropout(h)
        for i in range(len(self.blocks)):
            h = self.blocks[i](h)
        h = self.ln_f(h)
        return F.linear(h, self.lm_head.weight)
'''

# ---------------------------------------------------------------------------------------------------
# GPT, correct variant 3: F.dropout, positions expanded over the batch, x @ wte.weight.T
# ---------------------------------------------------------------------------------------------------
_GPT_FUNCTIONAL = _CONFIG + '''

class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        V, C, E = config.vocab_size, config.context_window_size, config.embedding_dim
        self.wte = nn.Embedding(V, E)
        self.wpe = nn.Embedding(C, E)
        blocks = []
        for _ in range(config.num_layers):
            b = TransformerBlock(E, 1, config.dropout)
            b.attn = MultiHeadAttention(E, config.num_heads, config.dropout)
            blocks.append(b)
        self.blocks = nn.ModuleList(blocks)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, V, bias=False)
        self.lm_head.weight = self.wte.weight          # tied: one Parameter for both

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape[0], token_ids.shape[1]
        C = self.config.context_window_size
        if T > C:
            raise ValueError(f"at most {C} tokens fit, got {T}")
        pos = torch.arange(0, T, dtype=torch.long, device=token_ids.device).unsqueeze(0).expand(B, T)
        x = F.dropout(self.wte(token_ids) + self.wpe(pos), p=self.config.dropout, training=self.training)
        for block in self.blocks:
            x = block(x)
        x = self.ln_f(x)
        return x @ self.wte.weight.T
'''

# ---------------------------------------------------------------------------------------------------
# count_parameters
# ---------------------------------------------------------------------------------------------------
_COUNT_FORMULA = '''def count_parameters(config: GPTConfig) -> int:
    """The number of parameters of GPT(config), by formula (the tied unembedding counts once)."""
    V, C, E, L = config.vocab_size, config.context_window_size, config.embedding_dim, config.num_layers
    return V * E + C * E + L * (12 * E**2 + 13 * E) + 2 * E
'''

_COUNT_SUBLAYERS = '''def count_parameters(config: GPTConfig) -> int:
    """The number of parameters of GPT(config), by formula (the tied unembedding counts once)."""
    E = config.embedding_dim
    attention = 4 * (E * E + E)                      # q, k, v, o projections with bias
    mlp = (E * 4 * E + 4 * E) + (4 * E * E + E)      # fc_in, fc_out
    layer_norms = 2 * (2 * E)                        # ln_1, ln_2: gain and bias
    per_block = attention + mlp + layer_norms
    embeddings = config.vocab_size * E + config.context_window_size * E
    final_norm = 2 * E
    total = embeddings + final_norm
    for _ in range(config.num_layers):
        total += per_block
    return int(total)
'''

_COUNT_MODULES = '''def count_parameters(config: GPTConfig) -> int:
    """The number of parameters of GPT(config), by formula (the tied unembedding counts once)."""
    def linear(n_in, n_out, bias=True):
        return n_in * n_out + (n_out if bias else 0)

    def layer_norm(n):
        return 2 * n

    def embedding(rows, n):
        return rows * n

    E = config.embedding_dim
    block = (4 * linear(E, E) + linear(E, 4 * E) + linear(4 * E, E) + layer_norm(E) + layer_norm(E))
    lm_head = 0                                      # tied to wte
    return (embedding(config.vocab_size, E) + embedding(config.context_window_size, E)
            + config.num_layers * block + layer_norm(E) + lm_head)
'''

# ---------------------------------------------------------------------------------------------------
# load_gpt2_weights
# ---------------------------------------------------------------------------------------------------
_LOAD_COPY = '''def load_gpt2_weights(model: GPT, hf_state_dict: dict[str, Tensor]) -> None:
    """Copy the weights of a transformers GPT2LMHeadModel (its state_dict) into `model`, in place.

    GPT-2 stores its linear layers as Conv1D with weights of shape (in, out): transpose them for
    nn.Linear, whose weight is (out, in). c_attn holds q, k and v side by side.
    """
    sd = hf_state_dict
    E = model.config.embedding_dim
    with torch.no_grad():
        model.wte.weight.copy_(sd["transformer.wte.weight"])
        model.wpe.weight.copy_(sd["transformer.wpe.weight"])
        for i, block in enumerate(model.blocks):
            p = f"transformer.h.{i}."
            block.ln_1.weight.copy_(sd[p + "ln_1.weight"])
            block.ln_1.bias.copy_(sd[p + "ln_1.bias"])
            block.ln_2.weight.copy_(sd[p + "ln_2.weight"])
            block.ln_2.bias.copy_(sd[p + "ln_2.bias"])
            w, b = sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]
            for j, proj in enumerate([block.attn.q_proj, block.attn.k_proj, block.attn.v_proj]):
                proj.weight.copy_(w[:, j * E:(j + 1) * E].t())
                proj.bias.copy_(b[j * E:(j + 1) * E])
            block.attn.o_proj.weight.copy_(sd[p + "attn.c_proj.weight"].t())
            block.attn.o_proj.bias.copy_(sd[p + "attn.c_proj.bias"])
            block.mlp.fc_in.weight.copy_(sd[p + "mlp.c_fc.weight"].t())
            block.mlp.fc_in.bias.copy_(sd[p + "mlp.c_fc.bias"])
            block.mlp.fc_out.weight.copy_(sd[p + "mlp.c_proj.weight"].t())
            block.mlp.fc_out.bias.copy_(sd[p + "mlp.c_proj.bias"])
        model.ln_f.weight.copy_(sd["transformer.ln_f.weight"])
        model.ln_f.bias.copy_(sd["transformer.ln_f.bias"])
'''

_LOAD_STATE_DICT = '''def load_gpt2_weights(model: GPT, hf_state_dict: dict[str, Tensor]) -> None:
    """Copy the weights of a transformers GPT2LMHeadModel (its state_dict) into `model`, in place.

    GPT-2 stores its linear layers as Conv1D with weights of shape (in, out): transpose them for
    nn.Linear, whose weight is (out, in). c_attn holds q, k and v side by side.
    """
    def hf(name):
        return hf_state_dict["transformer." + name]

    new = {
        "wte.weight": hf("wte.weight"),
        "wpe.weight": hf("wpe.weight"),
        "ln_f.weight": hf("ln_f.weight"),
        "ln_f.bias": hf("ln_f.bias"),
    }
    new["lm_head.weight"] = new["wte.weight"]
    for i in range(len(model.blocks)):
        src, dst = f"h.{i}.", f"blocks.{i}."
        for ln in ("ln_1", "ln_2"):
            for what in ("weight", "bias"):
                new[dst + f"{ln}.{what}"] = hf(src + f"{ln}.{what}")
        q_w, k_w, v_w = hf(src + "attn.c_attn.weight").t().chunk(3, dim=0)
        q_b, k_b, v_b = hf(src + "attn.c_attn.bias").chunk(3, dim=0)
        for name, w, b in (("q_proj", q_w, q_b), ("k_proj", k_w, k_b), ("v_proj", v_w, v_b)):
            new[dst + f"attn.{name}.weight"] = w
            new[dst + f"attn.{name}.bias"] = b
        for theirs, ours in (("attn.c_proj", "attn.o_proj"), ("mlp.c_fc", "mlp.fc_in"), ("mlp.c_proj", "mlp.fc_out")):
            new[dst + ours + ".weight"] = hf(src + theirs + ".weight").t()
            new[dst + ours + ".bias"] = hf(src + theirs + ".bias")
    model.load_state_dict(new, strict=True)
'''

_LOAD_RENAME = '''_RENAMES = [("transformer.h.", "blocks."), ("transformer.", ""), (".attn.c_proj.", ".attn.o_proj."),
            (".mlp.c_fc.", ".mlp.fc_in."), (".mlp.c_proj.", ".mlp.fc_out.")]
_CONV1D = (".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight")


def load_gpt2_weights(model: GPT, hf_state_dict: dict[str, Tensor]) -> None:
    """Copy the weights of a transformers GPT2LMHeadModel (its state_dict) into `model`, in place.

    GPT-2 stores its linear layers as Conv1D with weights of shape (in, out): transpose them for
    nn.Linear, whose weight is (out, in). c_attn holds q, k and v side by side.
    """
    params = dict(model.named_parameters())
    with torch.no_grad():
        for hf_name, tensor in hf_state_dict.items():
            if hf_name == "lm_head.weight":
                continue                                  # tied to wte
            ours = hf_name
            for old, new in _RENAMES:
                ours = ours.replace(old, new)
            if ".attn.c_attn." in ours:
                prefix, kind = ours.split(".attn.c_attn.")
                parts = torch.split(tensor, tensor.shape[-1] // 3, dim=-1)
                for proj, part in zip(("q_proj", "k_proj", "v_proj"), parts):
                    target = params[f"{prefix}.attn.{proj}.{kind}"]
                    target.copy_(part.transpose(0, 1) if kind == "weight" else part)
                continue
            if ours not in params:
                continue                                  # buffers such as attn.bias in older checkpoints
            value = tensor.transpose(0, 1) if hf_name.endswith(_CONV1D) else tensor
            params[ours].copy_(value)
'''

# ---------------------------------------------------------------------------------------------------
# generate
# ---------------------------------------------------------------------------------------------------
_GEN_HEAD = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
'''

_GEN_TAIL = '''

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''

_GEN_CAT = _GEN_HEAD + '''    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids[:, -C:])[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, next_id], dim=1)
    return ids''' + _GEN_TAIL

_GEN_PREALLOC = _GEN_HEAD + '''    B, T = token_ids.shape
    out = token_ids.new_empty((B, T + max_new_tokens))
    out[:, :T] = token_ids
    C = self.config.context_window_size
    for i in range(T, T + max_new_tokens):
        last = self(out[:, max(0, i - C):i])[:, -1].to(torch.float64)
        if temperature == 0:
            choice = last.topk(1, dim=-1).indices
        else:
            scaled = last / temperature
            if top_k is not None and top_k < scaled.shape[-1]:
                values, indices = scaled.topk(top_k, dim=-1)
                scaled = torch.full_like(scaled, float("-inf")).scatter(-1, indices, values)
            choice = torch.multinomial(F.softmax(scaled, dim=-1), num_samples=1, generator=generator)
        out[:, i] = choice[:, 0]
    return out''' + _GEN_TAIL

_GEN_WINDOW = _GEN_HEAD + '''    C = self.config.context_window_size
    pieces = [token_ids]
    window = token_ids[:, -C:]
    for _ in range(max_new_tokens):
        logits = self(window)[:, -1, :]
        if temperature == 0:
            nxt = torch.argmax(logits, dim=-1).unsqueeze(-1)
        else:
            if top_k is not None:
                k = min(top_k, logits.shape[-1])
                kth = logits.sort(dim=-1, descending=True).values[:, k - 1].unsqueeze(-1)
                logits = torch.where(logits >= kth, logits, torch.full_like(logits, float("-inf")))
            probs = torch.softmax(logits.div(temperature), dim=-1)
            nxt = torch.multinomial(probs, 1, generator=generator)
        pieces.append(nxt)
        window = torch.cat([window, nxt], dim=1)[:, -C:]
    return torch.cat(pieces, dim=1)''' + _GEN_TAIL

# ---------------------------------------------------------------------------------------------------
# wrong variants (exact one-place edits of _GPT_PLAIN, _COUNT_FORMULA, _LOAD_COPY, _GEN_CAT)
# ---------------------------------------------------------------------------------------------------
# lm_head gets a copy of wte's weight: two Parameters, not tied
_GPT_UNTIED = '''@dataclass
class GPTConfig:
    """The sizes of a GPT; the defaults are GPT-2 small's."""

    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0


class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        E = config.embedding_dim
        self.wte = nn.Embedding(config.vocab_size, E)
        self.wpe = nn.Embedding(config.context_window_size, E)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList()
        for _ in range(config.num_layers):
            block = TransformerBlock(E, dropout=config.dropout)
            block.attn = MultiHeadAttention(E, config.num_heads, config.dropout)
            self.blocks.append(block)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        with torch.no_grad():
            self.lm_head.weight.copy_(self.wte.weight)

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        positions = torch.arange(T, device=token_ids.device)
        x = self.drop(self.wte(token_ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
'''

# positions counted from 1 (IndexError at T = context_window_size)
_GPT_POSITIONS_FROM_ONE = '''@dataclass
class GPTConfig:
    """The sizes of a GPT; the defaults are GPT-2 small's."""

    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0


class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        E = config.embedding_dim
        self.wte = nn.Embedding(config.vocab_size, E)
        self.wpe = nn.Embedding(config.context_window_size, E)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList()
        for _ in range(config.num_layers):
            block = TransformerBlock(E, dropout=config.dropout)
            block.attn = MultiHeadAttention(E, config.num_heads, config.dropout)
            self.blocks.append(block)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        positions = torch.arange(1, T + 1, device=token_ids.device)
        x = self.drop(self.wte(token_ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
'''

# ln_f defined but not applied
_GPT_NO_LN_F = '''@dataclass
class GPTConfig:
    """The sizes of a GPT; the defaults are GPT-2 small's."""

    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0


class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        E = config.embedding_dim
        self.wte = nn.Embedding(config.vocab_size, E)
        self.wpe = nn.Embedding(config.context_window_size, E)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList()
        for _ in range(config.num_layers):
            block = TransformerBlock(E, dropout=config.dropout)
            block.attn = MultiHeadAttention(E, config.num_heads, config.dropout)
            self.blocks.append(block)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        positions = torch.arange(T, device=token_ids.device)
        x = self.drop(self.wte(token_ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(x)
'''

# blocks keep 3.2's single AttentionHead: num_heads is ignored
_GPT_SINGLE_HEAD = '''@dataclass
class GPTConfig:
    """The sizes of a GPT; the defaults are GPT-2 small's."""

    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0


class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        E = config.embedding_dim
        self.wte = nn.Embedding(config.vocab_size, E)
        self.wpe = nn.Embedding(config.context_window_size, E)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList()
        for _ in range(config.num_layers):
            block = TransformerBlock(E, dropout=config.dropout)
            self.blocks.append(block)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        positions = torch.arange(T, device=token_ids.device)
        x = self.drop(self.wte(token_ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
'''

# no dropout on the sum of the embeddings
_GPT_NO_EMBEDDING_DROPOUT = '''@dataclass
class GPTConfig:
    """The sizes of a GPT; the defaults are GPT-2 small's."""

    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0


class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        E = config.embedding_dim
        self.wte = nn.Embedding(config.vocab_size, E)
        self.wpe = nn.Embedding(config.context_window_size, E)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList()
        for _ in range(config.num_layers):
            block = TransformerBlock(E, dropout=config.dropout)
            block.attn = MultiHeadAttention(E, config.num_heads, config.dropout)
            self.blocks.append(block)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        positions = torch.arange(T, device=token_ids.device)
        x = self.wte(token_ids) + self.wpe(positions)
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
'''

# the blocks' residual dropout is left at 0
_GPT_BLOCKS_NO_DROPOUT = '''@dataclass
class GPTConfig:
    """The sizes of a GPT; the defaults are GPT-2 small's."""

    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0


class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        E = config.embedding_dim
        self.wte = nn.Embedding(config.vocab_size, E)
        self.wpe = nn.Embedding(config.context_window_size, E)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList()
        for _ in range(config.num_layers):
            block = TransformerBlock(E)
            block.attn = MultiHeadAttention(E, config.num_heads, config.dropout)
            self.blocks.append(block)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape
        if T > self.config.context_window_size:
            raise ValueError(f"{T} tokens do not fit the context window of {self.config.context_window_size}")
        positions = torch.arange(T, device=token_ids.device)
        x = self.drop(self.wte(token_ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
'''

# no ValueError for too long inputs (IndexError from wpe)
_GPT_NO_CONTEXT_CHECK = '''@dataclass
class GPTConfig:
    """The sizes of a GPT; the defaults are GPT-2 small's."""

    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0


class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        E = config.embedding_dim
        self.wte = nn.Embedding(config.vocab_size, E)
        self.wpe = nn.Embedding(config.context_window_size, E)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList()
        for _ in range(config.num_layers):
            block = TransformerBlock(E, dropout=config.dropout)
            block.attn = MultiHeadAttention(E, config.num_heads, config.dropout)
            self.blocks.append(block)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape
        positions = torch.arange(T, device=token_ids.device)
        x = self.drop(self.wte(token_ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
'''

# context length checked with assert: AssertionError, not ValueError
_GPT_CONTEXT_ASSERT = '''@dataclass
class GPTConfig:
    """The sizes of a GPT; the defaults are GPT-2 small's."""

    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0


class GPT(nn.Module):
    """GPT-2: token and position embeddings, num_layers pre-LN blocks, a final LayerNorm and an
    unembedding tied to the token embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        E = config.embedding_dim
        self.wte = nn.Embedding(config.vocab_size, E)
        self.wpe = nn.Embedding(config.context_window_size, E)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList()
        for _ in range(config.num_layers):
            block = TransformerBlock(E, dropout=config.dropout)
            block.attn = MultiHeadAttention(E, config.num_heads, config.dropout)
            self.blocks.append(block)
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids: Tensor) -> Tensor:
        """token_ids: (B, T) integers -> logits (B, T, vocab_size)."""
        B, T = token_ids.shape
        assert T <= self.config.context_window_size, f"{T} tokens do not fit the context window"
        positions = torch.arange(T, device=token_ids.device)
        x = self.drop(self.wte(token_ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
'''

# counts the tied lm_head a second time
# the context check off by one: T = context_window_size + 1 slips through
_GPT_CONTEXT_OFF_BY_ONE = _GPT_CONTEXT_ASSERT.replace(
    'assert T <= self.config.context_window_size, f"{T} tokens do not fit the context window"',
    'if T > self.config.context_window_size + 1:\n            raise ValueError(f"{T} tokens do not fit the context window")')
assert _GPT_CONTEXT_OFF_BY_ONE != _GPT_CONTEXT_ASSERT

_COUNT_UNTIED = '''def count_parameters(config: GPTConfig) -> int:
    """The number of parameters of GPT(config), by formula (the tied unembedding counts once)."""
    V, C, E, L = config.vocab_size, config.context_window_size, config.embedding_dim, config.num_layers
    return V * E + C * E + L * (12 * E**2 + 13 * E) + 2 * E + V * E
'''

# forgets the final LayerNorm
_COUNT_NO_LN_F = '''def count_parameters(config: GPTConfig) -> int:
    """The number of parameters of GPT(config), by formula (the tied unembedding counts once)."""
    V, C, E, L = config.vocab_size, config.context_window_size, config.embedding_dim, config.num_layers
    return V * E + C * E + L * (12 * E**2 + 13 * E)
'''

# a block without its two LayerNorms (12E^2 + 9E)
_COUNT_NO_BLOCK_LN = '''def count_parameters(config: GPTConfig) -> int:
    """The number of parameters of GPT(config), by formula (the tied unembedding counts once)."""
    V, C, E, L = config.vocab_size, config.context_window_size, config.embedding_dim, config.num_layers
    return V * E + C * E + L * (12 * E**2 + 9 * E) + 2 * E
'''

# forgets the position embedding
_COUNT_NO_WPE = '''def count_parameters(config: GPTConfig) -> int:
    """The number of parameters of GPT(config), by formula (the tied unembedding counts once)."""
    V, C, E, L = config.vocab_size, config.context_window_size, config.embedding_dim, config.num_layers
    return V * E + L * (12 * E**2 + 13 * E) + 2 * E
'''

# builds the model and counts its parameters instead of using the formula
_COUNT_BUILDS_MODEL = '''def count_parameters(config: GPTConfig) -> int:
    """The number of parameters of GPT(config), by formula (the tied unembedding counts once)."""
    return sum(p.numel() for p in GPT(config).parameters())
'''

# o_proj copied without the transpose (fits, since it is square)
_LOAD_O_PROJ_NOT_T = '''def load_gpt2_weights(model: GPT, hf_state_dict: dict[str, Tensor]) -> None:
    """Copy the weights of a transformers GPT2LMHeadModel (its state_dict) into `model`, in place.

    GPT-2 stores its linear layers as Conv1D with weights of shape (in, out): transpose them for
    nn.Linear, whose weight is (out, in). c_attn holds q, k and v side by side.
    """
    sd = hf_state_dict
    E = model.config.embedding_dim
    with torch.no_grad():
        model.wte.weight.copy_(sd["transformer.wte.weight"])
        model.wpe.weight.copy_(sd["transformer.wpe.weight"])
        for i, block in enumerate(model.blocks):
            p = f"transformer.h.{i}."
            block.ln_1.weight.copy_(sd[p + "ln_1.weight"])
            block.ln_1.bias.copy_(sd[p + "ln_1.bias"])
            block.ln_2.weight.copy_(sd[p + "ln_2.weight"])
            block.ln_2.bias.copy_(sd[p + "ln_2.bias"])
            w, b = sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]
            for j, proj in enumerate([block.attn.q_proj, block.attn.k_proj, block.attn.v_proj]):
                proj.weight.copy_(w[:, j * E:(j + 1) * E].t())
                proj.bias.copy_(b[j * E:(j + 1) * E])
            block.attn.o_proj.weight.copy_(sd[p + "attn.c_proj.weight"])
            block.attn.o_proj.bias.copy_(sd[p + "attn.c_proj.bias"])
            block.mlp.fc_in.weight.copy_(sd[p + "mlp.c_fc.weight"].t())
            block.mlp.fc_in.bias.copy_(sd[p + "mlp.c_fc.bias"])
            block.mlp.fc_out.weight.copy_(sd[p + "mlp.c_proj.weight"].t())
            block.mlp.fc_out.bias.copy_(sd[p + "mlp.c_proj.bias"])
        model.ln_f.weight.copy_(sd["transformer.ln_f.weight"])
        model.ln_f.bias.copy_(sd["transformer.ln_f.bias"])
'''

# c_attn reshaped to (3E, E) instead of transposed
_LOAD_QKV_RESHAPE = '''def load_gpt2_weights(model: GPT, hf_state_dict: dict[str, Tensor]) -> None:
    """Copy the weights of a transformers GPT2LMHeadModel (its state_dict) into `model`, in place.

    GPT-2 stores its linear layers as Conv1D with weights of shape (in, out): transpose them for
    nn.Linear, whose weight is (out, in). c_attn holds q, k and v side by side.
    """
    sd = hf_state_dict
    E = model.config.embedding_dim
    with torch.no_grad():
        model.wte.weight.copy_(sd["transformer.wte.weight"])
        model.wpe.weight.copy_(sd["transformer.wpe.weight"])
        for i, block in enumerate(model.blocks):
            p = f"transformer.h.{i}."
            block.ln_1.weight.copy_(sd[p + "ln_1.weight"])
            block.ln_1.bias.copy_(sd[p + "ln_1.bias"])
            block.ln_2.weight.copy_(sd[p + "ln_2.weight"])
            block.ln_2.bias.copy_(sd[p + "ln_2.bias"])
            w, b = sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]
            for j, proj in enumerate([block.attn.q_proj, block.attn.k_proj, block.attn.v_proj]):
                proj.weight.copy_(w.reshape(3 * E, E)[j * E:(j + 1) * E])
                proj.bias.copy_(b[j * E:(j + 1) * E])
            block.attn.o_proj.weight.copy_(sd[p + "attn.c_proj.weight"].t())
            block.attn.o_proj.bias.copy_(sd[p + "attn.c_proj.bias"])
            block.mlp.fc_in.weight.copy_(sd[p + "mlp.c_fc.weight"].t())
            block.mlp.fc_in.bias.copy_(sd[p + "mlp.c_fc.bias"])
            block.mlp.fc_out.weight.copy_(sd[p + "mlp.c_proj.weight"].t())
            block.mlp.fc_out.bias.copy_(sd[p + "mlp.c_proj.bias"])
        model.ln_f.weight.copy_(sd["transformer.ln_f.weight"])
        model.ln_f.bias.copy_(sd["transformer.ln_f.bias"])
'''

# q/k/v biases from c_attn not copied
_LOAD_NO_ATTN_BIAS = '''def load_gpt2_weights(model: GPT, hf_state_dict: dict[str, Tensor]) -> None:
    """Copy the weights of a transformers GPT2LMHeadModel (its state_dict) into `model`, in place.

    GPT-2 stores its linear layers as Conv1D with weights of shape (in, out): transpose them for
    nn.Linear, whose weight is (out, in). c_attn holds q, k and v side by side.
    """
    sd = hf_state_dict
    E = model.config.embedding_dim
    with torch.no_grad():
        model.wte.weight.copy_(sd["transformer.wte.weight"])
        model.wpe.weight.copy_(sd["transformer.wpe.weight"])
        for i, block in enumerate(model.blocks):
            p = f"transformer.h.{i}."
            block.ln_1.weight.copy_(sd[p + "ln_1.weight"])
            block.ln_1.bias.copy_(sd[p + "ln_1.bias"])
            block.ln_2.weight.copy_(sd[p + "ln_2.weight"])
            block.ln_2.bias.copy_(sd[p + "ln_2.bias"])
            w, b = sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]
            for j, proj in enumerate([block.attn.q_proj, block.attn.k_proj, block.attn.v_proj]):
                proj.weight.copy_(w[:, j * E:(j + 1) * E].t())
                pass
            block.attn.o_proj.weight.copy_(sd[p + "attn.c_proj.weight"].t())
            block.attn.o_proj.bias.copy_(sd[p + "attn.c_proj.bias"])
            block.mlp.fc_in.weight.copy_(sd[p + "mlp.c_fc.weight"].t())
            block.mlp.fc_in.bias.copy_(sd[p + "mlp.c_fc.bias"])
            block.mlp.fc_out.weight.copy_(sd[p + "mlp.c_proj.weight"].t())
            block.mlp.fc_out.bias.copy_(sd[p + "mlp.c_proj.bias"])
        model.ln_f.weight.copy_(sd["transformer.ln_f.weight"])
        model.ln_f.bias.copy_(sd["transformer.ln_f.bias"])
'''

# ln_f not copied
_LOAD_NO_LN_F = '''def load_gpt2_weights(model: GPT, hf_state_dict: dict[str, Tensor]) -> None:
    """Copy the weights of a transformers GPT2LMHeadModel (its state_dict) into `model`, in place.

    GPT-2 stores its linear layers as Conv1D with weights of shape (in, out): transpose them for
    nn.Linear, whose weight is (out, in). c_attn holds q, k and v side by side.
    """
    sd = hf_state_dict
    E = model.config.embedding_dim
    with torch.no_grad():
        model.wte.weight.copy_(sd["transformer.wte.weight"])
        model.wpe.weight.copy_(sd["transformer.wpe.weight"])
        for i, block in enumerate(model.blocks):
            p = f"transformer.h.{i}."
            block.ln_1.weight.copy_(sd[p + "ln_1.weight"])
            block.ln_1.bias.copy_(sd[p + "ln_1.bias"])
            block.ln_2.weight.copy_(sd[p + "ln_2.weight"])
            block.ln_2.bias.copy_(sd[p + "ln_2.bias"])
            w, b = sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]
            for j, proj in enumerate([block.attn.q_proj, block.attn.k_proj, block.attn.v_proj]):
                proj.weight.copy_(w[:, j * E:(j + 1) * E].t())
                proj.bias.copy_(b[j * E:(j + 1) * E])
            block.attn.o_proj.weight.copy_(sd[p + "attn.c_proj.weight"].t())
            block.attn.o_proj.bias.copy_(sd[p + "attn.c_proj.bias"])
            block.mlp.fc_in.weight.copy_(sd[p + "mlp.c_fc.weight"].t())
            block.mlp.fc_in.bias.copy_(sd[p + "mlp.c_fc.bias"])
            block.mlp.fc_out.weight.copy_(sd[p + "mlp.c_proj.weight"].t())
            block.mlp.fc_out.bias.copy_(sd[p + "mlp.c_proj.bias"])
'''

# wte gets a new Parameter: lm_head keeps the old one, the tie is broken
_LOAD_BREAKS_TIE = '''def load_gpt2_weights(model: GPT, hf_state_dict: dict[str, Tensor]) -> None:
    """Copy the weights of a transformers GPT2LMHeadModel (its state_dict) into `model`, in place.

    GPT-2 stores its linear layers as Conv1D with weights of shape (in, out): transpose them for
    nn.Linear, whose weight is (out, in). c_attn holds q, k and v side by side.
    """
    sd = hf_state_dict
    E = model.config.embedding_dim
    with torch.no_grad():
        model.wte.weight = nn.Parameter(sd["transformer.wte.weight"].clone())
        model.wpe.weight.copy_(sd["transformer.wpe.weight"])
        for i, block in enumerate(model.blocks):
            p = f"transformer.h.{i}."
            block.ln_1.weight.copy_(sd[p + "ln_1.weight"])
            block.ln_1.bias.copy_(sd[p + "ln_1.bias"])
            block.ln_2.weight.copy_(sd[p + "ln_2.weight"])
            block.ln_2.bias.copy_(sd[p + "ln_2.bias"])
            w, b = sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]
            for j, proj in enumerate([block.attn.q_proj, block.attn.k_proj, block.attn.v_proj]):
                proj.weight.copy_(w[:, j * E:(j + 1) * E].t())
                proj.bias.copy_(b[j * E:(j + 1) * E])
            block.attn.o_proj.weight.copy_(sd[p + "attn.c_proj.weight"].t())
            block.attn.o_proj.bias.copy_(sd[p + "attn.c_proj.bias"])
            block.mlp.fc_in.weight.copy_(sd[p + "mlp.c_fc.weight"].t())
            block.mlp.fc_in.bias.copy_(sd[p + "mlp.c_fc.bias"])
            block.mlp.fc_out.weight.copy_(sd[p + "mlp.c_proj.weight"].t())
            block.mlp.fc_out.bias.copy_(sd[p + "mlp.c_proj.bias"])
        model.ln_f.weight.copy_(sd["transformer.ln_f.weight"])
        model.ln_f.bias.copy_(sd["transformer.ln_f.bias"])
'''

# pops lm_head.weight out of the caller's hf_state_dict
_LOAD_POPS_KEYS = '''def load_gpt2_weights(model: GPT, hf_state_dict: dict[str, Tensor]) -> None:
    """Copy the weights of a transformers GPT2LMHeadModel (its state_dict) into `model`, in place.

    GPT-2 stores its linear layers as Conv1D with weights of shape (in, out): transpose them for
    nn.Linear, whose weight is (out, in). c_attn holds q, k and v side by side.
    """
    sd = hf_state_dict
    sd.pop("lm_head.weight", None)                     # tied, not needed
    E = model.config.embedding_dim
    with torch.no_grad():
        model.wte.weight.copy_(sd["transformer.wte.weight"])
        model.wpe.weight.copy_(sd["transformer.wpe.weight"])
        for i, block in enumerate(model.blocks):
            p = f"transformer.h.{i}."
            block.ln_1.weight.copy_(sd[p + "ln_1.weight"])
            block.ln_1.bias.copy_(sd[p + "ln_1.bias"])
            block.ln_2.weight.copy_(sd[p + "ln_2.weight"])
            block.ln_2.bias.copy_(sd[p + "ln_2.bias"])
            w, b = sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]
            for j, proj in enumerate([block.attn.q_proj, block.attn.k_proj, block.attn.v_proj]):
                proj.weight.copy_(w[:, j * E:(j + 1) * E].t())
                proj.bias.copy_(b[j * E:(j + 1) * E])
            block.attn.o_proj.weight.copy_(sd[p + "attn.c_proj.weight"].t())
            block.attn.o_proj.bias.copy_(sd[p + "attn.c_proj.bias"])
            block.mlp.fc_in.weight.copy_(sd[p + "mlp.c_fc.weight"].t())
            block.mlp.fc_in.bias.copy_(sd[p + "mlp.c_fc.bias"])
            block.mlp.fc_out.weight.copy_(sd[p + "mlp.c_proj.weight"].t())
            block.mlp.fc_out.bias.copy_(sd[p + "mlp.c_proj.bias"])
        model.ln_f.weight.copy_(sd["transformer.ln_f.weight"])
        model.ln_f.bias.copy_(sd["transformer.ln_f.bias"])
'''

# feeds all ids: ValueError once the sequence is longer than the context window
_GEN_NO_CROP = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids)[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, next_id], dim=1)
    return ids

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''

# keeps the first C ids instead of the last C
_GEN_CROP_FIRST = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids[:, :C])[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, next_id], dim=1)
    return ids

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''

# multiplies the logits by the temperature
_GEN_TEMP_MULTIPLIED = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids[:, -C:])[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits * temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, next_id], dim=1)
    return ids

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''

# the generator is not passed: sampling is not reproducible
_GEN_NO_GENERATOR = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids[:, -C:])[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1)
        ids = torch.cat([ids, next_id], dim=1)
    return ids

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''

# top-k keeps only k-1 tokens (top_k=1 gives nan)
_GEN_TOP_K_DROPS_KTH = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids[:, -C:])[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits <= kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, next_id], dim=1)
    return ids

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''

# picks the next token from the logits of the first position
_GEN_FIRST_POSITION = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids[:, -C:])[:, 0, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, next_id], dim=1)
    return ids

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''

# returns from inside the loop after one token
_GEN_RETURNS_EARLY = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids[:, -C:])[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, next_id], dim=1)
        return ids
    return ids

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''

# returns only the new tokens, without the prompt
_GEN_NEW_ONLY = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids[:, -C:])[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, next_id], dim=1)
    return ids[:, token_ids.shape[1]:]

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''

# top-k threshold taken from the largest of the k values, not the k-th: only the argmax survives
_GEN_TOP_K_KEEPS_MAX = '''@torch.no_grad()
def generate(self, token_ids: Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None) -> Tensor:
    """Extend token_ids (B, T) by max_new_tokens tokens, one at a time: (B, T + max_new_tokens).

    Each step feeds the last context_window_size ids to the model and picks the next token from its
    logits at the last position: the argmax when temperature is 0, else a sample from
    softmax(logits / temperature), restricted to the top_k most likely tokens when top_k is given.
    """
    C = self.config.context_window_size
    ids = token_ids
    for _ in range(max_new_tokens):
        logits = self(ids[:, -C:])[:, -1, :]
        if temperature == 0:
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.size(-1))
                kth = torch.topk(logits, k, dim=-1).values[:, :1]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = torch.softmax(logits, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, next_id], dim=1)
    return ids

GPT.generate = generate  # attach the function to the class: model.generate(...) now works
'''


CORRECT = {
    "plain_copy_cat": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT},
    "helper_state_dict_prealloc": {"gpt": _GPT_HELPER, "count_parameters": _COUNT_SUBLAYERS, "load_gpt2_weights": _LOAD_STATE_DICT,
                                   "generate": _GEN_PREALLOC},
    "functional_rename_window": {"gpt": _GPT_FUNCTIONAL, "count_parameters": _COUNT_MODULES, "load_gpt2_weights": _LOAD_RENAME,
                                 "generate": _GEN_WINDOW},
}


WRONG = {
    # Task 1: the model
    "gpt_untied": {"cells": {"gpt": _GPT_UNTIED, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_gpt"], "bug": "lm_head holds a copy of wte's weight, not the same Parameter"},
    "gpt_positions_from_one": {"cells": {"gpt": _GPT_POSITIONS_FROM_ONE, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_gpt"], "bug": "positions 1..T instead of 0..T-1"},
    "gpt_no_ln_f": {"cells": {"gpt": _GPT_NO_LN_F, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_gpt"], "bug": "the final LayerNorm is skipped"},
    "gpt_single_head_blocks": {"cells": {"gpt": _GPT_SINGLE_HEAD, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_gpt"], "bug": "block.attn not replaced by MultiHeadAttention"},
    "gpt_no_embedding_dropout": {"cells": {"gpt": _GPT_NO_EMBEDDING_DROPOUT, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_gpt"], "bug": "no dropout on wte + wpe in training mode"},
    "gpt_blocks_without_dropout": {"cells": {"gpt": _GPT_BLOCKS_NO_DROPOUT, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_gpt"], "bug": "TransformerBlock(E) without config.dropout"},
    "gpt_no_context_check": {"cells": {"gpt": _GPT_NO_CONTEXT_CHECK, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["input-checks"], "bug": "no ValueError for T > context_window_size"},
    "gpt_context_off_by_one": {"cells": {"gpt": _GPT_CONTEXT_OFF_BY_ONE, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["input-checks"], "bug": "T = context_window_size + 1 passes the context check"},
    "gpt_context_assert": {"cells": {"gpt": _GPT_CONTEXT_ASSERT, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["input-checks"], "bug": "T > context_window_size raises AssertionError, not ValueError"},
    # Task 2: counting parameters
    "count_untied": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_UNTIED, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_count_parameters"], "bug": "adds V*E for the tied lm_head"},
    "count_no_ln_f": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_NO_LN_F, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_count_parameters"], "bug": "final LayerNorm (2E) left out"},
    "count_block_without_ln": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_NO_BLOCK_LN, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_count_parameters"], "bug": "12E^2 + 9E per block (LayerNorms forgotten)"},
    "count_no_wpe": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_NO_WPE, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_count_parameters"], "bug": "position embedding (C*E) left out"},
    "count_builds_model": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_BUILDS_MODEL, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CAT}, "loses": ["test_count_parameters"], "bug": "builds GPT(config) and counts, instead of the formula the notebook asks for"},
    # Task 3: loading GPT-2's weights
    "load_o_proj_not_transposed": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_O_PROJ_NOT_T, "generate": _GEN_CAT}, "loses": ["test_load_gpt2_weights"], "bug": "c_proj copied into o_proj without the transpose"},
    "load_qkv_reshaped": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_QKV_RESHAPE, "generate": _GEN_CAT}, "loses": ["test_load_gpt2_weights"], "bug": "c_attn.weight reshaped to (3E, E) instead of transposed"},
    "load_no_attn_bias": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_NO_ATTN_BIAS, "generate": _GEN_CAT}, "loses": ["test_load_gpt2_weights"], "bug": "q/k/v biases not copied"},
    "load_no_ln_f": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_NO_LN_F, "generate": _GEN_CAT}, "loses": ["test_load_gpt2_weights"], "bug": "ln_f not copied"},
    "load_breaks_tie": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_BREAKS_TIE, "generate": _GEN_CAT}, "loses": ["test_load_gpt2_weights"], "bug": "replaces wte.weight by a new Parameter: lm_head no longer tied"},
    "load_pops_keys": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_POPS_KEYS, "generate": _GEN_CAT}, "loses": ["test_load_gpt2_weights"], "bug": "removes lm_head.weight from the caller's hf_state_dict"},
    # Task 4: generation
    "gen_no_crop": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_NO_CROP}, "loses": ["test_generate"], "bug": "does not crop to the last context_window_size ids"},
    "gen_crop_first": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_CROP_FIRST}, "loses": ["test_generate"], "bug": "crops to the first C ids"},
    "gen_temperature_multiplied": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_TEMP_MULTIPLIED}, "loses": ["test_generate"], "bug": "logits * temperature"},
    "gen_no_generator": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_NO_GENERATOR}, "loses": ["test_generate"], "bug": "generator not passed to torch.multinomial"},
    "gen_top_k_drops_kth": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_TOP_K_DROPS_KTH}, "loses": ["test_generate"], "bug": "logits <= kth removed: k-1 tokens left (nan for top_k=1)"},
    "gen_first_position": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_FIRST_POSITION}, "loses": ["test_generate"], "bug": "logits of position 0 instead of the last"},
    "gen_returns_early": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_RETURNS_EARLY}, "loses": ["test_generate"], "bug": "return inside the loop: one new token only"},
    "gen_top_k_keeps_max": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_TOP_K_KEEPS_MAX}, "loses": ["test_generate"], "bug": "threshold is the largest top-k value: sampling becomes greedy"},
    "gen_new_tokens_only": {"cells": {"gpt": _GPT_PLAIN, "count_parameters": _COUNT_FORMULA, "load_gpt2_weights": _LOAD_COPY, "generate": _GEN_NEW_ONLY}, "loses": ["test_generate"], "bug": "returns only the new tokens, not prompt + new"},
}
