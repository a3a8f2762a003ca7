"""The judge (graders/judge.py): stand-ins, the socket server, verdicts, and how scores combine."""

from __future__ import annotations

import ast
import importlib
import socket

import pytest
import torch

from graders import audit, judge, judge_client, manifest, wire
from graders.feedback import summary
from graders.grade import AssignmentResult, CellResult, judged
from solutions import transformer_block as reference

A32 = manifest.get("3_2_transformer_impl_transformer_block")


def test_every_hidden_check_has_a_stand_in_that_imports_no_grader_code(tmp_path):
    dest = judge.write_standins(tmp_path)
    for a in manifest.authored():
        checks = judge.hidden_checks(a)
        assert checks, f"{a.id}: no hidden check found"
        path = dest / "graders" / f"{a.module}.py"
        tree = ast.parse(path.read_text())
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert defined == set(checks), a.id
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert imported == {"_llmt_judge.client"}, a.id
        real = importlib.import_module(f"graders.{a.module}")
        assert all(callable(getattr(real, name)) for name in checks), a.id
    assert (dest / "_llmt_judge" / "wire.py").read_text() == (manifest.COURSE_ROOT / "graders" / "wire.py").read_text()
    assert (dest / "_llmt_judge" / "client.py").read_text() == (manifest.COURSE_ROOT / "graders" / "judge_client.py").read_text()


def test_hidden_checks_name_each_grade_cell_once():
    for a in manifest.authored():
        from graders import notebooks

        cells = {c.grade_id for c in notebooks.grade_cells(notebooks.read(a.source_notebook))}
        assert set(judge.hidden_checks(a).values()) == cells, a.id


class _WrongMLP(reference.MLP):
    def forward(self, x):
        return self.fc_out(torch.relu(self.fc_in(x)))


def _kernel_side(judge_: judge.Judge) -> wire.Connection:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(str(judge_.socket_path))
    return wire.Connection(sock, handler=judge_client.handle)


def test_the_judge_runs_the_real_check_and_records_each_verdict():
    j = judge.Judge()
    try:
        with j.judging(A32) as verdicts:
            kernel = _kernel_side(j)
            good = kernel.request("check", ("transformer_block", "check_mlp", [reference.MLP], {}))
            bad = kernel.request("check", ("transformer_block", "check_attention_head", [_WrongMLP], {}))
            other = kernel.request("check", ("attention", "check_masks", [reference.MLP], {}))
            kernel.close()
        assert good == {"passed": True, "message": None}
        assert not bad["passed"] and "AttentionHead" in bad["message"]
        assert not other["passed"] and "not a check of the notebook being graded" in other["message"]
        assert verdicts["test_mlp"].passed
        assert verdicts["test_attention_head"].ran and not verdicts["test_attention_head"].passed
        assert not verdicts["test_transformer_block"].ran
    finally:
        j.close()


def test_a_check_called_twice_passes_only_when_every_call_passes():
    j = judge.Judge()
    try:
        with j.judging(A32) as verdicts:
            kernel = _kernel_side(j)
            kernel.request("check", ("transformer_block", "check_mlp", [reference.MLP], {}))
            kernel.request("check", ("transformer_block", "check_mlp", [_WrongMLP], {}))
            kernel.close()
        assert verdicts["test_mlp"].ran and not verdicts["test_mlp"].passed
    finally:
        j.close()


def test_checks_called_directly_get_proxies_through_a_loopback():
    seen = []

    @judge.judged
    def check_probe(fn):
        seen.append(wire.is_proxy(fn))
        return fn(2)

    assert check_probe(lambda x: x * 21) == 42
    assert seen == [True]


def _verdict(*results):
    v = judge.Verdict()
    v.results.extend(results)
    return v


def test_scores_combine_the_notebook_and_the_judge():
    cells = [CellResult("a", 3, 3), CellResult("b", 2, 2), CellResult("c", 0, 5, "AssertionError: shape"),
             CellResult("d", 4, 4), CellResult("e", 1, 1)]
    verdicts = {"a": _verdict((True, None)), "b": _verdict((False, "MLP vs the reference: 1 of 4 differ")),
                "c": _verdict(), "d": _verdict()}
    result = judged(AssignmentResult("x", cells), verdicts)
    a, b, c, d, e = result.cells
    assert (a.score, a.flag, a.message) == (3, None, None)
    assert b.score == 0 and b.message.startswith("hidden check failed: MLP vs") and "tampering" in b.flag
    assert c.score == 0 and c.message.startswith("the cell failed before its hidden check ran") and c.flag is None
    assert d.score == 0 and "never reached the judge" in d.flag
    assert (e.score, e.flag) == (1, None)  # no hidden check: the notebook's result stands


def test_the_audit_record_is_the_same_every_time(tmp_path):
    nb = tmp_path / "x.ipynb"
    nb.write_text("{}")
    first, second = audit.record(nb), audit.record(nb)
    assert first == second
    assert first["submission_sha256"] == audit.file_hash(nb) and len(first["course_version"]) == 64
    assert first["profile"] == "offline" and "derandomized" in first["seed"]
    nb.write_text("{ }")
    assert audit.record(nb)["submission_sha256"] != first["submission_sha256"]


def test_feedback_summary_labels_hidden_and_visible_failures():
    result = AssignmentResult("3_2", [
        CellResult("test_a", 3, 3),
        CellResult("test_b", 0, 2, "hidden check failed: MLP vs the reference <x>"),
        CellResult("test_c", 0, 5, "the cell failed before its hidden check ran: AssertionError"),
    ])
    html = summary(result)
    assert "passed (visible tests and hidden check)" in html
    assert "hidden check failed" in html and "visible test or cell code failed" in html
    assert "&lt;x&gt;" in html and "<x>" not in html
    assert "3 / 10" in html


@pytest.mark.parametrize("module", sorted({a.module for a in manifest.authored()}))
def test_every_check_is_judged(module):
    mod = importlib.import_module(f"graders.{module}")
    checks = [getattr(mod, n) for n in dir(mod) if n.startswith("check_") and callable(getattr(mod, n))]
    assert checks and all(getattr(c, "__wrapped__", None) is not None for c in checks), module
