"""The one list of the course's assignments.

nbgrader_config.py, the `llmt` command and the tests all read this table; nothing else lists the
assignments. An assignment id is the seed notebook's stem and names its folder in `source/` and
`release/`; `module` names its reference module in `solutions/` and its checks in `graders/`.
`points` is the weight of the whole assignment: its grade cells' points add up to it (a test
says so). `gpu` marks assignments whose full profile wants a GPU (fine-tuning, evaluation).
`offline` maps the environment variables a notebook reads to the offline fixtures
(graders/profile.py) that stand in for Hub models and datasets when grading. `ships` names the
modules of earlier assignments that a notebook builds on: `llmt release` writes each one (and
whatever it builds on in turn, see `shipped`) beside the notebook, generated from its own
assignment's source notebook, so students import the same code that `solutions/` holds.
`check_fixtures` names the fixtures a module's hidden checks load themselves; grading builds them
first, with the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

COURSE_ID = "llm-model-trainings"
COURSE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Assignment:
    id: str
    module: str
    title: str
    points: int = 10
    gpu: bool = False
    offline: dict[str, str] = field(default_factory=dict)
    ships: tuple[str, ...] = ()
    #: fixtures the hidden checks load themselves (beyond `offline`): built before grading starts,
    #: never inside a graded cell's time limit
    check_fixtures: tuple[str, ...] = ()

    @property
    def source_notebook(self) -> Path:
        return COURSE_ROOT / "source" / self.id / f"{self.id}.ipynb"

    @property
    def release_notebook(self) -> Path:
        return COURSE_ROOT / "release" / self.id / f"{self.id}.ipynb"

    @property
    def solution_module(self) -> Path:
        return COURSE_ROOT / "solutions" / f"{self.module}.py"

    @property
    def authored(self) -> bool:
        """Whether the source notebook exists yet (the course is built issue by issue)."""
        return self.source_notebook.is_file()


ASSIGNMENTS: tuple[Assignment, ...] = (
    Assignment("1_1_tokenization_impl_byte_pair_encoding", "bpe", "Byte Pair Encoding"),
    Assignment(
        "2_1_embedding_explore_position_embedding", "position_embeddings", "Position Embeddings",
        offline={"LLMT_POSITION_MODEL": "minilm"},
    ),
    Assignment(
        "2_2_embedding_train_token_embedding", "word_embeddings", "Train Token Embeddings",
        offline={"LLMT_WORD_DATASET": "synonym_corpus"},
    ),
    Assignment(
        "3_1_transformer_impl_attention_qkv", "attention", "Attention (Q, K, V)",
        offline={"LLMT_EMBEDDING_MODEL": "minilm"},
    ),
    Assignment("3_2_transformer_impl_transformer_block", "transformer_block", "Transformer Block"),
    Assignment(
        "3_3_transformer_impl_multi_head_attention", "multi_head_attention", "Multi-Head Attention",
        ships=("transformer_block",),
    ),
    Assignment(
        "3_4_transformer_impl_full_transformer_decoder", "decoder", "Full Decoder",
        offline={"LLMT_GPT2_MODEL": "tiny-gpt2"}, ships=("transformer_block", "multi_head_attention"),
    ),
    Assignment(
        "4_1_pre_training_weight_init", "weight_init", "Weight Initialization",
        offline={"LLMT_TOKENIZER": "tokenizer", "LLMT_PRETRAIN_CORPUS": "pretrain-corpus"}, ships=("decoder",),
    ),
    Assignment(
        "4_2_pre_training_dropout", "dropout", "Dropout",
        offline={"LLMT_TOKENIZER": "tokenizer", "LLMT_PRETRAIN_CORPUS": "pretrain-corpus"}, ships=("weight_init",),
    ),
    Assignment(
        "5_1_fine_tuning_writing_style", "writing_style", "Writing Style", gpu=True,
        offline={"LLMT_GPT_NEO_MODEL": "tiny-gpt-neo", "LLMT_ROMEO_TEXT": "style-play",
                 "LLMT_ALICE_TEXT": "style-tale"},
    ),
    Assignment(
        "5_2_fine_tuning_freeze_weights", "freeze_weights", "Freeze Weights", gpu=True,
        offline={"LLMT_GPT_NEO_MODEL": "tiny-gpt-neo", "LLMT_ROMEO_TEXT": "style-play"},
    ),
    Assignment(
        "5_3_fine_tuning_bert_classfication", "bert_classification", "BERT Classification", gpu=True,
        offline={"LLMT_BERT_MODEL": "minilm", "LLMT_SENTIMENT_DATA": "sentiment"},
    ),
    Assignment(
        "5_4_fine_tuning_gradient_clipping_and_lr_scheduler", "clipping_schedulers",
        "Grad Clipping & Schedulers", gpu=True,
        offline={"LLMT_GPT2_MODEL": "tiny-gpt2", "LLMT_SENTIMENT_DATA": "sentiment"},
    ),
    Assignment(
        "6_1_instruction_tuning", "instruction_tuning", "Instruction Tuning", gpu=True,
        offline={"LLMT_GPT2_MODEL": "tiny-gpt2", "LLMT_QA_DATASET": "webglm-qa"},
        check_fixtures=("tokenizer", "qa-tuned-gpt2"),
    ),
    Assignment(
        "7_1_evaluation_quantitative_perplexity", "perplexity", "Perplexity", gpu=True,
        offline={"LLMT_PPL_MODELS": "ppl-models", "LLMT_PPL_DATASET": "ppl-text"},
    ),
    Assignment(
        "7_2_evaluation_quantitative_HellaSwag", "hellaswag", "HellaSwag", gpu=True,
        offline={"LLMT_SMALL_MODEL": "eval-small", "LLMT_LARGE_MODEL": "eval-large", "LLMT_HELLASWAG": "hellaswag-items"},
        check_fixtures=("tiny-gpt2", "tiny-gpt-neo"),
    ),
    Assignment(
        "7_3_evaluation_quantitative_KL_divergence", "kl_divergence", "KL Divergence", gpu=True,
        offline={"LLMT_SMALL_MODEL": "eval-small", "LLMT_LARGE_MODEL": "eval-large", "LLMT_HUMAN_TEXT": "human-text"},
        check_fixtures=("tiny-gpt2", "tiny-gpt-neo"),
    ),
)

_BY_ID = {a.id: a for a in ASSIGNMENTS}


def get(assignment_id: str) -> Assignment:
    """The assignment with this id; a short prefix such as `3_1` is accepted when unambiguous."""
    if assignment_id in _BY_ID:
        return _BY_ID[assignment_id]
    matches = [a for a in ASSIGNMENTS if a.id.startswith(assignment_id.rstrip("_") + "_")]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(a.id for a in ASSIGNMENTS)
    raise KeyError(f"unknown assignment {assignment_id!r}; the course has: {known}")


def owner(module: str) -> Assignment:
    """The assignment whose reference module is `module`."""
    for a in ASSIGNMENTS:
        if a.module == module:
            return a
    raise KeyError(f"no assignment has the module {module!r}")


def shipped(assignment: Assignment) -> list[Assignment]:
    """The earlier assignments whose modules ship with `assignment`, in course order.

    The closure of `ships`: a shipped module's own shipped modules ship too, since it imports them.
    """
    found: set[str] = set()
    todo = list(assignment.ships)
    while todo:
        module = todo.pop()
        if module not in found:
            found.add(module)
            todo += owner(module).ships
    return [a for a in ASSIGNMENTS if a.module in found]


def authored() -> list[Assignment]:
    """The assignments whose source notebook exists, in course order."""
    return [a for a in ASSIGNMENTS if a.authored]
