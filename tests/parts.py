"""What every tests/test_<module>_graders.py shares: running a module's hidden checks part by part,
as the grader does, and the verdicts a grade is made of."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterable, Iterator

from graders import manifest


def run_checks(calls: dict[str, Callable[[], None]], parts: Iterable[str] | None = None) -> dict[str, str | None]:
    """Part name -> None when its check passes, else the message a student would see.

    `calls` maps each part to a call of its check on the objects under test; `parts` runs only
    those (in that order), all of them by default.
    """
    results = {}
    for name in calls if parts is None else parts:
        try:
            calls[name]()
            results[name] = None
        except AssertionError as exc:
            results[name] = str(exc)
    return results


def assert_all_fail(results: dict[str, str | None], because: str = "NotImplementedError") -> None:
    """Every part failed, each with a message that names `because` (a stub gets nothing)."""
    assert all(results.values()), results
    assert all(because in m for m in results.values()), results


def assert_loses_its_part(results: dict[str, str | None], name: str, must_fail: str, must_pass: Iterable[str]) -> None:
    """The wrong implementation `name` fails `must_fail` and passes each of `must_pass`."""
    assert results[must_fail] is not None, f"{name} was not caught by {must_fail}"
    for part in must_pass:
        assert results[part] is None, f"{name} wrongly lost {part}: {results[part]}"


@contextlib.contextmanager
def beside_the_notebook(assignment_id: str) -> Iterator[None]:
    """The modules shipped beside a release notebook (manifest `ships`, e.g. `decoder`) importable by
    their own names for the duration, as the student's kernel imports them (a check builds its models
    there with `student_module("decoder")`); forgotten afterwards."""
    folder = manifest.get(assignment_id).release_notebook.parent
    names = [f.stem for f in folder.glob("*.py")]
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in names:
            sys.modules.pop(name, None)
