"""Training health over a run: per layer and iteration the update ratio, dead and saturated shares,
and histograms of A[l] and dW[l]; and the check that the first cost is about ln 2 or ln K.

Built on ``diagnostics.diagnose`` (the same counts and ratios the diagnostics table shows), one
row per recorded iteration (which iterations is the recorder's choice: nnviz/app/health.py), at
most MAX_ROWS of them.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from .diagnostics import diagnose
from .network import NetworkSpec

Array = np.ndarray

BINS = 32
MAX_ROWS = 10_000  # rows a HealthLog keeps at most (about 4 KB each on a 3-layer network)
HISTOGRAM_SAMPLE = 16384  # a bigger array (dW[1] is 86,016 cells) is histogrammed on an even sample of it
HEALTHY_RATIO = 1e-3  # α‖dW‖/‖W‖ around 1e-3 (CS231n's rule of thumb)
# a first cost outside 0.6–1.6 × ln 2 (ln K) gets a note: He weights on a deep net start near 1.3 × ln 2
FIRST_COST_LOW, FIRST_COST_HIGH = 0.6, 1.6


def expected_first_cost(spec: NetworkSpec) -> float | None:
    """ln 2 for a sigmoid output, ln K for a softmax of K classes: the cost of guessing; None for linear."""
    if spec.output == "sigmoid":
        return math.log(2.0)
    if spec.output == "softmax":
        return math.log(spec.sizes[-1])
    return None


def first_cost_note(spec: NetworkSpec, cost: float | None) -> str | None:
    """A note when the first iteration's cost is far from what small random weights give."""
    expected = expected_first_cost(spec)
    if expected is None or cost is None:
        return None
    name = "ln 2" if spec.output == "sigmoid" else f"ln {spec.sizes[-1]}"
    if not math.isfinite(cost):
        return f"the first cost is {cost}: the forward pass already overflows"
    if FIRST_COST_LOW * expected <= cost <= FIRST_COST_HIGH * expected:
        return None
    if cost > expected:
        return (f"the first cost is {cost:.4g}, not about {name} = {expected:.4g}: the output starts confident "
                "and wrong — the initial weights are too large (try He or small initialisation)")
    return (f"the first cost is {cost:.4g}, below {name} = {expected:.4g}: the network starts better than "
            "guessing — the labels may leak into X, or most examples share one class")


@dataclass(frozen=True)
class Histogram:
    """Counts of one array's finite values in BINS equal bins from ``low`` to ``high``."""

    low: float
    high: float
    counts: Array

    @classmethod
    def of(cls, a: Array) -> "Histogram":
        """The finite values of ``a`` (of every k-th one when there are more than HISTOGRAM_SAMPLE;
        the range is always the whole array's)."""
        values = a[np.isfinite(a)] if not np.isfinite(a).all() else a.ravel()
        if values.size > HISTOGRAM_SAMPLE:
            low, high = float(values.min()), float(values.max())
            sample = values[:: values.size // HISTOGRAM_SAMPLE]
            if high == low:
                return cls._single(low, values.size)
            counts, _ = np.histogram(sample, bins=BINS, range=(low, high))
            return cls(low, high, counts * (values.size / sample.size))
        if values.size == 0:
            return cls(0.0, 0.0, np.zeros(BINS))
        low, high = float(values.min()), float(values.max())
        if high == low:
            return cls._single(low, values.size)
        counts, _ = np.histogram(values, bins=BINS, range=(low, high))
        return cls(low, high, counts.astype(float))

    @classmethod
    def _single(cls, value: float, count: int) -> "Histogram":
        counts = np.zeros(BINS)
        counts[BINS // 2] = count
        return cls(value - 0.5, value + 0.5, counts)

    def density_on(self, edges: Array) -> Array:
        """This histogram's share of values in each bin of the common ``edges`` (values spread evenly
        within their own bin): the differences of its cumulative share at those edges."""
        total = self.counts.sum()
        if total == 0 or self.high <= self.low:
            return np.zeros(len(edges) - 1)
        own = np.linspace(self.low, self.high, BINS + 1)
        cumulative = np.concatenate([[0.0], np.cumsum(self.counts) / total])
        return np.diff(np.interp(edges, own, cumulative, left=0.0, right=1.0))


@dataclass(frozen=True)
class HealthRows:
    """The rows of a HealthLog at one moment, consistent with one another (what a view draws)."""

    spec: NetworkSpec
    iterations: list[int]
    ratio_rows: list[Array]
    dead_rows: list[Array]
    saturated_rows: list[Array]
    histograms: dict[str, list[Histogram]]

    def __len__(self) -> int:
        return len(self.iterations)

    def _stack(self, rows: list[Array]) -> Array:
        return np.array(rows) if rows else np.empty((0, self.spec.L))

    @property
    def ratios(self) -> Array:
        """(n, L): log10 α‖dW[l]‖/‖W[l]‖ (NaN where it is 0 or not finite)."""
        return self._stack(self.ratio_rows)

    @property
    def dead(self) -> Array:
        """(n, L): % of layer l's units that are dead ReLUs (NaN for other activations)."""
        return self._stack(self.dead_rows)

    @property
    def saturated(self) -> Array:
        """(n, L): % of layer l's units saturated on most examples (NaN for activations that do not saturate)."""
        return self._stack(self.saturated_rows)

    def strip(self, key: str, bins: int = 64, rows: Array | None = None) -> tuple[Array, Array]:
        """(image (len(rows), bins), edges (bins + 1,)): the histograms of ``key`` at the row indices
        ``rows`` (default every row) on one common value axis, that of all the rows."""
        hists = self.histograms[key]
        rows = np.arange(len(hists)) if rows is None else np.asarray(rows, dtype=int)
        spans = [(h.low, h.high) for h in hists if h.high > h.low]
        if not spans:
            return np.zeros((len(rows), bins)), np.linspace(-1.0, 1.0, bins + 1)
        low, high = min(s[0] for s in spans), max(s[1] for s in spans)
        edges = np.linspace(low, high, bins + 1)
        densities = {int(r): hists[int(r)].density_on(edges) for r in np.unique(rows)}  # a column per pixel at most
        return np.array([densities[int(r)] for r in rows]).reshape(len(rows), bins), edges

    def columns(self, most: int = 800) -> tuple[Array, Array]:
        """(iterations, row index) for an evenly spaced time axis of at most ``most`` columns over the
        rows: each column shows the row recorded at or just before its iteration."""
        recorded = np.array(self.iterations)
        if not len(recorded):
            return np.empty(0), np.empty(0, dtype=int)
        count = min(most, int(recorded[-1] - recorded[0]) + 1)
        times = np.linspace(recorded[0], recorded[-1], count)
        return times, np.searchsorted(recorded, times, side="right") - 1


class HealthLog:
    """One row per recorded iteration: log10 α‖dW[l]‖/‖W[l]‖, dead and saturated shares (%), and
    histograms of A[l] and dW[l] (``keys``).  ``record`` runs on the training thread; readers take
    ``rows()``, the rows written so far.  The log keeps at most MAX_ROWS rows: beyond that every other
    row goes and ``min_gap`` (the fewest iterations between rows its recorders aim at) doubles, so a
    run of hours keeps an even record of tens of megabytes."""

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec
        self.keys = [f"{p}{l}" for p in ("A", "dW") for l in range(1, spec.L + 1)]
        self._iterations: list[int] = []
        self._ratios: list[Array] = []
        self._dead: list[Array] = []
        self._saturated: list[Array] = []
        self._histograms: dict[str, list[Histogram]] = {k: [] for k in self.keys}
        self.first_cost: float | None = None
        self.min_gap = 1
        self._lock = threading.Lock()  # a row is added (and the rows thinned) whole, and read whole

    def __len__(self) -> int:
        return len(self._iterations)

    def record(self, iteration: int, values: dict[str, Array], learning_rate: float) -> None:
        """The state at the end of ``iteration`` (its forward and backward values, before the next)."""
        rows = diagnose(self.spec, values, learning_rate)
        nan = math.nan
        with np.errstate(all="ignore"):
            ratios = np.array([math.log10(r.update_ratio) if r.update_ratio and math.isfinite(r.update_ratio)
                               and r.update_ratio > 0 else nan for r in rows])
        dead = np.array([100.0 * r.dead / r.units if r.dead is not None else nan for r in rows])
        saturated = np.array([100.0 * r.saturated / r.units if r.saturated is not None else nan for r in rows])
        hists = {k: Histogram.of(np.asarray(values[k])) for k in self.keys if k in values}
        if iteration == 0 and "J" in values:
            self.first_cost = float(np.asarray(values["J"]).reshape(-1)[0])
        with self._lock:
            self._ratios.append(ratios)
            self._dead.append(dead)
            self._saturated.append(saturated)
            for k in self.keys:
                self._histograms[k].append(hists.get(k, Histogram(0.0, 0.0, np.zeros(BINS))))
            self._iterations.append(iteration)
            if len(self._iterations) > MAX_ROWS:
                for rows_of in self._all_lists():
                    del rows_of[1::2]
                self.min_gap *= 2

    def _all_lists(self) -> list[list]:
        return [self._iterations, self._ratios, self._dead, self._saturated, *self._histograms.values()]

    def truncate(self, n: int) -> None:
        """Keep the rows of iterations before ``n`` (after a step back)."""
        with self._lock:
            keep = int(np.searchsorted(np.array(self._iterations, dtype=float), n, side="left"))
            for rows_of in self._all_lists():
                del rows_of[keep:]
            if n == 0:
                self.first_cost = None

    def rows(self) -> HealthRows:
        """The rows recorded so far (taken whole: the training thread may be adding one)."""
        with self._lock:
            return HealthRows(self.spec, list(self._iterations), list(self._ratios), list(self._dead),
                              list(self._saturated), {k: list(v) for k, v in self._histograms.items()})
