"""The student's side of the judge: what a hidden test cell runs inside the sandboxed kernel.

Grading puts a stand-in `graders` package on the kernel's path (the real one is unreadable there).
Each stand-in check, e.g. `graders.attention.check_masks(scaled_dot_product_attention, ...)`, is
`run_check("attention", "check_masks", args, kwargs)`: it hands the student's objects to the judge
by reference over a unix socket and waits. The judge, in the grading process, runs the real check;
every call it makes on the student's objects comes back here through the same socket and runs in
this kernel. The judge's verdict comes back last: a failed check raises AssertionError with the
judge's message, so the notebook shows what went wrong.

The verdict that counts is the one the judge recorded, not what this kernel makes of it: student
code can patch this module, but only the judge's own record scores.

This file is copied verbatim into the sandbox as `_llmt_judge/client.py`, beside a copy of
graders/wire.py, and must import nothing but the standard library and that sibling `wire`.
"""

from __future__ import annotations

import importlib
import os
import socket

SOCKET_VAR = "LLMT_JUDGE_SOCKET"
_connection = None


def _judge_module(remote):
    """A torch module on this side whose forward runs `remote` (a module of the judge's) there."""
    import torch

    class JudgeModule(torch.nn.Module):
        """A part the check puts inside the student's module; it computes in the judge."""

        def __init__(self):
            super().__init__()
            self.remote = remote

        def forward(self, *args, **kwargs):
            return self.remote(*args, **kwargs)

    return JudgeModule()


def handle(op, payload):
    """Requests the judge makes of this side besides calls on objects: `import` returns a module
    by reference (the judge builds models and seeds random generators where the student's code
    lives); `module` wraps a judge-side torch module so it can sit inside the student's module."""
    if op == "import":
        return importlib.import_module(payload)
    if op == "module":
        return _judge_module(payload)
    raise ValueError(f"unknown request {op!r}")


def _judge():
    global _connection
    if _connection is None:
        path = os.environ.get(SOCKET_VAR)
        if not path:
            raise RuntimeError("the hidden tests run only when the course grades this notebook (llmt grade)")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
        from .wire import Connection

        _connection = Connection(sock, handler=handle)
    return _connection


def run_check(module: str, name: str, args: tuple, kwargs: dict) -> None:
    __tracebackhide__ = True
    verdict = _judge().request("check", (module, name, list(args), dict(kwargs)))
    if not verdict["passed"]:
        raise AssertionError("hidden check failed: " + verdict["message"])
