"""Bad input (issue 8, item 3): broken files, old formats, renamed or extra notebooks, edited cells.

What graders.submission does with each is in its docstring: the instructor's cells are restored
from the release, the student's code is graded as it is, and what cannot be read is an error entry.
Most cases use 3_2 (test_attention_head 3, test_mlp 2, test_transformer_block 4, test_input_checks 1
points) and 3_3 (test_split_merge_heads 3, test_multi_head_attention 6, test_input_checks 1), whose
notebooks grade in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from graders import manifest, notebooks
from graders.submission import MAX_BYTES

from .case import Case

B = manifest.get("3_2").id
M = manifest.get("3_3").id
BLOCK_FULL = {"test_attention_head": 3, "test_mlp": 2, "test_transformer_block": 4, "test_input_checks": 1}
MHA_FULL = {"test_split_merge_heads": 3, "test_multi_head_attention": 6, "test_input_checks": 1}
STUB = "NotImplementedError"


# ------------------------------------------------------------------------------------ helpers

def complete(reference, release):
    """What a student who solved every task hands in: the release with the solutions filled in."""
    return notebooks.fill_solutions(release, reference)


def cell(nb, grade_id):
    return next(c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == grade_id)


def index(nb, grade_id):
    return nb.cells.index(cell(nb, grade_id))


def write(folder: Path, nb, name: str | None = None) -> None:
    nbformat.write(nb, str(folder / (name or f"{folder.name}.ipynb")))


def writer(make):
    """A builder that writes `make(reference, release)` as the assignment's notebook."""
    return lambda folder, reference, release: write(folder, make(reference, release))


# ------------------------------------------------------------------------------------- builders

def _invalid_json(folder, reference, release):
    text = nbformat.writes(complete(reference, release))
    (folder / f"{folder.name}.ipynb").write_text(text[: len(text) // 2])


def _nbformat3(reference, release):
    return nbformat.convert(complete(reference, release), 3)


def _nbformat5(folder, reference, release):
    raw = json.loads(nbformat.writes(complete(reference, release)))
    raw["nbformat"], raw["nbformat_minor"] = 5, 0
    (folder / f"{folder.name}.ipynb").write_text(json.dumps(raw))


def _renamed(folder, reference, release):
    write(folder, complete(reference, release), "my_transformer_block.ipynb")


def _missing(folder, reference, release):
    (folder / "notes.txt").write_text("I ran out of time, sorry\n")


def _several_renamed(folder, reference, release):
    write(folder, complete(reference, release), "attempt_1.ipynb")
    write(folder, release, "attempt_2.ipynb")


def _extra_files(folder, reference, release):
    write(folder, complete(reference, release))
    write(folder, release, f"{folder.name}-Copy1.ipynb")
    (folder / "data.csv").write_text("a,b\n1,2\n")
    (folder / "transformer_block.py").write_text("raise SystemExit('a shipped file the student changed')\n")


def _deleted_cells(reference, release):
    """Tasks 1 and 2 solved, task 3 not; the setup cell and two test cells deleted."""
    nb = notebooks.fill_solutions(release, reference, {"attention_head", "mlp"})
    gone = {"setup", "test_mlp", "test_transformer_block"}
    nb.cells = [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") not in gone]
    return nb


def _duplicated(reference, release):
    """test_mlp copied above the MLP (where it would fail) and, edited, to the end."""
    nb = complete(reference, release)
    test = cell(nb, "test_mlp")
    early = nbformat.from_dict(json.loads(json.dumps(test)))
    late = nbformat.from_dict(json.loads(json.dumps(test)))
    late.source = "print('all tests pass')"
    late.metadata.nbgrader["points"] = 50
    nb.cells.insert(index(nb, "mlp"), early)
    nb.cells.append(late)
    for i, c in enumerate(nb.cells):  # the copies have ids of their own
        c.id = f"c{i}"
    return nb


def _tests_defused(reference, release):
    """The untouched stubs, every test cell tampered with a different way; none may score."""
    nb = nbformat.from_dict(release)
    head, mlp, block = (cell(nb, g) for g in ("test_attention_head", "test_mlp", "test_transformer_block"))
    head.metadata.nbgrader["grade_id"] = "test_attention_head_mine"
    head.source = "pass"
    mlp.metadata.nbgrader.update(points=100, solution=True)
    mlp.source = "print('Task 2: the visible tests pass')"
    block.metadata.nbgrader.update(grade=False, locked=False)
    block.source = "pass"
    return nb


def _metadata_changed(reference, release):
    """Full solutions; the test cells re-flagged: points raised, grade or locked removed, solution added."""
    nb = complete(reference, release)
    cell(nb, "test_attention_head").metadata.nbgrader["points"] = 30
    cell(nb, "test_mlp").metadata.nbgrader.update(grade=False, locked=False)
    cell(nb, "test_transformer_block").metadata.nbgrader["solution"] = True
    del cell(nb, "config").metadata["nbgrader"]
    return nb


def _retyped(reference, release):
    nb = complete(reference, release)
    for grade_id, kind in (("test_split_merge_heads", "markdown"), ("test_multi_head_attention", "raw")):
        old = cell(nb, grade_id)
        new = nbformat.v4.new_markdown_cell(old.source) if kind == "markdown" else nbformat.v4.new_raw_cell(old.source)
        new.metadata, new.id = old.metadata, old.id
        nb.cells[nb.cells.index(old)] = new
    return nb


def _huge_output(reference, release):
    nb = complete(reference, release)
    cell(nb, "config").outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (20 * 2**20))]
    return nb


def _oversized(folder, reference, release):
    nb = complete(reference, release)
    cell(nb, "config").outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * (MAX_BYTES + 2**20))]
    write(folder, nb)


def _latin1(folder, reference, release):
    nb = complete(reference, release)
    cell(nb, "mlp").source = "# café: written with a Latin-1 editor\n" + cell(nb, "mlp").source
    data = nbformat.writes(nb).encode("utf-8").replace("café".encode("utf-8"), "café".encode("latin-1"))
    (folder / f"{folder.name}.ipynb").write_bytes(data)


def _odd_but_gradable(folder, reference, release):
    """Full solutions in an odd file: one id for every cell, cells without metadata, an R kernel,
    a cell of an unknown type, sources as lists, UTF-16 with a byte order mark."""
    raw = json.loads(nbformat.writes(complete(reference, release)))
    for c in raw["cells"]:
        c["id"] = "same"
        c["source"] = c["source"].splitlines(keepends=True) if isinstance(c["source"], str) else c["source"]
    raw["cells"].insert(0, {"cell_type": "heading", "source": "# old heading", "id": "same"})
    raw["cells"].append({"cell_type": "code", "source": "x = 1"})  # no metadata, outputs, id
    raw["metadata"]["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    (folder / f"{folder.name}.ipynb").write_bytes(json.dumps(raw).encode("utf-16"))


def _symlink(folder, reference, release):
    (folder / f"{folder.name}.ipynb").symlink_to(manifest.get(B).source_notebook)


def _linked_folder(folder, reference, release):
    folder.rmdir()
    folder.symlink_to(manifest.get(M).source_notebook.parent)


def _deep(folder, reference, release):
    (folder / f"{folder.name}.ipynb").write_text('{"nbformat": 4, "cells": ' + "[" * 100_000 + "]" * 100_000 + "}")


def _text_file(text):
    return lambda folder, reference, release: (folder / f"{folder.name}.ipynb").write_text(text)


# ---------------------------------------------------------------------------------------- cases

CASES = [
    Case("in_invalid_json", B, _invalid_json, "the notebook file cut in half",
         error=r"^not a valid notebook: invalid JSON at line \d+, column \d+"),
    Case("in_empty_file", B, _text_file(""), "an empty file", error=r"^not a valid notebook: the file is empty"),
    Case("in_json_list", B, _text_file("[1, 2, 3]"), "valid JSON that is not an object",
         error=r"^not a valid notebook: the JSON holds a list"),
    Case("in_no_nbformat", B, _text_file('{"cells": [], "metadata": {}}'), "a JSON object without a version",
         error=r"^not a valid notebook: no 'nbformat' version"),
    Case("in_deep_json", B, _deep, "JSON nested 100000 levels deep",
         error=r"^not a valid notebook: its JSON is nested too deeply"),
    Case("in_nbformat3", B, writer(_nbformat3), "full solutions saved as nbformat 3",
         scores=BLOCK_FULL, notes=(r"^converted from nbformat 3 to 4$",)),
    Case("in_nbformat5", B, _nbformat5, "full solutions, nbformat 5 (a version that does not exist)",
         error=r"^not a valid notebook: nbformat 5 is not a version this grader reads"),
    Case("in_renamed", B, _renamed, "full solutions in my_transformer_block.ipynb",
         scores=BLOCK_FULL, notes=(rf"^graded my_transformer_block.ipynb: the folder has no {B}.ipynb$",)),
    Case("in_missing", B, _missing, "a folder with notes.txt and no notebook",
         error=rf"^no notebook {B}.ipynb in the submission$"),
    Case("in_several_renamed", B, _several_renamed, "no <A>.ipynb, two notebooks holding its cells",
         error=r"several hold its cells \(attempt_1.ipynb, attempt_2.ipynb\): rename the one to grade"),
    Case("in_extra_files", M, _extra_files, "full solutions plus a copy of the notebook, a CSV and an edited shipped module",
         scores=MHA_FULL, notes=(rf"^not graded \(only the notebook is\): {M}-Copy1.ipynb, data.csv$",)),
    Case("in_deleted_cells", B, writer(_deleted_cells),
         "tasks 1-2 solved, task 3 not; setup, test_mlp and test_transformer_block deleted: restored and run",
         scores={"test_attention_head": 3, "test_mlp": 2}, messages={"test_transformer_block": STUB},
         notes=(r"^restored deleted cells: setup, test_mlp, test_transformer_block$",)),
    Case("in_duplicated", B, writer(_duplicated), "test_mlp also above the MLP and, edited to 50 points, at the end",
         scores=BLOCK_FULL, notes=(r"^cells present more than once .*: test_mlp$",)),
    Case("in_tests_defused", B, writer(_tests_defused),
         "untouched stubs; test cells renamed, re-pointed (100 points, solution), unlocked and emptied",
         messages={g: STUB for g in BLOCK_FULL},
         notes=(r"^grade ids this assignment does not have .*: test_attention_head_mine$",
                r"^restored deleted cells: test_attention_head$",
                r"^restored the nbgrader metadata of cells: test_mlp \(solution, points\), "
                r"test_transformer_block \(grade, locked\)$")),
    Case("in_metadata_changed", B, writer(_metadata_changed),
         "full solutions; points raised, grade and locked removed, solution added, the config cell's metadata deleted",
         scores=BLOCK_FULL,
         notes=(r"^restored the nbgrader metadata of cells: test_attention_head \(points\), test_mlp \(grade, locked\), "
                r"test_transformer_block \(solution\)$", r"^restored deleted cells: config$")),
    Case("in_retyped", M, writer(_retyped), "full solutions; one test cell turned markdown, the other raw",
         scores=MHA_FULL,
         notes=(r"^restored cells whose type was changed: test_split_merge_heads \(was markdown\), "
                r"test_multi_head_attention \(was raw\)$",)),
    Case("in_huge_output", B, writer(_huge_output), "full solutions and a 20 MB output stored in the notebook",
         scores=BLOCK_FULL),
    Case("in_oversized", B, _oversized, f"full solutions and an output that takes the file over {MAX_BYTES >> 20} MB",
         error=rf"^the notebook is \d+\.\d MB, over the {MAX_BYTES >> 20} MB limit"),
    Case("in_latin1", B, _latin1, "full solutions, a comment saved as Latin-1 (not UTF-8)",
         scores=BLOCK_FULL, notes=(r"^the file is not valid UTF-8 \(first bad byte at offset \d+\)",)),
    Case("in_odd_but_gradable", M, _odd_but_gradable,
         "full solutions; UTF-16, one id for all cells, cells without metadata, a heading cell, an R kernel",
         scores=MHA_FULL, notes=(r"^the notebook's kernel is for R; it was graded with the course's Python 3",)),
    Case("in_symlink", B, _symlink, "the notebook is a symbolic link to the instructor's source notebook",
         error=rf"^{B}.ipynb is a symbolic link"),
    Case("in_linked_folder", M, _linked_folder, "the assignment folder is a symbolic link to the instructor's source folder",
         error=rf"^the folder {M} is a symbolic link"),
]
