"""Which installed packages differ from constraints.txt: the versions the newest-releases CI job
(.ci/newest) tests against, as a Markdown table (GitHub's job summary shows it).

    python .ci/differences.py [constraints.txt]      # run with the environment's own python
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path


def pinned(text: str) -> dict[str, str]:
    """name -> version of every `name==version` line of a constraints file (names normalised)."""
    found = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if m:
            found[_norm(m.group(1))] = m.group(2)
    return found


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> dict[str, str]:
    return {_norm(d.metadata["Name"]): d.version for d in metadata.distributions() if d.metadata["Name"]}


def differences(pins: dict[str, str], have: dict[str, str]) -> list[tuple[str, str, str]]:
    """(package, pinned, installed) for each package pinned at another version, pinned but not
    installed ("-"), or installed but not pinned (new dependencies; torch and pip tools excepted)."""
    skip = {"pip", "setuptools", "wheel", "torch", "llm-model-trainings"}
    rows = [(n, v, have.get(n, "-")) for n, v in sorted(pins.items()) if have.get(n) != v]
    rows += [(n, "-", v) for n, v in sorted(have.items()) if n not in pins and n not in skip and not n.startswith("nvidia-")]
    return sorted(rows)


def markdown(rows: list[tuple[str, str, str]]) -> str:
    if not rows:
        return "### Newest releases: the same versions as constraints.txt\n"
    lines = ["### Newest releases: versions that differ from constraints.txt", "",
             "| package | constraints.txt | newest |", "| --- | --- | --- |"]
    lines += [f"| {n} | {a} | {b} |" for n, a, b in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else Path(__file__).resolve().parent.parent / "constraints.txt")
    print(markdown(differences(pinned(path.read_text()), installed())), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
