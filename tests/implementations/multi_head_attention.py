"""Implementations of 3_3 as students might write them: triples (split_heads, merge_heads,
MultiHeadAttention). WRONG names the check that must catch each one and the checks that must pass."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from solutions import multi_head_attention as reference

# ------------------------------------------------------------------ correct, written differently


def split_by_permute(x, num_heads):
    B, T, E = x.shape
    if num_heads <= 0 or E % num_heads:
        raise ValueError("E must be divisible by num_heads")
    return x.reshape(B, T, num_heads, -1).permute(0, 2, 1, 3)


def merge_by_cat(x):
    return torch.cat(x.unbind(dim=1), dim=-1)


class LoopOverHeads(nn.Module):
    """One head at a time, scores by einsum, results concatenated; computes in float64."""

    def __init__(self, embedding_dim, num_heads, dropout=0.0):
        super().__init__()
        if min(embedding_dim, num_heads) <= 0 or embedding_dim % num_heads:
            raise ValueError("embedding_dim must be a positive multiple of num_heads")
        self.h, self.p = num_heads, dropout
        self.q_proj, self.k_proj = nn.Linear(embedding_dim, embedding_dim), nn.Linear(embedding_dim, embedding_dim)
        self.v_proj, self.o_proj = nn.Linear(embedding_dim, embedding_dim), nn.Linear(embedding_dim, embedding_dim)

    def forward(self, x):
        T, D = x.size(1), x.size(2) // self.h
        q, k, v = (p(x).double() for p in (self.q_proj, self.k_proj, self.v_proj))
        future = torch.ones(T, T, dtype=torch.bool).triu(1)
        outs = []
        for h in range(self.h):
            s = slice(h * D, (h + 1) * D)
            scores = torch.einsum("btd,bsd->bts", q[..., s], k[..., s]) / math.sqrt(D)
            weights = torch.softmax(scores.masked_fill(future, float("-inf")), -1)
            outs.append(F.dropout(weights, self.p, self.training) @ v[..., s])
        return self.o_proj(torch.cat(outs, -1).float())


CORRECT = {
    "reference": (reference.split_heads, reference.merge_heads, reference.MultiHeadAttention),
    "permute_cat_loop": (split_by_permute, merge_by_cat, LoopOverHeads),
}

# ---------------------------------------------------------------------------------- wrong


def split_without_transpose(x, num_heads):
    B, T, E = x.shape
    if E % num_heads:
        raise ValueError("E must be divisible by num_heads")
    return x.reshape(B, num_heads, T, E // num_heads)


def merge_wrong_order(x):
    B, H, T, D = x.shape
    return x.permute(0, 2, 3, 1).reshape(B, T, H * D)  # feature-major: d * H + h instead of h * D + d


def split_no_value_error(x, num_heads):
    B, T, E = x.shape
    return x.reshape(B, T, num_heads, -1).transpose(1, 2)


def _mha(split=reference.split_heads, merge=reference.merge_heads, scale=None, causal=True, validate=True,
         dropout="training"):
    """validate: True (the reference's checks), False (none) or "divisible" (only E % num_heads, so that
    num_heads=0 is a ZeroDivisionError and negative sizes pass); dropout: "training" (dropout_p while
    self.training), "always" (in eval mode too) or "never"."""
    class MHA(reference.MultiHeadAttention):
        def __init__(self, embedding_dim, num_heads, dropout=0.0):
            if validate == "divisible" and embedding_dim % num_heads:
                raise ValueError("embedding_dim must be divisible by num_heads")
            if validate is True:
                super().__init__(embedding_dim, num_heads, dropout)
            else:
                nn.Module.__init__(self)
                self.num_heads, self.dropout = num_heads, dropout
                for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
                    setattr(self, name, nn.Linear(embedding_dim, embedding_dim))

        def forward(self, x):
            q, k, v = (split(p(x), self.num_heads) for p in (self.q_proj, self.k_proj, self.v_proj))
            p = {"training": self.dropout if self.training else 0.0, "always": self.dropout, "never": 0.0}[dropout]
            y = F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale and scale(x), dropout_p=p)
            return self.o_proj(merge(y))
    return MHA


class OutputDropoutMHA(reference.MultiHeadAttention):
    """Dropout on the merged heads' output, value by value, instead of on the attention weights."""

    def forward(self, x):
        q, k, v = (reference.split_heads(p(x), self.num_heads) for p in (self.q_proj, self.k_proj, self.v_proj))
        y = reference.merge_heads(F.scaled_dot_product_attention(q, k, v, is_causal=True))
        return self.o_proj(F.dropout(y, self.dropout, self.training))


R = reference
SPLIT, MHA, INPUTS = "check_split_merge_heads", "check_multi_head_attention", "check_input_checks"

# name -> (triple, the check that must fail, the checks that must still pass)
WRONG = {
    # the student's helper is wrong and their module uses it: both parts are lost
    "split_heads_reshape_without_transpose": (
        (split_without_transpose, R.merge_heads, _mha(split=split_without_transpose)), SPLIT, ()),
    "merge_heads_wrong_order": ((R.split_heads, merge_wrong_order, _mha(merge=merge_wrong_order)), SPLIT, ()),
    # the helpers are right but the module splits or merges on its own, wrongly
    "module_splits_without_transpose": ((R.split_heads, R.merge_heads, _mha(split=split_without_transpose)), MHA, (SPLIT,)),
    "module_merges_in_wrong_order": ((R.split_heads, R.merge_heads, _mha(merge=merge_wrong_order)), MHA, (SPLIT,)),
    "scaled_by_embedding_dim": ((R.split_heads, R.merge_heads, _mha(scale=lambda x: x.size(-1) ** -0.5)), MHA, (SPLIT,)),
    "not_causal": ((R.split_heads, R.merge_heads, _mha(causal=False)), MHA, (SPLIT,)),
    "dropout_in_eval_mode": ((R.split_heads, R.merge_heads, _mha(dropout="always")), MHA, (SPLIT, INPUTS)),
    "dropout_never_applied": ((R.split_heads, R.merge_heads, _mha(dropout="never")), MHA, (SPLIT, INPUTS)),
    "dropout_on_the_output": ((R.split_heads, R.merge_heads, OutputDropoutMHA), MHA, (SPLIT, INPUTS)),
    # the input checks (Task 3) are a part of their own: a missing ValueError costs that part only
    "no_value_error": ((split_no_value_error, R.merge_heads, _mha(split=split_no_value_error, validate=False)), INPUTS,
                       (SPLIT, MHA)),
    "only_divisibility_checked": ((R.split_heads, R.merge_heads, _mha(validate="divisible")), INPUTS, (SPLIT, MHA)),
}
