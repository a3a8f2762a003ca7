"""A record per graded notebook: enough to reproduce the grade and to audit it.

The record names the submission (SHA-256 of the file as handed in), the course version (one hash
over every file of source/, solutions/ and graders/, so two graders that agree on it run the same
checks on the same references), the profile, how randomness is fixed, and the versions of the
libraries that compute the reference outputs. It has no times and no paths, so grading the same
submission twice writes the same record.
"""

from __future__ import annotations

import functools
import hashlib
import platform
from importlib import metadata
from pathlib import Path

from . import manifest

#: how a check's randomness is fixed (graders/properties.py GRADING profile, seeds in the checks)
SEED = "hypothesis derandomized (each check's examples come from its own code); torch seeds fixed in the checks"
VERSIONED = ("source", "solutions", "graders")
LIBRARIES = ("torch", "transformers", "hypothesis", "nbgrader", "numpy")


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@functools.cache
def course_version() -> str:
    """sha256 over the relative path and bytes of every file in source/, solutions/ and graders/."""
    h = hashlib.sha256()
    for top in VERSIONED:
        root = manifest.COURSE_ROOT / top
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(manifest.COURSE_ROOT)
            if "__pycache__" in rel.parts or ".ipynb_checkpoints" in rel.parts or path.suffix == ".pyc":
                continue
            h.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@functools.cache
def _libraries() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def record(notebook: Path, profile: str = "offline") -> dict:
    """The audit record of grading `notebook` (the submitted file; read, never written)."""
    path = Path(notebook)
    return {
        "submission_sha256": file_hash(path) if path.is_file() else None,
        "course_version": course_version(),
        "profile": profile,
        "seed": SEED,
        "libraries": dict(_libraries()),
    }
