"""graders/static_check.py: a solution cell's code is read before it runs (issue 15 §2).

The machinery no solution may use is found through the cell's own imports and aliases; ordinary
code with the same method names (`model.eval()`, `re.compile`) is not; no reference solution,
release notebook or independently written implementation uses any of it; and every notebook
states the rule with every name it bans. tests/corpus/tampering.py grades such cells end to end.
"""

import re

import pytest

from graders import manifest, notebooks
from graders.static_check import BANNED, DYNAMIC, scan, scan_notebook
from tests import independent

FOUND = [
    "import threading\nthreading.Thread(target=f).start()",
    "import sys\nsys.settrace(None)",
    "import sys as s\ns.setprofile(None)",
    "from sys import settrace\nsettrace(None)",
    "from os import fork as f\nf()",
    "import torch._C",
    "torch._C._nn.gelu(x)",
    "torch.ops.aten.scaled_dot_product_attention(q, k, v)",
    "getattr(torch, 'ops').aten",
    "from torch import _C\n_C._nn",
    "import ctypes",
    "import gc\ngc.get_objects()",
    "from concurrent import futures",
    "import subprocess as sp",
    "def f():\n    import _thread\n    return _thread.get_ident()",
    "eval(source)",
    "exec(open('f').read())",
    "compile(text, 'f', 'exec')",
    "import importlib\nm = importlib.import_module(name)",
    "__import__(''.join(['o', 's']))",
]
CLEAN = [
    "model.eval()",
    "import re\nre.compile(r'\\s+')",
    "y = torch.compile",
    "eval('1 + 1')",
    "import importlib\nimportlib.import_module('math')",
    "def compile(x):\n    return x\ncompile(y)",
    "import os\nos.path.join('a', 'b')\nos.getcwd()",
    "import torch.nn.functional as F\nF.softmax(x, -1)",
    "x.fork()",
    "import gc\ngc.collect()",
    "threads = 4  # no threading here",
    "s = 'import threading'",
    "def broken(:\n",  # does not parse: the run says why
]


@pytest.mark.parametrize("source", FOUND)
def test_machinery_is_found_through_aliases(source):
    assert scan(source), source


@pytest.mark.parametrize("source", CLEAN)
def test_ordinary_code_is_not(source):
    assert scan(source) == [], source


def test_what_is_found_says_what_and_why():
    assert scan("import sys\nsys.setprofile(None)") == ["sys.setprofile (switches the profiler the grader watches with)"]
    assert scan("exec(code)") == ["exec on a value built at run time (runs code the grader cannot read)"]


def test_a_solution_cell_counts_against_its_tasks_part():
    a = manifest.get("3_2")
    nb = notebooks.fill_solutions(notebooks.read(a.release_notebook), notebooks.read(a.source_notebook))
    cell = next(c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == "mlp")
    cell.source = "import threading\n" + cell.source
    assert list(scan_notebook(nb)) == ["test_mlp"]


@pytest.mark.parametrize("a", manifest.authored(), ids=lambda a: a.id[:3])
def test_references_and_releases_use_none_of_it(a):
    assert scan_notebook(notebooks.read(a.source_notebook)) == {}
    assert scan_notebook(notebooks.read(a.release_notebook)) == {}


def test_no_independent_implementation_uses_any_of_it():
    """Written from the release notebooks alone, correct and wrong: none needed what is banned."""
    found = {}
    for module in independent.modules():
        a = manifest.get(module.ASSIGNMENT)
        for name, cells in independent.implementations(module).items():
            uses = scan_notebook(independent.filled(a, cells))
            if uses:
                found[f"{a.id[:3]} {name}"] = uses
    assert found == {}


@pytest.mark.parametrize("a", manifest.authored(), ids=lambda a: a.id[:3])
def test_every_notebook_states_the_rule_with_every_name(a):
    intro = next(c for c in notebooks.read(a.release_notebook).cells if notebooks.nbgrader_meta(c).get("grade_id") == "intro")
    assert "**What your code may not use.**" in intro.source
    stated = set(re.findall(r"`([\w.]+)`", intro.source.split("What your code may not use")[1]))
    assert set(BANNED) - stated == set()
    # importlib.__import__ and the builtins. spellings are the same functions as those stated
    assert {d.removeprefix("builtins.") for d in DYNAMIC} - stated - {"importlib.__import__"} == set()
