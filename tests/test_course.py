"""The manifest, the source notebooks and what `llmt release` makes of them."""

import ast
import os
import re

import pytest
from traitlets.config.loader import PyFileConfigLoader

from graders import manifest, notebooks, release
from graders.cli import main

AUTHORED = manifest.authored()


def test_manifest_lists_the_seventeen_assignments_once():
    ids = [a.id for a in manifest.ASSIGNMENTS]
    modules = [a.module for a in manifest.ASSIGNMENTS]
    assert len(ids) == 17 and len(set(ids)) == 17 and len(set(modules)) == 17
    assert all(re.fullmatch(r"[1-7]_[1-9]_\w+", i) for i in ids)
    assert ids == sorted(ids, key=lambda i: (int(i[0]), int(i[2])))
    assert all(m.isidentifier() for m in modules)
    assert all(a.points > 0 for a in manifest.ASSIGNMENTS)
    assert all(a.gpu for a in manifest.ASSIGNMENTS if a.id[0] in "567")


def test_get_accepts_unambiguous_prefixes():
    assert manifest.get("3_1").id == "3_1_transformer_impl_attention_qkv"
    with pytest.raises(KeyError, match="unknown assignment"):
        manifest.get("9_9")


def test_offline_fixtures_named_by_the_manifest_exist():
    from graders.profile import FIXTURES

    assert all(f in FIXTURES for a in manifest.ASSIGNMENTS for f in a.offline.values())


def test_an_environment_variable_names_one_fixture_course_wide():
    """Grading sets every ready assignment's variables at once (graders.profile.use_offline_profile),
    so two assignments may share a variable only if they map it to the same fixture."""
    seen = {}
    for a in manifest.ASSIGNMENTS:
        for var, fixture in a.offline.items():
            assert seen.setdefault(var, fixture) == fixture, f"{var} names {seen[var]} and {fixture} ({a.id})"


@pytest.mark.parametrize("a", AUTHORED, ids=lambda a: a.id)
def test_fixtures_a_check_loads_are_built_before_grading(a):
    """A fixture named in graders/<module>.py is one the manifest has grading build beforehand."""
    from graders.profile import FIXTURES

    path = manifest.COURSE_ROOT / "graders" / f"{a.module}.py"
    named = {n.value for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Constant) and n.value in FIXTURES}
    assert named <= set(a.offline.values()) | set(a.check_fixtures)


def test_nbgrader_config_reads_the_course_from_the_manifest():
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(manifest.COURSE_ROOT))
    config = loader.load_config()
    assert config.CourseDirectory.course_id == manifest.COURSE_ID
    assert config.ClearSolutions.code_stub["python"].endswith("raise NotImplementedError()")
    assert config.Autograde.pre_convert_hook == "graders.profile.use_offline_profile"


def test_plain_nbgrader_autograde_runs_offline(monkeypatch):
    from graders import profile

    env = {k: v for k, v in os.environ.items() if k not in ("LLMT_PROFILE", "LLMT_EMBEDDING_MODEL")}
    monkeypatch.setattr(os, "environ", env)  # the hook changes the process environment: give it a copy
    profile.use_offline_profile(assignment="3_1_transformer_impl_attention_qkv", student="s", notebooks=[])
    assert os.environ["LLMT_PROFILE"] == "offline" and os.path.isdir(os.environ["LLMT_EMBEDDING_MODEL"])
    env.clear()
    env["LLMT_PROFILE"] = "full"
    profile.use_offline_profile()
    assert env == {"LLMT_PROFILE": "full"}


@pytest.mark.parametrize("a", AUTHORED, ids=lambda a: a.id)
def test_grade_cells_add_up_to_the_manifest_points(a):
    cells = notebooks.grade_cells(notebooks.read(a.source_notebook))
    assert len(cells) >= 2, "partial credit needs at least two graded parts"
    assert sum(c.points for c in cells) == a.points
    assert all(c.autograded for c in cells)


@pytest.mark.parametrize("a", AUTHORED, ids=lambda a: a.id)
def test_every_task_is_followed_by_its_test(a):
    nb = notebooks.read(a.source_notebook)
    kinds = ["solution" if notebooks.nbgrader_meta(c).get("solution") else "grade" if notebooks.nbgrader_meta(c).get("grade") else None
             for c in nb.cells]
    kinds = [k for k in kinds if k]
    assert kinds[-1] == "grade" and kinds[0] == "solution"
    for hidden_call, cell in [(c.source, c) for c in nb.cells if notebooks.nbgrader_meta(c).get("grade")]:
        assert "### BEGIN HIDDEN TESTS" in hidden_call, "each test cell calls its hidden check"
        visible = hidden_call.split("### BEGIN HIDDEN TESTS")[0]
        assert "assert" in visible and "graders" not in visible, "visible tests are plain, self-contained asserts"


@pytest.mark.parametrize("a", AUTHORED, ids=lambda a: a.id)
def test_solution_cells_only_define(a):
    """Solution cells hold imports and definitions, so solutions/<module>.py imports without work."""
    nb = notebooks.read(a.source_notebook)
    cells = notebooks.solution_cells(nb) + [notebooks.setup_cell(nb)]
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
    for cell in cells:
        for node in ast.parse(notebooks.solution_code(cell.source)).body:
            assert isinstance(node, allowed), f"{type(node).__name__} in a solution cell: {ast.unparse(node)[:60]}"


def test_release_and_solutions_are_up_to_date(capsys):
    assert main(["release", "--check"]) == 0, capsys.readouterr().out


def test_release_check_names_stale_files(tmp_path, monkeypatch):
    import shutil

    for d in ("source", "release", "solutions"):
        shutil.copytree(manifest.COURSE_ROOT / d, tmp_path / d)
    monkeypatch.setattr(manifest, "COURSE_ROOT", tmp_path)
    a = AUTHORED[0]
    (tmp_path / "solutions" / f"{a.module}.py").write_text("# edited by hand\n")
    (tmp_path / "release" / "0_0_orphan").mkdir()
    (tmp_path / "release" / "0_0_orphan" / "x.ipynb").write_text("{}")
    stale = release.release([a], check=True)
    assert stale == [f"solutions/{a.module}.py", "release/0_0_orphan"]
    assert release.release([a]) == [f"solutions/{a.module}.py"]
    assert release.release([a], check=True) == ["release/0_0_orphan"]


def _visible_source(nb) -> str:
    """What the source notebook shows outside its solution regions and hidden tests."""
    parts = []
    for cell in nb.cells:
        text = cell.source
        if notebooks.BEGIN_SOLUTION in text:
            text = text.split(notebooks.BEGIN_SOLUTION)[0] + text.split(notebooks.END_SOLUTION)[-1]
        parts.append(text.split("### BEGIN HIDDEN TESTS")[0])
    return "\n".join(parts)


def test_nothing_secret_reaches_release():
    """No solution region and no hidden test reaches a release notebook. A line of a solution region
    may appear there only where the source shows it too (a hint, a common `with torch.no_grad():`)."""
    for a in AUTHORED:
        text = a.release_notebook.read_text()
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "graders", "solutions"):
            assert marker not in text, f"{marker!r} in {a.release_notebook.name}"
        source = notebooks.read(a.source_notebook)
        visible = _visible_source(source)
        for cell in notebooks.solution_cells(source):
            region = cell.source.split(notebooks.BEGIN_SOLUTION)[1].split(notebooks.END_SOLUTION)[0]
            for line in region.splitlines():
                line = line.strip()
                if len(line) > 12 and line not in visible:
                    assert line not in text, f"solution line in {a.release_notebook.name}: {line}"


@pytest.mark.parametrize("a", AUTHORED, ids=lambda a: a.id)
def test_solution_module_is_the_notebook_code(a):
    import importlib

    module = importlib.import_module(f"solutions.{a.module}")
    for cell in notebooks.solution_cells(notebooks.read(a.source_notebook)):
        for node in ast.parse(notebooks.solution_code(cell.source)).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                assert callable(getattr(module, node.name))


def test_gradebook_schema_stamp_matches_alembic(tmp_path):
    """llmt reads alembic's head in process; it must be what `alembic heads` says."""
    import subprocess
    import sys
    from pathlib import Path

    import nbgrader.api
    from nbgrader.dbutil import _temp_alembic_ini

    from graders.course import Course

    Course(tmp_path).api()
    alembic = Path(sys.executable).parent / "alembic"
    with _temp_alembic_ini(f"sqlite:///{tmp_path}/x.db") as ini:
        heads = subprocess.check_output([str(alembic), "-c", ini, "heads"], text=True)
    assert nbgrader.api.get_alembic_version() == heads.split()[0]


# ------------------------------------------------------------- modules shipped with later notebooks

SHIPPING = [a for a in AUTHORED if a.ships]


def test_shipped_modules_are_earlier_ones_and_their_own_in_course_order():
    order = [a.id for a in manifest.ASSIGNMENTS]
    for a in manifest.ASSIGNMENTS:
        deps = manifest.shipped(a)
        assert all(order.index(d.id) < order.index(a.id) for d in deps), a.id
        assert deps == sorted(deps, key=lambda d: order.index(d.id))
        for d in deps:
            assert {x.id for x in manifest.shipped(d)} <= {x.id for x in deps}, f"{d.module} needs more than {a.id} ships"
    later = manifest.Assignment("9_9_later", "later", "Later", ships=("decoder",))
    assert [d.module for d in manifest.shipped(later)] == ["transformer_block", "multi_head_attention", "decoder"]


def test_solutions_import_shipped_modules_relatively():
    code = "import math\nfrom transformer_block import MLP, TransformerBlock\nimport multi_head_attention as mha\n"
    assert release.relative_imports(code, ["transformer_block", "multi_head_attention"]) == (
        "import math\nfrom .transformer_block import MLP, TransformerBlock\nfrom . import multi_head_attention as mha\n")


@pytest.mark.parametrize("a", SHIPPING, ids=lambda a: a.id)
def test_shipped_modules_reach_the_release_and_solutions_import(a):
    import importlib

    importlib.import_module(f"solutions.{a.module}")  # relative imports inside the package work
    for owner in manifest.shipped(a):
        name = f"{owner.module}.py"
        shipped = (manifest.COURSE_ROOT / "source" / a.id / name).read_text()
        assert (manifest.COURSE_ROOT / "release" / a.id / name).read_text() == shipped
        assert "Do not edit" in shipped and shipped == release.shipped_module_text(owner)
        assert not any(f"from .{dep.module}" in shipped for dep in manifest.shipped(owner)), "sibling imports stay absolute"


@pytest.mark.parametrize("a", SHIPPING[:1], ids=lambda a: a.id)
def test_release_check_names_stale_and_missing_shipped_copies(a, tmp_path, monkeypatch):
    import shutil

    for d in ("source", "release", "solutions"):
        shutil.copytree(manifest.COURSE_ROOT / d, tmp_path / d)
    monkeypatch.setattr(manifest, "COURSE_ROOT", tmp_path)
    first, *_ = manifest.shipped(a)
    copy = tmp_path / "source" / a.id / f"{first.module}.py"
    copy.write_text(copy.read_text() + "\n# edited by hand\n")
    assert f"source/{a.id}/{first.module}.py" in release.release([a], check=True)
    copy.unlink()
    assert f"source/{a.id}/{first.module}.py" in release.release([a], check=True)
    release.release([a])
    assert release.release([a], check=True) == []
    assert copy.read_text() == release.shipped_module_text(first)


@pytest.mark.parametrize("a", SHIPPING[:1], ids=lambda a: a.id)
def test_grading_puts_the_released_shipped_modules_back(a, tmp_path):
    """A student who edits a shipped module is graded with the released one (nbgrader's Autograde
    overwrites the submission's other files with the source folder's)."""
    import shutil

    from graders import profile
    from graders.course import Course
    from graders.grade import Submission, _read_scores

    course = Course(tmp_path)
    with profile.environment(profile.offline_environment([a])):
        course.generate(a)
        submitted = course.path("submitted", a.id, "mallory")
        submitted.mkdir(parents=True)
        shutil.copyfile(a.source_notebook, submitted / f"{a.id}.ipynb")
        shipped = [f"{d.module}.py" for d in manifest.shipped(a)]
        for name in shipped:
            (submitted / name).write_text('raise ImportError("edited by the student")\n')
        assert course.api().autograde(a.id, "mallory", force=True, create=True)["success"]
    for name in shipped:
        assert (course.path("autograded", a.id, "mallory") / name).read_text() == (a.source_notebook.parent / name).read_text()
    result = _read_scores(course, Submission("mallory", a, submitted / f"{a.id}.ipynb"))
    assert result.score == result.max_score
