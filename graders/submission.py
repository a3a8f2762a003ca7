"""One submitted notebook: found, read, checked and rebuilt into the copy nbgrader grades.

The submitted file is only read. `prepare` returns a new notebook, built from the submission and the
release notebook the student was given, under one rule: **the instructor's cells come from the
release, the student's code from the submission.**

- Every locked cell of the release (instructions, the setup and configuration cells, the test
  cells) is in the copy exactly once, with the release's type, source and nbgrader metadata: edited,
  retyped, re-flagged (points raised, `grade` or `locked` removed, `solution` added) or deleted cells
  are restored, a deleted one just before the next instructor cell the submission still has. nbgrader
  then puts the hidden tests back into the test cells, as it always does. A restored test runs on the
  student's code: it scores what that code earns, never points for a test that did not run.
- A solution cell keeps the student's source and gets the release's metadata (a solution cell
  turned into markdown runs as code again).
- A cell id that appears twice: the last copy is the instructor's cell (as nbgrader decides); the
  earlier copies, and cells whose grade id the assignment does not have, run as the student's own
  cells. The student's own cells are kept as they are.
- Outputs, execution counts and cell metadata of the student's own cells are dropped (nbgrader
  clears outputs anyway; a 40 MB output costs nothing after this), the kernel is the release's, and
  cell ids are made unique.

Notebooks in nbformat 1 to 3 are converted; bytes that are not UTF-8 (and lone surrogates) are read
as U+FFFD. What cannot
be graded raises `Rejected` with the reason: a missing, unreadable, empty or oversized file, a
symbolic link, invalid JSON, an unknown nbformat version. Each repair adds a note for the report.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

#: Largest notebook file graded (llmt grade reads the whole file; outputs are the usual culprit).
MAX_BYTES = 50 * 2**20
#: The grader reads nbformat 4 and converts these older versions.
OLD_VERSIONS = (1, 2, 3)
#: nbgrader metadata a student cannot change (compared with the release to say what was restored).
_FLAGS = ("grade", "solution", "locked", "points", "task")
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
#: Files in an assignment folder that are not the student's work (editors, Python, nbgrader).
_IGNORED = re.compile(r"^(\..*|__pycache__|.*\.pyc)$")


class Rejected(Exception):
    """The submission cannot be graded; str() is the reason, for the notebook's error entry."""


class WrongAssignment(Rejected):
    """The notebook is another assignment's: its grade ids are `actual`'s, none of them the expected one's."""

    def __init__(self, reason: str, actual: str):
        super().__init__(reason)
        self.actual = actual


@dataclass
class Prepared:
    #: the file that was read (the expected notebook, or the one found in its place)
    path: Path
    #: sha256 of its bytes
    digest: str
    #: the copy to hand to nbgrader (nbformat 4.5)
    notebook: nbformat.NotebookNode
    #: what was repaired or ignored, for the report
    notes: list[str] = field(default_factory=list)


def prepare(expected: Path, release: Path, max_bytes: int = MAX_BYTES,
            catalog: dict[str, set[str]] | None = None) -> Prepared:
    """The copy of the submission `expected` (`<folder>/<A>.ipynb`) that nbgrader grades.

    `release` is the release notebook of the assignment, the one nbgrader's gradebook was made from.
    `catalog` (assignment id -> the grade ids of its release notebook), when given, recognises a
    notebook of another assignment handed in as this one (`WrongAssignment`).
    """
    release_nb = nbformat.read(str(release), as_version=4)
    path, notes = locate(Path(expected), release_nb, shipped={p.name for p in Path(release).parent.iterdir()})
    data = read_bytes(path, max_bytes)
    raw, more = parse(data)
    notes += more
    nb, more = upgrade(raw)
    notes += more
    if catalog:
        check_assignment(nb, release_nb, catalog)
    graded, more = rebuild(nb, release_nb)
    return Prepared(path, hashlib.sha256(data).hexdigest(), graded, notes + more)


# ------------------------------------------------------------------------------------- the file

def locate(expected: Path, release_nb, shipped: set[str] = frozenset()) -> tuple[Path, list[str]]:
    """The notebook to grade in place of `expected`, and notes on the folder's other files.

    Only in an assignment folder (`<student>/<A>/<A>.ipynb`, the course layout; neither folder may be a
    symbolic link, which could lead to another student's or the instructor's files): when `<A>.ipynb` is missing,
    the one other notebook holding this assignment's cells is graded instead (a renamed notebook);
    files the release ships beside the notebook are not mentioned.
    """
    folder = expected.parent
    if folder.name != expected.stem or not folder.is_dir():
        return expected, []
    for linked in (folder.parent, folder):
        if linked.is_symlink():
            raise Rejected(f"the folder {linked.name} is a symbolic link: submit the files themselves")
    others = sorted(p for p in folder.iterdir() if p.name != expected.name and not _IGNORED.match(p.name))
    if expected.exists() or expected.is_symlink():
        return expected, _ignored_note([p for p in others if p.name not in shipped])
    notebooks = [p for p in others if p.suffix == ".ipynb"]
    ids = {nbgrader_meta(c).get("grade_id") for c in release_nb.cells} - {None}
    candidates = [p for p in notebooks if _has_cells_of(p, ids)]
    if len(candidates) == 1:
        found = candidates[0]
        rest = [p for p in others if p != found and p.name not in shipped]
        return found, [f"graded {found.name}: the folder has no {expected.name}"] + _ignored_note(rest)
    if not notebooks:
        raise Rejected(f"no notebook {expected.name} in the submission")
    names = ", ".join(p.name for p in (candidates or notebooks))
    if candidates:
        raise Rejected(f"no notebook {expected.name} in the submission, and several hold its cells ({names}): "
                       f"rename the one to grade")
    raise Rejected(f"no notebook {expected.name} in the submission (the folder's {names} holds none of its cells)")


def whose(grade_ids: set[str], catalog: dict[str, set[str]]) -> str | None:
    """The assignment whose distinctive grade ids (those of no other assignment: not `setup` or
    `test_input_checks`) `grade_ids` holds most of; None when it holds none."""
    counts: dict[str, int] = {}
    for ids in catalog.values():
        for gid in ids:
            counts[gid] = counts.get(gid, 0) + 1
    hits = {a: len({g for g in ids if counts[g] == 1} & grade_ids) for a, ids in catalog.items()}
    best = max(hits, key=lambda a: hits[a], default=None)
    return best if best is not None and hits[best] > 0 else None


def check_assignment(nb, release_nb, catalog: dict[str, set[str]]) -> None:
    """Raise `WrongAssignment` when `nb` holds none of the release's distinctive cells and some of
    another assignment's (a notebook handed in under the wrong name); a notebook without grade ids
    (the student's own) is graded as handed in."""
    mine = grade_ids(release_nb)
    here = next((a for a, ids in catalog.items() if ids == mine), None)
    found = grade_ids(nb)
    actual = whose(found, catalog)
    if actual is None or actual == here or whose(found & mine, catalog) == here:
        return
    theirs = sorted(found & catalog[actual] - mine, key=lambda g: (not g.startswith("test_"), g))
    shown = ", ".join(theirs[:3]) + (" ..." if len(theirs) > 3 else "")
    here = here or "this assignment"
    raise WrongAssignment(
        f"wrong assignment: this is the notebook of {actual} (it has that assignment's cells {shown}, and none "
        f"of {here}'s): hand it in as {actual}, "
        f"and hand in {here}'s own notebook here", actual)


def _ignored_note(paths: list[Path], shown: int = 8) -> list[str]:
    if not paths:
        return []
    names = ", ".join(p.name for p in paths[:shown]) + (f" and {len(paths) - shown} more" if len(paths) > shown else "")
    return [f"not graded (only the notebook is): {names}"]


def _has_cells_of(path: Path, ids: set[str]) -> bool:
    try:
        nb, _ = upgrade(parse(read_bytes(path, MAX_BYTES))[0])
    except Rejected:
        return False
    return any(_grade_id(c) in ids for c in nb.get("cells", []))


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    if path.is_symlink():
        raise Rejected(f"{path.name} is a symbolic link: submit the notebook file itself")
    if not path.exists():
        raise Rejected(f"no notebook {path.name} in the submission")
    if not path.is_file():
        raise Rejected(f"{path.name} is not a regular file")
    limit = f"over the {max_bytes / 2**20:g} MB limit (clear the outputs and submit again)"
    if path.stat().st_size > max_bytes:
        raise Rejected(f"the notebook is {path.stat().st_size / 2**20:.1f} MB, {limit}")
    with open(path, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew since stat
        raise Rejected(f"the notebook is {limit}")
    return data


def parse(data: bytes) -> tuple[dict, list[str]]:
    """The JSON object in `data` (UTF-8, or UTF-16/32 with or without a byte order mark)."""
    if not data.strip():
        raise Rejected("not a valid notebook: the file is empty")
    encoding = json.detect_encoding(data)
    notes = []
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        text = data.decode(encoding, errors="replace")
        notes.append(f"the file is not valid {exc.encoding.upper()} (first bad byte at offset {exc.start}); "
                     "undecodable bytes were read as U+FFFD")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Rejected(f"not a valid notebook: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise Rejected("not a valid notebook: its JSON is nested too deeply") from None
    if not isinstance(raw, dict):
        raise Rejected(f"not a valid notebook: the JSON holds a {type(raw).__name__}, not an object")
    return raw, notes


def upgrade(raw: dict) -> tuple[nbformat.NotebookNode, list[str]]:
    """`raw` as nbformat 4 (not validated: `rebuild` reads it leniently)."""
    if "nbformat" not in raw:
        raise Rejected("not a valid notebook: no 'nbformat' version in the file")
    version = raw["nbformat"]
    if type(version) is int and version == 4:
        if not isinstance(raw.get("cells"), list):
            raise Rejected("not a valid notebook: 'cells' is missing or not a list")
        return nbformat.from_dict(raw), []
    if type(version) is not int or version not in OLD_VERSIONS:
        raise Rejected(f"not a valid notebook: nbformat {version!r} is not a version this grader reads "
                       f"({', '.join(map(str, OLD_VERSIONS))} or 4)")
    try:
        nb = nbformat.convert(nbformat.from_dict(raw), 4)
    except Exception as exc:  # a malformed old notebook: the converters raise anything
        raise Rejected(f"not a valid notebook: nbformat {version} that could not be converted to 4 "
                       f"({type(exc).__name__}: {exc})") from None
    if not isinstance(nb.get("cells"), list):
        raise Rejected(f"not a valid notebook: nbformat {version} that could not be converted to 4 (no cells)")
    for cell in nb.cells:  # the converter draws random cell ids; `rebuild` gives fixed ones
        if isinstance(cell, dict):
            cell.pop("id", None)
    return nb, [f"converted from nbformat {version} to 4"]


# ---------------------------------------------------------------------------------- the copy

def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def _grade_id(cell) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def grade_ids(nb) -> set[str]:
    """The nbgrader grade ids of a notebook's cells (read leniently)."""
    return {_grade_id(c) for c in nb.get("cells", []) if isinstance(c, dict)} - {None}


def _text(source) -> str:
    """A cell's source as one string: lines joined, anything else empty, lone surrogates (which JSON
    escapes can hold and no file can) as U+FFFD."""
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = "".join(source)
    if not isinstance(source, str):
        return ""
    return source.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _own_cell(cell) -> nbformat.NotebookNode:
    """A student's cell as it runs: its type and source, nothing else."""
    kind = cell.get("cell_type")
    new = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}.get(kind, nbformat.v4.new_raw_cell)
    own = new(_text(cell.get("source")))
    own.id = cell.get("id")  # checked by _unique_ids
    return own


def _changed_flags(cell, ref) -> list[str]:
    mine, theirs = nbgrader_meta(cell), nbgrader_meta(ref)
    return [k for k in _FLAGS if mine.get(k, False) != theirs.get(k, False)]


class _Notes:
    """Repairs grouped by kind, in a fixed order, so that a report reads the same every time."""

    KINDS = {
        "deleted": "restored deleted cells",
        "retyped": "restored cells whose type was changed",
        "flags": "restored the nbgrader metadata of cells",
        "edited": "restored the content of locked cells",
        "duplicated": "cells present more than once (the last copy is graded as that cell, the others ran "
                      "as your own cells)",
        "unknown": "grade ids this assignment does not have (those cells ran as your own cells)",
        "dropped": "cells that are not cell objects were left out",
    }

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {k: [] for k in self.KINDS}

    def add(self, kind: str, what: str) -> None:
        if what not in self.items[kind]:
            self.items[kind].append(what)

    def lines(self) -> list[str]:
        return [f"{self.KINDS[k]}: {', '.join(v)}" for k, v in self.items.items() if v]


def rebuild(nb, release_nb) -> tuple[nbformat.NotebookNode, list[str]]:
    """The copy nbgrader grades: the instructor's cells from `release_nb`, the student's code from `nb`."""
    reference = {_grade_id(c): c for c in release_nb.cells if _grade_id(c)}
    notes = _Notes()
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]
    if len(cells) < len(nb.get("cells", [])):
        notes.add("dropped", str(len(nb["cells"]) - len(cells)))
    last = {_grade_id(c): i for i, c in enumerate(cells) if _grade_id(c) in reference}

    out: list[tuple[str | None, nbformat.NotebookNode]] = []
    for i, cell in enumerate(cells):
        gid = _grade_id(cell)
        if gid in reference and last[gid] == i:
            out.append((gid, _instructor_cell(cell, reference[gid], notes)))
            continue
        if gid in reference:
            notes.add("duplicated", gid)
        elif gid is not None:
            notes.add("unknown", gid)
        out.append((None, _own_cell(cell)))

    _restore_deleted(out, release_nb, notes)
    graded = nbformat.v4.new_notebook(metadata=copy.deepcopy(release_nb.metadata))
    graded.cells = [c for _, c in out]
    _unique_ids(graded.cells, {id(c) for gid, c in out if gid})
    return graded, notes.lines() + _kernel_note(nb, release_nb)


def _instructor_cell(cell, ref, notes: _Notes) -> nbformat.NotebookNode:
    gid = _grade_id(ref)
    if cell.get("cell_type") != ref.cell_type:
        notes.add("retyped", f"{gid} (was {cell.get('cell_type')})")
    flags = _changed_flags(cell, ref)
    if flags:
        notes.add("flags", f"{gid} ({', '.join(flags)})")
    restored = copy.deepcopy(ref)
    if nbgrader_meta(ref).get("solution"):
        restored.source = _text(cell.get("source"))
    elif _text(cell.get("source")) != ref.source and ref.cell_type == "code":
        notes.add("edited", gid)
    if restored.cell_type == "code":
        restored.outputs, restored.execution_count = [], None
    return restored


def _restore_deleted(out: list, release_nb, notes: _Notes) -> None:
    """Insert each locked release cell missing from `out` before the next instructor cell present."""
    order = [_grade_id(c) for c in release_nb.cells]
    present = {gid for gid, _ in out if gid}
    for i in reversed(range(len(release_nb.cells))):
        ref, gid = release_nb.cells[i], order[i]
        if gid is None or gid in present or nbgrader_meta(ref).get("solution"):
            continue
        after = [g for g in order[i + 1:] if g in present]
        at = next((k for k, (g, _) in enumerate(out) if after and g == after[0]), len(out))
        restored = copy.deepcopy(ref)
        if restored.cell_type == "code":
            restored.outputs, restored.execution_count = [], None
        out.insert(at, (gid, restored))
        present.add(gid)
        if ref.cell_type == "code":
            notes.add("deleted", gid)
    notes.items["deleted"].reverse()  # release order


def _unique_ids(cells: list, instructor: set[int]) -> None:
    """Cell ids valid and unique; the instructor's cells keep the release's ids."""
    taken = {c.id for c in cells if id(c) in instructor}
    for n, cell in enumerate(cells):
        if id(cell) in instructor:
            continue
        cid = cell.get("id")
        if not (isinstance(cid, str) and _CELL_ID.match(cid)) or cid in taken:
            cid = f"cell-{n}"
            while cid in taken:
                cid += "-"
        cell.id = cid
        taken.add(cid)


def _kernel_note(nb, release_nb) -> list[str]:
    spec = nb.get("metadata", {}).get("kernelspec") if isinstance(nb.get("metadata"), dict) else None
    language = spec.get("language") if isinstance(spec, dict) else None
    wanted = release_nb.metadata.get("kernelspec", {}).get("language")
    if isinstance(language, str) and language.lower() != wanted:
        return [f"the notebook's kernel is for {language}; it was graded with the course's "
                f"{release_nb.metadata['kernelspec']['display_name']} kernel"]
    return []
