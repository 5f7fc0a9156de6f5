"""The training history: J and ‖dW[l]‖ per completed iteration, in growing numpy buffers."""
from __future__ import annotations

import functools
import math

import numpy as np

Array = np.ndarray


class History:
    """Cost and gradient norms, one row per completed iteration.

    Appends go into buffers that double when full, so a plot can take
    ``costs`` / ``grad_norms`` (views of the first ``len(self)`` rows) after
    every iteration at no copying cost.  One writer (the training thread) and
    readers on another thread are fine: a reader sees a consistent
    (buffers, count) pair because it is replaced as one tuple.
    """

    def __init__(self, layers: int) -> None:
        self.layers = layers
        self._state: tuple[Array, Array, int] = (np.empty(256), np.empty((256, layers)), 0)

    def __len__(self) -> int:
        return self._state[2]

    @property
    def costs(self) -> Array:
        """J of iterations 0..n-1 (n,)."""
        costs, _, n = self._state
        return costs[:n]

    @property
    def grad_norms(self) -> Array:
        """‖dW[l]‖ (Frobenius) of iterations 0..n-1, column l-1 for layer l: (n, L)."""
        _, norms, n = self._state
        return norms[:n]

    @property
    def iterations(self) -> Array:
        return np.arange(len(self), dtype=float)

    def append(self, cost: float, norms: Array | list[float]) -> None:
        costs, grad, n = self._state
        if n == len(costs):
            costs = np.concatenate([costs, np.empty(len(costs))])
            grad = np.concatenate([grad, np.empty_like(grad)])
        costs[n] = cost
        grad[n] = norms
        self._state = (costs, grad, n + 1)

    def truncate(self, n: int) -> None:
        """Keep the first n iterations (stepping back across an update drops the last point)."""
        costs, grad, count = self._state
        self._state = (costs, grad, max(0, min(n, count)))

    def clear(self) -> None:
        self.truncate(0)

    def to_arrays(self) -> dict[str, Array]:
        return {"cost": self.costs.copy(), "grad_norms": self.grad_norms.copy()}

    @classmethod
    def from_arrays(cls, cost: Array, grad_norms: Array) -> "History":
        cost = np.asarray(cost, dtype=float).reshape(-1)
        grad_norms = np.asarray(grad_norms, dtype=float)
        if grad_norms.ndim != 2 or len(grad_norms) != len(cost):
            raise ValueError(f"history of {len(cost)} costs has gradient norms of shape {grad_norms.shape}")
        history = cls(grad_norms.shape[1])
        size = max(256, len(cost))
        costs, norms = np.empty(size), np.empty((size, grad_norms.shape[1]))
        costs[:len(cost)], norms[:len(cost)] = cost, grad_norms
        history._state = (costs, norms, len(cost))
        return history


@functools.lru_cache(maxsize=None)
def _gradient_keys(layers: int) -> tuple[str, ...]:
    return tuple(f"dW{l}" for l in range(1, layers + 1))


def gradient_norms(values: dict[str, Array], layers: int, squares: dict[str, float] | None = None) -> list[float]:
    """‖dW[l]‖ for l = 1..L from the stepper's values (√(dW·dW): what np.linalg.norm computes, in one call);
    ``squares`` may hold dW·dW already computed from these values (by key, e.g. 'dW2')."""
    keys = _gradient_keys(layers)
    if squares:
        try:
            return [math.sqrt(squares[key]) for key in keys]
        except KeyError:  # not every dW[l] is watched
            pass
    return [math.sqrt(np.vdot(dW, dW)) for dW in (values[key] for key in keys)]
