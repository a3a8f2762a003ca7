"""The judge: hidden checks run in the grading process, never in the student's kernel.

Grading runs the student's notebook in a sandboxed kernel (graders/sandbox.py) that cannot read
graders/ or solutions/. On the kernel's path sits a stand-in `graders` package written here: each
stand-in check sends the student's objects, by reference, to this judge over a unix socket
(graders/judge_client.py, graders/wire.py). The judge runs the real check in its own thread of the
grading process; each call the check makes on a student's function or class crosses back into the
kernel, runs there, and only plain data (numbers, strings, lists, arrays, tensors: no pickle) comes
back. The judge records each check's verdict itself. A part scores only when its check's verdict
here says passed; the kernel's own view of the cell (nbgrader's score) is compared with it, and a
cell that passed in the kernel while its check failed or never reached the judge is flagged as
suspected tampering (graders/grade.py).

Checks call the objects they are given. What a check does besides calling has helpers in
graders/properties.py: `manual_seed` seeds torch on both sides, `student_module` and
`shipped_module` import a module where the student's code lives (to build there a model that the
student's function changes in place), `student_copies` puts inputs there so that changes in place
are seen, `inside_student_module` places a judge-side part inside a student's module. Every call on
a student's object is watched for the part's forbidden oracles (graders/forbidden.py), and
`wire.call_watched` gives the CPU time a call took there.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import dataclasses
import functools
import importlib
import os
import re
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import forbidden, judge_client, manifest, wire
from . import sandbox as sandbox_module

#: the connection to the kernel whose check runs now (None outside a judged check)
SESSION: contextvars.ContextVar[wire.Connection | None] = contextvars.ContextVar("llmt_judge_session", default=None)

#: bytes of one message from the kernel (the largest a check needs is a few MB of weights or logits)
MAX_MESSAGE = 512 << 20

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
CHECK_CALL = re.compile(r"\b(check_\w+)\s*\(")


def hidden_checks(assignment: manifest.Assignment) -> dict[str, str]:
    """check function name -> the grade_id of the cell whose hidden region calls it."""
    from . import notebooks  # nbformat: not on the GPU machines, which import checks but never grade

    found = {}
    for cell in notebooks.read(assignment.source_notebook).cells:
        meta = notebooks.nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        for region in HIDDEN.findall(cell.source):
            for name in CHECK_CALL.findall(region):
                found[name] = meta["grade_id"]
    return found


def write_standins(dest: Path) -> Path:
    """Write the two packages the kernel imports instead of the real graders into `dest`:
    `graders` (a stand-in per check) and `_llmt_judge` (graders/wire.py, graders/judge_client.py and
    graders/kernel_toys.py, copied verbatim: the client reaches the judge through the wire; the toys
    are models the checks build in the kernel)."""
    here = Path(__file__).parent
    client = dest / "_llmt_judge"
    client.mkdir(parents=True, exist_ok=True)
    (client / "__init__.py").write_text('"""The kernel side of the judge: copies of graders/wire.py, judge_client.py and kernel_toys.py."""\n')
    shutil.copyfile(here / "wire.py", client / "wire.py")
    shutil.copyfile(here / "judge_client.py", client / "client.py")
    shutil.copyfile(here / "kernel_toys.py", client / "toys.py")
    pkg = dest / "graders"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text('"""Stand-ins: the hidden checks run in the judge, outside this kernel."""\n')
    for a in manifest.authored():
        names = sorted(hidden_checks(a))
        lines = ['"""Stand-ins for the hidden checks of this assignment; they run in the judge."""',
                 "", "from _llmt_judge.client import run_check", ""]
        for name in names:
            lines += ["", f"def {name}(*args, **kwargs):", "    __tracebackhide__ = True",
                      f"    run_check({a.module!r}, {name!r}, args, kwargs)", ""]
        (pkg / f"{a.module}.py").write_text("\n".join(lines))
    return dest


def enabled() -> bool:
    """Whether hidden checks run in the judge. `LLMT_JUDGE=0` runs them inside the kernel instead,
    as before the judge existed (graders/ and solutions/ readable there): only to measure what the
    judge costs; such grades trust the student's process."""
    return os.environ.get("LLMT_JUDGE", "1") != "0"


@dataclass
class Verdict:
    """What the judge saw of one check: every call of it in the run, in order."""

    results: list[tuple[bool, str | None]] = field(default_factory=list)

    @property
    def ran(self) -> bool:
        return bool(self.results)

    @property
    def passed(self) -> bool:
        return self.ran and all(ok for ok, _ in self.results)

    @property
    def message(self) -> str | None:
        return next((m for ok, m in self.results if not ok), None)


def prepare(assignments) -> None:
    """Import, in a thread, these assignments' checks and the libraries they and the notebooks
    use (torch, hypothesis, transformers' model classes): while grading sets up and the kernel
    starts, not when the first hidden cell already waits on the judge."""
    from . import zygote

    modules = [f"graders.{a.module}" for a in assignments if a.authored]
    threading.Thread(target=zygote.import_all, args=(modules + zygote.preload_modules(assignments, kernel=False),),
                     daemon=True).start()


class Judge:
    """A unix-socket server in a thread of the grading process; one notebook at a time."""

    def __init__(self, root: Path | None = None):
        self._tmp = None
        if root is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="llmt-judge-")
            root = Path(self._tmp.name)
        self.root = Path(root)
        self.standins = write_standins(self.root / "standin")
        self.socket_path = self.root / "judge.sock"
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(self.socket_path))
        self._server.listen(4)
        self._lock = threading.Lock()
        self._assignment: manifest.Assignment | None = None
        self._expected: dict[str, str] = {}
        self._verdicts: dict[str, Verdict] = {}
        self._active: list[threading.Thread] = []
        self._closed = False
        self._pid = os.getpid()
        threading.Thread(target=self._accept, name="llmt-judge", daemon=True).start()

    _shared: "Judge | None" = None

    @classmethod
    def shared(cls) -> "Judge":
        """The judge of this grading process, started on first use and closed when it exits."""
        if cls._shared is None or cls._shared._pid != os.getpid():
            cls._shared = cls()
            atexit.register(cls._shared.close)
        return cls._shared

    # what the sandboxed kernel needs to reach the judge
    def environment(self) -> dict[str, str]:
        """For a kernel without the sandbox: the stand-ins first on its path, and the socket."""
        return {"PYTHONPATH": str(self.standins), "LLMT_JUDGE_SOCKET": str(self.socket_path)}

    def sandbox(self, walls: "sandbox_module.Sandbox") -> "sandbox_module.Sandbox":
        """`walls` with the stand-ins as the kernel's only course code (graders/ and solutions/
        unreadable) and the judge's socket within reach."""
        return dataclasses.replace(
            walls, trusted_readable=[self.standins / "graders", self.standins / "_llmt_judge"],
            readable=[*walls.readable, self.root], env={**walls.env, "LLMT_JUDGE_SOCKET": str(self.socket_path)})

    @contextlib.contextmanager
    def judging(self, assignment: manifest.Assignment):
        """Judge the checks of `assignment` for the duration; yields grade_id -> Verdict, filled
        when the block ends (once every connection of the run has closed)."""
        results: dict[str, Verdict] = {}
        with self._lock:
            self._assignment = assignment
            self._expected = hidden_checks(assignment)
            self._verdicts = {name: Verdict() for name in self._expected}
        prepare([assignment])
        try:
            yield results
        finally:
            for t in list(self._active):
                t.join(timeout=60)  # the kernel is gone by now: its connection ends promptly
            with self._lock:
                for name, grade_id in self._expected.items():
                    v = results.setdefault(grade_id, Verdict())
                    v.results.extend(self._verdicts[name].results)
                self._assignment, self._expected, self._verdicts = None, {}, {}

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._server.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    # ----------------------------------------------------------------------------- serving

    def _accept(self) -> None:
        while not self._closed:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(sock,), name="llmt-judge-conn", daemon=True)
            self._active = [x for x in self._active if x.is_alive()] + [t]
            t.start()

    def _serve(self, sock: socket.socket) -> None:
        conn = wire.Connection(sock, handler=lambda op, payload: self._handle(conn, op, payload), strict=True,
                               max_bytes=MAX_MESSAGE)
        with contextlib.closing(sock), contextlib.suppress(wire.ConnectionLost, OSError):
            conn.serve()

    def _handle(self, conn: wire.Connection, op: str, payload):
        if op != "check":
            raise ValueError(f"the judge answers only 'check' requests, not {op!r}")
        module, name, args, kwargs = payload
        with self._lock:
            assignment, known = self._assignment, name in self._expected
        if assignment is None or module != assignment.module or not known:
            return {"passed": False, "message": f"graders.{module}.{name} is not a check of the notebook being graded"}
        check = getattr(importlib.import_module(f"graders.{module}"), name)
        token = SESSION.set(conn)
        try:
            check(*args, **kwargs)
            ok, message = True, None
        except AssertionError as exc:
            ok, message = False, str(exc)
        except wire.ConnectionLost:
            ok, message = False, "the kernel stopped answering while the hidden check ran"
        except Exception as exc:  # a check that cannot run on what it was given scores nothing
            ok, message = False, f"the hidden check could not run: {type(exc).__name__}: {exc}"
        finally:
            SESSION.reset(token)
        with self._lock:
            if self._expected.get(name) is not None and name in self._verdicts:
                self._verdicts[name].results.append((ok, message))
        return {"passed": ok, "message": message}


# ------------------------------------------------------------------------ every check is judged

@contextlib.contextmanager
def _watching(conn: wire.Connection, names: tuple[str, ...]):
    """Every call the check makes on the student's objects is watched for `names` meanwhile."""
    saved = conn.forbid
    conn.forbid = tuple(names)
    try:
        yield
    finally:
        conn.forbid = saved


@contextlib.contextmanager
def loopback(objects):
    """A wire to this very process: the check gets proxies of `objects` (args, kwargs), served by a
    thread, exactly as it gets proxies of the kernel's objects when the judge grades a notebook."""
    a, b = socket.socketpair()

    def handle(op, payload):
        return objects if op == "objects" else judge_client.handle(op, payload)

    judge_end, student_end = wire.Connection(a, strict=True, max_bytes=MAX_MESSAGE), wire.Connection(b, handler=handle)
    server = threading.Thread(target=student_end.serve, name="llmt-loopback", daemon=True)
    server.start()
    try:
        yield judge_end
    finally:
        judge_end.close()
        server.join(timeout=30)
        student_end.close()


def judged(check):
    """Decorator of every hidden check (graders/<module>.py): it runs as the judge runs it.

    Under grading the judge calls the check with proxies of the kernel's objects. Called directly (a
    test, a notebook run by hand), the check's arguments are served from this process through a
    loopback wire, so the check sees the same proxies, by-value copies and watch. Either way every
    call it makes on the student's objects is watched for the part's forbidden oracles
    (graders/forbidden.py) and costs the part when it uses one.
    """
    names = forbidden.forbidden(check.__module__.rsplit(".", 1)[-1], check.__name__)

    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        __tracebackhide__ = True
        conn = SESSION.get()
        if conn is not None:
            with _watching(conn, names):
                return check(*args, **kwargs)
        with loopback((list(args), dict(kwargs))) as conn:
            args, kwargs = conn.request("objects", None)
            token = SESSION.set(conn)
            try:
                with _watching(conn, names):
                    return check(*args, **kwargs)
            finally:
                SESSION.reset(token)

    return wrapper
