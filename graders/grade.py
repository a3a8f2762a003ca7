"""`llmt grade`: autograde submissions (found by graders/finding.py) with nbgrader under the offline
profile, and collect the results into a report.

Submissions are read, never written: graders.submission rebuilds each notebook into the course
directory's `submitted/<student>/<A>/` (the instructor's cells restored from the release) before
nbgrader sees it. A notebook that cannot be graded (missing, not a notebook, too large, nbgrader
fails on it) becomes an error entry worth zero, and the rest of the batch is graded.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import audit, judge as judge_module, manifest, notebooks, profile, static_check, submission, zygote
from . import sandbox as walls
from .course import Course
from .finding import STUDENT_ID, Submission, UsageError, catalog, find_submissions  # noqa: F401 (also imported from here)
from .judge import Judge
from .student_text import student_text

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class CellResult:
    grade_id: str
    score: float
    max_score: float
    message: str | None = None
    #: set when the notebook's own run and the judge disagree on this part (suspected tampering)
    flag: str | None = None
    #: how long the grade cell ran (visible tests and hidden check), when known; JUnit's `time`,
    #: left out of the JSON report so that it stays the same from run to run
    seconds: float | None = None


@dataclass
class AssignmentResult:
    assignment: str
    cells: list[CellResult]
    error: str | None = None
    #: what reproduces this grade: the submission's hash, the course version, profile and seed
    record: dict = field(default_factory=dict)
    #: what was repaired or ignored in the submission (graders.submission)
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(c.score for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.cells)


@dataclass
class Report:
    results: dict[str, list[AssignmentResult]] = field(default_factory=dict)  # student -> results
    notes: list[str] = field(default_factory=list)
    shard: dict | None = None  # set by `llmt grade --shard`: which part of which list (graders/shard.py)

    def add(self, student: str, result: AssignmentResult) -> None:
        self.results.setdefault(student, []).append(result)

    def total(self, student: str) -> tuple[float, float]:
        rs = self.results[student]
        return sum(r.score for r in rs), sum(r.max_score for r in rs)


# ------------------------------------------------------------------------------------- grading

def _zero(assignment: manifest.Assignment, error: str | None) -> AssignmentResult:
    cells = [CellResult(c.grade_id, 0.0, c.points) for c in notebooks.grade_cells(notebooks.read(assignment.source_notebook))]
    return AssignmentResult(assignment.id, cells, error)


def _clean(text: str, limit: int = 1500) -> str:
    """A message for the report: no colour codes, memory addresses or grader plumbing (the same every run)."""
    text = student_text(_ADDRESS.sub("", _ANSI.sub("", text))).strip()
    return text if len(text) <= limit else text[:limit] + " …"


def _failure_messages(autograded: Path) -> dict[str, str]:
    """grade_id -> why a grade cell scored nothing, from the autograded notebook."""
    messages = {}
    if not autograded.is_file():
        return messages
    for cell in notebooks.read(autograded).cells:
        meta = notebooks.nbgrader_meta(cell)
        if not meta.get("grade") or cell.cell_type != "code":
            continue
        messages[meta["grade_id"]] = "no points: the cell did not run to the end"
        outputs = cell.get("outputs", [])
        for out in outputs:
            if out.get("output_type") == "error":
                messages[meta["grade_id"]] = _clean(f"{out.get('ename')}: {out.get('evalue')}")
    return messages


def _seconds(cell) -> float | None:
    """How long a cell of an executed notebook ran, from the timestamps the executor records."""
    from datetime import datetime

    times = cell.get("metadata", {}).get("execution", {})
    try:
        start, end = (datetime.fromisoformat(times[k].replace("Z", "+00:00"))
                      for k in ("iopub.execute_input", "shell.execute_reply"))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return max((end - start).total_seconds(), 0.0)


def _cell_seconds(autograded: Path) -> dict[str, float]:
    """grade_id -> how long each grade cell of the autograded notebook ran."""
    if not autograded.is_file():
        return {}
    found = {}
    for cell in notebooks.read(autograded).cells:
        gid, took = notebooks.nbgrader_meta(cell).get("grade_id"), _seconds(cell)
        if gid and took is not None:
            found[gid] = took
    return found


def _kernel_death(autograded: Path) -> str | None:
    """Where and why the kernel died before the end of the notebook (graders.execute), if it did."""
    from .execute import KERNEL_DIED, died_reason

    if not autograded.is_file():
        return None
    for i, cell in enumerate(notebooks.read(autograded).cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") == KERNEL_DIED:
                where = notebooks.nbgrader_meta(cell).get("grade_id") or f"cell {i + 1}"
                return f"the kernel died in {where}: {died_reason(out.get('evalue', ''))}"
    return None


def _log_reason(result: dict) -> str:
    """The most telling line of a failed nbgrader call."""
    text = _ANSI.sub("", (result.get("log") or "") + "\n" + (result.get("error") or ""))
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if re.match(r"^[\w.]*(Error|Exception)\b", ln) and "NbGraderException" not in ln:
            return _clean(ln, 500)
    errors = [ln for ln in lines if "[ERROR]" in ln]
    return _clean(errors[0] if errors else (lines[-1] if lines else "nbgrader failed"), 500)


def _read_scores(course: Course, sub: Submission) -> AssignmentResult:
    """The notebook's own result per grade cell, as nbgrader recorded it in the gradebook."""
    from nbgrader.api import Gradebook

    expected = notebooks.grade_cells(notebooks.read(sub.assignment.source_notebook))
    autograded = course.path("autograded", sub.assignment.id, sub.student) / f"{sub.assignment.id}.ipynb"
    messages, seconds = _failure_messages(autograded), _cell_seconds(autograded)
    with Gradebook(course.db_url, manifest.COURSE_ID) as gb:
        nb = gb.find_submission_notebook(sub.assignment.id, sub.assignment.id, sub.student)
        grades = {g.name: g for g in nb.grades}
        cells = []
        for c in expected:
            g = grades.get(c.grade_id)
            score = float(g.score or 0.0) if g is not None else 0.0
            max_score = float(g.max_score) if g is not None else c.points
            message = None
            if score < max_score:
                message = messages.get(c.grade_id, "no points: this test cell is missing from the submitted notebook")
            cells.append(CellResult(c.grade_id, score, max_score, message, seconds=seconds.get(c.grade_id)))
    return AssignmentResult(sub.assignment.id, cells, _kernel_death(autograded))


def judged(result: AssignmentResult, verdicts: dict[str, judge_module.Verdict]) -> AssignmentResult:
    """Scores as the judge allows them: a part with a hidden check scores only when the notebook's
    run passed it AND the judge's own run of the check passed. A part the notebook reports passed
    while the judge saw its check fail, or never saw it, is flagged as suspected tampering."""
    for c in result.cells:
        v = verdicts.get(c.grade_id)
        if v is None:  # a grade cell without a hidden check: the notebook's result stands
            continue
        passed_in_notebook = c.score >= c.max_score and c.message is None
        if v.passed:
            if not passed_in_notebook and c.message:
                c.message = "visible test or cell code failed (the hidden check passed): " + c.message
            continue
        c.score = 0.0
        if v.ran:
            c.message = "hidden check failed: " + student_text(v.message or "")
        elif c.message:
            c.message = "the cell failed before its hidden check ran: " + c.message
        else:
            c.message = "no points: the hidden check never ran"
        if passed_in_notebook:
            c.flag = ("suspected tampering: the notebook's run reported this part passed, but its hidden check "
                      + ("failed in the judge" if v.ran else "never reached the judge"))
    return result


def barred(result: AssignmentResult, uses: dict[str, list[str]]) -> AssignmentResult:
    """Zero for each part whose solution cells use what no solution may (graders/static_check.py),
    flagged with what they use."""
    for c in result.cells:
        if uses.get(c.grade_id):
            c.score = 0.0
            c.flag = ("suspected tampering: your solution code uses " + "; ".join(uses[c.grade_id])
                      + ", which no solution may (see \"How this notebook is graded\")")
    return result


def _store_scores(course: Course, sub: Submission, result: AssignmentResult) -> None:
    """Write the final scores into the gradebook, so that formgrader shows what the report says."""
    from nbgrader.api import Gradebook

    scores = {c.grade_id: c.score for c in result.cells}
    with Gradebook(course.db_url, manifest.COURSE_ID) as gb:
        nb = gb.find_submission_notebook(sub.assignment.id, sub.assignment.id, sub.student)
        for g in nb.grades:
            if g.name in scores and g.auto_score is not None and g.auto_score != scores[g.name]:
                g.auto_score = scores[g.name]
        gb.db.commit()


def grade_one(course: Course, sub: Submission, feedback_dir: Path | None = None) -> AssignmentResult:
    """Grade one notebook; its result carries the audit record (graders/audit.py)."""
    result = _grade_notebook(course, sub, feedback_dir)
    result.record = audit.record(sub.notebook)
    return result


def _grade_notebook(course: Course, sub: Submission, feedback_dir: Path | None) -> AssignmentResult:
    if not sub.assignment.authored:
        return AssignmentResult(sub.assignment.id, [], f"{sub.assignment.id} has no source notebook in this course yet")
    try:
        prepared = submission.prepare(sub.notebook, sub.assignment.release_notebook, catalog=catalog())
    except submission.Rejected as exc:
        return _ungradable(course, sub, _clean(str(exc), 500), feedback_dir)
    zygote.warm([sub.assignment], course.sandbox)
    dest = course.path("submitted", sub.assignment.id, sub.student)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    nbformat.write(prepared.notebook, str(dest / f"{sub.assignment.id}.ipynb"))
    if not judge_module.enabled():  # LLMT_JUDGE=0: the checks run inside the kernel (to measure the judge's cost)
        result = course.api().autograde(sub.assignment.id, sub.student, force=True, create=True)
        verdicts = {}
    else:
        judge = Judge.shared()  # one per grading process; the kernel reaches it through its sandbox
        judged_course = dataclasses.replace(course, sandbox=judge.sandbox(course.sandbox or walls.Sandbox()))
        with profile.environment(judge.environment()), judge.judging(sub.assignment) as verdicts:
            result = judged_course.api().autograde(sub.assignment.id, sub.student, force=True, create=True)
    if not result["success"]:
        return _ungradable(course, sub, f"nbgrader could not grade it: {_log_reason(result)}", feedback_dir)
    graded = barred(judged(_read_scores(course, sub), verdicts), static_check.scan_notebook(prepared.notebook))
    graded.notes = prepared.notes
    if sub.handed_in_as:
        graded.notes.insert(0, f"handed in as {sub.handed_in_as}; graded as {sub.assignment.id}, the assignment "
                               "it is (--misfiled grade)")
    _store_scores(course, sub, graded)
    if feedback_dir is not None:
        fb = course.api().generate_feedback(sub.assignment.id, sub.student, force=True)
        html = course.path("feedback", sub.assignment.id, sub.student) / f"{sub.assignment.id}.html"
        if fb["success"] and html.is_file():
            target = Path(feedback_dir) / sub.student / sub.assignment.id
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html, target / html.name)
            from .feedback import annotate

            annotate(target / html.name, graded)
    return graded


def _ungradable(course: Course, sub: Submission, reason: str, feedback_dir: Path | None) -> AssignmentResult:
    """A notebook that could not be graded: zero on every part with the reason, in the report, in the
    gradebook (flagged, the reason as the first comment, so the formgrader shows it) and, with
    `feedback_dir`, on a feedback page that says what to do."""
    from nbgrader.api import Gradebook

    result = _zero(sub.assignment, reason)
    for kind in ("submitted", "autograded", "feedback"):  # no earlier grading's files beside the zero
        shutil.rmtree(course.path(kind, sub.assignment.id, sub.student), ignore_errors=True)
    with Gradebook(course.db_url, manifest.COURSE_ID) as gb:
        gb.update_or_create_student(sub.student)
        gb.update_or_create_submission(sub.assignment.id, sub.student)
        nb = gb.find_submission_notebook(sub.assignment.id, sub.assignment.id, sub.student)
        for g in nb.grades:
            g.auto_score, g.needs_manual_grade = 0.0, False
        for c in nb.comments[:1]:
            c.auto_comment = "not graded: " + reason
        nb.flagged = True
        gb.db.commit()
    if feedback_dir is not None:
        from .feedback import ungradable

        target = Path(feedback_dir) / sub.student / sub.assignment.id
        target.mkdir(parents=True, exist_ok=True)
        ungradable(target / f"{sub.assignment.id}.html", result)
    return result


def ignore_nbgrader_warnings() -> None:
    # nbgrader's gradebook code trips SQLAlchemy's autoflush warnings; they are not ours to fix
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")


def grade(submissions: list[Submission], course_dir: Path, cell_timeout: int | None = None,
          feedback_dir: Path | None = None, progress=None, workers: int = 1,
          sandbox: walls.Sandbox | None = None) -> Report:
    """Autograde `submissions` in `course_dir` (its gradebook.db collects the scores).

    Kernels run in `sandbox` (None: the default walls and limits); `cell_timeout`, when given,
    replaces its limits' cell timeout. The report's notes say which protections were active.
    `workers` > 1 grades that many notebooks at a time, each in a worker process (graders/parallel.py);
    the report and the gradebook are the same as serial grading's.
    """
    settings = sandbox or walls.Sandbox()
    if cell_timeout is not None:
        settings = dataclasses.replace(settings, limits=dataclasses.replace(settings.limits, cell_timeout=cell_timeout))
    course = Course(course_dir, settings.limits.cell_timeout, settings)
    report = Report()
    report.notes.append(walls.describe(walls.protections(), settings.limits) if settings.enabled else "sandbox: off")
    needed = [a for a in manifest.ASSIGNMENTS if a.authored and any(s.assignment == a for s in submissions)]
    concurrent = workers > 1 and len(submissions) > 1
    env = profile.offline_environment(needed)
    if concurrent:
        from .parallel import grade_concurrently, threads_per_worker

        env = {**threads_per_worker(workers), **env}
    with profile.environment(env), warnings.catch_warnings():
        ignore_nbgrader_warnings()
        zygote.warm(needed, settings)  # the kernels' libraries load while the assignments are generated
        if concurrent:
            for sub, result in zip(submissions, grade_concurrently(course, submissions, env, feedback_dir, workers, progress)):
                report.add(sub.student, result)
            return report
        if judge_module.enabled():
            judge_module.prepare(needed)  # the checks and their libraries too
        for a in needed:
            course.generate(a)
        for sub in submissions:
            if progress:
                progress(sub)
            report.add(sub.student, grade_one(course, sub, feedback_dir))
    return report
