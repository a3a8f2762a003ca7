"""solutions/clipping_schedulers.py against torch's clip_grad_norm_ and transformers' schedulers."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from transformers import get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup

from graders.clipping_schedulers import gradients, make_parameters, oracle_factors, schedule_problems
from solutions.clipping_schedulers import clip_grad_norm, cosine_warmup_lambda, linear_warmup_lambda


@given(gradients(), st.sampled_from([1e-3, 1.0, 1e5]), st.sampled_from([1.0, 2.0, 3.0, math.inf]))
def test_clip_equals_torch(problem, max_norm, norm_type):
    ours, theirs = make_parameters(problem), make_parameters(problem)
    n1 = clip_grad_norm(iter(ours), max_norm, norm_type)
    n2 = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert torch.allclose(n1, n2, rtol=1e-5)
    for a, b in zip(ours, theirs):
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            assert torch.allclose(a.grad, b.grad, rtol=1e-5, atol=1e-12)


def test_clip_keeps_direction_and_caps_norm():
    p = torch.nn.Parameter(torch.zeros(4))
    p.grad = torch.tensor([3.0, -4.0, 0.0, 12.0])
    assert clip_grad_norm(p, 1.0).item() == pytest.approx(13.0)
    assert torch.linalg.vector_norm(p.grad).item() == pytest.approx(1.0, rel=1e-5)
    assert torch.allclose(p.grad * 13, torch.tensor([3.0, -4.0, 0.0, 12.0]), rtol=1e-5)


def test_clip_without_gradients_returns_zero():
    assert clip_grad_norm([torch.nn.Parameter(torch.ones(2))], 1.0).item() == 0.0


@pytest.mark.parametrize("max_norm", [0.0, -1.0])
def test_clip_rejects_non_positive_max_norm(max_norm):
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm([torch.nn.Parameter(torch.ones(2))], max_norm)


@given(schedule_problems(), st.sampled_from([0.25, 0.5, 1.0, 1.5]))
def test_schedules_equal_transformers(pair, num_cycles):
    w, t = pair
    linear = oracle_factors(lambda o: get_linear_schedule_with_warmup(o, w, t), t)
    cosine = oracle_factors(lambda o: get_cosine_schedule_with_warmup(o, w, t, num_cycles=num_cycles), t)
    assert [linear_warmup_lambda(s, w, t) for s in range(t + 1)] == pytest.approx(linear, abs=1e-12)
    assert [cosine_warmup_lambda(s, w, t, num_cycles) for s in range(t + 1)] == pytest.approx(cosine, abs=1e-12)


@given(schedule_problems())
def test_decays_reach_zero_exactly_at_the_end(pair):
    w, t = pair
    assert linear_warmup_lambda(t, w, t) == 0.0
    if w < t:
        assert cosine_warmup_lambda(t, w, t) == pytest.approx(0.0, abs=1e-15)
        assert cosine_warmup_lambda(t - 1, w, t) > 0


@pytest.mark.parametrize("args, message", [
    ((-1, 2, 6), "non-negative"), ((0, -1, 6), "non-negative"), ((0, 7, 6), "exceed"), ((0, 0, 0), "at least 1"),
])
def test_schedules_reject_nonsense(args, message):
    for fn in (linear_warmup_lambda, cosine_warmup_lambda):
        with pytest.raises(ValueError, match=message):
            fn(*args)
