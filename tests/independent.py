"""Implementations written from the release notebooks alone (tests/implementations/independent/).

Each module there is named after an assignment's reference module and holds

    ASSIGNMENT = "3_1_transformer_impl_attention_qkv"
    CORRECT = {"variant": {"<solution cell grade_id>": "<the cell's code>", ...}, ...}
    WRONG = {"variant": {"cells": {...}, "loses": ["<grade_id of a part the bug must cost>", ...]}, ...}

Every implementation fills every solution cell of the release notebook, so it is a whole submission
that `llmt grade` can grade. Run one by hand, visible tests only, under the offline profile:

    .venv/bin/python -m tests.independent 3_1 einsum_loops      # the CORRECT or WRONG variant's name

or grade them all with `llmt grade` and print, per assignment, how many correct ones got full marks
and how many bugs lost points of every part they name (tests/test_independent.py grades the correct
ones in the suite; the bugs, about 400 notebooks, take half an hour on 2 cores; `--only 3_2,3_3`
grades those assignments' alone):

    .venv/bin/python -m tests.independent --grade [--wrong] [--workers 2] [--only A,B]
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import nbformat

from graders import manifest, notebooks

PACKAGE = "tests.implementations.independent"


def modules() -> list:
    """Every independent implementation module, in course order."""
    from tests.implementations import independent

    found = {m.name for m in pkgutil.iter_modules(independent.__path__)}
    return [importlib.import_module(f"{PACKAGE}.{a.module}") for a in manifest.ASSIGNMENTS if a.module in found]


def implementations(module) -> dict[str, dict[str, str]]:
    """variant name -> solution cells of every CORRECT and WRONG implementation of the module."""
    found = dict(module.CORRECT)
    found.update({name: wrong["cells"] for name, wrong in module.WRONG.items()})
    return found


def filled(assignment: manifest.Assignment, cells: dict[str, str]) -> nbformat.NotebookNode:
    """The release notebook with each solution cell replaced by `cells[grade_id]` (KeyError when the
    implementation leaves one out)."""
    nb = notebooks.read(assignment.release_notebook)
    for cell in notebooks.solution_cells(nb):
        grade_id = notebooks.nbgrader_meta(cell)["grade_id"]
        if grade_id not in cells:
            raise KeyError(f"the implementation has no code for the solution cell {grade_id!r}")
        cell.source = cells[grade_id].strip("\n") + "\n"
    unknown = set(cells) - {notebooks.nbgrader_meta(c)["grade_id"] for c in notebooks.solution_cells(nb)}
    if unknown:
        raise KeyError(f"no solution cells named {sorted(unknown)} in {assignment.id}")
    return nb


def run_visible(assignment: manifest.Assignment, cells: dict[str, str], timeout: int = 600) -> dict[str, str | None]:
    """Execute the filled release notebook beside its shipped modules, offline; grade_id -> None when
    the test cell ran through, else its error."""
    from nbclient import NotebookClient

    from graders import profile

    nb = filled(assignment, cells)
    with profile.environment(profile.offline_environment([assignment])):
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(assignment.release_notebook.parent)}})
        client.execute()
    results = {}
    for cell in nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors and not meta.get("grade"):
            results[meta.get("grade_id") or "cell"] = f"(not a test cell) {errors[0]['ename']}: {errors[0]['evalue']}"
        if meta.get("grade") and cell.cell_type == "code":
            results[meta["grade_id"]] = f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors else None
    return results


def submissions(root: Path, wrong: bool = False, correct: set[str] | None = None,
                only: set[str] | None = None) -> dict[str, tuple[manifest.Assignment, dict]]:
    """Write every CORRECT implementation (those named in `correct`, when given) and, with `wrong`,
    every WRONG one as a student's submission under root/submitted/<assignment module>-<variant>/<A>/<A>.ipynb,
    for the assignments in `only` (ids, when given); student id -> (assignment, WRONG entry or None)."""
    written = {}
    for module in modules():
        a = manifest.get(module.ASSIGNMENT)
        if only is not None and a.id not in only:
            continue
        variants = {name: (cells, None) for name, cells in module.CORRECT.items() if correct is None or name in correct}
        if wrong:
            variants.update({name: (w["cells"], w) for name, w in module.WRONG.items()})
        for name, (cells, entry) in variants.items():
            student = f"{a.module}-{name}"
            path = root / "submitted" / student / a.id / f"{a.id}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(filled(a, cells), str(path))
            written[student] = (a, entry)
    return written


def grade(root: Path, wrong: bool = False, workers: int = 2, correct: set[str] | None = None,
          only: set[str] | None = None) -> dict[str, tuple[manifest.Assignment, dict, dict]]:
    """Grade the submissions() with `llmt grade`; student id -> (assignment, WRONG entry or None, the
    report's entry of the notebook)."""
    import json

    from graders.cli import main as llmt

    written = submissions(root, wrong, correct, only)
    report = root / "report.json"
    llmt(["grade", str(root), "--course-dir", str(root / "course"), "--json", str(report), "--workers", str(workers)])
    entries = {s["student"]: s["assignments"][0] for s in json.loads(report.read_text())["students"]}
    return {student: (a, entry, entries[student]) for student, (a, entry) in written.items()}


def lost_parts(entry: dict) -> set[str]:
    """The parts of a graded notebook that scored below their points, "input-checks" for test_input_checks."""
    from graders import contract

    return {"input-checks" if c["grade_id"] == contract.INPUT_CHECKS_CELL else c["grade_id"]
            for c in entry["cells"] if c["score"] < c["max_score"]}


def _figures(argv: list[str]) -> int:
    import tempfile

    wrong = "--wrong" in argv
    workers = int(argv[argv.index("--workers") + 1]) if "--workers" in argv else 2
    only = {manifest.get(a).id for a in argv[argv.index("--only") + 1].split(",")} if "--only" in argv else None
    with tempfile.TemporaryDirectory(prefix="llmt-independent-") as tmp:
        graded = grade(Path(tmp), wrong, workers, only=only)
    rows: dict[str, list[int]] = {}
    problems = []
    for student, (a, bug, entry) in graded.items():
        row = rows.setdefault(a.id[:3], [0, 0, 0, 0])
        if bug is None:
            full = entry["score"] == entry["max_score"] and entry["error"] is None
            row[0] += full
            row[1] += 1
            if not full:
                problems.append(f"correct {student} scored {entry['score']}/{entry['max_score']}: "
                                f"{sorted(lost_parts(entry))} {entry['error'] or ''}")
        else:
            caught = set(bug["loses"]) <= lost_parts(entry)
            row[2] += caught
            row[3] += 1
            if not caught:
                problems.append(f"bug {student} ({bug['bug']}) kept {sorted(set(bug['loses']) - lost_parts(entry))}")
    print(f"{'assignment':<12} {'correct full marks':>20} {'bugs caught':>14}")
    for a, (full, n, caught, m) in rows.items():
        print(f"{a:<12} {f'{full}/{n}':>20} {f'{caught}/{m}' if m else '-':>14}")
    total = [sum(r[i] for r in rows.values()) for i in range(4)]
    print(f"{'total':<12} {f'{total[0]}/{total[1]}':>20} {f'{total[2]}/{total[3]}' if total[3] else '-':>14}")
    print("\n".join(problems))
    return 0 if not problems else 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["--grade"]:
        return _figures(argv)
    if len(argv) != 2:
        print(__doc__)
        return 2
    assignment = manifest.get(argv[0])
    module = importlib.import_module(f"{PACKAGE}.{assignment.module}")
    cells = implementations(module)[argv[1]]
    for grade_id, error in run_visible(assignment, cells).items():
        print(f"{grade_id:<40} {'ok' if error is None else 'FAILED: ' + error[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
