"""Offline stand-in for THUDM/webglm-qa (assignment 6_1): generated question/answer pairs.

Each example has WebGLM-QA's fields (`question`, `answer`, `references`). The facts come from a
small fixed world (who lives where, what they like, what they carry), so a tiny GPT-2 can learn both
the QUESTION/ANSWER format and the training facts in a few seconds of CPU. The test and validation
splits ask about facts held out of training: a tuned model answers them in the right form, with a
plausible but not necessarily right fact. Deterministic: a fixed seed, written as JSONL that
`datasets.load_dataset(folder)` reads with the usual train/validation/test splits.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SUBJECTS = ["the cat", "the dog", "the old man", "the young girl", "the teacher", "the king", "the queen",
            "the doctor", "the farmer", "the sailor", "the small bird", "the baker", "the painter", "the fox"]
PLACES = ["the city", "the forest", "a small village", "the old castle", "the valley", "a wooden house",
          "the quiet garden", "the big farm"]
LIKES = ["red apples", "long letters", "the bright moon", "quiet songs", "old books", "the morning light",
         "warm bread", "golden keys"]
CARRIES = ["a blue bag", "a wooden box", "a long stick", "a silver cup", "a small lamp", "a heavy stone"]

RELATIONS = {
    # relation: (question templates, answer template, values)
    "lives": (["Where does {s} live?", "Where is the home of {s}?"], "{S} lives in {v}.", PLACES),
    "likes": (["What does {s} like?", "What is loved by {s}?"], "{S} likes {v}.", LIKES),
    "carries": (["What does {s} carry?", "What is {s} carrying?"], "{S} carries {v}.", CARRIES),
}


def qa_pairs(seed: int = 0) -> dict[str, list[dict]]:
    """The splits: every fact is asked in two wordings; 8 facts are held out for validation/test."""
    rng = random.Random(seed)
    facts = []
    for s in SUBJECTS:
        for relation, (questions, answer, values) in RELATIONS.items():
            facts.append((s, relation, rng.choice(values)))
    rng.shuffle(facts)
    held_out, train_facts = facts[:8], facts[8:]

    def examples(facts, wordings):
        out = []
        for s, relation, v in facts:
            questions, answer, _ = RELATIONS[relation]
            text = answer.format(S=s[0].upper() + s[1:], v=v)
            for q in wordings(questions):
                out.append({"question": q.format(s=s), "answer": text,
                            "references": [f"[1] {text}"]})
        return out

    train = examples(train_facts, lambda qs: qs)
    rng.shuffle(train)
    return {
        "train": train,
        "validation": examples(held_out[:4], lambda qs: qs[:1]) + examples(held_out[4:], lambda qs: qs[1:]),
        "test": examples(held_out, lambda qs: qs[:1]),
    }


def build_webglm_qa(dest: Path) -> None:
    for split, rows in qa_pairs().items():
        with open(dest / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")


def build_qa_tuned_gpt2(dest: Path, epochs: int = 20, max_length: int = 32) -> None:
    """The `tiny-gpt2` fixture tuned on the training pairs for a few seconds: it answers in the
    QUESTION/ANSWER format and ends its answers with EOS (6_1's hidden check of `answer_question`)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .fixtures import _save
    from .properties import one_thread
    from .profile import fixture_path

    base = fixture_path("tiny-gpt2")
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base)
    eos = tokenizer.eos_token_id
    rows = []
    for r in qa_pairs()["train"]:
        prompt = tokenizer(f"QUESTION: {r['question']} ANSWER:")["input_ids"]
        answer = tokenizer(" " + r["answer"])["input_ids"] + [eos]
        ids = (prompt + answer)[:max_length]
        labels = ([-100] * len(prompt) + answer)[:max_length]
        pad = max_length - len(ids)
        rows.append((ids + [eos] * pad, [1] * len(ids) + [0] * pad, labels + [-100] * pad))
    input_ids, attention_mask, labels = (torch.tensor(col) for col in zip(*rows))
    with one_thread():  # the same sums in the same order on every run
        torch.manual_seed(0)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
        model.train()
        for _ in range(epochs):
            order = torch.randperm(len(input_ids))
            for i in range(0, len(order), 16):
                b = order[i:i + 16]
                loss = model(input_ids=input_ids[b], attention_mask=attention_mask[b], labels=labels[b]).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
    _save(model.eval(), tokenizer, dest)
