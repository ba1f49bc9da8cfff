"""Shared test settings.

Hypothesis explores new random cases on every local run; under CI (``CI=true``) it runs a
fixed, derandomised set so that a landing never depends on luck.  Either way a failure is
printed with the falsifying example so it can be replayed.

The header of every run names the files the packages were imported from.  ``.ci/run`` tests
the installed wheel and sets ``MICROGRAD_LIKE_TEST_INSTALLED=1``: the run then stops at once
if the code under test is a checkout rather than the installed package.
"""

from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")


def _package_dirs() -> dict[str, Path]:
    import micrograd_like
    import nn

    return {m.__name__: Path(m.__file__).resolve().parent for m in (micrograd_like, nn)}


def pytest_report_header(config: pytest.Config) -> list[str]:
    import micrograd_like

    return [f"micrograd-like {micrograd_like.__version__}: "
            + ", ".join(f"{name} from {path}" for name, path in _package_dirs().items())]


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("MICROGRAD_LIKE_TEST_INSTALLED") != "1":
        return
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    for name, path in _package_dirs().items():
        if not path.is_relative_to(site):
            raise pytest.UsageError(
                f"MICROGRAD_LIKE_TEST_INSTALLED=1 but {name} was imported from {path}, "
                f"not from the installed package in {site}"
            )


@pytest.fixture
def graphviz_dot():
    """Skip (or, under CI=true, fail) when Graphviz's dot is not installed."""
    if shutil.which("dot") is None:
        reason = "Graphviz's dot is not installed (apt-get install graphviz)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
