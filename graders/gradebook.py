"""Copying graded submissions from one nbgrader course directory into another.

nbgrader's SQLite gradebook takes one writer at a time. Parallel grading (graders/parallel.py)
therefore grades each notebook in a private scratch course with its own gradebook, and the parent
process copies every finished submission into the course's gradebook, one after another;
`llmt merge` (graders/merge.py) copies the gradebooks of shards into one the same way. Both go
through nbgrader's Gradebook API, so the records are what `nbgrader autograde` would have written.

What is copied: the autograder's fields always (auto_score, needs_manual_grade, auto_comment,
late_submission_penalty), and the instructor's (manual_score, extra_credit, manual_comment,
flagged, timestamp, extension) only where the source has a value, so that regrading into a course
keeps the manual grades already given there, as a serial `nbgrader autograde --force` does.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from . import manifest

#: the course folders that hold one student's files of one assignment
FOLDERS = ("submitted", "autograded", "feedback")

_AUTO = {"grade": ("auto_score", "needs_manual_grade"), "comment": ("auto_comment",),
         "notebook": ("late_submission_penalty",), "submission": ()}
_MANUAL = {"grade": ("manual_score", "extra_credit"), "comment": ("manual_comment",),
           "notebook": ("flagged",), "submission": ("timestamp", "extension")}
_STUDENT = ("first_name", "last_name", "email", "lms_user_id")


def _copy_fields(kind: str, src, dst) -> None:
    for name in _AUTO[kind]:
        setattr(dst, name, getattr(src, name))
    for name in _MANUAL[kind]:
        value = getattr(src, name)
        if value not in (None, False):
            setattr(dst, name, value)


def courses_in(db: Path) -> list[str]:
    """The course ids a gradebook file holds, read without changing it (nbgrader's Gradebook would
    add the course it is opened with)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return [row[0] for row in con.execute("SELECT id FROM course")]


def has_submission(gb, assignment_id: str, student: str) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_submission(assignment_id, student)
    except MissingEntry:
        return False
    return True


def copy_submission(src, dst, assignment_id: str, student: str) -> None:
    """Copy `student`'s submission of `assignment_id` from the open Gradebook `src` into `dst`.

    The assignment must already be in `dst` (nbgrader generate_assignment), with the same notebooks
    and cells; the student is created there when missing.
    """
    sub = src.find_submission(assignment_id, student)
    st = sub.student
    dst.update_or_create_student(student, **{k: getattr(st, k) for k in _STUDENT if getattr(st, k) is not None})
    target = dst.update_or_create_submission(assignment_id, student)
    _copy_fields("submission", sub, target)
    for nb in sub.notebooks:
        tnb = dst.find_submission_notebook(nb.name, assignment_id, student)
        _copy_fields("notebook", nb, tnb)
        grades = {g.name: g for g in tnb.grades}
        for g in nb.grades:
            _copy_fields("grade", g, grades[g.name])
        comments = {c.name: c for c in tnb.comments}
        for c in nb.comments:
            _copy_fields("comment", c, comments[c.name])
    dst.db.commit()


def copy_folders(src_root: Path, dst_root: Path, assignment_id: str, student: str) -> None:
    """Copy the student's submitted, autograded and feedback folders of the assignment, replacing
    what `dst_root` held for them."""
    for kind in FOLDERS:
        src = Path(src_root) / kind / student / assignment_id
        if src.is_dir():
            dst = Path(dst_root) / kind / student / assignment_id
            if dst.exists():
                shutil.rmtree(dst)
            shutil.copytree(src, dst)


def open_gradebook(db: Path):
    """nbgrader's Gradebook over `db` for this course."""
    from nbgrader.api import Gradebook

    from .course import _alembic_head_in_process

    _alembic_head_in_process()  # a new gradebook is stamped without running the alembic command
    return Gradebook(f"sqlite:///{Path(db).resolve()}", manifest.COURSE_ID)
