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
        skip_or_fail("Graphviz's dot is not installed (apt-get install graphviz)")


@pytest.fixture(scope="session")
def jupyterlab_installed():
    """Skip (or, under CI=true, fail) when JupyterLab is not installed."""
    import importlib.util

    if importlib.util.find_spec("jupyterlab") is None:
        skip_or_fail('JupyterLab is not installed (pip install -e ".[notebooks]")')


def skip_or_fail(reason: str) -> None:
    """Skip a test whose tool is missing; under CI (``CI=true``) fail instead: CI must run it."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


# Chromium must not try the network: no background services, no updates, no QUIC, a fresh
# profile.  (--no-sandbox: CI runs as root in a container.)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium per test module, driven by Selenium.

    Skips (fails under CI=true) when Chromium, chromedriver or Selenium is missing.  The
    browser keeps its console messages and its network log (Chrome DevTools "performance"
    events), read with ``browser.get_log("browser")`` / ``get_log("performance")``.
    """
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        skip_or_fail("Chromium or chromedriver is not installed "
                      "(Debian/Ubuntu: apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip_or_fail("Selenium is not installed (pip install selenium)")
    options = Options()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def slow_dot(tmp_path_factory, monkeypatch):
    """A 'dot' first on PATH that never finishes (it sleeps): for the time limits.

    Skipped where the fake cannot be a shell script."""
    if os.name != "posix":
        pytest.skip("the fake dot is a shell script")
    fake = tmp_path_factory.mktemp("slow_dot") / "dot"
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent) + os.pathsep + os.environ.get("PATH", ""))
    return fake


@pytest.fixture
def rule_table_restored():
    """``define_op`` registers ops globally: put the rule table (and the cache of function
    forms) back as it was after the test, so no other test sees an op it did not define."""
    from micrograd_like import ops

    rules, functions = dict(ops.RULES), dict(ops._functions)
    yield
    ops.RULES.clear()
    ops.RULES.update(rules)
    ops._functions.clear()
    ops._functions.update(functions)
