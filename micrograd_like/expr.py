"""A safe parser for small arithmetic expressions such as ``"tanh(x*w + b)"``.

The text is parsed with Python's :mod:`ast` and checked against a whitelist before anything
is computed; nothing is ever passed to ``eval`` or ``exec``.  Allowed:

* numbers (``2``, ``0.5``, ``1e-3``), variable names (``x``, ``w1``),
* ``+ - * / **`` and unary ``-`` / ``+``, parentheses, ``% c`` with a number ``c``,
* calls of the engine's functions, each with as many arguments as its op takes: the
  names :func:`functions` lists, read from :data:`micrograd_like.ops.RULES` (``exp``,
  ``tanh``, ``maximum(a, b)``, ..., and ops added with ``define_op``).

Everything else (attributes, subscripts, lambdas, comprehensions, keyword or starred
arguments, strings, comparisons, other calls, ...) raises :class:`ExpressionError` with a
one-line message naming the construct and its column.

>>> e = parse("tanh(x*w + b)")
>>> e.names
('x', 'w', 'b')
>>> y, leaves = e.build({"x": 2.0, "w": -3.0, "b": 6.8813735870195432})
>>> y.backward()
>>> round(y.data, 4), round(leaves["x"].grad, 4)    # dy/dx = w (1 - y²) = -3 · 0.5
(0.7071, -1.5)
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

from micrograd_like import ops
from micrograd_like.engine import Value

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "Expression", "ExpressionError", "functions", "parse"]


def functions() -> dict[str, int]:
    """The functions an expression may call, with their number of arguments: every op of
    :data:`micrograd_like.ops.RULES` that has a function name (read at each call, so ops
    added with ``define_op`` are included).

    >>> functions()["tanh"], functions()["maximum"]
    (1, 2)
    """
    return {name: ops.rule(name).arity for name in ops.function_names()}


MAX_LENGTH = 1000
"""Longest expression accepted, in characters."""

MAX_DEPTH = 500
"""Deepest nesting of operations accepted (``-(-(-x))`` has depth 4; ``a+b+c`` has 3)."""

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_OPERATOR_NAMES = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Not: "not", ast.Invert: "~",
}  # fmt: skip


def _allowed() -> str:
    return "numbers, names, + - * / **, % number, unary -, and calls of " + ", ".join(
        functions())


class ExpressionError(ValueError):
    """An expression is malformed, uses something not allowed, or cannot be evaluated."""


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, syntax tree and variable names."""

    text: str
    tree: ast.Expression
    names: tuple[str, ...]
    """Variable names in order of first appearance (function names excluded)."""

    def build(self, values: Mapping[str, float | Value]) -> tuple[Value, dict[str, Value]]:
        """Build the graph: returns ``(root, leaves)``, ``leaves[name]`` the Value of a name.

        A number in ``values`` becomes a leaf labelled with its name; a Value is used as is.
        Each name is one leaf however often it occurs (``x*x`` uses ``x`` twice).  Numbers in
        the text become unlabelled constant leaves, except a constant exponent (``x**2``),
        which stays a plain number (the engine's ``**n`` op).

        Raises:
            ExpressionError: a value is missing or not a finite number, or the engine
                rejects an operation (``log(-1)``, ``1/0``, ``exp(1000)``).
        """
        missing = [n for n in self.names if n not in values]
        if missing:
            raise ExpressionError(f"no value given for {_list(missing)}")
        leaves: dict[str, Value] = {}
        for name in self.names:
            v = values[name]
            if isinstance(v, Value):
                leaves[name] = v
                continue
            try:
                leaves[name] = Value(v, label=name)
            except (TypeError, ValueError) as e:
                raise ExpressionError(f"value of {name!r}: {e}") from None
        try:
            root = _evaluate(self.tree.body, leaves)
        except (ValueError, ArithmeticError) as e:
            raise ExpressionError(f"cannot evaluate the expression: {e}") from None
        return root, leaves


def parse(text: str) -> Expression:
    """Parse and check ``text``; raise :class:`ExpressionError` unless it is allowed.

    >>> parse("x ** 2 + sin(y)").names
    ('x', 'y')
    >>> try:
    ...     parse("x.__class__")
    ... except ExpressionError as e:
    ...     print(str(e)[:44])
    attribute access '.__class__' is not allowed
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}"
        )
    if not text.strip():
        raise ExpressionError("the expression is empty")
    if "\x00" in text:
        raise ExpressionError("the expression contains a NUL character")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        where = f" (column {e.offset})" if e.offset else ""
        raise ExpressionError(f"invalid syntax: {e.msg}{where}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply to parse") from None
    names = _check(tree)
    return Expression(text, tree, names)


def _list(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _check(tree: ast.Expression) -> tuple[str, ...]:
    """Walk the tree with an explicit stack; raise on anything not whitelisted.

    Returns the variable names in order of first appearance.
    """
    names: dict[str, None] = {}
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            _check_number(node)
        elif isinstance(node, ast.Name):
            if node.id in functions():
                raise _not_allowed(f"the function name {node.id!r} without a call", node, hint="")
            names.setdefault(node.id, None)
        elif isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Mod) and _constant_exponent(node.right) is not None:
                stack.append((node.left, depth + 1))  # x % c: c is a number, not a Value
                continue
            if type(node.op) not in _BINARY:
                raise _not_allowed(f"the operator '{_OPERATOR_NAMES[type(node.op)]}'", node)
            stack.append((node.right, depth + 1))
            stack.append((node.left, depth + 1))
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise _not_allowed(f"the operator '{_OPERATOR_NAMES[type(node.op)]}'", node)
            stack.append((node.operand, depth + 1))
        elif isinstance(node, ast.Call):
            stack.extend((arg, depth + 1) for arg in reversed(_check_call(node)))
        else:
            raise _not_allowed(_describe(node), node)
    return tuple(names)


def _check_number(node: ast.Constant) -> None:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _not_allowed(_describe(node), node)
    try:
        f = float(value)
    except OverflowError:
        raise _not_allowed("a number too large for a float", node, hint="") from None
    if not math.isfinite(f):
        raise _not_allowed("a number that overflows to infinity", node, hint="")


def _check_call(node: ast.Call) -> list[ast.expr]:
    func = node.func
    if not isinstance(func, ast.Name):
        raise _not_allowed(_describe(func), func)
    arity = functions().get(func.id)
    if arity is None:
        raise _not_allowed(f"a call of {func.id!r}", node)
    if node.keywords:
        kw = node.keywords[0]
        what = f"the keyword argument '{kw.arg}='" if kw.arg else "a '**' argument"
        raise _not_allowed(what, kw if hasattr(kw, "col_offset") else node)
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise _not_allowed("a starred argument", arg)
    if len(node.args) != arity:
        raise _not_allowed(
            f"calling {func.id}() with {len(node.args)} arguments (it takes {arity})", node,
            hint="")
    return node.args


_DESCRIPTIONS: dict[type, str] = {
    ast.Subscript: "a subscript [...]",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "a conditional expression (if/else)",
    ast.Tuple: "a tuple",
    ast.List: "a list",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.NamedExpr: "an assignment ':='",
    ast.JoinedStr: "an f-string",
    ast.Starred: "a starred expression",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"attribute access '.{node.attr}'"
    if isinstance(node, ast.Constant):
        kind = {str: "a string", bytes: "a bytes literal", bool: str(node.value)}.get(
            type(node.value)
        )
        if kind is None:
            kind = "None" if node.value is None else f"the {type(node.value).__name__} literal"
        return kind
    if isinstance(node, ast.Call):
        return "a call of a computed function"
    return _DESCRIPTIONS.get(type(node), type(node).__name__)


def _not_allowed(what: str, node: ast.AST, hint: str | None = None) -> ExpressionError:
    if hint is None:
        hint = _allowed()
    col = getattr(node, "col_offset", None)
    where = f" (column {col + 1})" if col is not None else ""
    tail = f"; allowed: {hint}" if hint else ""
    return ExpressionError(f"{what} is not allowed{where}{tail}")


# --------------------------------------------------------------------------------------
# Evaluation (only ever on a checked tree)
# --------------------------------------------------------------------------------------


def _constant_exponent(node: ast.AST) -> float | None:
    """The number in an exponent like ``2``, ``-1`` or ``+0.5``, else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return sign * float(node.value)
    return None


def _operands(node: ast.AST) -> list[ast.AST]:
    """The sub-expressions whose Values ``node`` combines, left to right."""
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, (ast.Pow, ast.Mod)) and _constant_exponent(node.right) is not None:
            return [node.left]
        return [node.left, node.right]
    return []


def _evaluate(root: ast.AST, leaves: Mapping[str, Value]) -> Value:
    """Build the graph bottom-up with an explicit stack (no recursion, any depth)."""
    results: list[Value] = []
    stack: list[tuple[ast.AST, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            # validation let only real numbers through as constants
            results.append(Value(float(cast(float, node.value))))  # a leaf, unlabelled
        elif isinstance(node, ast.Name):
            results.append(leaves[node.id])
        elif not ready:  # first visit: come back after the operands are built
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(_operands(node)))
        elif isinstance(node, ast.UnaryOp):
            operand = results.pop()
            results.append(-operand if isinstance(node.op, ast.USub) else operand)
        elif isinstance(node, ast.Call):
            k = len(node.args)
            args = results[len(results) - k:]
            del results[len(results) - k:]
            results.append(ops.function(node.func.id)(*args))  # type: ignore[attr-defined]
        elif isinstance(node, ast.BinOp):
            n = (_constant_exponent(node.right) if isinstance(node.op, (ast.Pow, ast.Mod))
                 else None)
            if n is not None:  # x ** 2, x % 3: the engine's **n / %n op, n a plain number
                x = results.pop()
                results.append(x ** n if isinstance(node.op, ast.Pow) else x % n)
                continue
            right = results.pop()
            left = results.pop()
            results.append(_BINARY_FUNCS[type(node.op)](left, right))
        else:  # pragma: no cover - _check lets nothing else through
            raise AssertionError(f"unchecked node {type(node).__name__}")
    return results.pop()


_BINARY_FUNCS: dict[type, Callable[[Value, Value], Value]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
