"""GPU checks of 7_1 (perplexity) and of HellaSwag-style continuation scoring at GPT-2 small's size
(`pytest -m gpu`): skipped without CUDA. They import only torch, transformers, hypothesis and the
project's own code, so they run on a machine without nbgrader or datasets.

The model is GPT-2 small (124M): its real weights when they are in the local Hugging Face cache,
random init otherwise. With cached weights and the WikiText-2 raw test text in a file named by
$LLMT_WIKITEXT2_TEST (the split's lines joined with "\\n\\n"), the perplexity is compared with the
GPT-2 paper's 29.41; that comparison is skipped otherwise. Likewise, with $LLMT_HELLASWAG_VALIDATION
naming HellaSwag's validation split as JSON lines, acc_norm is compared with the published 31.14%.
Throughputs are printed (`pytest -s`).
"""

import math
import os
import time

import pytest
import torch
import torch.nn.functional as F

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]

PAPER_GPT2_SMALL = 29.41


def _gpt2_small():
    """(model, tokenizer or None, pretrained?) on the GPU, in bf16."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

    try:
        model = AutoModelForCausalLM.from_pretrained("gpt2", local_files_only=True, dtype=torch.bfloat16)
        tokenizer = AutoTokenizer.from_pretrained("gpt2", local_files_only=True)
        pretrained = True
    except (OSError, ValueError):
        torch.manual_seed(0)
        model, tokenizer, pretrained = GPT2LMHeadModel(GPT2Config()).to(torch.bfloat16), None, False
    return model.cuda().eval(), tokenizer, pretrained


@pytest.fixture(scope="module")
def gpt2_small():
    return _gpt2_small()


def _timed(fn):
    torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    torch.cuda.synchronize()
    return out, time.perf_counter() - start


def test_perplexity_at_gpt2_size(gpt2_small):
    from solutions.perplexity import perplexity

    model, tokenizer, pretrained = gpt2_small
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (16 * 1024,), generator=g)
    ppl_sliding, seconds = _timed(lambda: perplexity(model, ids, 1024, 512))
    ppl_chunks = perplexity(model, ids, 1024)
    print(f"\nGPT-2 small ({'pretrained' if pretrained else 'random init'}), {len(ids):,} random tokens: "
          f"perplexity {ppl_sliding:,.1f} (window 1024, stride 512), {ppl_chunks:,.1f} (no overlap); "
          f"{len(ids) / seconds:,.0f} scored tokens/s with stride 512")
    assert math.isfinite(ppl_sliding) and math.isfinite(ppl_chunks)
    # non-overlapping windows equal chunks scored one by one (token-weighted), on the GPU in bf16
    nll, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(ids), 1024):
            chunk = ids[start:start + 1024].cuda()
            logits = model(input_ids=chunk[None]).logits[0, :-1].float()
            nll += F.cross_entropy(logits, chunk[1:], reduction="sum").item()
            count += len(chunk) - 1
    assert math.isclose(ppl_chunks, math.exp(nll / count), rel_tol=1e-3)
    if not pretrained:
        # near-uniform predictions from a random init: close to the vocabulary size
        assert 0.5 * model.config.vocab_size < ppl_chunks < 2 * model.config.vocab_size


def test_wikitext2_perplexity_near_the_paper(gpt2_small):
    from solutions.perplexity import perplexity

    model, tokenizer, pretrained = gpt2_small
    path = os.environ.get("LLMT_WIKITEXT2_TEST")
    if not pretrained or not path or not os.path.isfile(path):
        pytest.skip("needs gpt2 weights in the local HF cache and $LLMT_WIKITEXT2_TEST (WikiText-2 raw test text)")
    tokenizer.model_max_length = int(1e9)
    ids = tokenizer(open(path, encoding="utf-8").read(), return_tensors="pt")["input_ids"][0]
    ppl, seconds = _timed(lambda: perplexity(model, ids, 1024, 512))
    print(f"\nWikiText-2 test, gpt2: perplexity {ppl:.2f} per token (paper: {PAPER_GPT2_SMALL} after "
          f"detokenization, per word); {len(ids) / seconds:,.0f} tokens/s")
    # per BPE token on the raw text with stride 512, GPT-2 small measures about 25-30
    assert 20 < ppl < 35


def continuation_logprobs_batched(model, contexts, continuations, pad_id=0):
    """Sum of log-probs of each continuation's tokens given its context, all pairs in one padded batch.

    contexts, continuations: lists of 1-D LongTensors (token ids). Right padding; only the
    continuation's tokens are scored.
    """
    seqs = [torch.cat([c, k]) for c, k in zip(contexts, continuations)]
    length = max(len(s) for s in seqs)
    batch = torch.full((len(seqs), length), pad_id, dtype=torch.long)
    mask = torch.zeros_like(batch)
    for i, s in enumerate(seqs):
        batch[i, :len(s)] = s
        mask[i, :len(s)] = 1
    batch, mask = batch.cuda(), mask.cuda()
    with torch.no_grad():
        logp = F.log_softmax(model(input_ids=batch, attention_mask=mask).logits.float(), -1)
    scores = []
    for i, (c, k) in enumerate(zip(contexts, continuations)):
        positions = torch.arange(len(c) - 1, len(c) + len(k) - 1, device="cuda")
        scores.append(logp[i, positions, k.cuda()].sum().item())
    return scores


def _items(n_items, vocab_size, seed=0):
    """HellaSwag-shaped items from random token ids: a context and four endings each."""
    g = torch.Generator().manual_seed(seed)
    items = []
    for _ in range(n_items):
        context = torch.randint(0, vocab_size, (int(torch.randint(40, 120, (1,), generator=g)),), generator=g)
        endings = [torch.randint(0, vocab_size, (int(torch.randint(8, 40, (1,), generator=g)),), generator=g)
                   for _ in range(4)]
        items.append((context, endings))
    return items


def test_continuation_scoring_at_gpt2_size_is_independent_of_batching(gpt2_small):
    model, tokenizer, pretrained = gpt2_small
    items = _items(64, model.config.vocab_size)
    contexts = [c for c, endings in items for _ in endings]
    continuations = [k for _, endings in items for k in endings]
    one_by_one, t_single = _timed(lambda: [continuation_logprobs_batched(model, [c], [k])[0]
                                           for c, k in zip(contexts[:32], continuations[:32])])
    batched, t_batched = _timed(lambda: [s for i in range(0, len(contexts), 64)
                                         for s in continuation_logprobs_batched(model, contexts[i:i + 64],
                                                                                continuations[i:i + 64])])
    print(f"\ncontinuation scoring, GPT-2 small ({'pretrained' if pretrained else 'random init'}), bf16: "
          f"{32 / t_single:,.0f} requests/s one by one, {len(contexts) / t_batched:,.0f} requests/s in batches "
          f"of 64 ({len(items) / t_batched:,.0f} HellaSwag items/s)")
    for a, b, k in zip(one_by_one, batched, continuations):
        # bf16 logits: allow a small per-token difference between padded and unpadded passes
        assert abs(a - b) < 0.05 * len(k) + 0.5, (a, b)
    # the argmax choice per item barely moves with batching
    picks_single = [max(range(4), key=lambda j: one_by_one[4 * i + j]) for i in range(8)]
    picks_batched = [max(range(4), key=lambda j: batched[4 * i + j]) for i in range(8)]
    assert sum(a == b for a, b in zip(picks_single, picks_batched)) >= 7


def test_project_hellaswag_scorer_agrees_when_present(gpt2_small):
    """solutions.hellaswag (assignment 7_2) scores continuations as the batched scorer above."""
    hellaswag = pytest.importorskip("solutions.hellaswag")
    model, tokenizer, pretrained = gpt2_small
    if tokenizer is None:
        pytest.skip("continuation_logprobs takes text: needs the gpt2 tokenizer in the local HF cache")
    context = "A man is sitting on a roof. He"
    endings = [" is using wrap to wrap a pair of skis.", " starts pulling up roofing on a roof.",
               " is ripping level tiles off.", " holds a rubik's cube."]
    got = hellaswag.continuation_logprobs(model, tokenizer, context, endings)
    ctx = torch.tensor(tokenizer(context)["input_ids"])
    expected = []
    for e in endings:
        whole = tokenizer(context + e)["input_ids"]
        expected += continuation_logprobs_batched(model, [ctx], [torch.tensor(whole[len(ctx):])])
    assert all(abs(a - b) < 0.5 for a, b in zip(got, expected)), (got, expected)


PUBLISHED_GPT2_ACC_NORM = 0.3114  # lm-evaluation-harness, GPT-2 124M, the 10,042 validation items


def hellaswag_accuracy(model, tokenizer, items, batch_size=64):
    """(acc, acc_norm) of `items` (HellaSwag rows) as lm-evaluation-harness scores them, batched.

    Requests come from solutions.hellaswag.build_request (7_2's reference); the continuation's
    tokens are what tokenizing context + continuation adds after the context's tokens."""
    from solutions.hellaswag import build_request

    device = next(model.parameters()).device
    contexts, continuations, lengths = [], [], []
    for item in items:
        context, choices = build_request(item)
        ctx = tokenizer(context)["input_ids"]
        for choice in choices:
            whole = tokenizer(context + choice)["input_ids"]
            contexts.append(torch.tensor(ctx))
            continuations.append(torch.tensor(whole[len(ctx):]))
            lengths.append(len(choice))
    scores = []
    for i in range(0, len(contexts), batch_size):
        seqs = [torch.cat([c, k]) for c, k in zip(contexts[i:i + batch_size], continuations[i:i + batch_size])]
        batch = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True).to(device)
        mask = torch.nn.utils.rnn.pad_sequence([torch.ones_like(s) for s in seqs], batch_first=True).to(device)
        with torch.no_grad():
            logp = F.log_softmax(model(input_ids=batch, attention_mask=mask).logits.float(), -1)
        for j, (c, k) in enumerate(zip(contexts[i:i + batch_size], continuations[i:i + batch_size])):
            positions = torch.arange(len(c) - 1, len(c) + len(k) - 1, device=device)
            scores.append(logp[j, positions, k.to(device)].sum().item())
    acc = acc_norm = 0
    start = 0
    for item in items:
        n = len(item["endings"])
        s, chars = scores[start:start + n], lengths[start:start + n]
        label = int(item["label"])
        acc += max(range(n), key=lambda j: s[j]) == label
        acc_norm += max(range(n), key=lambda j: s[j] / chars[j]) == label
        start += n
    return acc / len(items), acc_norm / len(items)


def test_hellaswag_acc_norm_near_the_published_figure():
    """With gpt2 in the local HF cache and $LLMT_HELLASWAG_VALIDATION naming the validation split as
    JSON lines (activity_label, ctx_a, ctx_b, endings, label), GPT-2 small's acc_norm is near 31.14%."""
    import json

    from transformers import AutoModelForCausalLM, AutoTokenizer

    pytest.importorskip("solutions.hellaswag")
    path = os.environ.get("LLMT_HELLASWAG_VALIDATION")
    try:
        model = AutoModelForCausalLM.from_pretrained("gpt2", local_files_only=True).cuda().eval()  # float32
        tokenizer = AutoTokenizer.from_pretrained("gpt2", local_files_only=True)
    except (OSError, ValueError):
        model = None
    if model is None or not path or not os.path.isfile(path):
        pytest.skip("needs gpt2 weights in the local HF cache and $LLMT_HELLASWAG_VALIDATION (HellaSwag validation JSONL)")
    with open(path, encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    (acc, acc_norm), seconds = _timed(lambda: hellaswag_accuracy(model, tokenizer, items))
    print(f"\nHellaSwag validation, gpt2, {len(items):,} items: acc {acc:.2%}, acc_norm {acc_norm:.2%} "
          f"(published: 28.92%, 31.14%); {len(items) / seconds:,.0f} items/s")
    if len(items) > 10_000:
        assert abs(acc_norm - PUBLISHED_GPT2_ACC_NORM) < 0.01
    else:
        assert abs(acc_norm - PUBLISHED_GPT2_ACC_NORM) < 0.05
