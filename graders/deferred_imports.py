"""An import the `llmt` process defers to first use: rfc3987_syntax.

jsonschema, which nbformat imports (so nbgrader and llmt do), imports rfc3987_syntax at start
whenever it is installed (jupyter-events' extras bring it) to offer the "iri" string format;
rfc3987_syntax builds a Lark parser of RFC 3987 as it is imported: 1.0 s of the 1.4 s that
`import graders.cli` took on a quiet 2-core machine, several seconds on a loaded one. Nothing
in a grading process checks that format (nbformat, nbconvert, nbclient and nbgrader validate
without a format checker). A placeholder module stands in for it: the one function jsonschema
takes from it, and any other name, import the real module the first time they are used, so
anything that does check IRIs gets the same answers, a second later.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

NAME = "rfc3987_syntax"


def defer_rfc3987_syntax() -> None:
    """Put the placeholder in place (call before nbformat or jsonschema is imported)."""
    spec = None if NAME in sys.modules else importlib.util.find_spec(NAME)
    if spec is None:
        return
    placeholder = types.ModuleType(NAME, "rfc3987_syntax, imported on first use (graders/deferred_imports.py)")
    placeholder.__spec__ = spec
    real = None

    def load() -> types.ModuleType:
        nonlocal real
        if real is None:
            if sys.modules.get(NAME) is placeholder:
                del sys.modules[NAME]
            real = importlib.import_module(NAME)
        return real

    def is_valid_syntax(*args, **kwargs):
        return load().is_valid_syntax(*args, **kwargs)

    def other_name(name: str):  # a module's __getattr__ (PEP 562)
        if name.startswith("__"):  # what the import system asks a module (__path__, __spec__, ...)
            raise AttributeError(name)
        return getattr(load(), name)

    placeholder.is_valid_syntax = is_valid_syntax
    placeholder.__getattr__ = other_name
    sys.modules[NAME] = placeholder
