"""Gradient checking: central differences (float64) against the stepper's dW and db."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .context import Training
from .network import NetworkSpec
from .plan import initial_state, symbol
from .stepper import Stepper, iterate_ops

Array = np.ndarray

GOOD = 1e-7  # the course: below this the backward pass is right
BAD = 1e-5   # above this something is wrong


@dataclass(frozen=True)
class GradCheckRow:
    """One parameter block: ‖g_num − g‖ / (‖g_num‖ + ‖g‖) over the entries checked."""

    key: str
    relative_difference: float
    checked: int
    total: int
    max_abs_difference: float

    @property
    def symbol(self) -> str:
        return symbol(self.key)

    @property
    def subset(self) -> bool:
        return self.checked < self.total

    @property
    def verdict(self) -> str:
        if self.relative_difference < GOOD:
            return "ok"
        return "wrong" if self.relative_difference > BAD else "suspicious"


class Cancelled(Exception):
    """The caller asked the gradient check to stop."""


def relative_difference(numeric: Array, analytic: Array) -> float:
    denominator = np.linalg.norm(numeric) + np.linalg.norm(analytic)
    return 0.0 if denominator == 0 else float(np.linalg.norm(numeric - analytic) / denominator)


def gradient_check(
    spec: NetworkSpec,
    params: dict[str, Array],
    X: Array,
    Y: Array,
    epsilon: float = 1e-6,
    max_per_block: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    training: Training | None = None,
) -> list[GradCheckRow]:
    """Compare dW[l], db[l] from the stepper's backward pass with (J(θ+ε) − J(θ−ε)) / 2ε.

    ε = 1e-6 by default: in float64 the course's 1e-7 lets rounding error in J
    (about 1e-16·J/ε) reach the 1e-7 pass mark on small networks.

    Rows come in the order W1, b1, ..., WL, bL.  With ``max_per_block``, a block with
    more entries is checked on that many entries drawn at random (seeded), and the
    row says how many.  J is evaluated by the same forward and cost operations the
    stepper performs.  ``progress(done, total)`` is called as entries are checked;
    ``should_stop()`` returning True raises Cancelled.

    With ``training`` (mini-batches, λ) the check is on the first batch with the L2 term;
    dropout masks are those of that iteration in both passes (they follow the iteration,
    not a moving random state) and batch norm normalises with the batch's own μ and σ².
    """
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items() if k in spec.parameter_names}
    stepper = Stepper(spec, params, X, Y, training=training)
    stepper.run_to(stepper.backward_end)
    cost_ops = stepper.plan[: stepper.forward_end]
    start = {"A0": X, "Y": Y, **initial_state(spec, stepper.training)}

    def cost() -> float:
        values = iterate_ops(cost_ops, {**start, **params}, stepper.context)
        return float(values["J"][0, 0])

    rng = np.random.default_rng(seed)
    chosen: dict[str, Array] = {}
    for key, block in params.items():
        n = block.size
        chosen[key] = np.arange(n) if max_per_block is None or n <= max_per_block else np.sort(
            rng.choice(n, size=max_per_block, replace=False)
        )
    total = sum(len(idx) for idx in chosen.values())
    done = 0
    rows = []
    for key, block in params.items():
        analytic = stepper.values["d" + key].ravel()[chosen[key]]
        numeric = np.empty(len(chosen[key]))
        flat = block.reshape(-1)  # a view: perturbs params[key] in place
        for j, i in enumerate(chosen[key]):
            if should_stop and should_stop():
                raise Cancelled()
            saved = flat[i]
            flat[i] = saved + epsilon
            plus = cost()
            flat[i] = saved - epsilon
            minus = cost()
            flat[i] = saved
            numeric[j] = (plus - minus) / (2 * epsilon)
            done += 1
            if progress and (done % 16 == 0 or done == total):
                progress(done, total)
        rows.append(
            GradCheckRow(
                key,
                relative_difference(numeric, analytic),
                len(chosen[key]),
                block.size,
                float(np.max(np.abs(numeric - analytic))) if len(numeric) else 0.0,
            )
        )
    return rows

