"""Kernels forked from a preloaded zygote (graders/zygote.py): what they preload, that a forked
kernel is the kernel a fresh start gives, that no kernel can use or reach the zygote, and that
grading gives the same report either way. tests/test_sandbox.py runs every wall test with forked
kernels as well."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graders import grade as grading, manifest, sandbox, zygote
from graders.report import as_dict

from tests.test_sandbox import execute, forked_kernels, stdout

pytestmark = pytest.mark.skipif(not zygote.available(), reason="this machine gives kernels no PID, mount and network namespaces")


@pytest.fixture
def forking(_no_hub):
    """A zygote for this test, started in the test's environment, with numpy and the kernel loaded."""
    with forked_kernels() as running:
        yield running


def test_preloads_follow_what_the_release_notebook_imports():
    bert = zygote.preload_modules([manifest.get("5_3")])
    assert {"torch", "transformers:AutoModel", "peft:get_peft_model", "datasets:load_dataset",
            "transformers.models.bert.modeling_bert", "ipykernel.kernelapp"} <= set(bert)
    assert not [m for m in bert if m.startswith(("tqdm", "matplotlib"))]  # they look for IPython when imported
    tokenizer = zygote.preload_modules([manifest.get("1_1")])
    assert not [m for m in tokenizer if m.startswith(("transformers", "torch"))]
    assert zygote.preload_modules([a for a in manifest.ASSIGNMENTS if not a.authored]) == ["ipykernel.kernelapp"]


PROBE = '''
import json, os, sys
print(json.dumps({
    "path": sys.path, "argv": sys.argv, "main": sys.modules["__main__"].__name__, "cwd": os.getcwd(),
    "env": sorted(os.environ), "home": os.environ["HOME"], "tmp": __import__("tempfile").gettempdir(),
    "graders": sorted(m for m in sys.modules if m.split(".")[0] in ("graders", "_llmt_judge")),
    "numpy_loaded": "numpy" in sys.modules, "fds": len(os.listdir("/proc/self/fd")),
    "signals": [str(__import__("signal").getsignal(s)) for s in (2, 13, 15, 17)],
}))
'''


def _probe(tmp_path: Path) -> dict:
    return json.loads(stdout(execute(tmp_path, [PROBE])[0]))


def _generic(value, kernel: dict):
    """The probe with the paths that are a kernel's own (its run folder, its HOME) made generic."""
    text = json.dumps(value)
    for run_dir in {p.split("/import")[0] for p in kernel["path"] if p.endswith("/import")}:
        text = text.replace(run_dir, "RUN")
    return json.loads(text.replace(kernel["home"], "HOME"))


def test_a_forked_kernel_is_the_kernel_a_fresh_start_gives(tmp_path, _no_hub):
    started = _probe(tmp_path / "started")
    with forked_kernels() as running:
        forked = _probe(tmp_path / "forked")
    assert forked["numpy_loaded"] and not started["numpy_loaded"]  # it was forked, with numpy loaded
    assert forked["home"] == str(running.home) and forked["tmp"] == str(running.home / "tmp")
    for key in ("path", "argv", "main", "env", "graders", "signals"):
        assert _generic(forked[key], forked) == _generic(started[key], started), key
    assert forked["cwd"].endswith("autograded/alice/A") and forked["graders"] == []
    assert abs(forked["fds"] - started["fds"]) <= 2, (forked["fds"], started["fds"])  # nothing of the zygote's kept open


def test_each_kernel_has_a_private_home_at_the_zygotes_path(tmp_path, forking):
    first = execute(tmp_path / "a", ["import os; open(os.path.expanduser('~/secret.txt'), 'w').write('x'); print(sorted(os.listdir(os.path.expanduser('~'))))"])
    second = execute(tmp_path / "b", ["import os; print(sorted(os.listdir(os.path.expanduser('~'))))"])
    assert "secret.txt" in stdout(first[0]) and "secret.txt" not in stdout(second[0])
    assert sorted(p.name for p in forking.home.iterdir()) == ["tmp"]  # the zygote's own folder is untouched


def test_no_kernel_and_no_other_pid_namespace_can_use_the_zygote(tmp_path, forking):
    cells = execute(tmp_path, [f'''
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\\0{forking.name}")
    s.sendall(b"F")
    print("answered" if s.recv(1) else "closed")
except OSError as exc:
    print(type(exc).__name__)
'''])
    assert stdout(cells[0]) == "ConnectionRefusedError\n"  # its own network namespace: no such socket
    # a process of this user in another PID namespace, on this machine's network: refused too
    outsider = subprocess.run([sys.executable, "-c", OUTSIDER, forking.name], capture_output=True, text=True, timeout=60)
    assert outsider.stdout == "closed\n", outsider.stderr


OUTSIDER = """
import os, socket, sys
from graders import sandbox
sandbox._unshare(sandbox.CLONE_NEWPID)
pid = os.fork()
if pid == 0:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("\\0" + sys.argv[1])
    try:
        s.sendall(b"F")
        answer = s.recv(1)
    except (ConnectionResetError, BrokenPipeError):  # closed unread
        answer = b""
    print("answered" if answer else "closed", flush=True)
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_a_kernel_whose_environment_differs_starts_afresh(tmp_path, forking, monkeypatch):
    """A variable a library reads when imported differs from the zygote's: the kernel starts afresh."""
    from nbformat.v4 import new_code_cell, new_notebook

    from graders.execute import SandboxedExecute

    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    nb = new_notebook(cells=[new_code_cell(PROBE)])
    ep = SandboxedExecute(sandbox=sandbox.Sandbox().to_dict(), kernel_name="python3")
    ep.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert ep.kernel_status["forked"] is False
    assert json.loads(stdout(nb.cells[0]))["numpy_loaded"] is False


def test_the_zygote_leaves_with_its_grading_process(tmp_path):
    script = tmp_path / "grader.py"
    script.write_text(
        "import json, os, signal\n"
        "from graders import zygote\n"
        "z = zygote.Zygote(['ipykernel.kernelapp'])\n"
        "assert z.listening()\n"
        "print(json.dumps([z.process.pid, str(z.home)]), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    pid, home = json.loads(done.stdout)
    deadline = time.monotonic() + 15
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Path(f"/proc/{pid}").exists() and not Path(home).exists()


def test_grading_gives_the_same_report_with_forked_and_started_kernels(tmp_path, monkeypatch):
    a = manifest.get("3_3")
    subs = [grading.Submission("ref", a, a.source_notebook), grading.Submission("stub", a, a.release_notebook)]
    monkeypatch.setenv(zygote.VARIABLE, "0")
    started = grading.grade(subs, tmp_path / "started")
    assert zygote.current() is None
    monkeypatch.delenv(zygote.VARIABLE)
    how: list[bool] = []
    close = sandbox.KernelRun.close
    monkeypatch.setattr(sandbox.KernelRun, "close", lambda run: (how.append(run.status().get("forked")), close(run)))
    forked = grading.grade(subs, tmp_path / "forked")
    assert how == [True, True]
    assert zygote.current() is not None
    zygote.current().close()
    plain = [as_dict(r) for r in (started, forked)]
    for report in plain:
        for student in report["students"]:
            for entry in student["assignments"]:
                entry.pop("record", None)
    assert plain[0] == plain[1]
    assert [s["score"] for s in plain[1]["students"]] == [10, 0]


def test_preloaded_libraries_do_not_eat_into_the_kernels_memory(tmp_path, _no_hub):
    """torch loaded ahead takes 0.6 GB of address space in the zygote, which does not count against
    a forked kernel's limit: it has the room a started kernel has (a started kernel with ipykernel
    running takes about 0.7 GB of its 1.5 GB; without the allowance, 600 MB more would not fit)."""
    limits = sandbox.Limits(memory_mb=1536)
    cells = ["x = bytearray(600 << 20); print('ok')", "y = bytearray(1100 << 20)"]
    started = execute(tmp_path / "started", cells, limits)
    with forked_kernels(["ipykernel.kernelapp", "torch"]):
        forked = execute(tmp_path / "forked", cells, limits)
    for run in (started, forked):
        assert stdout(run[0]) == "ok\n"
        assert [o.ename for o in run[1].outputs if o.output_type == "error"] == ["MemoryError"]


def test_what_a_library_loaded_in_the_zygote_logs_lands_in_the_cell(tmp_path, _no_hub):
    """transformers' logging handler is made when it is imported, in the zygote: a warning it logs
    is the cell's stderr (which costs a test cell its points), as in a started kernel."""
    cells = ["import transformers; transformers.logging.get_logger('transformers.x').warning('careful')"]
    started = execute(tmp_path / "started", cells)
    # a module that asks for its logger when imported: transformers makes its handler then
    with forked_kernels(["ipykernel.kernelapp", "transformers:AutoModel"]):
        forked = execute(tmp_path / "forked", cells)
    for run in (started, forked):
        assert [o.text for o in run[0].outputs if o.output_type == "stream" and o.name == "stderr"] == ["[transformers] careful\n"]


def test_progress_bars_are_the_notebook_widget_in_a_forked_kernel(tmp_path, _no_hub):
    """transformers imports tqdm when the zygote loads it, outside any kernel: a notebook's
    `tqdm.auto` must still be the widget a started kernel shows, not a text bar on stderr."""
    cells = ["from tqdm.auto import tqdm; print([c.__module__ for c in tqdm.__mro__][:2])"]
    started = execute(tmp_path / "started", cells)
    with forked_kernels(zygote.preload_modules(manifest.authored())):
        forked = execute(tmp_path / "forked", cells)
    assert stdout(forked[0]) == stdout(started[0]) == "['tqdm.auto', 'tqdm.notebook']\n"
