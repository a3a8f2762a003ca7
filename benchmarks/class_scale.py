"""Grading at class scale: `llmt grade` against plain `nbgrader autograde`, offline profile.

    python benchmarks/class_scale.py [--assignments 3_1 3_2 ...] [--repeats 3] [--quick] [--json FILE]

Grades each chosen assignment's reference notebook (a complete submission: every hidden check
runs; `--submission release` takes the untouched student notebook instead) and prints:

1. per notebook: the median of `--repeats` fresh `llmt grade NOTEBOOK` processes in a course
   directory where the assignment is already generated (as in an instructor's course), against
   `nbgrader autograde A --student S` in a scratch nbgrader course that has this course's
   nbgrader_config.py and where `nbgrader generate_assignment A` ran; the two alternate, and the
   ratio is ours / nbgrader's wall time (no CPU time: both sides kill each kernel once its last
   cell has run, so its CPU time is never reported to the command that started it);
2. a whole submission (one student, every chosen notebook) in a fresh course directory, as a CI job
   grades it: `llmt grade` with 1 and 2 workers (`--workers`, when `llmt grade` has it), and
   nbgrader (`generate_assignment "*"`, then `autograde "*"` in one process), with throughput in
   notebooks per minute, and the scores each one gave.

Every command is a subprocess with the offline profile's environment (graders.profile), as
`llmt grade` sets it. Wall times stretch on a loaded machine: the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from graders import manifest, profile
from graders.course import Course

LLMT = [sys.executable, "-m", "graders.cli"]
NBGRADER = [sys.executable, "-m", "nbgrader"]
STUDENT = "bench"


def _environment(assignments: list[manifest.Assignment]) -> dict[str, str]:
    """This environment, the offline profile's variables (fixtures built first, never timed), and
    the interpreter's scripts first on PATH (nbgrader runs `alembic` from there)."""
    env = dict(os.environ)
    env.update(profile.offline_environment(assignments))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@dataclass(frozen=True)
class Timing:
    wall: float  #: seconds


def _run(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> Timing:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    timing = Timing(time.perf_counter() - start)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")
    return timing


def workers_option() -> bool:
    """Whether `llmt grade` takes --workers (it comes with issue 9's parallel grading)."""
    done = subprocess.run([*LLMT, "grade", "--help"], capture_output=True, text=True, check=True)
    return "--workers" in done.stdout


def _notebook(a: manifest.Assignment, kind: str) -> Path:
    return a.source_notebook if kind == "reference" else a.release_notebook


class NbgraderCourse:
    """A scratch nbgrader course directory: this course's nbgrader_config.py and source folders."""

    def __init__(self, root: Path, assignments: list[manifest.Assignment]):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(manifest.COURSE_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
        for a in assignments:
            Course(root).add_source(a)

    def generate(self, assignment_id: str, env: dict[str, str]) -> Timing:
        return _run([*NBGRADER, "generate_assignment", assignment_id, "--force"], env, cwd=self.root)

    def submit(self, a: manifest.Assignment, notebook: Path) -> None:
        dest = self.root / "submitted" / STUDENT / a.id
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, dest / f"{a.id}.ipynb")

    def autograde(self, assignment_id: str, env: dict[str, str]) -> Timing:
        return _run([*NBGRADER, "autograde", assignment_id, "--student", STUDENT, "--force"], env, cwd=self.root)

    def score(self) -> tuple[float, float]:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}", manifest.COURSE_ID) as gb:
            subs = gb.find_student(STUDENT).submissions
            return sum(s.score for s in subs), sum(s.max_score for s in subs)


def _llmt_grade(path: Path, course_dir: Path, env: dict[str, str], extra: list[str] = ()) -> tuple[Timing, tuple[float, float]]:
    report = course_dir / "bench-report.json"
    timing = _run([*LLMT, "grade", str(path), "--course-dir", str(course_dir), "--student", STUDENT,
                    "--json", str(report), *extra], env)
    student = json.loads(report.read_text())["students"][0]
    return timing, (student["score"], student["max_score"])


def per_notebook(assignments, kind: str, repeats: int, env, tmp: Path, say) -> list[dict]:
    ours_dir = tmp / "llmt-course"
    nbg = NbgraderCourse(tmp / "nbgrader-course", assignments)
    rows = []
    for a in assignments:
        Course(ours_dir).generate(a)  # what grading it once before leaves in the course directory
        nbg.generate(a.id, env)
        nbg.submit(a, _notebook(a, kind))
        ours, theirs = [], []
        for i in range(repeats):
            # alternate which goes first, so that a burst of load hits both alike
            for side in ("ours", "theirs") if i % 2 == 0 else ("theirs", "ours"):
                if side == "ours":
                    timing, ours_score = _llmt_grade(_notebook(a, kind), ours_dir, env, ["--assignment", a.id])
                    ours.append(timing)
                else:
                    theirs.append(nbg.autograde(a.id, env))
        row = {"assignment": a.id, "llmt": statistics.median(t.wall for t in ours),
               "nbgrader": statistics.median(t.wall for t in theirs),
               "llmt_runs": [t.wall for t in ours], "nbgrader_runs": [t.wall for t in theirs], "llmt_score": ours_score}
        row["ratio"] = row["llmt"] / row["nbgrader"]
        rows.append(row)
        say(f"  {a.id:<52} {row['llmt']:8.1f} s {row['nbgrader']:9.1f} s {row['ratio']:8.2f}"
            f"   (llmt {_fmt_score(ours_score)})")
    return rows


def _fmt_score(score: tuple[float, float]) -> str:
    return f"{score[0]:g}/{score[1]:g}"


def whole_submission(assignments, kind: str, workers: bool, env, tmp: Path, say) -> dict:
    folder = tmp / "submission"
    folder.mkdir()
    for a in assignments:
        shutil.copyfile(_notebook(a, kind), folder / f"{a.id}.ipynb")
    n = len(assignments)
    out = {"notebooks": n}

    def line(label: str, timing: Timing, note: str) -> None:
        say(f"  {label:<44} {timing.wall:8.1f} s {60 * n / timing.wall:8.1f} notebooks/min   {note}")

    for count in (1, 2):
        label = f"llmt grade --workers {count}"
        if not workers:
            if count == 2:
                say(f"  {label:<44} not available (llmt grade has no --workers option on this branch)")
                continue
            label = "llmt grade (serial)"
        timing, score = _llmt_grade(folder, tmp / f"llmt-whole-{count}", env, [f"--workers={count}"] if workers else [])
        out[f"llmt_workers_{count}"] = {"seconds": timing.wall, "score": score}
        line(label, timing, f"score {_fmt_score(score)}")

    nbg = NbgraderCourse(tmp / "nbgrader-whole", assignments)
    generate = nbg.generate("*", env)
    for a in assignments:
        nbg.submit(a, _notebook(a, kind))
    autograde = nbg.autograde("*", env)
    score = nbg.score()
    total = Timing(generate.wall + autograde.wall)
    out["nbgrader"] = {"seconds": total.wall, "generate": generate.wall, "autograde": autograde.wall, "score": score}
    line('nbgrader generate_assignment + autograde "*"', total,
         f"score {_fmt_score(score)} (generate {generate.wall:.1f} s, autograde {autograde.wall:.1f} s)")

    one = out["llmt_workers_1"]["seconds"]
    say(f"  ratio llmt (1 worker) / nbgrader: {one / out['nbgrader']['seconds']:.2f}")
    if "llmt_workers_2" in out:
        speedup = one / out["llmt_workers_2"]["seconds"]
        out["speedup_2_workers"] = speedup
        say(f"  throughput of 2 workers / 1 worker: {speedup:.2f}x")
    if len({_fmt_score(v["score"]) for k, v in out.items() if isinstance(v, dict)}) > 1:
        say("  WARNING: the runs gave different scores")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", nargs="+", metavar="A", help="assignment ids or prefixes (default: every ready one)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per notebook and side (median; default 3)")
    parser.add_argument("--submission", choices=["reference", "release"], default="reference",
                        help="grade the reference notebooks (default) or the untouched release notebooks")
    parser.add_argument("--quick", action="store_true",
                        help="one repeat, and only the first ready assignment unless --assignments names others")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.assignments:
        assignments = [manifest.get(name) for name in args.assignments]
    else:
        assignments = manifest.authored()[:1] if args.quick else manifest.authored()
    repeats = 1 if args.quick else args.repeats
    if repeats < 1:
        parser.error("--repeats must be at least 1")

    def say(text: str) -> None:
        print(text, flush=True)

    env = _environment(assignments)
    workers = workers_option()
    say(f"class-scale grading benchmark: offline profile, {len(assignments)} {args.submission} notebook(s), "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    results = {"submission": args.submission, "repeats": repeats, "load_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="llmt-class-scale-") as tmp:
        say(f"\nper notebook, median of {repeats} fresh process(es), assignment already generated:")
        say(f"  {'assignment':<52} {'llmt grade':>10} {'nbgrader':>11} {'ratio':>8}")
        results["per_notebook"] = per_notebook(assignments, args.submission, repeats, env, Path(tmp), say)
        total_ours = sum(r["llmt"] for r in results["per_notebook"])
        total_theirs = sum(r["nbgrader"] for r in results["per_notebook"])
        say(f"  {'sum':<52} {total_ours:8.1f} s {total_theirs:9.1f} s {total_ours / total_theirs:8.2f}")
        say(f"\nwhole submission of {len(assignments)} notebook(s), one student, fresh course directory:")
        results["whole"] = whole_submission(assignments, args.submission, workers, env, Path(tmp), say)
    results["load_end"] = os.getloadavg()[0]
    say(f"\nload average {results['load_end']:.1f} at the end")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
