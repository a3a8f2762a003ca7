"""One corpus case: how to build a submission, and the report it must get."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

#: build(folder, reference, release): write the student's files for one assignment into `folder`
#: (the student's `submitted/<student>/<A>/` folder, already created). `reference` is the source
#: notebook with its solutions (hidden tests included), `release` the untouched student notebook;
#: both are fresh copies the builder may change.
Builder = Callable[[Path, nbformat.NotebookNode, nbformat.NotebookNode], None]


@dataclass(frozen=True)
class Case:
    #: the student id the case is graded under (letters, digits, '_', '.', '@', '-')
    name: str
    #: the assignment id, e.g. "3_2_transformer_impl_transformer_block"
    assignment: str
    build: Builder
    #: what it is, in a line (shown when the case fails)
    what: str
    #: grade_id -> the exact final score; grade ids left out must score 0
    scores: dict[str, float] = field(default_factory=dict)
    #: a regex the notebook's error must match (None: the notebook must have no error)
    error: str | None = None
    #: grade_id -> a regex its message must match
    messages: dict[str, str] = field(default_factory=dict)
    #: grade_id -> a regex its flag (suspected tampering, forbidden call, ...) must match
    flags: dict[str, str] = field(default_factory=dict)
    #: regexes each of which one of the notebook's report notes (repairs made, files ignored) must match
    notes: tuple[str, ...] = ()
    #: called after grading with the course directory and the folder holding every submission;
    #: raises AssertionError when the case touched something it must not (gradebook, another
    #: student's files, the fixture cache, ...)
    after: Callable[[Path, Path], None] | None = None
