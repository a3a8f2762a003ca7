"""Grading results as plain data (dicts, lists, numbers, strings) and back.

Worker processes send their results to the parent this way, and `llmt merge` reads shard reports
back into results. Both go by the dataclasses' own fields, not a list of them here, so a field
added to CellResult or AssignmentResult travels without a change to this module.
"""

from __future__ import annotations

import dataclasses
import types
import typing


def to_plain(result) -> dict:
    """A dataclass instance as nested dicts and lists."""
    return dataclasses.asdict(result)


def from_plain(cls, data: dict):
    """An instance of the dataclass `cls` built from `data`: each init field that `data` holds,
    nested dataclasses included; keys that are not fields (a report's computed `score`) are
    ignored, missing fields take their defaults."""
    hints = typing.get_type_hints(cls)
    kwargs = {f.name: _build(hints[f.name], data[f.name]) for f in dataclasses.fields(cls) if f.init and f.name in data}
    return cls(**kwargs)


def _build(tp, value):
    if value is None:
        return None
    if dataclasses.is_dataclass(tp):
        return from_plain(tp, value)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (list, tuple) and args:
        return origin(_build(args[0], v) for v in value)
    if origin is dict and len(args) == 2:
        return {k: _build(args[1], v) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):  # Optional[X] and X | None
        kinds = [a for a in args if a is not type(None)]
        return _build(kinds[0], value) if len(kinds) == 1 else value
    return value
