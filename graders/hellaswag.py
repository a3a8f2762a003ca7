"""Hidden checks of 7_2_evaluation_quantitative_HellaSwag (HellaSwag as lm-evaluation-harness scores it).

Oracles: the reference (solutions.hellaswag) for the harness's text rules; for the scores, a plain
per-continuation computation written here (one forward pass of context + continuation, log-softmax,
the continuation's tokens gathered from the positions before them). Models are the offline
fixtures: the random-init tiny GPT-2 and GPT-Neo, and the briefly trained small GPT-2, all with
the fixture byte-level BPE tokenizer (no padding token, like GPT-2's). The student's functions get
their own copies, loaded where their code runs (`load_for_student`); expected values come from the
check's own (`load`). Contexts never end with
whitespace and are never empty (the harness's extra rules for those are outside the contract).

The tasks ask for no input checks, so there is no input-checks part; the edge cases each part
probes are listed in `EDGES` and stated in the notebook (graders/contract.py).
Hands out: models and tokenizers loaded where the student's code runs from the same fixtures; texts,
items and lists by value; nothing of the judge's own.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from solutions import hellaswag as reference

from .contract import Edge
from .judge import judged
from .properties import grading, one_thread, quiet_libraries, run_property, student_module

#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_preprocess": (
        Edge("the empty string"),
        Edge("a lone `[` or `]`, and `[]`"),
        Edge("`[title]` with or without a space before it, at the start, in the middle or at the end"),
        Edge("runs of two, three or more spaces, tabs and newlines"),
        Edge("any Unicode text"),
    ),
    "check_build_request": (
        Edge("empty fields"),
        Edge("one to five endings, some empty or made only of markup (their continuation is then `\" \"`)"),
        Edge("a `ctx_b` is never one whose `capitalize()` differs from upper-casing its first character and "
             "lower-casing the rest (such as `ǆ`)"),
    ),
    "check_continuation_logprobs": (
        Edge("a single continuation, and the same continuation twice in one list"),
        Edge("contexts and continuations of a single word"),
        Edge("digits, accents, emoji and Chinese characters"),
        Edge("GPT-2 and GPT-Neo models, with a tokenizer that has no padding token"),
        Edge("contexts are never empty and never end with a space"),
    ),
    "check_evaluate": (
        Edge("labels given as strings and as ints"),
        Edge("items whose two best endings score within 10^-3 of each other (by sum or per character) are "
             "never tried"),
    ),
}


# ------------------------------------------------------------------------------------ inputs

_PIECES = ["a", "b", "Z", "x", " ", "  ", "   ", ".", ",", "\n", "\t", "[", "]", "[title]", " [title]", "[step]",
           "[header]", " [substeps]", "title", "é", "日本", "🙂", "'s", "-"]
texts = st.one_of(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join), st.text(max_size=20))

_WORDS = ["the", "cat", "sees", "a", "red", "apple", "slowly", "The", "river", "again", ".", ",", "!", "is",
          "ok", "42", "1999", "é", "naïve", "日本", "🙂", "don't", "'s", "-", "CAPS"]


def _join(words: list[str]) -> str:
    return " ".join(words)


contexts = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12).map(_join).filter(lambda s: s.strip() == s and s)
continuations = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(lambda w: " " + _join(w))


def _plain_capitalize(text: str) -> bool:
    """Where str.capitalize is first-upper-rest-lower (the notebook's words): not for title-case letters
    such as 'ǆ' (capitalize gives 'ǅ', upper 'Ǆ'), which the contract need not be probed on."""
    return text.capitalize() == text[:1].upper() + text[1:].lower()


@st.composite
def items(draw):
    endings = draw(st.lists(texts, min_size=1, max_size=5))
    return {
        "activity_label": draw(texts), "ctx_a": draw(texts), "ctx_b": draw(texts.filter(_plain_capitalize)),
        "endings": endings,
        "label": str(draw(st.integers(0, len(endings) - 1))),
    }


@functools.lru_cache(maxsize=None)
def load(name: str):
    """(model, tokenizer) of an offline fixture, in eval mode, float32, on the CPU."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging

    from .profile import fixture_path

    logging.set_verbosity_error()
    path = fixture_path(name)
    return AutoModelForCausalLM.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


def load_for_student(name: str):
    """(model, tokenizer) of the fixture `name` as `load` gives them, loaded where the student's code
    runs. The student's code gets its own copies: whatever it does to them (train(), a hook, other
    weights, a pad token) stays with them and never reaches the models the check computes expected
    values with, nor the next check."""
    from .profile import fixture_path

    transformers, path = student_module("transformers"), str(fixture_path(name))
    with quiet_libraries():
        return transformers.AutoModelForCausalLM.from_pretrained(path).eval(), \
            transformers.AutoTokenizer.from_pretrained(path)


def student_fixtures():
    """name -> load_for_student(name), each loaded once: for the duration of one check."""
    return functools.cache(load_for_student)


MODELS = ("tiny-gpt2", "tiny-gpt-neo", "eval-small")


@torch.no_grad()
def oracle_logprobs(model, tokenizer, context: str, continuation: str) -> float:
    """The summed log-probability of `continuation`'s tokens after `context`, one sequence at a time."""
    ctx = tokenizer(context, add_special_tokens=False)["input_ids"]
    whole = tokenizer(context + continuation, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([ctx + whole[len(ctx):]])
    logp = F.log_softmax(model(input_ids=ids).logits[0].double(), dim=-1)
    return sum(logp[t - 1, ids[0, t]].item() for t in range(len(ctx), ids.shape[1]))


def _close(got: float, expected: float) -> bool:
    return abs(got - expected) <= 1e-3 + 1e-4 * abs(expected)


def _as_floats(got, n: int, what: str) -> list[float]:
    try:
        values = [float(v) for v in got]
    except Exception:
        raise AssertionError(f"{what}: expected a list of {n} floats, got {type(got).__name__}") from None
    if len(values) != n:
        raise AssertionError(f"{what}: expected {n} scores (one per continuation), got {len(values)}")
    return values


# ------------------------------------------------------------------------------------ checks

@judged
def check_preprocess(preprocess) -> None:
    """Part 1: the harness's four cleaning steps, in order."""
    __tracebackhide__ = True

    @grading(300)
    @given(texts)
    def matches_harness(text):
        expected = reference.preprocess(text)
        got = preprocess(text)
        if got != expected:
            raise AssertionError(f"preprocess({text!r}): expected {expected!r}, got {got!r}")

    run_property("preprocess vs lm-evaluation-harness", matches_harness)


@judged
def check_build_request(build_request) -> None:
    """Part 2: context = preprocess(label + ": " + ctx_a + " " + ctx_b.capitalize()); " " + preprocess(ending)."""
    __tracebackhide__ = True

    @grading(200)
    @given(items())
    def matches_harness(item):
        expected_context, expected_continuations = reference.build_request(dict(item))
        got = build_request(dict(item))
        try:
            context, conts = got
            conts = list(conts)
        except Exception:
            raise AssertionError(f"expected a pair (context, continuations), got {got!r}") from None
        if context != expected_context:
            raise AssertionError(f"context: expected {expected_context!r}, got {context!r}")
        if conts != expected_continuations:
            raise AssertionError(f"continuations: expected {expected_continuations!r}, got {conts!r}")

    run_property("build_request vs lm-evaluation-harness", matches_harness)


@judged
def check_continuation_logprobs(continuation_logprobs) -> None:
    """Part 3: scores vs the oracle and the reference; independent of the batch and its order."""
    __tracebackhide__ = True
    theirs = student_fixtures()

    @grading(12)
    @given(st.sampled_from(MODELS), contexts, st.lists(continuations, min_size=1, max_size=4))
    def matches_oracle(name, context, conts):
        model, tokenizer = load(name)
        got = _as_floats(continuation_logprobs(*theirs(name), context, list(conts)), len(conts),
                         f"continuation_logprobs on {len(conts)} continuations")
        expected = reference.continuation_logprobs(model, tokenizer, context, list(conts))
        for c, g, e in zip(conts, got, expected):
            o = oracle_logprobs(model, tokenizer, context, c)
            assert _close(e, o), "internal: the reference disagrees with the oracle"
            if not _close(g, e):
                raise AssertionError(
                    f"{name}, context {context!r}, continuation {c!r}: expected {e:.4f}, got {g:.4f} "
                    f"(tolerance 1e-3 + 1e-4 * |expected|); score only the continuation's tokens, each by the "
                    f"logits of the position before it")

    @grading(8)
    @given(st.sampled_from(MODELS), contexts, st.lists(continuations, min_size=2, max_size=4, unique=True))
    def independent_of_batching(name, context, conts):
        model, tokenizer = theirs(name)
        together = _as_floats(continuation_logprobs(model, tokenizer, context, list(conts)), len(conts), "scores")
        reversed_ = _as_floats(continuation_logprobs(model, tokenizer, context, list(conts[::-1])), len(conts),
                               "scores")[::-1]
        for i, c in enumerate(conts):
            alone = _as_floats(continuation_logprobs(model, tokenizer, context, [c]), 1, "scores")[0]
            for how, value in (("in reverse order", reversed_[i]), ("with the others", together[i])):
                if not _close(value, alone):
                    raise AssertionError(
                        f"{name}, context {context!r}: continuation {c!r} scores {alone:.4f} alone but "
                        f"{value:.4f} {how}; padding must be masked out and must not shift positions")

    with one_thread(), quiet_libraries():
        run_property("continuation_logprobs vs a direct computation", matches_oracle)
        run_property("continuation_logprobs does not depend on batching", independent_of_batching)


@functools.lru_cache(maxsize=None)
def _clear_items(name: str) -> tuple:
    """Generated items on which `name`'s best ending wins by a clear margin, both by sum and per character.

    Near-ties would let a correct solution computing in another precision pick the other ending.
    """
    from .fixtures_eval import hellaswag_items

    model, tokenizer = load(name)
    kept = []
    for item in hellaswag_items():
        context, conts = reference.build_request(item)
        scores = reference.continuation_logprobs(model, tokenizer, context, conts)
        for values in (scores, [s / (len(c) - 1) for s, c in zip(scores, conts)]):
            top = sorted(values, reverse=True)
            if top[0] - top[1] < 1e-3:
                break
        else:
            kept.append(item)
    return tuple(kept)


@judged
def check_evaluate(evaluate) -> None:
    """Part 4: acc (argmax of sums) and acc_norm (argmax of sums per character of the ending)."""
    __tracebackhide__ = True
    with one_thread(), quiet_libraries():
        _check_evaluate(evaluate)


def _check_evaluate(evaluate) -> None:
    __tracebackhide__ = True
    theirs = student_fixtures()
    for name in ("eval-small", "tiny-gpt2"):
        model, tokenizer = load(name)
        chosen = [dict(item) for item in _clear_items(name)]
        for i, item in enumerate(chosen):
            if i % 3 == 0:
                item["label"] = int(item["label"])  # labels may be ints too
        expected = reference.evaluate(model, tokenizer, [dict(i) for i in chosen])
        try:
            got = evaluate(*theirs(name), [dict(i) for i in chosen])
        except Exception as exc:
            raise AssertionError(f"evaluate on {len(chosen)} generated items: your code raised "
                                 f"{type(exc).__name__}: {exc}") from None
        if not isinstance(got, dict) or not {"acc", "acc_norm"} <= set(got):
            raise AssertionError(f"evaluate must return a dict with 'acc' and 'acc_norm', got {got!r}")
        n = len(chosen)
        for key, hint in (("acc", "the argmax of the summed log-probabilities"),
                          ("acc_norm", "the argmax of each sum divided by its ending's length in characters "
                                       "(without the leading space)")):
            e, g = expected[key], got[key]
            try:
                ok = abs(float(g) - e) < 1e-9
            except Exception:
                ok = False
            if not ok:
                raise AssertionError(f"{key} of the {name} fixture on {n} generated items: expected {e:.4f} "
                                     f"({round(e * n)} right), got {g!r}; {key} is the fraction of items where "
                                     f"{hint} is the labelled ending")
