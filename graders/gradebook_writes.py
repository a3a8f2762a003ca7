"""A gradebook this process creates is written without waiting for the disk after each commit.

SQLite's default (`synchronous=FULL`) makes every commit wait until the disk has the data, which
is what keeps a database whole through a power cut or an operating-system crash. nbgrader commits
often: on this machine's disk generating the seventeen assignments into a new gradebook takes
15 s at FULL and 5 s without the waits (`synchronous=OFF`). A gradebook that did not exist before
this process holds only what this process wrote, all of it reproducible by grading again, so it
is written with OFF: a check, a demo, a CI job or a shard in a fresh course directory. A
gradebook that existed before (an instructor's, with manual grades) keeps FULL. Locking and the
rollback journal are untouched, so another process, or this one failing, sees the same as before.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

_CREATED_HERE: set[str] = set()


def note_course(db_path: Path) -> None:
    """Call when a course directory is opened: its gradebook counts as created here if it does not
    exist yet."""
    if not db_path.exists():
        _CREATED_HERE.add(os.path.realpath(db_path))


@event.listens_for(Engine, "connect")
def _without_waits_if_created_here(dbapi_connection, _record) -> None:
    if not _CREATED_HERE or not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    try:
        files = {row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"}
        if any(f and os.path.realpath(f) in _CREATED_HERE for f in files):
            cursor.execute("PRAGMA synchronous=OFF")
    finally:
        cursor.close()
