"""What a published package promises: one version everywhere, the type-hint marker in both
packages, the licence in the installed metadata.

Run against an installed wheel (as ``.ci/run`` does) these check the wheel itself; from a
checkout they check the source tree.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import re
import subprocess
import sys
from pathlib import Path

import pytest

import micrograd_like
import nn
from nn.cli import main

# PEP 440's public version scheme, the subset we use: release, optional pre/post/dev parts
PEP440 = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


def _installed_metadata():
    """The metadata of the installed micrograd-like whose code is the one imported, or skip.

    A checkout put on ``sys.path`` next to an older install would compare two different trees.
    """
    try:
        dist = importlib.metadata.distribution("micrograd-like")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("micrograd-like is not installed (only on sys.path)")
    installed = dist.locate_file("micrograd_like/__init__.py")
    if not installed.exists() or installed.resolve() != Path(micrograd_like.__file__).resolve():
        pytest.skip(f"the imported micrograd_like ({micrograd_like.__file__}) is not the "
                    f"installed distribution's files")
    return dist.metadata


def test_version_is_a_pep440_release_string():
    assert PEP440.match(micrograd_like.__version__), micrograd_like.__version__


def test_nn_reports_the_same_version_as_the_engine():
    assert nn.__version__ == micrograd_like.__version__


def test_cli_version_prints_the_program_name_and_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"micrograd-like {micrograd_like.__version__}"


def test_python_m_nn_version_exits_0():
    proc = subprocess.run([sys.executable, "-m", "nn", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"micrograd-like {micrograd_like.__version__}"


def test_installed_metadata_carries_the_same_version():
    assert _installed_metadata()["Version"] == micrograd_like.__version__


def test_installed_metadata_declares_the_mit_licence_as_spdx():
    meta = _installed_metadata()
    if meta["Metadata-Version"] < "2.4":
        pytest.skip(f"installed from metadata {meta['Metadata-Version']}, before "
                    "License-Expression (reinstall to check)")
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in (meta.get_all("License-File") or [])


@pytest.mark.parametrize("package", ["micrograd_like", "nn"])
def test_package_ships_the_py_typed_marker(package):
    """PEP 561: without py.typed a type checker ignores the package's annotations."""
    assert (importlib.resources.files(package) / "py.typed").is_file()
