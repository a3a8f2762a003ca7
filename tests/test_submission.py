"""graders.submission: reading a submitted notebook and rebuilding the copy nbgrader grades.

No kernels here: these tests look at the copy. tests/corpus/inputs.py grades such copies end to end.
"""

import hashlib
import json

import nbformat
import pytest

from graders import manifest, notebooks, submission
from graders.submission import Rejected, prepare

A = manifest.get("3_2")
RELEASE = A.release_notebook


def _release():
    return notebooks.read(RELEASE)


def _complete():
    return notebooks.fill_solutions(_release(), notebooks.read(A.source_notebook))


def _cell(nb, grade_id):
    return next(c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == grade_id)


def _ids(nb):
    return [notebooks.nbgrader_meta(c).get("grade_id") for c in nb.cells]


def _save(tmp_path, content, name=f"{A.id}.ipynb"):
    folder = tmp_path / A.id
    folder.mkdir(exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    else:
        nbformat.write(content, str(path))
    return path


def _prepare(tmp_path, content, name=f"{A.id}.ipynb", **kw):
    return prepare(_save(tmp_path, content, name), RELEASE, **kw)


def _rejected(tmp_path, content, **kw) -> str:
    with pytest.raises(Rejected) as exc:
        _prepare(tmp_path, content, **kw)
    return str(exc.value)


# ------------------------------------------------------------------------------- faithful copies

@pytest.mark.parametrize("a", manifest.authored(), ids=lambda a: a.id)
def test_an_untouched_release_is_copied_as_it_is(a):
    got = prepare(a.release_notebook, a.release_notebook)
    release = notebooks.read(a.release_notebook)
    nbformat.validate(got.notebook)
    assert got.notes == []
    assert [(c.id, c.cell_type, c.source, c.metadata) for c in got.notebook.cells] == \
        [(c.id, c.cell_type, c.source, c.metadata) for c in release.cells]
    assert got.digest == hashlib.sha256(a.release_notebook.read_bytes()).hexdigest()


def test_the_students_code_is_kept_and_outputs_are_dropped(tmp_path):
    nb = _complete()
    own = nbformat.v4.new_code_cell("scratch = 1", metadata={"tags": ["mine"], "collapsed": True})
    own.outputs = [nbformat.v4.new_output("stream", name="stdout", text="z" * 1000)]
    nb.cells.insert(3, own)
    _cell(nb, "config").outputs = [nbformat.v4.new_output("stream", name="stdout", text="big" * 10000)]
    got = _prepare(tmp_path, nb).notebook
    assert got.cells[3].source == "scratch = 1" and got.cells[3].metadata == {}
    assert _cell(got, "mlp").source == _cell(nb, "mlp").source
    assert all(c.get("outputs", []) == [] for c in got.cells)


def test_the_submitted_file_is_not_modified(tmp_path):
    nb = _complete()
    del nb.cells[8]
    path = _save(tmp_path, nb)
    before = path.read_bytes()
    prepare(path, RELEASE)
    assert path.read_bytes() == before


def test_the_copy_is_the_same_every_time(tmp_path):
    old = nbformat.convert(_complete(), 3)  # the converter draws random cell ids
    first = nbformat.writes(_prepare(tmp_path, old).notebook)
    assert nbformat.writes(_prepare(tmp_path, old).notebook) == first


# ------------------------------------------------------------------------------- the file itself

@pytest.mark.parametrize("content, reason", [
    ("", "the file is empty"),
    ("  \n", "the file is empty"),
    ('{"nbformat": 4, "cells": [', "invalid JSON at line 1, column 27"),
    ("[1, 2]", "the JSON holds a list, not an object"),
    ('"text"', "the JSON holds a str, not an object"),
    ('{"cells": []}', "no 'nbformat' version"),
    ('{"nbformat": 5, "nbformat_minor": 0, "cells": []}', "nbformat 5 is not a version this grader reads"),
    ('{"nbformat": "4", "cells": []}', "nbformat '4' is not a version"),
    ('{"nbformat": true, "cells": []}', "nbformat True is not a version"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "'cells' is missing or not a list"),
    ('{"nbformat": 4, "cells": {"a": 1}}', "'cells' is missing or not a list"),
    ('{"nbformat": 3, "nbformat_minor": 0, "worksheets": 7}', "nbformat 3 that could not be converted to 4"),
    ('{"nbformat": 4, "cells": ' + "[" * 100_000 + "]" * 100_000 + "}", "its JSON is nested too deeply"),
])
def test_what_is_not_a_notebook_is_rejected_with_the_reason(tmp_path, content, reason):
    message = _rejected(tmp_path, content)
    assert message.startswith("not a valid notebook: ") and reason in message


@pytest.mark.parametrize("version", [1, 2, 3])
def test_old_nbformat_versions_are_converted(tmp_path, version):
    if version == 3:
        text = nbformat.writes(nbformat.convert(_complete(), 3))
    else:  # nbformat cannot write these any more: a hand-written notebook with one code cell
        cell = {"cell_type": "code", "input": "x = 1", "outputs": []} if version == 2 else \
            {"cell_type": "code", "code": "x = 1", "outputs": []}
        text = json.dumps({"nbformat": version, "worksheets": [{"cells": [cell]}], "cells": [cell], "metadata": {}})
    got = _prepare(tmp_path, text)
    assert got.notes[0] == f"converted from nbformat {version} to 4"
    nbformat.validate(got.notebook)
    if version == 3:
        assert _cell(got.notebook, "mlp").source == _cell(_complete(), "mlp").source
    else:
        assert "x = 1" in [c.source for c in got.notebook.cells]


def test_a_newer_nbformat_4_minor_version_is_read(tmp_path):
    raw = json.loads(nbformat.writes(_complete()))
    raw["nbformat_minor"] = 99
    got = _prepare(tmp_path, json.dumps(raw))
    assert got.notebook.nbformat_minor == 5 and got.notes == []


def test_a_file_over_the_size_limit_is_rejected_unread(tmp_path):
    assert _rejected(tmp_path, "x" * 3000, max_bytes=2048) == \
        "the notebook is 0.0 MB, over the 0.00195312 MB limit (clear the outputs and submit again)"
    assert _prepare(tmp_path, _complete(), max_bytes=200_000).notes == []


def test_bytes_that_are_not_utf8_are_replaced_and_noted(tmp_path):
    nb = _complete()
    _cell(nb, "mlp").source = "# na\u00efve\n" + _cell(nb, "mlp").source
    data = nbformat.writes(nb).encode().replace("na\u00efve".encode(), "na\u00efve".encode("latin-1"))
    got = _prepare(tmp_path, data)
    assert _cell(got.notebook, "mlp").source.startswith("# na\ufffdve\n")
    assert len(got.notes) == 1 and got.notes[0].startswith("the file is not valid UTF-8 (first bad byte at offset ")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_other_unicode_encodings_are_read(tmp_path, encoding):
    got = _prepare(tmp_path, nbformat.writes(_complete()).encode(encoding))
    assert got.notes == [] and _cell(got.notebook, "mlp").source == _cell(_complete(), "mlp").source


def test_lone_surrogates_become_replacement_characters(tmp_path):
    raw = json.loads(nbformat.writes(_complete()))
    raw["cells"].append({"cell_type": "code", "source": "s = '\ud800'", "metadata": {}, "outputs": []})
    got = _prepare(tmp_path, json.dumps(raw))  # ASCII with a \ud800 escape
    assert got.notebook.cells[-1].source == "s = '\ufffd'"
    nbformat.writes(got.notebook).encode("utf-8")


def test_a_symbolic_link_is_rejected(tmp_path):
    (tmp_path / A.id).mkdir()
    (tmp_path / A.id / f"{A.id}.ipynb").symlink_to(A.source_notebook)
    with pytest.raises(Rejected, match=r"is a symbolic link: submit the notebook file itself"):
        prepare(tmp_path / A.id / f"{A.id}.ipynb", RELEASE)


@pytest.mark.parametrize("level", ["student", "assignment"])
def test_a_symbolically_linked_folder_is_rejected(tmp_path, level):
    (tmp_path / "bob" / A.id).mkdir(parents=True)
    nbformat.write(_complete(), str(tmp_path / "bob" / A.id / f"{A.id}.ipynb"))
    if level == "student":
        (tmp_path / "mallory").symlink_to(tmp_path / "bob")
    else:
        (tmp_path / "mallory").mkdir()
        (tmp_path / "mallory" / A.id).symlink_to(tmp_path / "bob" / A.id)
    with pytest.raises(Rejected, match=r"^the folder .* is a symbolic link: submit the files themselves$"):
        prepare(tmp_path / "mallory" / A.id / f"{A.id}.ipynb", RELEASE)


def test_a_folder_in_place_of_the_notebook_is_rejected(tmp_path):
    (tmp_path / A.id / f"{A.id}.ipynb").mkdir(parents=True)
    with pytest.raises(Rejected, match=r"is not a regular file"):
        prepare(tmp_path / A.id / f"{A.id}.ipynb", RELEASE)


# ------------------------------------------------------------------------------- the folder

def test_a_renamed_notebook_is_found_and_noted(tmp_path):
    _save(tmp_path, _complete(), "Untitled.ipynb")
    _save(tmp_path, nbformat.v4.new_notebook(), "scratch.ipynb")  # holds none of the assignment's cells
    got = prepare(tmp_path / A.id / f"{A.id}.ipynb", RELEASE)
    assert got.path.name == "Untitled.ipynb"
    assert got.notes == [f"graded Untitled.ipynb: the folder has no {A.id}.ipynb",
                         "not graded (only the notebook is): scratch.ipynb"]


def test_a_missing_notebook_is_rejected(tmp_path):
    (tmp_path / A.id).mkdir()
    (tmp_path / A.id / "answers.txt").write_text("42")
    with pytest.raises(Rejected, match=rf"^no notebook {A.id}.ipynb in the submission$"):
        prepare(tmp_path / A.id / f"{A.id}.ipynb", RELEASE)


def test_notebooks_without_the_assignments_cells_are_not_taken_for_it(tmp_path):
    _save(tmp_path, nbformat.v4.new_notebook(), "other.ipynb")
    _save(tmp_path, "not json", "broken.ipynb")
    with pytest.raises(Rejected, match=r"the folder's broken.ipynb, other.ipynb holds none of its cells"):
        prepare(tmp_path / A.id / f"{A.id}.ipynb", RELEASE)


def test_two_candidates_are_rejected_rather_than_guessed(tmp_path):
    _save(tmp_path, _complete(), "a.ipynb")
    _save(tmp_path, _release(), "b.ipynb")
    with pytest.raises(Rejected, match=r"several hold its cells \(a.ipynb, b.ipynb\): rename the one to grade"):
        prepare(tmp_path / A.id / f"{A.id}.ipynb", RELEASE)


def test_extra_files_are_noted_but_shipped_and_hidden_ones_are_not(tmp_path):
    m = manifest.get("3_3")
    folder = tmp_path / m.id
    folder.mkdir()
    nbformat.write(notebooks.read(m.release_notebook), str(folder / f"{m.id}.ipynb"))
    for name in ["transformer_block.py", ".ipynb_checkpoints", "zz.ipynb", "data.csv", *[f"f{i}.txt" for i in range(9)]]:
        (folder / name).write_text("x")
    got = prepare(folder / f"{m.id}.ipynb", m.release_notebook)
    assert got.notes == ["not graded (only the notebook is): data.csv, f0.txt, f1.txt, f2.txt, f3.txt, f4.txt, "
                         "f5.txt, f6.txt and 3 more"]


def test_outside_an_assignment_folder_other_files_are_none_of_its_business(tmp_path):
    path = tmp_path / "my_attempt.ipynb"
    nbformat.write(_complete(), str(path))
    (tmp_path / "other.ipynb").write_text("{}")
    assert prepare(path, RELEASE).notes == []


# ------------------------------------------------------------------------------- the cells

def test_deleted_locked_cells_are_restored_before_the_next_instructor_cell(tmp_path):
    nb = _complete()
    own = nbformat.v4.new_code_cell("helper = 2")
    nb.cells.insert(nb.cells.index(_cell(nb, "mlp")) + 1, own)  # the student's cell after the MLP
    nb.cells = [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") not in {"setup", "test_mlp", "intro", "outro"}]
    got = _prepare(tmp_path, nb)
    assert _ids(got.notebook) == _ids(_release())[:12] + ["mlp", None, "test_mlp"] + _ids(_release())[14:]
    assert _cell(got.notebook, "test_mlp").source == _cell(_release(), "test_mlp").source
    assert got.notes == ["restored deleted cells: setup, test_mlp"]  # markdown cells are restored silently


def test_deleted_solution_cells_are_not_put_back(tmp_path):
    nb = _complete()
    nb.cells = [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") != "mlp"]
    nb.cells.insert(2, nbformat.v4.new_code_cell("class MLP: pass"))
    got = _prepare(tmp_path, nb)
    assert "mlp" not in _ids(got.notebook) and got.notes == []


def test_every_tampered_flag_of_a_test_cell_is_restored(tmp_path):
    nb = _release()
    _cell(nb, "test_attention_head").metadata.nbgrader.update(points=99, locked=False)
    _cell(nb, "test_mlp").metadata.nbgrader.update(grade=False, solution=True)
    _cell(nb, "test_mlp").source = "pass"
    _cell(nb, "mlp").metadata.nbgrader.update(solution=False, locked=True)
    got = _prepare(tmp_path, nb)
    for gid in ["test_attention_head", "test_mlp", "mlp"]:
        assert _cell(got.notebook, gid).metadata == _cell(_release(), gid).metadata
    assert _cell(got.notebook, "test_mlp").source == _cell(_release(), "test_mlp").source
    assert got.notes == ["restored the nbgrader metadata of cells: test_attention_head (locked, points), mlp (solution, locked), "
                         "test_mlp (grade, solution)",
                         "restored the content of locked cells: test_mlp"]


@pytest.mark.parametrize("kind", ["markdown", "raw"])
def test_a_retyped_cell_gets_its_type_back(tmp_path, kind):
    nb = _complete()
    for gid in ["test_mlp", "mlp"]:
        old = _cell(nb, gid)
        new = {"markdown": nbformat.v4.new_markdown_cell, "raw": nbformat.v4.new_raw_cell}[kind](old.source)
        new.metadata, new.id = old.metadata, old.id
        nb.cells[nb.cells.index(old)] = new
    got = _prepare(tmp_path, nb)
    assert _cell(got.notebook, "test_mlp").cell_type == _cell(got.notebook, "mlp").cell_type == "code"
    assert _cell(got.notebook, "mlp").source == _cell(_complete(), "mlp").source
    assert got.notes == [f"restored cells whose type was changed: mlp (was {kind}), test_mlp (was {kind})"]


def test_duplicates_the_last_copy_is_the_instructors_cell(tmp_path):
    nb = _complete()
    first = nbformat.from_dict(json.loads(json.dumps(_cell(nb, "test_mlp"))))
    first.source, first.id = "print('a copy I edited')", "copy"
    nb.cells.insert(2, first)
    got = _prepare(tmp_path, nb).notebook
    assert got.cells[2].source == "print('a copy I edited')" and "nbgrader" not in got.cells[2].metadata
    assert _ids(got).count("test_mlp") == 1 and _ids(got).index("test_mlp") == _ids(_release()).index("test_mlp") + 1


def test_unknown_grade_ids_run_as_the_students_own_cells(tmp_path):
    nb = _complete()
    bonus = nbformat.v4.new_code_cell("print('bonus')", metadata={"nbgrader": {"grade": True, "grade_id": "bonus", "points": 50}})
    nb.cells.append(bonus)
    _cell(nb, "test_mlp").metadata.nbgrader["grade_id"] = "test_mlp_v2"
    got = _prepare(tmp_path, nb)
    assert got.notebook.cells[-1].source == "print('bonus')" and got.notebook.cells[-1].metadata == {}
    assert _ids(got.notebook).count("test_mlp") == 1
    assert got.notes[-1] == "grade ids this assignment does not have (those cells ran as your own cells): test_mlp_v2, bonus"


def test_malformed_cells_are_read_leniently(tmp_path):
    raw = json.loads(nbformat.writes(_complete()))
    raw["cells"] += [
        {"cell_type": "code", "source": ["a = 1\n", "b = 2"]},  # no metadata, outputs or id
        {"cell_type": "heading", "source": "# title", "level": 1, "metadata": "oops"},
        {"source": None, "metadata": {"nbgrader": "not a dict"}},
        "not a cell",
        {"cell_type": "code", "source": "c = 3", "metadata": {"nbgrader": {"grade_id": 7}}},
    ]
    for c in raw["cells"][-5:]:
        if isinstance(c, dict):
            c["id"] = "dup"
    raw["cells"][0]["id"] = "dup"  # the instructor's cells keep their own ids
    del raw["metadata"]
    got = _prepare(tmp_path, json.dumps(raw))
    nbformat.validate(got.notebook)
    tail = got.notebook.cells[-4:]
    assert [(c.cell_type, c.source) for c in tail] == [("code", "a = 1\nb = 2"), ("raw", "# title"), ("raw", ""), ("code", "c = 3")]
    n = len(_release().cells)  # the generated ids count cells from 0
    assert [c.id for c in got.notebook.cells] == [c.id for c in _release().cells] + ["dup"] + [f"cell-{n + i}" for i in (1, 2, 3)]
    assert got.notes == ["cells that are not cell objects were left out: 1"]


def test_another_kernel_is_noted_and_the_courses_is_used(tmp_path):
    nb = _complete()
    nb.metadata = {"kernelspec": {"name": "ir", "display_name": "R", "language": "R"}, "language_info": {"name": "R"}}
    got = _prepare(tmp_path, nb)
    assert got.notebook.metadata == _release().metadata
    assert got.notes == ["the notebook's kernel is for R; it was graded with the course's Python 3 (ipykernel) kernel"]
    nb.metadata.kernelspec = {"name": "conda-env-llm-py", "display_name": "llm", "language": "python"}
    assert _prepare(tmp_path, nb).notes == []


def test_the_module_helper_reads_nbgrader_metadata_of_anything():
    assert submission.nbgrader_meta({"metadata": {"nbgrader": {"grade_id": "x"}}}) == {"grade_id": "x"}
    assert submission.nbgrader_meta({"metadata": None}) == {} and submission.nbgrader_meta("cell") == {}


# ------------------------------------------------------------------- another assignment's notebook

def _catalog():
    from graders.grade import catalog

    return catalog()


@pytest.mark.parametrize("other", ["3_3", "1_1", "7_3"])
def test_a_notebook_of_another_assignment_is_rejected_naming_it(tmp_path, other):
    b = manifest.get(other)
    theirs = notebooks.fill_solutions(notebooks.read(b.release_notebook), notebooks.read(b.source_notebook))
    with pytest.raises(submission.WrongAssignment, match=rf"^wrong assignment: this is the notebook of {b.id} ") as exc:
        prepare(_save(tmp_path, theirs), RELEASE, catalog=_catalog())
    assert exc.value.actual == b.id and f"hand it in as {b.id}" in str(exc.value)


@pytest.mark.parametrize("kind", ["complete", "release", "own_cells_only", "mixed", "shared_cells_only"])
def test_this_assignments_notebooks_are_not_taken_for_another(tmp_path, kind):
    """Its own notebook in any state, a notebook without grade ids (graded as handed in), one holding
    cells of both (graded as this one), one with only cells every notebook has (setup, config)."""
    nb = _complete() if kind != "release" else _release()
    other = notebooks.read(manifest.get("3_3").release_notebook)
    if kind == "own_cells_only":
        nb.cells = [nbformat.v4.new_code_cell(c.source) for c in nb.cells]
    elif kind == "mixed":
        nb.cells += other.cells[-3:]
    elif kind == "shared_cells_only":
        nb.cells = [c for c in other.cells if notebooks.nbgrader_meta(c).get("grade_id") in ("setup", "config", "intro")]
    prepare(_save(tmp_path, nb), RELEASE, catalog=_catalog())


def test_misfiled_notebooks_can_be_graded_as_what_they_are(tmp_path):
    """`llmt grade --misfiled grade`: 3_3's notebook in 3_2's folder is graded as 3_3, unless the
    student handed in 3_3 too."""
    from graders.grade import find_submissions

    b = manifest.get("3_3")
    theirs = nbformat.writes(notebooks.read(b.release_notebook))
    for student in ("ann", "bob"):
        folder = tmp_path / "submitted" / student / A.id
        folder.mkdir(parents=True)
        (folder / f"{A.id}.ipynb").write_text(theirs)
    (tmp_path / "submitted" / "bob" / b.id).mkdir()
    (tmp_path / "submitted" / "bob" / b.id / f"{b.id}.ipynb").write_text(theirs)
    as_filed, _ = find_submissions(tmp_path)
    assert [(s.student, s.assignment.id, s.handed_in_as) for s in as_filed] == \
        [("ann", A.id, None), ("bob", A.id, None), ("bob", b.id, None)]
    regraded, _ = find_submissions(tmp_path, misfiled="grade")
    assert [(s.student, s.assignment.id, s.handed_in_as) for s in regraded] == \
        [("ann", b.id, A.id), ("bob", A.id, None), ("bob", b.id, None)]
