"""Hidden checks of 6_1_instruction_tuning (prompt template, label masking, answering).

Oracles: the template itself; for `tokenize_example`, labels rebuilt from the token counts of the
prompt and of the answer (input ids exactly on the answer's tokens and its EOS, -100 on the prompt
and on padding); the loss a small GPT-2 computes from the student's example, compared with the
reference's. Tokenizers: the course's byte-level BPE (GPT-2's scheme, no pad token of its own)
with its pad token set to EOS, as the notebook does, and one with a pad token distinct from EOS.
`answer_question` is compared with the reference's greedy answer on a tiny GPT-2 tuned on the
offline QA pairs (it stops by emitting EOS), on a random-init one (it never does) and on one that emits
EOS at scattered places and goes on after it.

The student's code runs in its own process (graders/judge.py) and gets tokenizers and models built
there the same way (`student_module("transformers")`, from the same fixtures and weights); the
expected values come from the judge's own, which no student code ever touches.

The edge cases each part probes are listed in `EDGES` and stated in the notebook; the invalid
arguments (`max_length < 1`, a negative `max_new_tokens`) are graded apart, in `check_input_checks`
(graders/contract.py), and no computation part tries them.
Hands out: tokenizers and models built where the student's code runs from the same fixtures and
weights; strings and counts by value; nothing of the judge's own.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import torch
from hypothesis import example, given
from hypothesis import strategies as st

from solutions import instruction_tuning as reference

from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import grading, manual_seed, on_one_thread, quiet_libraries, run_property, student_module

KEYS = ("input_ids", "attention_mask", "labels")
# Any Unicode text (hypothesis' default alphabet: every plane, combining marks, controls), empty
# included, and long enough to be truncated.
TEXT = st.text(max_size=120)

_TOKENIZE_EDGES = (
    Edge("an empty question and an empty answer"),
    Edge("any Unicode, combining marks included"),
    Edge("texts long enough to be truncated, and a `max_length` so short that the prompt itself is cut "
         "(down to `max_length = 1`)"),
    Edge("a tokenizer whose pad token is the EOS, and one with a pad token of its own"),
)
#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_format_prompt": (
        Edge("empty strings"),
        Edge("any Unicode: accents, emoji, other scripts, control characters"),
        Edge("no `answer`, and the empty answer `\"\"` (which still gets its space after `ANSWER:`)"),
    ),
    "check_tokenize_inputs": _TOKENIZE_EDGES,
    "check_tokenize_labels": (*_TOKENIZE_EDGES,
                              Edge("examples cut so short that no answer token is left (every label is -100)")),
    "check_answer_question": (
        Edge("`max_new_tokens = 1`"),
        Edge("questions of any Unicode text"),
        Edge("a model that never produces the EOS (the answer runs to `max_new_tokens` tokens)"),
        Edge("a model that produces the EOS at scattered places and would go on after it: stop at the first "
             "one, even when it is the first new token (the answer is then `\"\"`)"),
    ),
}


def _tokenizers(transformers) -> dict[str, object]:
    """"pad=eos": the notebook's setting; "own pad": a tokenizer whose pad token is not EOS."""
    from .profile import fixture_path

    path = str(fixture_path("tokenizer"))
    eos_pad = transformers.AutoTokenizer.from_pretrained(path)
    eos_pad.pad_token = eos_pad.eos_token
    own_pad = transformers.AutoTokenizer.from_pretrained(path)
    own_pad.add_special_tokens({"pad_token": "<|pad|>"})
    return {"pad=eos": eos_pad, "own pad": own_pad}


@functools.lru_cache(maxsize=None)
def tokenizers() -> dict[str, object]:
    """The judge's own tokenizers, for expected values."""
    import transformers

    return _tokenizers(transformers)


def student_tokenizers() -> dict[str, object]:
    """The same tokenizers, built where the student's code runs: the ones the student's code gets."""
    return _tokenizers(student_module("transformers"))


@functools.lru_cache(maxsize=None)
def loss_model():
    from transformers import GPT2Config, GPT2LMHeadModel

    tok = tokenizers()["own pad"]
    manual_seed(0)
    config = GPT2Config(vocab_size=len(tok), n_positions=256, n_embd=32, n_layer=1, n_head=2,
                        initializer_range=0.2, bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    return GPT2LMHeadModel(config).eval()


class Example(NamedTuple):
    question: str
    answer: str
    max_length: int
    tokenizer: str


def examples():
    return st.builds(Example, question=TEXT, answer=TEXT, max_length=st.integers(1, 96),
                     tokenizer=st.sampled_from(["pad=eos", "own pad"]))


def _call(tokenize_example, theirs: dict, ex: Example) -> dict:
    """tokenize_example on `ex` with the student's side's tokenizer (`theirs`: student_tokenizers())."""
    out = tokenize_example(ex.question, ex.answer, theirs[ex.tokenizer], ex.max_length)
    if not isinstance(out, dict) or not all(k in out for k in KEYS):
        raise AssertionError(f"tokenize_example must return a dict with keys {KEYS}, got "
                             f"{type(out).__name__} {sorted(out) if isinstance(out, dict) else ''}")
    for k in KEYS:
        t = out[k]
        if not isinstance(t, torch.Tensor) or t.dtype != torch.long or t.dim() != 1:
            raise AssertionError(f"{k} must be a 1-D LongTensor (torch.long), got "
                                 f"{type(t).__name__} {getattr(t, 'dtype', '')} {tuple(getattr(t, 'shape', ()))}")
        if len(t) != ex.max_length:
            raise AssertionError(f"{k} must have length max_length={ex.max_length} (truncate, then pad), got {len(t)}")
    return out


def _show(t: torch.Tensor) -> str:
    return str(t.tolist())


def _expected_labels(ex: Example) -> torch.Tensor:
    """The oracle: ids on the answer and its EOS, -100 on the prompt and padding, from token counts."""
    tok = tokenizers()[ex.tokenizer]
    prompt = tok(f"QUESTION: {ex.question} ANSWER:", add_special_tokens=False)["input_ids"]
    answer = tok(" " + ex.answer, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    labels = ([-100] * len(prompt) + answer)[: ex.max_length]
    return torch.tensor(labels + [-100] * (ex.max_length - len(labels)))


@on_one_thread
@quiet_libraries()
@judged
def check_format_prompt(format_prompt) -> None:
    """Part 1: "QUESTION: {question} ANSWER:" and, with an answer, " {answer}" appended."""
    __tracebackhide__ = True

    @grading(200)
    @given(TEXT, st.none() | TEXT)
    @example("What is a cat?", None)
    @example("What is a cat?", "An animal.")
    @example("", "")
    def matches_reference(question, answer):
        expected = reference.format_prompt(question, answer)
        got = format_prompt(question) if answer is None else format_prompt(question, answer)
        if got != expected:
            raise AssertionError(f"format_prompt({question!r}, {answer!r}): expected {expected!r}, got {got!r}")

    run_property("format_prompt", matches_reference)


#: tried first by both tokenize checks: a plain pair with each tokenizer, empty strings cut to 3
#: tokens, and Unicode with a combining mark
EXAMPLES = (
    Example("Where does the cat live?", "In the garden.", 48, "pad=eos"),
    Example("Where does the cat live?", "In the garden.", 48, "own pad"),
    Example("", "", 3, "pad=eos"),
    Example("日本の首都は？ 🗼", "東京です。e\u0301", 64, "own pad"),
)


def _on_examples(prop):
    """@given(examples()) with EXAMPLES tried first (as a stack of @example decorators would)."""
    for ex in reversed(EXAMPLES):
        prop = example(ex)(prop)
    return given(examples())(prop)


@on_one_thread
@quiet_libraries()
@judged
def check_tokenize_inputs(tokenize_example) -> None:
    """Part 2: input_ids (prompt, answer, EOS, truncated, right-padded with the pad id) and attention_mask."""
    __tracebackhide__ = True
    theirs = student_tokenizers()

    @grading(150)
    @_on_examples
    def matches_reference(ex):
        got = _call(tokenize_example, theirs, ex)
        expected = reference.tokenize_example(ex.question, ex.answer, tokenizers()[ex.tokenizer], ex.max_length)
        for k in ("input_ids", "attention_mask"):
            if not torch.equal(got[k], expected[k]):
                raise AssertionError(f"{k}: expected {_show(expected[k])}, got {_show(got[k])} "
                                     f"(prompt tokens, then ' ' + answer tokens, then EOS; cut to max_length; "
                                     f"right-padded with tokenizer.pad_token_id)")

    run_property("tokenize_example: input_ids and attention_mask", matches_reference)


@on_one_thread
@quiet_libraries()
@judged
def check_tokenize_labels(tokenize_example) -> None:
    """Part 3: labels are the input ids on the answer and its EOS, -100 elsewhere; the loss follows."""
    __tracebackhide__ = True
    theirs = student_tokenizers()

    @grading(150)
    @_on_examples
    def labels_mask_prompt_and_padding(ex):
        got = _call(tokenize_example, theirs, ex)
        expected = _expected_labels(ex)
        reference_labels = reference.tokenize_example(ex.question, ex.answer, tokenizers()[ex.tokenizer],
                                                      ex.max_length)["labels"]
        assert torch.equal(expected, reference_labels)
        labels = got["labels"]
        if torch.equal(labels, expected):
            return
        eos = tokenizers()[ex.tokenizer].eos_token_id
        hint = ""
        eos_at = (expected == eos).nonzero().flatten().tolist()
        if eos_at and (labels[eos_at] == -100).any():
            hint = (" The EOS that ends the answer must be learned: keep its id in the labels (do not mask "
                    "by value `input_ids == pad_token_id` when pad is EOS).")
        elif ((expected == -100) & (labels != -100)).any():
            first = int(((expected == -100) & (labels != -100)).nonzero()[0])
            where = "padding" if got["attention_mask"][first] == 0 else "the prompt"
            hint = f" Position {first} is in {where}: its label must be -100 so the loss ignores it."
        raise AssertionError(f"labels: expected {_show(expected)}, got {_show(labels)}.{hint}")

    @grading(25)
    @given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=4), st.integers(8, 64))
    def loss_matches_reference(pairs, max_length):
        tok = tokenizers()["pad=eos"]
        mine = [_call(tokenize_example, theirs, Example(q, a, max_length, "pad=eos")) for q, a in pairs]
        ref = [reference.tokenize_example(q, a, tok, max_length) for q, a in pairs]
        model = loss_model()
        with torch.no_grad():
            got = model(**{k: torch.stack([e[k] for e in mine]) for k in KEYS}).loss
            expected = model(**{k: torch.stack([e[k] for e in ref]) for k in KEYS}).loss
        if not torch.isclose(got, expected, rtol=1e-5, atol=1e-6, equal_nan=True):  # nan: nothing labelled
            raise AssertionError(f"the loss of a small GPT-2 on your examples is {got.item():.6f}, on the "
                                 f"reference's {expected.item():.6f}: the loss must cover the answer and its EOS only")

    run_property("tokenize_example: labels", labels_mask_prompt_and_padding)
    run_property("tokenize_example: loss", loss_matches_reference)


def _answer_models(transformers, eos_prone_state=None):
    """The tokenizer and the three models (eval mode); the EOS-prone one gets `eos_prone_state` when given."""
    from .profile import fixture_path

    tuned = str(fixture_path("qa-tuned-gpt2"))
    tok = transformers.AutoTokenizer.from_pretrained(tuned)
    tok.pad_token = tok.eos_token
    eos = tok.eos_token_id
    config = transformers.GPT2Config(vocab_size=len(tok), n_positions=256, n_embd=64, n_layer=2, n_head=2,
                                     tie_word_embeddings=False, bos_token_id=eos, eos_token_id=eos)
    eos_prone = transformers.GPT2LMHeadModel(config)
    if eos_prone_state is not None:
        eos_prone.load_state_dict(eos_prone_state)
    return tok, {
        "tuned": transformers.AutoModelForCausalLM.from_pretrained(tuned).eval(),
        "random": transformers.AutoModelForCausalLM.from_pretrained(str(fixture_path("tiny-gpt2"))).eval(),
        "eos-prone": eos_prone.eval(),
    }


@functools.lru_cache(maxsize=None)
def answer_models():
    """The judge's own tokenizer and models, for expected values. The EOS-prone model is a random
    GPT-2 whose EOS logit is scaled up: it emits EOS at scattered positions and goes on with other
    tokens after it, so text after the first EOS shows whether generation stopped there."""
    import transformers
    from transformers.utils import logging

    logging.disable_progress_bar()
    manual_seed(0)
    tok, models = _answer_models(transformers)
    with torch.no_grad():
        models["eos-prone"].lm_head.weight[tok.eos_token_id] *= 4.0
    return tok, models


def student_answer_models():
    """The same tokenizer and models, built where the student's code runs (the same weights)."""
    _, models = answer_models()
    return _answer_models(student_module("transformers"), models["eos-prone"].state_dict())


@on_one_thread
@quiet_libraries()
@judged
def check_answer_question(answer_question) -> None:
    """Part 4: greedy answer of the model, stopped at EOS, without the prompt."""
    __tracebackhide__ = True
    from .fixtures_qa import qa_pairs

    questions = [r["question"] for split in qa_pairs().values() for r in split]
    their_tok, their_models = student_answer_models()

    @grading(30)
    @given(st.sampled_from(questions) | TEXT.filter(lambda s: s.strip()), st.sampled_from(["tuned", "random", "eos-prone"]),
           st.integers(1, 24))
    @example(questions[0], "tuned", 24)
    @example(questions[0], "random", 5)
    @example(questions[4], "eos-prone", 16)
    def matches_reference(question, which, max_new_tokens):
        tok, models = answer_models()
        model = models[which]
        expected = reference.answer_question(model, tok, question, max_new_tokens)
        got = answer_question(their_models[which], their_tok, question, max_new_tokens)
        if not isinstance(got, str):
            raise AssertionError(f"answer_question must return a str, got {type(got).__name__}")
        if got != expected:
            hint = ""
            if got.strip() == expected:
                hint = " Strip the answer of surrounding whitespace (str.strip())."
            elif "QUESTION" in got:
                hint = " Return only the answer: decode the new tokens, not the prompt."
            elif got.strip().startswith(expected) and len(got.strip()) > len(expected):
                hint = " Stop at the first EOS (and at max_new_tokens)."
            raise AssertionError(f"answer_question({question!r}, max_new_tokens={max_new_tokens}) with the "
                                 f"{which} model: expected {expected!r}, got {got!r}.{hint}")

    run_property("answer_question", matches_reference)


# ---------------------------------------------------------------------------------------- part 5

def _tokenizer_there():
    """The notebook's tokenizer (pad = EOS), built where the student's code runs; an error here is not
    the input check's answer."""
    try:
        return student_tokenizers()["pad=eos"]
    except Exception as exc:
        raise RuntimeError(f"loading the tokenizer raised {type(exc).__name__}: {exc}") from None


def _random_model_there():
    """(tokenizer, the random-init tiny GPT-2) where the student's code runs."""
    from .profile import fixture_path

    try:
        transformers = student_module("transformers")
        tok = transformers.AutoTokenizer.from_pretrained(str(fixture_path("qa-tuned-gpt2")))
        tok.pad_token = tok.eos_token
        return transformers.AutoModelForCausalLM.from_pretrained(str(fixture_path("tiny-gpt2"))).eval(), tok
    except Exception as exc:
        raise RuntimeError(f"loading a tiny GPT-2 raised {type(exc).__name__}: {exc}") from None


#: the invalid calls Task 4 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`tokenize_example(\"q\", \"a\", tokenizer, 0)`: `max_length < 1` raises `ValueError`",
               lambda f: f["tokenize_example"]("q", "a", _tokenizer_there(), 0)),
    InputCheck("`answer_question(model, tokenizer, \"q\", -1)`: a negative `max_new_tokens` raises `ValueError`",
               lambda f: f["answer_question"](*_random_model_there(), "q", -1)),
)


@on_one_thread
@quiet_libraries()
@judged
def check_input_checks(tokenize_example, answer_question) -> None:
    """Part 5: the ValueErrors of Tasks 2 and 3, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, tokenize_example=tokenize_example, answer_question=answer_question)
