"""Shared test settings.

Hypothesis explores new random cases on every local run; under CI (``CI=true``) it runs a
fixed, derandomised set so that a landing never depends on luck.  Either way a failure is
printed with the falsifying example so it can be replayed.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")


@pytest.fixture
def graphviz_dot():
    """Skip (or, under CI=true, fail) when Graphviz's dot is not installed."""
    if shutil.which("dot") is None:
        reason = "Graphviz's dot is not installed (apt-get install graphviz)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
