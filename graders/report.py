"""The gradebook as a table on screen, as JSON, as JUnit XML and as Markdown (a CI job summary).

Nothing here depends on the run (no temporary paths; times only in JUnit's `time` attributes), so
grading the same submissions twice writes identical files, JUnit's identical but for `JUNIT_TIME`.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from . import contract, manifest
from .grade import AssignmentResult, Report


#: the only part of a JUnit file that differs between two gradings of the same submissions
JUNIT_TIME = re.compile(r' time="[0-9.]+"')


def _fmt(x: float) -> str:
    return f"{x:g}"


def validation_reason(message: str | None) -> str:
    """What a failed input-checks part says, without the plumbing around it: the calls that did not
    raise (from the hidden check) or the visible assert's message."""
    text = (message or "").strip()
    for prefix in ("AssertionError: ", "hidden check failed: "):
        text = text[len(prefix):] if text.startswith(prefix) else text
    if text.startswith(contract.INPUT_VALIDATION + " (") and "): " in text:
        text = text.split("): ", 1)[1]
    return text.splitlines()[0] if text else "failed"


def lost(result: AssignmentResult) -> str:
    """Which kind of part lost points: "lost points in <parts>", or "the computation passed" when only
    the input-checks part did, followed by "input validation: <what failed>" when it did."""
    failed = [c for c in result.cells if c.score < c.max_score]
    computations = [c.grade_id for c in failed if c.grade_id != contract.INPUT_CHECKS_CELL]
    validation = [c for c in failed if c.grade_id == contract.INPUT_CHECKS_CELL]
    said = ["lost points in " + ", ".join(computations)] if computations else []
    if validation:
        if not computations:
            said.append("the computation passed")
        said.append(f"{contract.INPUT_VALIDATION}: {validation_reason(validation[0].message)}")
    return "; ".join(said)


def notes(result: AssignmentResult) -> str:
    """One line on a graded notebook: why it could not be graded or which parts lost points, any
    suspected tampering, then what was repaired or ignored in the submission (renamed, converted,
    restored cells...)."""
    said = [(f"error: {result.error}" if result.error else lost(result)).splitlines()[0:1]]
    flagged = [c.grade_id for c in result.cells if c.flag]
    if flagged:
        said.append(["suspected tampering in " + ", ".join(flagged)])
    said.append([n.splitlines()[0] for n in result.notes if n])
    return "; ".join(x for part in said for x in part if x)


def _rows(report: Report) -> list[tuple[str, str, str, str]]:
    """(student, assignment, "score / max", note) per graded notebook, and a total per student."""
    rows = []
    for student, results in report.results.items():
        for r in results:
            rows.append((student, r.assignment, f"{_fmt(r.score)} / {_fmt(r.max_score)}", notes(r)))
        if len(results) > 1:
            score, max_score = report.total(student)
            rows.append((student, "total", f"{_fmt(score)} / {_fmt(max_score)}", ""))
    return rows


def table(report: Report) -> str:
    rows = [("student", "assignment", "score", "notes"), *_rows(report)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths)) + ("  " + row[3] if row[3] else ""))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def as_dict(report: Report) -> dict:
    students = []
    for student, results in report.results.items():
        score, max_score = report.total(student)
        students.append({
            "student": student,
            "score": score,
            "max_score": max_score,
            "assignments": [
                {
                    "assignment": r.assignment,
                    "score": r.score,
                    "max_score": r.max_score,
                    "error": r.error,
                    "record": r.record,
                    "notes": r.notes,
                    "cells": [
                        {"grade_id": c.grade_id, "score": c.score, "max_score": c.max_score, "message": c.message,
                         "flag": c.flag}
                        for c in r.cells
                    ],
                }
                for r in results
            ],
        })
    out = {"course": manifest.COURSE_ID, "profile": "offline", "students": students, "notes": report.notes}
    if report.shard is not None:  # `llmt grade --shard`: which part of which list, for `llmt merge`
        out["shard"] = report.shard
    return out


def _target(path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_json(report: Report, path: Path) -> None:
    _target(path).write_text(json.dumps(as_dict(report), indent=2, sort_keys=True) + "\n")


def write_junit(report: Report, path: Path) -> None:
    """One test suite per student and assignment, one test case per grade cell.

    A cell short of full marks is a failure carrying the error it raised; each part of a notebook
    that could not be graded is an error with the reason (pytest's --junitxml counts both as
    unsuccessful). Each test case has the `time` its grade cell ran (0 for a part that never ran;
    `llmt merge` takes the times from the shards' JUnit files), each suite the sum.
    """
    suites = ET.Element("testsuites", name=manifest.COURSE_ID)
    for student, results in report.results.items():
        for r in results:
            suite = ET.SubElement(suites, "testsuite", name=f"{student}.{r.assignment}")
            failures = errors = 0
            if r.error and not r.cells:
                errors = 1
                case = ET.SubElement(suite, "testcase", classname=f"{student}.{r.assignment}", name="notebook", time="0.000")
                ET.SubElement(case, "error", message=r.error).text = r.error
            for c in r.cells:
                case = ET.SubElement(suite, "testcase", classname=f"{student}.{r.assignment}", name=c.grade_id)
                if c.seconds is not None or r.error:
                    case.set("time", f"{c.seconds or 0.0:.3f}")
                props = ET.SubElement(case, "properties")
                ET.SubElement(props, "property", name="score", value=_fmt(c.score))
                ET.SubElement(props, "property", name="max_score", value=_fmt(c.max_score))
                if r.error:  # the notebook could not be graded: each of its parts is an error
                    errors += 1
                    ET.SubElement(case, "error", message=r.error.splitlines()[0]).text = r.error
                elif c.score < c.max_score:
                    failures += 1
                    text = "\n".join(x for x in (c.flag, c.message) if x) or "lost points"
                    ET.SubElement(case, "failure", message=text.splitlines()[0]).text = text
            suite.set("tests", str(max(len(r.cells), 1 if r.error else 0)))
            suite.set("failures", str(failures))
            suite.set("errors", str(errors))
            times = [c.seconds for c in r.cells if c.seconds is not None]
            if times or r.error:
                suite.set("time", f"{sum(times):.3f}")
    ET.indent(suites)
    ET.ElementTree(suites).write(_target(path), encoding="utf-8", xml_declaration=True)


def _md_cell(text: str) -> str:
    """Text that stays inside one cell of a GitHub Markdown table and shows as written."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def markdown(report: Report) -> str:
    """The table as GitHub Markdown (each student's total in bold), then the notes on skipped files."""
    lines = [f"### {manifest.COURSE_ID}: autograded scores (offline profile)", "",
             "| student | assignment | score | notes |", "| --- | --- | ---: | --- |"]
    for student, assignment, score, note in _rows(report):
        if assignment == "total":
            got, most = report.total(student)
            assignment, score = "**total**", f"**{score}**" + (f" ({got / most:.0%})" if most else "")
        lines.append(f"| {_md_cell(student)} | {assignment} | {score} | {_md_cell(note)} |")
    lines += [""] + [f"- note: {_md_cell(note)}" for note in report.notes]
    return "\n".join(lines).rstrip() + "\n"


def write_summary(report: Report, path: Path) -> None:
    _target(path).write_text(markdown(report))
