"""A generated text corpus in which synonyms share their contexts (offline stand-in for WikiText).

Each sentence comes from a template with slots; a slot is filled by a word drawn uniformly from a
small class. The synonym pairs ("happy"/"joyful", "book"/"novel", ...) are classes of two words
that can stand in the same places, so a model that learns from contexts gives each pair similar
vectors, while words of different classes ("happy" and "book") never share a slot.

`synonym_corpus()` makes the text in memory (the hidden checks of 2_2 train on it);
`build_synonym_corpus(dest)` writes it as a Hugging Face dataset folder whose config is named like
WikiText's, so the notebook loads it with the same `load_dataset(name, config, split=...)` call as
the full profile. Both are deterministic.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

#: the pairs the notebook and the checks look at: each pair shares every context
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("happy", "joyful"),
    ("book", "novel"),
    ("big", "large"),
    ("fast", "quick"),
)

_CLASSES = {
    "MOOD": ["happy", "joyful"],
    "TEXT": ["book", "novel"],
    "SIZE": ["big", "large"],
    "SPEED": ["fast", "quick"],
    "NAME": ["anna", "tom", "maria", "paul", "lena"],
    "PLACE": ["garden", "park", "village", "city"],
    "ANIMAL": ["dog", "cat", "horse"],
    "TIME": ["today", "yesterday", "tonight"],
}

_TEMPLATES = (
    "NAME was very MOOD TIME because the sun was shining in the PLACE",
    "the children felt MOOD and sang songs together in the PLACE",
    "NAME smiled a MOOD smile when the friends arrived TIME",
    "NAME read the TEXT from the library shelf TIME",
    "the author wrote a long TEXT about the history of the PLACE",
    "NAME borrowed an old TEXT and turned every page slowly",
    "they lived in a SIZE house with a SIZE window near the PLACE",
    "the SIZE ANIMAL slept under a SIZE tree in the PLACE",
    "the SPEED ANIMAL ran across the field TIME",
    "NAME took a SPEED train and arrived SPEED at the station",
    "the old road led from the PLACE to the river",
    "NAME walked down the street past the shops TIME",
)


def synonym_corpus(num_sentences: int = 1500, seed: int = 0) -> list[str]:
    """`num_sentences` generated sentences, one string each, the same for the same seed."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(num_sentences):
        template = rng.choice(_TEMPLATES)
        words = [rng.choice(_CLASSES[w]) if w in _CLASSES else w for w in template.split()]
        words[0] = words[0].capitalize()
        sentences.append(" ".join(words) + ".")
    return sentences


#: the dataset config name of WikiText-103 on the Hub, which the fixture answers to as well
CONFIG = "wikitext-103-raw-v1"

_README = f"""---
configs:
- config_name: {CONFIG}
  data_files:
  - split: train
    path: train.jsonl
---
# A generated corpus where synonyms share contexts

Offline stand-in for WikiText-103 in the course "LLM Model Trainings" (assignment 2_2). Built by
`graders.fixtures_text.build_synonym_corpus`; one sentence per row in the column `text`.
"""


def build_synonym_corpus(dest: Path) -> None:
    """Write the corpus into `dest` as a dataset folder: README.md (configs) and train.jsonl."""
    dest = Path(dest)
    (dest / "README.md").write_text(_README)
    with open(dest / "train.jsonl", "w") as f:
        for sentence in synonym_corpus():
            f.write(json.dumps({"text": sentence}) + "\n")
