"""Two generated "books" in styles that differ measurably, for 5_1 (fine-tuning on a writing style).

They stand in for the Gutenberg texts of Romeo and Juliet and Alice's Adventures in Wonderland
under the offline profile. `play_text()` is a verse drama (speaker names in capitals, "thou",
"doth", exclamations, short lines); `tale_text()` is prose about Alice and the creatures she meets
(long sentences, quoted speech, "said the Hatter"). The two share very few content words, so a
small model fine-tuned for a few dozen steps on one of them already has a clearly lower perplexity
on it than on the other. Each `build_*` writes `book.txt` into its folder; the notebook reads a
folder, a file or (full profile) a Gutenberg URL. Both are deterministic (fixed seeds).
"""

from __future__ import annotations

import random
from pathlib import Path

BOOK_FILE = "book.txt"

_SPEAKERS = ["ROMEO", "JULIET", "NURSE", "MERCUTIO", "FRIAR LAURENCE", "TYBALT", "BENVOLIO", "CAPULET",
             "LADY CAPULET", "PRINCE"]
_P_NOUNS = ["love", "heart", "lady", "night", "moon", "sword", "rose", "soul", "fortune", "grave", "lips",
            "star", "name", "kinsman", "banishment", "torch", "balcony", "poison", "dagger", "morrow"]
_P_ADJS = ["fair", "gentle", "sweet", "cruel", "bright", "dear", "wretched", "blessed", "hateful", "tender"]
_P_VERBS = ["swear", "weep", "love", "kiss", "banish", "curse", "woo", "wed", "fight", "pray"]
_P_ADDRESS = ["good Nurse", "sweet Juliet", "fair Romeo", "cousin", "holy father", "my lord", "gentle Tybalt",
              "villain", "good sir", "madam"]
_P_LINES = [
    "O {adj} {noun}, thou art {adj2} as the {noun2}!",
    "Wherefore dost thou {verb} me, {address}?",
    "I prithee, {verb} not the {noun} of Verona.",
    "Hark! the {noun} doth {verb} upon the {noun2}.",
    "Good morrow, {address}; thy {noun} is mine.",
    "Alack, alack, what {adj} {noun} is this?",
    "By yonder {adj} {noun} I {verb} to thee.",
    "Thou {verb}est not, and yet thy {noun} is {adj}.",
    "Ay me! the {noun} hath made thee {adj}.",
    "Then, {address}, let {noun}s {verb} as {noun2}s do.",
    "'Tis but thy {noun} that is my {noun2}.",
    "Nay, {address}, I will {verb} thee ere the {noun} be {adj}.",
]

_CREATURES = ["the White Rabbit", "the Cheshire Cat", "the Mock Turtle", "the Queen", "the Hatter",
              "the Dormouse", "the Caterpillar", "the Duchess", "the March Hare", "the Gryphon"]
_T_PLACES = ["the rabbit-hole", "the little door", "the garden", "the tea-table", "the pool of tears",
             "the long hall", "the croquet-ground", "the mushroom", "the kitchen", "the court"]
_T_ADJS = ["curious", "queer", "tiny", "enormous", "ridiculous", "sleepy", "puzzled", "anxious", "grand",
           "peculiar"]
_T_THINGS = ["a golden key", "a little bottle", "a plate of tarts", "a pair of white kid gloves", "a fan",
             "a flamingo", "a cup of tea", "a large pepper-box", "a piece of cake", "a watch"]
_T_VERBS_PAST = ["hurried", "wandered", "peeped", "tumbled", "grew", "shrank", "crept", "ran", "sat",
                 "looked"]
_T_SENTENCES = [
    "Alice {verb} {where} towards {place}, feeling very {adj} indeed.",
    "\"How {adj} everything is to-day!\" said Alice to herself, as {creature} went by with {thing}.",
    "\"Off with her head!\" shouted {creature}, but nobody moved, and Alice only {verb} a little.",
    "It was all very {adj}, and she began to wonder whether {creature} had ever seen {thing} before.",
    "\"Curiouser and curiouser!\" cried Alice; she had quite forgotten how to speak good English.",
    "{Creature} looked at Alice for some time in silence, and then said, \"Who are you?\"",
    "So she {verb} {where} to {place} and found {thing} lying on a little glass table.",
    "\"I don't think it's at all a {adj} game,\" Alice began, in rather a complaining tone.",
    "\"Please, would you tell me,\" said Alice, a little timidly, \"why {creature} grins like that?\"",
    "She had never seen {thing} before, so she {verb} {where} and waited for {creature} to speak.",
]
_T_WHERE = ["slowly", "quickly", "timidly", "all the way", "once more", "very carefully", "at once", "again"]


def play_text(num_scenes: int = 40, seed: int = 1513) -> str:
    """A verse drama in the manner of Romeo and Juliet: speeches of a few short lines each."""
    rng = random.Random(seed)
    out = []
    for scene in range(1, num_scenes + 1):
        out.append(f"SCENE {scene}. A street in Verona.\n\n Enter {rng.choice(_SPEAKERS)} and "
                   f"{rng.choice(_SPEAKERS)}.\n")
        for _ in range(rng.randint(5, 9)):
            lines = []
            for _ in range(rng.randint(1, 4)):
                template = rng.choice(_P_LINES)
                lines.append(template.format(
                    adj=rng.choice(_P_ADJS), adj2=rng.choice(_P_ADJS), noun=rng.choice(_P_NOUNS),
                    noun2=rng.choice(_P_NOUNS), verb=rng.choice(_P_VERBS), address=rng.choice(_P_ADDRESS),
                ))
            out.append(f"{rng.choice(_SPEAKERS)}.\n" + "\n".join(lines) + "\n")
        out.append(" Exeunt.\n")
    return "\n".join(out)


def tale_text(num_chapters: int = 25, seed: int = 11) -> str:
    """Prose in the manner of Alice's Adventures in Wonderland: paragraphs of long sentences."""
    rng = random.Random(seed)
    out = []
    for chapter in range(1, num_chapters + 1):
        out.append(f"CHAPTER {chapter}.\n")
        for _ in range(rng.randint(4, 7)):
            sentences = []
            for _ in range(rng.randint(2, 5)):
                creature = rng.choice(_CREATURES)
                sentences.append(rng.choice(_T_SENTENCES).format(
                    verb=rng.choice(_T_VERBS_PAST), where=rng.choice(_T_WHERE), place=rng.choice(_T_PLACES),
                    adj=rng.choice(_T_ADJS), creature=creature, Creature=creature[0].upper() + creature[1:],
                    thing=rng.choice(_T_THINGS),
                ))
            out.append(" ".join(sentences) + "\n")
    return "\n".join(out)


def build_play(dest: Path) -> None:
    (Path(dest) / BOOK_FILE).write_text(play_text(), encoding="utf-8")


def build_tale(dest: Path) -> None:
    (Path(dest) / BOOK_FILE).write_text(tale_text(), encoding="utf-8")
