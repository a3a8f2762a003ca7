"""`llmt merge`: the reports and gradebooks of `llmt grade --shard i/n` runs, as one.

The merged report is the one a single serial `llmt grade` of the whole class writes (students in
order, each student's assignments in the course's order), so the table, JSON and JUnit outputs are
too. Shard gradebooks are copied into one course directory through nbgrader's API
(graders/gradebook.py), with each notebook's submitted, autograded and feedback folders.

Refused, with a message (exit 2): a file that is not a report of this course, a report made
without --shard, shards of different splits or dealt from different lists of submissions, a shard
given twice or missing, a notebook in two shards, and a gradebook that lacks a graded notebook,
holds it twice or belongs to another course.

JSON reports carry no times (they are the same from run to run); the JUnit file a shard wrote
beside its report (`junit.xml` in the same folder, as grade-class.yml lays them out) gives the
merged JUnit's `time` of each part, where it is there.
"""

from __future__ import annotations

import json
import sqlite3
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

from . import gradebook, manifest
from .course import Course
from .finding import UsageError
from .grade import AssignmentResult, Report, ignore_nbgrader_warnings
from .serialize import from_plain


def _read(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise UsageError(f"no such report: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path} is not a JSON report of `llmt grade --json`: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("students"), list) or "course" not in data:
        raise UsageError(f"{path} is not a JSON report of `llmt grade --json`")
    if data["course"] != manifest.COURSE_ID:
        raise UsageError(f"mismatched courses: {path} is a report of {data['course']!r}, not {manifest.COURSE_ID!r}")
    if not isinstance(data.get("shard"), dict):
        raise UsageError(f"{path} is not a shard's report (made without `llmt grade --shard i/n`)")
    return data


def _times(report_path: Path) -> dict[tuple[str, str], float]:
    """(suite name "<student>.<A>", grade id) -> seconds, from the JUnit file beside a shard's report."""
    try:
        suites = ET.parse(Path(report_path).parent / "junit.xml").getroot()
    except (OSError, ET.ParseError):
        return {}
    times = {}
    for case in suites.iter("testcase"):
        try:
            times[case.get("classname"), case.get("name")] = float(case.get("time"))
        except (TypeError, ValueError):
            continue
    return times


def _check_shards(shards: list[tuple[Path, dict]]) -> None:
    first_path, first = shards[0]
    for path, data in shards[1:]:
        for key in ("count", "fingerprint"):
            if data["shard"][key] != first["shard"][key]:
                what = "splits into different numbers of shards" if key == "count" else "dealt from different lists of submissions"
                raise UsageError(f"{first_path} and {path} are shards of different runs ({what}): "
                                 "grade every shard from the same submissions with the same n")
        if data.get("profile") != first.get("profile"):
            raise UsageError(f"{first_path} and {path} were graded under different profiles")
    count = first["shard"]["count"]
    seen: dict[int, Path] = {}
    for path, data in shards:
        index = data["shard"]["index"]
        if index in seen:
            raise UsageError(f"shard {index}/{count} given twice: {seen[index]} and {path}")
        seen[index] = path
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]
    if missing:
        raise UsageError(f"missing shard(s) {', '.join(missing)}: merge wants the reports of all {count}")


def merge_reports(paths: list[Path]) -> Report:
    """One report from the JSON reports of all the shards of a run."""
    shards = [(Path(p), _read(p)) for p in paths]
    _check_shards(shards)
    order = {a.id: i for i, a in enumerate(manifest.ASSIGNMENTS)}
    entries: dict[tuple[str, str], tuple[Path, AssignmentResult]] = {}
    notes: list[str] = []
    for path, data in shards:
        times = _times(path)
        for student in data["students"]:
            for item in student["assignments"]:
                result = from_plain(AssignmentResult, item)
                for c in result.cells:
                    c.seconds = times.get((f"{student['student']}.{result.assignment}", c.grade_id))
                if result.assignment not in order:
                    raise UsageError(f"{path} holds {result.assignment!r}, not an assignment of this course")
                key = (student["student"], result.assignment)
                if key in entries:
                    raise UsageError(f"{key[0]}/{key[1]} is in two shards: {entries[key][0]} and {path}")
                entries[key] = (path, result)
        notes += [n for n in data.get("notes", []) if n not in notes]
    expected = shards[0][1]["shard"]["submissions"]
    if len(entries) != expected:
        raise UsageError(f"the shards hold {len(entries)} graded notebooks, but were dealt {expected}")
    report = Report(notes=notes)
    for student, assignment in sorted(entries, key=lambda k: (k[0], order[k[1]])):
        report.add(student, entries[(student, assignment)][1])
    return report


def _gradebook_of(course_dir: Path) -> Path:
    db = Path(course_dir) / "gradebook.db"
    if not db.is_file():
        raise UsageError(f"{course_dir} holds no gradebook.db: give the course directories the shards graded into")
    try:
        courses = gradebook.courses_in(db)
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{db} is not an nbgrader gradebook: {exc}") from None
    if manifest.COURSE_ID not in courses:
        raise UsageError(f"mismatched courses: {db} is a gradebook of {', '.join(map(repr, courses)) or 'no course'}, "
                         f"not {manifest.COURSE_ID!r}")
    return db


def merge_gradebooks(report: Report, course_dirs: list[Path], dest_dir: Path) -> None:
    """Copy each notebook of `report` from the shard course directory that graded it into `dest_dir`."""
    dest_dir = Path(dest_dir).resolve()
    dirs = [Path(d).resolve() for d in course_dirs]
    if dest_dir in dirs:
        raise UsageError(f"--course-dir {dest_dir} is one of the shards' course directories: merge into a new one")
    dbs = [_gradebook_of(d) for d in dirs]
    pairs = [(student, r.assignment, r.error) for student, results in report.results.items() for r in results]
    found: dict[tuple[str, str], Path] = {}
    with warnings.catch_warnings():
        ignore_nbgrader_warnings()
        for d, db in zip(dirs, dbs):
            with gradebook.open_gradebook(db) as gb:
                for student, assignment, _ in pairs:
                    if gradebook.has_submission(gb, assignment, student):
                        if (student, assignment) in found:
                            raise UsageError(f"{student}/{assignment} is in the gradebooks of both {found[student, assignment]} and {d}")
                        found[student, assignment] = d
        missing = [f"{s}/{a}" for s, a, error in pairs if error is None and (s, a) not in found]
        if missing:
            raise UsageError(f"no gradebook among --course-dirs holds {', '.join(missing[:5])}"
                             + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
        dest = Course(dest_dir)
        for a in manifest.ASSIGNMENTS:  # as grading the whole class would, every assignment of the report
            if a.authored and any(assignment == a.id for _, assignment, _ in pairs):
                dest.generate(a)
        with gradebook.open_gradebook(dest.db_path) as dst:
            for d, db in zip(dirs, dbs):
                mine = [key for key, where in found.items() if where == d]
                if not mine:
                    continue
                with gradebook.open_gradebook(db) as src:
                    for student, assignment in mine:
                        gradebook.copy_submission(src, dst, assignment, student)
                        gradebook.copy_folders(d, dest.root, assignment, student)
