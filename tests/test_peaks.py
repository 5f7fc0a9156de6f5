"""PeakSeries: a growing series drawn from the extremes of its buckets, checked against the values themselves."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.views.peaks import BASE, PeakSeries
from nnviz.views.plots import loggable


def _series(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.cumsum(rng.normal(size=n))
    values[rng.integers(0, n, 40)] = np.nan  # a diverging run's NaN, here and there
    values[1000:1300] = np.nan  # a whole bucket of NaN: a gap
    values[rng.integers(0, n, 5)] = np.inf
    return values


def _grown(values: np.ndarray, step: int, transform=None) -> PeakSeries:
    peaks, source = PeakSeries(transform), object()
    for n in range(0, len(values) + 1, step):
        peaks.update(values[:n], source)
    peaks.update(values, source)
    return peaks


@pytest.mark.parametrize("first,last,pixels", [(0, 300_000, 800), (0, 2_000_000, 1500), (12_345, 19_999, 300),
                                               (250_000, 299_999, 1000), (0, 900, 1000), (299_000, 300_010, 200)])
def test_the_points_keep_every_extreme_of_the_iterations_they_cover(first, last, pixels):
    values = _series(300_000)
    peaks = _grown(values, 9_000)  # as a run grows: only new buckets folded in
    x, y = peaks.points(first, last, pixels)
    assert np.all(np.diff(x) >= 0) and len(x) <= 4 * pixels + 2 * BASE
    lo, hi = int(x[0]), min(int(last) + 1, len(values) - 1)
    covered = values[lo:hi + 1]
    finite_y = y[np.isfinite(y)]
    assert np.nanmax(y) == np.nanmax(covered) and np.nanmin(y) == np.nanmin(covered)
    assert np.isin(finite_y, covered).all()  # every point drawn is a value of the series


def test_growing_and_cutting_back_gives_what_building_at_once_gives():
    values = _series(200_000, seed=1)
    at_once = _grown(values, len(values))
    grown = _grown(values, 777)
    for first, last, pixels in ((0, 200_000, 1000), (5_000, 6_000, 100), (150_000, 199_999, 640)):
        np.testing.assert_array_equal(grown.points(first, last, pixels)[1], at_once.points(first, last, pixels)[1])
    # a step back cuts the series, then other values follow: none of the old ones stay
    source = grown.source
    other = values.copy()
    other[120_000:] = 1e6
    grown.update(other[:120_000], source)
    grown.update(other, source)
    x, y = grown.points(0, 200_000, 1000)
    assert np.nanmax(y[x >= 121_000]) == 1e6 and not np.isin(values[121_000:], y[x >= 121_000]).any()


def test_a_log_axis_leaves_out_what_has_no_logarithm():
    values = np.abs(_series(50_000, seed=2))
    values[::97] = 0.0
    x, y = _grown(values, 5_000, loggable).points(0, 50_000, 500)
    assert np.nanmin(y) > 0  # the zeros are gaps, not points at 0
    assert np.nanmin(y) == np.nanmin(loggable(values)) and np.nanmax(y) == np.nanmax(loggable(values))
