"""The helpers of graders/properties.py that act where the student's code runs: student_copies and
assert_left_unchanged (a judged check sees what the student's code does to its inputs in place,
although values cross the wire by value), one_thread and quiet_libraries (their settings hold in the
student's process too), shipped_module (an earlier assignment's module beside the notebook). Loopback checks run in this process; a child process plays the kernel."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from graders import wire
from graders.judge import SESSION, judged, loopback
from graders.properties import assert_left_unchanged, one_thread, quiet_libraries, shipped_module, student_copies

ROOT = Path(__file__).resolve().parent.parent


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


# ------------------------------------------------------------------ a separate process, as the kernel

KERNEL = """
import socket, sys, torch
from graders import judge_client, wire
torch.set_num_threads(2)
wire.Connection(socket.socket(fileno=int(sys.argv[1])), handler=judge_client.handle).serve()
"""


@pytest.fixture(scope="module")
def kernel():
    """A judged session whose student side is a child process serving the judge's requests."""
    ours, theirs = socket.socketpair()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KERNEL, str(theirs.fileno())], pass_fds=[theirs.fileno()], env=env)
    theirs.close()
    conn = wire.Connection(ours, strict=True, timeout=120)
    token = SESSION.set(conn)
    try:
        yield conn
    finally:
        SESSION.reset(token)
        conn.close()
        proc.wait(timeout=30)


def _there(conn, module):
    return conn.request("import", module)


def test_one_thread_holds_in_the_student_process_and_is_undone(kernel):
    torch_there = _there(kernel, "torch")
    assert torch_there.get_num_threads() == 2
    with one_thread():
        assert torch_there.get_num_threads() == 1 and torch.get_num_threads() == 1
    assert torch_there.get_num_threads() == 2


def test_quiet_libraries_holds_in_the_student_process_and_is_undone(kernel):
    warnings_there, logging_there = _there(kernel, "warnings"), _there(kernel, "transformers.utils.logging")
    filters, level = list(warnings_there.filters), logging_there.get_verbosity()
    with quiet_libraries():
        assert warnings_there.filters[0][0] == "ignore"
        assert logging_there.get_verbosity() == logging_there.ERROR
    assert list(warnings_there.filters) == filters and logging_there.get_verbosity() == level


def test_copies_live_in_the_student_process(kernel):
    x = torch.arange(4.0)
    (there,) = student_copies(x)
    assert wire.is_proxy(there)
    _there(kernel, "torch").Tensor.add_(there, 1)  # a change in place, in the student's process
    with pytest.raises(AssertionError, match="`x` in place"):
        assert_left_unchanged([there], [x], ["x"])
    assert torch.equal(x, torch.arange(4.0))


def _in_a_check(call, *objects):
    """call(*proxies of objects) as inside a judged check: the student's side served through a
    loopback wire."""
    with loopback((list(objects), {})) as conn:
        proxies, _ = conn.request("objects", None)
        token = SESSION.set(conn)
        try:
            return call(*proxies)
        finally:
            SESSION.reset(token)


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
        [theirs] = student_copies(x)
        assert type(theirs) is wire.Proxy
        return halve(theirs), theirs.detach()

    total, after = _in_a_check(call, halve_in_place)
    assert total == 3.0 and after.tolist() == [0.0, 0.5, 1.0, 1.5]
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]  # the original is untouched


def _visible_asserts_without_message(notebook: Path) -> list[str]:
    """The asserts above `### BEGIN HIDDEN TESTS` in a notebook's graded test cells that have no message."""
    import ast
    import json

    bare = []
    for cell in json.loads(notebook.read_text())["cells"]:
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] != "code" or not nbgrader.get("grade"):
            continue
        source = "".join(cell["source"]).split("### BEGIN HIDDEN TESTS")[0]
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assert) and node.msg is None:
                bare.append(f"{notebook.parent.name} {nbgrader.get('grade_id')}: {ast.get_source_segment(source, node)}")
    return bare


@pytest.mark.parametrize("where", ["source", "release"])
def test_every_visible_assert_tells_the_student_what_failed(where):
    """Issue 20 §3: a visible test that fails says why (expected against got), never a bare AssertionError."""
    notebooks = sorted((ROOT / where).glob("*/*.ipynb"))
    assert len(notebooks) == 17
    bare = [line for notebook in notebooks for line in _visible_asserts_without_message(notebook)]
    assert not bare, "visible asserts without a message:\n" + "\n".join(bare)
