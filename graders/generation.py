"""Whether an assignment generated in a course directory is still what the repository's source makes.

`nbgrader generate_assignment` writes release/<A> and records the assignment's cells in the
gradebook, which autograding compares submissions with. It takes 0.2 to 0.5 s per assignment, and
`llmt grade` ran it for every assignment of every call. After generating, a stamp
(`<course>/.llmt/generated/<A>.json`) records what from: a digest of the repository's source/<A>
(with nbgrader's version and graders/course.py, which configures nbgrader) and the gradebook's id
of the assignment's notebook row. Generating again is skipped only when the repository's source and
the course directory's copy of it both still have that digest and the gradebook still holds that
very row: a gradebook deleted or replaced since has other row ids.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import manifest

_IGNORED = {".ipynb_checkpoints", "__pycache__"}


def _digest(folder: Path) -> str | None:
    if not folder.is_dir():
        return None
    import nbgrader

    h = hashlib.sha256(nbgrader.__version__.encode())
    h.update((Path(__file__).parent / "course.py").read_bytes())
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not _IGNORED & set(rel.parts) and path.suffix != ".pyc":
            h.update(f"\0{rel.as_posix()}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _stamp_path(course, assignment: manifest.Assignment) -> Path:
    return course.root / ".llmt" / "generated" / f"{assignment.id}.json"


def _notebook_row(course, assignment: manifest.Assignment) -> str | None:
    """The gradebook's id of the assignment's notebook, None when the gradebook lacks it."""
    if not course.db_path.is_file():  # opening a gradebook creates it: only look at one that exists
        return None
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url, manifest.COURSE_ID) as gb:
        try:
            return gb.find_notebook(assignment.id, assignment.id).id
        except MissingEntry:
            return None


def _current(course, assignment: manifest.Assignment) -> dict:
    return {
        "source": _digest(manifest.COURSE_ROOT / "source" / assignment.id),
        "notebook_row": _notebook_row(course, assignment),
    }


def up_to_date(course, assignment: manifest.Assignment) -> bool:
    """Whether generating `assignment` in `course` would change nothing."""
    try:
        stamp = json.loads(_stamp_path(course, assignment).read_text())
    except (OSError, ValueError):
        return False
    if stamp.get("notebook_row") is None or stamp != _current(course, assignment):
        return False
    copy = course.path("source", assignment.id)
    return copy.resolve() == (manifest.COURSE_ROOT / "source" / assignment.id).resolve() or _digest(copy) == stamp["source"]


def record(course, assignment: manifest.Assignment) -> None:
    """Stamp `assignment` as just generated in `course`."""
    path = _stamp_path(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(_current(course, assignment)))
    os.replace(tmp, path)
