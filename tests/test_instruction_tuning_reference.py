"""solutions/instruction_tuning.py against the oracles: the template, labels rebuilt from token
counts, the pad=EOS trap, truncation, greedy answering that stops at EOS."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from graders.instruction_tuning import TEXT, Example, _expected_labels, answer_models, tokenizers
from solutions.instruction_tuning import answer_question, format_prompt, tokenize_example


@given(TEXT, TEXT)
def test_format_prompt(question, answer):
    assert format_prompt(question) == f"QUESTION: {question} ANSWER:"
    assert format_prompt(question, answer) == f"QUESTION: {question} ANSWER: {answer}"


@given(TEXT, TEXT, st.integers(1, 96), st.sampled_from(["pad=eos", "own pad"]))
def test_labels_are_the_answer_and_eos_only(question, answer, max_length, which):
    tok = tokenizers()[which]
    ex = tokenize_example(question, answer, tok, max_length)
    assert all(t.shape == (max_length,) and t.dtype == torch.long for t in ex.values())
    labels = _expected_labels(Example(question, answer, max_length, which))
    assert torch.equal(ex["labels"], labels)
    on = labels != -100
    assert torch.equal(ex["labels"][on], ex["input_ids"][on])
    n = int(ex["attention_mask"].sum())
    assert ex["attention_mask"].tolist() == [1] * n + [0] * (max_length - n)
    assert (ex["input_ids"][n:] == tok.pad_token_id).all()


@given(TEXT, TEXT)
def test_untruncated_example_decodes_to_the_template_and_ends_with_a_learned_eos(question, answer):
    tok = tokenizers()["pad=eos"]
    n = len(tok(format_prompt(question, answer))["input_ids"]) + 1
    ex = tokenize_example(question, answer, tok, n + 3)
    assert tok.decode(ex["input_ids"][: n - 1]) == format_prompt(question, answer)
    assert ex["input_ids"][n - 1] == ex["labels"][n - 1] == tok.eos_token_id  # pad is EOS, yet it is learned
    assert (ex["labels"][n:] == -100).all()


def test_value_errors():
    tok = tokenizers()["pad=eos"]
    with pytest.raises(ValueError, match="max_length"):
        tokenize_example("q", "a", tok, 0)
    tok, models = answer_models()
    with pytest.raises(ValueError, match="max_new_tokens"):
        answer_question(models["tuned"], tok, "q", -1)


def test_tuned_fixture_answers_and_stops():
    from graders.fixtures_qa import qa_pairs

    tok, models = answer_models()
    row = qa_pairs()["train"][0]
    reply = answer_question(models["tuned"], tok, row["question"], 40)
    # it learned the answers' form and stopped by itself, well before the limit
    assert reply.startswith("The ") and reply.endswith(".") and len(tok(reply)["input_ids"]) < 20
    assert answer_question(models["random"], tok, row["question"], 0) == ""


def test_eos_prone_model_stops_at_the_first_eos():
    tok, models = answer_models()
    model = models["eos-prone"]
    prompt = tok(format_prompt("Where does the cat live?"), return_tensors="pt")["input_ids"]
    out = model.generate(prompt, max_new_tokens=16, do_sample=False, eos_token_id=None, pad_token_id=0,
                         attention_mask=torch.ones_like(prompt))
    new = out[0, prompt.shape[1]:].tolist()
    first = new.index(tok.eos_token_id) if tok.eos_token_id in new else len(new)
    assert answer_question(model, tok, "Where does the cat live?", 16) == tok.decode(new[:first]).strip()
