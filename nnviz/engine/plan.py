"""The plan of one training iteration: every operation the notes write, in order.

Forward Z[1], A[1], ..., Z[L], A[L]; the cost J; then backward dA[L] and, for
l = L..1, dZ[l], dW[l], db[l], dA[l-1] (not dA[0]); then the updates
W[1], b[1], ..., W[L], b[L].  Each Operation knows its symbol, its equation,
its operands and how to compute its result from the values computed before it.
Arrays are never changed in place: every operation makes a new array, so an
older value can be kept (for stepping back) without copying it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .activations import ACTIVATIONS, log_sigmoid, log_softmax, sigmoid_prime, softmax
from .network import NetworkSpec

Array = np.ndarray
Values = dict[str, Array]
Compute = Callable[[Values, float], Array]

PHASES = ("forward", "cost", "backward", "update")

# exp(700) ~ 1e304 still fits in a float64; beyond it 1/A and 1/(1-A) would be inf.
_EXP_LIMIT = 700.0

_G_NAMES = {"relu": "relu", "leaky_relu": "leaky_relu", "tanh": "tanh", "sigmoid": "σ", "linear": "", "softmax": "softmax"}

_KEY = re.compile(r"^(d?[A-Za-z]+?)(\d+)$")


def symbol(key: str) -> str:
    """'dW2' -> 'dW[2]', 'A0' -> 'A[0]'; 'J' and 'Y' stay as they are."""
    match = _KEY.match(key)
    return f"{match.group(1)}[{match.group(2)}]" if match else key


def shape_text(shape: tuple[int, ...]) -> str:
    """(5, 7) -> '5×7', rows×cols as the notes write shapes."""
    if len(shape) == 0:
        return "1×1"
    if len(shape) == 1:
        return f"{shape[0]}×1"
    return "×".join(str(n) for n in shape)


@dataclass(frozen=True)
class Operation:
    """One named operation of the plan.

    ``form`` is the right-hand side with {0}, {1}, ... standing for the operands;
    ``transposed[i]`` says whether operand i appears transposed (A[1]ᵀ).
    ``shape_form`` is the same for the shape algebra, when it differs from ``form``.
    """

    index: int
    key: str
    phase: str
    layer: int
    kind: str
    operands: tuple[str, ...]
    form: str
    compute: Compute = field(repr=False, compare=False)
    transposed: tuple[bool, ...] = ()
    shape_form: str = ""

    @property
    def symbol(self) -> str:
        return symbol(self.key)

    def _is_transposed(self, i: int) -> bool:
        return i < len(self.transposed) and self.transposed[i]

    @property
    def rhs(self) -> str:
        names = [symbol(k) + ("ᵀ" if self._is_transposed(i) else "") for i, k in enumerate(self.operands)]
        return self.form.format(*names)

    @property
    def equation(self) -> str:
        """As the notes write it, e.g. 'dW[2] = dZ[2]·A[1]ᵀ'."""
        return f"{self.symbol} = {self.rhs}"

    def shape_algebra(self, shapes: list[tuple[int, ...]], result: tuple[int, ...], named: bool = True) -> str:
        """'dZ[2] (5×209) · A[1]ᵀ (209×7) → 5×7' (named) or '(5×209)(209×7) → 5×7'."""
        form = self.shape_form or self.form
        parts = []
        for i, (key, shape) in enumerate(zip(self.operands, shapes)):
            rows_cols = tuple(reversed(shape)) if self._is_transposed(i) else tuple(shape)
            text = shape_text(rows_cols)
            if named:
                text = f"{symbol(key)}{'ᵀ' if self._is_transposed(i) else ''} ({text})"
            elif f"({{{i}}}" not in form:  # 'relu({0})' reads 'relu(7×209)', not 'relu((7×209))'
                text = f"({text})"
            parts.append(text)
        algebra = form.format(*parts)
        algebra = algebra.replace("·", " · ") if named else algebra.replace("·", "")
        return f"{algebra} → {shape_text(result)}"


def _m(v: Values) -> int:
    return v["Y"].shape[1]


def _forward_ops(spec: NetworkSpec, l: int) -> list[tuple]:
    W, b, A_prev, Z, A = f"W{l}", f"b{l}", f"A{l - 1}", f"Z{l}", f"A{l}"
    name = spec.activation(l)
    g = softmax if name == "softmax" else ACTIVATIONS[name][0]
    g_name = _G_NAMES[name]
    return [
        (Z, "forward", l, "linear", (W, A_prev, b), "{0}·{1} + {2}", lambda v, a: v[W] @ v[A_prev] + v[b]),
        (A, "forward", l, "activation", (Z,), f"{g_name}({{0}})" if g_name else "{0}", lambda v, a: g(v[Z])),
    ]


def _cost_op(spec: NetworkSpec) -> tuple:
    L = spec.L
    AL, ZL = f"A{L}", f"Z{L}"
    if spec.output == "sigmoid":
        # ln A and ln(1-A) from Z[L] (ln σ(z), ln σ(-z)): identical algebra, but no log(0)
        # when A[L] rounds to exactly 0 or 1.
        def cost(v: Values, a: float) -> Array:
            Y, z = v["Y"], v[ZL]
            return np.array([[-np.sum(Y * log_sigmoid(z) + (1.0 - Y) * log_sigmoid(-z)) / _m(v)]])

        form = "−(1/m) Σ ({1} ln {0} + (1 − {1}) ln(1 − {0}))"
    elif spec.output == "softmax":
        def cost(v: Values, a: float) -> Array:
            return np.array([[-np.sum(v["Y"] * log_softmax(v[ZL])) / _m(v)]])

        form = "−(1/m) Σ {1} ln {0}"
    else:
        def cost(v: Values, a: float) -> Array:
            diff = v[AL] - v["Y"]
            return np.array([[np.sum(diff * diff) / (2 * _m(v))]])

        form = "(1/2m) Σ ({0} − {1})²"
    return ("J", "cost", L, "cost", (AL, "Y"), form, cost, (), "Σ over {0} and {1}")


def _clipped_exp(z: Array) -> Array:
    return np.exp(np.clip(z, -_EXP_LIMIT, _EXP_LIMIT))


def _output_backward_ops(spec: NetworkSpec) -> list[tuple]:
    L = spec.L
    AL, ZL, dAL, dZL = f"A{L}", f"Z{L}", f"dA{L}", f"dZ{L}"
    if spec.output == "sigmoid":
        # 1/A = 1 + e^-z and 1/(1-A) = 1 + e^z, from Z[L]: exact even where A[L]
        # rounds to 0 or 1, where the division by A would give inf.
        def dA(v: Values, a: float) -> Array:
            Y, z = v["Y"], v[ZL]
            return -(Y * (1.0 + _clipped_exp(-z)) - (1.0 - Y) * (1.0 + _clipped_exp(z))) / _m(v)

        dA_form = "−(1/m)({1}/{0} − (1 − {1})/(1 − {0}))"

        def dZ(v: Values, a: float) -> Array:
            return v[dAL] * sigmoid_prime(v[ZL])

        dZ_op = (dZL, "backward", L, "dZ", (dAL, ZL), "{0} * σ'({1})", dZ)
    elif spec.output == "softmax":
        def dA(v: Values, a: float) -> Array:
            return -v["Y"] * _clipped_exp(-log_softmax(v[ZL])) / _m(v)

        dA_form = "−(1/m) {1}/{0}"

        def dZ(v: Values, a: float) -> Array:
            A, d = v[AL], v[dAL]
            # A·dA is -Y/m exactly; where A underflowed to 0 the product would lose it.
            p = np.where(A > 0, A * d, -v["Y"] / _m(v))
            return p - A * p.sum(axis=0, keepdims=True)

        dZ_op = (dZL, "backward", L, "dZ", (AL, dAL), "{0} * ({1} − Σᵢ {0}ᵢ{1}ᵢ)", dZ, (), "{0} * {1}")
    else:
        def dA(v: Values, a: float) -> Array:
            return (v[AL] - v["Y"]) / _m(v)

        dA_form = "(1/m)({0} − {1})"
        dZ_op = (dZL, "backward", L, "dZ", (dAL,), "{0} * 1", lambda v, a: v[dAL])
    return [(dAL, "backward", L, "dA", (AL, "Y"), dA_form, dA, (), "{0}, {1}"), dZ_op]


def _backward_ops(spec: NetworkSpec, l: int) -> list[tuple]:
    W, A_prev, dZ, dA_prev = f"W{l}", f"A{l - 1}", f"dZ{l}", f"dA{l - 1}"
    ops = []
    if l < spec.L:
        dA, Z = f"dA{l}", f"Z{l}"
        name = spec.activation(l)
        backward = ACTIVATIONS[name][1]
        g_name = _G_NAMES[name] or "g"
        ops.append((dZ, "backward", l, "dZ", (dA, Z), f"{{0}} * {g_name}'({{1}})", lambda v, a: backward(v[dA], v[Z])))
    ops.append((f"dW{l}", "backward", l, "dW", (dZ, A_prev), "{0}·{1}", lambda v, a: v[dZ] @ v[A_prev].T, (False, True)))
    ops.append(
        (f"db{l}", "backward", l, "db", (dZ,), "np.sum({0}, axis=1)", lambda v, a: np.sum(v[dZ], axis=1, keepdims=True))
    )
    if l > 1:
        ops.append((dA_prev, "backward", l, "dA", (W, dZ), "{0}·{1}", lambda v, a: v[W].T @ v[dZ], (True, False)))
    return ops


def _minus_alpha_times(p: Array, dp: Array, a: float) -> Array:
    """p − α·dp into one new array (bit for bit the same as ``p - a * dp``, one allocation fewer)."""
    out = np.multiply(a, dp)
    return np.subtract(p, out, out=out)


def _update_ops(l: int) -> list[tuple]:
    W, b, dW, db = f"W{l}", f"b{l}", f"dW{l}", f"db{l}"
    return [
        (W, "update", l, "update", (W, dW), "{0} − α·{1}", lambda v, a: _minus_alpha_times(v[W], v[dW], a)),
        (b, "update", l, "update", (b, db), "{0} − α·{1}", lambda v, a: _minus_alpha_times(v[b], v[db], a)),
    ]


def build_plan(spec: NetworkSpec) -> tuple[Operation, ...]:
    """The operations of one iteration, in the order the notes perform them."""
    rows: list[tuple] = []
    for l in range(1, spec.L + 1):
        rows += _forward_ops(spec, l)
    rows.append(_cost_op(spec))
    rows += _output_backward_ops(spec)
    for l in range(spec.L, 0, -1):
        rows += _backward_ops(spec, l)
    for l in range(1, spec.L + 1):
        rows += _update_ops(l)
    plan = []
    for index, row in enumerate(rows):
        key, phase, layer, kind, operands, form, compute, *rest = row
        transposed = rest[0] if rest else ()
        shape_form = rest[1] if len(rest) > 1 else ""
        plan.append(Operation(index, key, phase, layer, kind, operands, form, compute, transposed, shape_form))
    return tuple(plan)


def plan_shapes(spec: NetworkSpec, m: int) -> dict[str, tuple[int, int]]:
    """The shape of every array of the plan on m examples, known before anything is computed."""
    shapes: dict[str, tuple[int, int]] = {"A0": (spec.sizes[0], m), "Y": (spec.sizes[-1], m), "J": (1, 1)}
    for l in range(1, spec.L + 1):
        n_l = spec.sizes[l]
        for key in ("Z", "A", "dZ", "dA"):
            shapes[f"{key}{l}"] = (n_l, m)
        shapes[f"W{l}"] = shapes[f"dW{l}"] = spec.weight_shape(l)
        shapes[f"b{l}"] = shapes[f"db{l}"] = (n_l, 1)
    return shapes


def operation_line(op: Operation, shapes: dict[str, tuple[int, int]]) -> tuple[str, str]:
    """(equation, shape algebra) as the step list shows them, e.g.
    ('Z[1] = W[1]·A[0] + b[1]', '(7×12288)(12288×209) + (7×1) → 7×209')."""
    operand_shapes = [shapes[k] for k in op.operands]
    return op.equation, op.shape_algebra(operand_shapes, shapes[op.key], named=False)
