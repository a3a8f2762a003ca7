"""Implementations of 3_2's three classes, as students might write them.

Each entry of CORRECT and WRONG is a triple (AttentionHead, MLP, TransformerBlock). WRONG also names
the check that must catch it and the checks that must still pass.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from solutions import transformer_block as reference

# ------------------------------------------------------------------ correct, written differently


class EinsumHead(nn.Module):
    """Attention written out with einsum, a mask buffer of its own and a manual softmax."""

    def __init__(self, embedding_dim):
        super().__init__()
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            setattr(self, name, nn.Linear(embedding_dim, embedding_dim))
        self.register_buffer("mask", torch.ones(64, 64, dtype=torch.bool).tril(), persistent=False)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        T = x.size(1)
        scores = torch.einsum("bte,bse->bts", q, k) / math.sqrt(x.size(-1))
        scores = scores.masked_fill(~self.mask[:T, :T], float("-inf"))
        w = (scores - scores.amax(-1, keepdim=True)).exp()
        return self.o_proj(torch.einsum("bts,bse->bte", w / w.sum(-1, keepdim=True), v))


class FunctionalMLP(nn.Module):
    """Writes the tanh GELU formula by hand."""

    def __init__(self, embedding_dim, expansion=4):
        super().__init__()
        self.fc_in = nn.Linear(embedding_dim, expansion * embedding_dim)
        self.fc_out = nn.Linear(expansion * embedding_dim, embedding_dim)

    def forward(self, x):
        h = self.fc_in(x)
        h = 0.5 * h * (1 + torch.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h**3)))
        return self.fc_out(h)


class TwoStepBlock(nn.Module):
    """Names the intermediate stream and uses F.layer_norm through the modules' parameters."""

    def __init__(self, embedding_dim, num_heads=1, dropout=0.0):
        super().__init__()
        if num_heads != 1:
            raise ValueError(f"one head only, got num_heads={num_heads}")
        self.ln_1, self.ln_2 = nn.LayerNorm(embedding_dim), nn.LayerNorm(embedding_dim)
        self.attn, self.mlp = EinsumHead(embedding_dim), FunctionalMLP(embedding_dim)
        self.p = dropout

    def forward(self, x):
        ln = lambda m, t: F.layer_norm(t, m.normalized_shape, m.weight, m.bias, m.eps)  # noqa: E731
        drop = lambda t: F.dropout(t, self.p, self.training)  # noqa: E731
        after_attention = x + drop(self.attn(ln(self.ln_1, x)))
        return after_attention + drop(self.mlp(ln(self.ln_2, after_attention)))


CORRECT = {
    "reference": (reference.AttentionHead, reference.MLP, reference.TransformerBlock),
    "einsum_functional": (EinsumHead, FunctionalMLP, TwoStepBlock),
}

# ---------------------------------------------------------------------------------- wrong


class ExactGeluMLP(reference.MLP):
    def forward(self, x):
        return self.fc_out(F.gelu(self.fc_in(x)))


class NotCausalHead(reference.AttentionHead):
    def forward(self, x):
        return self.o_proj(F.scaled_dot_product_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x)))


class NoBiasHead(reference.AttentionHead):
    def __init__(self, embedding_dim):
        super().__init__(embedding_dim)
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            setattr(self, name, nn.Linear(embedding_dim, embedding_dim, bias=False))


class PostLNBlock(reference.TransformerBlock):
    def forward(self, x):
        x = self.ln_1(x + self.attn(x))
        return self.ln_2(x + self.mlp(x))


class NoMLPResidualBlock(reference.TransformerBlock):
    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return self.mlp(self.ln_2(x))


class SharedLayerNormBlock(reference.TransformerBlock):
    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_1(x))


class StreamDropoutBlock(reference.TransformerBlock):
    """Dropout on the stream after each addition, dropout(x + sublayer), not on the sublayer's output."""

    def forward(self, x):
        x = self.dropout(x + self.attn(self.ln_1(x)))
        return self.dropout(x + self.mlp(self.ln_2(x)))


class NoDropoutBlock(reference.TransformerBlock):
    """The dropout argument is ignored: no dropout in training mode."""

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class EvalDropoutBlock(reference.TransformerBlock):
    """F.dropout with its default training=True: dropout in eval mode too."""

    def forward(self, x):
        x = x + F.dropout(self.attn(self.ln_1(x)), self.dropout.p)
        return x + F.dropout(self.mlp(self.ln_2(x)), self.dropout.p)


class SeveralHeadsAcceptedBlock(reference.TransformerBlock):
    """The right block, but num_heads is ignored instead of rejected: TransformerBlock(8, num_heads=2) runs one head."""

    def __init__(self, embedding_dim, num_heads=1, dropout=0.0):
        super().__init__(embedding_dim, 1, dropout)


HEAD, MLP, BLOCK, INPUTS = "check_attention_head", "check_mlp", "check_transformer_block", "check_input_checks"
R = reference

# name -> (triple, the check that must fail, the checks that must still pass)
WRONG = {
    "post_layer_norm": ((R.AttentionHead, R.MLP, PostLNBlock), BLOCK, (HEAD, MLP)),
    "exact_gelu": ((R.AttentionHead, ExactGeluMLP, R.TransformerBlock), MLP, (HEAD, BLOCK)),
    "missing_mlp_residual": ((R.AttentionHead, R.MLP, NoMLPResidualBlock), BLOCK, (HEAD, MLP)),
    "attention_not_causal": ((NotCausalHead, R.MLP, R.TransformerBlock), HEAD, (MLP, BLOCK)),
    "projections_without_bias": ((NoBiasHead, R.MLP, R.TransformerBlock), HEAD, (MLP,)),
    "ln_1_used_twice": ((R.AttentionHead, R.MLP, SharedLayerNormBlock), BLOCK, (HEAD, MLP, INPUTS)),
    "dropout_on_the_stream": ((R.AttentionHead, R.MLP, StreamDropoutBlock), BLOCK, (HEAD, MLP, INPUTS)),
    "dropout_ignored": ((R.AttentionHead, R.MLP, NoDropoutBlock), BLOCK, (HEAD, MLP, INPUTS)),
    "dropout_in_eval_mode": ((R.AttentionHead, R.MLP, EvalDropoutBlock), BLOCK, (HEAD, MLP, INPUTS)),
    # the input check (Task 4) is a part of its own: a missing ValueError costs that part only
    "several_heads_accepted": ((R.AttentionHead, R.MLP, SeveralHeadsAcceptedBlock), INPUTS, (HEAD, MLP, BLOCK)),
}
