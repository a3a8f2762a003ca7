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
