"""The examples in the docstrings are true (every module of both packages, run as doctests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import micrograd_like
import nn


def _modules() -> list:
    names = []
    for package in (micrograd_like, nn):
        names.append(package.__name__)
        # subpackages too (nn.exercises and its modules)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    # by module path: the package re-exports a function named ``gradcheck`` over its module
    return [importlib.import_module(name) for name in names if not name.endswith("__main__")]


MODULES = _modules()

# the public modules a reader opens first: each must teach by example
MUST_HAVE_EXAMPLES = {
    "micrograd_like", "micrograd_like.engine", "micrograd_like.derivative",
    "micrograd_like.finite_differences",
    "micrograd_like.viz", "micrograd_like.expr", "micrograd_like.tape", "micrograd_like.files",
    "nn", "nn.train",
    "nn.io", "nn.plots", "nn.exercises", "nn.exercises.derivatives",
    "nn.exercises.backward_pass", "nn.exercises.bp_equations", "nn.exercises.training_loop",
}


@pytest.mark.usefixtures("rule_table_restored")
@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_run_and_print_what_they_claim(module):
    result = doctest.testmod(module, verbose=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("name", sorted(MUST_HAVE_EXAMPLES))
def test_main_modules_have_examples(name):
    finder = doctest.DocTestFinder()
    examples = sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
    assert examples > 0, f"{name} has no docstring examples"
