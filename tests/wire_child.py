"""The student's side of tests/test_wire.py: a separate Python process, as the sandbox will be.

    python -I tests/wire_child.py <path of graders/wire.py> <socket fd> [--no-torch]

It imports the wire module from its file (as the sandbox imports its copy `_llmt_wire.py`, where the
graders package does not exist), then answers the judge: `request("get", name)` returns one of the
objects below (functions and classes cross by reference), `request("graders_loaded")` says whether
anything imported the graders package here.
"""

import functools
import importlib.util
import json
import math
import socket
import sys
import time

spec = importlib.util.spec_from_file_location("_llmt_wire", sys.argv[1])
wire = importlib.util.module_from_spec(spec)
sys.modules["_llmt_wire"] = wire
spec.loader.exec_module(wire)

if "--no-torch" not in sys.argv:
    import torch
    import torch.nn.functional as F

    sdpa = F.scaled_dot_product_attention  # an alias bound before any watched call

    def attention_F(q, k, v):
        return F.scaled_dot_product_attention(q, k, v)

    def attention_alias(q, k, v):
        return sdpa(q, k, v)

    def attention_local_import(q, k, v):
        from torch.nn import functional as G

        return G.scaled_dot_product_attention(q, k, v)

    def attention_partial(q, k, v):  # called from C (functools.partial): only the torch mode sees it
        return functools.partial(sdpa, q)(k, v)

    def attention_then_fail(q, k, v):
        F.scaled_dot_product_attention(q, k, v)
        raise ValueError("failed after the oracle")

    def attention_manual(q, k, v):
        w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
        return w @ v

    def clip_norm(grads, max_norm):
        params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        return torch.nn.utils.clip_grad_norm_(params, max_norm)

    def clip_value(grads, limit):  # same decorator as clip_grad_norm_, not the same function
        params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        torch.nn.utils.clip_grad_value_(params, limit)
        return [p.grad for p in params]

    class TinyModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.proj = torch.nn.Linear(4, 3)
            self.register_buffer("scale", torch.tensor(2.0))

        def forward(self, x):
            return self.proj(x) * self.scale

    def make_model():
        return TinyModel()

    def use_judge_model(model, x):
        """What a student's code may do with a judge-side model handed out for calls."""
        return model(x), _error_of(lambda: model.config.n_embd), _error_of(lambda: list(model.parameters()))


def to_json(x):
    return json.dumps(x)


def untie_watch(x):
    sys.setprofile(None)
    return json.dumps(x)


def busy(seconds):
    """Spin for `seconds` of CPU time."""
    end, n = time.process_time() + seconds, 0
    while time.process_time() < end:
        n += 1
    return n


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def apply(f, *args, **kwargs):
    return f(*args, **kwargs)


def bounce(f, n):
    """Nested callbacks: calls the judge's f, which calls this again, n levels deep."""
    if n == 0:
        return [("student", 0)]
    return f(bounce, n - 1) + [("student", n)]


def count(n):
    for i in range(n):
        yield i


class Numbers:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


class ShapeError(ValueError):
    pass


class StudentError(Exception):
    pass


def fail(kind):
    errors = {"value": ValueError("bad value"), "key": KeyError("k"), "index": IndexError("out of range"),
              "zero": ZeroDivisionError("division by zero"), "assert": AssertionError("not equal"),
              "shape": ShapeError("wrong shape"), "student": StudentError("mine"),
              "stop": StopIteration(7), "notimpl": NotImplementedError("todo"),
              "unicode": UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")}
    raise errors[kind]


def die(code):
    import os

    os._exit(code)


def try_op(obj, op, *args):
    """What happens when student code tries `op` on an object: ("ok", value) or ("err", type, message)."""
    try:
        if op == "getattr":
            value = getattr(obj, *args)
        elif op == "setattr":
            value = setattr(obj, *args)
        elif op == "delattr":
            value = delattr(obj, *args)
        elif op == "dir":
            value = dir(obj)
        elif op == "call":
            value = obj(*args)
        elif op == "iterate":
            value = list(obj)
        else:
            value = repr(obj)
    except Exception as e:
        return ("err", type(e).__name__, str(e))
    return ("ok", value)


def _error_of(f):
    """The name of the exception f() raises (None when it raises nothing)."""
    try:
        f()
    except Exception as e:
        return type(e).__name__
    return None


def walk_handout(f):
    """A student's walk from a handed-out judge callable towards the judge's interpreter."""
    return {"result": _error_of(f), "__globals__": _error_of(lambda: f.__globals__),
            "gi_frame": _error_of(lambda: f.gi_frame), "__reduce_ex__": _error_of(lambda: f.__reduce_ex__(2)),
            "iter": _error_of(lambda: list(f))}


def watch_other(f):
    """The student's side trying to watch a judge function (refused: the judge is strict)."""
    return wire.call_watched(f, (), forbid=["json"])


def ask_judge(payload):
    """A custom request from the student's side to the judge, answered by the judge's handler."""
    return conn.request("verdict", payload)


def handler(op, payload):
    if op == "get":
        return globals()[payload]
    if op == "graders_loaded":
        return any(name == "graders" or name.startswith("graders.") for name in sys.modules)
    if op == "echo":
        return payload
    raise ValueError(f"unknown request {op!r}")


conn = wire.Connection(socket.socket(fileno=int(sys.argv[2])), handler=handler)
conn.serve()
