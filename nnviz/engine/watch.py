"""Watch expressions: small numpy expressions over the named arrays, e.g. ``(A1 == 0).mean() > 0.5``.

An expression is parsed with ``ast`` and evaluated by walking its tree: only arithmetic,
comparisons, ``and``/``or``/``not``, indexing, the arrays by their names (``W1``, ``dZ2``, ``X``, …,
and ``m``, ``alpha``), a fixed list of numpy functions and a fixed list of array methods are
allowed.  There are no builtins, no attribute access beyond those methods, no imports, no files,
no ``eval``: what a watch can do is exactly what the tables below list.
"""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

Array = np.ndarray

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": np.abs, "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "log10": np.log10, "sign": np.sign,
    "sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "std": np.std, "median": np.median,
    "norm": np.linalg.norm, "isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite,
    "any": np.any, "all": np.all, "count_nonzero": np.count_nonzero, "maximum": np.maximum,
    "minimum": np.minimum, "where": np.where, "argmax": np.argmax, "argmin": np.argmin, "tanh": np.tanh,
    "float": float, "int": int,
}
METHODS = frozenset({"max", "min", "mean", "sum", "std", "any", "all", "argmax", "argmin", "ravel",
                     "round", "clip", "cumsum", "prod", "var"})
PROPERTIES = frozenset({"T", "shape", "size", "ndim"})
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
           ast.MatMult: operator.matmul, ast.BitAnd: operator.and_, ast.BitOr: operator.or_}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert, ast.Not: np.logical_not}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge}
_ARRAY_NAME = re.compile(r"^(d?[A-Za-z]+\d+|X|Y|J|m|alpha)$")
MAX_LENGTH = 300
MAX_CELLS = 50_000_000  # a watch that would make a bigger array (X·Xᵀ of 12288 inputs) is refused


class WatchError(Exception):
    """An expression that cannot be watched; ``str(err)`` says what is wrong in one line."""


def _names(tree: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


@dataclass(frozen=True)
class Expression:
    """A checked expression: ``text`` as written, ``names`` the arrays it reads (W1, dZ2, m, …)."""

    text: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """The expression's value over ``values`` (arrays by name); WatchError if it cannot be computed."""
        missing = sorted(n for n in self.names if n not in values)
        if missing:
            raise WatchError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not computed yet")
        try:
            with np.errstate(all="ignore"):
                return _Evaluator(values).visit(self.tree.body)
        except WatchError:
            raise
        except (ValueError, TypeError, IndexError, ArithmeticError) as err:
            raise WatchError(f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}") from None

    def is_true(self, values: Mapping[str, Any]) -> bool:
        """For a breakpoint: the value must be one true/false (or a number, true when not 0)."""
        value = self.evaluate(values)
        array = np.asarray(value)
        if array.size != 1:
            raise WatchError(f"{self.text} gives {array.size} values, not one; end it with .any() or .all()")
        return bool(array.reshape(()))


def parse(text: str) -> Expression:
    """Check ``text`` and return the Expression; WatchError naming the first thing not allowed."""
    text = text.strip()
    if not text:
        raise WatchError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise WatchError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise WatchError(f"not an expression: {err.msg} (column {err.offset})") from None
    _check(tree.body)
    names = frozenset(n for n in _names(tree) if n not in FUNCTIONS)
    return Expression(text, tree, names)


def _check(node: ast.AST) -> None:
    """Refuse every node outside the whitelist (before anything is evaluated)."""
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, float, bool)) or isinstance(node.value, complex):
            raise WatchError(f"{node.value!r}: only numbers are allowed as constants")
        return
    if isinstance(node, ast.Name):
        if node.id not in FUNCTIONS and not _ARRAY_NAME.match(node.id):
            raise WatchError(f"'{node.id}' is not an array or a function a watch knows "
                             "(arrays: W1, b1, Z1, A1, dW1, …, X, Y, J, m, alpha)")
        return
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            if func.id not in FUNCTIONS:
                raise WatchError(f"'{func.id}' is not a function a watch knows ({', '.join(sorted(FUNCTIONS))})")
        elif isinstance(func, ast.Attribute):
            if func.attr not in METHODS:
                raise WatchError(f"'.{func.attr}()' is not allowed (methods: {', '.join(sorted(METHODS))})")
            _check(func.value)
        else:
            raise WatchError("only a function or a method can be called")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise WatchError("*arguments are not allowed")
            _check(arg)
        for keyword in node.keywords:
            if keyword.arg not in ("axis", "keepdims", "ord", "decimals"):
                raise WatchError(f"the keyword {keyword.arg}= is not allowed (axis=, keepdims=, ord=, decimals=)")
            _check(keyword.value)
        return
    if isinstance(node, ast.Attribute):
        if node.attr not in PROPERTIES:
            raise WatchError(f"'.{node.attr}' is not allowed (only {', '.join(sorted(PROPERTIES))}, "
                             f"and the methods {', '.join(sorted(METHODS))})")
        _check(node.value)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise WatchError(f"the operator {type(node.op).__name__} is not allowed")
        _check(node.left)
        _check(node.right)
        return
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            raise WatchError(f"the operator {type(node.op).__name__} is not allowed")
        _check(node.operand)
        return
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value)
        return
    if isinstance(node, ast.Compare):
        if any(type(op) not in _COMPARE for op in node.ops):
            raise WatchError("only ==, !=, <, <=, >, >= compare")
        _check(node.left)
        for comparator in node.comparators:
            _check(comparator)
        return
    if isinstance(node, ast.Subscript):
        _check(node.value)
        _check(node.slice)
        return
    if isinstance(node, ast.Slice):
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                _check(part)
        return
    if isinstance(node, ast.Tuple):
        for element in node.elts:
            _check(element)
        return
    if isinstance(node, ast.IfExp):
        for part in (node.test, node.body, node.orelse):
            _check(part)
        return
    raise WatchError(f"{type(node).__name__} is not allowed in a watch expression")


class _Evaluator(ast.NodeVisitor):
    """Evaluates a checked tree; every node type reaching here passed ``_check``."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in FUNCTIONS:
            raise WatchError(f"'{node.id}' is a function: call it, e.g. {node.id}(dW1)")
        return self.values[node.id]

    def visit_Call(self, node: ast.Call) -> Any:
        args = [self.visit(arg) for arg in node.args]
        kwargs = {k.arg: self.visit(k.value) for k in node.keywords}
        if isinstance(node.func, ast.Name):
            return FUNCTIONS[node.func.id](*args, **kwargs)
        target = np.asarray(self.visit(node.func.value))
        return getattr(target, node.func.attr)(*args, **kwargs)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        return getattr(np.asarray(self.visit(node.value)), node.attr)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Pow) and isinstance(left, int) and isinstance(right, int):
            left = np.float64(left)  # 10**10**10 in Python ints would run for ages; as a float it is inf at once
        if isinstance(node.op, (ast.Mult, ast.Pow)) and _huge(left, right):
            raise WatchError("the result would be too large to compute")
        _check_size(node.op, left, right)
        return _BINARY[type(node.op)](left, right)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        return _UNARY[type(node.op)](self.visit(node.operand))

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        results = [np.asarray(self.visit(v)) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = results[0]
        for value in results[1:]:
            out = combine(out, value)
        return out if out.ndim else bool(out)

    def visit_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        result = None
        for op, comparator in zip(node.ops, node.comparators):
            right = self.visit(comparator)
            step = _COMPARE[type(op)](left, right)
            result = step if result is None else np.logical_and(result, step)
            left = right
        return result

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        return np.asarray(self.visit(node.value))[self.visit(node.slice)]

    def visit_Slice(self, node: ast.Slice) -> slice:
        part = lambda p: None if p is None else self.visit(p)  # noqa: E731
        return slice(part(node.lower), part(node.upper), part(node.step))

    def visit_Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.visit(e) for e in node.elts)

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if bool(np.asarray(self.visit(node.test))) else self.visit(node.orelse)


def _check_size(op: ast.operator, left: Any, right: Any) -> None:
    """Refuse before numpy allocates an array of more than MAX_CELLS cells."""
    a, b = np.shape(left), np.shape(right)
    if isinstance(op, ast.MatMult):
        if len(a) >= 2 and len(b) >= 2 and a[-2] * b[-1] > MAX_CELLS:
            raise WatchError(f"the product would be {a[-2]}×{b[-1]}: too large for a watch")
        return
    try:
        shape = np.broadcast_shapes(a, b)
    except ValueError:
        return  # numpy says why when it tries
    size = 1
    for n in shape:
        size *= n
    if size > MAX_CELLS:
        raise WatchError(f"the result would have {size:,} cells: too large for a watch")


def _huge(left: Any, right: Any) -> bool:
    """Python ints (or a list) multiplied into something enormous: refuse instead of computing it."""
    return any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10 ** 12 for v in (left, right))


def describe(value: Any) -> str:
    """A watch value as the watch list shows it: '0.53', 'True', '7×209 array (min −1.2, max 3.4)'."""
    array = np.asarray(value)
    if array.dtype == bool and array.size == 1:
        return str(bool(array.reshape(())))
    if array.size == 1 and array.dtype.kind in "biuf":
        number = array.reshape(()).item()
        return f"{number:.6g}" if isinstance(number, float) else str(number)
    if array.dtype.kind in "biuf" and array.size:
        with np.errstate(all="ignore"):
            finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array.ravel()
        shape = "×".join(map(str, array.shape)) if array.ndim > 1 else f"{array.size}×1"
        if finite.size == 0:
            return f"{shape} array (no finite values)"
        return f"{shape} array (min {float(finite.min()):.4g}, max {float(finite.max()):.4g})"
    if isinstance(value, tuple):
        return "(" + ", ".join(map(str, value)) + ")"
    return str(value)


def watch_values(values: Mapping[str, Array], m: int, alpha: float) -> dict[str, Any]:
    """The names a watch sees: every array by its key, X (= A0), m and alpha."""
    names = dict(values)
    if "A0" in names:
        names["X"] = names["A0"]
    names["m"] = m
    names["alpha"] = alpha
    if "J" in names and np.size(names["J"]) == 1:
        names["J"] = float(np.asarray(names["J"]).reshape(()))
    return names


__all__ = ["Expression", "WatchError", "describe", "parse", "watch_values"]
