"""Corpus: kernels that die, hang, flood or reach out (issue 8, items 1 and 2).

Every case is 3_2 (four parts: test_attention_head 3, test_mlp 2, test_transformer_block 4 and
test_input_checks 1) filled with the reference solutions, and then broken in MLP.__init__, which the
second part's test cell calls first: what the first part earned stays, and what the break costs is
named. (The input checks build no MLP: `TransformerBlock(8, num_heads=2)` raises first, so that part
scores whenever the kernel is still alive to run it.)
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

from graders import notebooks

from .case import Case

A = "3_2_transformer_impl_transformer_block"
FIRST = {"test_attention_head": 3.0}
FULL = {"test_attention_head": 3.0, "test_mlp": 2.0, "test_transformer_block": 4.0, "test_input_checks": 1.0}
MARKER = "### BEGIN SOLUTION"


def in_mlp_init(code: str, once: bool = False):
    """A builder: the reference solutions, with `code` run first thing in MLP.__init__ (only the
    first time an MLP is built, with `once`)."""
    if once:
        code = ("import builtins\nif not getattr(builtins, '_case_ran', False):\n    builtins._case_ran = True\n"
                + "".join(f"    {line}\n" for line in code.splitlines()))

    def build(folder: Path, reference, release) -> None:
        for cell in notebooks.solution_cells(reference):
            if notebooks.nbgrader_meta(cell)["grade_id"] == "mlp":
                head, tail = cell.source.split(MARKER, 1)
                indent = re.search(r"([ \t]*)$", head).group(1)
                cell.source = head + MARKER + "\n" + "".join(f"{indent}{line}\n" for line in code.splitlines()) + tail.lstrip("\n")
        nbformat.write(notebooks.fill_solutions(release, reference), folder / f"{A}.ipynb")

    return build


def _no_process(*markers: str):
    """An `after` check: no process on this machine runs with any of these arguments."""

    def after(course_dir: Path, submissions: Path) -> None:
        for proc in Path("/proc").iterdir():
            try:
                args = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            assert not any(m.encode() in args for m in markers), f"process {proc.name} outlived its kernel: {args}"

    return after


def _small_notebook(limit: int):
    def after(course_dir: Path, submissions: Path) -> None:
        for nb in (course_dir / "autograded").glob(f"output_flood/{A}/{A}.ipynb"):
            assert nb.stat().st_size < limit, f"{nb} holds {nb.stat().st_size} bytes"
            assert "[output dropped" in nb.read_text()

    return after


def _nothing_written(course_dir: Path, submissions: Path) -> None:
    from graders.profile import cache_dir

    for root in (course_dir, submissions, cache_dir()):
        found = [str(p) for p in Path(root).rglob("escaped*")]
        assert not found, f"the kernel wrote {found}"
    assert not (course_dir / "gradebook.db").read_bytes().endswith(b"escaped"), "the kernel wrote to the gradebook"


_ESCAPE = """\
import os, socket, urllib.request
gradebook = os.path.abspath("../../../gradebook.db")
for path in [gradebook, "../../bob/escaped.txt", "../../../submitted/escaped.txt",
             os.path.join(os.environ.get("LLMT_CACHE", "/nonexistent"), "escaped.txt")]:
    try:
        with open(path, "a") as f:
            f.write("escaped")
    except OSError:
        pass
for address in [("127.0.0.1", 22), ("1.1.1.1", 443)]:
    try:
        socket.create_connection(address, timeout=2).close()
        open("escaped-network.txt", "w")
    except OSError:
        pass
"""

CASES = [
    Case("kernel_exits", A, in_mlp_init("import os\nos._exit(3)"),
         "os._exit(3) when the second part's test first builds an MLP",
         scores=FIRST, error=r"the kernel died in test_mlp: the kernel exited with code 3",
         messages={"test_mlp": r"before its hidden check ran: KernelDied: .*exited with code 3", "test_transformer_block": r"before its hidden check ran: NotRun: .*exited with code 3"}),
    Case("segfault", A, in_mlp_init("import ctypes\nctypes.string_at(0)"),
         "a segmentation fault (ctypes reads address 0)",
         scores=FIRST, error=r"the kernel died in test_mlp: segmentation fault",
         flags={"test_mlp": r"suspected tampering: your solution code uses ctypes"},
         messages={"test_mlp": r"before its hidden check ran: KernelDied: .*segmentation fault \(SIGSEGV\)", "test_transformer_block": r"before its hidden check ran: NotRun: .*segmentation fault"}),
    Case("memory_bomb", A, in_mlp_init("import numpy as np\nhog = [np.empty(2**27) for _ in range(10**4)]"),
         "allocates 1 GiB after 1 GiB until memory runs out (the kernel's cap stops it)",
         scores={**FIRST, "test_input_checks": 1.0},
         messages={"test_mlp": r"before its hidden check ran: MemoryError: Unable to allocate", "test_transformer_block": r"before its hidden check ran: MemoryError: Unable to allocate"}),
    Case("hang_ignoring_interrupt", A, in_mlp_init("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"),
         "an endless loop that ignores the interrupt nbgrader sends at the cell timeout",
         scores=FIRST, error=r"the kernel died in test_mlp: the cell ran past its \d+ s limit and the kernel did not stop",
         messages={"test_mlp": r"before its hidden check ran: KernelDied: .*did not stop when interrupted", "test_transformer_block": r"before its hidden check ran: NotRun: .*did not stop"}),
    Case("output_flood", A, in_mlp_init("for _ in range(3000):\n    print('x' * 10_000)", once=True),
         "prints 30 MB (three times the notebook's cap) the first time an MLP is built, then works",
         scores=FULL, after=_small_notebook(12_000_000)),
    Case("background_processes", A, in_mlp_init(
        "import os, subprocess\n"
        "subprocess.Popen(['sleep', '86417'])\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        os.execvp('sleep', ['sleep', '86418'])\n"
        "    os._exit(0)", once=True),
         "leaves a child and a double-forked daemon running (its solution cell may not: test_mlp flagged)",
         scores={k: v for k, v in FULL.items() if k != "test_mlp"}, after=_no_process("86417", "86418"),
         flags={"test_mlp": r"suspected tampering: your solution code uses subprocess \(starts processes\); os.fork"}),
    Case("escape_attempts", A, in_mlp_init(_ESCAPE, once=True),
         "writes to the gradebook, another student's folder, submitted/ and the fixture cache, and opens connections",
         scores=FULL, after=_nothing_written),
]

assert len({c.name for c in CASES}) == len(CASES)
assert all(os.sep not in c.name for c in CASES)
