"""Ending a grading process without tearing down its modules.

Once the judge has loaded torch and transformers, Python takes about a second to tear them down at
exit, with nothing left to do: a second on every `llmt grade` and every worker. `exit_now` runs the
exit handlers (temporary folders, the zygote, logging), flushes, and ends the process.
"""

from __future__ import annotations

import atexit
import os
import sys


def exit_now(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)
