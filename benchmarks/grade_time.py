"""Wall time to grade with `llmt grade` (offline profile), per notebook and per whole submission.

    .venv/bin/python benchmarks/grade_time.py [--repeats 3]

Each run is a fresh `llmt grade` process on a fresh course directory, so the figures include
everything a CI job pays: interpreter start, nbgrader's gradebook set-up, the kernel, the checks.
Prints the median and the range of the runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from graders import manifest

LLMT = [sys.executable, "-m", "graders.cli"]


def timed_grade(path: Path, extra: list[str]) -> float:
    with tempfile.TemporaryDirectory(prefix="llmt-bench-") as course:
        start = time.perf_counter()
        subprocess.run([*LLMT, "grade", str(path), "--course-dir", course, *extra], check=True, capture_output=True)
        return time.perf_counter() - start


def report(label: str, times: list[float]) -> None:
    print(f"{label:<62} {statistics.median(times):6.1f} s   (min {min(times):.1f}, max {max(times):.1f}, n={len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    assignments = manifest.authored()
    print(f"grading wall time, offline profile, {len(assignments)} assignment(s) ready\n")
    for a in assignments:
        report(f"{a.id} reference", [timed_grade(a.source_notebook, []) for _ in range(args.repeats)])
        report(f"{a.id} untouched release", [timed_grade(a.release_notebook, []) for _ in range(args.repeats)])
    with tempfile.TemporaryDirectory(prefix="llmt-bench-sub-") as tmp:
        for a in assignments:
            shutil.copyfile(a.source_notebook, Path(tmp) / f"{a.id}.ipynb")
        report(f"whole submission ({len(assignments)} notebooks, reference)",
               [timed_grade(Path(tmp), ["--student", "bench"]) for _ in range(args.repeats)])


if __name__ == "__main__":
    main()
