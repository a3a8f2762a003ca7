"""The walls and limits around a grading kernel (graders/sandbox.py), and what a kernel that dies,
hangs or floods costs (graders/execute.py).

Small notebooks run through graders.execute.SandboxedExecute as nbgrader runs them; the failure
cases of the corpus (tests/corpus/failures.py) are graded end to end by tests/test_corpus.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from graders import manifest, sandbox, zygote
from graders.execute import KERNEL_DIED, NOT_RUN, SandboxedExecute
from graders.sandbox import Limits, Sandbox

_KERNELS = {"forked": False}


@contextlib.contextmanager
def forked_kernels(modules=("ipykernel.kernelapp", "numpy")):
    """For the duration, kernels are forked from a zygote started now, in this environment, with
    `modules` imported (`execute` asserts that they were)."""
    running = zygote.Zygote(list(modules))
    zygote._current, _KERNELS["forked"] = running, True
    try:
        yield running
    finally:
        zygote._current, _KERNELS["forked"] = None, False
        running.close()


@pytest.fixture(autouse=True, params=["started", "forked"])
def kernels(request, _no_hub):
    """Every test twice: with kernels started afresh, and forked from a zygote (graders/zygote.py)."""
    with forked_kernels() if request.param == "forked" else contextlib.nullcontext():
        yield


def execute(tmp_path: Path, cells: list[str], limits: Limits = Limits(), **settings) -> list:
    """Run `cells` in a sandboxed kernel whose notebook lies in a course layout under `tmp_path`."""
    notebook_dir = tmp_path / "course" / "autograded" / "alice" / "A"
    notebook_dir.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(cells=[new_code_cell(src) for src in cells])
    walls = Sandbox(limits=limits, **settings)
    ep = SandboxedExecute(sandbox=walls.to_dict(), timeout=limits.cell_timeout,
                          kernel_name="python3", extra_arguments=["--HistoryManager.hist_file=:memory:"])
    ep.preprocess(nb, {"metadata": {"path": str(notebook_dir)}})
    if walls.enabled:  # the kernel was forked where the machine and the walls allow it, and only then
        assert ep.kernel_status.get("forked", False) == (_KERNELS["forked"] and zygote.available(walls)), ep.kernel_status
    return nb.cells


def stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def errors(cell) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]


# A cell that tries things and prints, for each, "ok" or why not
PROBE = '''
import json, os, resource, socket
def attempt(label, action):
    try:
        action()
        result = "ok"
    except Exception as exc:
        result = type(exc).__name__
    print(json.dumps({label: result}))
def write(path):
    with open(path, "a") as f:
        f.write("x")
'''


def verdicts(cell) -> dict[str, str]:
    out = {}
    for line in stdout(cell).splitlines():
        out.update(json.loads(line))
    return out


def test_protections_active_on_this_machine():
    p = sandbox.protections()
    assert p["error"] is None
    assert p["landlock_abi"] >= 4 and p["landlock_filesystem"] and p["landlock_scopes"] == (p["landlock_abi"] >= 6)
    assert p["pid_namespace"] and p["mount_namespace"] and p["network_namespace"] and p["capabilities_dropped"] and p["rlimits"]
    assert sandbox.describe(p).startswith("sandbox: Landlock ABI")


def test_the_kernel_reads_and_writes_only_what_it_may(tmp_path, monkeypatch):
    """The judge's configuration (no trusted folders): the course's files are out of reach."""
    cache = tmp_path / "cache"
    (cache / "tiny-v1").mkdir(parents=True)
    (cache / "tiny-v1" / "config.json").write_text("{}")
    monkeypatch.setenv("LLMT_CACHE", str(cache))
    monkeypatch.setenv("GRADER_SECRET", "hunter2")
    course = tmp_path / "course"
    (course / "submitted" / "alice" / "A").mkdir(parents=True)
    (course / "submitted" / "alice" / "A" / "A.ipynb").write_text("{}")
    (course / "autograded" / "bob" / "A").mkdir(parents=True)
    (course / "autograded" / "bob" / "A" / "A.ipynb").write_text("{}")
    (course / "gradebook.db").write_bytes(b"SQLite format 3\0")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        cells = execute(tmp_path, [PROBE + f'''
attempt("read graders", lambda: open({str(manifest.COURSE_ROOT / "graders" / "properties.py")!r}).read())
attempt("import graders", lambda: __import__("graders.properties"))
attempt("list repository", lambda: os.listdir({str(manifest.COURSE_ROOT)!r}))
attempt("read gradebook", lambda: open("../../../gradebook.db", "rb").read())
attempt("write gradebook", lambda: write("../../../gradebook.db"))
attempt("read submitted", lambda: open("../../../submitted/alice/A/A.ipynb").read())
attempt("read other student", lambda: open("../../bob/A/A.ipynb").read())
attempt("write other student", lambda: write("../../bob/A/x.txt"))
attempt("read fixture", lambda: open(os.environ["LLMT_CACHE"] + "/tiny-v1/config.json").read())
attempt("write fixture cache", lambda: write(os.environ["LLMT_CACHE"] + "/tiny-v1/config.json"))
attempt("write notebook folder", lambda: write("notes.txt"))
attempt("write home", lambda: write(os.path.expanduser("~/notes.txt")))
attempt("write /tmp", lambda: write("/tmp/llmt-escaped.txt"))
attempt("connect grader port", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3))
attempt("connect outside", lambda: socket.create_connection(("1.1.1.1", 443), timeout=3))
attempt("udp outside", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("1.1.1.1", 53)))
attempt("raise memory limit", lambda: resource.setrlimit(resource.RLIMIT_AS, (-1, -1)))
attempt("signal the grader", lambda: os.kill({os.getpid()}, 0))
print(json.dumps({{"secret": "GRADER_SECRET" in os.environ or "hunter2" in str(os.environ), "home": os.environ["HOME"]}}))
'''], trusted_readable=[])
    got = verdicts(cells[0])
    denied = ["read graders", "import graders", "list repository", "read gradebook", "write gradebook", "read submitted",
              "read other student", "write other student", "write fixture cache", "write /tmp", "connect grader port",
              "connect outside", "udp outside", "raise memory limit", "signal the grader"]
    assert {k: got[k] for k in denied if got[k] == "ok"} == {}, got
    assert (got["read fixture"], got["write notebook folder"], got["write home"]) == ("ok", "ok", "ok"), got
    assert got["secret"] is False and not got["home"].startswith(str(tmp_path))
    assert (course / "gradebook.db").read_bytes() == b"SQLite format 3\0"
    assert (cache / "tiny-v1" / "config.json").read_text() == "{}"
    assert not (course / "autograded" / "bob" / "A" / "x.txt").exists()
    assert (course / "autograded" / "alice" / "A" / "notes.txt").read_text() == "x"


def test_trusted_folders_are_importable_and_the_rest_of_the_course_is_not(tmp_path):
    cells = execute(tmp_path, [PROBE + f'''
attempt("import graders", lambda: __import__("graders.manifest"))
attempt("read README", lambda: open({str(manifest.COURSE_ROOT / "README.md")!r}).read())
attempt("read source", lambda: os.listdir({str(manifest.COURSE_ROOT / "source")!r}))
'''])
    assert verdicts(cells[0]) == {"import graders": "ok", "read README": "PermissionError", "read source": "PermissionError"}


def _running(marker: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if marker.encode() in (proc / "cmdline").read_bytes().split(b"\0"):
                found.append(proc.name)
        except OSError:
            pass
    return found


def test_processes_left_running_die_with_the_kernel(tmp_path):
    child, daemon = "86431", "86432"
    cells = execute(tmp_path, [f'''
import os, subprocess, time
subprocess.Popen(["sleep", "{child}"])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{daemon}"])
    os._exit(0)
time.sleep(1)
''', '''
args = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        args += open(f"/proc/{pid}/cmdline", "rb").read().decode().split("\\0")
    except OSError:
        pass
print(sorted(a for a in args if a.startswith("8643")))
'''])
    assert stdout(cells[1]) == f"{[child, daemon]}\n"  # both ran, seen from inside
    deadline = time.monotonic() + 10
    while (_running(child) or _running(daemon)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _running(child) == [] and _running(daemon) == []


def test_without_namespaces_landlock_guards_tcp_and_leftover_processes_still_die(tmp_path):
    """The fallback of a machine that refuses namespaces: the kernel talks TCP, may bind only its
    own ports and connect nowhere, is still interrupted at a cell timeout, and the wrapper kills
    what it leaves running."""
    with socket.socket() as listener, socket.socket() as spare:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        spare.bind(("127.0.0.1", 0))
        port, free = listener.getsockname()[1], spare.getsockname()[1]
        spare.close()
        cells = execute(tmp_path, [PROBE + f'''
import subprocess
subprocess.Popen(["sleep", "86433"])
attempt("connect grader port", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3))
attempt("connect outside", lambda: socket.create_connection(("1.1.1.1", 443), timeout=3))
attempt("bind another port", lambda: socket.socket().bind(("127.0.0.1", {free})))
attempt("read graders", lambda: open({str(manifest.COURSE_ROOT / "graders" / "properties.py")!r}).read())
''', "import time\ntime.sleep(300)", "print('after')"], Limits(cell_timeout=3), trusted_readable=[], namespaces=False)
    assert verdicts(cells[0]) == {"connect grader port": "PermissionError", "connect outside": "PermissionError",
                                  "bind another port": "PermissionError", "read graders": "PermissionError"}
    assert any(e.startswith("CellTimeoutError") for e in errors(cells[1])) and stdout(cells[2]) == "after\n"
    assert _running("86433") == []


def test_memory_cap_raises_memory_error_and_the_kernel_goes_on(tmp_path):
    cells = execute(tmp_path, [
        "big = bytearray(2 * 1024**3)",
        "def grow():\n    hog = []\n    while True:\n        hog.append(bytearray(64 * 2**20))\ngrow()",
        "print('still here')",
    ], Limits(memory_mb=1024))
    assert errors(cells[0])[0].startswith("MemoryError") and errors(cells[1])[0].startswith("MemoryError")
    assert stdout(cells[2]) == "still here\n"


def test_cpu_limit_kills_the_kernel_and_later_cells_are_not_run(tmp_path):
    cells = execute(tmp_path, ["print('start')", "while True:\n    pass", "print('never')"], Limits(cpu_seconds=2, cell_timeout=60))
    assert stdout(cells[0]) == "start\n"
    assert re.match(rf"{KERNEL_DIED}: .*CPU-time limit", errors(cells[1])[-1])
    assert [o.ename for o in cells[2].outputs] == [NOT_RUN]


def test_wall_clock_limit_kills_the_kernel(tmp_path):
    cells = execute(tmp_path, ["import time\ntime.sleep(300)", "print('never')"], Limits(notebook_timeout=12, cell_timeout=60))
    assert re.match(rf"{KERNEL_DIED}: .*wall-clock limit: the notebook ran for more than 12 s", errors(cells[0])[-1])
    assert errors(cells[1]) == [f"{NOT_RUN}: not run: the kernel died in an earlier cell (wall-clock limit: the notebook ran for more than 12 s)"]


def test_a_cell_timeout_interrupts_the_cell_and_the_notebook_goes_on(tmp_path):
    cells = execute(tmp_path, ["import time\ntime.sleep(300)", "print('after')"], Limits(cell_timeout=3))
    assert any(e.startswith("CellTimeoutError") for e in errors(cells[0]))
    assert stdout(cells[1]) == "after\n" and errors(cells[1]) == []


def test_output_beyond_the_caps_is_dropped_with_a_note_but_errors_stay(tmp_path):
    cells = execute(tmp_path, [
        "for _ in range(100):\n    print('x' * 1000)",
        "import sys\nprint('y' * 20_000)\nsys.stderr.write('warning ' * 5_000)",
        "print('z' * 20_000)\nraise ValueError('v' * 50_000)",
        "print('late')",
    ], Limits(cell_output_bytes=10_000, notebook_output_bytes=25_000))
    first = stdout(cells[0])
    assert first.count("x") <= 10_000 and first.count("[output dropped: this cell's output passed 10000 bytes]") == 1
    stderr = [o.text for o in cells[1].outputs if o.output_type == "stream" and o.name == "stderr"]
    assert len(stderr) == 1 and 0 < len(stderr[0]) <= 2000  # kept, shortened: it costs a test cell its points
    assert re.fullmatch(r"ValueError: v{2000}", errors(cells[2])[0])
    assert "[output dropped: the notebook's output passed 25000 bytes]" in stdout(cells[3])


def test_a_skip_execution_tag_does_not_spare_a_cell(tmp_path):
    notebook_dir = tmp_path / "nb"
    notebook_dir.mkdir()
    cell = new_code_cell("raise AssertionError('checked')", metadata={"tags": ["skip-execution"]})
    nb = new_notebook(cells=[cell])
    SandboxedExecute(kernel_name="python3").preprocess(nb, {"metadata": {"path": str(notebook_dir)}})
    assert errors(nb.cells[0]) == ["AssertionError: checked"]


# ------------------------------------------------------------------------------- end to end
