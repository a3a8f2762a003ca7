"""Implementations of 4_2's dropout, attention_with_dropout and DropoutGPT, as students might write them.

CORRECT maps a name to {"dropout", "attention_with_dropout", "DropoutGPT"}, written differently from
the reference. WRONG maps a name to (those three, the check that must catch it, the checks that must
still pass), so that a bug costs its part's points and no others.
"""

import math

import torch
import torch.nn.functional as F

from solutions import dropout as reference
from solutions.decoder import GPT
from solutions.multi_head_attention import merge_heads, split_heads


# ------------------------------------------------------------------ dropout

def _check_p(p):
    if p < 0 or p >= 1:
        raise ValueError("p must be in [0, 1)")


def dropout_bernoulli(x, p, training):
    """torch.bernoulli mask, multiplied by a precomputed scale, in float64 then cast back."""
    _check_p(p)
    if not training:
        return x
    mask = torch.bernoulli(torch.full_like(x, 1 - p, dtype=torch.float64))
    return (x.double() * mask * (1.0 / (1 - p))).to(x.dtype)


def dropout_where(x, p, training):
    """torch.where on a uniform draw; p = 0 goes through the general path."""
    _check_p(p)
    if training:
        return torch.where(torch.rand(x.shape, dtype=x.dtype) < 1 - p, x / (1 - p), torch.zeros_like(x))
    return x.clone()


def _dropout(scale=True, in_eval=False, validate=True, bernoulli_p=False):
    def dropout(x, p, training):
        if validate:
            _check_p(p)
        if not (training or in_eval) or p == 0:
            return x
        keep = (torch.rand_like(x) < p) if bernoulli_p else (torch.rand_like(x) >= p)
        return x * keep / (1 - p) if scale else x * keep
    return dropout


def dropout_torch(x, p, training):
    return F.dropout(x, p, training)


def dropout_in_place(x, p, training):
    _check_p(p)
    if training and p > 0:
        x.mul_(torch.rand_like(x) >= p).div_(1 - p)
    return x


def dropout_shared_by_neighbours(x, p, training):
    """One Bernoulli draw per pair of neighbouring values: the right fraction, not independent."""
    _check_p(p)
    if not training or p == 0:
        return x
    flat = x.reshape(-1)
    keep = (torch.rand((flat.numel() + 1) // 2) >= p).repeat_interleave(2)[:flat.numel()]
    return (flat * keep / (1 - p)).view_as(x)


# ------------------------------------------------------------------ attention

def _qkv(attn, x):
    return (split_heads(attn.q_proj(x), attn.num_heads), split_heads(attn.k_proj(x), attn.num_heads),
            split_heads(attn.v_proj(x), attn.num_heads))


def attention_sdpa(attn, x, p, training):
    """torch's SDPA with dropout_p, as 3.3's module does."""
    q, k, v = _qkv(attn, x)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=p if training else 0.0)
    return attn.o_proj(merge_heads(y))


def attention_einsum(attn, x, p, training, drop=None):
    """einsum scores, a float bias mask, the module's own forward when no dropout is needed."""
    if not training or p == 0:
        return attn(x)
    q, k, v = _qkv(attn, x)
    T = x.size(1)
    scores = torch.einsum("bhtd,bhsd->bhts", q, k) * q.size(-1) ** -0.5
    bias = torch.full((T, T), float("-inf")).triu(1)
    weights = (drop or reference.dropout)(torch.softmax(scores + bias, dim=-1), p, training)
    return attn.o_proj(merge_heads(torch.einsum("bhts,bhsd->bhtd", weights, v)))


def _attention(when="training", where="weights"):
    def attention(attn, x, p, training):
        q, k, v = _qkv(attn, x)
        active = training or when == "always"
        if where == "weights":
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=p if active else 0.0)
            return attn.o_proj(merge_heads(y))
        y = attn.o_proj(merge_heads(F.scaled_dot_product_attention(q, k, v, is_causal=True)))
        return reference.dropout(y, p, active) if where == "output" else y
    return attention


def attention_dropout_before_softmax(attn, x, p, training):
    """Drops scores (before the softmax) instead of weights."""
    q, k, v = _qkv(attn, x)
    T = x.size(1)
    scores = reference.dropout(q @ k.transpose(-2, -1) / math.sqrt(q.size(-1)), p, training)
    scores = scores.masked_fill(~torch.ones(T, T, dtype=torch.bool).tril(), float("-inf"))
    return attn.o_proj(merge_heads(torch.softmax(scores, -1) @ v))


# ------------------------------------------------------------------ DropoutGPT

def make_gpt(drop=reference.dropout, attention=None, embeddings=True, attn_branch=True, mlp_branch=True,
             eval_too=False, use_modules=False, context_check=True):
    """A DropoutGPT whose forward uses `drop` and `attention`; each flag removes or bends one thing."""
    attention = attention or reference.attention_with_dropout

    class DropoutGPT(reference.DropoutGPT):
        def forward(self, token_ids):
            T = token_ids.size(-1)
            if context_check and T > self.config.context_window_size:
                raise ValueError("too long")
            p, training = self.config.dropout, self.training or eval_too
            x = self.wte(token_ids) + self.wpe(torch.arange(T))
            if embeddings:
                x = drop(x, p, training)
            for block in self.blocks:
                if use_modules:   # 3.3's module with its own dropout switched on for the duration
                    block.attn.dropout = p
                    block.attn.train(training)
                    a = block.attn(block.ln_1(x))
                    block.attn.dropout = 0.0
                else:
                    a = attention(block.attn, block.ln_1(x), p, training)
                x = x + (drop(a, p, training) if attn_branch else a)
                m = block.mlp(block.ln_2(x))
                x = x + (drop(m, p, training) if mlp_branch else m)
            return self.lm_head(self.ln_f(x))

    return DropoutGPT


class GPTWithOwnLayers(GPT):
    """Keeps 3.4's dropout layers on (nn.Dropout and SDPA's dropout_p) instead of writing them: a correct
    model all the same."""

    def __init__(self, config):
        super().__init__(config)


def _impl(dropout=reference.dropout, attention=reference.attention_with_dropout, gpt=reference.DropoutGPT):
    return {"dropout": dropout, "attention_with_dropout": attention, "DropoutGPT": gpt}


REFERENCE = _impl()
CORRECT = {
    "reference": REFERENCE,
    "bernoulli_sdpa_modules": _impl(dropout_bernoulli, attention_sdpa, make_gpt(dropout_bernoulli, use_modules=True)),
    "where_einsum": _impl(dropout_where, lambda a, x, p, t: attention_einsum(a, x, p, t, dropout_where),
                          make_gpt(dropout_where, lambda a, x, p, t: attention_einsum(a, x, p, t, dropout_where))),
    "gpt_with_3_4_dropout_layers": _impl(gpt=GPTWithOwnLayers),
}

DROPOUT, ATTENTION = "check_dropout", "check_attention_with_dropout"
GPT_EVAL, GPT_TRAIN = "check_dropout_gpt_eval", "check_dropout_gpt_training"
INPUTS = "check_input_checks"
ALL = (DROPOUT, ATTENTION, GPT_EVAL, GPT_TRAIN, INPUTS)


def _wrong(part, **changed):
    return (_impl(**changed), part, tuple(c for c in ALL if c != part))


WRONG = {
    # dropout
    "dropout_without_rescaling": _wrong(DROPOUT, dropout=_dropout(scale=False)),
    "dropout_active_in_eval_mode": _wrong(DROPOUT, dropout=_dropout(in_eval=True)),
    "dropout_keeps_with_probability_p": _wrong(DROPOUT, dropout=_dropout(bernoulli_p=True)),
    # the input checks (Task 4) are a part of their own: a missing ValueError costs that part only
    "dropout_accepts_p_1": _wrong(INPUTS, dropout=_dropout(validate=False)),
    "gpt_without_context_check": _wrong(INPUTS, gpt=make_gpt(context_check=False)),
    # torch's dropout also accepts p = 1, so it loses the input checks as well
    "dropout_calls_torch": (_impl(dropout=dropout_torch), DROPOUT, (ATTENTION, GPT_EVAL, GPT_TRAIN)),
    "dropout_in_place": _wrong(DROPOUT, dropout=dropout_in_place),
    "dropout_shared_by_neighbours": _wrong(DROPOUT, dropout=dropout_shared_by_neighbours),
    # attention
    "attention_dropout_applied_at_eval": _wrong(ATTENTION, attention=_attention(when="always")),
    "attention_dropout_on_the_output": _wrong(ATTENTION, attention=_attention(where="output")),
    "attention_without_dropout": _wrong(ATTENTION, attention=_attention(where="none")),
    "attention_dropout_before_softmax": _wrong(ATTENTION, attention=attention_dropout_before_softmax),
    # the GPT
    "gpt_dropout_active_in_eval_mode": _wrong(GPT_EVAL, gpt=make_gpt(eval_too=True)),
    "gpt_attention_dropout_applied_at_eval": _wrong(GPT_EVAL, gpt=make_gpt(attention=_attention(when="always"))),
    "gpt_without_embedding_dropout": _wrong(GPT_TRAIN, gpt=make_gpt(embeddings=False)),
    "gpt_without_attention_branch_dropout": _wrong(GPT_TRAIN, gpt=make_gpt(attn_branch=False)),
    "gpt_without_mlp_branch_dropout": _wrong(GPT_TRAIN, gpt=make_gpt(mlp_branch=False)),
    "gpt_without_attention_weight_dropout": _wrong(GPT_TRAIN, gpt=make_gpt(attention=_attention(where="none"))),
    "gpt_without_any_dropout": _wrong(GPT_TRAIN, gpt=make_gpt(drop=lambda x, p, t: x, attention=_attention(where="none"))),
}
