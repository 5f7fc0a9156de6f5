"""One operation of the plan, declared: its symbol, phase, kind, operands, shape rule and compute.

Every other part of nnviz reads these declarations instead of decoding strings:
``plan_shapes`` follows the shape rules, the diagram's highlighting follows
``reads`` and ``writes``, the explanations follow ``kind``.  ``compute``
receives the values computed so far and a ``Context`` (α, β's, ε, λ, t, the
mini-batch) and returns a new array; arrays are never changed in place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Callable, Union

import numpy as np

if TYPE_CHECKING:
    from .context import Context

Array = np.ndarray
Values = dict[str, Array]
Compute = Callable[[Values, "Context"], Array]


class Phase(str, Enum):
    """The stages of one iteration (a str, so ``op.phase == "forward"`` reads as before)."""

    BATCH = "batch"  # X{t}, Y{t}: the columns of this mini-batch
    FORWARD = "forward"
    COST = "cost"
    BACKWARD = "backward"
    OPTIMIZER = "optimizer"  # t, α, v, s, v^corr, s^corr: the optimiser's state before the updates
    UPDATE = "update"

    def __str__(self) -> str:
        return self.value


PHASES: tuple[str, ...] = tuple(p.value for p in Phase)


class Kind(str, Enum):
    """What an operation computes; the explanations and the export dispatch on it."""

    BATCH = "batch"
    LINEAR = "linear"
    ACTIVATION = "activation"
    MASK = "mask"  # D[l]: which units dropout keeps
    DROPOUT = "dropout"  # Ã[l] = A[l]·D[l]/keep_prob, and its backward dA[l] = dÃ[l]·D[l]/keep_prob
    BN_MEAN = "bn_mean"
    BN_VAR = "bn_var"
    BN_NORM = "bn_norm"
    BN_SCALE = "bn_scale"
    COST = "cost"
    L2 = "l2"
    DA = "dA"
    DZ = "dZ"
    DW = "dW"
    DB = "db"
    DGAMMA = "dgamma"
    DBETA = "dbeta"
    DZHAT = "dZhat"
    STEP_COUNT = "t"
    DECAY = "decay"
    MOMENT = "moment"  # v = β1 v + (1 − β1) dW, s = β2 s + (1 − β2) dW²
    BIAS_CORRECTION = "bias_correction"
    UPDATE = "update"
    RUNNING_AVERAGE = "running_average"

    def __str__(self) -> str:
        return self.value


# a shape rule: rows and columns, each a number of units or "m" (the columns of the mini-batch)
Dim = Union[int, str]
Shape = tuple[Dim, Dim]

# key prefixes and how the notes write them: 'vdW1' -> 'v_dW[1]', 'Ad2' -> 'Ã[2]'
_PREFIX_SYMBOLS = {
    "vhat": "v^corr_", "shat": "s^corr_", "v": "v_", "s": "s_",
}
_NAMED = {
    "Ad": "Ã", "dAd": "dÃ", "mu": "μ", "var": "σ²", "Zhat": "Ẑ", "Zt": "Z̃", "dZt": "dZ̃", "dZhat": "dẐ",
    "gamma": "γ", "beta": "β", "dgamma": "dγ", "dbeta": "dβ", "murun": "μ_run", "varrun": "σ²_run",
}
_KEY = re.compile(r"^(d?[A-Za-z]+?)(\d+)$")
_STATE = re.compile(r"^(vhat|shat|v|s)(d(?:W|b|gamma|beta)\d+)$")
_SPECIAL = {"J": "J", "Y": "Y", "t": "t", "alpha": "α", "L2": "J_L2"}


def symbol(key: str) -> str:
    """'dW2' -> 'dW[2]', 'A0' -> 'A[0]', 'vdW1' -> 'v_dW[1]', 'alpha' -> 'α'; 'J' and 'Y' stay as they are."""
    if key in _SPECIAL:
        return _SPECIAL[key]
    state = _STATE.match(key)
    if state:
        return _PREFIX_SYMBOLS[state.group(1)] + symbol(state.group(2))
    match = _KEY.match(key)
    if not match:
        return key
    name, layer = match.groups()
    return f"{_NAMED.get(name, name)}[{layer}]"


def key_layer(key: str) -> int | None:
    """The layer number a key carries ('vdW2' -> 2), None for J, Y, t, α."""
    match = re.search(r"(\d+)$", key)
    return int(match.group(1)) if match else None


def key_role(key: str) -> str:
    """'weight' for W[l]-shaped arrays (W, dW, v_dW, ...), 'bias' for b[l]-shaped ones (b, db, γ, β, μ, ...),
    'unit' for one row per unit and one column per example (Z, A, dZ, D, ...), 'scalar' otherwise."""
    state = _STATE.match(key)
    if state:
        key = state.group(2)[1:]
    match = _KEY.match(key)
    if not match:
        return "scalar"
    name = match.group(1)
    if name in ("W", "dW"):
        return "weight"
    if name in ("b", "db", "gamma", "beta", "dgamma", "dbeta", "mu", "var", "murun", "varrun"):
        return "bias"
    return "unit"


def shape_text(shape: tuple[int, ...]) -> str:
    """(5, 7) -> '5×7', rows×cols as the notes write shapes."""
    if len(shape) == 0:
        return "1×1"
    if len(shape) == 1:
        return f"{shape[0]}×1"
    return "×".join(str(n) for n in shape)


@dataclass(frozen=True)
class Operation:
    """One named operation of the plan, built with keywords.

    ``form`` is the right-hand side with {0}, {1}, ... standing for the operands;
    ``transposed[i]`` says whether operand i appears transposed (A[1]ᵀ).
    ``shape_form`` is the same for the shape algebra, when it differs from ``form``.
    ``shape`` is the rule for the result's shape ("m" is the mini-batch's columns);
    ``reads`` defaults to the operands, and the operation writes ``key`` alone.
    ``label`` replaces the symbol where the notes name the result otherwise (X{t}).
    """

    key: str
    phase: Phase
    layer: int
    kind: Kind
    operands: tuple[str, ...]
    form: str
    compute: Compute = field(repr=False, compare=False)
    shape: Shape = (1, 1)
    transposed: tuple[bool, ...] = ()
    shape_form: str = ""
    reads: tuple[str, ...] = ()
    label: str = ""
    index: int = -1

    def __post_init__(self) -> None:
        object.__setattr__(self, "phase", Phase(self.phase))
        object.__setattr__(self, "kind", Kind(self.kind))
        if not self.reads:
            object.__setattr__(self, "reads", tuple(self.operands))

    @property
    def writes(self) -> tuple[str, ...]:
        return (self.key,)

    @property
    def symbol(self) -> str:
        return self.label or symbol(self.key)

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

    def result_shape(self, m: int) -> tuple[int, int]:
        """The result's shape on a mini-batch of m columns."""
        return tuple(m if d == "m" else int(d) for d in self.shape)  # type: ignore[return-value]

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

    def highlight(self) -> tuple[set[int], set[int], set[int]]:
        """(columns, weight layers, bias layers) the operation works on, from what it reads and writes.

        Weight and bias layers are the W[l]- and b[l]-shaped arrays it reads or writes; the
        columns are the layers whose per-unit arrays it writes, the layers of its biases, and
        the layer whose weight gradient it computes (dW[l] = dZ[l]·A[l−1]ᵀ lights layer l)."""
        touched = (*self.reads, self.key)
        weights = {key_layer(k) for k in touched if key_role(k) == "weight"}
        biases = {key_layer(k) for k in touched if key_role(k) == "bias"}
        columns = {key_layer(self.key)} if key_role(self.key) == "unit" else set()
        columns |= biases
        if self.kind in (Kind.DW, Kind.DB):
            columns.add(self.layer)
        if not (columns or weights or biases):
            columns = {self.layer}
        return columns, weights, biases  # type: ignore[return-value]
