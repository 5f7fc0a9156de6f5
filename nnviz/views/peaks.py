"""A growing series (a run's cost J, a layer's ‖dW[l]‖) drawn in a few points per pixel, however long.

The smallest and largest value of every bucket of BASE·2^k iterations are kept as the series grows
(a pyramid: each new value is folded in once), so a redraw reads about two points per pixel of the
visible iterations instead of scanning all of them: a run of 5 million iterations took 250 ms a
redraw on the window's thread with pyqtgraph's own peak downsampling, which scans the whole series
each time.  Each bucket is drawn as pyqtgraph's "peak" method draws it, a vertical stroke from its
smallest to its largest value at its first iteration, so no spike is lost.  NaN is left out of a
bucket's extremes (a bucket of NaN only is a gap); ±Inf is kept.  A thinned history (not every
iteration kept) gives each value's iteration: the buckets are then of rows, drawn at their iterations.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

Array = np.ndarray

BASE = 64  # iterations in a bucket of the finest kept level (coarser views read the raw values in between)
POINTS_PER_PIXEL = 2  # a range with at most this many iterations per pixel is drawn as it is
TAIL_BUCKETS = 16  # the iterations after the last whole bucket of a level: in this many buckets at most


def _extremes(values: Array, size: int) -> tuple[Array, Array]:
    """(smallest, largest) of each whole bucket of ``size`` values (NaN left out; NaN where all are)."""
    body = values[:len(values) // size * size].reshape(-1, size)
    return np.fmin.reduce(body, axis=1), np.fmax.reduce(body, axis=1)


def _strokes(first: int, size: int, lows: Array, highs: Array) -> tuple[Array, Array]:
    """Each bucket as two points at its first iteration: its smallest, then its largest value."""
    x = first + size * np.arange(len(lows), dtype=float)
    return np.repeat(x, 2), np.column_stack((lows, highs)).reshape(-1)


class _Level:
    """The extremes of the whole buckets of one size, in arrays that double when full."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.count = 0
        self.lows = np.empty(256)
        self.highs = np.empty(256)

    def add(self, lows: Array, highs: Array) -> None:
        end = self.count + len(lows)
        if end > len(self.lows):
            room = max(end, 2 * len(self.lows))
            self.lows = np.concatenate([self.lows[:self.count], np.empty(room - self.count)])
            self.highs = np.concatenate([self.highs[:self.count], np.empty(room - self.count)])
        self.lows[self.count:end], self.highs[self.count:end] = lows, highs
        self.count = end


class PeakSeries:
    """The bucket extremes of one series, kept up to date by ``update`` and read by ``points``.

    ``transform`` maps raw values to what is drawn (``loggable`` on a log axis); it is applied once
    to each value folded in, and to the raw values a fine view reads."""

    def __init__(self, transform: Callable[[Array], Array] | None = None) -> None:
        self.transform = transform or (lambda values: np.asarray(values, dtype=float))
        self.source: object | None = None
        self.levels: list[_Level] = []
        self._series: Array = np.empty(0)
        self._x: Array | None = None  # each value's iteration, when not its index

    @property
    def seen(self) -> int:
        """Values of the series: folded into the levels, or waiting at its end for a whole bucket."""
        return len(self._series)

    def update(self, series: Array, source: object, x: Array | None = None) -> None:
        """Take ``series`` (the whole series so far, e.g. the history's first n costs) from ``source``
        (the history and its generation): the same source only grew, or was cut back (a step back).
        ``x``: the iteration of each value when that is not its index (a thinned history)."""
        if source != self.source:
            self.source, self.levels = source, []
        self._x = x
        n = len(series)
        if n < self.seen:  # cut back: whole buckets before n are as they were
            for level in self.levels:
                level.count = min(level.count, n // level.size)
        self._series = series
        self._fold()

    def _fold(self) -> None:
        """Fold the whole buckets the series has grown by into the levels, finest first."""
        n = len(self._series)
        if not self.levels:
            self.levels.append(_Level(BASE))
        finest = self.levels[0]
        start = finest.count * BASE
        if n - start >= BASE:
            finest.add(*_extremes(self.transform(self._series[start:n // BASE * BASE]), BASE))
        k = 0
        while self.levels[k].count >= 2:  # each level's whole pairs make the next level's buckets
            fine = self.levels[k]
            if k + 1 == len(self.levels):
                self.levels.append(_Level(2 * fine.size))
            coarse = self.levels[k + 1]
            if fine.count // 2 > coarse.count:
                pairs = slice(2 * coarse.count, fine.count // 2 * 2)
                coarse.add(np.fmin.reduce(fine.lows[pairs].reshape(-1, 2), axis=1),
                           np.fmax.reduce(fine.highs[pairs].reshape(-1, 2), axis=1))
            k += 1

    @property
    def last_x(self) -> float:
        """The iteration of the newest value (-1 when empty)."""
        if not self.seen:
            return -1.0
        return float(self._x[self.seen - 1]) if self._x is not None else float(self.seen - 1)

    def points(self, first: float, last: float, pixels: int) -> tuple[Array, Array]:
        """(x, y) to draw for iterations ``first``..``last`` (the visible range, clamped to the
        series) on ``pixels`` pixels: the values themselves, or the extremes of a bucket per pixel."""
        if self._x is None:
            return self._points(first, last, pixels)
        x = self._x[:self.seen]  # buckets of rows, drawn at their rows' iterations
        rows, y = self._points(float(np.searchsorted(x, first)), float(np.searchsorted(x, last)), pixels)
        return x[rows.astype(np.intp)], y

    def _points(self, first: float, last: float, pixels: int) -> tuple[Array, Array]:
        """``points`` in values' indexes."""
        n = self.seen
        if n == 0:
            return np.empty(0), np.empty(0)
        a = min(max(int(math.floor(first)) - 1, 0), n - 1)
        b = min(max(int(math.ceil(last)) + 1, a), n - 1)
        span, pixels = b - a + 1, max(int(pixels), 1)
        if span <= POINTS_PER_PIXEL * pixels:
            return np.arange(a, b + 1, dtype=float), self.transform(self._series[a:b + 1])
        size = math.ceil(span / pixels)  # one bucket per pixel
        level = next((lv for lv in reversed(self.levels) if lv.size <= size and lv.count), None)
        if level is None:  # finer than the kept buckets: from the raw values
            return self._raw_strokes(a, b, size)
        i, j = a // level.size, min(b // level.size, level.count - 1)
        x, y = _strokes(i * level.size, level.size, level.lows[i:j + 1], level.highs[i:j + 1])
        done = (j + 1) * level.size  # the iterations after the level's last whole bucket
        if done > b:
            return x, y
        tx, ty = self._raw_strokes(done, b, max(1, level.size // TAIL_BUCKETS))
        return np.concatenate([x, tx]), np.concatenate([y, ty])

    def _raw_strokes(self, a: int, b: int, size: int) -> tuple[Array, Array]:
        """Iterations a..b from the raw values, in buckets of ``size`` (the last few as they are)."""
        values = self.transform(self._series[a:b + 1])
        x, y = _strokes(a, size, *_extremes(values, size))
        whole = len(values) // size * size
        rest_x = np.arange(a + whole, b + 1, dtype=float)
        return np.concatenate([x, rest_x]), np.concatenate([y, values[whole:]])
