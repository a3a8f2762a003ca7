import importlib.util
from pathlib import Path

import pytest
from hypothesis import settings

import graders.properties  # noqa: F401 (registers the grading profile)

# The tests of the references use the same deterministic profile as grading.
settings.load_profile(graders.properties.GRADING_PROFILE)


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch):
    """No test may reach the Hugging Face Hub."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    yield


# A GPU machine may lack the notebook stack (nbgrader, nbformat): there, collect the gpu tests only,
# so that `pytest -m gpu` runs them.
if importlib.util.find_spec("nbgrader") is None:
    collect_ignore_glob = [p.name for p in Path(__file__).parent.glob("test_*.py") if not p.name.startswith("test_gpu")]
