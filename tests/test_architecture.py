"""The architecture as DESIGN.md draws it: imports point one way, the engine package knows no
neural nets, no private name crosses a module, and every module stays a readable size."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import micrograd_like
import nn

ENGINE = Path(micrograd_like.__file__).parent
NN = Path(nn.__file__).parent
MODULES = sorted([*ENGINE.rglob("*.py"), *NN.rglob("*.py")])
OURS = ("micrograd_like", "nn")


def module_name(path: Path) -> str:
    root = ENGINE.parent if path.is_relative_to(ENGINE) else NN.parent
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[ast.ImportFrom | ast.Import]:
    return [n for n in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(n, ast.ImportFrom | ast.Import)]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in imports(path):
        if isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
        else:
            names |= {a.name for a in node.names}
    return names


@pytest.mark.parametrize("path", [p for p in MODULES if p.is_relative_to(ENGINE)],
                         ids=lambda p: p.name)
def test_the_engine_package_never_imports_nn(path):
    assert not {m for m in imported_modules(path) if m == "nn" or m.startswith("nn.")}


NN_WORDS = re.compile(r"\b(neurons?|layers?|weights?|bias(es)?|costs?|delta)\b|δ", re.I)


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.*")), ids=lambda p: p.name)
def test_the_engine_package_has_no_word_of_neural_nets(path):
    # doctest lines (>>> and their output) may show what a library on top passes in
    text = "\n".join(line for line in path.read_text("utf-8").splitlines()
                     if not line.lstrip().startswith((">>>", "...")))
    text = text.replace("font-weight", "")  # a CSS property, not a neural net's weight
    found = sorted({m.group(0) for m in NN_WORDS.finditer(text)})
    assert not found, f"{path.name} mentions {found}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_takes_a_private_name_from_another(path):
    here = module_name(path)
    used = set()
    aliases = {}
    for node in imports(path):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(OURS):
            if node.module != here:
                used |= {f"{node.module}.{a.name}" for a in node.names
                         if a.name.startswith("_") and not a.name.startswith("__")}
            aliases |= {a.asname or a.name: f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname or a.name: a.name for a in node.names if a.name.startswith(OURS)}
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            used.add(f"{aliases[node.value.id]}.{node.attr}")
    assert not used


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_every_module_stays_under_about_600_lines(path):
    assert len(path.read_text("utf-8").splitlines()) <= 620  # 600 and a little slack
