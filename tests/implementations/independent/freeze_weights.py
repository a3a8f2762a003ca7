"""5_2_fine_tuning_freeze_weights: implementations written from the release notebook alone (independently written; the author saw
neither source/, solutions/ nor graders/). The correct ones differ in how they reach the projections (getattr on the blocks,
name prefixes over named_parameters, get_submodule + requires_grad_), how they deduplicate tied tensors (parameters(),
id()-dict over remove_duplicate=False, per-module walk with a seen set) and how they build and order the AdamW groups
(empty groups dropped, always two groups, groups keyed by their weight decay)."""

ASSIGNMENT = "5_2_fine_tuning_freeze_weights"

# --------------------------------------------------------------------------------------------------
# freeze_attention
# --------------------------------------------------------------------------------------------------

_FREEZE_GETATTR = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    blocks = model.transformer.h
    indices = list(layer_indices)
    parts = list(parts)
    for i in indices:
        if i not in range(len(blocks)):
            raise ValueError(f"layer index {i!r} is not in range({len(blocks)})")
    for part in parts:
        if part not in ATTENTION_PARTS:
            raise ValueError(f"unknown attention part {part!r}; expected one of {ATTENTION_PARTS}")
    for i in indices:
        attention = blocks[i].attn.attention
        for part in parts:
            for p in getattr(attention, part).parameters():
                p.requires_grad = False
'''

_FREEZE_PREFIX = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    num_layers = model.config.num_layers
    chosen_layers = set()
    for i in layer_indices:
        if not 0 <= i < num_layers:
            raise ValueError(f"layer {i} does not exist: the model has {num_layers} layers")
        chosen_layers.add(i)
    chosen_parts = set(parts)
    unknown = chosen_parts - set(ATTENTION_PARTS)
    if unknown:
        raise ValueError(f"not attention projections: {sorted(unknown)}")
    prefixes = tuple(f"transformer.h.{i}.attn.attention.{part}."
                     for i in sorted(chosen_layers) for part in sorted(chosen_parts))
    if not prefixes:
        return
    for name, p in model.named_parameters():
        if name.startswith(prefixes):
            p.requires_grad_(False)
'''

_FREEZE_SUBMODULE = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    num_layers = len(model.transformer.h)
    layer_indices = tuple(layer_indices)
    parts = tuple(parts)
    bad_layers = [i for i in layer_indices if i not in range(num_layers)]
    bad_parts = [x for x in parts if x not in ATTENTION_PARTS]
    if bad_layers or bad_parts:
        raise ValueError(f"bad layer indices {bad_layers} (model has {num_layers}) or parts {bad_parts}")
    modules = [model.get_submodule(f"transformer.h.{i}.attn.attention.{x}") for i in layer_indices for x in parts]
    for module in modules:
        module.requires_grad_(False)
'''

# --- wrong freeze_attention ---

_FREEZE_WEIGHT_ONLY = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    blocks = model.transformer.h
    indices = list(layer_indices)
    parts = list(parts)
    for i in indices:
        if i not in range(len(blocks)):
            raise ValueError(f"layer index {i!r} is not in range({len(blocks)})")
    for part in parts:
        if part not in ATTENTION_PARTS:
            raise ValueError(f"unknown attention part {part!r}; expected one of {ATTENTION_PARTS}")
    for i in indices:
        attention = blocks[i].attn.attention
        for part in parts:
            getattr(attention, part).weight.requires_grad = False
'''

_FREEZE_POSITIONS = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    blocks = model.transformer.h
    indices = list(layer_indices)
    parts = list(parts)
    for i in indices:
        if i not in range(len(blocks)):
            raise ValueError(f"layer index {i!r} is not in range({len(blocks)})")
    for part in parts:
        if part not in ATTENTION_PARTS:
            raise ValueError(f"unknown attention part {part!r}; expected one of {ATTENTION_PARTS}")
    for i in range(len(indices)):
        attention = blocks[i].attn.attention
        for part in parts:
            for p in getattr(attention, part).parameters():
                p.requires_grad = False
'''

_FREEZE_RESETS_OTHERS = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    num_layers = model.config.num_layers
    chosen_layers = set()
    for i in layer_indices:
        if not 0 <= i < num_layers:
            raise ValueError(f"layer {i} does not exist: the model has {num_layers} layers")
        chosen_layers.add(i)
    chosen_parts = set(parts)
    unknown = chosen_parts - set(ATTENTION_PARTS)
    if unknown:
        raise ValueError(f"not attention projections: {sorted(unknown)}")
    prefixes = tuple(f"transformer.h.{i}.attn.attention.{part}."
                     for i in sorted(chosen_layers) for part in sorted(chosen_parts))
    for name, p in model.named_parameters():
        p.requires_grad_(not name.startswith(prefixes))
'''

_FREEZE_WHOLE_ATTENTION = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    num_layers = len(model.transformer.h)
    layer_indices = tuple(layer_indices)
    parts = tuple(parts)
    bad_layers = [i for i in layer_indices if i not in range(num_layers)]
    bad_parts = [x for x in parts if x not in ATTENTION_PARTS]
    if bad_layers or bad_parts:
        raise ValueError(f"bad layer indices {bad_layers} (model has {num_layers}) or parts {bad_parts}")
    for i in layer_indices:
        if parts:
            model.get_submodule(f"transformer.h.{i}.attn.attention").requires_grad_(False)
'''

_FREEZE_NEGATIVE_OK = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    blocks = model.transformer.h
    indices = list(layer_indices)
    parts = list(parts)
    for i in indices:
        if i >= len(blocks):
            raise ValueError(f"layer index {i!r} is too large for {len(blocks)} layers")
    for part in parts:
        if part not in ATTENTION_PARTS:
            raise ValueError(f"unknown attention part {part!r}; expected one of {ATTENTION_PARTS}")
    for i in indices:
        attention = blocks[i].attn.attention
        for part in parts:
            for p in getattr(attention, part).parameters():
                p.requires_grad = False
'''

_FREEZE_CHECKS_WHILE_FREEZING = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    blocks = model.transformer.h
    parts = list(parts)
    for i in layer_indices:
        if i not in range(len(blocks)):
            raise ValueError(f"layer index {i!r} is not in range({len(blocks)})")
        attention = blocks[i].attn.attention
        for part in parts:
            if part not in ATTENTION_PARTS:
                raise ValueError(f"unknown attention part {part!r}; expected one of {ATTENTION_PARTS}")
            for p in getattr(attention, part).parameters():
                p.requires_grad = False
'''

_FREEZE_NO_PART_CHECK = '''
ATTENTION_PARTS = ("q_proj", "k_proj", "v_proj", "out_proj")


def freeze_attention(model, layer_indices, parts=("q_proj", "k_proj", "v_proj")) -> None:
    """Set requires_grad=False on the named attention projections of the given GPT-Neo layers."""
    num_layers = len(model.transformer.h)
    layer_indices = tuple(layer_indices)
    parts = tuple(parts)
    bad_layers = [i for i in layer_indices if i not in range(num_layers)]
    if bad_layers:
        raise ValueError(f"bad layer indices {bad_layers} (model has {num_layers})")
    modules = [model.get_submodule(f"transformer.h.{i}.attn.attention.{x}") for i in layer_indices for x in parts]
    for module in modules:
        module.requires_grad_(False)
'''

# --------------------------------------------------------------------------------------------------
# count_parameters
# --------------------------------------------------------------------------------------------------

_COUNT_PARAMETERS = '''
def count_parameters(model) -> dict[str, int]:
    """{"trainable": ..., "frozen": ..., "total": ...}, each parameter tensor counted once."""
    trainable = frozen = 0
    for p in model.parameters():
        if p.requires_grad:
            trainable += p.numel()
        else:
            frozen += p.numel()
    return {"trainable": trainable, "frozen": frozen, "total": trainable + frozen}
'''

_COUNT_ID_DICT = '''
def count_parameters(model) -> dict[str, int]:
    """{"trainable": ..., "frozen": ..., "total": ...}, each parameter tensor counted once."""
    unique = {}
    for _, p in model.named_parameters(remove_duplicate=False):
        unique[id(p)] = p
    total = sum(p.numel() for p in unique.values())
    trainable = sum(p.numel() for p in unique.values() if p.requires_grad)
    return {"trainable": int(trainable), "frozen": int(total - trainable), "total": int(total)}
'''

_COUNT_MODULE_WALK = '''
import math


def count_parameters(model) -> dict[str, int]:
    """{"trainable": ..., "frozen": ..., "total": ...}, each parameter tensor counted once."""
    seen = set()
    by_flag = {True: 0, False: 0}
    for module in model.modules():
        for p in module.parameters(recurse=False):
            if id(p) in seen:
                continue
            seen.add(id(p))
            by_flag[bool(p.requires_grad)] += math.prod(p.shape)
    counts = {"trainable": by_flag[True], "frozen": by_flag[False]}
    counts["total"] = counts["trainable"] + counts["frozen"]
    return counts
'''

# --- wrong count_parameters ---

_COUNT_NO_DEDUP = '''
def count_parameters(model) -> dict[str, int]:
    """{"trainable": ..., "frozen": ..., "total": ...}, each parameter tensor counted once."""
    trainable = frozen = 0
    for _, p in model.named_parameters(remove_duplicate=False):
        if p.requires_grad:
            trainable += p.numel()
        else:
            frozen += p.numel()
    return {"trainable": trainable, "frozen": frozen, "total": trainable + frozen}
'''

_COUNT_TENSORS = '''
def count_parameters(model) -> dict[str, int]:
    """{"trainable": ..., "frozen": ..., "total": ...}, each parameter tensor counted once."""
    params = list(model.parameters())
    frozen = sum(1 for p in params if not p.requires_grad)
    total = sum(p.numel() for p in params)
    return {"trainable": total - frozen, "frozen": frozen, "total": total}
'''

_COUNT_STATE_DICT_TOTAL = '''
def count_parameters(model) -> dict[str, int]:
    """{"trainable": ..., "frozen": ..., "total": ...}, each parameter tensor counted once."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(t.numel() for t in model.state_dict().values())
    return {"trainable": trainable, "frozen": total - trainable, "total": total}
'''

_COUNT_NESTED_MODULES = '''
def count_parameters(model) -> dict[str, int]:
    """{"trainable": ..., "frozen": ..., "total": ...}, each parameter tensor counted once."""
    seen = set()
    by_flag = {True: 0, False: 0}
    for module in model.modules():
        for p in module.parameters():
            if id(p) in seen and module is model:
                continue
            seen.add(id(p))
            by_flag[bool(p.requires_grad)] += p.numel()
    counts = {"trainable": by_flag[True], "frozen": by_flag[False]}
    counts["total"] = counts["trainable"] + counts["frozen"]
    return counts
'''

# --------------------------------------------------------------------------------------------------
# make_optimizer
# --------------------------------------------------------------------------------------------------

_OPT_TWO_LISTS = '''
def make_optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm parameters."""
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    layer_norm_ids = set()
    for module in model.modules():
        if isinstance(module, nn.LayerNorm):
            layer_norm_ids.update(id(p) for p in module.parameters(recurse=False))
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.rsplit(".", 1)[-1] == "bias" or id(p) in layer_norm_ids:
            no_decay.append(p)
        else:
            decay.append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=lr, weight_decay=weight_decay)
'''

_OPT_MODULE_WALK = '''
def make_optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm parameters."""
    if not lr > 0 or not weight_decay >= 0:
        raise ValueError(f"need lr > 0 and weight_decay >= 0, got lr={lr}, weight_decay={weight_decay}")
    seen = set()
    no_decay, decay = [], []
    for module in model.modules():
        is_layer_norm = isinstance(module, nn.LayerNorm)
        for local_name, p in module.named_parameters(recurse=False):
            if id(p) in seen:
                continue
            seen.add(id(p))
            if not p.requires_grad:
                continue
            if is_layer_norm or local_name == "bias":
                no_decay.append(p)
            else:
                decay.append(p)
    return torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.0},
                              {"params": decay, "weight_decay": weight_decay}], lr=lr)
'''

_OPT_KEYED_GROUPS = '''
def make_optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm parameters."""
    if lr <= 0 or weight_decay < 0:
        raise ValueError("lr must be > 0 and weight_decay >= 0")
    in_layer_norm = {id(p) for m in model.modules() if isinstance(m, nn.LayerNorm) for p in m.parameters()}
    by_decay = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            exempt = name == "bias" or name.endswith(".bias") or id(p) in in_layer_norm
            by_decay.setdefault(0.0 if exempt else float(weight_decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "weight_decay": wd} for wd, ps in by_decay.items()], lr=lr)
'''

# --- wrong make_optimizer ---

_OPT_ALL_PARAMS = '''
def make_optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm parameters."""
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    layer_norm_ids = set()
    for module in model.modules():
        if isinstance(module, nn.LayerNorm):
            layer_norm_ids.update(id(p) for p in module.parameters(recurse=False))
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if name.rsplit(".", 1)[-1] == "bias" or id(p) in layer_norm_ids:
            no_decay.append(p)
        else:
            decay.append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=lr, weight_decay=weight_decay)
'''

_OPT_DECAYS_LAYERNORM = '''
def make_optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm parameters."""
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.rsplit(".", 1)[-1] == "bias":
            no_decay.append(p)
        else:
            decay.append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=lr, weight_decay=weight_decay)
'''

_OPT_TIED_TWICE = '''
def make_optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm parameters."""
    if not lr > 0 or not weight_decay >= 0:
        raise ValueError(f"need lr > 0 and weight_decay >= 0, got lr={lr}, weight_decay={weight_decay}")
    no_decay, decay = [], []
    for module in model.modules():
        is_layer_norm = isinstance(module, nn.LayerNorm)
        for local_name, p in module.named_parameters(recurse=False):
            if not p.requires_grad:
                continue
            if is_layer_norm or local_name == "bias":
                no_decay.append(p)
            else:
                decay.append(p)
    return torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.0},
                              {"params": decay, "weight_decay": weight_decay}], lr=lr)
'''

_OPT_DEFAULT_LR = '''
def make_optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm parameters."""
    if lr <= 0 or weight_decay < 0:
        raise ValueError("lr must be > 0 and weight_decay >= 0")
    in_layer_norm = {id(p) for m in model.modules() if isinstance(m, nn.LayerNorm) for p in m.parameters()}
    by_decay = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            exempt = name == "bias" or name.endswith(".bias") or id(p) in in_layer_norm
            by_decay.setdefault(0.0 if exempt else float(weight_decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "weight_decay": wd} for wd, ps in by_decay.items()])
'''

_OPT_NO_WD_CHECK = '''
def make_optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm parameters."""
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    layer_norm_ids = set()
    for module in model.modules():
        if isinstance(module, nn.LayerNorm):
            layer_norm_ids.update(id(p) for p in module.parameters(recurse=False))
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.rsplit(".", 1)[-1] == "bias" or id(p) in layer_norm_ids:
            no_decay.append(p)
        else:
            decay.append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=lr)
'''

_OPT_LR_ZERO_OK = '''
def make_optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the trainable parameters; no weight decay on biases and LayerNorm parameters."""
    if lr < 0 or weight_decay < 0:
        raise ValueError("lr must be > 0 and weight_decay >= 0")
    in_layer_norm = {id(p) for m in model.modules() if isinstance(m, nn.LayerNorm) for p in m.parameters()}
    by_decay = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            exempt = name == "bias" or name.endswith(".bias") or id(p) in in_layer_norm
            by_decay.setdefault(0.0 if exempt else float(weight_decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "weight_decay": wd} for wd, ps in by_decay.items()], lr=lr)
'''


#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    "getattr_loops": {
        "freeze_attention": _FREEZE_GETATTR,
        "count_parameters": _COUNT_PARAMETERS,
        "make_optimizer": _OPT_TWO_LISTS,
    },
    "name_prefixes": {
        "freeze_attention": _FREEZE_PREFIX,
        "count_parameters": _COUNT_ID_DICT,
        "make_optimizer": _OPT_MODULE_WALK,
    },
    "submodules": {
        "freeze_attention": _FREEZE_SUBMODULE,
        "count_parameters": _COUNT_MODULE_WALK,
        "make_optimizer": _OPT_KEYED_GROUPS,
    },
}


#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    # --- freeze_attention ---
    "freeze_weight_only": {
        "cells": {"freeze_attention": _FREEZE_WEIGHT_ONLY, "count_parameters": _COUNT_PARAMETERS,
                  "make_optimizer": _OPT_TWO_LISTS},
        "loses": ["test_freeze_attention"],
        "bug": "freezes only each projection's .weight, so out_proj's bias stays trainable",
    },
    "freeze_positions_not_indices": {
        "cells": {"freeze_attention": _FREEZE_POSITIONS, "count_parameters": _COUNT_PARAMETERS,
                  "make_optimizer": _OPT_TWO_LISTS},
        "loses": ["test_freeze_attention"],
        "bug": "loops over range(len(layer_indices)), freezing layers 0..k-1 instead of the given indices",
    },
    "freeze_resets_others": {
        "cells": {"freeze_attention": _FREEZE_RESETS_OTHERS, "count_parameters": _COUNT_ID_DICT,
                  "make_optimizer": _OPT_MODULE_WALK},
        "loses": ["test_freeze_attention"],
        "bug": "sets requires_grad=True on every other parameter, undoing earlier freezes instead of leaving them as they were",
    },
    "freeze_whole_attention": {
        "cells": {"freeze_attention": _FREEZE_WHOLE_ATTENTION, "count_parameters": _COUNT_MODULE_WALK,
                  "make_optimizer": _OPT_KEYED_GROUPS},
        "loses": ["test_freeze_attention"],
        "bug": "freezes the whole attention module of each layer, ignoring which parts were asked for",
    },
    "freeze_negative_index_accepted": {
        "cells": {"freeze_attention": _FREEZE_NEGATIVE_OK, "count_parameters": _COUNT_PARAMETERS,
                  "make_optimizer": _OPT_TWO_LISTS},
        "loses": ["input-checks"],
        "bug": "only checks i >= num_layers, so a negative index (e.g. -1) silently freezes a layer from the end",
    },
    "freeze_checks_while_freezing": {
        "cells": {"freeze_attention": _FREEZE_CHECKS_WHILE_FREEZING, "count_parameters": _COUNT_PARAMETERS,
                  "make_optimizer": _OPT_TWO_LISTS},
        "loses": ["input-checks"],
        "bug": "validates each index while freezing, so [0, 7] freezes layer 0 before raising (not 'before changing anything')",
    },
    "freeze_no_part_check": {
        "cells": {"freeze_attention": _FREEZE_NO_PART_CHECK, "count_parameters": _COUNT_MODULE_WALK,
                  "make_optimizer": _OPT_KEYED_GROUPS},
        "loses": ["input-checks"],
        "bug": "no check of parts: an unknown part raises AttributeError from get_submodule instead of ValueError",
    },
    # --- count_parameters ---
    "count_tied_twice": {
        "cells": {"freeze_attention": _FREEZE_GETATTR, "count_parameters": _COUNT_NO_DEDUP, "make_optimizer": _OPT_TWO_LISTS},
        "loses": ["test_count_parameters"],
        "bug": "iterates named_parameters(remove_duplicate=False), counting the tied lm_head/wte tensor twice",
    },
    "count_frozen_tensors": {
        "cells": {"freeze_attention": _FREEZE_PREFIX, "count_parameters": _COUNT_TENSORS, "make_optimizer": _OPT_MODULE_WALK},
        "loses": ["test_count_parameters"],
        "bug": "'frozen' counts frozen tensors instead of their scalar entries",
    },
    "count_state_dict_total": {
        "cells": {"freeze_attention": _FREEZE_SUBMODULE, "count_parameters": _COUNT_STATE_DICT_TOTAL, "make_optimizer": _OPT_KEYED_GROUPS},
        "loses": ["test_count_parameters"],
        "bug": "total from the state dict: the tied weight twice (and buffers, if any)",
    },
    "count_nested_modules": {
        "cells": {"freeze_attention": _FREEZE_GETATTR, "count_parameters": _COUNT_NESTED_MODULES, "make_optimizer": _OPT_TWO_LISTS},
        "loses": ["test_count_parameters"],
        "bug": "walks model.modules() with recursive parameters(), counting nested parameters once per ancestor",
    },
    # --- make_optimizer ---
    "opt_holds_frozen": {
        "cells": {"freeze_attention": _FREEZE_GETATTR, "count_parameters": _COUNT_PARAMETERS, "make_optimizer": _OPT_ALL_PARAMS},
        "loses": ["test_make_optimizer"],
        "bug": "puts every parameter (frozen ones too) in the optimizer, so weight decay makes frozen weights drift",
    },
    "opt_decays_layernorm": {
        "cells": {"freeze_attention": _FREEZE_GETATTR, "count_parameters": _COUNT_PARAMETERS, "make_optimizer": _OPT_DECAYS_LAYERNORM},
        "loses": ["test_make_optimizer"],
        "bug": "exempts only biases from weight decay; LayerNorm weights are decayed",
    },
    "opt_tied_twice": {
        "cells": {"freeze_attention": _FREEZE_PREFIX, "count_parameters": _COUNT_ID_DICT, "make_optimizer": _OPT_TIED_TWICE},
        "loses": ["test_make_optimizer"],
        "bug": "walks modules without a seen-set, so the tied wte/lm_head weight is held twice",
    },
    "opt_default_lr": {
        "cells": {"freeze_attention": _FREEZE_SUBMODULE, "count_parameters": _COUNT_MODULE_WALK, "make_optimizer": _OPT_DEFAULT_LR},
        "loses": ["test_make_optimizer"],
        "bug": "forgets to pass lr to AdamW, so every group uses the default 1e-3",
    },
    "opt_no_weight_decay_check": {
        "cells": {"freeze_attention": _FREEZE_GETATTR, "count_parameters": _COUNT_PARAMETERS, "make_optimizer": _OPT_NO_WD_CHECK},
        "loses": ["input-checks"],
        "bug": "raises for lr <= 0 but not for a negative weight_decay",
    },
    "opt_lr_zero_accepted": {
        "cells": {"freeze_attention": _FREEZE_SUBMODULE, "count_parameters": _COUNT_MODULE_WALK, "make_optimizer": _OPT_LR_ZERO_OK},
        "loses": ["input-checks"],
        "bug": "checks lr < 0 instead of lr <= 0, so lr = 0 is accepted",
    },
}
