"""Toy models the checks build where the student's code runs, so that nothing of the judge's is handed out.

A check that needs a model of its own for the student's code to use (say, a classifier for 5_3's
`evaluate` to score) builds it in the kernel, from this module, with weights sent by value; the
judge computes the expected values with a twin built here from the same weights. This file is
copied verbatim into the sandbox as `_llmt_judge/toys.py` (graders/judge.py) and imports only torch.

    toys = kernel_toys()                      # graders/properties.py: the kernel's copy when judged
    model = toys.Scorer(table)                # the kernel's model; `Scorer(table)` here is its twin
"""

from __future__ import annotations

import torch
from torch import nn


class Scorer(nn.Module):
    """A toy classifier: its logits sum the rows of `table` (vocabulary x classes) over the unmasked
    tokens, then apply dropout (p = 0.5), so that train and eval modes give different logits."""

    def __init__(self, table: torch.Tensor):
        super().__init__()
        self.table = nn.Parameter(table.detach().clone())
        self.drop = nn.Dropout(0.5)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        rows = self.table[input_ids]
        if attention_mask is not None:
            rows = rows * attention_mask.unsqueeze(-1).to(rows.dtype)
        return self.drop(rows.sum(dim=1))
