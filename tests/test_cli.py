"""`llmt` argument handling, in process, without running kernels."""

import json

import pytest

from graders import cli, grade
from graders.grade import AssignmentResult, CellResult, Report

A = "3_1_transformer_impl_attention_qkv"


def test_missing_path_exits_2_with_a_message(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "nowhere")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_unknown_assignment_exits_2(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path), "--assignment", "9_9_nothing"]) == 2
    assert "unknown assignment" in capsys.readouterr().err


def test_folder_without_submissions_exits_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    assert cli.main(["grade", str(tmp_path)]) == 2
    assert "no submissions" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--min-score", "7"], ["--timeout", "0"], ["--student", "../evil"]])
def test_bad_options_exit_2(tmp_path, args, capsys):
    (tmp_path / f"{A}.ipynb").write_text("{}")
    assert cli.main(["grade", str(tmp_path), *args]) == 2
    assert "llmt: error:" in capsys.readouterr().err


def test_bad_usage_exits_2():
    with pytest.raises(SystemExit) as exc:
        cli.main(["grade"])
    assert exc.value.code == 2


@pytest.fixture
def unwritten(monkeypatch):
    """7_3 as if its source notebook had not been written yet (the course grows issue by issue)."""
    from graders import manifest

    real = manifest.Assignment.authored
    monkeypatch.setattr(manifest.Assignment, "authored",
                        property(lambda a: not a.id.startswith("7_3") and real.fget(a)))
    return manifest.get("7_3")


def test_unauthored_assignment_cannot_be_released(unwritten, capsys):
    assert cli.main(["release", "7_3"]) == 2
    assert "no source notebook" in capsys.readouterr().err


def _touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")


def test_submitted_folder_layout(tmp_path):
    _touch(tmp_path / "alice" / A / f"{A}.ipynb")
    (tmp_path / "bob" / "homework").mkdir(parents=True)
    subs, notes = grade.find_submissions(tmp_path)
    assert [(s.student, s.assignment.id) for s in subs] == [("alice", A)]
    assert notes == ["skipped bob/homework: not an assignment of the course"]


def test_course_layout_with_student_filter(tmp_path):
    for student in ("alice", "bob"):
        _touch(tmp_path / "submitted" / student / A / f"{A}.ipynb")
    subs, _ = grade.find_submissions(tmp_path, student="bob")
    assert [(s.student, s.notebook) for s in subs] == [("bob", tmp_path / "submitted" / "bob" / A / f"{A}.ipynb")]


def test_folder_of_one_students_notebooks(tmp_path):
    _touch(tmp_path / f"{A}.ipynb")
    _touch(tmp_path / "scratch.ipynb")
    subs, notes = grade.find_submissions(tmp_path, student="carol")
    assert [(s.student, s.assignment.id) for s in subs] == [("carol", A)]
    assert notes == ["skipped scratch.ipynb: its name is not an assignment of the course"]


def test_single_notebook_with_assignment_option(tmp_path):
    _touch(tmp_path / "my_attempt.ipynb")
    subs, _ = grade.find_submissions(tmp_path / "my_attempt.ipynb", assignment="3_1")
    assert [(s.student, s.assignment.id) for s in subs] == [("student", A)]


def _fake_report(score):
    rep = Report()
    rep.add("alice", AssignmentResult(A, [CellResult("test_a", score, 4.0, None if score == 4 else "AssertionError: no")]))
    return rep


@pytest.mark.parametrize("score, code", [(4.0, 0), (3.0, 0), (1.0, 1)])
def test_min_score_gates_the_exit_code(tmp_path, monkeypatch, score, code):
    (tmp_path / f"{A}.ipynb").write_text("{}")
    monkeypatch.setattr(cli, "grade", lambda *a, **k: _fake_report(score))
    out = tmp_path / "reports" / "r.json"  # missing folders are created
    assert cli.main(["grade", str(tmp_path), "--min-score", "0.5", "--json", str(out), "--junit", str(out.with_suffix(".xml"))]) == code
    assert json.loads(out.read_text())["students"][0]["score"] == score
    assert out.with_suffix(".xml").is_file()


def test_notebook_of_an_assignment_not_written_yet_is_an_error_entry(unwritten, tmp_path, capsys):
    _touch(tmp_path / "sub" / "7_3_evaluation_quantitative_KL_divergence.ipynb")
    report = tmp_path / "r.json"
    assert cli.main(["grade", str(tmp_path / "sub"), "--course-dir", str(tmp_path / "course"), "--json", str(report)]) == 0
    entry = json.loads(report.read_text())["students"][0]["assignments"][0]
    assert entry["error"].endswith("has no source notebook in this course yet") and entry["score"] == 0


def test_list_shows_every_assignment(capsys):
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 18
    assert any(line.startswith(A) and line.endswith("ready") for line in lines)


def test_list_marks_an_assignment_not_written_yet(unwritten, capsys):
    assert cli.main(["list"]) == 0
    assert any(line.startswith(unwritten.id) and line.endswith("planned") for line in capsys.readouterr().out.splitlines())


def test_without_source_notebooks_commands_explain_the_install(tmp_path, monkeypatch, capsys):
    from graders import manifest

    monkeypatch.setattr(manifest, "COURSE_ROOT", tmp_path)  # as from a non-editable install
    assert cli.main(["demo"]) == 2
    assert "pip install -e ." in capsys.readouterr().err
