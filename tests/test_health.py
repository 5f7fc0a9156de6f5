"""Training health: update ratios, dead and saturated shares, histograms over time, the first cost."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.engine import NetworkSpec, Stepper, initialize
from nnviz.engine.diagnostics import diagnose
from nnviz.engine.health import BINS, Histogram, HealthLog, expected_first_cost, first_cost_note


def _run(spec, iterations=5, init="he", lr=0.05):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((spec.sizes[0], 40))
    Y = (X[:1] > 0).astype(float) if spec.output == "sigmoid" else np.eye(spec.sizes[-1])[:, rng.integers(0, spec.sizes[-1], 40)]
    stepper = Stepper(spec, initialize(spec, init, seed=3), X, Y, learning_rate=lr)
    log = HealthLog(spec)
    snapshots = []
    for i in range(iterations):
        stepper.run_backward()
        snapshots.append(dict(stepper.values))
        log.record(i, stepper.values, lr)
        stepper.run_iteration()
    return log, snapshots


def test_one_row_per_iteration_from_the_diagnostics():
    spec = NetworkSpec.build(4, [6, 3], 1)
    log, snapshots = _run(spec)
    assert len(log) == 5 and log.rows().ratios.shape == (5, 3) and log.rows().dead.shape == (5, 3)
    for i, values in enumerate(snapshots):
        rows = diagnose(spec, values, 0.05)
        assert log.rows().ratios[i] == pytest.approx([math.log10(r.update_ratio) for r in rows])
        assert log.rows().dead[i, :2] == pytest.approx([100 * r.dead / r.units for r in rows[:2]])
    assert np.isnan(log.rows().dead[:, 2]).all()  # the sigmoid output has no dead ReLUs
    assert log.first_cost == pytest.approx(float(snapshots[0]["J"][0, 0]))


def test_histograms_keep_every_value_on_a_common_axis():
    spec = NetworkSpec.build(4, [6], 1)
    log, snapshots = _run(spec)
    h = log.rows().histograms["dW1"][2]
    assert h.counts.sum() == snapshots[2]["dW1"].size and len(h.counts) == BINS
    image, edges = log.rows().strip("dW1", bins=50)
    assert image.shape == (5, 50) and edges[0] <= snapshots[2]["dW1"].min() and edges[-1] >= snapshots[2]["dW1"].max()
    assert image.sum(axis=1) == pytest.approx(np.ones(5))  # each column is one iteration's whole array
    same = Histogram.of(np.array([2.0, 2.0]))
    assert same.counts.sum() == 2 and same.density_on(np.linspace(1, 3, 5)).sum() == pytest.approx(1.0)


def test_a_step_back_cuts_the_log():
    spec = NetworkSpec.build(4, [6], 1)
    log, _ = _run(spec)
    log.truncate(3)
    assert log.rows().iterations == [0, 1, 2] and log.rows().ratios.shape == (3, 2) and len(log.rows().histograms["A1"]) == 3


def test_the_first_cost_check():
    sigmoid, softmax = NetworkSpec.build(4, [6], 1), NetworkSpec.build(4, [6], 3, output="softmax")
    assert expected_first_cost(sigmoid) == pytest.approx(math.log(2)) and expected_first_cost(softmax) == pytest.approx(math.log(3))
    assert first_cost_note(sigmoid, 0.70) is None and first_cost_note(softmax, 1.1) is None
    assert "initial weights are too large" in first_cost_note(sigmoid, 3.2)
    assert first_cost_note(softmax, 0.2).startswith("the first cost is 0.2, below ln 3 = 1.099")
    assert first_cost_note(NetworkSpec.build(4, [6], 1, output="linear"), 12.0) is None
    log, _ = _run(NetworkSpec.build(4, [6], 1), iterations=1, init="he")
    assert first_cost_note(sigmoid, log.first_cost) is None  # He weights start near ln 2


def test_a_big_array_is_histogrammed_on_a_sample_over_its_whole_range():
    a = np.random.default_rng(0).standard_normal((7, 12288))
    h = Histogram.of(a)
    assert (h.low, h.high) == (a.min(), a.max())
    assert h.counts.sum() == pytest.approx(a.size)
    exact, _ = np.histogram(a, bins=BINS, range=(h.low, h.high))
    assert np.abs(h.counts - exact).max() < 0.05 * exact.max()  # an even sample of 86,016 values
