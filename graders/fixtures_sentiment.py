"""A generated sentiment data set: the offline stand-in for IMDB (5_3).

Short movie reviews built from templates, with IMDB's columns (`text`, `label`: 0 negative,
1 positive) and splits (`train.jsonl`, `test.jsonl` in one folder, which
`datasets.load_dataset(folder)` reads as the splits "train" and "test"). The sentiment lives in a
two opinion sentences, sometimes with neutral ones; a quarter of the reviews say "not" + the opposite word
("not bad" is positive), so a bag of words is not enough. The test reviews are drawn from the same
vocabulary with another seed. Deterministic: a fixed seed, sorted keys.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

TRAIN_SIZE = 2000
TEST_SIZE = 200

_SUBJECTS = ["the movie", "this film", "the story", "the acting", "the plot", "the ending", "the cast",
             "the soundtrack", "the script", "the director's work", "the dialogue", "the photography"]
_POSITIVE = ["wonderful", "great", "brilliant", "moving", "excellent", "delightful", "superb", "beautiful",
             "charming", "fantastic", "touching", "clever"]
_NEGATIVE = ["terrible", "boring", "awful", "dull", "horrible", "weak", "painful", "stupid", "bland",
             "disappointing", "messy", "poor"]
_NEUTRAL = ["I watched it on a rainy sunday.", "It runs for about two hours.", "My sister came along.",
            "It was released last year.", "The cinema was half empty.", "We had popcorn.",
            "It is based on a novel.", "I saw it twice.", "The trailer shows the first scene.",
            "It is set in a small town."]
_CLOSING = {1: ["I would recommend it.", "Go and see it.", "A must see.", "I loved it."],
            0: ["Skip this one.", "I want my money back.", "Not worth your time.", "I left early."]}


def review(label: int, rng: random.Random) -> str:
    """One review of the given sentiment: two opinion sentences, maybe a neutral one and a closing line."""
    sentences = []
    for _ in range(2):
        subject = rng.choice(_SUBJECTS)
        if rng.random() < 0.25:  # negated opposite: "not bad" carries the review's label
            word = rng.choice(_NEGATIVE if label else _POSITIVE)
            sentences.append(f"{subject} was not {word}.")
        else:
            word = rng.choice(_POSITIVE if label else _NEGATIVE)
            sentences.append(f"{subject} was {word}.")
    if rng.random() < 0.5:
        sentences.insert(rng.randint(0, 2), rng.choice(_NEUTRAL))
    if rng.random() < 0.3:
        sentences.append(rng.choice(_CLOSING[label]))
    return " ".join(s[0].upper() + s[1:] for s in sentences)


def examples(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    labels = [i % 2 for i in range(n)]
    rng.shuffle(labels)
    return [{"text": review(label, rng), "label": label} for label in labels]


def build_sentiment(dest: Path) -> None:
    for split, n, seed in (("train", TRAIN_SIZE, 0), ("test", TEST_SIZE, 1)):
        with open(dest / f"{split}.jsonl", "w") as f:
            for ex in examples(n, seed):
                f.write(json.dumps(ex, sort_keys=True) + "\n")
