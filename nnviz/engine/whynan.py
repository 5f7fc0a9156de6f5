"""Why NaN: from the first non-finite element of an operation's result back to the operand values
that made it (an overflowing product, exp overflow, 0·∞, ∞ − ∞), with the fix that usually helps."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .plan import symbol

Array = np.ndarray

FIX_OVERFLOW = ("the weights grew until their products overflow: a smaller learning rate α "
                "(α‖dW[l]‖/‖W[l]‖ above 1e-2 warns of it), or standardised inputs")
FIX_NAN_INPUT = "the data itself holds NaN or Inf: clean it before training"


@dataclass(frozen=True)
class NonfiniteCause:
    """Where an operation's first NaN/Inf is and what produced it.

    ``cell`` is (row, col) of the first non-finite element of ``key``; ``operands`` lists the
    operand values that element was computed from, as lines ("Z[3][0, 17] = 1.2e+308");
    ``cause`` names the arithmetic (e.g. "0·∞ gives NaN"); ``fix`` what usually helps.
    """

    key: str
    value: float
    cell: tuple[int, ...]
    operands: tuple[str, ...]
    cause: str
    fix: str

    @property
    def symbol(self) -> str:
        return symbol(self.key)

    def text(self) -> str:
        where = ", ".join(map(str, self.cell))
        lines = [f"{self.symbol}[{where}] = {self.value} is the first non-finite element."]
        lines += [f"  {line}" for line in self.operands]
        lines.append(f"Cause: {self.cause}.")
        lines.append(f"Fix: {self.fix}.")
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else str(x)


def _terms_cause(terms: Array, what: str, value: float) -> str:
    """Why a sum of products is not finite (``value``: the element the sum gave)."""
    with np.errstate(all="ignore"):
        if np.isnan(terms).any():
            return f"a term of the {what} is NaN (0·∞ or ∞ − ∞ inside it)"
        pos, neg = np.isposinf(terms).any(), np.isneginf(terms).any()
        if pos and neg and math.isnan(value):
            return f"the {what} holds +∞ and −∞ terms: ∞ − ∞ gives NaN"
        if pos and neg:
            return f"products in the {what} overflow to +∞ and −∞ (beyond 1.8e308)"
        if pos or neg:
            return f"a product in the {what} overflows to {'+' if pos else '−'}∞ (beyond 1.8e308)"
        biggest = float(np.max(np.abs(terms))) if terms.size else 0.0
        return f"the {what} overflows: its terms reach {_fmt(biggest)}, their sum passes 1.8e308"


def _operand(values: dict[str, Array], key: str) -> Array | None:
    value = values.get(key)
    return None if value is None else np.asarray(value)


def why_nonfinite(op, values: dict[str, Array], before: dict[str, Array] | None = None) -> NonfiniteCause | None:
    """Explain the first NaN/Inf of ``values[op.key]`` (None when it has none).

    ``before`` holds the operand values the operation read when they differ from ``values`` (an
    update reads the parameter it overwrote)."""
    result = np.asarray(values[op.key])
    bad = np.argwhere(~np.isfinite(result))
    if bad.size == 0:
        return None
    cell = tuple(int(i) for i in bad[0])
    value = float(result[cell])
    read = dict(values)
    read.update(before or {})
    operands = {k: _operand(read, k) for k in op.operands}
    lines: list[str] = []
    kind = op.key.rstrip("0123456789")
    i, j = (cell + (0, 0))[:2]
    with np.errstate(all="ignore"):
        for k, a in operands.items():
            if a is not None and not np.isfinite(a).all():
                first = tuple(int(x) for x in np.argwhere(~np.isfinite(a))[0])
                lines.append(f"{symbol(k)}{list(first)} = {a[first]} (already not finite)")
        if lines:
            fix = FIX_NAN_INPUT if any(k in ("A0", "Y") for k in operands if operands[k] is not None
                                       and not np.isfinite(operands[k]).all()) else FIX_OVERFLOW
            return NonfiniteCause(op.key, value, cell, tuple(lines), "an operand already holds NaN or Inf", fix)
        a, b = (list(operands.values()) + [None, None])[:2]
        keys = list(operands)
        if kind == "Z" and a is not None and b is not None:  # W·A + b: row i of W, column j of A
            terms = a[i, :] * b[:, j]
            lines = [f"{symbol(keys[0])} row {i}: max |·| {_fmt(float(np.max(np.abs(a[i, :]))))}",
                     f"{symbol(keys[1])} column {j}: max |·| {_fmt(float(np.max(np.abs(b[:, j]))))}"]
            cause, fix = _terms_cause(terms, f"product {symbol(keys[0])}·{symbol(keys[1])}", value), FIX_OVERFLOW
        elif kind == "dW" and a is not None and b is not None:  # dZ·Aᵀ: row i of dZ, row j of A
            terms = a[i, :] * b[j, :]
            lines = [f"{symbol(keys[0])} row {i}: max |·| {_fmt(float(np.max(np.abs(a[i, :]))))}",
                     f"{symbol(keys[1])} row {j}: max |·| {_fmt(float(np.max(np.abs(b[j, :]))))}"]
            cause, fix = _terms_cause(terms, f"product {symbol(keys[0])}·{symbol(keys[1])}ᵀ", value), FIX_OVERFLOW
        elif kind == "dA" and a is not None and b is not None and a.ndim == 2 and a.shape[0] == b.shape[0]:
            terms = a[:, i] * b[:, j]  # Wᵀ·dZ: column i of W, column j of dZ
            lines = [f"{symbol(keys[0])} column {i}: max |·| {_fmt(float(np.max(np.abs(a[:, i]))))}",
                     f"{symbol(keys[1])} column {j}: max |·| {_fmt(float(np.max(np.abs(b[:, j]))))}"]
            cause, fix = _terms_cause(terms, f"product {symbol(keys[0])}ᵀ·{symbol(keys[1])}", value), FIX_OVERFLOW
        elif kind == "db" and a is not None:
            terms = a[i, :]
            lines = [f"{symbol(keys[0])} row {i}: max |·| {_fmt(float(np.max(np.abs(terms))))}"]
            cause, fix = _terms_cause(terms, f"sum of {symbol(keys[0])}'s row", value), FIX_OVERFLOW
        else:  # elementwise: the operands at the same cell (broadcast where they are columns)
            for k, x in operands.items():
                if x is None:
                    continue
                at = tuple(min(c, n - 1) for c, n in zip(cell, x.shape)) if x.ndim == len(cell) else ()
                shown = x[at] if at else x
                lines.append(f"{symbol(k)}[{', '.join(map(str, at))}] = {_fmt(float(shown))}" if at and np.size(shown) == 1
                             else f"{symbol(k)} max |·| {_fmt(float(np.max(np.abs(x))))}")
            cause = _elementwise_cause(kind, operands, cell, value)
            fix = FIX_OVERFLOW
    return NonfiniteCause(op.key, value, cell, tuple(lines), cause, fix)


def _elementwise_cause(kind: str, operands: dict[str, Array | None], cell: tuple[int, ...], value: float) -> str:
    vals = []
    for x in operands.values():
        if x is not None and x.ndim == len(cell):
            vals.append(float(x[tuple(min(c, n - 1) for c, n in zip(cell, x.shape))]))
    huge = [v for v in vals if abs(v) > 1e300]
    zero = [v for v in vals if v == 0.0]
    if math.isnan(value) and huge and zero:
        return "0·∞ gives NaN"
    if kind in ("W", "b"):
        return "the update − α·d… overflows: the gradient is beyond 1.8e308 / α"
    if huge:
        return f"an operand is {_fmt(huge[0])}: exp or a product of it overflows"
    return "the arithmetic overflows"
