"""Mini-batches: X{t} and Y{t} as operations, and the epoch's cost as the course prints it."""
from __future__ import annotations

import numpy as np

from .network import NetworkSpec
from .operation import Array, Kind, Operation, Phase


def batch_ops(spec: NetworkSpec) -> list[Operation]:
    """A[0] = X{t} and Y = Y{t}: the columns of the epoch's permutation that form batch t."""
    return [
        Operation(key="A0", label="X{t}", phase=Phase.BATCH, layer=0, kind=Kind.BATCH, operands=(),
                  form="X[:, π[(t−1)b : tb]]", shape=(spec.sizes[0], "m"),
                  compute=lambda v, c: np.take(c.X, c.columns, axis=1)),  # X[:, columns], twice as fast
        Operation(key="Y", label="Y{t}", phase=Phase.BATCH, layer=0, kind=Kind.BATCH, operands=(),
                  form="Y[:, π[(t−1)b : tb]]", shape=(spec.sizes[-1], "m"),
                  compute=lambda v, c: np.take(c.Y, c.columns, axis=1)),
    ]


class EpochCost:
    """The cost of an epoch as the course prints it: the per-example loss summed over the epoch's
    batches (each J taken before that batch's update) over m, plus the L2 term (λ/2m)·Σ‖W[l]‖²
    of the last batch's forward pass.  Feed it ``add(stepper)`` after every iteration; it returns
    the epoch's cost when the epoch is complete, else None."""

    def __init__(self) -> None:
        self.loss_sum = 0.0

    def add(self, stepper) -> float | None:
        values = stepper.values
        m_t = values["Y"].shape[1]
        J = float(values["J"][0, 0])
        l2 = float(values["L2"][0, 0]) if "L2" in values else 0.0
        self.loss_sum += (J - l2) * m_t
        if stepper.context.batch != 1:  # the iteration just completed was not the epoch's last
            return None
        cost = self.loss_sum / stepper.m_total + l2 * m_t / stepper.m_total
        self.loss_sum = 0.0
        return cost


def columns_text(columns: Array, limit: int = 8) -> str:
    """'17, 3, 250, … (64 columns)': which examples a mini-batch took."""
    head = ", ".join(str(int(c)) for c in columns[:limit])
    return f"{head}{', …' if len(columns) > limit else ''} ({len(columns)} columns)"
