"""properties.student_copies / assert_left_unchanged: a judged check sees what the student's code
does to its inputs in place, although tensors cross the wire by value."""

import numpy as np
import pytest
import torch

from graders import wire
from graders.judge import judged
from graders.properties import assert_left_unchanged, student_copies


@judged
def check_leaves_input(fn):
    """A check in the style of the graders: the student's fn on copies that live on its side."""
    x = torch.arange(6.0).reshape(2, 3)
    mask = torch.tensor([[0.0, float("-inf"), 1.0]])
    there = student_copies(x, mask)
    assert all(wire.is_proxy(t) for t in there)  # judged: the copies stay where the student's code runs
    out = fn(*there)
    assert_left_unchanged(there, [x, mask], ["x", "mask"])
    return out


def test_a_function_that_leaves_its_inputs_alone_passes_and_gets_them_as_tensors():
    assert torch.equal(check_leaves_input(lambda x, mask: x + mask), torch.arange(6.0).reshape(2, 3)
                       + torch.tensor([[0.0, float("-inf"), 1.0]]))


def test_a_change_in_place_is_seen_and_named():
    def cleans_mask(x, mask):
        mask.nan_to_num_(neginf=-1e9)
        return x

    with pytest.raises(AssertionError, match="modified its input `mask` in place"):
        check_leaves_input(cleans_mask)


def test_not_judged_the_copies_are_local_tensors():
    x = torch.ones(3)
    (copy,) = student_copies(x)
    assert type(copy) is torch.Tensor and torch.equal(copy, x) and copy is not x
    copy.add_(1)
    with pytest.raises(AssertionError, match="`x` in place"):
        assert_left_unchanged([copy], [x], ["x"])


@judged
def check_array_and_list(fn):
    X, ids = np.arange(6.0).reshape(2, 3), [3, 1, 2]
    there = student_copies(X, ids)
    fn(*there)
    assert_left_unchanged(there, [X, ids], ["X", "token_ids"])


def test_arrays_and_lists_too():
    check_array_and_list(lambda X, ids: (X.sum(), sorted(ids)))
    with pytest.raises(AssertionError, match="`X` in place"):
        check_array_and_list(lambda X, ids: X.__setitem__((0, 0), 7.0))
    with pytest.raises(AssertionError, match="`token_ids` in place"):
        check_array_and_list(lambda X, ids: ids.sort())
