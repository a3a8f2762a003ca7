"""The oracles a part's code must not call: one table for the whole course.

Where a task is to write something that a library already does (torch's attention, tiktoken's
encoder, torch's gradient clipping, transformers' schedules, scipy's divergences, sklearn's cosine
similarity), calling the library in the student's code costs that part. The checks compare
against these very oracles, so the rule is enforced where the student's code runs: every call a
check makes on the student's objects is watched (graders/wire.py `watching`), in the kernel when
the judge grades, in this process when a test calls a check directly. A name may be a function
(torch builtins are seen whatever the student's code calls them) or a module, which forbids every
function defined in it and in its submodules.
"""

from __future__ import annotations

#: "<grader module>.<check>" -> qualified names the student's code may not call during that check
FORBIDDEN: dict[str, tuple[str, ...]] = {
    # 1_1: the encoder is the task; tiktoken only supplies GPT-4's ranks, outside the student's code
    "bpe.check_tokenizer": ("tiktoken",),
    "bpe.check_gpt4_tokenizer": ("tiktoken",),
    # 2_1: cosine similarity written with NumPy
    "position_embeddings.check_cosine_similarity_matrix": ("sklearn", "scipy"),
    "position_embeddings.check_close_far_similarity": ("sklearn", "scipy"),
    # 3_1: attention written out, not torch's fused kernel
    "attention.check_attention_weights": ("torch.nn.functional.scaled_dot_product_attention",),
    "attention.check_scaled_dot_product_attention": ("torch.nn.functional.scaled_dot_product_attention",),
    "attention.check_masks": ("torch.nn.functional.scaled_dot_product_attention",),
    # 4_2: the dropout mask drawn by hand (attention_with_dropout may use SDPA's dropout_p, as the task says)
    "dropout.check_dropout": ("torch.nn.functional.dropout", "torch.dropout"),
    # 5_4: clipping and schedules written out
    "clipping_schedulers.check_clip_grad_norm": (
        "torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad_norm", "torch.nn.utils.clip_grad_value_",
        "torch.nn.utils.get_total_norm", "torch.nn.utils.clip_grads_with_norm_",
        "torch.nn.utils.clip_grad._get_total_norm", "torch.nn.utils.clip_grad._clip_grads_with_norm_"),
    "clipping_schedulers.check_linear_warmup_lambda": ("transformers.optimization",),
    "clipping_schedulers.check_cosine_warmup_lambda": ("transformers.optimization",),
    # 7_3: divergences written with NumPy
    "kl_divergence.check_kl_divergence": ("scipy",),
    "kl_divergence.check_js_divergence": ("scipy",),
}


def forbidden(module: str, check: str) -> tuple[str, ...]:
    return FORBIDDEN.get(f"{module}.{check}", ())
