"""Where one cell of an operation's result comes from: the operands' cells it reads and the terms, written out.

    >>> p = provenance(op, spec, operands, result, 2, 5, learning_rate)
    >>> p.text   # 'Z[1][2,5] = Σₖ W[1][2,k]·A[0][k,5] + b[1][2] = 0.31·0.5 + (−0.12)·0.8 + … = 1.2345…'
    >>> p.marks  # ((0, 2, None), (1, None, 5), (2, 2, 0)): row 2 of W[1], column 5 of A[0], cell b[1][2]

Marks are given in the orientation the operand is shown (a transposed operand,
A[1]ᵀ, as its transpose), so a view marks exactly what it draws.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .activations import ACTIVATIONS, sigmoid_prime
from .network import NetworkSpec
from .plan import Operation, symbol

Array = np.ndarray

SHOWN_TERMS = 3  # terms written out before "…" when a sum has more than ALL_TERMS
ALL_TERMS = 8  # a sum of at most this many terms is written out whole
Mark = tuple[int, int | None, int | None]  # (operand index, row or None for all, col or None for all)


@dataclass(frozen=True)
class Provenance:
    """One result cell: ``text`` the written-out line, ``marks`` the operand cells it reads,
    ``terms`` every (a, b) product of a sum (empty otherwise), ``value`` the cell itself."""

    text: str
    marks: tuple[Mark, ...]
    terms: tuple[tuple[float, float], ...]
    value: float


def number(x: float, digits: int = 4) -> str:
    """A short form for a term: 4 significant digits, '−' as the minus sign, e.g. '−0.1235'."""
    if not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    return f"{x:.{digits}g}".replace("-", "−")


def exact(x: float) -> str:
    """The total at full precision (the float's repr), '−' as the minus sign."""
    return number(x) if not math.isfinite(x) else repr(float(x)).replace("-", "−")


def _factor(x: float) -> str:
    text = number(x)
    return f"({text})" if text.startswith("−") else text


def written_sum(pairs: Sequence[tuple[float, float]] | None = None, singles: Sequence[float] | None = None) -> str:
    """'0.31·0.5 + (−0.12)·0.8 + … (12288 terms)' or '0.1 + (−0.2) + 0.3' for a plain sum."""
    items = [f"{_factor(a)}·{_factor(b)}" for a, b in pairs] if pairs is not None else [_factor(a) for a in singles]
    if len(items) > ALL_TERMS:
        return " + ".join(items[:SHOWN_TERMS]) + f" + … ({len(items)} terms)"
    return " + ".join(items)


def _cell(key: str, i: int, j: int | None = None) -> str:
    """'W[1][2,5]', or 'b[1][2]' for a column vector."""
    return f"{symbol(key)}[{i}]" if j is None else f"{symbol(key)}[{i},{j}]"


def _product(name: str, left: str, right: str, a: Array, b: Array, extra: str = "",
             extra_value: float | None = None, value: float = 0.0) -> tuple[str, tuple[tuple[float, float], ...]]:
    """'name = Σₖ left·right [+ extra] = a₀·b₀ + … [+ extra value] = value' for the vectors a, b."""
    terms = tuple((float(x), float(y)) for x, y in zip(a, b))
    written = written_sum(terms)
    formula = f"Σₖ {left}·{right}"
    if extra:
        formula += f" + {extra}"
        written += f" + {_factor(extra_value)}"
    return f"{name} = {formula} = {written} = {exact(value)}", terms


def provenance(op: Operation, spec: NetworkSpec, operands: Sequence[Array | None], result: Array,
               row: int, col: int, learning_rate: float) -> Provenance:
    """How cell (row, col) of ``result`` (as computed by ``op`` from ``operands``, in the plan's order) came about."""
    value = float(result[row, col])
    kind, key, keys = str(op.kind), op.key, op.operands
    name = _cell(key, row) if result.shape[1] == 1 else _cell(key, row, col)
    L = spec.L

    def missing(text: str) -> Provenance:
        return Provenance(f"{name} = {text} = {exact(value)}", (), (), value)

    if any(a is None for a in operands) and kind != "update":
        return missing("(an operand is not kept)")
    if kind == "linear":  # Z[l] = W[l]·A[l-1] + b[l] (no b[l] under batch norm)
        W, A = operands[:2]
        bias = (_cell(keys[2], row), float(operands[2][row, 0])) if len(operands) > 2 else ("", None)
        text, terms = _product(name, f"{symbol(keys[0])}[{row},k]", f"{symbol(keys[1])}[k,{col}]",
                               W[row, :], A[:, col], bias[0], bias[1], value)
        marks = ((0, row, None), (1, None, col)) + (((2, row, 0),) if len(operands) > 2 else ())
        return Provenance(text, marks, terms, value)
    if kind == "dW":  # dW[l] = dZ[l]·A[l-1]ᵀ: row i of dZ[l], row j of A[l-1] (column j of A[l-1]ᵀ as shown)
        dZ, A = operands[:2]
        text, terms = _product(name, f"{symbol(keys[0])}[{row},k]", f"{symbol(keys[1])}[{col},k]",
                               dZ[row, :], A[col, :], value=value)
        marks = ((0, row, None), (1, None, col))
        if len(operands) > 2:  # + (λ/m)·W[l]: L2 regularisation
            head, total = text.rsplit(" = ", 1)
            text = f"{head} + (λ/m)·{_cell(keys[2], row, col)} = {total}"
            marks += ((2, row, col),)
        return Provenance(text, marks, terms, value)
    if kind == "dA" and key != f"dA{L}":  # dA[l-1] = W[l]ᵀ·dZ[l]: column i of W[l] (row i of W[l]ᵀ as shown)
        W, dZ = operands
        text, terms = _product(name, f"{symbol(keys[0])}[k,{row}]", f"{symbol(keys[1])}[k,{col}]",
                               W[:, row], dZ[:, col], value=value)
        return Provenance(text, ((0, row, None), (1, None, col)), terms, value)
    if kind == "db":  # db[l] = Σₖ dZ[l][i,k]
        (dZ,) = operands
        singles = [float(x) for x in dZ[row, :]]
        text = f"{name} = Σₖ {symbol(keys[0])}[{row},k] = {written_sum(singles=singles)} = {exact(value)}"
        return Provenance(text, ((0, row, None),), tuple((x, 1.0) for x in singles), value)
    if kind == "update":  # p = p − α·dp (momentum: α·v_dp; RMSprop, Adam: α·dp / (√s + ε))
        old, grad = operands[:2]
        cell = (lambda k: _cell(k, row)) if result.shape[1] == 1 else (lambda k: _cell(k, row, col))
        before = "(old value not kept)" if old is None else number(float(old[row, col]))
        g = float(grad[row, col])
        if len(operands) == 2:
            step, numbers = f"α·{cell(keys[1])}", f"{number(learning_rate)}·{_factor(g)}"
        else:
            s = float(operands[2][row, col])
            step = f"α·{cell(keys[1])} / (√{cell(keys[2])} + ε)"
            numbers = f"{number(learning_rate)}·{_factor(g)} / (√{number(s)} + ε)"
        text = f"{name} = {name} − {step} = {before} − {numbers} = {exact(value)}"
        marks = tuple((k, row, col) for k in range(len(operands)) if operands[k] is not None)
        return Provenance(text, marks, (), value)
    if kind == "activation" and len(operands) == 1:
        (Z,) = operands
        z = float(Z[row, col])
        g = spec.activation(op.layer)
        if g == "softmax":
            exps = [f"e^{_factor(float(z_k))}" for z_k in Z[:, col]]
            shown = " + ".join(exps) if len(exps) <= ALL_TERMS else " + ".join(exps[:SHOWN_TERMS]) + " + …"
            text = (f"{name} = e^{_cell(keys[0], row, col)} / Σₖ e^{symbol(keys[0])}[k,{col}]"
                    f" = e^{_factor(z)} / ({shown}) = {exact(value)}")
            return Provenance(text, ((0, None, col),), (), value)
        if g == "linear":
            return Provenance(f"{name} = {_cell(keys[0], row, col)} = {exact(value)}", ((0, row, col),), (), value)
        written = {"sigmoid": "σ"}.get(g, g)
        return Provenance(f"{name} = {written}({_cell(keys[0], row, col)}) = {written}({number(z)}) = {exact(value)}",
                          ((0, row, col),), (), value)
    if kind == "dZ" and len(operands) <= 2:
        return _dZ(op, spec, operands, name, row, col, value)
    if kind == "cost":
        return _cost(op, spec, operands, value)
    if kind == "dA" and len(operands) == 2 and keys[1] == "Y":  # dA[L] from A[L] and Y, cell by cell
        A, Y = operands
        return Provenance(f"{name} = {op.rhs} at [{row},{col}], from {_cell(keys[0], row, col)} = "
                          f"{number(float(A[row, col]))} and {_cell(keys[1], row, col)} = {number(float(Y[row, col]))}"
                          f" (m = {A.shape[1]}) = {exact(value)}", ((0, row, col), (1, row, col)), (), value)
    return missing(op.rhs)


def _dZ(op: Operation, spec: NetworkSpec, operands: Sequence[Array], name: str, row: int, col: int,
        value: float) -> Provenance:
    """dZ[l] = dA[l] * g'(Z[l]) cell by cell (the softmax output reads the whole column)."""
    keys, l = op.operands, op.layer
    g = spec.activation(l)
    if l == spec.L and g == "softmax":  # dZ[L] = A * (dA − Σᵢ Aᵢ dAᵢ): the column of A[L] and of dA[L]
        return Provenance(f"{name} = {op.rhs} on column {col} = {exact(value)}", ((0, None, col), (1, None, col)),
                          (), value)
    dA = float(operands[0][row, col])
    if len(operands) == 1:  # linear output: dZ[L] = dA[L]
        return Provenance(f"{name} = {_cell(keys[0], row, col)} · 1 = {number(dA)} · 1 = {exact(value)}",
                          ((0, row, col),), (), value)
    z = float(operands[1][row, col])
    if l == spec.L:
        slope = float(sigmoid_prime(np.array(z)))
    else:
        slope = float(ACTIVATIONS[g][1](np.ones((1, 1)), np.array([[z]]))[0, 0])
    prime = {"sigmoid": "σ'"}.get(g, f"{g}'")
    text = (f"{name} = {_cell(keys[0], row, col)} · {prime}({_cell(keys[1], row, col)}) = "
            f"{_factor(dA)} · {prime}({number(z)}) = {_factor(dA)} · {_factor(slope)} = {exact(value)}")
    return Provenance(text, ((0, row, col), (1, row, col)), (), value)


def _cost(op: Operation, spec: NetworkSpec, operands: Sequence[Array], value: float) -> Provenance:
    """J = (1/m) Σⱼ loss of example j: the first examples' losses written out."""
    A, Y = operands[:2]
    if len(operands) > 2:  # + J_L2: the regularisation term is not a sum over examples
        return Provenance(f"J = {op.rhs} = {exact(value)}", ((0, None, None), (1, None, None)), (), value)
    m = A.shape[1]
    with np.errstate(all="ignore"):
        if spec.output == "sigmoid":
            losses = -(Y * np.log(A) + (1 - Y) * np.log1p(-A)).sum(axis=0)
        elif spec.output == "softmax":
            losses = -(Y * np.log(A)).sum(axis=0)
        else:
            losses = ((A - Y) ** 2).sum(axis=0) / 2
    written = written_sum(singles=[float(x) for x in losses])
    return Provenance(f"J = (1/m) Σⱼ loss(A[{spec.L}][:,j], Y[:,j]) = (1/{m})·({written}) = {exact(value)}",
                      ((0, None, None), (1, None, None)), (), value)
