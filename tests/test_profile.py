"""The offline profile: environment variables, fixtures and their cache."""

import os
from pathlib import Path

import pytest

from graders import manifest, profile


def test_offline_environment_names_the_profile_and_the_fixtures():
    env = profile.offline_environment([manifest.get("3_1")])
    assert env["LLMT_PROFILE"] == "offline"
    assert env["HF_HUB_OFFLINE"] == "1" and env["HF_DATASETS_OFFLINE"] == "1"
    assert os.path.isfile(os.path.join(env["LLMT_EMBEDDING_MODEL"], "config.json"))


def test_minilm_fixture_is_a_real_pretrained_encoder():
    from transformers import AutoModel, AutoTokenizer

    path = profile.fixture_path("minilm")
    tokenizer = AutoTokenizer.from_pretrained(path)
    table = AutoModel.from_pretrained(path).get_input_embeddings().weight.detach()
    cat, dog, the = (table[tokenizer.convert_tokens_to_ids(w)] for w in ("cat", "dog", "the"))
    cos = lambda a, b: float(a @ b / (a.norm() * b.norm()))  # noqa: E731
    assert cos(cat, dog) > cos(cat, the) + 0.2  # trained: related words are close


@pytest.fixture
def counting_fixture(monkeypatch, tmp_path):
    builds = []

    def build(dest):
        builds.append(dest)
        (dest / "data.txt").write_text("deterministic\n")

    monkeypatch.setitem(profile.FIXTURES, "toy", profile.Fixture("toy", build=build, version="3"))
    monkeypatch.setenv("LLMT_CACHE", str(tmp_path / "cache"))
    return builds


def test_built_fixture_goes_to_the_overridable_cache_once(counting_fixture, tmp_path):
    first = profile.fixture_path("toy")
    second = profile.fixture_path("toy")
    assert first == second == tmp_path / "cache" / "toy-v3"
    assert (first / "data.txt").read_text() == "deterministic\n"
    assert len(counting_fixture) == 1
    assert not any(p.name.endswith(".building") for p in (tmp_path / "cache").iterdir())


def test_cache_defaults_to_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("LLMT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert profile.cache_dir() == tmp_path / "llmt"


def test_environment_is_restored(monkeypatch):
    monkeypatch.setenv("LLMT_PROFILE", "full")
    monkeypatch.delenv("LLMT_EMBEDDING_MODEL", raising=False)
    with profile.environment({"LLMT_PROFILE": "offline", "LLMT_EMBEDDING_MODEL": "x"}):
        assert os.environ["LLMT_PROFILE"] == "offline"
    assert os.environ["LLMT_PROFILE"] == "full" and "LLMT_EMBEDDING_MODEL" not in os.environ


@pytest.mark.parametrize("name", ["tiny-gpt2", "tiny-gpt-neo"])
def test_tiny_models_load_with_their_tokenizer(name):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = profile.fixture_path(name)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    text = "Alice met the queen. 日本語 🤖 <|endoftext|>"
    ids = tokenizer(text, return_tensors="pt").input_ids
    assert tokenizer.decode(ids[0]) == text
    assert ids[0, -1].item() == tokenizer.eos_token_id and tokenizer.pad_token is None  # as GPT-2's
    assert model(ids).logits.shape == (1, ids.shape[1], len(tokenizer))
    assert model.config.eos_token_id == tokenizer.eos_token_id


def test_built_fixtures_are_deterministic(tmp_path):
    from graders import fixtures

    for run in ("a", "b"):
        for kind, build in (("tokenizer", fixtures.build_tokenizer), ("model", fixtures.build_tiny_gpt2)):
            (tmp_path / run / kind).mkdir(parents=True)
            build(tmp_path / run / kind)
    for name in ("tokenizer/tokenizer.json", "model/model.safetensors"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_llmt_offline_prints_the_environment_a_shell_can_eval(capsys):
    """`llmt offline 3_4`: export lines that, eval'd, give the offline profile and its fixtures."""
    import shlex

    from graders.cli import main

    assert main(["offline", "3_4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    env = {}
    for line in lines:
        word, assignment = shlex.split(line)
        assert word == "export"
        name, value = assignment.split("=", 1)
        env[name] = value
    assert env["LLMT_PROFILE"] == "offline"
    assert Path(env["LLMT_GPT2_MODEL"]).is_dir()  # the tiny GPT-2 the notebook loads instead of the Hub's


def test_llmt_offline_kernel_sets_the_environment_itself(tmp_path):
    import json

    from graders import profile

    env = profile.offline_environment([])
    where = profile.install_kernel({**env, "LLMT_X": "1"}, user=False, prefix=str(tmp_path))
    spec = json.loads((where / "kernel.json").read_text())
    assert where.name == profile.KERNEL_NAME and spec["env"]["LLMT_X"] == "1"
    assert spec["argv"][1:3] == ["-m", "ipykernel_launcher"] and "offline" in spec["display_name"]


def _config_cell(a: manifest.Assignment) -> str:
    from graders import notebooks

    nb = notebooks.read(a.release_notebook)
    return next(c.source for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == "config")


@pytest.mark.parametrize("a", [a for a in manifest.ASSIGNMENTS if a.offline], ids=lambda a: a.id[:3])
def test_offline_without_its_variables_stops_in_the_config_cell(a, monkeypatch):
    """Issue 20 §1: LLMT_PROFILE=offline alone fails at once, in the configuration cell, naming the
    command that sets the rest, and the cell checks exactly the variables the offline profile sets."""
    import ast
    import re
    import sys

    source = _config_cell(a)
    declared = re.search(r"^OFFLINE_VARS = (\(.*?\))", source, re.M)
    assert declared, f"{a.id}: the config cell declares no OFFLINE_VARS"
    assert sorted(ast.literal_eval(declared.group(1))) == sorted(a.offline)
    lines = source.split("\n")
    at = next(i for i, line in enumerate(lines) if "raise RuntimeError(" in line)
    head = "\n".join(lines[:at + 2])  # the cell up to its check (the raise spans two lines)
    monkeypatch.syspath_prepend(str(a.release_notebook.parent))  # the modules shipped beside it
    monkeypatch.setenv("LLMT_PROFILE", "offline")
    for var in a.offline:
        monkeypatch.delenv(var, raising=False)
    loaded = set(sys.modules)
    try:
        with pytest.raises(RuntimeError, match=re.escape(f'eval "$(.venv/bin/llmt offline {a.id[:3]})"')):
            exec(compile(head, a.id, "exec"), {})
        for var in a.offline:
            monkeypatch.setenv(var, "/somewhere")
        exec(compile(head, a.id, "exec"), {})  # with them set, the cell goes on
    finally:  # the shipped modules it imported (weight_init, decoder...) stay out of later tests
        release = str(a.release_notebook.parent.parent)
        for name in set(sys.modules) - loaded:
            if (getattr(sys.modules[name], "__file__", None) or "").startswith(release):
                del sys.modules[name]


def test_a_release_notebook_runs_offline_after_the_documented_steps(tmp_path):
    """The README's Student section, as written: `eval "$(.venv/bin/llmt offline 3_4)"`, then the
    notebook (here headless, with `jupyter execute`, its cells filled in as a student would)."""
    import re
    import shutil
    import subprocess
    import sys

    import nbformat

    from graders import notebooks

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    student = readme[readme.index("## Student"):]
    step = re.search(r'^(eval "\$\(\.venv/bin/llmt offline (\w+)\)")', student, re.M)
    assert step, "README: the Student section gives the eval line"
    a = manifest.get(step.group(2))
    folder = tmp_path / a.id
    shutil.copytree(a.release_notebook.parent, folder)
    solved = notebooks.fill_solutions(notebooks.read(a.release_notebook), notebooks.read(a.source_notebook))
    nbformat.write(solved, str(folder / a.release_notebook.name))
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMT_", "HF_", "TRANSFORMERS_"))
           or k == "LLMT_CACHE"}
    script = step.group(1).replace(".venv/bin/", f"{bin_dir}/") + f" && {bin_dir}/jupyter execute {a.release_notebook.name}"
    done = subprocess.run(["bash", "-c", script], cwd=folder, env=env, text=True, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
