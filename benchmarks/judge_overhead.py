"""What the judge costs: the offline course graded with the hidden checks in the judge (the default)
and inside the student's kernel (LLMT_JUDGE=0), in the same run.

Each assignment's reference notebook (every part passing, so every check runs to the end) is graded
by a fresh `llmt grade` process in a fresh course directory, the two modes alternating, `--repeats`
times each; the table gives the median wall time per notebook and the total.

    python benchmarks/judge_overhead.py                 # the whole course, 1 repeat (about 8 minutes)
    python benchmarks/judge_overhead.py --repeats 3 --assignments 3_1 3_2
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from graders import manifest, notebooks


def _reference(a: manifest.Assignment, folder: Path) -> Path:
    nb = notebooks.fill_solutions(notebooks.read(a.release_notebook), notebooks.read(a.source_notebook))
    path = folder / f"{a.id}.ipynb"
    nbformat.write(nb, str(path))
    return path


def _grade(notebook: Path, judge: bool) -> float:
    env = {**os.environ, "LLMT_JUDGE": "1" if judge else "0"}
    with tempfile.TemporaryDirectory(prefix="llmt-judge-bench-") as course:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "graders.cli", "grade", str(notebook), "--course-dir", course],
                              env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0 or " 10 / 10" not in done.stdout:
        raise SystemExit(f"grading {notebook.name} (judge={judge}) did not give 10 / 10:\n{done.stdout}\n{done.stderr}")
    return seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--assignments", nargs="*", help="ids or prefixes (default: every ready assignment)")
    p.add_argument("--repeats", type=int, default=1)
    args = p.parse_args()
    chosen = [manifest.get(x) for x in args.assignments] if args.assignments else manifest.authored()
    rows, totals = [], {True: 0.0, False: 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for a in chosen:
            nb = _reference(a, Path(tmp))
            times = {True: [], False: []}
            for _ in range(args.repeats):
                for judge in (False, True):
                    times[judge].append(_grade(nb, judge))
            med = {j: statistics.median(t) for j, t in times.items()}
            totals[True] += med[True]
            totals[False] += med[False]
            rows.append((a.id, med[False], med[True]))
            print(f"{a.id:<52} in kernel {med[False]:6.1f} s   judge {med[True]:6.1f} s   {med[True] / med[False]:5.2f}x", flush=True)
    print(f"{'total':<52} in kernel {totals[False]:6.1f} s   judge {totals[True]:6.1f} s   "
          f"{totals[True] / totals[False]:5.2f}x ({100 * (totals[True] / totals[False] - 1):+.0f}%)")


if __name__ == "__main__":
    main()
