"""A message as the student reads it: their code and the error, without the grader's plumbing.

The judge runs a hidden check in its own process and calls the student's functions in the kernel;
what one of them raised comes back with its traceback (graders/wire.py). `student_text` keeps the
frames of the student's code, as "your code, line N, in f", and library frames without their
install path; the judge's frames, temporary and sandbox paths (which differ from run to run) and
"raised in the other process" go. The report, the table and the feedback page all show messages
through it, so the same submission gets the same words every run.
"""

from __future__ import annotations

import re
import tempfile

_TEMP_ROOTS = sorted({"/tmp", tempfile.gettempdir().rstrip("/")}, key=len, reverse=True)
_TEMP_PATH = re.compile("(?:" + "|".join(map(re.escape, _TEMP_ROOTS)) + r")/[^\s\"'<>:,)]*")
#: a file of the student's code as IPython names it when the judge calls into the kernel
_STUDENT_FILE = re.compile(r"/ipykernel_\d+/\d+\.py$")
_FILE_LINE = re.compile(r'^(\s*)File "([^"]*)", line (\d+), in (.*)$')
LIBRARY = re.compile(r"[^\s\"<>]*/(?:site|dist)-packages/")


def scrub(text: str) -> str:
    return _TEMP_PATH.sub("<temporary file>", text)


def student_text(text: str) -> str:
    """`text` (plain) without the grader's plumbing: judge frames, temporary paths, process talk."""
    out, skipping = [], None  # skipping: the indentation of a dropped frame's "File" line
    for line in text.replace("raised in the other process:\n", "").split("\n"):
        if skipping is not None and line.startswith(skipping + " "):
            continue  # the source line or carets of a dropped frame
        skipping = None
        m = _FILE_LINE.match(line)
        if m:
            indent, path, number, function = m.groups()
            if _STUDENT_FILE.search(path):
                line = f"{indent}your code, line {number}, in {function}"
            elif LIBRARY.search(path):
                line = f'{indent}File "{LIBRARY.sub("", path)}", line {number}, in {function}'
            else:
                skipping = indent
                continue
        out.append(line)
    # a "Traceback" header all of whose frames went
    out = [ln for ln, after in zip(out, out[1:] + [""])
           if not (ln.strip() == "Traceback (most recent call last):" and not after[:1].isspace())]
    return scrub("\n".join(out))
