"""Use Python objects that live in another process, over a socket, without pickle.

This is the boundary between the judge (the grader's process, which runs the hidden checks) and the
sandbox (the Jupyter kernel that runs the student's notebook). The same file is imported in both: as
`graders.wire` in the judge and, copied verbatim, as `_llmt_wire` in the sandbox. It therefore imports
only the standard library at module level; numpy and torch are used only when a value needs them.

Plain data crosses by value (see `_Encoder.encode` for the list): numbers, strings, bytes, containers,
numpy arrays and scalars, torch tensors and Parameters, dtypes, devices, sizes. Everything else (a
function, a class, a model, a generator, an instance) stays in its owner's process, in a handle table,
and the other side gets a `Proxy` that forwards calls, attribute access, indexing, iteration, ... to it.
A proxy sent back to its owner turns back into the original object.

    a, b = socket.socketpair()
    judge = Connection(a, strict=True)          # the judge's end: its own objects are guarded
    kernel = Connection(b, handler=on_request)  # the sandbox's end: serves `judge.request(op, payload)`
    kernel.serve()                              # (in the sandbox) answer requests until the judge closes
    fn = judge.request("get", "attention")      # a Proxy of the student's function
    out = fn(q, k, v)                           # tensors go by value both ways
    out = call_watched(fn, (q, k, v), forbid=["torch.nn.functional.scaled_dot_product_attention"])
    judge.last_cpu_time                         # CPU seconds the call took in the sandbox

Either side may send requests; while a side waits for the reply to its own request it serves the
other side's requests, so callbacks nest to any depth on one thread (a connection is used by one
thread at a time: `serve()` and every request hold its lock). Exceptions cross back: builtin types
as themselves, others as RemoteError (see there); a dead peer raises ConnectionLost in whoever waits.
Proxies that are garbage collected release the owner's handle with the next message.

API: Connection(sock, handler=None, strict=False, timeout=None, max_bytes=4 GiB) with .request(op,
payload), .serve(), .close(), .last_cpu_time/.last_called/.last_unresolved, .sent_requests;
Handout(obj, ops, attrs): what a strict side may send by reference (see Connection);
call_watched(proxy, args, kwargs, forbid=[names]); watch_call(fn, args, kwargs, forbid) in process;
is_proxy(x); errors RemoteError, ConnectionLost, ForbiddenCall.

A message is a frame:
    !II (header length, number of blobs) | !Q per blob (its length) | JSON header | the blobs
The JSON header holds the request or reply with its value encoded as JSON (tagged objects
{"$": tag, ...} for what JSON lacks); bytes and array data travel as raw blobs referenced by index.
"""

from __future__ import annotations

import builtins
import collections
import importlib
import json
import operator
import os
import select
import struct
import sys
import threading
import time
import traceback
import types
import weakref

__all__ = [
    "Connection", "Handout", "Proxy", "RemoteError", "ConnectionLost", "ForbiddenCall", "Watched",
    "call_watched", "watch_call", "is_proxy", "remote",
]

CHUNK = 64  # items fetched per round trip when iterating over a remote object
_BIG = 1 << 63  # ints at least this large cross as hex text (json's int parser has a digit limit)
_ARRAY_KINDS = set("biufcmMSU")  # numpy dtype kinds that cross by value (no objects, no structs)
HEADER_LIMIT = 32 << 20  # bytes of one message's JSON header (array data travels in blobs)
_TB_LIMIT = 4000  # characters of a remote traceback kept in the re-raised exception's notes


class ConnectionLost(ConnectionError):
    """The other process closed the connection, died, or sent something that is not this protocol."""


class RemoteError(Exception):
    """An exception of a type that has no exact builtin counterpart, raised on the other side.

    A remote subclass of a builtin exception (say `class ShapeError(ValueError)`) arrives as a
    subclass of both RemoteError and that builtin, so `except ValueError` still catches it."""

    def __init__(self, type_name: str, message: str):
        super().__init__(f"{type_name}: {message}")
        self.type_name, self.message = type_name, message


class ForbiddenCall(AssertionError):
    """A watched call used a function it was forbidden to use (see `call_watched`)."""

    def __init__(self, names):
        self.names = sorted(names)
        super().__init__("your code called " + ", ".join(self.names) + ": this part asks you to write it yourself, without it")


class Watched:
    """What `watch_call` observed: the value or the error, the forbidden names called (sorted), the
    CPU seconds, and the names that could not be resolved."""

    def __init__(self, value, error, called, cpu_time, unresolved):
        self.value, self.error, self.called = value, error, called
        self.cpu_time, self.unresolved = cpu_time, unresolved


def is_proxy(x) -> bool:
    return type(x) is Proxy


class Handout:
    """An object a strict side hands to the other side by reference, on purpose, with what the other
    side may do with it: the operations in `ops` ("call", "iter", "len", "repr", ...) and, for
    "getattr", the attribute names in `attrs`. A strict side sends nothing else by reference: its
    plain data crosses by value, the other side's proxies go home, and any other object (a function,
    a module, a generator, an instance) is refused with TypeError. What a handout's operations
    return crosses the same way, so a handout leads to no object that was not handed out too."""

    __slots__ = ("obj", "ops", "attrs")

    def __init__(self, obj, ops=("call",), attrs=()):
        ops, attrs = frozenset(ops), frozenset(attrs)
        unknown = ops - _STRICT_OPS - {"getattr"}
        if unknown:
            raise ValueError(f"operations {sorted(unknown)} cannot be handed out")
        if attrs and "getattr" not in ops:
            ops |= {"getattr"}
        if any(type(a) is not str or a.startswith("_") for a in attrs):
            raise ValueError("only public attribute names can be handed out")
        self.obj, self.ops, self.attrs = obj, ops, attrs


# --------------------------------------------------------------------------------------------------
# Encoding values: plain data by value, everything else by reference
# --------------------------------------------------------------------------------------------------

class _NeedsReference(Exception):
    """Raised by a plain-only encoder when a value could only cross by reference."""


class _Encoder:
    """Turns one value into a JSON-able tree plus a list of blobs, exporting what must stay here."""

    def __init__(self, conn: Connection | None, plain_only: bool = False):
        # plain_only (exception args): no references, and raw data inline as hex in the JSON
        self.conn, self.plain_only = conn, plain_only
        self.blobs: list = []
        self.exported: list = []  # handles whose send count this encoding raised (undone on failure)
        self._open: set = set()  # ids of the containers being encoded, to refuse cycles

    def blob(self, tag: str, data, **fields) -> dict:
        if self.plain_only:
            return {"$": tag, "hex": bytes(data).hex(), **fields}
        self.blobs.append(data)
        return {"$": tag, "b": len(self.blobs) - 1, **fields}

    def encode(self, x):
        t = type(x)
        if x is None or t is str or t is bool:
            return x
        if t is int:
            return x if -_BIG < x < _BIG else {"$": "int", "x": hex(x)}
        if t is float:  # NaN by its bits (sign and payload kept); JSON keeps inf and -0.0 exactly
            return x if x == x else {"$": "nan", "x": struct.pack("<d", x).hex()}
        if t in (list, tuple, dict, set, frozenset, collections.OrderedDict):
            return self._container(x, t)
        if t is complex:
            return {"$": "complex", "v": [self.encode(x.real), self.encode(x.imag)]}
        if t is bytes or t is bytearray:
            return self.blob(t.__name__, x)
        if t is slice:
            return {"$": "slice", "v": [self.encode(x.start), self.encode(x.stop), self.encode(x.step)]}
        if t is range:
            return {"$": "range", "v": [self.encode(x.start), self.encode(x.stop), self.encode(x.step)]}
        if x is Ellipsis:
            return {"$": "..."}
        np = sys.modules.get("numpy")
        if np is not None and (t is np.ndarray or isinstance(x, np.generic)) and x.dtype.kind in _ARRAY_KINDS:
            if t is np.ndarray:
                flat = np.ascontiguousarray(x).reshape(-1).view(np.uint8)
                return self.blob("ndarray", memoryview(flat), dt=x.dtype.str, sh=list(x.shape))
            if t.__module__ == "numpy":
                return self.blob("npscalar", x.tobytes(), dt=x.dtype.str)
        torch = sys.modules.get("torch")
        if torch is not None:
            if t is torch.Tensor or t is torch.nn.Parameter:
                if x.layout == torch.strided and not x.is_quantized and x.device.type != "meta":
                    return self._tensor(torch, x)
            elif t is torch.dtype:
                return {"$": "tdtype", "n": str(x).removeprefix("torch.")}
            elif t is torch.device:
                return {"$": "tdevice", "s": str(x)}
            elif t is torch.Size:
                return {"$": "tsize", "v": list(x)}
        return self._reference(x)

    def _container(self, x, t):
        if id(x) in self._open:
            raise ValueError("cannot send a container that contains itself")
        self._open.add(id(x))
        try:
            if t is list:
                return [self.encode(i) for i in x]
            if t is dict or t is collections.OrderedDict:  # a state_dict() is an OrderedDict: plain data
                kv = [[self.encode(k), self.encode(v)] for k, v in x.items()]
                return {"$": "dict" if t is dict else "odict", "kv": kv}
            return {"$": t.__name__, "v": [self.encode(i) for i in x]}  # tuple, set, frozenset
        finally:
            self._open.discard(id(x))

    def _tensor(self, torch, x):
        """A tensor by value: dtype, shape, raw bytes (CPU, contiguous), requires_grad, Parameter-ness,
        and its .grad when it has one."""
        data = x.detach().resolve_conj().resolve_neg().cpu().contiguous().reshape(-1)
        if data.numel() == 1 and data.stride(0) != 1:  # a one-element view keeps its stride through all that
            data = data.as_strided((1,), (1,))
        if data.numel():
            raw = data.view(torch.uint8)
            raw = memoryview(raw.numpy()) if "numpy" in sys.modules else bytes(raw.tolist())
        else:
            raw = b""
        grad = x.grad if x.is_leaf else None
        return self.blob("tensor", raw, dt=str(x.dtype).removeprefix("torch."), sh=list(x.shape),
                         rg=x.requires_grad, p=type(x) is not torch.Tensor,
                         g=None if grad is None else self._tensor(torch, grad))

    def _reference(self, x):
        if self.plain_only:
            raise _NeedsReference
        conn = self.conn
        if type(x) is Proxy and x._wire_conn is conn:
            return {"$": "back", "h": x._wire_h}  # the other side's own object, going home
        policy = None
        if conn.strict:
            if type(x) is not Handout:
                raise TypeError(f"the judge hands out only plain data and what it made for the purpose, "
                                f"not a {type(x).__qualname__}")
            x, policy = x.obj, (x.ops, x.attrs)
            if isinstance(x, types.ModuleType):
                raise TypeError(f"the judge does not hand out modules (tried to send {x.__name__!r})")
        h = conn._export(x, policy)
        self.exported.append(h)
        return {"$": "ref", "h": h, "t": type(x).__qualname__}

    def undo(self):
        for h in self.exported:
            self.conn._release(h, 1)
        self.exported.clear()


def _blob(v, blobs):
    return bytearray.fromhex(v["hex"]) if "hex" in v else blobs[v["b"]]


def _decode(conn: Connection | None, v, blobs):
    """The inverse of `_Encoder.encode` (a proxy for each reference; the original for a "back")."""
    t = type(v)
    if t is list:
        return [_decode(conn, i, blobs) for i in v]
    if t is not dict:
        return v  # None, bool, int, float, str
    tag = v["$"]
    if tag == "tuple":
        return tuple(_decode(conn, i, blobs) for i in v["v"])
    if tag == "dict" or tag == "odict":
        pairs = ((_decode(conn, k, blobs), _decode(conn, x, blobs)) for k, x in v["kv"])
        return dict(pairs) if tag == "dict" else collections.OrderedDict(pairs)
    if tag == "ref":
        return conn._proxy(v["h"], v["t"])
    if tag == "back":
        return conn._exported(v["h"])
    if tag == "tensor":
        return _decode_tensor(v, blobs)
    if tag == "ndarray" or tag == "npscalar":
        import numpy as np

        dtype = np.dtype(v["dt"])
        if dtype.kind not in _ARRAY_KINDS:  # never an object array made of raw bytes
            raise ValueError(f"refused numpy dtype {v['dt']!r}")
        a = np.frombuffer(_blob(v, blobs), dtype=dtype)
        return a.reshape(v["sh"]) if tag == "ndarray" else a[0]
    if tag == "bytes":
        return bytes(_blob(v, blobs))
    if tag == "bytearray":
        return bytearray(_blob(v, blobs))
    if tag == "int":
        return int(v["x"], 16)
    if tag == "nan":
        return struct.unpack("<d", bytes.fromhex(v["x"]))[0]
    if tag in ("set", "frozenset"):
        return (set if tag == "set" else frozenset)(_decode(conn, i, blobs) for i in v["v"])
    if tag == "complex":
        return complex(*_decode(conn, v["v"], blobs))
    if tag == "slice":
        return slice(*_decode(conn, v["v"], blobs))
    if tag == "range":
        return range(*_decode(conn, v["v"], blobs))
    if tag == "...":
        return Ellipsis
    import torch

    if tag == "tdtype":
        return _torch_dtype(torch, v["n"])
    if tag == "tdevice":
        return torch.device(v["s"])
    if tag == "tsize":
        return torch.Size(v["v"])
    raise ValueError(f"unknown value tag {tag!r}")


def _torch_dtype(torch, name: str):
    dtype = getattr(torch, name, None)
    if not isinstance(dtype, torch.dtype):
        raise ValueError(f"unknown torch dtype {name!r}")
    return dtype


def _decode_tensor(v, blobs):
    import torch

    dtype = _torch_dtype(torch, v["dt"])
    raw = _blob(v, blobs)
    if len(raw):  # shares the received buffer: no copy
        t = torch.frombuffer(raw, dtype=torch.uint8).view(dtype).reshape(v["sh"])
    else:
        t = torch.empty(v["sh"], dtype=dtype)
    if v["p"]:
        t = torch.nn.Parameter(t, requires_grad=v["rg"])
    elif v["rg"]:
        t.requires_grad_(True)
    if v["g"] is not None:
        t.grad = _decode_tensor(v["g"], blobs)
    return t


# --------------------------------------------------------------------------------------------------
# Exceptions across the wire
# --------------------------------------------------------------------------------------------------

def _builtin_base(cls) -> type | None:
    """The exception's own class when it is a builtin Exception, else its nearest builtin ancestor
    other than Exception itself (None when there is none)."""
    for base in cls.__mro__:
        if base is Exception or base is BaseException:
            return None
        if base.__module__ == "builtins" and getattr(builtins, base.__name__, None) is base:
            return base if issubclass(base, Exception) else None
    return None


def _exception_info(e: BaseException, with_traceback: bool) -> dict:
    """A JSON-able description of an exception: type name, message, args when they are plain data."""
    try:
        message = str(e)
    except Exception:
        message = "<unprintable>"
    if isinstance(e, RemoteError):  # passing through: keep the original type name
        info = {"type": e.type_name, "msg": e.message}
    else:
        info = {"type": type(e).__qualname__, "msg": message}
    base = _builtin_base(type(e))
    if base is not None:
        info["base"] = base.__name__
        info["exact"] = base is type(e)
        if info["exact"]:  # rebuilt from its args when they are plain data
            try:
                info["args"] = _Encoder(None, plain_only=True).encode(list(e.args))
            except Exception:
                pass
    if type(e) is ForbiddenCall:
        info["forbidden"] = e.names
    if with_traceback:  # the frames of the code that raised, not those of this module
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename != __file__]
        text = traceback.format_list(frames) + traceback.format_exception_only(e)
        info["tb"] = "".join(["Traceback (most recent call last):\n", *text])[-_TB_LIMIT:]
    return info


_remote_subclasses: dict = {}


def _rebuild_exception(info: dict) -> BaseException:
    if type(info) is not dict or not isinstance(info.get("msg"), str) or not isinstance(info.get("type"), str):
        return RemoteError("ProtocolError", f"malformed exception {info!r:.200}")
    if isinstance(info.get("forbidden"), list):
        e = ForbiddenCall([str(name) for name in info["forbidden"]])
    else:
        base = getattr(builtins, info.get("base", ""), None)
        ok = isinstance(base, type) and issubclass(base, Exception)
        e = None
        if ok and info.get("exact"):
            try:
                e = base(*_decode(None, info["args"], [])) if "args" in info else base(info["msg"])
            except Exception:
                e = None
        if e is None and ok:  # a RemoteError that is also the nearest builtin base
            cls = _remote_subclasses.get(base)
            if cls is None:
                try:
                    cls = type(f"Remote{base.__name__}", (RemoteError, base), {"__module__": __name__})
                except TypeError:  # incompatible layouts
                    cls = RemoteError
                _remote_subclasses[base] = cls
            try:
                e = cls(info["type"], info["msg"])
            except Exception:  # a base whose constructor wants other arguments
                e = None
        if e is None:
            e = RemoteError(info["type"], info["msg"])
    if info.get("tb"):
        e.add_note("raised in the other process:\n" + str(info["tb"]))
    return e


# --------------------------------------------------------------------------------------------------
# Watching a call for forbidden functions
# --------------------------------------------------------------------------------------------------

def _resolve(name: str):
    """The object a dotted name names: the longest importable module prefix, then attributes."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise LookupError(name)


class _Targets:
    """The forbidden objects, indexed for the profile hook and the torch function mode."""

    def __init__(self, forbid):
        self.codes: dict = {}  # code object of a Python function -> name
        self.ids: dict = {}  # id(object) -> (object, name): C functions, and all objects for torch
        self.methods: dict = {}  # method name -> [(class, name)]: C method descriptors
        self.prefixes: list = []  # (module name, name): every function defined in that module
        self.unresolved: list = []
        for name in forbid:
            try:
                obj = _resolve(name)
            except Exception:
                self.unresolved.append(name)
                continue
            if isinstance(obj, types.ModuleType):
                self.prefixes.append((obj.__name__, name))
            elif isinstance(obj, type):  # a class: all of its methods
                for member in vars(obj).values():
                    member = getattr(member, "__func__", member)
                    if callable(member):
                        self._add(member, name)
                self.ids[id(obj)] = (obj, name)
            else:
                self._add(obj, name)
        self._module_cache: dict = {}

    def _add(self, obj, name):
        self.ids[id(obj)] = (obj, name)
        fn = getattr(obj, "__func__", obj)
        for _ in range(20):  # down to the innermost function of decorators that set __wrapped__:
            self.ids[id(fn)] = (fn, name)  # a decorator's wrapper code is shared by the functions
            if not hasattr(fn, "__wrapped__"):  # it decorates, so only the innermost code counts
                break
            fn = fn.__wrapped__
        code = getattr(fn, "__code__", None)
        if isinstance(code, types.CodeType):
            self.codes[code] = name
        owner = getattr(obj, "__objclass__", None)  # a C method such as torch.Tensor.softmax
        if isinstance(owner, type):
            self.methods.setdefault(obj.__name__, []).append((owner, name))

    def in_module(self, module) -> str | None:
        if not isinstance(module, str):
            return None
        hit = self._module_cache.get(module, 0)
        if hit == 0:
            hit = next((n for p, n in self.prefixes if module == p or module.startswith(p + ".")), None)
            self._module_cache[module] = hit
        return hit

    def c_function(self, fn) -> str | None:
        entry = self.ids.get(id(fn))
        if entry is not None and entry[0] is fn:
            return entry[1]
        owners = self.methods.get(getattr(fn, "__name__", None))
        if owners:
            me = getattr(fn, "__self__", None)
            for cls, name in owners:
                if isinstance(me, cls) or me is cls:
                    return name
        if self.prefixes:
            module = getattr(fn, "__module__", None)
            if module is None:
                module = type(getattr(fn, "__self__", None)).__module__
            return self.in_module(module)
        return None


_mode_class = None


def _torch_watch_mode(torch, targets: _Targets, called: set, quiet):
    """A TorchFunctionMode that notes forbidden torch functions, whatever name they were called by."""
    global _mode_class
    if _mode_class is None:
        class _WatchMode(torch.overrides.TorchFunctionMode):
            def __torch_function__(self, func, types_, args=(), kwargs=None):
                if not self.quiet():
                    name = self.targets.c_function(func)
                    if name is None:
                        code = getattr(func, "__code__", None)
                        name = self.targets.codes.get(code) if code is not None else None
                    if name is not None:
                        self.called.add(name)
                return func(*args, **(kwargs or {}))

        _mode_class = _WatchMode
    mode = _mode_class()
    mode.targets, mode.called, mode.quiet = targets, called, quiet
    return mode


def _profile_hook(targets: _Targets, called: set, quiet):
    """A sys.setprofile hook that notes forbidden Python functions (their code) and C functions."""
    def hook(frame, event, arg):
        if quiet():
            return
        if event == "call":
            name = targets.codes.get(frame.f_code)
            if name is None and targets.prefixes:
                name = targets.in_module(frame.f_globals.get("__name__"))
        elif event == "c_call":
            name = targets.c_function(arg)
        else:
            return
        if name is not None:
            called.add(name)

    return hook


def _descendants_cpu(root: int) -> float:
    """CPU seconds (user + system, with what each waited for) of every live process below `root`,
    zombies included, read from /proc; 0 where /proc cannot be read."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return 0.0
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone, or not ours to read
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)  # fields[1]: ppid; [11:15]: utime stime cutime cstime
        times[pid] = sum(int(x) for x in fields[11:15]) / tick
    total, todo = 0.0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo += children.get(pid, [])
    return total


def cpu_seconds() -> float:
    """CPU seconds of this process and all it started: every thread (time.process_time), the child
    processes it waited for (os.times), and the live descendants (/proc), so that work moved into a
    thread, a fork or a subprocess is charged too. Not counted: a child whose parent ignored
    SIGCHLD (the kernel discards its times when it is reaped automatically)."""
    t = os.times()
    return time.process_time() + t.children_user + t.children_system + _descendants_cpu(os.getpid())


def watch_call(fn, args=(), kwargs=None, forbid=(), quiet=None, timed=False) -> Watched:
    """Call fn(*args, **kwargs) in this process, noting calls to the objects named in `forbid`.

    A name is resolved now (importing it if needed); a module forbids every function defined in it
    or its submodules. Python functions are seen through their code objects (sys.setprofile, also in
    threads started during the call), C functions by identity ('c_call' events) and, when torch is
    imported, torch functions through a TorchFunctionMode, so an alias or a local import does not hide
    them. `quiet()` returning true mutes the watch (the wire's own work during nested requests).
    The CPU time covers the call only: this process's threads (time.process_time) and, with `timed`
    (a call whose time is graded), the processes it started too (`cpu_seconds`, which reads /proc:
    about a millisecond, too slow for every call)."""
    kwargs = kwargs or {}
    quiet = quiet or (lambda: False)
    called: set = set()
    targets = _Targets(forbid)
    hook = mode = None
    if forbid:
        hook = _profile_hook(targets, called, quiet)
        torch = sys.modules.get("torch")
        if torch is not None:
            mode = _torch_watch_mode(torch, targets, called, quiet)
    old_hook, old_thread_hook = sys.getprofile(), threading.getprofile()
    value = error = None
    if mode is not None:
        mode.__enter__()
    if hook is not None:
        threading.setprofile(hook)
        sys.setprofile(hook)
    clock = cpu_seconds if timed else time.process_time
    start = clock()
    try:
        value = fn(*args, **kwargs)
    except BaseException as e:  # reported to the caller, like the value
        error = e
    finally:
        cpu = clock() - start
        if hook is not None:
            if sys.getprofile() is not hook:
                called.add("(the watch, which the code under test switched off)")
            sys.setprofile(old_hook)
            threading.setprofile(old_thread_hook)
        if mode is not None:
            try:
                mode.__exit__(None, None, None)
            except Exception:
                called.add("(the watch, which the code under test switched off)")
    return Watched(value, error, sorted(called), cpu, targets.unresolved)


class remote:
    """Operations on a proxy whose result stays with the owner, as a proxy, even when it is plain
    data: `remote(out).loss.backward()` runs backward on the owner's own loss tensor, where
    `out.loss.backward()` would run it on a by-value copy. Attribute access and calls chain."""

    __slots__ = ("_proxy",)

    def __init__(self, proxy):
        if type(proxy) is not Proxy:
            raise TypeError("remote() needs a Proxy (an object of the other process)")
        object.__setattr__(self, "_proxy", proxy)

    def __getattr__(self, name):
        p = self._proxy
        return remote(p._wire_conn._op("getattr", p, name, ref=True))

    def __getitem__(self, key):
        p = self._proxy
        return remote(p._wire_conn._op("getitem", p, key, ref=True))

    def __call__(self, *args, **kwargs):
        p = self._proxy
        conn = p._wire_conn
        if conn.forbid:  # watched, as a proxy's own call is
            return remote(call_watched(p, args, kwargs, forbid=conn.forbid, ref=True))
        return remote(conn._op("call", p, args, kwargs, ref=True))

    @property
    def proxy(self):
        """The proxy itself: use it as an argument, or to get the value (by value) with plain operations."""
        return self._proxy


def call_watched(proxy, args=(), kwargs=None, *, forbid=(), ref=False, timed=False):
    """Call a remote function, watched by its owner for calls to the names in `forbid` (with `timed`,
    its CPU time counts the threads and processes the call started, see `cpu_seconds`).

    Returns the call's value (a proxy of it, even of plain data, with ref=True); raises what the call raised, else ForbiddenCall (an AssertionError)
    naming the forbidden functions it used. Afterwards the connection's `last_cpu_time` holds the CPU
    seconds the call took in the owner's process, `last_called` the forbidden names it used and
    `last_unresolved` the names that the owner could not import (nothing can call those)."""
    if type(proxy) is not Proxy:
        raise TypeError("call_watched needs a Proxy (an object of the other process)")
    conn = proxy._wire_conn
    conn.last_cpu_time, conn.last_called, conn.last_unresolved = None, [], []
    value = conn._op("wcall", proxy, tuple(args), dict(kwargs or {}), list(forbid), bool(timed), ref=ref)
    if conn.last_called:
        raise ForbiddenCall(conn.last_called)
    return value


# --------------------------------------------------------------------------------------------------
# Proxies
# --------------------------------------------------------------------------------------------------

class _Stream:
    """Local buffer of items fetched in chunks from a remote iterator."""

    def __init__(self, conn, iterator, items=(), end=None):
        self.conn, self.iterator, self.buffer, self.end = conn, iterator, collections.deque(items), end

    def next(self, chunk: int):
        if not self.buffer and self.end is None:
            self.buffer.extend(self.conn._op("next", self.iterator, chunk))
            self.end = self.conn._last_end
        if self.buffer:
            return self.buffer.popleft()
        end = self.end
        if end is None or end == "stop":
            raise StopIteration  # and stays exhausted
        # An exception: raised once; after it, the owner decides what comes next (nothing when the
        # iterator was not handed over).
        self.end = None if self.iterator is not None else "stop"
        raise _rebuild_exception(end)

    def __iter__(self):
        while True:
            try:
                item = self.next(CHUNK)
            except StopIteration:
                return
            yield item


class Proxy:
    """An object of the other process. Operations are forwarded to its owner, values come back by
    value or as further proxies; the owner's exceptions are re-raised here (see RemoteError)."""

    __slots__ = ("_wire_conn", "_wire_h", "_wire_type", "_wire_n", "_wire_stream", "__weakref__")

    def __init__(self, conn, h, type_name):
        for k, v in (("_wire_conn", conn), ("_wire_h", h), ("_wire_type", type_name), ("_wire_n", 1),
                     ("_wire_stream", None)):
            object.__setattr__(self, k, v)

    def __getattr__(self, name):
        if name.startswith("_wire_"):
            raise AttributeError(name)
        return self._wire_conn._op("getattr", self, name)

    def __call__(self, *args, **kwargs):
        conn = self._wire_conn
        if conn.forbid:  # every call is watched while the connection forbids something
            return call_watched(self, args, kwargs, forbid=conn.forbid)
        return conn._op("call", self, args, kwargs)

    def __exit__(self, exc_type, exc, tb):
        info = None if exc is None else _exception_info(exc, with_traceback=False)
        return self._wire_conn._op("exit", self, info)

    def __repr__(self):
        try:
            return self._wire_conn._op("repr", self)
        except ConnectionLost:
            return f"<proxy of a {self._wire_type} in a lost connection>"
        except Exception:  # a handout that may not be printed, a repr that raises
            return f"<proxy of a {self._wire_type}>"

    def __iter__(self):
        """Items come in chunks of CHUNK per round trip. A remote iterator (say a generator) keeps
        its buffer on this proxy, so items fetched ahead are not lost to a later next(proxy)."""
        conn = self._wire_conn
        if self._wire_stream is None:
            is_own_iterator, iterator, items = conn._op("iter", self, CHUNK)
            stream = _Stream(conn, self if is_own_iterator else iterator, items, conn._last_end)
            if not is_own_iterator:
                return iter(stream)
            object.__setattr__(self, "_wire_stream", stream)
        return iter(self._wire_stream)

    def __next__(self):  # an explicit next() fetches no more than it needs
        stream = self._wire_stream or _Stream(self._wire_conn, self)
        item = stream.next(1)
        object.__setattr__(self, "_wire_stream", stream)  # the object is its own iterator
        return item

    def __reduce_ex__(self, protocol):
        raise TypeError("a wire Proxy cannot be pickled or copied")

    def __del__(self):
        try:
            self._wire_conn._forget(self)
        except Exception:  # interpreter shutdown, half-built proxy
            pass


def _forwarder(op):
    def forward(self, *args):
        return self._wire_conn._op(op, self, *args)

    forward.__name__ = op
    return forward


# The other special methods of a proxy just forward: name -> the owner's operation (_OPERATIONS).
for _name, _op in {"__setattr__": "setattr", "__delattr__": "delattr", "__getitem__": "getitem",
                   "__setitem__": "setitem", "__delitem__": "delitem", "__len__": "len",
                   "__contains__": "contains", "__bool__": "bool", "__eq__": "eq", "__ne__": "ne",
                   "__hash__": "hash", "__enter__": "enter", "__dir__": "dir", "__str__": "str"}.items():
    setattr(Proxy, _name, _forwarder(_op))


# --------------------------------------------------------------------------------------------------
# The connection
# --------------------------------------------------------------------------------------------------

# What the owner runs for a proxy's request (iter, next, exit and wcall: see Connection._dispatch).
_OPERATIONS = {
    "call": lambda obj, args, kwargs: obj(*args, **kwargs), "getattr": getattr, "setattr": setattr,
    "delattr": delattr, "getitem": operator.getitem, "setitem": operator.setitem,
    "delitem": operator.delitem, "len": len, "contains": operator.contains, "bool": bool, "repr": repr,
    "str": str, "eq": operator.eq, "ne": operator.ne, "hash": hash, "dir": dir,
    "enter": lambda obj: obj.__enter__(),
}

# What a strict side lets the other side do with its objects.
_STRICT_OPS = {"call", "getattr", "getitem", "len", "iter", "next", "contains", "bool", "repr", "str",
               "eq", "ne", "hash", "enter", "exit"}


class Connection:
    """One end of a wire, over a connected stream socket (AF_UNIX or TCP).

    handler(op, payload) answers the other side's `request(op, payload)`. With strict=True (the
    judge's end) nothing of this side crosses by reference unless it was wrapped in a Handout, and
    the other side may do with a handout only what it lists (default deny: no attribute, operation
    or result beyond it; never setattr/delattr, dir(), watched calls or modules). A handout guards
    what can be reached, not behaviour: what its allowed operations do is the judge's business.
    `timeout` (seconds) bounds each wait for the other side's next message (TimeoutError; the
    connection stays usable) and each stall inside a message (ConnectionLost); `max_bytes` bounds
    one message, and its JSON header is at most HEADER_LIMIT bytes."""

    def __init__(self, sock, handler=None, strict=False, timeout=None, max_bytes=4 << 30):
        sock.settimeout(timeout)
        self._sock, self.handler, self.strict = sock, handler, strict
        self.timeout, self.max_bytes = timeout, max_bytes
        self._rbuf = bytearray()
        self._exports: dict = {}  # handle -> [object, times sent]
        self._export_ids: dict = {}  # id(object) -> handle
        self._next_handle = 1
        self._proxies: dict = {}  # handle of the other side -> weakref to our Proxy
        self._released: list = []  # (handle, count) to piggy-back on the next message
        self._next_id = 1
        self._replies: dict = {}  # replies that arrived while waiting for an inner one
        self._waiting: set = set()
        self._quiet = 0  # >0 while the wire itself works (the watch ignores it)
        self._lock = threading.RLock()
        self._last_end = None
        self.closed = False
        self.sent_requests = 0
        self.last_cpu_time = None
        self.last_called: list = []
        self.last_unresolved: list = []
        #: names every call through this end's proxies is watched for, meanwhile (empty: plain calls)
        self.forbid: tuple = ()

    # -- public API -------------------------------------------------------------------------------

    def request(self, op: str, payload=None):
        """Ask the other side's handler(op, payload) and return its answer (decoded)."""
        return self._request({"op": "app", "name": op}, (payload,))

    def serve(self):
        """Answer the other side's requests until it closes the connection."""
        with self._lock:
            try:
                while True:
                    header, blobs = self._receive()
                    if header["k"] == "q":
                        self._serve_one(header, blobs)
            except ConnectionLost:  # (also when it vanished before our reply)
                self.closed = True

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self._send({"k": "bye"}, [])
            except Exception:
                pass
        self._sock.close()
        self._exports.clear()  # the other side can no longer use them
        self._export_ids.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- handles ----------------------------------------------------------------------------------

    def _export(self, obj, policy=None) -> int:
        """A handle for obj; `policy` (a strict side's (ops, attrs), see Handout) is what the other
        side may do with it: the same object handed out under two policies gets two handles."""
        key = (id(obj), policy)
        h = self._export_ids.get(key)
        if h is None:
            h, self._next_handle = self._next_handle, self._next_handle + 1
            self._exports[h] = [obj, 0, policy]
            self._export_ids[key] = h
        self._exports[h][1] += 1
        return h

    def _entry(self, h):
        entry = self._exports.get(h)
        if entry is None:
            raise ValueError(f"unknown or released handle {h}")
        return entry

    def _exported(self, h):
        return self._entry(h)[0]

    def _release(self, h, count):
        entry = self._exports.get(h)
        if entry is not None:
            entry[1] -= count
            if entry[1] <= 0:
                del self._exports[h], self._export_ids[(id(entry[0]), entry[2])]

    def _proxy(self, h, type_name):
        ref = self._proxies.get(h)
        p = ref() if ref is not None else None
        if p is None:
            p = Proxy(self, h, type_name)
            self._proxies[h] = weakref.ref(p)
        else:
            object.__setattr__(p, "_wire_n", p._wire_n + 1)  # one more send to give back when released
        return p

    def _forget(self, proxy):
        """A proxy was garbage collected: tell the owner on the next message (runs inside __del__:
        no I/O here)."""
        ref = self._proxies.get(proxy._wire_h)
        if ref is not None:
            live = ref()  # (identity only: == on a proxy would be a remote call)
            if live is None or live is proxy:
                del self._proxies[proxy._wire_h]
        self._released.append((proxy._wire_h, proxy._wire_n))

    # -- messages ---------------------------------------------------------------------------------

    def _send(self, header: dict, blobs: list):
        if self._released:
            header["rel"], self._released = self._released, []
        data = json.dumps(header, separators=(",", ":"), check_circular=False).encode()
        lengths = [memoryview(b).nbytes for b in blobs]
        frame = struct.pack(f"!II{len(blobs)}Q", len(data), len(blobs), *lengths) + data
        try:
            if sum(lengths) < 65536:
                self._sock.sendall(b"".join([frame, *blobs]))
            else:
                self._sock.sendall(frame)
                for b in blobs:
                    self._sock.sendall(b)
        except OSError as e:
            self.closed = True
            raise ConnectionLost(f"the other process is gone ({e})") from None

    def _read(self, n: int):
        """Exactly n bytes from the socket, as a new (writable) bytearray."""
        buf = self._rbuf
        if len(buf) >= n:
            out = buf[:n]
            del buf[:n]
            return out
        if n >= 65536:  # large: read straight into its own buffer
            out = bytearray(n)
            have = len(buf)
            out[:have] = buf
            buf.clear()
            view = memoryview(out)
            while have < n:
                have += self._recv(view[have:])
            return out
        while len(buf) < n:
            buf += self._recv(65536)
        out = buf[:n]
        del buf[:n]
        return out

    def _recv(self, into):
        """recv(n) when `into` is a size, recv_into when it is a buffer; ConnectionLost at the end."""
        try:
            got = self._sock.recv(into) if type(into) is int else self._sock.recv_into(into)
        except OSError as e:
            got, reason = 0, str(e)
        else:
            reason = "the other process closed the connection"
        if not got:
            self.closed = True
            raise ConnectionLost(reason)
        return got

    def _receive(self):
        if self.closed:
            raise ConnectionLost("the connection is closed")
        if self._sock.gettimeout() != self.timeout:  # a stall inside a message: ConnectionLost
            self._sock.settimeout(self.timeout)
        if self.timeout is not None and not self._rbuf:  # none between messages: TimeoutError
            ready, _, _ = select.select([self._sock], [], [], self.timeout)
            if not ready:
                raise TimeoutError(f"no message from the other process in {self.timeout} s")
        try:
            hlen, nblobs = struct.unpack("!II", self._read(8))
            if hlen > HEADER_LIMIT or hlen + 8 * nblobs > self.max_bytes:
                raise ValueError("message over the size limit")
            lengths = struct.unpack(f"!{nblobs}Q", self._read(8 * nblobs)) if nblobs else ()
            if hlen + sum(lengths) > self.max_bytes:
                raise ValueError(f"message of {hlen + sum(lengths)} bytes, over the limit")
            header = json.loads(self._read(hlen))
            blobs = [self._read(n) for n in lengths]
            if type(header) is not dict or header.get("k") not in ("q", "r", "e", "bye") or (
                    header["k"] != "bye" and type(header.get("id")) is not int):
                raise ValueError("not a message of this protocol")
        except ConnectionLost:
            raise
        except (ValueError, struct.error, RecursionError, TypeError) as e:
            self.closed = True
            raise ConnectionLost(f"protocol error: {e}") from None
        for h, n in header.get("rel", ()):
            self._release(h, n)
        if header["k"] == "bye":
            self.closed = True
            raise ConnectionLost("the other process closed the connection")
        return header, blobs

    # -- asking -----------------------------------------------------------------------------------

    def _op(self, op, proxy, *args, ref=False):
        if proxy._wire_conn is not self:
            raise ValueError("this proxy belongs to another connection")
        header = {"op": op, "h": proxy._wire_h}
        if ref:
            header["ref"] = True
        return self._request(header, args)

    def _request(self, header: dict, args: tuple):
        with self._lock:
            saved, self._quiet = self._quiet, self._quiet + 1
            try:
                rid, self._next_id = self._next_id, self._next_id + 1
                enc = _Encoder(self)
                try:
                    header.update(k="q", id=rid, a=enc.encode(list(args)))
                except Exception:
                    enc.undo()
                    raise
                self._waiting.add(rid)
                try:
                    self._send(header, enc.blobs)
                    self.sent_requests += 1
                    reply, blobs = self._wait(rid)
                finally:
                    self._waiting.discard(rid)
                if "cpu" in reply:
                    self.last_cpu_time = reply["cpu"]
                    self.last_called = reply["called"]
                    self.last_unresolved = reply["unresolved"]
                if reply["k"] == "e":
                    raise _rebuild_exception(reply["e"])
                self._last_end = reply.get("end")
                return _decode(self, reply["v"], blobs)
            finally:
                self._quiet = saved

    def _wait(self, rid):
        """Receive until the reply to request `rid` comes, serving the other side's requests."""
        while rid not in self._replies:
            header, blobs = self._receive()
            if header["k"] == "q":
                self._serve_one(header, blobs)
            elif header["id"] in self._waiting:
                self._replies[header["id"]] = (header, blobs)
            # else: the reply to a request abandoned by an exception (KeyboardInterrupt, timeout)
        return self._replies.pop(rid)

    # -- answering --------------------------------------------------------------------------------

    def _serve_one(self, header, blobs):
        saved = self._quiet
        reply, error = {"k": "r", "id": header["id"]}, None
        try:
            self._quiet = saved + 1
            args = _decode(self, header["a"], blobs)
            self._quiet = 0  # from here on it is the application's code: a watch sees it
            value = self._dispatch(header["op"], header, args, reply)
        except BaseException as e:  # the other side hears of it; see below for KeyboardInterrupt
            error = e
        try:
            self._quiet = saved + 1
            enc = _Encoder(self)
            if error is None:
                try:
                    # asked for by reference (see `remote`): even plain data stays with its owner
                    reply["v"] = enc._reference(value) if header.get("ref") else enc.encode(value)
                except Exception as e:  # a module from a strict side, a cyclic list
                    enc.undo()
                    error = e
            if error is not None:
                reply.update(k="e", e=_exception_info(error, with_traceback=not self.strict))
                reply.pop("v", None)
            self._send(reply, enc.blobs)
        finally:
            self._quiet = saved
        if error is not None and not isinstance(error, Exception):
            raise error  # KeyboardInterrupt, SystemExit: the other side was told; stop here too

    def _dispatch(self, op, header, args, reply):
        if op == "app":
            if self.handler is None:
                raise NotImplementedError(f"no handler for request {header['name']!r}")
            return self.handler(header["name"], *args)
        obj, _, policy = self._entry(header["h"])
        if self.strict:
            self._check_strict(op, obj, args, policy)
        if op == "next":
            items, reply["end"] = self._chunk(obj, args[0])
            return items
        if op == "iter":  # (is the object its own iterator, a new iterator or None, first items)
            it = iter(obj)
            items, reply["end"] = self._chunk(it, args[0])
            return it is obj, it if it is not obj and reply["end"] is None else None, items
        if op == "exit":
            e = None if args[0] is None else _rebuild_exception(args[0])
            return obj.__exit__(None if e is None else type(e), e, None)
        if op == "wcall":
            a, kw, forbid, timed = args
            watched = watch_call(obj, a, kw, forbid, quiet=lambda: self._quiet, timed=timed)
            reply.update(cpu=watched.cpu_time, called=watched.called, unresolved=watched.unresolved)
            if watched.error is not None:
                raise watched.error
            return watched.value
        if op not in _OPERATIONS:
            raise ValueError(f"unknown operation {op!r}")
        return _OPERATIONS[op](obj, *args)

    def _check_strict(self, op, obj, args, policy):
        """Default deny: the other side may do with a strict side's object only what its Handout allows."""
        ops, attrs = policy if policy is not None else ((), ())
        if op not in _STRICT_OPS or op not in ops:
            if op in ("setattr", "delattr"):
                raise AttributeError(f"the judge's {type(obj).__name__} objects are read-only")
            raise PermissionError(f"operation {op!r} on this object of the judge's is not allowed")
        if op == "getattr" and (type(args[0]) is not str or args[0] not in attrs):
            raise AttributeError(f"{type(obj).__name__!r} object has no attribute {args[0]!r} "
                                 "(the judge's objects show only the attributes handed out with them)")

    @staticmethod
    def _chunk(it, n):
        """Up to n items of an iterator, and how it ended: None (more may come), "stop" or the
        description of the exception it raised."""
        items = []
        try:
            for _ in range(n):
                items.append(next(it))
        except StopIteration:
            return items, "stop"
        except Exception as e:
            return items, _exception_info(e, with_traceback=False)
        return items, None
