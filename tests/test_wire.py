"""graders.wire: plain data by value, objects by reference, nested callbacks, errors, strict mode,
watched calls.

Two set-ups: an in-process pair (a socketpair, the other end served by a thread) for the codec and the
proxy protocol, and a real child process (tests/wire_child.py, which imports the wire module from its
file as the sandbox will) for everything that involves the student's side.
"""

import ast
import collections
import gc
import pickle
import socket
import struct
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from graders import wire
from graders.wire import Connection, ConnectionLost, ForbiddenCall, RemoteError, call_watched, watch_call

CHILD = Path(__file__).with_name("wire_child.py")
SDPA = "torch.nn.functional.scaled_dot_product_attention"


# --------------------------------------------------------------------------------------------------
# Set-ups
# --------------------------------------------------------------------------------------------------

class Child:
    """The student's side in its own interpreter (-I: no PYTHONPATH, no user site, no script dir)."""

    def __init__(self, *flags, handler=None):
        judge_end, child_end = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(CHILD), wire.__file__, str(child_end.fileno()), *flags],
            pass_fds=[child_end.fileno()])
        child_end.close()
        self.conn = Connection(judge_end, handler=handler, strict=True, timeout=300)

    def get(self, name):
        return self.conn.request("get", name)

    def close(self):
        self.conn.close()
        self.proc.wait(timeout=60)


def judge_handler(op, payload):
    if op == "verdict":  # what came, and the handed-out objects going back out as handouts
        objects = [wire.Handout(x) if isinstance(x, torch.nn.Module) else x for x in payload.get("objects", [])]
        return {"op": op, "got": {**payload, "objects": objects}, "kinds": [type(x).__name__ for x in payload.get("objects", [])]}
    raise ValueError(op)


@pytest.fixture(scope="module")
def child():
    c = Child(handler=judge_handler)
    yield c
    c.close()


class Thing:
    """An object of the served side that supports every forwarded operation."""

    def __init__(self):
        self.data, self.entered, self.exited = {"a": 1}, 0, None
        self._hidden = "private"

    def __call__(self, x, *, scale=1):
        return x * scale

    def __getitem__(self, k):
        return self.data[k]

    def __setitem__(self, k, v):
        self.data[k] = v

    def __delitem__(self, k):
        del self.data[k]

    def __len__(self):
        return len(self.data)

    def __contains__(self, k):
        return k in self.data

    def __bool__(self):
        return bool(self.data)

    def __repr__(self):
        return f"Thing({self.data})"

    def __str__(self):
        return "a thing"

    def __eq__(self, other):
        return isinstance(other, Thing) and other.data == self.data

    def __hash__(self):
        return 42

    def __enter__(self):
        self.entered += 1
        return "inside"

    def __exit__(self, exc_type, exc, tb):
        self.exited = (exc_type, str(exc) if exc else None)
        return exc_type is KeyError  # swallows KeyError only


class Numbers:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def gen(n):
    yield from range(n)


SERVED = {
    "echo": lambda p: p,
    "same": lambda p: p[0] is p[1],
    "thing": lambda p: Thing(),
    "numbers": lambda n: Numbers(n),
    "gen": lambda n: gen(n),
    "things": lambda n: [Thing() for _ in range(n)],
    "sleep": lambda s: time.sleep(s) or s,
    "interrupt": lambda p: interrupt(),
}


def interrupt():
    raise KeyboardInterrupt


@pytest.fixture
def pair():
    """(our connection, the served connection), the latter answering SERVED in a thread."""
    a, b = socket.socketpair()
    served = Connection(b, handler=lambda op, p: SERVED[op](p))

    def serve():
        try:
            served.serve()
        except KeyboardInterrupt:  # the "interrupt" request
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    conn = Connection(a, timeout=60)
    yield conn, served
    conn.close()
    thread.join(10)


# --------------------------------------------------------------------------------------------------
# Comparing exactly
# --------------------------------------------------------------------------------------------------

def assert_same(x, y):
    """Same type and same value, bit for bit where it matters (NaN payloads, -0.0, tensor bytes)."""
    assert type(x) is type(y), (type(x), type(y))
    if type(x) is float:
        assert struct.pack("<d", x) == struct.pack("<d", y)
    elif type(x) is complex:
        assert_same(x.real, y.real)
        assert_same(x.imag, y.imag)
    elif type(x) in (torch.Tensor, torch.nn.Parameter):
        assert (x.dtype, x.shape, x.requires_grad) == (y.dtype, y.shape, y.requires_grad)
        bx, by = (torch.empty(t.shape, dtype=t.dtype).copy_(t.detach()).reshape(-1).view(torch.uint8) for t in (x, y))
        assert torch.equal(bx, by)
        assert (x.grad is None) == (y.grad is None)
        if x.grad is not None:
            assert_same(x.grad, y.grad)
    elif type(x) is np.ndarray:
        assert (x.dtype, x.shape) == (y.dtype, y.shape) and x.tobytes() == y.tobytes()
    elif isinstance(x, np.generic):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes()
    elif type(x) in (list, tuple):
        assert len(x) == len(y)
        for a, b in zip(x, y):
            assert_same(a, b)
    elif type(x) in (dict, collections.OrderedDict):
        assert list(x) == list(y)
        for k in x:
            assert_same(x[k], y[k])
    else:
        assert x == y


def with_grad():
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    p.grad = torch.tensor([0.5, 0.25])
    return p


NEG_NAN = struct.unpack("<d", struct.pack("<Q", 0xFFF8_0000_0000_1234))[0]
VALUES = {
    "none": None, "bools": [True, False], "int": 7, "big ints": [2**64, -(2**300) + 1, 10**5000],
    "floats": [1.5, -0.0, float("inf"), float("-inf"), float("nan"), NEG_NAN, 1e-320],
    "complex": complex(-0.0, float("nan")), "str": "héllo \ud800 \x00", "bytes": b"\x00\xff" * 3,
    "bytearray": bytearray(b"abc"), "tuple": (1, (2, [3])), "empty": [[], (), {}, set(), ""],
    "dict keys": {(1, 2): "tuple", 3: "int", None: "none", frozenset({1}): "fs", "s": "str"},
    "ordered": collections.OrderedDict([("b", 1), ("a", 2)]), "sets": [{1, "a", (2, 3)}, frozenset({4})],
    "slice range ellipsis": [slice(1, None, -2), range(3, 30, 4), ...],
    "arrays": [np.arange(12, dtype=np.float32).reshape(3, 4).T, np.array(3.5), np.zeros((0, 3), np.int16),
               np.array([1, 2], dtype=">i4"), np.array(["ab", "c"]), np.array([True, False]),
               np.array([1 + 2j], np.complex64), np.array(["2024-01-02"], dtype="datetime64[D]")],
    "numpy scalars": [np.float32(1.25), np.int64(-3), np.bool_(True), np.str_("x"), np.float64("nan")],
    "tensors": [torch.tensor([1.0, float("nan"), -0.0], dtype=torch.bfloat16),
                torch.arange(6, dtype=torch.float16).reshape(2, 3).t(), torch.tensor([True, False]),
                torch.tensor(2**62, dtype=torch.int64), torch.zeros(0, 3, dtype=torch.uint8),
                torch.tensor([1 + 1j], dtype=torch.complex64), torch.ones(2, requires_grad=True),
                torch.nn.Parameter(torch.randn(2, 2, dtype=torch.float64)),
                torch.nn.Parameter(torch.arange(3), requires_grad=False), with_grad(),
                torch.arange(3.0).reshape(1, 3).t()[:1]],  # one element, stride 3: "contiguous" to torch
    "torch types": [torch.bfloat16, torch.int8, torch.device("cpu"), torch.device("cuda", 1), torch.Size([2, 0])],
}


# --------------------------------------------------------------------------------------------------
# The module and the codec
# --------------------------------------------------------------------------------------------------

def test_the_module_imports_only_the_standard_library():
    tree = ast.parse(Path(wire.__file__).read_text())
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name.split(".")[0] for n in top if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in top if isinstance(n, ast.ImportFrom) and n.module}
    assert names - {"__future__"} <= sys.stdlib_module_names, names - set(sys.stdlib_module_names)


@pytest.mark.parametrize("name", VALUES)
def test_plain_values_cross_by_value_exactly(pair, name):
    conn, _ = pair
    assert_same(conn.request("echo", VALUES[name]), VALUES[name])


def test_tensors_and_arrays_arrive_as_writable_copies(pair):
    conn, _ = pair
    t, a = torch.arange(4.0), np.arange(4.0)
    t2, a2 = conn.request("echo", (t, a))
    t2 += 1
    a2 += 1
    assert t.tolist() == [0, 1, 2, 3] and a.tolist() == [0, 1, 2, 3]
    assert t2.tolist() == [1, 2, 3, 4] and a2.tolist() == [1, 2, 3, 4]


def test_objects_cross_by_reference_and_come_home_as_themselves(pair):
    conn, _ = pair
    model, fn = torch.nn.Linear(2, 1), len
    mixed = [torch.ones(2), model, {"f": fn, "x": (1.5, model)}, collections.defaultdict(int)]
    back = conn.request("echo", mixed)
    assert_same(back[0], mixed[0])
    assert back[1] is model and back[2]["f"] is fn and back[2]["x"][1] is model
    assert back[3] is mixed[3]  # a dict subclass crosses by reference
    assert conn.request("same", [model, model])  # one proxy per object on the other side
    keyed = conn.request("echo", {model: "model", "k": {fn}})  # hashing a proxy asks its owner
    assert list(keyed) == [model, "k"] and keyed["k"] == {fn}


def test_containers_that_contain_themselves_are_refused(pair):
    conn, served = pair
    loop = [torch.nn.Linear(1, 1)]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        conn.request("echo", loop)
    assert conn._exports == {}  # the model exported before the failure was taken back
    assert conn.request("echo", 1) == 1


def test_proxies_cannot_be_pickled(pair):
    conn, _ = pair
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(conn.request("thing"))


# --------------------------------------------------------------------------------------------------
# Proxies
# --------------------------------------------------------------------------------------------------

def test_every_operation_is_forwarded(pair):
    conn, served = pair
    p = conn.request("thing")
    assert wire.is_proxy(p) and p(3, scale=2) == 6
    assert p.data == {"a": 1} and hasattr(p, "data") and not hasattr(p, "missing")
    p.extra = [1]
    assert p.extra == [1]
    del p.extra
    assert not hasattr(p, "extra")
    p["b"] = 2
    assert p["b"] == 2 and len(p) == 2 and "b" in p and "z" not in p and bool(p)
    del p["b"]
    with pytest.raises(KeyError):
        p["b"]
    assert repr(p) == "Thing({'a': 1})" and str(p) == "a thing" and f"{p}" == "a thing"
    assert p == p and not (p != p) and p != 3 and hash(p) == 42
    assert "data" in dir(p)
    with p as inside:
        assert inside == "inside"
    assert p.entered == 1 and p.exited == (None, None)
    with p:
        raise KeyError("swallowed by the remote __exit__")
    exc_type, message = p.exited  # (a class crosses by reference)
    assert exc_type.__name__ == "KeyError" and message == "'swallowed by the remote __exit__'"
    with pytest.raises(ValueError):
        with p:
            raise ValueError("not swallowed")


def test_iteration_fetches_chunks(pair):
    conn, _ = pair
    numbers = conn.request("numbers", 1000)
    before = conn.sent_requests
    assert list(numbers) == list(range(1000))
    # iter, len (list() asks for a length hint), then a chunk per round trip, not 1000 round trips
    assert conn.sent_requests - before == 2 + 1000 // wire.CHUNK
    assert sum(numbers) == sum(range(1000)) and 999 in numbers


def test_a_remote_iterator_loses_no_item_fetched_ahead(pair):
    conn, _ = pair
    g = conn.request("gen", 200)
    assert next(g) == 0
    it = iter(g)
    assert [next(it) for _ in range(3)] == [1, 2, 3]  # a chunk of 64 is buffered on the proxy
    assert next(g) == 4
    assert list(g) == list(range(5, 200))
    with pytest.raises(StopIteration):
        next(g)
    with pytest.raises(TypeError):
        next(conn.request("thing"))


def test_released_proxies_free_the_owners_handles(pair):
    conn, served = pair
    things = conn.request("things", 50)
    kept = things[7]
    assert len(served._exports) == 50
    del things
    gc.collect()
    conn.request("echo", None)  # the releases ride on the next message
    assert list(served._exports) == [kept._wire_h] and served._exports[kept._wire_h][1] == 1
    assert kept.data == {"a": 1}


def test_a_timeout_leaves_the_connection_usable(pair):
    conn, _ = pair
    conn.timeout = 0.2
    with pytest.raises(TimeoutError):
        conn.request("sleep", 1.0)
    conn.timeout = 60
    assert conn.request("echo", "next") == "next"  # the late reply was dropped


def test_a_keyboard_interrupt_on_the_other_side_arrives_as_a_remote_error(pair):
    conn, _ = pair
    with pytest.raises(RemoteError, match="KeyboardInterrupt") as info:
        conn.request("interrupt")
    assert not isinstance(info.value, KeyboardInterrupt)


def test_garbage_on_the_socket_is_a_lost_connection():
    a, b = socket.socketpair()
    conn = Connection(a)
    b.sendall(struct.pack("!II", 5, 0) + b"{bad}")
    with pytest.raises(ConnectionLost, match="protocol error"):
        conn.request("anything")
    with pytest.raises(ConnectionLost):
        conn.request("anything")
    b.close()


def test_a_message_that_stalls_halfway_is_a_lost_connection():
    a, b = socket.socketpair()
    conn = Connection(a, timeout=0.3)
    b.sendall(struct.pack("!II", 100, 0) + b'{"k":')
    with pytest.raises(ConnectionLost, match="timed out"):
        conn._receive()
    b.close()


def test_a_message_over_the_size_limit_is_refused():
    a, b = socket.socketpair()
    small, sender = Connection(a, max_bytes=10_000), Connection(b)
    sender._send({"k": "q", "id": 1, "op": "app", "name": "x", "a": []}, [bytes(20_000)])
    with pytest.raises(ConnectionLost, match="over the limit"):
        small._receive()
    b.close()


# --------------------------------------------------------------------------------------------------
# The student's side in a child process
# --------------------------------------------------------------------------------------------------

def test_the_child_never_imports_graders(child):
    assert child.conn.request("graders_loaded") is False


def test_requests_go_both_ways(child):
    assert child.conn.request("echo", {"x": [1, 2.5]}) == {"x": [1, 2.5]}
    ask = child.get("ask_judge")
    model = torch.nn.Linear(1, 1)
    answer = ask({"part": "1", "objects": [wire.Handout(model)]})
    assert answer["op"] == "verdict" and answer["kinds"] == ["Linear"]  # the handout came home as the model
    assert answer["got"]["objects"][0] is model


def test_a_side_without_handler_refuses_requests():
    a, b = socket.socketpair()
    thread = threading.Thread(target=Connection(b).serve, daemon=True)
    thread.start()
    with Connection(a) as conn:
        with pytest.raises(NotImplementedError, match="no handler for request 'x'"):
            conn.request("x")
    thread.join(10)


def judge_bounce(g, n):
    return g(wire.Handout(judge_bounce), n - 1) + [("judge", n)]


def judge_bounce_fail(g, n):
    if n == 1:
        raise KeyError("deep in the judge")
    return g(wire.Handout(judge_bounce_fail), n - 1)


def test_callbacks_nest_both_ways(child):
    bounce = child.get("bounce")
    expected = [("student", 0)] + [("judge" if n % 2 else "student", n) for n in range(1, 7)]
    assert bounce(wire.Handout(judge_bounce), 6) == expected
    with pytest.raises(KeyError, match="deep in the judge"):
        bounce(wire.Handout(judge_bounce_fail), 6)
    apply = child.get("apply")
    assert apply(apply, apply, wire.Handout(max), 3, 9) == 9  # the student's own function, through the judge


@pytest.mark.parametrize("kind, cls, message", [
    ("value", ValueError, "bad value"), ("key", KeyError, "'k'"), ("index", IndexError, "out of range"),
    ("zero", ZeroDivisionError, "division"), ("assert", AssertionError, "not equal"),
    ("stop", StopIteration, "7"), ("notimpl", NotImplementedError, "todo"),
    ("unicode", UnicodeDecodeError, "invalid start byte")])
def test_builtin_exceptions_keep_their_type_and_message(child, kind, cls, message):
    with pytest.raises(cls, match=message) as info:
        child.get("fail")(kind)
    assert type(info.value) is cls
    assert "raised in the other process" in info.value.__notes__[0]  # the student's traceback


def test_other_exceptions_are_remote_errors(child):
    fail = child.get("fail")
    with pytest.raises(ValueError, match="ShapeError: wrong shape") as info:
        fail("shape")  # a subclass of ValueError: still caught as one
    assert isinstance(info.value, RemoteError) and info.value.type_name == "ShapeError"
    with pytest.raises(RemoteError, match="StudentError: mine") as info:
        fail("student")
    assert not isinstance(info.value, ValueError)


def judge_fails():
    raise ValueError("judge side")


def test_the_judge_sends_no_traceback(child):
    assert child.get("try_op")(wire.Handout(judge_fails), "call") == ("err", "ValueError", "judge side")
    apply = child.get("apply")
    with pytest.raises(ValueError, match="judge side") as info:
        apply(wire.Handout(judge_fails))
    notes = info.value.__notes__  # only the student's frames, none of the judge's source
    assert len(notes) == 1 and "judge_fails" not in notes[0] and "apply" in notes[0]


class JudgeModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(1)
        self.config = types.SimpleNamespace(n_embd=4)
        self.lin = torch.nn.Linear(4, 2)
        self.lib = json_module = __import__("json")
        self._secret = json_module

    def forward(self, x):
        return self.lin(x)


#: what the student's side may do with each handout: call judge_fails; call, print and read three
#: attributes of a model (default deny for everything else)
HANDOUTS = {"fn": lambda: wire.Handout(judge_fails),
            "model": lambda: wire.Handout(JudgeModel(), ops={"call", "repr"}, attrs={"training", "lib", "lin"})}


@pytest.mark.parametrize("target, op, args, outcome", [
    ("fn", "getattr", ("__globals__",), "PermissionError"), ("fn", "getattr", ("__code__",), "PermissionError"),
    ("fn", "getattr", ("__name__",), "PermissionError"), ("fn", "repr", (), "ok <proxy of a function>"),
    ("fn", "iterate", (), "PermissionError"), ("fn", "dir", (), "PermissionError"),
    ("model", "getattr", ("_secret",), "AttributeError"), ("model", "getattr", ("_parameters",), "AttributeError"),
    ("model", "getattr", ("config",), "AttributeError"),  # public, but not handed out
    ("model", "getattr", ("forward",), "AttributeError"),
    ("model", "getattr", ("lib",), "TypeError"),  # a module never leaves a strict side
    ("model", "getattr", ("lin",), "TypeError"),  # nor an object that was not handed out itself
    ("model", "setattr", ("lin", None), "AttributeError"), ("model", "delattr", ("lin",), "AttributeError"),
    ("model", "dir", (), "PermissionError"), ("model", "iterate", (), "PermissionError"),
    ("fn", "call", (), "ValueError"),
    ("model", "getattr", ("training",), True), ("model", "repr", (), "JudgeModel(\n  (lin)"),
])
def test_strict_mode_guards_the_judges_objects(child, target, op, args, outcome):
    got = child.get("try_op")(HANDOUTS[target](), op, *args)
    if isinstance(outcome, str) and outcome.endswith("Error"):
        assert got[:2] == ("err", outcome), got
    else:
        outcome = outcome.removeprefix("ok ") if isinstance(outcome, str) else outcome
        assert got[0] == "ok" and (got[1] == outcome or got[1].startswith(outcome)), got


@pytest.mark.parametrize("make", [
    lambda: judge_fails, lambda: JudgeModel(), lambda: (x for x in range(3)), lambda: max, lambda: JudgeModel,
    lambda: types.SimpleNamespace(a=1), lambda: sys._getframe(), lambda: judge_fails.__code__,
], ids=["function", "model", "generator", "builtin", "class", "instance", "frame", "code"])
def test_nothing_but_a_handout_leaves_the_judge_by_reference(child, make):
    """Default deny: what the judge did not wrap in a Handout is refused before it is sent, as an
    argument of a call into the student's side or as the value of an operation on a handout."""
    with pytest.raises(TypeError, match="hands out only plain data"):
        child.get("apply")(len, make())
    got = child.get("try_op")(wire.Handout(lambda: make()), "call")
    assert got[:2] == ("err", "TypeError") and "hands out only plain data" in got[2], got
    assert all(entry[2] is not None for entry in child.conn._exports.values())  # every export is a handout


def test_a_handout_leads_nowhere_else(child):
    """A student's walk from a handed-out callable: results, attributes and iteration are refused."""
    walk = child.get("walk_handout")
    reached = walk(wire.Handout(lambda: (lambda: 1)))
    assert reached == {"result": "TypeError", "__globals__": "PermissionError", "gi_frame": "PermissionError",
                       "__reduce_ex__": "TypeError", "iter": "PermissionError"}, reached


def test_a_handout_names_only_what_it_allows():
    with pytest.raises(ValueError, match="cannot be handed out"):
        wire.Handout(len, ops={"setattr"})
    with pytest.raises(ValueError, match="public attribute"):
        wire.Handout(len, attrs={"__globals__"})


def test_a_judge_module_is_not_sent(child):
    with pytest.raises(TypeError, match="hands out only plain data"):
        child.get("apply")(wire.Handout(len), torch)
    with pytest.raises(TypeError, match="does not hand out modules"):
        child.get("apply")(wire.Handout(len), wire.Handout(torch))
    assert not any(isinstance(entry[0], types.ModuleType) for entry in child.conn._exports.values())


def test_student_code_calls_a_handed_out_model(child):
    """A judge-side model handed out for calls only: the student's code calls it (tensors go by value),
    and nothing more: its parameters and configuration stay out of reach."""
    model, x = JudgeModel(), torch.randn(3, 4)
    out, config, params = child.get("use_judge_model")(wire.Handout(model, ops={"call"}), x)
    assert torch.equal(out, model(x)) and config == "PermissionError" and params == "PermissionError"


def test_a_student_model_through_a_proxy(child):
    model, x = child.get("make_model")(), torch.randn(5, 4)
    params = list(model.parameters())
    assert [type(p) for p in params] == [torch.nn.Parameter] * 2
    state = model.state_dict()
    assert type(state) is collections.OrderedDict and list(state) == ["scale", "proj.weight", "proj.bias"]
    reference = torch.nn.Linear(4, 3)
    reference.load_state_dict({k.removeprefix("proj."): v for k, v in state.items() if k != "scale"})
    y = model(x)
    assert type(y) is torch.Tensor and torch.allclose(y, reference(x) * 2.0)
    new = {"proj.weight": torch.ones(3, 4), "proj.bias": torch.zeros(3), "scale": torch.tensor(1.0)}
    result = model.load_state_dict(new)
    assert result.missing_keys == [] and result.unexpected_keys == []
    torch.testing.assert_close(model(x), x.sum(-1, keepdim=True).expand(5, 3))
    assert model.eval() is model and model.training is False
    assert type(model.proj.weight) is torch.nn.Parameter


# --------------------------------------------------------------------------------------------------
# Watched calls
# --------------------------------------------------------------------------------------------------

def qkv():
    g = torch.Generator().manual_seed(0)
    return tuple(torch.randn(2, 3, 5, 8, generator=g) for _ in range(3))


@pytest.mark.parametrize("name", ["attention_F", "attention_alias", "attention_local_import", "attention_partial"])
def test_sdpa_is_seen_whatever_it_is_called(child, name):
    with pytest.raises(ForbiddenCall, match="scaled_dot_product_attention") as info:
        call_watched(child.get(name), qkv(), forbid=[SDPA, "json"])
    assert isinstance(info.value, AssertionError) and child.conn.last_called == [SDPA]


def test_an_honest_attention_is_not_flagged_and_gives_the_same_result(child):
    manual = child.get("attention_manual")
    watched = call_watched(manual, qkv(), forbid=[SDPA, "torch.nn.utils.clip_grad_norm_"])
    assert child.conn.last_called == [] and torch.equal(watched, manual(*qkv()))
    torch.testing.assert_close(watched, F.scaled_dot_product_attention(*qkv()))


def test_the_call_error_wins_over_the_forbidden_call(child):
    with pytest.raises(ValueError, match="after the oracle"):
        call_watched(child.get("attention_then_fail"), qkv(), forbid=[SDPA])
    assert child.conn.last_called == [SDPA]


@pytest.mark.parametrize("forbid, flagged", [
    (["json.dumps"], True), (["json"], True), (["json.JSONEncoder.encode"], True), (["json.encoder"], True),
    (["json.loads"], False), (["json.decoder"], False), (["no_such_package.fn"], False)])
def test_python_functions_and_modules(child, forbid, flagged):
    to_json = child.get("to_json")
    if flagged:
        with pytest.raises(ForbiddenCall, match=forbid[0]):
            call_watched(to_json, ([1, "a"],), forbid=forbid)
    else:
        assert call_watched(to_json, ([1, "a"],), forbid=forbid) == '[1, "a"]'
    assert child.conn.last_unresolved == (forbid if forbid[0].startswith("no_such") else [])


def test_a_decorated_function_is_told_from_its_siblings(child):
    grads = [torch.tensor([3.0, 4.0])]
    with pytest.raises(ForbiddenCall, match="clip_grad_norm_"):
        call_watched(child.get("clip_norm"), (grads, 1.0), forbid=["torch.nn.utils.clip_grad_norm_"])
    clipped = call_watched(child.get("clip_value"), (grads, 3.5), forbid=["torch.nn.utils.clip_grad_norm_"])
    assert clipped[0].tolist() == [3.0, 3.5]  # same _no_grad wrapper, other function: not flagged


def test_calls_are_watched_while_the_connection_forbids(child):
    """conn.forbid (a check's forbidden oracles) watches every call: a proxy's, and remote()'s, whose
    result stays with its owner."""
    child.conn.forbid = (SDPA,)
    try:
        with pytest.raises(ForbiddenCall, match="scaled_dot_product_attention"):
            child.get("attention_alias")(*qkv())
        with pytest.raises(ForbiddenCall, match="scaled_dot_product_attention"):
            wire.remote(child.get("attention_alias"))(*qkv())
        out = wire.remote(child.get("attention_manual"))(*qkv())
        assert type(out.proxy) is wire.Proxy and child.conn.last_called == []
        torch.testing.assert_close(out.proxy.clone(), F.scaled_dot_product_attention(*qkv()))
    finally:
        child.conn.forbid = ()


def test_switching_the_watch_off_is_itself_flagged(child):
    with pytest.raises(ForbiddenCall, match="switched off"):
        call_watched(child.get("untie_watch"), ([1],), forbid=["json.loads"])


def test_the_wires_own_work_is_not_watched(child):
    """The wire itself uses json; a judge callback during the call does not count as the student's."""
    args = (wire.Handout(judge_bounce), wire.Handout(lambda g, n: [n]), 2)
    assert call_watched(child.get("apply"), args, forbid=["json"]) == [1, ("judge", 2)]


def test_the_cpu_time_of_a_call_is_measured(child):
    call_watched(child.get("busy"), (0.3,))
    assert 0.29 <= child.conn.last_cpu_time < 30
    call_watched(child.get("sleep"), (0.5,))
    assert child.conn.last_cpu_time < 0.2  # CPU time, not wall time


def test_only_the_judge_may_watch(child):
    """The student's side cannot run the watch on the judge's objects (strict mode)."""
    with pytest.raises(PermissionError, match="wcall"):
        child.get("watch_other")(wire.Handout(judge_fails))


def test_watch_call_in_process():
    before = sys.getprofile()
    w = watch_call(F.scaled_dot_product_attention, qkv(), forbid=[SDPA])
    assert w.error is None and w.called == [SDPA] and w.cpu_time >= 0
    attention, x = torch.nn.MultiheadAttention(8, 2, batch_first=True), torch.randn(2, 5, 8)
    # SDPA called inside torch's own code (need_weights=True would compute the weights without it)
    assert watch_call(attention, (x, x, x), {"need_weights": False}, forbid=[SDPA]).called == [SDPA]
    assert watch_call(lambda t: t.softmax(-1), (x,), forbid=["torch.Tensor.softmax"]).called == ["torch.Tensor.softmax"]
    assert watch_call(lambda t: torch.softmax(t, -1), (x,), forbid=["torch.Tensor.softmax"]).called == []
    w = watch_call(lambda: __import__("json").dumps(1) + 1, forbid=["json"])
    assert isinstance(w.error, TypeError) and w.called == ["json"]
    assert sys.getprofile() is before


# --------------------------------------------------------------------------------------------------
# A dying student process
# --------------------------------------------------------------------------------------------------

def test_a_child_that_exits_during_a_call():
    c = Child("--no-torch")
    try:
        with pytest.raises(ConnectionLost):
            c.get("die")(3)
        with pytest.raises(ConnectionLost):
            c.conn.request("echo", 1)
    finally:
        c.proc.wait(timeout=30)
    assert c.proc.returncode == 3


def test_a_child_killed_while_the_judge_waits():
    c = Child("--no-torch")
    sleep = c.get("sleep")
    killer = threading.Timer(0.5, c.proc.kill)
    killer.start()
    start = time.monotonic()
    with pytest.raises(ConnectionLost):
        sleep(60)
    assert time.monotonic() - start < 30
    c.proc.wait(timeout=30)
