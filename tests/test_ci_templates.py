"""The GitHub Actions workflows under .github/workflows, as far as they can be checked off GitHub.

Every workflow parses; every `llmt` command a workflow (or .ci/run) runs parses with `llmt`'s own
argument parser, and every `make` target exists; reusable-workflow calls (in ci.yml and in the
README's example for a student's repository) pass only inputs the called workflow declares. The
shell steps of the student template that handle files run here as GitHub runs them: collecting a
student's notebooks, and publishing the score from what `llmt grade --json --summary` wrote.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest
import yaml

from graders import cli, manifest
from graders.grade import AssignmentResult, CellResult, Report

ROOT = manifest.COURSE_ROOT
WORKFLOWS = ROOT / ".github" / "workflows"
STUDENT_TEMPLATE = WORKFLOWS / "student-grade.yml"
A1, A2 = "1_1_tokenization_impl_byte_pair_encoding", "3_1_transformer_impl_attention_qkv"


def _load_text(text: str) -> dict:
    doc = yaml.safe_load(text)
    if True in doc:  # YAML 1.1 reads the key `on` as the boolean true
        doc["on"] = doc.pop(True)
    return doc


def _load(path: Path) -> dict:
    return _load_text(path.read_text())


def _workflows() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def _step(workflow: dict, name: str) -> dict:
    return next(s for job in workflow["jobs"].values() for s in job.get("steps", []) if s.get("name") == name)


# ---------------------------------------------------------------- the commands the workflows run

def _inputs(workflow: dict) -> dict:
    return ((workflow["on"] or {}).get("workflow_call") or {}).get("inputs") or {}


def _expressions(text: str, workflow: dict) -> str:
    """GitHub's `${{ ... }}`: an input's default where it has one, else a placeholder."""
    inputs = _inputs(workflow)

    def value(m):
        name = re.fullmatch(r"inputs\.([\w-]+)", m.group(1).strip())
        default = inputs.get(name.group(1), {}).get("default") if name else None
        return "x" if default in (None, "") else str(default)

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def _commands(script: str, env: dict[str, str]) -> list[list[str]]:
    """The simple commands of a shell script (variables expanded from `env`, else a placeholder;
    a command substitution, such as `$(nproc)`, becomes 1)."""
    expand = lambda word: re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), "x"), re.sub(r"\$\([^)]*\)", "1", word))  # noqa: E731
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        if not re.search(r"\b(llmt|make)\b", line):
            continue
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        for token in [*lexer, ";"]:
            if token and set(token) <= set("&|;()<>"):
                if command:
                    commands.append(command)
                command = []
            elif command or not re.fullmatch(r"\w+=.*", token):  # skip leading VAR=value
                command.append(expand(token))
    return commands


def _run_scripts() -> list[tuple[str, list[str]]]:
    """(where, argv) of every command of every workflow `run` step, and of .ci/run."""
    found = [(".ci/run", c) for c in _commands((ROOT / ".ci" / "run").read_text(), dict(os.environ))]
    for path in _workflows():
        wf = _load(path)
        for job_id, job in wf["jobs"].items():
            for step in job.get("steps", []):
                if "run" not in step:
                    continue
                env = {k: _expressions(str(v), wf) for scope in (wf, job, step) for k, v in (scope.get("env") or {}).items()}
                where = f"{path.name}: {job_id}: {step.get('name', step['run'][:40])}"
                found += [(where, c) for c in _commands(_expressions(step["run"], wf), env)]
    return found


def _make_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", (ROOT / "Makefile").read_text(), re.M))


def test_every_workflow_parses():
    assert {p.name for p in _workflows()} >= {"ci.yml", "student-grade.yml"}
    for path in _workflows():
        wf = _load(path)
        assert wf.get("on") and wf.get("jobs"), path.name
        for job_id, job in wf["jobs"].items():
            assert ("runs-on" in job and job.get("steps")) or "uses" in job, f"{path.name}: {job_id}"
            for step in job.get("steps", []):
                assert ("uses" in step) != ("run" in step), f"{path.name}: {job_id}: {step}"


def test_every_llmt_and_make_command_exists_with_its_options():
    commands = _run_scripts()
    targets = _make_targets()
    for where, argv in commands:
        program = Path(argv[0]).name
        if program == "llmt":
            stderr = io.StringIO()
            try:
                with redirect_stderr(stderr):
                    cli.parser().parse_args(argv[1:])
            except SystemExit:
                pytest.fail(f"{where}: `{shlex.join(argv)}` is not a valid llmt command:\n{stderr.getvalue()}")
        elif program == "make":
            named, args = [], argv[1:]
            while args:
                arg, *args = args
                if arg == "-C":
                    args = args[1:]  # the folder of a Makefile: the course's, checked out there
                elif "=" not in arg and not arg.startswith("-"):
                    named.append(arg)
            assert named and set(named) <= targets, f"{where}: `{shlex.join(argv)}`: no such make target"
    ran = {(where.split(":")[0], Path(argv[0]).name, argv[1]) for where, argv in commands if len(argv) > 1}
    # what the issue asks of each: the README's test command and llmt check; grading with reports
    assert {(".ci/run", "make", "test"), ("ci.yml", "make", "check"), ("student-grade.yml", "llmt", "grade")} <= ran
    grading = next(argv for where, argv in commands if where.startswith("student-grade.yml") and Path(argv[0]).name == "llmt")
    assert {"--json", "--junit", "--summary"} <= set(grading)


def _torch_install(tmp_path: Path, torch: str | None) -> str:
    """The pip command `make setup` would run to install torch into a new environment, TORCH=torch."""
    env = {k: v for k, v in os.environ.items() if k != "TORCH"} | ({"TORCH": torch} if torch else {})
    plan = subprocess.run(["make", "-n", "setup", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, text=True,
                          capture_output=True, check=True, env=env).stdout
    return next(line.split("|| ")[1] for line in plan.splitlines() if "install torch" in line)


def test_ci_installs_the_cpu_build_of_the_makefiles_torch(tmp_path):
    ci = _load(WORKFLOWS / "ci.yml")
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
    assert any(s.get("run") == ".ci/run" for s in ci["jobs"]["test"]["steps"])
    pinned = _torch_install(tmp_path, None).split(" install ")[1]  # the Makefile's own pin
    for wf in (ci, _load(STUDENT_TEMPLATE)):
        torch = next(job["env"]["TORCH"] for job in wf["jobs"].values() if "TORCH" in job.get("env", {}))
        assert torch == f"{pinned} --index-url https://download.pytorch.org/whl/cpu"
        # make takes TORCH from the environment the workflow sets
        assert _torch_install(tmp_path, torch).endswith(f"pip install {torch}")


def _readme_caller() -> dict:
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    caller = [b for b in blocks if "student-grade.yml@" in b]
    assert len(caller) == 1, "README: one yaml example calls student-grade.yml"
    return _load_text(caller[0])


@pytest.mark.parametrize("caller", ["ci.yml", "README.md"])
def test_calls_of_the_student_template_pass_declared_inputs(caller):
    wf = _readme_caller() if caller == "README.md" else _load(WORKFLOWS / caller)
    template = _load(STUDENT_TEMPLATE)
    inputs, secrets = _inputs(template), template["on"]["workflow_call"].get("secrets") or {}
    calls = [job for job in wf["jobs"].values() if "student-grade.yml" in job.get("uses", "")]
    assert calls
    for job in calls:
        if caller == "README.md":
            assert re.fullmatch(r"[\w.-]+/[\w.-]+/\.github/workflows/student-grade\.yml@[\w./-]+", job["uses"])
        else:
            assert job["uses"] == "./.github/workflows/student-grade.yml"
        given = job.get("with") or {}
        assert set(given) <= set(inputs)
        assert {k for k, v in inputs.items() if v.get("required")} <= set(given)
        assert set(job.get("secrets") or {}) <= set(secrets)
        if "min-score" in given:
            assert 0 <= float(given["min-score"]) <= 1


# ------------------------------------------------------------- the template's own shell steps

def _bash(script: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    """A `run` step as GitHub's runners run it (bash -e)."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c", script], cwd=cwd, text=True,
                          capture_output=True, env={**os.environ, **env})


def _nb(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")
    return path


def test_collecting_a_students_notebooks(tmp_path):
    step = _step(_load(STUDENT_TEMPLATE), "Collect the notebooks")
    repo = tmp_path / "student"
    _nb(repo / "release" / A1 / f"{A1}.ipynb")  # the release layout
    _nb(repo / f"{A2}.ipynb")
    _nb(repo / "release" / A1 / ".ipynb_checkpoints" / f"{A1}-checkpoint.ipynb")
    _nb(repo / "notes" / "scratch.ipynb")

    done = _bash(step["run"], tmp_path, NOTEBOOKS="student/.")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "submission").iterdir()) == sorted([f"{A1}.ipynb", f"{A2}.ipynb", "scratch.ipynb"])

    _nb(repo / "old" / f"{A2}.ipynb")
    (tmp_path / "submission").rename(tmp_path / "before")
    done = _bash(step["run"], tmp_path, NOTEBOOKS="student/.")
    assert done.returncode == 1 and f"::error::two notebooks named {A2}.ipynb" in done.stdout


def test_collecting_one_notebook(tmp_path):
    step = _step(_load(STUDENT_TEMPLATE), "Collect the notebooks")
    _nb(tmp_path / "student" / "work" / f"{A2}.ipynb")
    done = _bash(step["run"], tmp_path, NOTEBOOKS=f"student/work/{A2}.ipynb")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (tmp_path / "submission").iterdir()] == [f"{A2}.ipynb"]


def _report() -> Report:
    rep = Report()  # `llmt grade` adds the notes of find_submissions: each test's folder has a notes.ipynb
    rep.add("alice", AssignmentResult(A1, [CellResult("test_merge", 4.0, 4.0), CellResult("test_encode", 0.0, 6.0, "AssertionError: a|b <0>\nmore")]))
    rep.add("alice", AssignmentResult(A2, [CellResult("test_attention", 10.0, 10.0)]))
    rep.add("bob", AssignmentResult(A2, [CellResult("test_attention", 0.0, 10.0)], error="not valid JSON"))
    return rep


SUMMARY = f"""\
### llm-model-trainings: autograded scores (offline profile)

| student | assignment | score | notes |
| --- | --- | ---: | --- |
| alice | {A1} | 4 / 10 | lost points in test_encode |
| alice | {A2} | 10 / 10 |  |
| alice | **total** | **14 / 20** (70%) |  |
| bob | {A2} | 0 / 10 | error: not valid JSON |

- note: skipped notes.ipynb: its name is not an assignment of the course
"""


def test_summary_is_a_markdown_table_of_the_report(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "grade", lambda *a, **k: _report())
    _nb(tmp_path / "sub" / f"{A2}.ipynb")
    _nb(tmp_path / "sub" / "notes.ipynb")
    out = tmp_path / "score" / "summary.md"
    assert cli.main(["grade", str(tmp_path / "sub"), "--summary", str(out)]) == 0
    assert out.read_text() == SUMMARY


def test_markdown_cells_keep_table_syntax_out():
    from graders import report

    rep = Report()
    rep.add("carol", AssignmentResult(A2, [], error="bad | cell <script>"))
    row = report.markdown(rep).splitlines()[4]
    assert row == f"| carol | {A2} | 0 / 0 | error: bad \\| cell &lt;script&gt; |"


def test_publishing_the_score(tmp_path, monkeypatch):
    """The template's last shell step: the summary into the job summary, the total as an output."""
    monkeypatch.setattr(cli, "grade", lambda *a, **k: _report())
    _nb(tmp_path / "submission" / f"{A2}.ipynb")
    _nb(tmp_path / "submission" / "notes.ipynb")
    score = tmp_path / "score"
    assert cli.main(["grade", str(tmp_path / "submission"), "--student", "alice", "--json", str(score / "score.json"),
                     "--junit", str(score / "score.xml"), "--summary", str(score / "summary.md")]) == 0
    step = _step(_load(STUDENT_TEMPLATE), "Publish the score")
    summary, output = tmp_path / "step_summary.md", tmp_path / "output"
    done = _bash(step["run"], tmp_path, GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(output),
                 PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    assert done.returncode == 0, done.stderr
    assert summary.read_text() == SUMMARY
    assert output.read_text() == "score=14 / 20\n"
    assert "::notice title=score::14 / 20" in done.stdout
    assert json.loads((score / "score.json").read_text())["students"][0]["score"] == 14


def test_publishing_without_a_score_says_so(tmp_path):
    step = _step(_load(STUDENT_TEMPLATE), "Publish the score")
    summary = tmp_path / "step_summary.md"
    done = _bash(step["run"], tmp_path, GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(tmp_path / "output"))
    assert done.returncode == 0 and "grading did not finish" in summary.read_text()


def test_a_job_tries_the_newest_releases_and_may_fail(tmp_path):
    """Issue 16 §4: ci.yml runs the tests without constraints.txt (.ci/newest), allowed to fail;
    `make setup CONSTRAINTS=` installs without them."""
    job = _load(WORKFLOWS / "ci.yml")["jobs"]["newest"]
    assert job["continue-on-error"] is True
    assert [s["run"] for s in job["steps"] if "run" in s] == [".ci/newest"]
    assert os.access(ROOT / ".ci" / "newest", os.X_OK)
    script = (ROOT / ".ci" / "newest").read_text()
    assert "make setup" in script and "CONSTRAINTS=" in script and "make test" in script
    plan = lambda *extra: subprocess.run(["make", "-n", "setup", f"VENV={tmp_path / 'venv'}", *extra], cwd=ROOT,  # noqa: E731
                                         text=True, capture_output=True, check=True).stdout
    assert "-c constraints.txt -e" in plan()
    assert 'pip install  -e ".[test]"' in plan("CONSTRAINTS=") and "constraints.txt" not in plan("CONSTRAINTS=")


def test_the_newest_job_lists_the_versions_that_differ():
    import importlib.util

    spec = importlib.util.spec_from_file_location("differences", ROOT / ".ci" / "differences.py")
    differences = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(differences)
    pins = differences.pinned("# comment\ntransformers==4.57.1\nKernels==0.1\nsame-one==1.0\n")
    assert pins == {"transformers": "4.57.1", "kernels": "0.1", "same-one": "1.0"}
    have = {"transformers": "5.25.0", "same-one": "1.0", "brand-new": "2.0", "pip": "25", "nvidia-cublas": "12"}
    rows = differences.differences(pins, have)
    assert rows == [("brand-new", "-", "2.0"), ("kernels", "0.1", "-"), ("transformers", "4.57.1", "5.25.0")]
    table = differences.markdown(rows)
    assert "| transformers | 4.57.1 | 5.25.0 |" in table and "same-one" not in table
    # this environment is installed with constraints.txt: nothing pinned differs (a fresh process:
    # this one's sys.path may hold vendored copies that other tests imported)
    out = subprocess.run([sys.executable, str(ROOT / ".ci" / "differences.py")], text=True, capture_output=True, check=True).stdout
    rows = [line.split(" | ") for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [r for r in rows if r[1].strip() != "-"] == []
