"""solutions/perplexity.py against the oracles: one forward pass, non-overlapping chunks, token by
token; a uniform model scores its vocabulary size; bad arguments raise ValueError."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from graders.perplexity import (Problem, _ids, model, oracle_chunks, oracle_token_by_token, problems)
from solutions.perplexity import perplexity


@given(problems("one window") | problems("non-overlapping"))
def test_stride_equal_to_window_is_non_overlapping_chunks(problem):
    ids = _ids(problem)
    expected = oracle_chunks(model(), ids, problem.window)
    assert math.isclose(perplexity(model(), ids, problem.window, problem.stride), expected, rel_tol=1e-5)


@given(problems("sliding", max_tokens=30))
def test_sliding_window_scores_each_token_once(problem):
    ids = _ids(problem)
    expected = oracle_token_by_token(model(), ids, problem.window, problem.stride)
    assert math.isclose(perplexity(model(), ids, problem.window, problem.stride), expected, rel_tol=1e-5)


@given(problems("sliding") | problems("non-overlapping"), st.sampled_from([2, 97, 1000]))
def test_uniform_model_scores_its_vocabulary_size(problem, vocab_size):
    ppl = perplexity(model(vocab_size, uniform=True), _ids(problem, vocab_size), problem.window, problem.stride)
    assert math.isclose(ppl, vocab_size, rel_tol=1e-5)


def test_more_context_helps_a_trained_model():
    """The offline fixture's largest model: the sliding window beats non-overlapping chunks."""
    from transformers import AutoModelForCausalLM

    from graders.fixtures_perplexity import wikitext_lines
    from graders.profile import fixture_path

    path = fixture_path("ppl-models") / "3-large"
    m = AutoModelForCausalLM.from_pretrained(path).eval()
    from transformers import AutoTokenizer

    ids = AutoTokenizer.from_pretrained(path)("".join(wikitext_lines(2, seed=3)), return_tensors="pt")["input_ids"][0]
    assert perplexity(m, ids, 16, 8) < perplexity(m, ids, 16) < perplexity(m, ids, 4)


def test_input_is_not_modified_and_result_is_a_float():
    ids = _ids(Problem(30, 8, 3, 0))
    before = ids.clone()
    assert isinstance(perplexity(model(), ids, 8, 3), float)
    assert torch.equal(ids, before)


@pytest.mark.parametrize("args, message", [
    ((1,), "context_window_size"), ((0,), "context_window_size"), ((8, 0), "stride"), ((8, 9), "stride"),
])
def test_bad_arguments_raise_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        perplexity(model(), _ids(Problem(20, 8, None, 0)), *args)


def test_too_few_tokens_raise_value_error():
    with pytest.raises(ValueError, match="2 tokens"):
        perplexity(model(), torch.tensor([5]), 8)
