"""Diagnostics of a training state: dead ReLUs, saturated units, update-to-weight ratios."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import NetworkSpec

Array = np.ndarray

# rules of thumb (e.g. CS231n): α‖dW‖/‖W‖ around 1e-3 is healthy
RATIO_HIGH = 1e-2
RATIO_LOW = 1e-5
DEAD_SHARE = 0.5
SATURATED_SHARE = 0.5


@dataclass(frozen=True)
class LayerDiagnostics:
    """One layer l: how many of its n_l units are dead or saturated, and α‖dW[l]‖/‖W[l]‖."""

    layer: int
    activation: str
    units: int
    dead: int | None  # ReLU units with Z ≤ 0 on every example (no gradient ever)
    saturated: int | None  # sigmoid/tanh units saturated on most examples
    update_ratio: float | None  # α‖dW[l]‖ / ‖W[l]‖
    hint: str


def _saturated(activation: str, Z: Array) -> int | None:
    if activation == "sigmoid":
        flat = np.abs(Z) > 4.6  # σ' < 0.01
    elif activation == "tanh":
        flat = np.abs(Z) > 2.65  # tanh' < 0.02
    else:
        return None
    return int(np.count_nonzero(flat.mean(axis=1) > SATURATED_SHARE))


def _hint(d: LayerDiagnostics) -> str:
    hints = []
    if d.dead is not None and d.dead >= max(1, DEAD_SHARE * d.units):
        hints.append(f"{d.dead} of {d.units} ReLU units are dead: try a smaller α, He initialisation or leaky_relu")
    if d.saturated and d.saturated >= max(1, SATURATED_SHARE * d.units):
        hints.append(f"{d.saturated} of {d.units} units saturate: gradients vanish; try smaller initial weights")
    if d.update_ratio is not None and np.isfinite(d.update_ratio):
        if d.update_ratio > RATIO_HIGH:
            hints.append(f"updates are {d.update_ratio:.1e} of the weights: α is probably too large")
        elif 0 < d.update_ratio < RATIO_LOW:
            hints.append(f"updates are {d.update_ratio:.1e} of the weights: learning is very slow")
    return "; ".join(hints)


def diagnose(spec: NetworkSpec, values: dict[str, Array], learning_rate: float) -> list[LayerDiagnostics]:
    """Per layer 1..L, from the values of the latest forward and backward pass (missing → None)."""
    rows = []
    for l in range(1, spec.L + 1):
        activation = spec.activation(l)
        Z, W, dW = values.get(f"Z{l}"), values.get(f"W{l}"), values.get(f"dW{l}")
        dead = None
        if activation == "relu" and Z is not None:
            dead = int(np.count_nonzero((Z <= 0).all(axis=1)))
        saturated = _saturated(activation, Z) if Z is not None else None
        ratio = None
        if W is not None and dW is not None:
            norm = float(np.linalg.norm(W))
            ratio = float(learning_rate * np.linalg.norm(dW) / norm) if norm > 0 else float("inf")
        row = LayerDiagnostics(l, activation, spec.sizes[l], dead, saturated, ratio, "")
        rows.append(LayerDiagnostics(**{**row.__dict__, "hint": _hint(row)}))
    return rows
