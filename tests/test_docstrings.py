"""The examples in the engine's docstrings are true (run as doctests)."""

from __future__ import annotations

import doctest
import importlib

import pytest

# by module path: the package re-exports a function named ``gradcheck`` over its module
MODULES = [
    importlib.import_module(name)
    for name in [
        "micrograd_like",
        "micrograd_like.engine",
        "micrograd_like.gradcheck",
        "micrograd_like.viz",
        "micrograd_like.expr",
    ]
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_run_and_print_what_they_claim(module):
    result = doctest.testmod(module, verbose=False)
    assert result.attempted > 0, f"{module.__name__} has no examples"
    assert result.failed == 0
