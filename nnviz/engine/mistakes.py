"""The classic backprop mistakes, written as a student would write them (plain numpy).

Each mistake computes the wrong version of one operation of the plan from the values the
operation reads (in nnviz's convention: 1/m in dA[L]).  The comparison uses them to say what a
difference looks like; misconception mode replays an operation with one of them, so a numpy
error is the one the student's code would raise (``np.dot`` says "shapes (4,3) and (4,3) not
aligned").  The right results always come from the plan; nothing here is a second reference.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import ACTIVATIONS, sigmoid_prime
from .network import NetworkSpec
from .plan import symbol

Array = np.ndarray

_KEY = re.compile(r"^(Z|A|J|dA|dZ|dW|db|W|b)(\d*)$")


@dataclass(frozen=True)
class Context:
    """What a mistaken operation sees: the operation's key and the values before it ran.

    ``values`` are the plan's values before the operation (``values[key]`` is the old one, e.g.
    W[1] before its update); ``right`` is the plan's result; ``theirs`` the trace's, if any.
    """

    key: str
    spec: NetworkSpec
    values: dict[str, Array]
    right: Array
    learning_rate: float
    theirs: Array | None = None

    @property
    def kind(self) -> str:
        """Z, A, J, dA, dZ, dW, db, W or b (W and b: the update); '' for any other array."""
        match = _KEY.match(self.key)
        return match.group(1) if match else ""

    @property
    def layer(self) -> int:
        match = _KEY.match(self.key)
        return int(match.group(2)) if match and match.group(2) else self.spec.L

    @property
    def m(self) -> int:
        return int(self.values["Y"].shape[1])


@dataclass(frozen=True)
class Mistake:
    """One classic mistake: ``name`` (an identifier), ``title`` for a menu, ``kinds`` it applies to.

    ``wrong(ctx)`` returns the mistaken result (or raises the numpy error the mistake causes);
    ``explain(ctx)`` says in the notes' notation what the code did, e.g.
    "dZ[2] = dA[2]: g'(Z[2]) is missing".
    """

    name: str
    title: str
    kinds: tuple[str, ...]
    wrong: Callable[[Context], Array]
    explain: Callable[[Context], str]
    applies: Callable[[Context], bool] = lambda ctx: True

    def fits(self, ctx: Context) -> bool:
        return ctx.kind in self.kinds and self.applies(ctx)


def _s(kind: str, l: int) -> str:
    return symbol(f"{kind}{l}")


def _g_prime_of_A(ctx: Context) -> Array:
    v, l = ctx.values, ctx.layer
    dA, A = v[f"dA{l}"], v[f"A{l}"]
    name = ctx.spec.activation(l)
    if name == "sigmoid":
        return dA * sigmoid_prime(A)
    return ACTIVATIONS[name][1](dA, A)


def _wrong_layer_A(offset: int) -> Callable[[Context], Array]:
    def wrong(ctx: Context) -> Array:
        l = ctx.layer
        return np.dot(ctx.values[f"dZ{l}"], ctx.values[f"A{l + offset}"].T)

    return wrong


def _has_A(offset: int) -> Callable[[Context], bool]:
    return lambda ctx: 0 <= ctx.layer + offset <= ctx.spec.L and f"A{ctx.layer + offset}" in ctx.values


def _fitted_alpha(ctx: Context) -> float | None:
    """The α that turns the old parameter into theirs, if one α does it."""
    if ctx.theirs is None or ctx.theirs.shape != ctx.right.shape:
        return None
    old, grad = ctx.values[ctx.key], ctx.values[f"d{ctx.key}"]
    g = grad.ravel()
    denominator = float(g @ g)
    if denominator == 0:
        return None
    return float((old - ctx.theirs).ravel() @ g / denominator)


def _update_with_fitted_alpha(ctx: Context) -> Array:
    alpha = _fitted_alpha(ctx)
    if alpha is None or np.isclose(alpha, ctx.learning_rate, rtol=1e-9, atol=0):
        raise ValueError("no other α")
    return ctx.values[ctx.key] - alpha * ctx.values[f"d{ctx.key}"]


def _alpha_text(ctx: Context) -> str:
    alpha = _fitted_alpha(ctx)
    sym = _s(ctx.kind, ctx.layer)
    return (f"the update's α: {sym} − {alpha:.6g}·d{sym} where α = {ctx.learning_rate:g} "
            f"(or give the α the code used: --lr {alpha:.6g})")


def _sym(ctx: Context) -> str:
    return symbol(ctx.key)


# Specific mistakes come first: where two give the same numbers, the first one names the difference.
MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        "no_g_prime", "dZ without g'(Z)", ("dZ",),
        lambda c: c.values[f"dA{c.layer}"] * 1.0,
        lambda c: f"{_sym(c)} = dA[{c.layer}]: the factor g'(Z[{c.layer}]) is missing",
        lambda c: f"dA{c.layer}" in c.values and c.spec.activation(c.layer) != "softmax",
    ),
    Mistake(
        "g_prime_of_A", "g' of A instead of Z", ("dZ",),
        _g_prime_of_A,
        lambda c: (f"{_sym(c)} = dA[{c.layer}] * g'(A[{c.layer}]): g' taken of A[{c.layer}] "
                   f"where Z[{c.layer}] belongs"),
        lambda c: f"dA{c.layer}" in c.values and c.spec.activation(c.layer) != "softmax",
    ),
    Mistake(
        "wrong_layer_A", "the wrong layer's A in dW (A[l] for A[l−1])", ("dW",),
        _wrong_layer_A(0),
        lambda c: (f"{_sym(c)} = dZ[{c.layer}]·A[{c.layer}]ᵀ: the wrong layer's A "
                   f"(A[{c.layer - 1}]ᵀ belongs)"),
        _has_A(0),
    ),
    Mistake(
        "wrong_layer_A_next", "the wrong layer's A in dW (A[l+1] for A[l−1])", ("dW",),
        _wrong_layer_A(1),
        lambda c: (f"{_sym(c)} = dZ[{c.layer}]·A[{c.layer + 1}]ᵀ: the wrong layer's A "
                   f"(A[{c.layer - 1}]ᵀ belongs)"),
        _has_A(1),
    ),
    Mistake(
        "z_transposed_W", "Z = Wᵀ·A", ("Z",),
        lambda c: np.dot(c.values[f"W{c.layer}"].T, c.values[f"A{c.layer - 1}"]) + c.values[f"b{c.layer}"],
        lambda c: (f"{_sym(c)} = W[{c.layer}]ᵀ·A[{c.layer - 1}] + b[{c.layer}]: the transposed W "
                   f"(W[{c.layer}]·A[{c.layer - 1}] belongs)"),
    ),
    Mistake(
        "z_without_b", "Z without b", ("Z",),
        lambda c: np.dot(c.values[f"W{c.layer}"], c.values[f"A{c.layer - 1}"]),
        lambda c: f"{_sym(c)} = W[{c.layer}]·A[{c.layer - 1}]: + b[{c.layer}] is missing",
    ),
    Mistake(
        "dA_without_transpose", "dA[l−1] = W[l]·dZ[l] (no transpose)", ("dA",),
        lambda c: np.dot(c.values[f"W{c.layer + 1}"], c.values[f"dZ{c.layer + 1}"]),
        lambda c: (f"{_sym(c)} = W[{c.layer + 1}]·dZ[{c.layer + 1}]: the transpose is missing "
                   f"(W[{c.layer + 1}]ᵀ·dZ[{c.layer + 1}] belongs)"),
        lambda c: c.layer < c.spec.L,
    ),
    Mistake(
        "db_no_axis", "db without axis=1", ("db",),
        lambda c: np.sum(c.values[f"dZ{c.layer}"]),
        lambda c: f"{_sym(c)} = np.sum(dZ[{c.layer}]): axis=1 is missing, so it is one number for all units",
    ),
    Mistake(
        "db_no_keepdims", "db without keepdims", ("db",),
        lambda c: np.sum(c.values[f"dZ{c.layer}"], axis=1),
        lambda c: (f"{_sym(c)} = np.sum(dZ[{c.layer}], axis=1): keepdims=True is missing, so it has "
                   f"shape ({c.spec.sizes[c.layer]},) and b[{c.layer}] − α·{_sym(c)} broadcasts to "
                   f"{c.spec.sizes[c.layer]}×{c.spec.sizes[c.layer]}"),
    ),
    Mistake(
        "db_wrong_axis", "db summed over axis=0", ("db",),
        lambda c: np.sum(c.values[f"dZ{c.layer}"], axis=0, keepdims=True),
        lambda c: (f"{_sym(c)} = np.sum(dZ[{c.layer}], axis=0): summed over the units "
                   "(axis=1, the examples, belongs)"),
    ),
    Mistake(
        "mean_for_sum", "a mean where a sum belongs", ("db",),
        lambda c: np.mean(c.values[f"dZ{c.layer}"], axis=1, keepdims=True),
        lambda c: (f"{_sym(c)} = np.mean(dZ[{c.layer}], axis=1): a mean where the sum belongs "
                   f"(÷ m = {c.m} once more)"),
    ),
    Mistake(
        "update_sign", "the update's sign (W + α·dW)", ("W", "b"),
        lambda c: c.values[c.key] + c.learning_rate * c.values[f"d{c.key}"],
        lambda c: f"the update's sign: {_sym(c)} + α·d{_sym(c)} (gradient ascent; − belongs)",
    ),
    Mistake(
        "update_no_alpha", "the update without α", ("W", "b"),
        lambda c: c.values[c.key] - c.values[f"d{c.key}"],
        lambda c: f"the update without α: {_sym(c)} − d{_sym(c)} (α = {c.learning_rate:g} is missing)",
    ),
    Mistake(
        "update_alpha", "the update's α", ("W", "b"),
        _update_with_fitted_alpha,
        _alpha_text,
        lambda c: c.theirs is not None,
    ),
    Mistake(
        "not_updated", "the update not stored", ("W", "b"),
        lambda c: c.values[c.key] * 1.0,
        lambda c: f"{_sym(c)} is unchanged: the update's result was not stored",
    ),
    Mistake(
        "factor_m", "a factor m (1/m missing)", ("J", "dA", "dZ", "dW", "db"),
        lambda c: c.right * c.m,
        lambda c: f"{_sym(c)} is m = {c.m} times too large: a 1/m is missing",
    ),
    Mistake(
        "factor_1/m", "a factor 1/m (1/m twice)", ("J", "dA", "dZ", "dW", "db"),
        lambda c: c.right / c.m,
        lambda c: f"{_sym(c)} is m = {c.m} times too small: 1/m twice",
    ),
    Mistake(
        "sign", "a sign", ("Z", "J", "dA", "dZ", "dW", "db"),
        lambda c: -c.right,
        lambda c: f"{_sym(c)} has the wrong sign (a minus is missing or one too many)",
    ),
    Mistake(
        "transpose", "a transpose", ("Z", "A", "dA", "dZ", "dW", "db"),
        lambda c: c.right.T,
        lambda c: f"{_sym(c)} is transposed ({'×'.join(map(str, c.right.shape[::-1]))} for "
                  f"{'×'.join(map(str, c.right.shape))})",
        lambda c: c.right.ndim == 2 and c.right.shape[0] != c.right.shape[1],
    ),
)

BY_NAME: dict[str, Mistake] = {mistake.name: mistake for mistake in MISTAKES}


def mistakes_for(ctx: Context) -> list[Mistake]:
    """The mistakes that could happen in this operation, most specific first."""
    return [mistake for mistake in MISTAKES if mistake.fits(ctx)]
