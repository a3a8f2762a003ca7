"""The `llmt` command: a thin layer of argument parsing over graders.release, .grade and .selfcheck."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import deferred_imports

deferred_imports.defer_rfc3987_syntax()  # before nbformat is imported: 1 s of start-up

from . import course, manifest, merge, release, report, sandbox  # noqa: E402
from .finding import UsageError, find_submissions  # noqa: E402
from .grade import grade  # noqa: E402
from .parallel import MAX_DEFAULT_WORKERS, default_workers  # noqa: E402
from .selfcheck import check, demo  # noqa: E402
from .shard import Shard  # noqa: E402


def _assignments(names: list[str]) -> list[manifest.Assignment]:
    if not manifest.authored():
        raise UsageError(f"no source notebooks under {manifest.COURSE_ROOT / 'source'}: "
                         "install the course from its repository with `pip install -e .`")
    if not names:
        return manifest.authored()
    chosen = []
    for name in names:
        try:
            a = manifest.get(name)
        except KeyError as exc:
            raise UsageError(exc.args[0]) from None
        if not a.authored:
            raise UsageError(f"{a.id} has no source notebook yet (source/{a.id}/{a.id}.ipynb)")
        chosen.append(a)
    return chosen


def version() -> str:
    """The course package's version, from its metadata (pyproject.toml's `version`)."""
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed("llm-model-trainings")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed: pip install -e .)"


def _formgrader_config(course_dir) -> None:
    """Leave in a course directory other than the repository the nbgrader_config.py the formgrader reads."""
    written = course.write_config(Path(course_dir))
    if written is not None:
        print(f"formgrader: start `jupyter server` in {written.parent} (README: Instructors: formgrader)",
              file=sys.stderr)


def _progress(sub) -> None:
    print(f"grading {sub.student} / {sub.assignment.id} ...", file=sys.stderr, flush=True)


def cmd_release(args) -> int:
    changed = release.release(_assignments(args.assignments), check=args.check)
    if args.check:
        if changed:
            print("stale: regenerate with `llmt release` and commit:\n  " + "\n  ".join(changed))
            return 1
        print("release/ and solutions/ are what source/ produces")
        return 0
    print("\n".join(f"wrote {p}" for p in changed) if changed else "release/ and solutions/ were up to date")
    return 0


def _workers(args) -> int:
    if args.workers is None:
        return default_workers()
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    return args.workers


def _check_min_score(args) -> None:
    if args.min_score is not None and not 0 <= args.min_score <= 1:
        raise UsageError("--min-score is a fraction of the maximum, between 0 and 1")


def cmd_grade(args) -> int:
    _check_min_score(args)
    limits = _limits(args)
    shard = Shard.parse(args.shard) if args.shard is not None else None
    workers = _workers(args)
    subs, notes = find_submissions(Path(args.submissions), args.assignment, args.student, args.misfiled)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    todo = shard.pick(subs) if shard else subs
    if shard:
        print(f"shard {shard}: {len(todo)} of {len(subs)} notebooks", file=sys.stderr)
    rep = grade(todo, Path(args.course_dir), feedback_dir=args.feedback, progress=_progress, workers=workers,
                sandbox=sandbox.Sandbox(limits=limits, enabled=not args.no_sandbox))
    rep.notes = notes + rep.notes
    if shard:
        rep.shard = shard.describe(subs)
    _formgrader_config(args.course_dir)
    return _outputs(rep, args)


def cmd_merge(args) -> int:
    _check_min_score(args)
    rep = merge.merge_reports(args.reports)
    if args.course_dirs:
        merge.merge_gradebooks(rep, args.course_dirs, Path(args.course_dir))
        _formgrader_config(args.course_dir)
    return _outputs(rep, args)


def _outputs(rep, args) -> int:
    """Print the table, write --json and --junit; 1 when a student is below --min-score."""
    print(report.table(rep))
    if args.json:
        report.write_json(rep, args.json)
    if args.junit:
        report.write_junit(rep, args.junit)
    if args.summary:
        report.write_summary(rep, args.summary)
    if args.min_score is not None:
        low = [s for s in rep.results if rep.total(s)[0] < args.min_score * rep.total(s)[1]]
        if low:
            print(f"below --min-score {args.min_score:g}: {', '.join(low)}", file=sys.stderr)
            return 1
    return 0


def _limits(args) -> sandbox.Limits:
    given = {"cell_timeout": ("--timeout", args.timeout), "notebook_timeout": ("--notebook-timeout", args.notebook_timeout),
             "memory_mb": ("--memory-mb", args.memory_mb), "cpu_seconds": ("--cpu-seconds", args.cpu_seconds)}
    for flag, value in given.values():
        if value is not None and value <= 0:
            raise UsageError(f"{flag} must be a positive number")
    return sandbox.Limits(**{name: value for name, (_, value) in given.items() if value is not None})


def cmd_sandbox(args) -> int:
    from . import zygote

    p = sandbox.protections()
    print(sandbox.describe(p))
    print("kernels: forked from a preloaded zygote (graders/zygote.py)" if zygote.available()
          else f"kernels: started afresh (forking needs PID, mount and network namespaces, and {zygote.VARIABLE} not 0)")
    for name, value in p.items():
        print(f"  {name}: {value}")
    return 0


def cmd_check(args) -> int:
    rep, problems = check(_assignments(args.assignments), progress=_progress, workers=_workers(args))
    print(report.table(rep))
    if problems:
        print("\ncheck failed:\n  " + "\n  ".join(problems))
        return 1
    print("\ncheck passed: every reference gets full marks, every untouched release gets zero")
    return 0


def cmd_demo(args) -> int:
    rep, out = demo(_assignments(args.assignments), args.out, progress=_progress, workers=_workers(args))
    course.write_config(out / "course")
    print(f"\nGradebook of the demo class (offline profile), course directory {out / 'course'}:\n")
    print(report.table(rep))
    print(f"\nfeedback (HTML): {out / 'feedback'}\nreport (JSON):   {out / 'report.json'}")
    return 0


def cmd_offline(args) -> int:
    """Build the offline fixtures the assignments need and say how to run their notebooks on them."""
    from . import profile

    chosen = _assignments(args.assignments)
    print(f"building the offline fixtures of {len(chosen)} assignment(s) (the first time: about a minute) ...",
          file=sys.stderr, flush=True)
    env = profile.offline_environment(chosen)
    if args.kernel:
        where = profile.install_kernel(env, user=not args.sys_prefix, prefix=sys.prefix if args.sys_prefix else None)
        print(f"installed the Jupyter kernel {profile.KERNEL_NAME!r} ({where}): in Jupyter, pick "
              "Kernel > Change Kernel > LLM Model Trainings (offline)", file=sys.stderr)
        return 0
    print("# paste these lines into the shell that starts Jupyter, or run: eval \"$(llmt offline ...)\"",
          file=sys.stderr)
    print(profile.exports(env))
    return 0


def cmd_list(args) -> int:
    print(f"{'assignment':<52} {'module':<21} points  gpu  status")
    for a in manifest.ASSIGNMENTS:
        print(f"{a.id:<52} {a.module:<21} {a.points:>6}  {'yes' if a.gpu else 'no':<3}  {'ready' if a.authored else 'planned'}")
    return 0


GRADE_EPILOG = """\
exit status:
  0  grading finished, whatever the scores (a notebook that could not be graded is an
     error entry worth zero in the table and the reports)
  1  --min-score X was given and a student's total is below X of the maximum (the
     students are named on stderr); also an unexpected failure, with its traceback
  2  bad usage: an unknown option or a bad value, a missing path, an unknown
     assignment, an invalid student id, no submissions under the path

examples:
  # a class laid out as submitted/<student>/<A>/<A>.ipynb, with every report
  llmt grade path/to/class --json report.json --junit junit.xml --feedback feedback/
  # one notebook into a course directory of its own (open it in the formgrader
  # afterwards: cd graded && jupyter server), failing below 60 %
  llmt grade attempt.ipynb --assignment 3_1 --student alice --course-dir graded --min-score 0.6
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="llmt", description="LLM Model Trainings: release, grade and check the course.",
                                epilog="`llmt COMMAND --help` describes a command and its options.")
    p.add_argument("--version", action="version", version=f"%(prog)s {version()}",
                   help="print the course package's version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands",
                           help="one of the commands below")

    sub.add_parser("list", help="the course's assignments and their status").set_defaults(func=cmd_list)

    r = sub.add_parser("release", help="generate release/ and solutions/ from source/")
    r.add_argument("assignments", nargs="*", metavar="A", help="assignment ids (default: all with a source notebook)")
    r.add_argument("--check", action="store_true", help="change nothing; exit 1 naming stale files")
    r.set_defaults(func=cmd_release)

    o = sub.add_parser("offline", help="build the offline fixtures and print the environment that runs notebooks on them",
                       description="Build the local fixtures (tiny models, generated data) that stand in for the Hub "
                       "under the offline profile, then print `export` lines for the shell that starts Jupyter, "
                       "or install a Jupyter kernel that sets them itself (--kernel).")
    o.add_argument("assignments", nargs="*", metavar="A", help="assignment ids or prefixes such as 3_1 (default: all)")
    o.add_argument("--kernel", action="store_true", help="install the Jupyter kernel 'LLM Model Trainings (offline)' instead of printing")
    o.add_argument("--sys-prefix", action="store_true", help="with --kernel: install it into this environment, not the user's folder")
    o.set_defaults(func=cmd_offline)

    g = sub.add_parser("grade", help="autograde submissions with the offline profile",
                       description="Autograde submissions with nbgrader under the offline profile, the hidden\n"
                       "checks in the judge and every kernel in the sandbox; print a table per student and\n"
                       "assignment, and record the grades in --course-dir's gradebook.db.",
                       epilog=GRADE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("submissions", help="a notebook, a folder of one student's notebooks, or a course layout with submitted/<student>/<A>/<A>.ipynb")
    g.add_argument("--assignment", help="grade only this assignment (also names the assignment of a single notebook)")
    g.add_argument("--student", help="grade only this student (names the student of a folder of notebooks; default 'student')")
    g.add_argument("--misfiled", choices=("zero", "grade"), default="zero",
                   help="a notebook of another assignment handed in as this one: score zero, saying which it is "
                        "(default), or grade it as the assignment it is when the student did not hand that one in")
    g.add_argument("--course-dir", default=str(manifest.COURSE_ROOT), help="the nbgrader course directory holding gradebook.db (default: this repository); another folder also "
                   "gets an nbgrader_config.py, for the formgrader and nbgrader's commands started in it")
    g.add_argument("--json", type=Path, help="write the report as JSON")
    g.add_argument("--junit", type=Path, help="write the report as JUnit XML")
    g.add_argument("--summary", type=Path, help="write the report as a Markdown table (a CI job summary)")
    g.add_argument("--feedback", type=Path, help="write nbgrader's HTML feedback under this folder")
    g.add_argument("--timeout", type=int, help="seconds one cell may run (default 120)")
    g.add_argument("--notebook-timeout", type=int, help="seconds of wall clock one notebook may run (default 900)")
    g.add_argument("--memory-mb", type=int, help="memory (address space) of one kernel in MiB (default 6144)")
    g.add_argument("--cpu-seconds", type=int, help="CPU time of one kernel in seconds (default 600)")
    g.add_argument("--no-sandbox", action="store_true", help="run kernels without the sandbox's walls and limits (cell timeouts and failure containment stay)")
    g.add_argument("--min-score", type=float, help="exit 1 when a student's total is below this fraction of the maximum")
    g.add_argument("--workers", type=int, default=1, metavar="N", help="grade N notebooks at a time, each in its own process and kernel (default 1)")
    g.add_argument("--shard", metavar="I/N", help="grade only the I-th of N parts of the submissions (1 <= I <= N); join the parts with `llmt merge`")
    g.set_defaults(func=cmd_grade)

    m = sub.add_parser("merge", help="join the reports and gradebooks of `llmt grade --shard I/N` runs into one")
    m.add_argument("reports", nargs="+", type=Path, metavar="REPORT", help="the shards' --json reports, one per shard")
    m.add_argument("--course-dirs", nargs="+", type=Path, metavar="DIR", help="the shards' --course-dir folders: their gradebooks and graded notebooks are copied into --course-dir")
    m.add_argument("--course-dir", default=str(manifest.COURSE_ROOT), help="the course directory to merge the gradebooks into (default: this repository); another folder "
                   "also gets an nbgrader_config.py, for the formgrader")
    m.add_argument("--json", type=Path, help="write the merged report as JSON")
    m.add_argument("--junit", type=Path, help="write the merged report as JUnit XML")
    m.add_argument("--summary", type=Path, help="write the merged report as a Markdown table (e.g. for $GITHUB_STEP_SUMMARY)")
    m.add_argument("--min-score", type=float, help="exit 1 when a student's total is below this fraction of the maximum")
    m.set_defaults(func=cmd_merge)

    workers_help = f"notebooks graded at a time, each in its own process (default: one per CPU, at most {MAX_DEFAULT_WORKERS})"

    sub.add_parser("sandbox", help="the protections around a grading kernel that this machine offers").set_defaults(func=cmd_sandbox)

    c = sub.add_parser("check", help="the course tests itself: references score full marks, releases zero")
    c.add_argument("assignments", nargs="*", metavar="A", help="assignment ids or prefixes (default: every ready one)")
    c.add_argument("--workers", type=int, metavar="N", help=workers_help)
    c.set_defaults(func=cmd_check)

    d = sub.add_parser("demo", help="grade three demo students and print the gradebook")
    d.add_argument("assignments", nargs="*", metavar="A", help="assignment ids or prefixes (default: every ready one)")
    d.add_argument("--out", type=Path, help="folder for the demo course, feedback and report (default: a new temporary folder)")
    d.add_argument("--workers", type=int, metavar="N", help=workers_help)
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"llmt: error: {exc}", file=sys.stderr)
        return 2


def run() -> None:
    """The `llmt` command: `main`, then a quick exit (graders/quick_exit.py)."""
    from .quick_exit import exit_now

    exit_now(main())


if __name__ == "__main__":
    run()
