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


# ------------------------------------------------------------------------------- help and version

def test_version_prints_the_package_version_and_exits_0(capsys):
    import re

    from graders import manifest

    # pyproject.toml's [project] version (tomllib is Python 3.11+; the course runs on 3.10 too)
    expected = re.search(r'^version = "([^"]+)"', (manifest.COURSE_ROOT / "pyproject.toml").read_text(), re.M)[1]
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"llmt {expected}"


def test_the_llmt_command_prints_its_version():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "graders.cli", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"llmt {cli.version()}", done.stderr


def _subcommands(parser):
    """(name, subparser, its help in the parent's list) of every subcommand of `parser`."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, sub, helps.get(name)


def test_every_subcommand_and_argument_has_a_help_line():
    import argparse

    p = cli.parser()
    missing = []
    for action in p._actions:
        if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
            missing.append(f"llmt {'/'.join(action.option_strings) or action.dest}")
    subcommands = list(_subcommands(p))
    assert {name for name, _, _ in subcommands} >= {"list", "release", "offline", "grade", "merge", "sandbox", "check", "demo"}
    for name, sub, listed in subcommands:
        if not (listed or "").strip():
            missing.append(f"llmt {name} (in `llmt --help`'s list of commands)")
        for action in sub._actions:
            if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
                missing.append(f"llmt {name} {'/'.join(action.option_strings) or action.metavar or action.dest}")
    assert missing == []
    listing = p.format_help()
    assert all(name in listing for name, _, _ in subcommands)


def test_grade_help_states_the_exit_codes_and_gives_examples(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["grade", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "exit status:" in out and "examples:" in out
    codes = out.split("exit status:")[1].split("examples:")[0]
    for code, says in [("0", "grading finished"), ("1", "--min-score"), ("2", "bad usage")]:
        assert f"  {code}  {says}" in codes, codes
    examples = [line.strip() for line in out.split("examples:")[1].splitlines() if line.strip().startswith("llmt grade ")]
    assert len(examples) >= 2
    for example in examples:  # each example parses
        args = cli.parser().parse_args(example.split()[1:])
        assert args.func is cli.cmd_grade


def test_grade_leaves_an_nbgrader_config_in_another_course_dir(tmp_path, monkeypatch, capsys):
    from graders import course, manifest

    (tmp_path / f"{A}.ipynb").write_text("{}")
    monkeypatch.setattr(cli, "grade", lambda *a, **k: _fake_report(4.0))
    assert cli.main(["grade", str(tmp_path), "--course-dir", str(tmp_path / "course")]) == 0
    config = tmp_path / "course" / "nbgrader_config.py"
    assert config.read_text().startswith(course.CONFIG_MARK) and (tmp_path / "course" / ".exchange").is_dir()
    assert "formgrader" in capsys.readouterr().err
    # nbgrader reads from it the course, this folder as its directory and its own exchange
    from traitlets.config.loader import PyFileConfigLoader

    c = PyFileConfigLoader("nbgrader_config.py", path=str(config.parent)).load_config()
    assert c.CourseDirectory.course_id == manifest.COURSE_ID
    assert c.CourseDirectory.root == str(config.parent) and c.Exchange.root == str(config.parent / ".exchange")
    assert c.Autograde.pre_convert_hook == "graders.profile.use_offline_profile"
    # an nbgrader_config.py of the instructor's own is kept; the repository's is never rewritten
    config.write_text("c = get_config()\n")
    assert cli.main(["grade", str(tmp_path), "--course-dir", str(tmp_path / "course")]) == 0
    assert config.read_text() == "c = get_config()\n"
    assert course.write_config(manifest.COURSE_ROOT) is None
