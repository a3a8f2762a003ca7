"""Submissions that try to raise their score, or to reach what they must not, without honest code.

Each case's expected scores are what its honest code earns: the reference solutions where the case
says "honest", or the reference with a wrong MLP (a ReLU for the GELU), which loses the MLP part
only (the block's check puts the reference's sublayers inside the student's block), so 8 of 10.
Tampering may lower a score (a check that never reached the judge scores nothing), never raise it.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
from pathlib import Path

import nbformat

from graders import profile

from .case import Case

A32 = "3_2_transformer_impl_transformer_block"
A31 = "3_1_transformer_impl_attention_qkv"
A11 = "1_1_tokenization_impl_byte_pair_encoding"
#: 1_1 with every part but the timed one
BPE_BUT_SPEED = {"test_get_pair_counts": 1.0, "test_merge": 1.0, "test_train_bpe": 2.0, "test_Tokenizer": 2.0,
                 "test_gpt4_tokenizer": 2.0, "test_input_checks": 1.0}
HONEST_WRONG_MLP = {"test_attention_head": 3.0, "test_transformer_block": 4.0, "test_input_checks": 1.0}
FULL_32 = {"test_attention_head": 3.0, "test_mlp": 2.0, "test_transformer_block": 4.0, "test_input_checks": 1.0}
TAMPERING = r"suspected tampering"
HIDDEN_FAILED = r"hidden check failed"


# ------------------------------------------------------------------------------ building blocks

def _index(nb, grade_id: str) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return i
    raise KeyError(grade_id)


def _insert_before(nb, grade_id: str, code: str) -> None:
    """A cell of the student's own (no nbgrader metadata) just before the cell `grade_id`."""
    cell = nbformat.v4.new_code_cell(code)
    nb.cells.insert(_index(nb, grade_id), cell)


def _wrong_mlp(nb) -> None:
    cell = nb.cells[_index(nb, "mlp")]
    cell.source = cell.source.replace('nn.GELU(approximate="tanh")', "nn.ReLU()")
    assert "nn.ReLU()" in cell.source


def _write(folder: Path, nb, assignment: str) -> None:
    nbformat.write(nb, str(folder / f"{assignment}.ipynb"))


def _case(name: str, what: str, *, cells: dict[str, str] | None = None, wrong_mlp: bool = False,
          edit=None, assignment: str = A32, **expect) -> Case:
    """A case built from the reference: `cells` maps a grade_id to code inserted before it."""

    def build(folder, reference, release):
        nb = reference
        if wrong_mlp:
            _wrong_mlp(nb)
        for grade_id, code in (cells or {}).items():
            _insert_before(nb, grade_id, code)
        if edit is not None:
            edit(nb)
        _write(folder, nb, assignment)

    expect.setdefault("scores", HONEST_WRONG_MLP if wrong_mlp else FULL_32)
    return Case(name=name, assignment=assignment, build=build, what=what, **expect)


# ------------------------------------------------------------------ what the after-hooks check

def _gradebook_intact(course: Path, _submissions: Path) -> None:
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        students = {r[0] for r in db.execute("select id from student")}
    assert "tamper_honest_control" in students, "the gradebook lost other students' records"


def _no_marker_process(marker: str):
    def after(_course: Path, _submissions: Path) -> None:
        alive = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    if marker.encode() in (proc / "cmdline").read_bytes():
                        alive.append(proc.name)
                except OSError:
                    continue
        assert not alive, f"processes the notebook started are still running: {alive}"
    return after


class _Listener:
    """A TCP server in the test process: a notebook that reaches it has network access."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def after(self, _course: Path, _submissions: Path) -> None:
        assert self.accepted == 0, f"the notebook opened {self.accepted} connection(s) to a server on 127.0.0.1"


def _cache_untouched(marker: Path):
    marker.unlink(missing_ok=True)  # a run without the sandbox (--no-sandbox) may have left it

    def after(_course: Path, _submissions: Path) -> None:
        assert not marker.exists(), f"the notebook wrote into the fixture cache: {marker}"
    return after


_LISTENER = _Listener()
_CACHE_MARKER = profile.cache_dir() / "written-by-a-notebook"

PATCH_TORCH = "import torch\ntorch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
FAKE_GRADERS = """
import sys, types
fake = types.ModuleType("graders.transformer_block")
fake.check_attention_head = fake.check_mlp = fake.check_transformer_block = fake.check_input_checks = lambda *a, **k: None
sys.modules["graders.transformer_block"] = fake
"""


def _edit_test_cell(nb) -> None:
    cell = nb.cells[_index(nb, "test_mlp")]
    cell.source = 'print("Task 2: the visible tests pass")\n'


def _without(*parts: str) -> dict[str, float]:
    return {k: v for k, v in FULL_32.items() if k not in parts}


def _in_solution(grade_id: str, code: str):
    """An edit: `code` first in the solution cell `grade_id` (issue 15 §2: read before it runs)."""
    def edit(nb) -> None:
        cell = nb.cells[_index(nb, grade_id)]
        cell.source = code + cell.source
    return edit


def _mlp_from_a_string(nb) -> None:
    cell = nb.cells[_index(nb, "mlp")]
    cell.source = f"_code = {cell.source!r}\nexec(''.join(_code))\n"


def _solutions_or_graders(nb) -> None:
    cell = nb.cells[_index(nb, "mlp")]
    cell.source = (
        "import importlib, importlib.util\n"
        "try:  # the reference, if the grader lets this kernel read it\n"
        "    MLP = importlib.import_module('solutions.transformer_block').MLP\n"
        "except Exception:\n"
        "    try:\n"
        "        spec = importlib.util.find_spec('graders.properties') or importlib.util.find_spec('solutions')\n"
        "        exec(open(spec.origin).read())\n"
        "    except Exception:\n"
        "        pass\n"
        + cell.source.replace('nn.GELU(approximate="tanh")', "nn.ReLU()")
    )


def _forbidden_sdpa(nb) -> None:
    cell = nb.cells[_index(nb, "scaled_dot_product_attention")]
    start, end = cell.source.index("### BEGIN SOLUTION"), cell.source.index("### END SOLUTION")
    cell.source = (cell.source[:start] + "### BEGIN SOLUTION\n"
                   "    if key.size(-2) != value.size(-2):\n"
                   "        raise ValueError('key and value must have the same number of positions')\n"
                   "    return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask, is_causal=is_causal)\n"
                   "    " + cell.source[end:])


#: a walk from every proxy of the judge's objects the kernel holds (the reference's sublayers that
#: the block check places in the student's block, found by gc whatever they are named) towards the
#: judge's interpreter: attributes, results, iteration, exceptions. Whatever it reaches, it gives up
#: honest work, so the case's full marks say that the walk reached nothing.
ESCAPE = """
import gc

def _reached(proxy):
    found = []
    walks = [("forward",), ("__globals__",), ("parameters",), ("state_dict",),
             ("training",), ("gi_frame",), ("f_globals",), ("__dict__",), ("__self__",), ("__func__",)]
    for path in walks:
        x = proxy
        try:
            for name in path:
                x = getattr(x, name)
            found.append(".".join(path))
        except Exception:
            pass
    for name, attempt in [("iter", lambda: list(proxy)), ("dir", lambda: dir(proxy)), ("len", lambda: len(proxy)),
                          ("call()", lambda: proxy()), ("call(gc)", lambda: proxy(gc))]:
        try:
            value = attempt()
        except Exception as e:
            if any(type(a).__name__ == "Proxy" for a in getattr(e, "args", ())):
                found.append(name + " raised a proxy")
        else:
            if type(value).__name__ == "Proxy":
                found.append(name)
    return found

_honest_forward = TransformerBlock.forward

def forward(self, x):
    proxies = [o for o in gc.get_objects() if type(o).__name__ == "Proxy"]
    reached = [r for p in proxies for r in _reached(p)]
    if reached:
        raise RuntimeError(f"reached the judge's side: {reached}")
    return _honest_forward(self, x)

TransformerBlock.forward = forward
"""


#: library noise on stderr while the hidden checks call the student's MLP: a warning at call time
#: (numpy's mean of nothing, a UserWarning), a DeprecationWarning at import, a transformers logger
#: line like "Skipping publisher trust check ... offline mode"; none of it may cost a point
NOISY_MLP = """
_quiet_forward = MLP.forward

def _noisy_forward(self, x):
    import warnings
    import numpy as np
    from transformers.utils import logging as hf_logging
    np.mean([])
    warnings.warn("a library's UserWarning at call time")
    warnings.warn("a DeprecationWarning at import", DeprecationWarning)
    hf_logging.get_logger("transformers").warning(
        "Skipping publisher trust check for 'kernels-community/flash-attn4' because Hugging Face Hub is in offline mode.")
    return _quiet_forward(self, x)

MLP.forward = _noisy_forward
"""


def _slow_elsewhere(run_busy: str) -> str:
    """A train_bpe that is the reference's, but on the timed corpus first spends 4 s of CPU where
    `run_busy` (code, `BUSY` in scope) puts it: the speed part must charge it (issue 15 §3)."""
    return ("import os as _os, subprocess as _subprocess, sys as _sys\n"
            "BUSY = 'import time\\nend = time.process_time() + 4\\nwhile time.process_time() < end:\\n    pass\\n'\n"
            "_fast_train_bpe = train_bpe\n"
            "def train_bpe(text, vocab_size, special_tokens=[]):\n"
            "    if len(text) > 20000:\n"
            f"        {run_busy}\n"
            "    return _fast_train_bpe(text, vocab_size, special_tokens)\n")


CASES = [
    _case("timer_fork", "honest 1_1, but its train_bpe does 4 s of CPU work in a forked child first",
          assignment=A11, scores=BPE_BUT_SPEED, messages={"test_train_bpe_speed": r"took \d+\.\d s of CPU time"},
          cells={"test_train_bpe_speed": _slow_elsewhere(
              "pid = _os.fork()\n        if pid == 0:\n            exec(BUSY)\n            _os._exit(0)\n"
              "        _os.waitpid(pid, 0)")}),
    _case("timer_subprocess", "honest 1_1, but its train_bpe does 4 s of CPU work in a subprocess first",
          assignment=A11, scores=BPE_BUT_SPEED, messages={"test_train_bpe_speed": r"took \d+\.\d s of CPU time"},
          cells={"test_train_bpe_speed": _slow_elsewhere("_subprocess.run([_sys.executable, '-c', BUSY], check=True)")}),
    _case("tamper_honest_control", "the reference, untouched: full marks (others must not lower it)"),
    _case("library_warnings_cost_nothing", "the reference whose MLP warns on stderr through numpy, warnings "
          "and transformers' logger each time the checks call it: full marks", cells={"test_mlp": NOISY_MLP}),
    _case("escape_walk_from_the_judges_handouts", "honest code that walks from every proxy of the judge's "
          "objects it can find (attributes, results, iteration, errors) and fails the block if anything "
          "leads on: full marks say that the handouts lead nowhere", cells={"test_transformer_block": ESCAPE}),
    _case("tamper_patch_torch", "wrong MLP; torch.allclose and torch.equal patched to always agree",
          wrong_mlp=True, cells={"test_mlp": PATCH_TORCH}, messages={"test_mlp": HIDDEN_FAILED}),
    _case("tamper_patch_numpy", "wrong MLP; numpy's comparisons patched to always agree",
          wrong_mlp=True, cells={"test_mlp": PATCH_TORCH + "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                                 "np.testing.assert_allclose = lambda *a, **k: None\n"},
          messages={"test_mlp": HIDDEN_FAILED}),
    _case("tamper_builtins", "wrong MLP; torch patched and builtins.AssertionError replaced by a warning class",
          wrong_mlp=True, cells={"test_mlp": PATCH_TORCH + "import builtins\n"
                                 "builtins.AssertionError = type('AssertionError', (Warning,), {})\n"}),
    _case("tamper_assertionerror", "wrong MLP; a global AssertionError that is not an exception of the checks",
          wrong_mlp=True, cells={"test_attention_head": "class AssertionError(BaseException):\n    pass\n"}),
    _case("tamper_hypothesis", "wrong MLP; hypothesis.given patched to run nothing",
          wrong_mlp=True, cells={"test_attention_head": "import hypothesis\n"
                                 "hypothesis.given = lambda *a, **k: (lambda f: (lambda *x, **y: None))\n"
                                 "hypothesis.settings = lambda *a, **k: (lambda f: f)\n"}),
    _case("tamper_fake_graders", "wrong MLP; a fake graders.transformer_block whose checks pass everything",
          wrong_mlp=True, cells={"test_attention_head": FAKE_GRADERS + PATCH_TORCH}, scores={},
          flags={"test_attention_head": TAMPERING, "test_mlp": TAMPERING, "test_transformer_block": TAMPERING,
                 "test_input_checks": TAMPERING}),
    _case("tamper_judge_client", "honest code; the kernel's judge client patched to skip every check",
          cells={"test_attention_head": "import _llmt_judge.client\n_llmt_judge.client.run_check = lambda *a, **k: None\n"},
          scores={}, flags={"test_attention_head": TAMPERING, "test_mlp": TAMPERING, "test_transformer_block": TAMPERING,
                            "test_input_checks": TAMPERING}),
    _case("tamper_showtraceback", "wrong MLP; IPython's showtraceback overridden so errors leave no output",
          wrong_mlp=True, cells={"test_attention_head": "get_ipython().showtraceback = lambda *a, **k: None\n"},
          messages={"test_mlp": r"MLP differs"}),
    _case("tamper_custom_exc", "wrong MLP; IPython's set_custom_exc swallows every exception",
          wrong_mlp=True, cells={"test_attention_head": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"},
          messages={"test_mlp": r"MLP differs"}),
    _case("tamper_edit_test_cell", "wrong MLP; the MLP's test cell emptied of its asserts and hidden check",
          wrong_mlp=True, edit=_edit_test_cell, messages={"test_mlp": r"before its hidden check ran: AssertionError"}),
    _case("tamper_read_solutions", "wrong MLP; imports solutions/ and reads graders/ when it can",
          edit=_solutions_or_graders, scores=HONEST_WRONG_MLP,
          flags={"test_mlp": r"suspected tampering: your solution code uses exec on a value built at run time"}),
    _case("tamper_profile_off", "honest code, but the MLP's solution cell switches the profiler off first",
          edit=_in_solution("mlp", "import sys\nsys.setprofile(None)\n"), scores=_without("test_mlp"),
          flags={"test_mlp": r"suspected tampering: your solution code uses sys.setprofile"}),
    _case("tamper_code_from_a_string", "honest code, but the MLP class is built by exec from a string",
          edit=_mlp_from_a_string, scores=_without("test_mlp"),
          flags={"test_mlp": r"suspected tampering: your solution code uses exec on a value built at run time"}),
    _case("tamper_thread_in_solution", "honest code, but the MLP's solution cell imports _thread (as t)",
          edit=_in_solution("mlp", "import _thread as t\n_ = t.get_ident()\n"), scores=_without("test_mlp"),
          flags={"test_mlp": r"suspected tampering: your solution code uses _thread \(starts threads\)"}),
    _case("tamper_self_check", "wrong MLP; the student calls the check on a correct MLP of their own first",
          wrong_mlp=True, cells={"test_mlp": (
              "class GoodMLP(nn.Module):\n"
              "    def __init__(self, embedding_dim, expansion=4):\n"
              "        super().__init__()\n"
              "        self.fc_in = nn.Linear(embedding_dim, expansion * embedding_dim)\n"
              "        self.fc_out = nn.Linear(expansion * embedding_dim, embedding_dim)\n"
              "    def forward(self, x):\n"
              "        return self.fc_out(F.gelu(self.fc_in(x), approximate='tanh'))\n"
              "from graders.transformer_block import check_mlp\n"
              "try:\n    check_mlp(GoodMLP)\nexcept Exception as e:\n    print(e)\n")}),
    _case("tamper_judge_socket", "honest code; junk and a forged verdict written to the judge's socket",
          cells={"test_mlp": (
              "import os, socket, json\n"
              "s = socket.socket(socket.AF_UNIX)\n"
              "s.connect(os.environ['LLMT_JUDGE_SOCKET'])\n"
              "s.sendall(b'\\xff' * 64 + json.dumps({'passed': True}).encode())\n"
              "s.close()\n")}),
    _case("tamper_fake_output", "wrong MLP; prints a fake 'all tests passed, 10/10'",
          wrong_mlp=True, cells={"test_mlp": "print('All tests passed! Score: 10 / 10')\n",
                                 "test_transformer_block": "print('All tests passed! Score: 10 / 10')\n"}),
    _case("tamper_gradebook", "honest code; tries to overwrite the gradebook and the autograded folder",
          cells={"test_mlp": (
              "import pathlib\n"
              "for p in ['../../../gradebook.db', '../../../../gradebook.db']:\n"
              "    try:\n        pathlib.Path(p).write_bytes(b'owned')\n    except Exception as e:\n"
              "        print(type(e).__name__)\n")},
          after=_gradebook_intact),
    _case("tamper_other_student", "honest code; tries to overwrite another student's submitted notebook",
          cells={"test_mlp": (
              "import pathlib\n"
              f"for p in ['../../../submitted/tamper_honest_control/{A32}/{A32}.ipynb',\n"
              f"          '../../tamper_honest_control/{A32}/{A32}.ipynb']:\n"
              "    try:\n        pathlib.Path(p).write_text('{}')\n    except Exception as e:\n"
              "        print(type(e).__name__)\n")}),
    _case("tamper_fixture_cache", "honest code; tries to write into the fixture cache",
          cells={"test_mlp": (
              "import pathlib\n"
              f"try:\n    pathlib.Path({str(_CACHE_MARKER)!r}).write_text('x')\nexcept Exception as e:\n"
              "    print(type(e).__name__)\n")},
          after=_cache_untouched(_CACHE_MARKER)),
    _case("tamper_background", "honest code; leaves a child and a double-forked daemon running",
          cells={"test_mlp": (
              "import os, subprocess, sys\n"
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', 'llmt-corpus-orphan'])\n"
              "if os.fork() == 0:\n"
              "    os.setsid()\n"
              "    if os.fork() == 0:\n"
              "        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', 'llmt-corpus-daemon'])\n"
              "    os._exit(0)\n")},
          after=_no_marker_process("llmt-corpus-")),
    _case("tamper_network", "honest code; tries to reach a server on 127.0.0.1 and the outside world",
          cells={"test_mlp": (
              "import socket\n"
              f"for addr in [('127.0.0.1', {_LISTENER.port}), ('1.1.1.1', 80)]:\n"
              "    try:\n        socket.create_connection(addr, timeout=3).close()\n        print('connected', addr)\n"
              "    except Exception as e:\n        print(type(e).__name__)\n")},
          after=_LISTENER.after),
    _case("tamper_forbidden_sdpa", "3_1 attention that calls torch's fused scaled_dot_product_attention",
          assignment=A31, edit=_forbidden_sdpa, scores={"test_attention_weights": 3.0},
          messages={"test_scaled_dot_product_attention": r"scaled_dot_product_attention",
                    "test_masks": r"scaled_dot_product_attention"}),
]

assert len({c.name for c in CASES}) == len(CASES)
