"""Predictions and accuracy of a trained network, by the plan's own forward operations."""
from __future__ import annotations

import numpy as np

from .network import NetworkSpec
from .plan import forward_plan
from .stepper import iterate_ops, quiet

Array = np.ndarray


def predict(spec: NetworkSpec, params: dict[str, Array], X: Array) -> Array:
    """A[L] (n_y, m) for the columns of X (n_x, m): no dropout; batch norm with its running averages
    (``params`` may be the stepper's values, which hold them)."""
    with quiet():  # a diverged network gives Inf/NaN predictions, not warnings
        return iterate_ops(forward_plan(spec), {**params, "A0": X})[f"A{spec.L}"]


def accuracy(spec: NetworkSpec, A: Array, Y: Array) -> float | None:
    """Share of examples classified right: sigmoid A > 0.5, softmax argmax; None for linear."""
    if spec.output == "sigmoid":
        return float(np.mean((A > 0.5) == (Y > 0.5)))
    if spec.output == "softmax":
        return float(np.mean(A.argmax(axis=0) == Y.argmax(axis=0)))
    return None
