"""Implementations of 5_2's functions, as students might write them.

An implementation is a dict {freeze_attention, count_parameters, make_optimizer}. CORRECT ones are
written differently from the reference; each WRONG one replaces one function of the reference and
names the check that must catch it and the checks that must still pass.
"""

import collections

import torch

from solutions import freeze_weights as reference

REFERENCE = {
    "freeze_attention": reference.freeze_attention,
    "count_parameters": reference.count_parameters,
    "make_optimizer": reference.make_optimizer,
}
PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


# ------------------------------------------------------------------ correct, written differently

def freeze_by_name(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")):
    """Matches parameter names instead of walking modules; returns the model."""
    n = model.config.num_layers
    if any(i not in range(n) for i in layer_indices) or any(p not in PARTS for p in parts):
        raise ValueError("bad layer index or part")
    prefixes = tuple(f"transformer.h.{i}.attn.attention.{p}." for i in layer_indices for p in parts)
    for name, p in model.named_parameters():
        if name.startswith(prefixes):
            p.requires_grad = False
    return model


def count_by_id(model):
    """Deduplicates by id; returns a Counter (a dict subclass)."""
    unique = {id(p): p for p in model.parameters()}
    frozen = sum(p.numel() for p in unique.values() if not p.requires_grad)
    total = sum(p.numel() for p in unique.values())
    return collections.Counter(total=total, trainable=total - frozen, frozen=frozen)


def optimizer_by_name(model, lr, weight_decay):
    """Sorts by name (biases and ln_* / LayerNorm names), four groups, and a custom beta."""
    if not lr > 0 or weight_decay < 0:
        raise ValueError("lr must be positive and weight_decay non-negative")
    groups = {"decay": [], "plain": []}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        leaf = name.rsplit(".", 1)
        plain = leaf[-1] == "bias" or ".ln_" in f".{leaf[0].rsplit('.', 1)[-1]}" or leaf[0].endswith("ln_f")
        groups["plain" if plain else "decay"].append(p)
    return torch.optim.AdamW(
        [{"params": groups["decay"][:3], "weight_decay": weight_decay},
         {"params": groups["decay"][3:], "weight_decay": weight_decay},
         {"params": groups["plain"], "weight_decay": 0.0}],
        lr=lr, betas=(0.9, 0.95))


CORRECT = {
    "reference": REFERENCE,
    "written_differently": {
        "freeze_attention": freeze_by_name,
        "count_parameters": count_by_id,
        "make_optimizer": optimizer_by_name,
    },
}


# ---------------------------------------------------------------------------------------- wrong

def freeze_whole_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")):
    """Ignores `parts`: freezes the whole attention module, out_proj included."""
    reference.freeze_attention(model, layer_indices, parts)
    for i in layer_indices:
        model.transformer.h[i].attn.requires_grad_(False)


def freeze_counts_layers_from_one(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")):
    reference.freeze_attention(model, [], parts)
    if any(not 0 <= i < model.config.num_layers for i in layer_indices):
        raise ValueError("bad layer")
    for i in layer_indices:
        for part in parts:
            getattr(model.transformer.h[i - 1].attn.attention, part).requires_grad_(False)


def freeze_resets_others(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")):
    """Sets every flag: the chosen projections frozen, every other parameter made trainable again."""
    model.requires_grad_(True)
    reference.freeze_attention(model, layer_indices, parts)


def freeze_without_checks(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")):
    for i in layer_indices:
        if i >= len(model.transformer.h):
            continue
        for part in parts:
            if hasattr(model.transformer.h[i].attn.attention, part):
                getattr(model.transformer.h[i].attn.attention, part).requires_grad_(False)


def count_over_state_dict(model):
    """Counts the tied embedding twice (and the attention buffers, where the state dict has them)."""
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    total = sum(t.numel() for t in model.state_dict().values())
    t = sum(v.numel() for n, v in model.state_dict().items() if n in trainable)
    return {"trainable": t, "frozen": total - t, "total": total}


def count_swapped(model):
    c = reference.count_parameters(model)
    return {"trainable": c["frozen"], "frozen": c["trainable"], "total": c["total"]}


def optimizer_keeps_frozen_with_decay(model, lr, weight_decay):
    """Every parameter, frozen or not, in one AdamW with weight decay: frozen ones drift."""
    if lr <= 0 or weight_decay < 0:
        raise ValueError("bad lr or weight_decay")
    return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)


def optimizer_decays_everything(model, lr, weight_decay):
    """Trainable parameters only, but biases and LayerNorms decayed too."""
    if lr <= 0 or weight_decay < 0:
        raise ValueError("bad lr or weight_decay")
    return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=weight_decay)


def optimizer_frozen_no_decay(model, lr, weight_decay):
    """Frozen parameters included (without decay): they do not drift, but the optimizer holds them."""
    if lr <= 0 or weight_decay < 0:
        raise ValueError("bad lr or weight_decay")
    opt = reference.make_optimizer(model, lr, weight_decay)
    opt.add_param_group({"params": [p for p in model.parameters() if not p.requires_grad], "weight_decay": 0.0})
    return opt


def optimizer_adam_l2(model, lr, weight_decay):
    """torch.optim.Adam, whose weight_decay is an L2 term in the gradient, not AdamW."""
    groups = reference.make_optimizer(model, lr, weight_decay).param_groups
    return torch.optim.Adam([{"params": g["params"], "weight_decay": g["weight_decay"]} for g in groups], lr=lr)


def optimizer_without_checks(model, lr, weight_decay):
    """The reference's groups, built without its ValueErrors: lr = 0 or a negative weight decay go through."""
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=lr)


FREEZE, COUNT, OPT, INPUTS = ("check_freeze_attention", "check_count_parameters", "check_make_optimizer",
                              "check_input_checks")

# name -> (implementation, the check that must fail, the checks that must still pass)
WRONG = {
    "freeze_whole_attention": ({**REFERENCE, "freeze_attention": freeze_whole_attention}, FREEZE, (COUNT, OPT, INPUTS)),
    "freeze_counts_layers_from_one": ({**REFERENCE, "freeze_attention": freeze_counts_layers_from_one}, FREEZE, (COUNT, OPT, INPUTS)),
    "freeze_resets_others": ({**REFERENCE, "freeze_attention": freeze_resets_others}, FREEZE, (COUNT, OPT, INPUTS)),
    "freeze_without_checks": ({**REFERENCE, "freeze_attention": freeze_without_checks}, INPUTS, (FREEZE, COUNT, OPT)),
    "count_over_state_dict": ({**REFERENCE, "count_parameters": count_over_state_dict}, COUNT, (FREEZE, OPT, INPUTS)),
    "count_swapped": ({**REFERENCE, "count_parameters": count_swapped}, COUNT, (FREEZE, OPT, INPUTS)),
    "optimizer_keeps_frozen_with_decay": ({**REFERENCE, "make_optimizer": optimizer_keeps_frozen_with_decay}, OPT, (FREEZE, COUNT, INPUTS)),
    "optimizer_decays_everything": ({**REFERENCE, "make_optimizer": optimizer_decays_everything}, OPT, (FREEZE, COUNT, INPUTS)),
    "optimizer_frozen_no_decay": ({**REFERENCE, "make_optimizer": optimizer_frozen_no_decay}, OPT, (FREEZE, COUNT, INPUTS)),
    "optimizer_adam_l2": ({**REFERENCE, "make_optimizer": optimizer_adam_l2}, OPT, (FREEZE, COUNT, INPUTS)),
    "optimizer_without_checks": ({**REFERENCE, "make_optimizer": optimizer_without_checks}, INPUTS, (FREEZE, COUNT, OPT)),
}
