"""Grading at class scale: `llmt grade --workers`, `--shard`, `llmt merge` and the recipes that use
them (recipes/slurm/, .github/workflows/grade-class.yml).

One small class (two quick assignments, 3_2 and 3_3; a complete, a half done and a broken
submission each) is graded serially once per session; every other way of grading it must give the
same report, JUnit file and gradebook.
"""

import json
import os
import random
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET

import nbformat
import pytest
import yaml

from graders import cli, manifest, profile, report
from graders.course import Course
from graders.grade import AssignmentResult, CellResult, Report, Submission, grade_one
from graders.gradebook import open_gradebook
from graders.parallel import grade_concurrently
from graders.selfcheck import _student_notebook
from graders.shard import Shard, fingerprint

ASSIGNMENTS = [manifest.get("3_2"), manifest.get("3_3")]
ROOT = manifest.COURSE_ROOT
STUDENTS = {
    "complete": lambda a: nbformat.writes(_student_notebook(a, 1.0)),
    "half_done": lambda a: nbformat.writes(_student_notebook(a, 0.5)),
    "broken": lambda a: a.release_notebook.read_text()[:300],  # not JSON: an error entry, no kernel
}


def _write_class(root, students):
    for student, make in students.items():
        for a in ASSIGNMENTS:
            path = root / "submitted" / student / a.id / f"{a.id}.ipynb"
            path.parent.mkdir(parents=True)
            path.write_text(make(a))
    return root


def _outputs(out):
    return ["--course-dir", str(out / "course"), "--json", str(out / "report.json"), "--junit", str(out / "junit.xml"),
            "--feedback", str(out / "feedback")]


@pytest.fixture(scope="session")
def klass(tmp_path_factory):
    return _write_class(tmp_path_factory.mktemp("class"), STUDENTS)


@pytest.fixture(scope="session")
def serial(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    assert cli.main(["grade", str(klass), *_outputs(out)]) == 0
    return out


def gradebook_scores(course_dir):
    """(student, assignment) -> every grade's (name, auto_score, needs_manual_grade), from nbgrader's API."""
    scores = {}
    with open_gradebook(course_dir / "gradebook.db") as gb:
        for a in gb.assignments:
            for sub in a.submissions:
                scores[sub.student.id, a.name] = sorted((g.name, g.auto_score, g.needs_manual_grade)
                                                        for nb in sub.notebooks for g in nb.grades)
    return scores


def graded_files(out):
    """Every file a run leaves in its course directory (but the gradebook) and its --feedback folder:
    what a worker writes in its scratch course must reach the course."""
    return sorted(str(p.relative_to(out)) for kind in ("course", "feedback") for p in (out / kind).rglob("*")
                  if p.is_file() and p.name != "gradebook.db")


def assert_same_as_serial(serial, out):
    assert (out / "report.json").read_text() == (serial / "report.json").read_text()
    assert report.JUNIT_TIME.sub("", (out / "junit.xml").read_text()) == report.JUNIT_TIME.sub("", (serial / "junit.xml").read_text())
    assert gradebook_scores(out / "course") == gradebook_scores(serial / "course")


def test_the_serial_run_is_a_fair_baseline(serial):
    totals = {s["student"]: s["score"] for s in json.loads((serial / "report.json").read_text())["students"]}
    assert totals["complete"] == 20 and totals["broken"] == 0 and 0 < totals["half_done"] < 20
    # the broken notebook is in the gradebook too, a zero (issue 20 §2)
    assert set(gradebook_scores(serial / "course")) == {(s, a.id) for s in STUDENTS for a in ASSIGNMENTS}


# ---------------------------------------------------------------------------------------- workers

def test_workers_give_the_serial_report_and_gradebook(klass, serial, tmp_path):
    assert cli.main(["grade", str(klass), "--workers", "2", *_outputs(tmp_path)]) == 0
    assert_same_as_serial(serial, tmp_path)
    assert graded_files(tmp_path) == graded_files(serial)


def crash_or_grade(course, sub, feedback_dir):
    """The unit of work, except that it kills its worker process for one student and raises for another."""
    if sub.student == "crashes":
        os._exit(3)
    if sub.student == "raises":
        raise RuntimeError("the judge lost its kernel")
    return grade_one(course, sub, feedback_dir)


def test_a_dying_or_failing_worker_costs_only_its_notebook(tmp_path):
    a = ASSIGNMENTS[1]
    subs = [Submission(name, a, a.release_notebook) for name in ("crashes", "raises", "untouched")]
    course = Course(tmp_path)
    course.generate(a)
    # one worker: it dies with the first notebook, and its replacement grades the other two
    results = grade_concurrently(course, subs, profile.offline_environment([a]), None, 1, work=crash_or_grade)
    assert [r.assignment for r in results] == [a.id] * 3
    assert results[0].error == "the grading process died while grading this notebook (exit code 3)"
    assert results[1].error == "grading failed: RuntimeError: the judge lost its kernel"
    for r in results:
        assert r.score == 0 and r.max_score == 10
    assert results[2].error is None and [c.grade_id for c in results[2].cells] == [
        "test_split_merge_heads", "test_multi_head_attention", "test_input_checks"]
    assert set(gradebook_scores(tmp_path)) == {("untouched", a.id)}


def test_results_travel_as_plain_data_whatever_their_fields():
    from graders.serialize import from_plain, to_plain

    result = AssignmentResult("x", [CellResult("t1", 1.0, 2.0, "why"), CellResult("t2", 0.0, 1.0)], error=None)
    assert from_plain(AssignmentResult, to_plain(result)) == result
    assert from_plain(AssignmentResult, json.loads(json.dumps(to_plain(result)))) == result
    assert from_plain(AssignmentResult, {**to_plain(result), "score": 1.0, "unknown": 3}) == result


@pytest.mark.parametrize("args", [["--workers", "0"], ["--shard", "0/2"], ["--shard", "3/2"], ["--shard", "1/0"],
                                  ["--shard", "2"], ["--shard", "a/b"]])
def test_bad_workers_or_shard_exit_2(tmp_path, args, capsys):
    (tmp_path / f"{ASSIGNMENTS[0].id}.ipynb").write_text("{}")
    assert cli.main(["grade", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert "llmt: error: --workers must be at least 1" in err if args[0] == "--workers" else "llmt: error: --shard" in err


# ----------------------------------------------------------------------------------------- shards

def _subs(students, assignments=manifest.ASSIGNMENTS):
    return [Submission(s, a, ROOT / f"{s}.ipynb") for s in students for a in assignments]


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_shards_deal_every_notebook_once_and_evenly(n):
    subs = _subs([f"student{i:02d}" for i in range(10)])
    parts = [Shard(i, n).pick(subs) for i in range(1, n + 1)]
    keys = [(s.student, s.assignment.id) for part in parts for s in part]
    assert sorted(keys) == sorted((s.student, s.assignment.id) for s in subs)  # each exactly once
    for a in manifest.ASSIGNMENTS:  # every assignment spread evenly: heavy ones do not pile up
        counts = [sum(s.assignment == a for s in part) for part in parts]
        assert max(counts) - min(counts) <= 1
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 1
    for part in parts:  # each part in the order given, as serial grading goes
        assert part == [s for s in subs if s in part]


def test_a_shard_depends_on_the_list_not_its_order_or_paths():
    subs = _subs(["ann", "bob", "cy"])
    shuffled = random.Random(0).sample(subs, len(subs))
    moved = [Submission(s.student, s.assignment, ROOT / "elsewhere" / s.notebook.name) for s in subs]
    for i in (1, 2, 3):
        assert {(s.student, s.assignment.id) for s in Shard(i, 3).pick(shuffled)} == \
               {(s.student, s.assignment.id) for s in Shard(i, 3).pick(moved)}
    assert fingerprint(subs) == fingerprint(shuffled) == fingerprint(moved)
    assert fingerprint(subs) != fingerprint(subs[:-1])


def test_shard_spec():
    assert Shard.parse("2/4") == Shard(2, 4) and str(Shard.parse(" 1 / 1 ")) == "1/1"


def _fake_shard(path, index, count, entries, course=manifest.COURSE_ID, fp="f" * 16, submissions=None):
    rep = Report(shard={"index": index, "count": count, "submissions": submissions or len(entries), "fingerprint": fp})
    for student, a in entries:
        rep.add(student, AssignmentResult(a, [CellResult("t", 1.0, 1.0)]))
    data = report.as_dict(rep)
    data["course"] = course
    path.write_text(json.dumps(data))
    return str(path)


A2, A3 = (a.id for a in ASSIGNMENTS)


@pytest.mark.parametrize("make, message", [
    (lambda t: [_fake_shard(t / "1.json", 1, 2, [("a", A2)], submissions=2)], "missing shard(s) 2/2"),
    (lambda t: [_fake_shard(t / "1.json", 1, 2, [("a", A2)]), _fake_shard(t / "2.json", 1, 2, [("b", A2)])],
     "shard 1/2 given twice"),
    (lambda t: [_fake_shard(t / "1.json", 1, 2, [("a", A2)]), _fake_shard(t / "2.json", 2, 3, [("b", A2)])],
     "different numbers of shards"),
    (lambda t: [_fake_shard(t / "1.json", 1, 2, [("a", A2)]), _fake_shard(t / "2.json", 2, 2, [("b", A2)], fp="0" * 16)],
     "different lists of submissions"),
    (lambda t: [_fake_shard(t / "1.json", 1, 2, [("a", A2)]), _fake_shard(t / "2.json", 2, 2, [("a", A2)])],
     f"a/{A2} is in two shards"),
    (lambda t: [_fake_shard(t / "1.json", 1, 2, [("a", A2)], submissions=3), _fake_shard(t / "2.json", 2, 2, [("b", A2)], submissions=3)],
     "the shards hold 2 graded notebooks, but were dealt 3"),
    (lambda t: [_fake_shard(t / "1.json", 1, 1, [("a", A2)], course="another-course")], "mismatched courses"),
    (lambda t: [str(t / "nowhere.json")], "no such report"),
    (lambda t: [(t / "x.json").write_text("{oops") and str(t / "x.json")], "is not a JSON report"),
    (lambda t: [(t / "x.json").write_text(json.dumps(report.as_dict(Report()))) and str(t / "x.json")],
     "not a shard's report"),
])
def test_merge_refuses_bad_shards(tmp_path, make, message, capsys):
    assert cli.main(["merge", *make(tmp_path), "--course-dir", str(tmp_path / "merged")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "merged").exists()


def test_merge_refuses_bad_gradebooks(tmp_path, capsys):
    reports = [_fake_shard(tmp_path / f"{i}.json", i, 2, [(student, A2)], submissions=2) for i, student in ((1, "a"), (2, "b"))]
    merge = ["merge", *reports, "--course-dir", str(tmp_path / "merged"), "--course-dirs"]
    (tmp_path / "empty").mkdir()
    assert cli.main([*merge, str(tmp_path / "empty")]) == 2
    assert "holds no gradebook.db" in capsys.readouterr().err
    other = Course(tmp_path / "other")
    with open_gradebook(other.db_path):  # a gradebook of this course, holding neither notebook
        pass
    assert cli.main([*merge, str(other.root)]) == 2
    assert f"no gradebook among --course-dirs holds a/{A2}, b/{A2}" in capsys.readouterr().err
    assert cli.main(["merge", *reports, "--course-dir", str(other.root), "--course-dirs", str(other.root)]) == 2
    assert "is one of the shards' course directories" in capsys.readouterr().err
    from nbgrader.api import Gradebook

    (tmp_path / "foreign").mkdir()
    Gradebook(f"sqlite:///{tmp_path / 'foreign' / 'gradebook.db'}", "another-course").close()
    assert cli.main([*merge, str(tmp_path / "foreign")]) == 2
    assert "mismatched courses" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------- recipes

SLURM = ROOT / "recipes" / "slurm"


def _llmt_env(**extra):
    """The recipes' environment: LLMT runs this checkout's command with this interpreter."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "LLMT": f"{shlex.quote(sys.executable)} -m graders.cli", **extra}


def test_slurm_array_shards_merge_into_the_serial_report(klass, serial, tmp_path):
    out = tmp_path / "graded"
    for i in (1, 2):  # as Slurm runs the array's tasks (here one after the other), numbered from 0
        env = _llmt_env(SLURM_ARRAY_TASK_ID=str(i - 1), SLURM_ARRAY_TASK_MIN="0", SLURM_ARRAY_TASK_COUNT="2",
                        SLURM_CPUS_PER_TASK="1")
        subprocess.run(["bash", str(SLURM / "grade_array.sh"), str(klass), str(out)], env=env, check=True)
    shards = [json.loads((out / f"shard-{i}" / "report.json").read_text()) for i in (1, 2)]
    assert [s["shard"]["index"] for s in shards] == [1, 2] and all(s["students"] for s in shards)
    subprocess.run(["bash", str(SLURM / "merge.sh"), str(out)], env=_llmt_env(), check=True)
    assert_same_as_serial(serial, out)
    assert graded_files(out) == graded_files(serial)
    # the merged JUnit has each part's time, from the shards' JUnit files (issue 20 §2)
    times = [case.get("time") for case in ET.parse(out / "junit.xml").getroot().iter("testcase")
             if case.get("classname").startswith("complete.")]
    assert times and all(t is not None and float(t) > 0 for t in times)
    assert (out / "table.txt").read_text().splitlines()[0].split() == ["student", "assignment", "score", "notes"]


def test_slurm_merge_names_a_missing_shard(tmp_path):
    (tmp_path / "shard-1").mkdir()
    _fake_shard(tmp_path / "shard-1" / "report.json", 1, 2, [("a", A2)])
    run = subprocess.run(["bash", str(SLURM / "merge.sh"), str(tmp_path)], env=_llmt_env(), capture_output=True, text=True)
    assert run.returncode == 2 and "missing shard(s) 2/2" in run.stderr


def test_slurm_scripts_want_their_arguments():
    for script in ("grade_array.sh", "merge.sh"):
        run = subprocess.run(["bash", str(SLURM / script)], env=_llmt_env(), capture_output=True, text=True)
        assert run.returncode == 2 and run.stderr.startswith("usage: sbatch")


WORKFLOW = ROOT / ".github" / "workflows" / "grade-class.yml"


@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load(WORKFLOW.read_text())


def _step(job, name_part):
    return next(s for s in job["steps"] if name_part in s.get("name", "") or name_part == s.get("id"))


def _run_step(step, cwd, context=None, **env):
    """Run a workflow step's script with bash as the runner would (`shell: bash`), with the `${{ }}`
    expressions replaced from `context`, `env` added to the environment and `.venv/bin/llmt` being this
    checkout's command."""
    def expand(text):
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: str(context[m[1]]), str(text))
    llmt = cwd / ".venv" / "bin" / "llmt"
    if not llmt.exists():
        llmt.parent.mkdir(parents=True)
        llmt.write_text(f'#!/bin/bash\nexec {shlex.quote(sys.executable)} -m graders.cli "$@"\n')
        llmt.chmod(0o755)
    env = _llmt_env(**{k: expand(v) for k, v in step.get("env", {}).items()}, **env)
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", expand(step["run"])],
                          cwd=cwd, env=env, capture_output=True, text=True)


def test_workflow_plans_a_matrix_of_shards_then_merges(workflow, tmp_path):
    assert workflow[True]["workflow_dispatch"]["inputs"].keys() == {"submissions", "shards"}  # `on:` reads as True
    jobs = workflow["jobs"]
    assert jobs["grade"]["needs"] == "plan" and jobs["merge"]["needs"] == "grade"
    assert jobs["grade"]["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    assert jobs["grade"]["strategy"]["fail-fast"] is False
    output = tmp_path / "github_output"
    run = _run_step(_step(jobs["plan"], "plan"), tmp_path, {"inputs.shards": "3"}, GITHUB_OUTPUT=str(output))
    assert run.returncode == 0, run.stderr
    assert output.read_text() == "shards=[1, 2, 3]\n"


def test_workflow_grade_and_merge_steps_run(workflow, tmp_path):
    """The shell of the grade steps (two shards) and the merge step, run here on a class whose
    notebooks are all broken (no kernel needed); the artifacts are laid out as download-artifact's
    merge-multiple leaves them."""
    _write_class(tmp_path / "submissions", {"ann": STUDENTS["broken"]})
    grade, merge = _step(workflow["jobs"]["grade"], "grade shard"), _step(workflow["jobs"]["merge"], "merge")
    for i in (1, 2):
        run = _run_step(grade, tmp_path, {"matrix.shard": i, "strategy.job-total": 2, "inputs.submissions": "submissions"})
        assert run.returncode == 0, run.stderr
    (tmp_path / "out").rename(tmp_path / "shards")
    run = _run_step(merge, tmp_path)
    assert run.returncode == 0, run.stderr
    merged = json.loads((tmp_path / "graded" / "report.json").read_text())
    assert [(s["student"], [a["assignment"] for a in s["assignments"]]) for s in merged["students"]] == [("ann", [A2, A3])]
    assert all(a["error"].startswith("not a valid notebook") for s in merged["students"] for a in s["assignments"])
    assert "ann" in (tmp_path / "graded" / "table.txt").read_text()
    assert (tmp_path / "graded" / "junit.xml").is_file() and (tmp_path / "graded" / "course" / "gradebook.db").is_file()


def test_readme_commands_exist_with_those_flags(capsys):
    text = (ROOT / "README.md").read_text().replace("\\\n", " ")
    commands = [line.split("#")[0].split() for line in text.splitlines() if line.startswith(".venv/bin/llmt ")]
    assert any("merge" in c for c in commands) and any("--shard" in c for c in commands)
    for command in commands:
        if {"--help", "--version"} & set(command):  # they print and exit 0
            with pytest.raises(SystemExit) as stop:
                cli.parser().parse_args(command[1:])
            assert stop.value.code == 0
            continue
        cli.parser().parse_args(command[1:])  # exits 2 on an unknown command or flag


def test_workers_share_out_the_cpus_between_their_kernels(monkeypatch):
    from graders.parallel import THREAD_VARIABLES, threads_per_worker

    for var in THREAD_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    cpus = len(os.sched_getaffinity(0))
    assert threads_per_worker(2) == dict.fromkeys(THREAD_VARIABLES, str(max(1, cpus // 2)))
    assert threads_per_worker(10 * cpus) == dict.fromkeys(THREAD_VARIABLES, "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the caller's own setting stands
    assert "OMP_NUM_THREADS" not in threads_per_worker(2)
