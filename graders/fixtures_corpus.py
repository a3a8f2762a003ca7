"""A generated stand-in for Romeo and Juliet: the offline corpus of 4_1 and 4_2.

The full profile of the pre-training notebooks reads Project Gutenberg's Romeo and Juliet (ebook
1513). Offline they read `corpus.txt` from the folder this fixture builds: a play of a few
thousand lines in the same layout (a speaker's name in capitals on its own line, then what they
say), made of a small vocabulary and a simple grammar, so that a tiny GPT learns something in a
few seconds and the training curves have a shape. The build is deterministic (a fixed seed).
"""

from __future__ import annotations

import random
from pathlib import Path

FILE_NAME = "corpus.txt"

_SPEAKERS = ["ROMEO", "JULIET", "NURSE", "MERCUTIO", "BENVOLIO", "TYBALT", "FRIAR LAWRENCE", "CAPULET"]
_SUBJECTS = ["the moon", "my love", "thy heart", "the night", "this sword", "the friar", "fair Verona",
             "the morning", "my lord", "thy name", "the stars", "sweet Juliet", "good Romeo", "the nurse"]
_VERBS = ["doth love", "shall see", "hath found", "doth fear", "will kiss", "must leave", "doth keep",
          "shall find", "hath lost", "doth call"]
_OBJECTS = ["the light", "a rose", "thy lips", "the garden", "my soul", "the tomb", "a letter", "the wall",
            "thy hand", "the window", "a poison", "the dawn"]
_ENDINGS = [".", "!", "?", ", and so farewell.", ", I swear.", " tonight.", " in Mantua.", " at dawn."]
_CALLS = ["O", "Ah", "Alas", "Good night", "Peace", "Hark", "Come"]


def play(num_speeches: int = 2500, seed: int = 1513) -> str:
    """The generated play: speeches of one to three lines, each line a short sentence."""
    rng = random.Random(seed)
    out = ["THE TRAGEDY OF GENERATED LOVERS\n\n"]
    for _ in range(num_speeches):
        out.append(f"{rng.choice(_SPEAKERS)}.\n")
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.25:
                line = f"{rng.choice(_CALLS)}, {rng.choice(_SUBJECTS)}{rng.choice(_ENDINGS)}"
            else:
                line = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{rng.choice(_ENDINGS)}"
            out.append(line[0].upper() + line[1:] + "\n")
        out.append("\n")
    return "".join(out)


def build_corpus(dest: Path) -> None:
    (dest / FILE_NAME).write_text(play(), encoding="utf-8")
