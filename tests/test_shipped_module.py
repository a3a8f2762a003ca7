"""graders.properties.shipped_module: an earlier assignment's module where the student's code runs."""

import sys

from graders import judge
from graders.properties import shipped_module


def _in_a_check(call):
    """call() as inside a judged check: the student's side served through a loopback wire."""
    with judge.loopback(([], {})) as conn:
        token = judge.SESSION.set(conn)
        try:
            return call()
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
