"""Implementations of 3_4 as students might write them: dicts with GPT (generate attached),
GPTConfig, load_gpt2_weights and count_parameters. WRONG names the check that must catch each one
and the checks that must still pass."""

import dataclasses

import torch
import torch.nn.functional as F
from torch import nn

from solutions import decoder as reference
from solutions.multi_head_attention import MultiHeadAttention
from solutions.transformer_block import TransformerBlock

GPT, LOAD, GENERATE, COUNT, INPUTS = ("check_gpt", "check_load_gpt2_weights", "check_generate", "check_count_parameters",
                                     "check_input_checks")


def implementation(**changes):
    impl = {"GPT": reference.GPT, "GPTConfig": reference.GPTConfig, "load_gpt2_weights": reference.load_gpt2_weights,
            "count_parameters": reference.count_parameters}
    impl.update(changes)
    return impl


# ------------------------------------------------------------------ correct, written differently


@dataclasses.dataclass(frozen=True)
class FrozenConfig:
    vocab_size: int = 50257
    context_window_size: int = 1024
    embedding_dim: int = 768
    num_heads: int = 12
    num_layers: int = 12
    dropout: float = 0.0


class OtherGPT(nn.Module):
    """Keeps the config as fields, builds blocks in a comprehension, unembeds with F.linear on wte,
    samples through log-softmax and a cumulative-sum draw."""

    def __init__(self, config):
        super().__init__()
        self.C, self.p = config.context_window_size, config.dropout
        E = config.embedding_dim
        self.wte, self.wpe = nn.Embedding(config.vocab_size, E), nn.Embedding(self.C, E)

        def block():
            b = TransformerBlock(E, 1, self.p)
            b.attn = MultiHeadAttention(E, config.num_heads, dropout=self.p)
            return b
        self.blocks = nn.ModuleList([block() for _ in range(config.num_layers)])
        self.ln_f = nn.LayerNorm(E)
        self.lm_head = nn.Linear(E, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids):
        B, T = token_ids.shape
        if T > self.C:
            raise ValueError("sequence longer than the context window")
        x = F.dropout(self.wte(token_ids) + self.wpe.weight[:T].unsqueeze(0), self.p, self.training)
        for b in self.blocks:
            x = b(x)
        return F.linear(self.ln_f(x), self.wte.weight)

    def generate(self, token_ids, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        out = token_ids
        for _ in range(max_new_tokens):
            with torch.no_grad():
                logits = self(out[:, -self.C:])[:, -1].double()
            if temperature == 0:
                nxt = logits.argmax(-1)
            else:
                if top_k is not None:
                    values, _ = logits.topk(min(top_k, logits.size(-1)))
                    logits = torch.where(logits >= values[:, -1:], logits, torch.tensor(float("-inf"), dtype=logits.dtype))
                probs = F.log_softmax(logits / temperature, -1).exp()
                u = torch.rand(probs.size(0), 1, generator=generator, dtype=probs.dtype)
                nxt = (probs.cumsum(-1) < u).sum(-1).clamp(max=probs.size(-1) - 1)
                nxt = torch.where(probs.gather(1, nxt[:, None])[:, 0] > 0, nxt, logits.argmax(-1))
            out = torch.cat([out, nxt[:, None]], 1)
        return out


def load_via_state_dict(model, hf_state_dict):
    """Builds a full state dict with a regex-free rename and calls load_state_dict."""
    new = {}
    for key, value in hf_state_dict.items():
        name = key.replace("transformer.", "").replace("h.", "blocks.", 1) if key.startswith("transformer.h.") else key.replace("transformer.", "")
        if name.endswith("attn.c_attn.weight") or name.endswith("attn.c_attn.bias"):
            stem, kind = name.rsplit(".c_attn.", 1)
            parts = (value.t() if kind == "weight" else value).split(value.shape[-1] // 3, dim=0)
            for proj, part in zip(("q_proj", "k_proj", "v_proj"), parts):
                new[f"{stem}.{proj}.{kind}"] = part.clone()
            continue
        for theirs, ours in (("attn.c_proj", "attn.o_proj"), ("mlp.c_fc", "mlp.fc_in"), ("mlp.c_proj", "mlp.fc_out")):
            if f".{theirs}." in name:
                name = name.replace(theirs, ours)
                value = value.t() if name.endswith("weight") else value
        new[name] = value.clone()
    model.load_state_dict(new, strict=False)


def count_by_parts(config):
    E = config.embedding_dim
    block = sum([4 * E * E + 4 * E, 8 * E * E + 5 * E, 4 * E])
    return (config.vocab_size + config.context_window_size) * E + config.num_layers * block + 2 * E


CORRECT = {
    "reference": implementation(),
    "written_differently": implementation(GPT=OtherGPT, GPTConfig=FrozenConfig, load_gpt2_weights=load_via_state_dict,
                                          count_parameters=count_by_parts),
}

# ---------------------------------------------------------------------------------- wrong


class UntiedGPT(reference.GPT):
    def __init__(self, config):
        super().__init__(config)
        self.lm_head = nn.Linear(config.embedding_dim, config.vocab_size, bias=False)


class PositionsFromOne(reference.GPT):
    """Makes room for position C by one more row, and indexes positions 1..T."""

    def __init__(self, config):
        super().__init__(config)
        self.wpe = nn.Embedding(config.context_window_size + 1, config.embedding_dim)

    def forward(self, token_ids):
        T = token_ids.size(1)
        if T > self.config.context_window_size:
            raise ValueError("too long")
        x = self.wte(token_ids) + self.wpe(torch.arange(1, T + 1))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def load_without_transposing(model, hf_state_dict):
    """Copies Conv1D weights as they are; reshapes c_attn's (E, 3E) into three (E, E) blocks."""
    sd = {k.removeprefix("transformer."): v for k, v in hf_state_dict.items()}
    with torch.no_grad():
        model.wte.weight.copy_(sd["wte.weight"])
        model.wpe.weight.copy_(sd["wpe.weight"])
        model.ln_f.weight.copy_(sd["ln_f.weight"])
        model.ln_f.bias.copy_(sd["ln_f.bias"])
        for i, block in enumerate(model.blocks):
            h = f"h.{i}."
            for ln in ("ln_1", "ln_2"):
                getattr(block, ln).weight.copy_(sd[h + ln + ".weight"])
                getattr(block, ln).bias.copy_(sd[h + ln + ".bias"])
            w, b = sd[h + "attn.c_attn.weight"], sd[h + "attn.c_attn.bias"]
            for proj, wp, bp in zip((block.attn.q_proj, block.attn.k_proj, block.attn.v_proj), w.chunk(3, dim=1), b.chunk(3)):
                proj.weight.copy_(wp)
                proj.bias.copy_(bp)
            for ours, theirs in ((block.attn.o_proj, "attn.c_proj"), (block.mlp.fc_in, "mlp.c_fc"), (block.mlp.fc_out, "mlp.c_proj")):
                ours.weight.copy_(sd[h + theirs + ".weight"].reshape(ours.weight.shape))
                ours.bias.copy_(sd[h + theirs + ".bias"])


def _generate_variant(one_token=False, crop=True, temperature_ignored=False, global_rng=False, top_k_threshold="kth"):
    class Variant(reference.GPT):
        @torch.no_grad()
        def generate(self, token_ids, max_new_tokens, temperature=1.0, top_k=None, generator=None):
            ids = token_ids
            for _ in range(max_new_tokens):
                context = ids[:, -self.config.context_window_size:] if crop else ids
                logits = self(context)[:, -1]
                if temperature == 0:
                    nxt = logits.argmax(-1, keepdim=True)
                else:
                    logits = logits if temperature_ignored else logits / temperature
                    if top_k is not None:
                        kth = logits.topk(min(top_k, logits.size(-1))).values[:, -1:]
                        if top_k_threshold == "max":  # the largest value as threshold: only the argmax is kept
                            kth = logits.max(-1, keepdim=True).values
                        logits = logits.masked_fill(logits < kth, float("-inf"))
                    nxt = torch.multinomial(logits.softmax(-1), 1, generator=None if global_rng else generator)
                ids = torch.cat([ids, nxt], 1)
                if one_token:
                    return ids  # the original notebook's bug: return inside the loop
            return ids
    return Variant


class NoContextCheck(reference.GPT):
    """The right model, but more tokens than the context window are not rejected: wpe fails with IndexError."""

    def forward(self, token_ids):
        x = self.drop(self.wte(token_ids) + self.wpe(torch.arange(token_ids.size(1))))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def _dropout_variant(embeddings=True, blocks=True, attention=True):
    """The reference GPT with dropout left out of some of the places the notebook names."""
    class Variant(reference.GPT):
        def __init__(self, config):
            super().__init__(config)
            p = config.dropout
            if not embeddings:
                self.drop = nn.Dropout(0.0)
            for block in self.blocks:
                block.dropout = nn.Dropout(p if blocks else 0.0)
                block.attn.dropout = p if attention else 0.0
    return Variant


def count_by_building(config):
    """Counts the parameters of a model it builds, not by formula as the task asks."""
    return sum(p.numel() for p in reference.GPT(config).parameters())


def count_untied(config):
    return reference.count_parameters(config) + config.vocab_size * config.embedding_dim


# name -> (implementation, the check that must fail, the checks that must still pass)
WRONG = {
    "untied_unembedding": (implementation(GPT=UntiedGPT), GPT, (LOAD, GENERATE, COUNT)),
    "positions_from_one": (implementation(GPT=PositionsFromOne), GPT, (LOAD, GENERATE, COUNT)),
    "no_embedding_dropout": (implementation(GPT=_dropout_variant(embeddings=False)), GPT, (LOAD, GENERATE, COUNT, INPUTS)),
    "blocks_without_dropout": (implementation(GPT=_dropout_variant(blocks=False)), GPT, (LOAD, GENERATE, COUNT, INPUTS)),
    "attention_without_dropout": (implementation(GPT=_dropout_variant(attention=False)), GPT, (LOAD, GENERATE, COUNT, INPUTS)),
    "conv1d_not_transposed": (implementation(load_gpt2_weights=load_without_transposing), LOAD, (GPT, GENERATE, COUNT)),
    "generate_returns_after_one_token": (implementation(GPT=_generate_variant(one_token=True)), GENERATE, (GPT, LOAD, COUNT)),
    "generate_does_not_crop": (implementation(GPT=_generate_variant(crop=False)), GENERATE, (GPT, LOAD, COUNT)),
    "temperature_ignored": (implementation(GPT=_generate_variant(temperature_ignored=True)), GENERATE, (GPT, LOAD, COUNT)),
    "sampling_ignores_generator": (implementation(GPT=_generate_variant(global_rng=True)), GENERATE, (GPT, LOAD, COUNT)),
    "top_k_keeps_only_the_max": (implementation(GPT=_generate_variant(top_k_threshold="max")), GENERATE, (GPT, LOAD, COUNT)),
    "count_builds_the_model": (implementation(count_parameters=count_by_building), COUNT, (GPT, LOAD, GENERATE, INPUTS)),
    "count_untied_lm_head": (implementation(count_parameters=count_untied), COUNT, (GPT, LOAD, GENERATE, INPUTS)),
    # the input check (Task 5) is a part of its own: a missing ValueError costs that part only
    "no_context_check": (implementation(GPT=NoContextCheck), INPUTS, (GPT, LOAD, GENERATE, COUNT)),
}
