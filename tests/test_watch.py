"""Watch expressions: numpy over the named arrays, through a whitelist (no builtins, imports or files)."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine.watch import WatchError, describe, parse, watch_values

VALUES = watch_values({"A1": np.array([[0.0, 2.0], [0.0, 0.0]]), "dW1": np.array([[-12.0, 3.0]]),
                       "Z1": np.array([[1.0, -1.0]]), "J": np.array([[0.69]]), "A0": np.ones((3, 2))}, 2, 0.0075)


@pytest.mark.parametrize("text, expected", [
    ("(A1 == 0).mean() > 0.5", True),
    ("abs(dW1).max() > 10", True),
    ("abs(dW1).max()", 12.0),
    ("norm(dW1) / m", pytest.approx(np.sqrt(153) / 2)),
    ("alpha * norm(dW1)", pytest.approx(0.0075 * np.sqrt(153))),
    ("J < 0.7 and not isnan(J)", True),
    ("A1[0, 1]", 2.0),
    ("A1[:, 0].sum()", 0.0),
    ("(Z1 > 0).sum(axis=1)[0]", 1),
    ("X.shape[0]", 3),
    ("0 < J < 1", True),
    ("10**10**10 > 1", True),  # a float: inf, not hours of Python integer arithmetic
])
def test_expressions_over_the_arrays(text, expected):
    value = parse(text).evaluate(VALUES)
    assert value == expected


@pytest.mark.parametrize("text, message", [
    ("__import__('os').system('true')", "'.system()' is not allowed"),
    ("__import__('os')", "'__import__' is not a function"),
    ("open('/etc/passwd')", "'open' is not a function"),
    ("A1.__class__", "'.__class__' is not allowed"),
    ("dW1.tofile('x')", "'.tofile()' is not allowed"),
    ("(lambda: 1)()", "only a function or a method can be called"),
    ("[x for x in A1]", "ListComp is not allowed"),
    ("'text'", "only numbers are allowed"),
    ("eval('1')", "'eval' is not a function"),
    ("np.abs(A1)", "'.abs()' is not allowed"),
    ("np", "'np' is not an array"),
    ("A1 +", "not an expression"),
    ("sum(A1, where=A1)", "keyword where= is not allowed"),
    ("a := 1", "not an expression"),
])
def test_anything_else_is_refused_before_it_runs(text, message):
    with pytest.raises(WatchError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse(text)


def test_errors_while_evaluating_are_one_line():
    with pytest.raises(WatchError, match="dZ3 is not computed yet"):
        parse("dZ3.max()").evaluate(VALUES)
    with pytest.raises(WatchError, match="ValueError"):
        parse("A1 @ dW1").evaluate(VALUES)
    with pytest.raises(WatchError, match="gives 4 values, not one; end it with .any"):
        parse("A1 > 0").is_true(VALUES)
    big = {"X": np.ones((20000, 3))}
    with pytest.raises(WatchError, match="too large for a watch"):
        parse("X @ X.T").evaluate(big)
    with pytest.raises(WatchError, match="too large for a watch"):
        parse("X[:, 0:1] * X.ravel()").evaluate(big)


def test_values_are_described_shortly():
    assert describe(np.float64(0.5)) == "0.5" and describe(np.bool_(True)) == "True"
    assert describe(np.array([[1.0, -2.0], [3.0, np.nan]])) == "2×2 array (min -2, max 3)"
