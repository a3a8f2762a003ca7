"""Offline stand-ins for assignment 7_1: WikiText-2's test split and a family of GPT-2 sizes.

- `ppl-text`: generated paragraphs with WikiText's layout (` = Title = ` headings, one paragraph a
  line) in a local dataset folder whose README declares the `wikitext-2-raw-v1` configuration, so
  `load_dataset(path, "wikitext-2-raw-v1", split="test")` reads it exactly as it reads the Hub's.
  A paragraph keeps talking about its own characters, so a model that sees more context predicts
  better: the context-window plot has something to show.
- `ppl-models`: three tiny GPT-2 models (about 0.1M, 0.3M and 0.9M parameters), folders `1-small`,
  `2-medium`, `3-large`, each trained for the same few seconds on paragraphs of the same generator
  (another seed), saved with the shared tokenizer. Bigger models learn more in the same number of
  steps, so the size plot falls from left to right, as GPT-2's does.
Deterministic: fixed seeds, single-threaded training.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from .fixtures import _ADVERBS, _OBJECTS, _SUBJECTS, _VERBS, CONTEXT, _save, _tokenizer

SIZES = {"1-small": (1, 16), "2-medium": (1, 48), "3-large": (2, 96)}  # n_layer, n_embd
TRAIN_STEPS, BATCH, BLOCK = 80, 8, 96


def paragraph(rng: random.Random) -> str:
    """A few sentences about two characters: later sentences reuse them, so context helps."""
    a, b = rng.sample(_SUBJECTS, 2)
    place = rng.choice(_OBJECTS)
    sentences = [f"{a.capitalize()} and {b} go to {place} {rng.choice(_ADVERBS)}."]
    for _ in range(rng.randint(3, 7)):
        who, other = (a, b) if rng.random() < 0.5 else (b, a)
        kind = rng.random()
        if kind < 0.5:
            sentences.append(f"Then {who} {rng.choice(_VERBS)} {other} {rng.choice(_ADVERBS)}.")
        elif kind < 0.8:
            sentences.append(f"{who.capitalize()} {rng.choice(_VERBS)} {place} again.")
        else:
            sentences.append(f"In {rng.randint(1800, 2030)}, {who} said : \" {other} {rng.choice(_VERBS)} {place} . \"")
    return " ".join(sentences)


def wikitext_lines(num_articles: int, seed: int) -> list[str]:
    """WikiText's raw layout: a heading line, then paragraph lines, blank lines between."""
    rng = random.Random(seed)
    lines = []
    for _ in range(num_articles):
        lines += ["", f" = {rng.choice(_OBJECTS).title()} = ", ""]
        for _ in range(rng.randint(2, 4)):
            lines.append(f" {paragraph(rng)} ")
    return [line + "\n" if line else "" for line in lines]


README = """---
configs:
- config_name: wikitext-2-raw-v1
  data_files:
  - split: test
    path: test.jsonl
---
Generated paragraphs in WikiText-2's raw layout (graders/fixtures_perplexity.py).
"""


def build_ppl_text(dest: Path) -> None:
    (dest / "README.md").write_text(README)
    with open(dest / "test.jsonl", "w", encoding="utf-8") as f:
        for line in wikitext_lines(8, seed=7):
            f.write(json.dumps({"text": line}) + "\n")


def build_ppl_models(dest: Path) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from .properties import one_thread

    tokenizer = _tokenizer()
    text = "".join(wikitext_lines(400, seed=1))
    ids = torch.tensor(tokenizer(text)["input_ids"])
    with one_thread():  # the same sums in the same order on every run
        for name, (n_layer, n_embd) in SIZES.items():
            config = GPT2Config(
                vocab_size=len(tokenizer), n_positions=CONTEXT, n_embd=n_embd, n_layer=n_layer, n_head=2,
                bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
            )
            torch.manual_seed(0)
            model = GPT2LMHeadModel(config)
            optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
            g = torch.Generator().manual_seed(0)
            for _ in range(TRAIN_STEPS):
                starts = torch.randint(0, len(ids) - BLOCK, (BATCH,), generator=g)
                batch = torch.stack([ids[s:s + BLOCK] for s in starts.tolist()])
                loss = model(input_ids=batch, labels=batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
            _save(model.eval(), tokenizer, dest / name)
