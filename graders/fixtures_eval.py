"""Offline fixtures of the evaluation notebooks 7_2 (HellaSwag) and 7_3 (KL divergence).

- `eval-small`, `eval-large`: two GPT-2 configurations trained briefly, on CPU, on the generated
  English-like sentences of graders/fixtures.py (`generated_text`), saved with the shared fixture
  tokenizer. The small one (64 wide, 2 layers) gets a few dozen steps, the large one (128 wide,
  4 layers) a few hundred, so that the large one is clearly the better model of that "language":
  it picks more right endings and its text is closer to the "human" corpus. They stand in for
  gpt2 and a larger model.
- `hellaswag-items`: a folder holding `validation.jsonl`, HellaSwag-format items (the fields of the
  Hub's `Rowan/hellaswag`: ind, activity_label, ctx_a, ctx_b, ctx, endings, label as a string,
  source_id, split, split_type) made from the same sentences: the right ending completes the
  sentence, the wrong ones are the same kind of words in a broken order or from a sentence of
  another kind. Some carry WikiHow's bracket artifacts ("[title]", "[step]") so that
  preprocessing matters. `datasets.load_dataset(folder)` reads it as a `validation` split.
- `human-text`: a folder holding `test.jsonl` with a `text` field: generated sentences that no model
  saw (another seed), the "human" text of 7_3.

Builds are deterministic (fixed seeds, one thread while training) and take a few seconds.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from . import fixtures

TRAIN_SEED, HUMAN_SEED, ITEMS_SEED = 11, 12, 13
NUM_ITEMS = 60

_ACTIVITIES = ["Reading", "Gardening", "Sailing", "Painting", "Visiting friends", "Building a boat",
               "Walking the dog", "Writing letters"]


def _train(dest: Path, n_embd: int, n_layer: int, steps: int, seed: int) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    from transformers.utils import logging

    from .properties import one_thread

    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()  # the corpus is longer than the context: expected, we cut it into blocks
    tokenizer = fixtures._tokenizer()
    text = fixtures.generated_text(num_sentences=4000, seed=TRAIN_SEED)
    ids = torch.tensor(tokenizer(text)["input_ids"])
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=fixtures.CONTEXT, n_embd=n_embd, n_layer=n_layer, n_head=2,
        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    try:
        with one_thread():  # the same sums in the same order on every run
            torch.manual_seed(seed)
            model = GPT2LMHeadModel(config)
            opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
            g = torch.Generator().manual_seed(seed)
            block, batch = 48, 16
            model.train()
            for _ in range(steps):
                starts = torch.randint(0, len(ids) - block - 1, (batch,), generator=g)
                x = torch.stack([ids[s:s + block] for s in starts.tolist()])
                loss = model(input_ids=x, labels=x).loss
                opt.zero_grad()
                loss.backward()
                opt.step()
    finally:
        logging.set_verbosity(verbosity)
    fixtures._save(model.eval(), tokenizer, dest)


def build_eval_small(dest: Path) -> None:
    _train(dest, n_embd=64, n_layer=2, steps=25, seed=0)


def build_eval_large(dest: Path) -> None:
    _train(dest, n_embd=96, n_layer=3, steps=60, seed=1)


def _sentence(rng: random.Random) -> tuple[str, str, list[str]]:
    """A sentence of the training grammar split as (subject, the rest, three wrong rests).

    The wrong rests are the right one with two neighbouring words swapped, with a word left out
    (shorter: a higher total log-probability for free), and with another object added at the end
    (longer). Length differs between the endings, so acc and acc_norm can disagree.
    """
    subject, verb, obj, adverb = (rng.choice(fixtures._SUBJECTS), rng.choice(fixtures._VERBS),
                                  rng.choice(fixtures._OBJECTS), rng.choice(fixtures._ADVERBS))
    right = f"{verb} {obj} {adverb}."
    words = right[:-1].split()
    i = rng.randrange(len(words) - 1)
    swapped = words[:i] + [words[i + 1], words[i]] + words[i + 2:]
    if swapped == words:
        swapped = [words[-1]] + words[:-1]
    j = rng.randrange(1, len(words))
    dropped = words[:j] + words[j + 1:]
    other = rng.choice([o for o in fixtures._OBJECTS if o != obj])
    longer = f"{verb} {obj} {adverb} {rng.choice(fixtures._VERBS)} {other}"
    wrong = [" ".join(swapped) + ".", " ".join(dropped) + ".", longer + "."]
    rng.shuffle(wrong)
    return subject, right, wrong


def hellaswag_items(n: int = NUM_ITEMS, seed: int = ITEMS_SEED) -> list[dict]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        first_subject, first_rest, _ = _sentence(rng)
        ctx_a = f"{first_subject[0].upper()}{first_subject[1:]} {first_rest}"
        subject, right, wrong = _sentence(rng)
        if rng.random() < 0.25:  # WikiHow-style artifacts
            ctx_a = f"[header] {ctx_a} [title] {rng.choice(fixtures._SUBJECTS).capitalize()} is here."
            wrong = [f"[step] {w}" if j == 0 else w for j, w in enumerate(wrong)]
            right = f"{right} [substeps]" if rng.random() < 0.5 else right
        label = rng.randrange(4)
        endings = wrong[:label] + [right] + wrong[label:]
        activity = rng.choice(_ACTIVITIES)
        items.append({
            "ind": i, "activity_label": activity, "ctx_a": ctx_a, "ctx_b": subject,
            "ctx": f"{ctx_a} {subject.capitalize()}", "endings": endings, "label": str(label),
            "source_id": f"generated~{i}", "split": "val", "split_type": "indomain",
        })
    return items


def build_hellaswag_items(dest: Path) -> None:
    with open(dest / "validation.jsonl", "w", encoding="utf-8") as f:
        for item in hellaswag_items():
            f.write(json.dumps(item) + "\n")


def build_human_text(dest: Path) -> None:
    lines = fixtures.generated_text(num_sentences=1500, seed=HUMAN_SEED).splitlines()
    with open(dest / "test.jsonl", "w", encoding="utf-8") as f:
        for start in range(0, len(lines), 10):  # paragraphs of ten sentences
            f.write(json.dumps({"text": " ".join(lines[start:start + 10])}) + "\n")
