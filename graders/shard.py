"""`llmt grade --shard i/n`: one part of a class, for a GitHub Actions matrix or a Slurm job array.

Every shard is given the same full list of submissions (the same checkout, the same shared
folder) and picks its part of it: the list is sorted by assignment (in the course's order), then
student, and dealt out round-robin, so each shard gets every n-th notebook of every assignment and
the shards' loads differ by at most one notebook per assignment. Which shard grades a notebook
depends only on the list, not on the machine or the order the files were found in.

A shard's JSON report says which part it is and fingerprints the list it was dealt from;
`llmt merge` (graders/merge.py) refuses shards dealt from different lists (a submission that
arrived between two shard jobs would otherwise be graded twice or not at all).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from . import manifest
from .finding import Submission, UsageError

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    index: int  # 1 to count
    count: int

    @classmethod
    def parse(cls, spec: str) -> Shard:
        """'2/4' -> Shard(2, 4): the second of four parts, numbered from 1 as Slurm's and GitHub's
        matrix jobs usually are."""
        m = _SPEC.match(spec or "")
        if not m:
            raise UsageError(f"--shard wants i/n, the i-th of n parts (e.g. 1/4), not {spec!r}")
        index, count = int(m[1]), int(m[2])
        if count < 1 or not 1 <= index <= count:
            raise UsageError(f"--shard {spec}: i must be between 1 and n (n at least 1)")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def pick(self, submissions: list[Submission]) -> list[Submission]:
        """This shard's part of `submissions`, in the order given."""
        mine = {key for k, key in enumerate(dealing_order(submissions)) if k % self.count == self.index - 1}
        return [s for s in submissions if (s.assignment.id, s.student) in mine]

    def describe(self, submissions: list[Submission]) -> dict:
        """What a shard's report records: which part of which list."""
        return {"index": self.index, "count": self.count, "submissions": len(submissions),
                "fingerprint": fingerprint(submissions)}


def dealing_order(submissions: list[Submission]) -> list[tuple[str, str]]:
    """(assignment id, student) of each submission, by assignment in the course's order, then student."""
    order = {a.id: i for i, a in enumerate(manifest.ASSIGNMENTS)}
    return sorted(((s.assignment.id, s.student) for s in submissions), key=lambda k: (order[k[0]], k[1]))


def fingerprint(submissions: list[Submission]) -> str:
    """A digest of which (student, assignment) pairs the list holds: the same on every machine that
    sees the same submissions, wherever they lie."""
    text = "\n".join(f"{student}/{assignment}" for assignment, student in dealing_order(submissions))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
