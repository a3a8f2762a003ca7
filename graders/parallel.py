"""Grading several notebooks at a time: `llmt grade --workers N`.

Each worker is a process of its own (started with 'spawn': nbgrader, jupyter_client and torch do
not survive a fork after threads), and grades one notebook at a time with `grade_one`, in its own
kernel, in a private scratch course: a copy of the assignment's source folder and of a gradebook
in which the assignments were generated once for the whole run. nbgrader's SQLite gradebook takes
one writer at a time, so workers never touch the course directory: the parent process copies each
finished submission into the course's gradebook through nbgrader's API, and its submitted,
autograded and feedback folders into the course, one after another (graders/gradebook.py).
HTML feedback for `--feedback` is written by the workers directly: each notebook has its own
folder there.

Work is handed out longest first, so that the quick notebooks fill the end of the run. A
notebook whose grading raises, or whose worker process dies, is an error entry worth zero with the
reason; its worker is replaced and the rest of the batch is graded. Results come back in the order
of `submissions`, as serial grading gives them.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import warnings
from collections import deque
from multiprocessing import connection, get_context
from pathlib import Path

from . import audit, gradebook, judge, manifest, zygote
from .course import Course
from .sandbox import Sandbox
from .finding import Submission
from .grade import AssignmentResult, _clean, _zero, grade_one, ignore_nbgrader_warnings
from .serialize import from_plain, to_plain

#: Workers `llmt check` and `llmt demo` use by default, at most: each grading runs a kernel with
#: torch and the offline models, so memory grows with the number of workers.
MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One worker per CPU this process may use, at most MAX_DEFAULT_WORKERS."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


#: the thread-count variables torch, NumPy and tokenizers read when a kernel starts
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def threads_per_worker(workers: int) -> dict[str, str]:
    """The CPUs shared out between the workers' kernels (at least one thread each), unless the
    caller's environment already sets a count: N kernels each running as many threads as there are
    CPUs only fight over them."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    share = str(max(1, cpus // max(1, workers)))
    return {var: share for var in THREAD_VARIABLES if var not in os.environ}


def _cost_rank(sub: Submission) -> int:
    """Longest first: the later stages of the course (training, evaluation) take longest to grade
    and the first ones (tokenization, embeddings, the transformer's parts) are the quickest."""
    return -[a.id for a in manifest.ASSIGNMENTS].index(sub.assignment.id)


def _serve(conn, env: dict[str, str], cell_timeout: int, sandbox: dict | None, work, warmup: dict) -> None:
    """A worker: grade each (index, submission, scratch course, feedback folder) it is sent.

    While the parent still sets the course up, it imports the checks of the assignments in
    `warmup` and their libraries, and forks its kernels from the parent's zygote, if any."""
    os.environ.update(env)
    ignore_nbgrader_warnings()
    zygote.attach(warmup["zygote"])
    if judge.enabled():
        judge.prepare([manifest.get(a) for a in warmup["assignments"]])
    try:
        while (task := conn.recv()) is not None:
            index, sub, root, feedback_dir = task
            try:
                course = Course(root, cell_timeout, Sandbox.from_dict(sandbox) if sandbox else None)
                reply = ("done", to_plain(work(course, sub, feedback_dir)))
            except Exception as exc:  # grading this notebook failed; the worker goes on
                reply = ("failed", _clean(f"{type(exc).__name__}: {exc}", 500))
            conn.send((index, *reply))
    except (KeyboardInterrupt, EOFError, BrokenPipeError):  # Ctrl-C, or the parent is gone
        pass
    from .quick_exit import exit_now

    exit_now(0)  # not a second of tearing down torch while the parent waits


class _Worker:
    def __init__(self, ctx, env, course: Course, work, warmup: dict):
        self.conn, child = ctx.Pipe()
        sandbox = course.sandbox.to_dict() if course.sandbox else None
        self.process = ctx.Process(target=_serve, args=(child, env, course.cell_timeout, sandbox, work, warmup),
                                   name="llmt-grade-worker")
        self.process.start()
        child.close()
        self.task: int | None = None

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.conn.close()


def _failed(sub: Submission, reason: str) -> AssignmentResult:
    """Zero on every part, with the reason (and the audit record of what was handed in)."""
    result = _zero(sub.assignment, reason) if sub.assignment.authored else AssignmentResult(sub.assignment.id, [], reason)
    result.record = audit.record(sub.notebook)
    return result


def _died(sub: Submission, exitcode: int | None) -> AssignmentResult:
    how = f"exit code {exitcode}"
    if exitcode is not None and exitcode < 0:
        how = f"killed by signal {signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else -exitcode}"
    return _failed(sub, f"the grading process died while grading this notebook ({how})")


def grade_concurrently(course: Course, submissions: list[Submission], env: dict[str, str],
                       feedback_dir: Path | None, workers: int, progress=None, work=grade_one,
                       ) -> list[AssignmentResult]:
    """Grade `submissions` with `workers` processes into `course`; results in the order given.

    The assignments are generated here, in `course` and in a template of the scratch courses,
    while the workers start. `env` is the environment the workers grade under (the offline
    profile); they fork their kernels from this process's zygote, if it has one. `work(course, submission, feedback_dir)` grades one
    notebook in a worker; it is `grade_one`, and must be importable by name (spawned workers
    import it).
    """
    feedback_dir = Path(feedback_dir).resolve() if feedback_dir is not None else None
    results: dict[int, AssignmentResult] = {}
    ctx = get_context("spawn")
    needed = [a for a in manifest.ASSIGNMENTS if a.authored and any(s.assignment.id == a.id for s in submissions)]
    running = zygote.current()
    warmup = {"zygote": running.info() if running is not None and running.listening() else None,
              "assignments": [a.id for a in needed]}
    with tempfile.TemporaryDirectory(prefix="llmt-workers-") as tmp, warnings.catch_warnings():
        ignore_nbgrader_warnings()
        template = Course(Path(tmp) / "template", course.cell_timeout)

        def scratch(index: int) -> Path:
            """A private course for one notebook: its assignment's source and a fresh gradebook."""
            root = Path(tmp) / f"task-{index}"
            a = submissions[index].assignment
            if a.authored:
                shutil.copytree(template.path("source", a.id), root / "source" / a.id)
                shutil.copyfile(template.db_path, root / "gradebook.db")
            root.mkdir(exist_ok=True)
            return root

        def finish(index: int, result: AssignmentResult) -> None:
            sub, root = submissions[index], Path(tmp) / f"task-{index}"
            db = root / "gradebook.db"
            try:
                if db.is_file():
                    with gradebook.open_gradebook(db) as src:
                        if gradebook.has_submission(src, sub.assignment.id, sub.student):
                            with gradebook.open_gradebook(course.db_path) as dst:
                                gradebook.copy_submission(src, dst, sub.assignment.id, sub.student)
            except Exception as exc:  # the scratch gradebook is the notebook's own: only it pays
                result = _failed(sub, f"grading failed: its scratch gradebook could not be read ({type(exc).__name__}: {exc})")
            gradebook.copy_folders(root, course.root, sub.assignment.id, sub.student)
            shutil.rmtree(root, ignore_errors=True)
            results[index] = result

        pending = deque(sorted(range(len(submissions)), key=lambda i: (_cost_rank(submissions[i]), i)))
        # the workers start (and import what they need) while the assignments are generated
        pool = [_Worker(ctx, env, course, work, warmup) for _ in range(min(workers, len(submissions)))]
        try:
            for a in needed:
                course.generate(a)
                template.generate(a)
            while len(results) < len(submissions):
                for i, w in enumerate(pool):
                    if w.task is None and pending:
                        if not w.process.is_alive():  # it died with its last notebook: start another
                            w.stop()
                            w = pool[i] = _Worker(ctx, env, course, work, warmup)
                        w.task = pending.popleft()
                        if progress:
                            progress(submissions[w.task])
                        try:
                            w.conn.send((w.task, submissions[w.task], scratch(w.task), feedback_dir))
                        except OSError:
                            pass  # it died: the wait below sees that
                busy = [w for w in pool if w.task is not None]
                ready = connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
                for w in busy:
                    if w.conn not in ready and w.process.sentinel not in ready:
                        continue
                    index, w.task = w.task, None
                    try:
                        _, status, payload = w.conn.recv() if w.conn.poll() else (None, "died", None)
                    except (EOFError, OSError):
                        status = "died"
                    if status == "done":
                        finish(index, from_plain(AssignmentResult, payload))
                    elif status == "failed":
                        finish(index, _failed(submissions[index], f"grading failed: {payload}"))
                    else:
                        w.process.join()
                        shutil.rmtree(Path(tmp) / f"task-{index}", ignore_errors=True)
                        results[index] = _died(submissions[index], w.process.exitcode)
        finally:
            for w in pool:
                w.stop()
    return [results[i] for i in range(len(submissions))]
