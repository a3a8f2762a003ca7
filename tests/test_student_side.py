"""graders.properties' helpers for what lives where the student's code runs: shipped_module (an
earlier assignment's module), student_copy (a tensor the student's code may change in place)."""

import sys

import torch

from graders import judge, wire
from graders.properties import shipped_module, student_copy


def _in_a_check(call, *objects):
    """call(*proxies of objects) as inside a judged check: the student's side served through a
    loopback wire."""
    with judge.loopback((list(objects), {})) as conn:
        proxies, _ = conn.request("objects", None)
        token = judge.SESSION.set(conn)
        try:
            return call(*proxies)
        finally:
            judge.SESSION.reset(token)


def test_the_copy_shipped_beside_the_notebook_where_there_is_one(tmp_path, monkeypatch):
    (tmp_path / "decoder.py").write_text("SHIPPED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert _in_a_check(lambda: shipped_module("decoder").__file__) == str(tmp_path / "decoder.py")
    finally:
        sys.modules.pop("decoder", None)


def test_the_reference_where_the_students_side_is_this_process():
    import solutions.decoder

    assert "decoder" not in sys.modules
    assert _in_a_check(lambda: shipped_module("decoder").__file__) == solutions.decoder.__file__


def test_a_student_copy_shows_what_the_students_code_did_to_it():
    def halve_in_place(x):
        x.mul_(0.5)
        return x.sum()

    x = torch.arange(4.0)

    def call(halve):
        theirs = student_copy(x)
        assert type(theirs) is wire.Proxy
        return halve(theirs), theirs.detach()

    total, after = _in_a_check(call, halve_in_place)
    assert total == 3.0 and after.tolist() == [0.0, 0.5, 1.0, 1.5]
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]  # the original is untouched
