"""Finding the work to grade: the submissions under a path, each a student, an assignment and a notebook.

A path is a notebook, a folder of one student's notebooks (`<A>.ipynb` each), or an nbgrader course
layout (`submitted/<student>/<A>/<A>.ipynb`). A notebook of another assignment handed in as A is
recognised by its grade ids (graders/submission.py `whose`): graded as A it scores zero with the
reason; with `misfiled="grade"` it is graded as the assignment it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import manifest, notebooks, submission

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


class UsageError(Exception):
    """Bad arguments or paths: the command exits 2 with this message."""


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: manifest.Assignment
    notebook: Path
    #: set when the notebook was handed in as another assignment and is graded as the one it is
    handed_in_as: str | None = None


def _assignment_for(name: str) -> manifest.Assignment | None:
    try:
        return manifest.get(name)
    except KeyError:
        return None


def catalog() -> dict[str, set[str]]:
    """Assignment id -> the grade ids of its release notebook (to recognise a notebook handed in
    under another assignment's name), for every authored assignment."""
    if not _CATALOG:
        for a in manifest.authored():
            cells = notebooks.read(a.release_notebook).cells
            _CATALOG[a.id] = {notebooks.nbgrader_meta(c).get("grade_id") for c in cells} - {None}
    return _CATALOG


_CATALOG: dict[str, set[str]] = {}


def _regrade_misfiled(subs: list[Submission]) -> list[Submission]:
    """`--misfiled grade`: each notebook of another assignment B handed in as A is graded as B,
    unless the student handed in B as well (then it stays a wrong-assignment entry of A)."""
    held = {(s.student, s.assignment.id) for s in subs}
    out = []
    for s in subs:
        actual = _identify(s)
        if actual and actual != s.assignment.id and (s.student, actual) not in held:
            held.add((s.student, actual))
            s = Submission(s.student, manifest.get(actual), s.notebook, handed_in_as=s.assignment.id)
        out.append(s)
    return out


def _identify(sub: Submission) -> str | None:
    try:
        nb, _ = submission.upgrade(submission.parse(submission.read_bytes(sub.notebook))[0])
    except submission.Rejected:
        return None
    return submission.whose(submission.grade_ids(nb), catalog())


def find_submissions(path: Path, assignment: str | None = None, student: str | None = None,
                     misfiled: str = "zero") -> tuple[list[Submission], list[str]]:
    """The submissions under `path`, and notes on what was skipped.

    `path` is a notebook, a folder of notebooks for one student (`<A>.ipynb` each), or an nbgrader
    course layout: a folder holding `submitted/<student>/<A>/<A>.ipynb`, or that `submitted`
    folder itself. A notebook of another assignment handed in as A scores zero as A with the reason
    (`misfiled="zero"`), or is graded as the assignment it is (`misfiled="grade"`).
    """
    if misfiled not in ("zero", "grade"):
        raise UsageError(f"--misfiled is 'zero' or 'grade', not {misfiled!r}")
    path = Path(path)
    if not path.exists():
        raise UsageError(f"no such file or folder: {path}")
    only = None
    if assignment is not None:
        try:
            only = manifest.get(assignment)
        except KeyError as exc:
            raise UsageError(exc.args[0]) from None
    if student is not None and not STUDENT_ID.match(student):
        raise UsageError(f"invalid student id {student!r}: use letters, digits, '_', '.', '@' and '-'")
    notes: list[str] = []

    if path.is_file() or any(path.glob("*.ipynb")):
        files = [path] if path.is_file() else sorted(path.glob("*.ipynb"))
        subs = []
        for nb in files:
            a = only if (only is not None and path.is_file()) else _assignment_for(nb.stem)
            if a is None:
                notes.append(f"skipped {nb.name}: its name is not an assignment of the course")
                continue
            subs.append(Submission(student or "student", a, nb))
    else:
        base = path / "submitted" if (path / "submitted").is_dir() else path
        subs = []
        for sdir in sorted(p for p in base.iterdir() if p.is_dir()):
            if student is not None and sdir.name != student:
                continue
            if not STUDENT_ID.match(sdir.name):
                notes.append(f"skipped folder {sdir.name!r}: not a valid student id")
                continue
            for adir in sorted(p for p in sdir.iterdir() if p.is_dir()):
                a = _assignment_for(adir.name)
                if a is None or a.id != adir.name:
                    notes.append(f"skipped {sdir.name}/{adir.name}: not an assignment of the course")
                    continue
                subs.append(Submission(sdir.name, a, adir / f"{a.id}.ipynb"))
    if only is not None:
        subs = [s for s in subs if s.assignment == only]
    if not subs:
        raise UsageError(f"no submissions to grade under {path}" + (f" ({'; '.join(notes)})" if notes else ""))
    if misfiled == "grade":
        subs = _regrade_misfiled(subs)
    order = {a.id: i for i, a in enumerate(manifest.ASSIGNMENTS)}
    subs.sort(key=lambda s: (s.student, order[s.assignment.id]))
    return subs, notes
