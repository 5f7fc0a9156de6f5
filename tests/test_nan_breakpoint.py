"""A learning rate that overflows: Run pauses at the first operation whose result holds NaN or Inf, and says so."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from nnviz.app import MainWindow
from nnviz.data import load_demo
from nnviz.engine import Stepper, initialize
from nnviz.session import Design, Session
from nnviz.views.style import NONFINITE

# leaky ReLUs cannot die, so α = 1e6 makes the weights, then Z[3], overflow within a few iterations
DESIGN = Design(activations=("leaky_relu", "leaky_relu"), learning_rate=1e6)


def _first_nonfinite(session: Session) -> tuple[int, str]:
    """(iteration, key) of the first non-finite result, found by an independent stepper from the same start."""
    d = session.design
    stepper = Stepper(session.spec, initialize(session.spec, d.init, rng=d.rng, seed=d.seed),
                      session.dataset.X, session.dataset.Y, d.learning_rate)
    for _ in range(100 * len(stepper.plan)):
        iteration = stepper.iteration
        record = stepper.step()
        if record.has_nonfinite:
            return iteration, record.key
    raise AssertionError("the reference run never overflowed")


def test_overflow_pauses_run_at_the_first_bad_operation(qtbot, wait_idle):
    session = Session(load_demo("xor"), DESIGN)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    assert session.break_on_nonfinite  # on by default
    expected = _first_nonfinite(session)

    window.actionRun.trigger()
    qtbot.waitUntil(lambda: not session.running, timeout=10_000)
    wait_idle(session)

    record = session.record
    assert "NaN or Inf" in window.statusBar().currentMessage()
    assert record.symbol in window.statusBar().currentMessage()
    assert record.has_nonfinite
    assert (record.iteration, record.key) == expected
    for op in session.plan[:record.op.index]:  # everything before it in this iteration is finite
        assert np.isfinite(session.values[op.key]).all(), op.symbol
    for key, value in session.operands(record):
        assert value is not None and np.isfinite(value).all(), key

    inspector = window.inspector
    result = inspector.panels[len(inspector.panel_keys) - 1]
    assert result.symbol == record.symbol and result.matrix is record.value
    marked = result.marked  # the overlay: magenta where the result is NaN or Inf
    assert marked is not None and marked.shape[:2] == record.value.shape
    bad = ~np.isfinite(record.value)
    assert np.array_equal(marked[..., 3] > 0, bad)
    assert QColor(*marked[bad][0][:3]).name() == QColor(NONFINITE).name()
    assert inspector.result_stats().nonfinite == record.nonfinite == int(bad.sum())
    assert inspector.stats_table.item(0, 0).text() == record.symbol  # the result's row comes first
    assert inspector.stats_table.item(0, 6).text() == str(record.nonfinite)
