"""What a student wrote, read before it runs: machinery that has no place in a solution cell.

The judge watches the calls a hidden check makes into the kernel (graders/wire.py), but code that
runs in the kernel can try to blind the watch: switch the profiler off, work in a thread or a
process the watch does not follow, reach C entry points or the torch dispatcher directly, or build
the code it runs from strings. No task of the course needs any of that, and every notebook says so
in "How this notebook is graded". So the solution cells are parsed (never run here) and a part
whose solution code uses one of `BANNED`, or `exec`, `eval`, `compile`, `__import__` or
`importlib.import_module` on anything but a literal string, scores zero, flagged as suspected
tampering (graders/grade.py).

What it sees: names as the cell's own imports bind them (`import threading as t; t.Thread`,
`from os import fork`), attribute chains from a module name (`sys.settrace`, `torch._C._nn`) and
`getattr(x, "literal")`. What it does not: values passed around (`s = sys; s.settrace`), names
built at run time (`getattr(sys, name)`), and the student's own cells, which are not solution cells
(the dynamic defences cover them). It is defence in depth, not the wall: the sandbox and the judge
are.
"""

from __future__ import annotations

import ast

from .notebooks import nbgrader_meta

#: dotted names (and everything below them) that no solution may use, with the reason shown
BANNED = {
    "sys.settrace": "switches the tracer", "sys.setprofile": "switches the profiler the grader watches with",
    "sys.monitoring": "switches the grader's monitoring", "sys._getframe": "reads the caller's frames",
    "sys._current_frames": "reads other threads' frames",
    "threading": "starts threads", "_thread": "starts threads", "multiprocessing": "starts processes",
    "concurrent.futures": "starts threads or processes", "subprocess": "starts processes",
    "os.fork": "starts processes", "os.forkpty": "starts processes", "os.posix_spawn": "starts processes",
    "os.posix_spawnp": "starts processes", "os.system": "starts processes", "os.popen": "starts processes",
    "os.execv": "replaces the process", "os.execve": "replaces the process", "os.execl": "replaces the process",
    "os.execlp": "replaces the process", "os.execvp": "replaces the process", "os.spawnv": "starts processes",
    "pty": "starts processes",
    "ctypes": "calls C directly", "cffi": "calls C directly",
    "gc.get_objects": "walks the interpreter's objects", "gc.get_referrers": "walks the interpreter's objects",
    "gc.get_referents": "walks the interpreter's objects",
    "inspect.currentframe": "reads frames", "inspect.stack": "reads frames",
    "torch._C": "calls torch's C entry points", "torch.ops": "calls torch's operators below their functions",
    "torch.library": "registers torch operators",
}
#: calls that run or import what a string names: allowed on a literal string only
DYNAMIC = {"exec", "eval", "compile", "__import__", "builtins.exec", "builtins.eval", "builtins.compile",
           "builtins.__import__", "importlib.import_module", "importlib.__import__"}


def _banned(dotted: str) -> str | None:
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        why = BANNED.get(".".join(parts[:n]))
        if why:
            return f"{'.'.join(parts[:n])} ({why})"
    return None


class _Reader(ast.NodeVisitor):
    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}  # local name -> the dotted name it was imported as
        self.own: set[str] = set()  # names the cell defines itself (a function called `compile`...)
        self.found: list[str] = []

    def _add(self, what: str | None) -> None:
        if what and what not in self.found:
            self.found.append(what)

    def dotted(self, node) -> str | None:
        if isinstance(node, ast.Name):
            return None if node.id in self.own else self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            base = self.dotted(node.args[0])
            return f"{base}.{node.args[1].value}" if base else None
        return None

    def visit_Import(self, node) -> None:
        for a in node.names:
            self.aliases[(a.asname or a.name).split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            self._add(_banned(a.name))

    def visit_ImportFrom(self, node) -> None:
        if node.level == 0 and node.module:
            for a in node.names:
                self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                self._add(_banned(f"{node.module}.{a.name}"))

    def visit_Attribute(self, node) -> None:
        name = self.dotted(node)
        if name and _banned(name):
            self._add(_banned(name))
        else:
            self.generic_visit(node)

    def visit_Name(self, node) -> None:
        name = self.dotted(node)
        if name and name != node.id:  # an imported name: `from os import fork as f; f()`
            self._add(_banned(name))

    def visit_Call(self, node) -> None:
        name = self.dotted(node.func)
        literal = bool(node.args) and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
        if name in DYNAMIC and not literal:
            self._add(f"{name} on a value built at run time (runs code the grader cannot read)")
        attr = self.dotted(node) if isinstance(node.func, ast.Name) and node.func.id == "getattr" else None
        if attr:
            self._add(_banned(attr))
        self.generic_visit(node)


def _defined(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def scan(source: str) -> list[str]:
    """What in `source` (one cell's code) no solution may use, in the order found; [] when nothing
    (or when the code does not parse: the run will say why)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    reader = _Reader()
    reader.own = _defined(tree)
    for node in ast.walk(tree):  # the imports first, wherever they are in the cell
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            reader.visit(node)
    reader.visit(tree)
    return reader.found


def scan_notebook(nb) -> dict[str, list[str]]:
    """grade_id of a part -> what its solution cells use that no solution may. A solution cell
    belongs to the part of the next graded code cell (its task's test cell)."""
    found: dict[str, list[str]] = {}
    part = None
    for cell in reversed(nb.cells):
        meta = nbgrader_meta(cell)
        if cell.get("cell_type") != "code":
            continue
        if meta.get("grade"):
            part = meta.get("grade_id")
        elif meta.get("solution") and part:
            for what in reversed(scan(cell.get("source", ""))):
                if what not in found.setdefault(part, []):
                    found[part].insert(0, what)
    return {p: w for p, w in found.items() if w}
