"""solutions/hellaswag.py against lm-evaluation-harness's rules, a direct computation of the scores,
and the offline fixtures it is graded on."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graders.hellaswag import contexts, continuations, load, oracle_logprobs
from solutions.hellaswag import build_request, continuation_logprobs, evaluate, preprocess


@pytest.mark.parametrize("text, expected", [
    ("  plain text  ", "plain text"),
    ("[header] How to tie a tie [title] Cross the ends.", " How to tie a tie. Cross the ends."),
    ("Step one [step] step two [substeps] three", "Step one step two three"),
    ("a    b", "a  b"),  # replaced once, left to right, as str.replace does
    ("[a] [b]", " "),
    ("x [unclosed", "x [unclosed"),
])
def test_preprocess_follows_the_harness(text, expected):
    assert preprocess(text) == expected


def test_build_request_on_the_first_validation_item():
    item = {"activity_label": "Roof shingle removal", "ctx_a": "A man is sitting on a roof.", "ctx_b": "he",
            "endings": ["is using wrap to wrap a pair of skis.", "is ripping level tiles off.",
                        "is holding a rubik's cube.", "starts pulling up roofing on a roof."], "label": "3"}
    context, conts = build_request(item)
    assert context == "Roof shingle removal: A man is sitting on a roof. He"
    assert conts[3] == " starts pulling up roofing on a roof." and all(c.startswith(" ") for c in conts)


def test_capitalize_lowercases_the_rest():
    context, _ = build_request({"activity_label": "X", "ctx_a": "a.", "ctx_b": "tHE DOG", "endings": ["y"], "label": 0})
    assert context == "X: a. The dog"


@settings(max_examples=10)
@given(st.sampled_from(["tiny-gpt2", "tiny-gpt-neo"]), contexts, st.lists(continuations, min_size=1, max_size=3))
def test_scores_equal_a_direct_computation_whatever_the_batch(name, context, conts):
    model, tokenizer = load(name)
    together = continuation_logprobs(model, tokenizer, context, conts)
    for c, score in zip(conts, together):
        assert score == pytest.approx(oracle_logprobs(model, tokenizer, context, c), abs=1e-3)
        assert score == pytest.approx(continuation_logprobs(model, tokenizer, context, [c])[0], abs=1e-4)


def test_fixture_items_load_as_a_validation_split_and_make_the_point():
    from datasets import load_dataset

    from graders.profile import fixture_path

    data = load_dataset(str(fixture_path("hellaswag-items")), split="validation")
    assert len(data) == 60 and isinstance(data[0]["label"], str) and len(data[0]["endings"]) == 4
    items = list(data)
    small, large = evaluate(*load("eval-small"), items), evaluate(*load("eval-large"), items)
    assert small["acc_norm"] > small["acc"] + 0.2, "the small model's summed scores favour short endings"
    assert large["acc_norm"] > 0.8 and large["acc_norm"] > small["acc_norm"]


def test_evaluation_fixtures_are_deterministic(tmp_path):
    from graders import fixtures_eval

    for run in ("a", "b"):
        for kind, build in (("items", fixtures_eval.build_hellaswag_items), ("human", fixtures_eval.build_human_text),
                            ("model", fixtures_eval.build_eval_small)):
            (tmp_path / run / kind).mkdir(parents=True)
            build(tmp_path / run / kind)
    for name in ("items/validation.jsonl", "human/test.jsonl", "model/model.safetensors"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
