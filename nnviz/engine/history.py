"""The training history: J and ‖dW[l]‖ per completed iteration, in growing numpy buffers of bounded size.

A long run is thinned as it goes so that the history never holds more than ``MAX_ROWS`` rows (xor
completes about 10,000 iterations a second: an hour of it, every iteration kept, took 1.1 GB).
The newest iterations, ``RECENT_ROWS`` at least, are always kept, each one; before them every
``stride``-th iteration is (0, stride, 2·stride, ...), the stride doubling as the run grows long.  Each
row holds its iteration's number, so nothing is drawn, hovered or exported at another iteration.
"""
from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np

Array = np.ndarray

MAX_ROWS = 1 << 20  # rows at most: 40 MB for three layers (iteration, J and three norms, float64)
RECENT_ROWS = MAX_ROWS // 4  # the newest iterations each kept, however long the run: this many at least
FIRST_ROWS = 256


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 32nd, 8192nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Rows(NamedTuple):
    """A consistent view of the kept rows (``History.rows``): what a reader on another thread takes."""

    costs: Array  # J (n,)
    grad_norms: Array  # ‖dW[l]‖, column l-1 for layer l (n, L)
    iterations: Array  # each row's iteration number (n,), float64 for the plots (exact below 2**53)
    generation: int  # changes when the history is thinned: anything folded from older rows is stale
    thinned: bool  # some iterations before the newest are not kept (rows are not 0, 1, 2, ...)
    stride: int  # once thinned, the older rows are every stride-th iteration

    def describe(self, what: str = "") -> str:
        """'4 iterations', or for a thinned history '524289 of 36000000 iterations (older ones every 64th)';
        ``what`` goes before the parenthesis ('4 iterations of J')."""
        n = len(self.costs)
        if not self.thinned:
            return f"{n} iteration" + ("" if n == 1 else "s") + what
        every = f" (older ones every {ordinal(self.stride)})" if self.stride > 1 else ""
        return f"{n} of {self.last_iteration + 1} iterations{what}{every}"

    def row_of(self, iteration: float) -> int:
        """The row nearest ``iteration`` (the earlier on a tie); 0 when empty."""
        n = len(self.costs)
        if n == 0:
            return 0
        if not self.thinned:
            return min(max(int(math.floor(iteration + 0.5)), 0), n - 1)
        i = int(np.searchsorted(self.iterations, iteration))
        if i >= n:
            return n - 1
        if i > 0 and iteration - self.iterations[i - 1] <= self.iterations[i] - iteration:
            return i - 1
        return i

    def rows_before(self, iteration: float) -> int:
        """How many rows hold iterations before ``iteration``."""
        if not self.thinned:
            return min(max(int(math.ceil(iteration)), 0), len(self.costs))
        return int(np.searchsorted(self.iterations, iteration))

    @property
    def last_iteration(self) -> int:
        """The newest row's iteration (-1 when empty)."""
        return int(self.iterations[-1]) if len(self.iterations) else -1

    @property
    def numbered(self) -> Array | None:
        """Each row's iteration when the rows are not iterations 0, 1, 2, … (None when they are)."""
        return self.iterations if self.thinned else None


NO_ROWS = Rows(np.empty(0), np.empty((0, 0)), np.empty(0), 0, False, 1)  # what a view shows before any history


class History:
    """Cost and gradient norms, one row per kept iteration (every completed one until ``MAX_ROWS``).

    Appends go into buffers that double when full, so a plot can take ``rows()`` (views of the
    first ``len(self)`` rows) after every iteration at no copying cost.  One writer (the training
    thread) and readers on another thread are fine: a reader sees a consistent state because it is
    replaced as one tuple, and thinning writes new buffers.
    """

    def __init__(self, layers: int) -> None:
        self.layers = layers
        # costs, norms, iterations, count, generation, thinned, stride
        self._state: tuple[Array, Array, Array, int, int, bool, int] = (
            np.empty(FIRST_ROWS), np.empty((FIRST_ROWS, layers)), np.empty(FIRST_ROWS), 0, 0, False, 1)

    def __len__(self) -> int:
        """Rows kept (the number of completed iterations until the history is first thinned)."""
        return self._state[3]

    def rows(self) -> Rows:
        costs, norms, iterations, n, generation, thinned, stride = self._state
        return Rows(costs[:n], norms[:n], iterations[:n], generation, thinned, stride)

    @property
    def costs(self) -> Array:
        return self.rows().costs

    @property
    def grad_norms(self) -> Array:
        return self.rows().grad_norms

    @property
    def iterations(self) -> Array:
        return self.rows().iterations

    @property
    def thinned(self) -> bool:
        return self._state[5]

    @property
    def stride(self) -> int:
        return self._state[6]

    def append(self, cost: float, norms: Array | list[float], iteration: int | None = None) -> None:
        """Completed ``iteration`` (default: the one after the newest kept row, or 0).  One after a gap
        (the rows of a trace's iteration taken over start there) makes the rows numbered as thinned ones
        are; one at or before kept rows replaces them (the stepper's iteration is what counts)."""
        if iteration is not None and len(self) and iteration <= self._state[2][len(self) - 1]:
            self.truncate(iteration)
        costs, grad, iterations, n, generation, thinned, stride = self._state
        following = iterations[n - 1] + 1 if n else 0.0
        if iteration is None or iteration == following:
            iteration = following
        else:
            thinned = True
        if n == MAX_ROWS:
            costs, grad, iterations, n, stride = _thinned(costs[:n], grad[:n], iterations[:n], stride)
            generation, thinned = generation + 1, True
        elif n == len(costs):
            costs = np.concatenate([costs, np.empty(len(costs))])
            grad = np.concatenate([grad, np.empty_like(grad)])
            iterations = np.concatenate([iterations, np.empty(len(iterations))])
        costs[n] = cost
        grad[n] = norms
        iterations[n] = iteration
        self._state = (costs, grad, iterations, n + 1, generation, thinned, stride)

    def truncate(self, iterations: int) -> None:
        """Keep the rows of iterations 0..``iterations``-1 (stepping back across an update drops the last point)."""
        state = self._state
        self._state = state[:3] + (self.rows().rows_before(max(0, iterations)),) + state[4:]

    def clear(self) -> None:
        self.truncate(0)

    def to_arrays(self) -> dict[str, Array]:
        """What a session file keeps: J and the norms and, once thinned, the iterations they belong to."""
        rows = self.rows()
        arrays = {"cost": rows.costs.copy(), "grad_norms": rows.grad_norms.copy()}
        if rows.thinned:
            arrays["iteration"] = rows.iterations.copy()
        return arrays

    @classmethod
    def from_arrays(cls, cost: Array, grad_norms: Array, iteration: Array | None = None) -> "History":
        """From ``to_arrays``; ValueError when the arrays do not belong together.  Without ``iteration``
        the rows are iterations 0, 1, 2, ...  More than MAX_ROWS rows are thinned as a run thins them."""
        cost = np.asarray(cost, dtype=float).reshape(-1)
        grad_norms = np.asarray(grad_norms, dtype=float)
        n = len(cost)
        if grad_norms.ndim != 2 or len(grad_norms) != n:
            raise ValueError(f"history of {n} costs has gradient norms of shape {grad_norms.shape}")
        numbers = np.arange(n, dtype=float) if iteration is None else np.asarray(iteration, dtype=float).reshape(-1)
        if len(numbers) != n:
            raise ValueError(f"history of {n} costs has {len(numbers)} iteration numbers")
        if n and not (numbers[0] >= 0 and numbers[-1] < 2.0 ** 53 and np.all(np.diff(numbers) > 0)
                      and np.all(numbers == np.floor(numbers))):
            raise ValueError("the history's iteration numbers are not whole numbers in increasing order")
        history = cls(grad_norms.shape[1])
        thinned = bool(n and numbers[-1] != n - 1)  # increasing whole numbers from 0 up to n-1 are all of them
        stride = _older_stride(numbers) if thinned else 1
        if n > MAX_ROWS:
            costs, norms, numbers, n, stride = _thinned(cost, grad_norms, numbers, stride)
            thinned = True
        else:
            size = max(FIRST_ROWS, n)
            costs, norms, kept = np.empty(size), np.empty((size, grad_norms.shape[1])), np.empty(size)
            costs[:n], norms[:n], kept[:n] = cost, grad_norms, numbers
            numbers = kept
        history._state = (costs, norms, numbers, n, 0, thinned, stride)
        return history


def _older_stride(iterations: Array) -> int:
    """The stride of a thinned history's older rows: those before its last run of consecutive
    iterations have every multiple of it (1 for numbers not thinned by nnviz)."""
    gaps = np.flatnonzero(np.diff(iterations) != 1)
    if not len(gaps):
        return 1
    older = iterations[:gaps[-1] + 1].astype(np.int64)
    divisor = int(np.gcd.reduce(older)) if len(older) > 1 else 0
    if divisor <= 0 or divisor & (divisor - 1) or not np.array_equal(older, np.arange(len(older)) * divisor):
        return 1
    return divisor


def _thinned(costs: Array, norms: Array, iterations: Array, stride: int) -> tuple[Array, Array, Array, int, int]:
    """The rows to go on with, in new buffers of MAX_ROWS rows, and the new stride: the newest
    RECENT_ROWS, and of the older ones those whose iteration is a multiple of the smallest power of two,
    ``stride`` (the older rows' stride now) or more, that leaves them at most half of MAX_ROWS together."""
    n = len(costs)
    older = n - RECENT_ROWS
    while True:
        keep = np.flatnonzero(iterations[:older] % stride == 0)
        if len(keep) + RECENT_ROWS <= MAX_ROWS // 2:
            break
        stride *= 2
    rows = np.concatenate([keep, np.arange(older, n)])
    fresh = (np.empty(MAX_ROWS), np.empty((MAX_ROWS, norms.shape[1])), np.empty(MAX_ROWS))
    for new, old in zip(fresh, (costs, norms, iterations)):
        new[:len(rows)] = old[rows]
    return fresh[0], fresh[1], fresh[2], len(rows), stride


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
