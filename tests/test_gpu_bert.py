"""GPU checks of 5_3 (`pytest -m gpu`): the reference BertClassifier at bert-base size, fully
fine-tuned and with LoRA, a few dozen bf16-autocast steps on the GPU. Skipped without CUDA.

It imports only torch, transformers, peft and the project's code (no nbgrader, no datasets). The
encoder is bert-base-uncased when its weights are in the local Hugging Face cache, otherwise a
random-init model of the same configuration (12 layers, 768 wide, 30,522 tokens). The data are random
token sequences whose label is a rule on their tokens, so that the loss can fall in a few dozen steps.
"""

import time

import pytest
import torch
import torch.nn.functional as F

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]

BATCH, SEQ, STEPS, TIMED = 32, 256, 40, 20
H100_BF16_PEAK = 989e12  # dense bf16 FLOP/s of an H100 SXM, for the utilisation estimate


def bert_base():
    from transformers import BertConfig, BertModel

    try:
        return BertModel.from_pretrained("bert-base-uncased", local_files_only=True), "pretrained"
    except (OSError, ValueError):
        torch.manual_seed(0)
        return BertModel(BertConfig()), "random init"


def batches(vocab, n=8, seed=0):
    """n fixed batches; the label says whether the first content token is in the lower half of the vocabulary."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        ids = torch.randint(1000, vocab, (BATCH, SEQ), generator=g)
        ids[:, 0] = 101  # [CLS]
        labels = (ids[:, 1] < (1000 + vocab) // 2).long()
        out.append({"input_ids": ids.cuda(), "attention_mask": torch.ones_like(ids).cuda(), "labels": labels.cuda()})
    return out


@pytest.mark.parametrize("variant", ["full", "lora"])
def test_bert_base_fine_tunes_in_bf16(variant):
    from solutions.bert_classification import BertClassifier, apply_lora

    bert, origin = bert_base()
    model = BertClassifier(bert, num_classes=2)
    lr = 5e-5
    if variant == "lora":
        model = apply_lora(model)
        lr = 1e-3
    model = model.cuda().train()
    params = [p for p in model.parameters() if p.requires_grad]
    n_all = sum(p.numel() for p in model.parameters())
    n_trainable = sum(p.numel() for p in params)
    optimizer = torch.optim.AdamW(params, lr=lr)
    data = batches(bert.config.vocab_size)
    losses, start = [], None
    for step in range(STEPS):
        if step == STEPS - TIMED:
            torch.cuda.synchronize()
            start = time.perf_counter()
        batch = data[step % len(data)]
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
            logits = model(batch["input_ids"], attention_mask=batch["attention_mask"])
        loss = F.cross_entropy(logits.float(), batch["labels"])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    assert all(torch.isfinite(torch.tensor(losses))), f"non-finite loss: {losses}"
    first, last = sum(losses[:4]) / 4, sum(losses[-4:]) / 4
    assert last < first, f"the loss did not fall: first steps {losses[:4]}, last steps {losses[-4:]}"
    examples = TIMED * BATCH / seconds
    tokens = examples * SEQ
    # forward 2N FLOPs per token, backward 4N with weight gradients (full) or 2N without (frozen weights)
    n_encoder = n_all - sum(p.numel() for n, p in model.named_parameters() if "embeddings" in n)
    flops_per_token = (6 if variant == "full" else 4) * n_encoder
    print(f"\nBERT-base ({origin}), {variant}: {n_trainable:,} trainable of {n_all:,}; loss {first:.3f} -> {last:.3f}; "
          f"{examples:,.0f} examples/s, {tokens:,.0f} tokens/s at batch {BATCH}x{SEQ}, bf16 autocast; "
          f"model FLOPs utilisation about {tokens * flops_per_token / H100_BF16_PEAK:.0%} of an H100's bf16 peak "
          f"({torch.cuda.get_device_name()})")
