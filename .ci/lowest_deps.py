"""Print pip constraints pinning each dependency to the lowest version pyproject.toml allows.

    python .ci/lowest_deps.py pyproject.toml > lowest.txt
    pip install "dist/micrograd_like-*.whl[test]" -c lowest.txt

Covers the run-time dependencies and the extras a user installs (not the test tools, not the
benchmark's pinned baseline): every ``name>=X`` becomes ``name==X``, so CI proves the floors
we state are floors that work.
"""

from __future__ import annotations

import re
import sys

import tomllib

USER_EXTRAS = ("digits", "mnist", "gif")


def main(path: str) -> None:
    with open(path, "rb") as f:
        project = tomllib.load(f)["project"]
    requirements = list(project["dependencies"])
    for extra in USER_EXTRAS:
        requirements += project["optional-dependencies"].get(extra, [])
    for req in requirements:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9.]*)", req)
        if m is None:
            sys.exit(f"lowest_deps: cannot read a floor from {req!r} (write name>=X.Y)")
        print(f"{m.group(1)}=={m.group(2)}")


if __name__ == "__main__":
    main(sys.argv[1])
