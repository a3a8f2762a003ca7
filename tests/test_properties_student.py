"""graders.properties' helpers that ask where the student's objects live: through a loopback wire,
as a judged check sees them, and outside a check."""

import collections
import contextlib

import torch

from graders.judge import SESSION, loopback
from graders.properties import student_isinstance, type_name
from graders.wire import is_proxy


@contextlib.contextmanager
def as_a_check_sees(*objects):
    """The objects as a judged check receives them: proxies, or copies for plain data."""
    with loopback((list(objects), {})) as conn:
        args, _ = conn.request("objects", None)
        token = SESSION.set(conn)
        try:
            yield args
        finally:
            SESSION.reset(token)


def test_isinstance_of_a_proxy_is_asked_where_the_object_lives():
    with as_a_check_sees(torch.nn.Linear(2, 3), collections.Counter(a=1), {"a": 1}) as (linear, counter, plain):
        assert is_proxy(linear) and is_proxy(counter) and not is_proxy(plain)
        assert not isinstance(linear, torch.nn.Module)  # the question a check cannot ask here
        assert student_isinstance(linear, "torch.nn.Linear") and student_isinstance(linear, "torch.nn.Module")
        assert not student_isinstance(linear, "torch.nn.Dropout")
        assert not student_isinstance(linear, "torch.optim.AdamW")
        assert student_isinstance(counter, "builtins.dict") and student_isinstance(counter, "collections.Counter")
        assert student_isinstance(plain, "builtins.dict") and not student_isinstance(plain, "collections.Counter")
        assert (type_name(linear), type_name(counter), type_name(plain)) == ("Linear", "Counter", "dict")


def test_outside_a_check_objects_are_asked_here():
    assert student_isinstance(torch.nn.Linear(2, 3), "torch.nn.Module")
    assert not student_isinstance([1], "builtins.dict")
    assert type_name(torch.nn.Dropout()) == "Dropout" and type_name(None) == "NoneType"
