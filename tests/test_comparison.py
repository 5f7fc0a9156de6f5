"""File ▸ Compare Runs: run B on the same data with one change, in lockstep with run A."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import load_demo
from nnviz.session.design import Design

# 8 hidden units: OpenBLAS sums every column of an 8-wide product the same way, so identical rows stay
# identical to the bit (with 6 or 7 units its kernels split the columns and rows drift apart by 1e-15)
DESIGN = Design(hidden=(8,), activations=("sigmoid",), init="he", learning_rate=1.0)


@pytest.fixture
def window(default_window, wait_idle):
    w = default_window
    w.session.set_dataset(load_demo("moons"))
    w.session.set_design(DESIGN)
    wait_idle(w.session)
    return w


def _in_step(w, qtbot, comparison):
    qtbot.waitUntil(lambda: comparison.follower.in_step() and not comparison.b.busy and not w.session.busy,
                    timeout=20_000)
    qtbot.wait(20)
    a, b = w.session, comparison.b
    assert (b.iteration, b.position) == (a.iteration, a.position)


def test_the_dialog_offers_one_change(window):
    dialog = window.compare_runs.open()
    assert window.compare_runs.action in window.menus["file"].actions()
    dialog.choose("learning_rate", "abc")
    assert dialog.changes() is None and "positive number" in dialog.error_label.text()
    dialog.choose("init", "zeros")
    assert dialog.changes() == {"init": "zeros"}
    dialog.choose("activations", "tanh")
    assert dialog.changes() == {"activations": ("tanh",)}
    dialog.reject()


def test_zeros_against_he_in_lockstep(window, qtbot, wait_idle):
    w = window
    comparison = w.compare_runs.start({"init": "zeros"})
    b, a = comparison.b, w.session
    assert not w.docks["compareDock"].isHidden() and b.dataset is a.dataset and b.design.init == "zeros"
    assert "initialisation = zeros (A: initialisation = he)" in comparison.view.header.text()
    for move in (w.actionStep, w.actionForwardPass, w.actionBackwardPass, w.actionIteration, w.actionStep):
        move.trigger()
        wait_idle(a)
        _in_step(w, qtbot, comparison)
    for _ in range(3):
        w.actionIteration.trigger()
        wait_idle(a)
    _in_step(w, qtbot, comparison)
    w.actionStepBack.trigger()
    _in_step(w, qtbot, comparison)
    assert a.record.key == b.record.key
    view = comparison.view
    view.matrix_box.setCurrentIndex(view.matrix_box.findData("W1"))
    view.mode_box.setCurrentIndex(0)
    W1a, W1b = a.values["W1"], b.values["W1"]
    assert np.array_equal(view.difference(), W1a - W1b)
    view.mode_box.setCurrentIndex(1)  # each row of B's W[1] minus its row 0: the symmetry lesson
    assert np.count_nonzero(view.difference()) == 0 and np.any(W1b)
    assert view.panels[2].title_label.text().startswith("B: W[1][i,:] − W[1][0,:]")
    rows_a = W1a - W1a[:1]
    assert np.count_nonzero(rows_a) > 0  # He's rows differ
    # both costs on one plot, one point per completed iteration
    assert [len(c.xData) for c in view.curves] == [a.iteration, b.iteration] == [3, 3]  # Step Back left iteration 4
    assert np.array_equal(view.curves[0].yData, a.history.costs[:3])
    assert np.array_equal(view.curves[1].yData, b.history.costs[:3])
    assert view.curves[0].yData[0] != view.curves[1].yData[0]  # J of zeros starts at ln 2, He's elsewhere


def test_run_and_reset_keep_b_with_a(window, qtbot, wait_idle):
    w = window
    comparison = w.compare_runs.start({"learning_rate": 0.1})
    w.session.run()
    qtbot.wait(300)
    w.session.pause()
    wait_idle(w.session)
    _in_step(w, qtbot, comparison)
    assert w.session.iteration > 0 and comparison.b.iteration == w.session.iteration
    assert not np.array_equal(comparison.b.values["W1"], w.session.values["W1"])  # α differs
    w.session.reset()
    wait_idle(w.session)
    _in_step(w, qtbot, comparison)
    assert comparison.b.iteration == 0 and comparison.b.design.learning_rate == 0.1
    w.compare_runs.close()
    assert w.docks["compareDock"].isHidden() and w.compare_runs.comparison is None


def test_adam_against_gradient_descent_follows_by_iterations(window, qtbot, wait_idle):
    w = window
    dialog = w.compare_runs.open()
    dialog.choose("optimizer", "adam")
    assert dialog.changes() == {"optimizer": "adam"}
    dialog.choose("l2", "-1")
    assert dialog.changes() is None and "λ" in dialog.error_label.text()
    dialog.reject()
    comparison = w.compare_runs.start({"optimizer": "adam"})
    b = comparison.b
    assert len(b.plan) > len(w.session.plan)  # t, v, s, v̂, ŝ: other operations
    for _ in range(5):
        w.actionIteration.trigger()
        wait_idle(w.session)
    qtbot.waitUntil(lambda: comparison.follower.in_step() and not b.busy, timeout=20_000)
    assert b.iteration == w.session.iteration == 5 and b.position == 0
    w.actionStep.trigger()  # inside an iteration: B waits at its start
    wait_idle(w.session)
    qtbot.wait(50)
    assert b.iteration == 5 and b.position == 0
    view = comparison.view
    assert [len(c.xData) for c in view.curves] == [5, 5]
    assert "optimiser = adam (A: optimiser = gd)" in view.header.text()


def test_a_long_comparison_is_drawn_in_a_few_points_per_pixel(window, qtbot, wait_idle):
    from nnviz.engine.history import History

    comparison = window.compare_runs.start({"learning_rate": 0.5})
    _in_step(window, qtbot, comparison)
    a, b, view = window.session, comparison.b, comparison.view
    n = 200_000  # twenty seconds of Run on a 2-D demo, in each run
    costs = np.linspace(0.7, 0.1, n)
    costs[123_456] = 2.0
    a.history, b.history = History.from_arrays(costs, np.ones((n, 2))), History.from_arrays(costs / 2, np.ones((n, 2)))
    view.refresh()
    pixels = view.cost_plot.getPlotItem().vb.width()
    for curve, top in zip(view.curves, (2.0, 1.0)):
        assert len(curve.xData) <= 4 * pixels and curve.yData.max() == top and curve.xData.max() >= n - 64


def test_while_a_runs_b_keeps_up_and_catches_up_after_pause(window, qtbot, wait_idle):
    """B trains to A's iteration in one job as Run does: one iteration a step had B fall behind
    xor's A by 127,000 iterations in 20 seconds."""
    import time

    comparison = window.compare_runs.start({"learning_rate": 0.5})
    _in_step(window, qtbot, comparison)
    a, b = window.session, comparison.b
    updates = []
    a.history_changed.connect(lambda: updates.append(a.stepper.iteration) if a.running else None)
    a.run()
    # five of A's updates (they come every 0.25-1 s, less often on a loaded machine): B has followed
    # A to the iteration A showed one or two updates ago
    qtbot.waitUntil(lambda: len(updates) >= 5, timeout=30_000)
    behind = a.stepper.iteration - b.stepper.iteration
    ran = a.stepper.iteration
    a.pause()
    wait_idle(a)
    assert ran > 1000 and behind < 0.8 * ran, (ran, behind, updates)  # one iteration a step: B made 4 % of A's
    caught = time.monotonic()
    _in_step(window, qtbot, comparison)
    assert time.monotonic() - caught < 10, time.monotonic() - caught
    assert "in step" in comparison.view.header.text()


def test_iterations_stepped_by_hand_can_be_stepped_back_in_both_runs(window, qtbot, wait_idle):
    comparison = window.compare_runs.start({"seed": 7})
    _in_step(window, qtbot, comparison)
    a, b = window.session, comparison.b
    for _ in range(12):
        window.actionIteration.trigger()
        wait_idle(a)
    _in_step(window, qtbot, comparison)
    assert a.iteration == b.iteration == 12
    assert a.step_back(steps=11 * len(a.plan))  # more than Run keeps (256 KB: a few iterations here)
    wait_idle(a)
    _in_step(window, qtbot, comparison)  # B went back as far: it kept what stepping keeps
    assert b.iteration == 1 and comparison.follower.note == ""


def test_below_the_inspector_the_comparison_takes_a_quarter_of_the_window(qtbot, wait_idle):
    from PySide6.QtCore import Qt

    from nnviz.app import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1600, 1000)  # a tall window: the training plots below the inspector
    w.show()
    qtbot.waitExposed(w)
    try:
        w.session.set_dataset(load_demo("moons"))
        w.session.set_design(DESIGN)
        wait_idle(w.session)
        plots = w.docks["plotsDock"]
        assert w.height() == 1000 and w.dockWidgetArea(plots) == Qt.DockWidgetArea.BottomDockWidgetArea
        w.resizeDocks([plots], [420], Qt.Orientation.Vertical)  # a tall bottom row (a layout saved so)
        qtbot.waitUntil(lambda: plots.height() > 380)
        comparison = w.compare_runs.start({"init": "zeros"})
        for _ in range(3):
            w.session.run_iteration()
            wait_idle(w.session)
        _in_step(w, qtbot, comparison)
        view = comparison.view
        view.matrix_box.setCurrentIndex(view.matrix_box.findData("W1"))
        view.mode_box.setCurrentIndex(1)  # each row − row 0
        qtbot.wait(300)
        dock = w.docks["compareDock"]
        assert w.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
        assert abs(dock.height() - 250) <= 30, dock.height()
        assert w.inspector.height() > 1.4 * dock.height()  # the inspector's heatmaps keep their room
        w.compare_runs.close()
    finally:
        w.discard_and_close()


def test_the_cost_legend_follows_the_theme(window, qtbot):
    from PySide6.QtGui import QColor

    from nnviz.views.appearance import appearance_model
    from nnviz.views.theme import DARK, LIGHT, Appearance

    comparison = window.compare_runs.start({"init": "zeros"})
    legend = comparison.view.legend
    assert [label.text for _, label in legend.items] == ["J of A", "J of B"]
    try:
        for theme in (DARK, LIGHT):
            appearance_model().set(Appearance(theme=theme.name))
            for _, label in legend.items:
                assert QColor(theme.plot_foreground).name() in label.item.toHtml(), (label.text, theme.name)
    finally:
        appearance_model().set(Appearance())
        window.compare_runs.close()
