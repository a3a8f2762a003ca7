"""Where the time of grading one notebook goes: a breakdown of `llmt grade`'s fixed cost.

    python benchmarks/fixed_cost.py [ASSIGNMENT] [--notebook release|source] [--repeats 3]

Three parts, each a median of `--repeats` runs:
1. fresh interpreters (subprocesses): Python itself, `import graders.cli` (what `llmt` pays before
   it grades), and the imports a grading kernel pays (ipykernel, torch, transformers, the hidden
   checks' module);
2. one `graders.grade.grade` call in this process on a fresh course directory, with a timer on each
   phase: fixture look-ups, nbgrader's API, generate_assignment, gradebook set-up, nbgrader's
   preprocessors, the kernel's start, cells and shutdown, reading the scores; the first call also
   pays the imports of nbgrader, later calls show what each notebook pays again;
3. the slowest cells of the graded notebook (from the execution timestamps nbclient records).

The figures are wall time: on a loaded machine they stretch, so compare phases within one run.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import functools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from graders import manifest, notebooks

_totals: collections.Counter = collections.Counter()
_counts: collections.Counter = collections.Counter()


def _record(label: str, seconds: float) -> None:
    _totals[label] += seconds
    _counts[label] += 1


def _wrap(owner, name: str, label) -> None:
    """Accumulate the wall time of the method `owner.name` under `label` (a string, or a function
    of the bound object giving one)."""
    original = getattr(owner, name)
    name_of = label if callable(label) else (lambda _self: label)

    @functools.wraps(original)
    def timed(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            _record(name_of(self), time.perf_counter() - start)
    setattr(owner, name, timed)


def _wrap_function(module, name: str, label: str) -> None:
    original = getattr(module, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _record(label, time.perf_counter() - start)
    setattr(module, name, timed)


def instrument() -> None:
    """Put the timers on (imports nbgrader: call after measuring its import)."""
    import nbclient.client
    import nbconvert.preprocessors.base
    import nbgrader.api
    import nbgrader.apps
    import nbgrader.converters.autograde
    import nbgrader.converters.base

    from graders import course, grade, profile

    _wrap_function(profile, "offline_environment", "fixture look-ups (offline_environment)")
    _wrap(course.Course, "api", "NbGraderAPI construction (Course.api)")
    _wrap(course.Course, "generate", "generate_assignment (Course.generate)")
    _wrap(nbgrader.apps.NbGraderAPI, "generate_feedback", "feedback HTML (generate_feedback)")
    _wrap(nbgrader.converters.autograde.Autograde, "init_assignment", "autograde: gradebook set-up, copying files")
    _wrap(nbgrader.converters.base.BaseConverter, "write_single_notebook", "autograde: writing notebooks")
    _wrap(nbgrader.converters.base.BaseConverter, "init_single_notebook_resources", "autograde: reading notebooks")
    _wrap(nbconvert.preprocessors.base.Preprocessor, "__call__", lambda pp: f"preprocessor {type(pp).__name__}")
    # nbclient's sync entry points (run_sync wrappers made at class definition, so wrap these)
    _wrap(nbclient.client.NotebookClient, "start_new_kernel", "kernel: spawn")
    _wrap(nbclient.client.NotebookClient, "start_new_kernel_client", "kernel: wait until ready")
    _wrap(nbclient.client.NotebookClient, "execute_cell", "kernel: cells")
    _wrap(nbclient.client.NotebookClient, "_cleanup_kernel", "kernel: shutdown")
    _wrap(nbgrader.api.Gradebook, "__init__", "gradebook opens (Gradebook())")
    _wrap_function(grade, "_read_scores", "reading scores (_read_scores)")


def _median_run(argv: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interpreter_costs(a: manifest.Assignment, repeats: int) -> list[tuple[str, float]]:
    py = [sys.executable, "-c"]
    rows = [("python -c pass", _median_run([*py, "pass"], repeats))]
    rows.append(("import graders.cli (llmt before grading)", _median_run([*py, "import graders.cli"], repeats)))
    rows.append(("import nbgrader.apps (first Course.api)", _median_run([*py, "import nbgrader.apps"], repeats)))
    rows.append(("kernel side: import ipykernel.ipkernel", _median_run([*py, "import ipykernel.ipkernel"], repeats)))
    rows.append(("kernel side: import torch", _median_run([*py, "import torch"], repeats)))
    rows.append(("kernel side: import torch; from transformers import AutoModel",
                 _median_run([*py, "import torch; from transformers import AutoModel"], repeats)))
    rows.append((f"kernel side: import torch, graders.{a.module} (hidden checks)",
                 _median_run([*py, f"import torch; import graders.{a.module}"], repeats)))
    return rows


def _cell_times(executed: Path) -> list[tuple[float, str]]:
    def at(s: str) -> datetime.datetime:
        return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))

    found = []
    for cell in notebooks.read(executed).cells:
        ex = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type != "code" or "shell.execute_reply" not in ex:
            continue
        seconds = (at(ex["shell.execute_reply"]) - at(ex["iopub.execute_input"])).total_seconds()
        name = notebooks.nbgrader_meta(cell).get("grade_id") or cell.source.strip().splitlines()[0][:50]
        found.append((seconds, name))
    return found


def graded_phases(a: manifest.Assignment, notebook: Path, repeats: int, feedback: bool
                  ) -> tuple[list[dict], list[tuple[float, str]]]:
    """Per grade() call: {label: seconds}; and the cells of the last graded notebook."""
    from graders.grade import Submission, grade

    runs, cells = [], []
    for _ in range(repeats):
        _totals.clear()
        _counts.clear()
        with tempfile.TemporaryDirectory(prefix="llmt-fixed-cost-") as tmp:
            start = time.perf_counter()
            grade([Submission("bench", a, notebook)], Path(tmp), feedback_dir=Path(tmp) / "out" if feedback else None)
            total = time.perf_counter() - start
            cells = _cell_times(Path(tmp) / "autograded" / "bench" / a.id / f"{a.id}.ipynb")
        run = dict(_totals)
        run["counts"] = dict(_counts)
        run["total: grade() of one notebook"] = total
        runs.append(run)
    return runs, cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="3_1", help="assignment id or prefix (default 3_1)")
    parser.add_argument("--notebook", choices=["release", "source"], default="release",
                        help="grade the untouched release notebook or the reference (default release)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--feedback", action="store_true", help="also write the HTML feedback, as llmt grade --feedback does")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    a = manifest.get(args.assignment)
    notebook = a.release_notebook if args.notebook == "release" else a.source_notebook

    print(f"fixed cost of grading {a.id} ({args.notebook} notebook), median of {args.repeats}\n")
    print("fresh interpreters:")
    fresh = interpreter_costs(a, args.repeats)
    for label, seconds in fresh:
        print(f"  {label:<64} {seconds:6.2f} s")

    instrument()
    runs, cells = graded_phases(a, notebook, args.repeats, args.feedback)
    first, later = runs[0], runs[1:] or runs[:1]
    labels = sorted({k for r in runs for k in r if k != "counts"}, key=lambda k: -first.get(k, 0.0))
    print("\nin one process, one grade() call each (the first also pays nbgrader's imports):")
    print(f"  {'phase':<58} {'first':>7} {'later':>7}  calls")
    for label in labels:
        later_s = statistics.median(r.get(label, 0.0) for r in later)
        print(f"  {label:<58} {first.get(label, 0.0):6.2f}s {later_s:6.2f}s  {first['counts'].get(label, '')}")
    print("  (phases nest: the preprocessor Execute holds the kernel's phases, autograde its preprocessors)")

    print("\nslowest cells of the graded notebook (last run):")
    for seconds, name in sorted(cells, reverse=True)[:6]:
        print(f"  {name:<58} {seconds:6.2f} s")
    print(f"  {'all ' + str(len(cells)) + ' code cells':<58} {sum(s for s, _ in cells):6.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"fresh": fresh, "runs": runs, "cells": cells}, indent=1))


if __name__ == "__main__":
    main()
