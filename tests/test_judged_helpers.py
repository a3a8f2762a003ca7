"""Helpers that checks and their tests use to reach where the student's code runs."""

import importlib
import sys

import pytest
import torch

from graders.judge import judged
from graders.properties import student_generator
from tests.parts import beside_the_notebook


@judged
def draw_with(randint, seed, judge_side=False):
    """randint (the student's torch.randint, a proxy here) with a generator seeded `seed`."""
    g = torch.Generator().manual_seed(seed) if judge_side else student_generator(seed)
    return randint(10, (6,), generator=g)


def test_a_student_generator_draws_what_the_same_seed_draws_here():
    expected = torch.randint(10, (6,), generator=torch.Generator().manual_seed(7))
    assert torch.equal(draw_with(torch.randint, 7), expected)
    assert not torch.equal(draw_with(torch.randint, 8), expected)


def test_a_judge_side_generator_is_not_handed_to_the_students_torch():
    with pytest.raises(TypeError, match="hands out only plain data .* not a Generator"):
        draw_with(torch.randint, 7, judge_side=True)


def test_shipped_modules_are_importable_beside_the_notebook_and_forgotten_after():
    with beside_the_notebook("4_1_pre_training_weight_init"):
        decoder = importlib.import_module("decoder")
        assert decoder.GPT(decoder.GPTConfig(vocab_size=11, context_window_size=4, embedding_dim=8, num_heads=2,
                                             num_layers=1))(torch.zeros(1, 3, dtype=torch.long)).shape == (1, 3, 11)
    assert "decoder" not in sys.modules and "transformer_block" not in sys.modules
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("decoder")
