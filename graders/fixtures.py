"""Built offline fixtures shared by several assignments: a tokenizer and tiny language models.

They stand in for the Hub's GPT-2 tokenizer, `gpt2` and `EleutherAI/gpt-neo-125m` under the offline
profile (DESIGN.md, "Profiles"). Each `build_*` writes one folder that `from_pretrained` loads, the
same call the full profile makes with a Hub name. Builds are deterministic (a fixed corpus and fixed
seeds) and take a few seconds; graders/profile.py caches them once per machine.

- `tokenizer`: a byte-level BPE (GPT-2's scheme: every byte is a token, so any text encodes),
  trained with Hugging Face `tokenizers` on `tokenizer_corpus()` (generated sentences plus the
  English help texts every Python ships in `pydoc_data`), with `<|endoftext|>` as its end-of-text
  and no padding token, like GPT-2's.
- `tiny-gpt2`, `tiny-gpt-neo`: random-init GPT-2 / GPT-Neo configurations a few hundred thousand
  parameters large, saved together with that tokenizer.
"""

from __future__ import annotations

import random
from pathlib import Path

EOS = "<|endoftext|>"
TOKENIZER_VOCAB_SIZE = 4096
CONTEXT = 256

_SUBJECTS = ["the cat", "a dog", "my friend", "the old man", "a young girl", "the teacher", "our neighbour",
             "the king", "a small bird", "the doctor", "her brother", "the farmer", "a sailor", "the queen"]
_VERBS = ["sees", "likes", "finds", "carries", "paints", "follows", "remembers", "visits", "reads", "builds",
          "answers", "watches", "opens", "keeps"]
_OBJECTS = ["a red apple", "the river", "an old book", "the garden", "a long letter", "the bright moon",
            "a wooden boat", "the city", "a quiet song", "the green hill", "a golden key", "the morning light"]
_ADVERBS = ["slowly", "quickly", "today", "at night", "in the morning", "again", "with care", "in silence"]
_QUESTIONS = ["What", "Who", "Where", "When", "Why", "How"]


def generated_text(num_sentences: int = 6000, seed: int = 0) -> str:
    """Plain English-like sentences, questions and numbers: the tokenizer's training corpus."""
    rng = random.Random(seed)
    lines = []
    for _ in range(num_sentences):
        kind = rng.random()
        if kind < 0.6:
            line = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_ADVERBS)}."
        elif kind < 0.8:
            line = f"{rng.choice(_QUESTIONS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}? {rng.choice(_SUBJECTS)} does."
        else:
            line = f"In {rng.randint(1800, 2030)}, {rng.randint(2, 99)} people said: \"{rng.choice(_OBJECTS)}!\""
        lines.append(line[0].upper() + line[1:])
    return "\n".join(lines) + "\n"


def tokenizer_corpus() -> list[str]:
    from pydoc_data.topics import topics

    help_texts = [topics[k] for k in sorted(topics)]
    return generated_text().splitlines(keepends=True) + help_texts


def build_tokenizer(dest: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=TOKENIZER_VOCAB_SIZE, special_tokens=[EOS], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(tokenizer_corpus(), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token=EOS, eos_token=EOS, unk_token=EOS, model_max_length=CONTEXT,
    )
    tokenizer.save_pretrained(dest)


def _tokenizer():
    from transformers import AutoTokenizer

    from .profile import fixture_path

    return AutoTokenizer.from_pretrained(fixture_path("tokenizer"))


def _save(model, tokenizer, dest: Path) -> None:
    from transformers.utils import logging

    logging.disable_progress_bar()
    model.save_pretrained(dest)
    tokenizer.save_pretrained(dest)


def build_tiny_gpt2(dest: Path) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = _tokenizer()
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=CONTEXT, n_embd=64, n_layer=2, n_head=2,
        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(0)
    _save(GPT2LMHeadModel(config).eval(), tokenizer, dest)


def build_tiny_gpt_neo(dest: Path) -> None:
    import torch
    from transformers import GPTNeoConfig, GPTNeoForCausalLM

    tokenizer = _tokenizer()
    config = GPTNeoConfig(
        vocab_size=len(tokenizer), max_position_embeddings=CONTEXT, hidden_size=64, num_layers=2,
        num_heads=2, attention_types=[[["global", "local"], 1]], window_size=64,
        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(0)
    _save(GPTNeoForCausalLM(config).eval(), tokenizer, dest)
