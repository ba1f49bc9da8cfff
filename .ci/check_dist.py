"""Check the built sdist and wheel against the git checkout they were built from.

    python .ci/check_dist.py dist/

* the sdist holds every tracked file (but the CI scripts), so the tests run from it;
* the wheel holds every tracked file of the two packages (py.typed included) and nothing else
  but its metadata, which names the version the code states, the MIT licence as an SPDX
  expression with its file, and the supported Pythons.

Prints one line per check; exits 1 on the first failure.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

PACKAGES = ("micrograd_like", "nn")
NOT_IN_SDIST = (".ci/", ".gitignore")
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def fail(message: str) -> None:
    print(f"check_dist: FAILED: {message}")
    sys.exit(1)


def check_metadata(where: str, text: str, version: str) -> None:
    meta = Parser().parsestr(text)
    want = {"Name": "micrograd-like", "Version": version, "License-Expression": "MIT",
            "Requires-Python": ">=3.10"}
    for key, value in want.items():
        if meta[key] != value:
            fail(f"{where}: {key} is {meta[key]!r}, expected {value!r}")
    if "LICENSE" not in (meta.get_all("License-File") or []):
        fail(f"{where}: no License-File: LICENSE")
    classifiers = set(meta.get_all("Classifier") or [])
    missing = [v for v in SUPPORTED if f"Programming Language :: Python :: {v}" not in classifiers]
    if missing:
        fail(f"{where}: no classifier for Python {', '.join(missing)}")
    print(f"check_dist: {where}: micrograd-like {version}, MIT (SPDX), Python {SUPPORTED[0]}"
          f"-{SUPPORTED[-1]} classifiers")


def main(dist: Path) -> None:
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True,
                             check=True).stdout.split()
    source = Path("micrograd_like/__init__.py").read_text(encoding="utf-8")
    version = re.search(r'^__version__ = "([^"]+)"$', source, re.M).group(1)
    sdists, wheels = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        fail(f"expected one sdist and one wheel in {dist}, found {sdists + wheels}")

    with tarfile.open(sdists[0]) as tar:
        top = f"micrograd_like-{version}/"
        names = {m.name.removeprefix(top) for m in tar.getmembers() if m.isfile()}
        pkg_info = tar.extractfile(top + "PKG-INFO").read().decode()
    want = {f for f in tracked if not f.startswith(NOT_IN_SDIST)}
    if want - names:
        fail(f"sdist misses tracked files: {sorted(want - names)} (MANIFEST.in)")
    check_metadata("sdist", pkg_info, version)
    print(f"check_dist: sdist holds all {len(want)} tracked files (but .ci/)")

    with zipfile.ZipFile(wheels[0]) as whl:
        names = set(whl.namelist())
        info = f"micrograd_like-{version}.dist-info/"
        metadata = whl.read(info + "METADATA").decode()
    want = {f for f in tracked if f.startswith(tuple(p + "/" for p in PACKAGES))}
    want |= {f"{p}/py.typed" for p in PACKAGES}
    if want - names:
        fail(f"wheel misses package files: {sorted(want - names)} (package-data)")
    stray = {n for n in names if not n.startswith((info, *(p + "/" for p in PACKAGES)))}
    if stray:
        fail(f"wheel holds files outside the packages: {sorted(stray)}")
    if info + "licenses/LICENSE" not in names:
        fail("wheel has no dist-info/licenses/LICENSE")
    check_metadata("wheel", metadata, version)
    print(f"check_dist: wheel holds all {len(want)} package files, py.typed in "
          f"{' and '.join(PACKAGES)}, LICENSE")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
