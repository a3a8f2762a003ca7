"""What the judge costs: the whole offline course graded with the hidden checks in the judge (the
default) and inside the student's kernel (LLMT_JUDGE=0), in the same run.

The submission is every assignment's reference notebook (every part passes, so every check runs to
the end). Each mode grades it with one `llmt grade --workers 1` process in a fresh course directory,
the modes alternating, `--repeats` times; the table gives each notebook's median time (from the
grading process's progress lines) and the median total.

    python benchmarks/judge_overhead.py                      # the whole course (about 7 minutes)
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

_PROGRESS = "grading student / "


def _submission(chosen: list[manifest.Assignment], folder: Path) -> None:
    for a in chosen:
        nb = notebooks.fill_solutions(notebooks.read(a.release_notebook), notebooks.read(a.source_notebook))
        nbformat.write(nb, str(folder / f"{a.id}.ipynb"))


def _grade(folder: Path, judge: bool) -> tuple[float, dict[str, float]]:
    """Total seconds, and seconds per notebook (between successive progress lines)."""
    env = {**os.environ, "LLMT_JUDGE": "1" if judge else "0"}
    per, current = {}, None
    with tempfile.TemporaryDirectory(prefix="llmt-judge-bench-") as course:
        start = last = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "graders.cli", "grade", str(folder), "--course-dir", course,
                                 "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in proc.stderr:
            if line.startswith(_PROGRESS):
                now = time.perf_counter()
                if current:
                    per[current] = now - last
                current, last = line[len(_PROGRESS):].split()[0], now
        out = proc.stdout.read()
        proc.wait()
        end = time.perf_counter()
    per[current] = end - last
    total = [ln for ln in out.splitlines() if ln.startswith("student") and " total " in ln]
    if proc.returncode != 0 or not total or total[0].split()[2] != total[0].split()[4]:
        raise SystemExit(f"grading (judge={judge}) did not give full marks:\n{out}")
    return end - start, per


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--assignments", nargs="*", help="ids or prefixes (default: every ready assignment)")
    p.add_argument("--repeats", type=int, default=1)
    args = p.parse_args()
    chosen = [manifest.get(x) for x in args.assignments] if args.assignments else manifest.authored()
    if len(chosen) < 2:
        raise SystemExit("give at least two assignments (a total needs a class of one student with several notebooks)")
    runs = {True: [], False: []}
    with tempfile.TemporaryDirectory() as tmp:
        _submission(chosen, Path(tmp))
        for _ in range(args.repeats):
            for judge in (False, True):
                runs[judge].append(_grade(Path(tmp), judge))
    print(f"{'notebook':<52} {'in kernel':>10} {'judge':>8} {'ratio':>6}")
    for a in chosen:
        k = statistics.median(r[1][a.id] for r in runs[False])
        j = statistics.median(r[1][a.id] for r in runs[True])
        print(f"{a.id:<52} {k:9.1f}s {j:7.1f}s {j / k:5.2f}x")
    k, j = (statistics.median(r[0] for r in runs[m]) for m in (False, True))
    print(f"{'whole submission (one llmt grade, 1 worker)':<52} {k:9.1f}s {j:7.1f}s {j / k:5.2f}x ({100 * (j / k - 1):+.0f}%)")


if __name__ == "__main__":
    main()
