"""What a notebook promises beyond its computations: the input checks it asks for and the edge cases
its hidden checks probe, declared as data beside the checks.

Two rules keep partial credit fair:

- Input validation is graded on its own. Every check module with input checks declares them in
  `INPUT_CHECKS`, and one small part per notebook (its `test_input_checks` cell, at most 1 point of
  10) runs them all through `run_input_checks`. The parts that grade computations never try an
  invalid input, so a missing `raise` costs that small part only, never a computation's points.
- A check probes only the edges that the notebook states. Each module declares `EDGES`: check name
  -> the edge cases (empty input, a single token, ties, stride = window, ...) that its properties
  draw or try. Where reasonable people differ and the text does not decide (an empty table or a
  ValueError?), the check accepts both (`either_or_error`).

Every `text` of both tables appears word for word (up to line breaks) in a markdown cell of the
assignment's notebook, so a student reads exactly what is tried; tests/test_contract.py holds the
tables and the notebooks together, and fails when a check declares something the notebook does not
say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

#: the grade cell of a notebook's input-checks part
INPUT_CHECKS_CELL = "test_input_checks"
#: what a failed input-checks part says first
INPUT_VALIDATION = "input validation"


@dataclass(frozen=True)
class InputCheck:
    """One invalid call the task asks to reject.

    `text` states it as the notebook does ("`max_norm <= 0`"); `call(objects)` makes the call on the
    student's objects, given by name (the arguments of the module's `check_input_checks`); `error` is
    the exception the notebook names."""

    text: str
    call: Callable[[dict], object]
    error: type[Exception] = ValueError


@dataclass(frozen=True)
class Edge:
    """An edge case a check probes; `text` is how the notebook states it and what is expected."""

    text: str


def run_input_checks(checks: tuple[InputCheck, ...], **objects) -> None:
    """Try every input check on the student's objects; one AssertionError lists each that failed.

    The message says that the computations are graded elsewhere, so a student reads that only the
    validation is missing."""
    __tracebackhide__ = True
    failures = []
    for check in checks:
        try:
            check.call(objects)
        except check.error:
            continue
        except Exception as exc:  # the student's code may raise anything
            failures.append(f"{check.text}: expected {check.error.__name__}, got {type(exc).__name__}: {exc}")
        else:
            failures.append(f"{check.text}: expected {check.error.__name__}, nothing was raised")
    if failures:
        raise AssertionError(f"{INPUT_VALIDATION} ({len(failures)} of {len(checks)} checks failed; your "
                             "computations are graded in their own parts): " + "; ".join(failures))


def either_or_error(call: Callable[[], object], accept: Callable[[object], None], error: type[Exception] = ValueError):
    """For an edge the notebook leaves open between a value and an error: `call()` may raise `error`,
    or return a value that `accept(value)` (raising AssertionError otherwise) finds right."""
    __tracebackhide__ = True
    try:
        value = call()
    except error:
        return
    accept(value)


def normalized(text: str) -> str:
    """`text` with runs of white space made one space, for matching across line breaks."""
    return re.sub(r"\s+", " ", text).strip()
