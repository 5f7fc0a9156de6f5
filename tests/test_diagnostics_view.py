"""The diagnostics view: dead ReLUs, saturated units and α‖dW[l]‖/‖W[l]‖ per layer, from real training states."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.app import MainWindow
from nnviz.data import Dataset
from nnviz.session import Design
from nnviz.views.diagnostics import COLUMNS, DiagnosticsView
from nnviz.views.style import VERDICT_TEXT, VERDICT_TINTS

RATIO = COLUMNS[-1]


def _toy(m: int = 60) -> Dataset:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, m))
    return Dataset(X=X, Y=(X[:1] * X[1:] > 0).astype(float), class_names=["a", "b"], source="toy", name="toy")


@pytest.fixture
def view_of(qtbot, make_session):
    def make(design: Design):
        session = make_session(_toy(), design)
        view = DiagnosticsView(session)
        qtbot.addWidget(view)
        return session, view

    return make


def test_before_any_pass_every_measure_is_a_dash(view_of):
    session, view = view_of(Design(hidden=(4, 3), activations=("relu", "tanh")))
    assert view.objectName() == "diagnostics" and view.table.objectName() == "diagnosticsTable"
    assert view.table.rowCount() == 3
    assert [view.cell_text(l, "g") for l in (1, 2, 3)] == ["relu", "tanh", "sigmoid"]
    assert [view.cell_text(l, "units") for l in (1, 2, 3)] == ["4", "3", "1"]
    assert {view.cell_text(l, c) for l in (1, 2, 3) for c in ("dead", "saturated", RATIO)} == {"—"}
    assert "after the first backward pass" in view.hint_label.text()


def test_a_huge_negative_bias_kills_every_relu_of_layer_1(view_of, wait_idle):
    session, view = view_of(Design(hidden=(4, 3), activations=("relu", "relu")))
    session.stepper.values["b1"] = np.full((4, 1), -1e3)  # a new array: values are never changed in place
    session.run_forward()
    wait_idle(session)
    assert (session.values["Z1"] <= 0).all()
    assert view.cell_text(1, "dead") == "4 of 4"
    assert view.cell_text(1, "saturated") == "—" and view.cell_text(3, "dead") == "—"
    assert view.cell_text(3, "saturated") in {f"{k} of 1" for k in (0, 1)}
    item = view.table.item(0, COLUMNS.index("dead"))
    assert item.background().color().name() == VERDICT_TINTS["wrong"]
    hints = view.hint_label.text()
    assert "Layer 1:" in hints and "4 of 4 ReLU units are dead" in hints and VERDICT_TEXT["wrong"] in hints
    assert view.warnings >= 1


def test_ratio_is_alpha_times_the_norm_of_dW_over_the_norm_of_W(view_of, wait_idle):
    alpha = 0.05
    session, view = view_of(Design(hidden=(5,), activations=("tanh",), learning_rate=alpha))
    session.run_iteration()
    wait_idle(session)
    session.run_backward()
    wait_idle(session)
    for l in (1, 2):
        W, dW = session.values[f"W{l}"], session.values[f"dW{l}"]
        expected = alpha * np.linalg.norm(dW) / np.linalg.norm(W)
        assert view.diagnostics[l - 1].update_ratio == pytest.approx(expected, rel=1e-12)
        assert view.cell_text(l, RATIO) == f"{expected:.1e}"


def test_a_huge_learning_rate_says_alpha_is_too_large(view_of, wait_idle):
    session, view = view_of(Design(hidden=(5,), activations=("tanh",), learning_rate=50.0))
    session.run_backward()
    wait_idle(session)
    ratio = view.diagnostics[0].update_ratio
    assert ratio > 1e-2
    assert "α is probably too large" in view.hint_label.text()
    cell = view.table.item(0, COLUMNS.index(RATIO))
    assert cell.background().color().name() == VERDICT_TINTS["wrong"]
    assert "α is probably too large" in cell.toolTip()
    # a sensible α: the same gradients, no warning about α
    session.set_learning_rate(1e-3)
    view.refresh()
    assert "α is probably too large" not in view.hint_label.text()


def test_updates_at_most_five_times_a_second_while_running(view_of, qtbot):
    session, view = view_of(Design(hidden=(8, 8), activations=("tanh", "tanh"), learning_rate=0.1))
    before = view.refresh_count
    session.run()
    start = time.monotonic()
    qtbot.wait(1200)
    session.pause()
    qtbot.waitUntil(lambda: not session.busy, timeout=5000)
    seconds = time.monotonic() - start
    refreshes = view.refresh_count - before
    assert 2 <= refreshes <= seconds / 0.2 + 3
    assert view.cell_text(1, RATIO) != "—"


def test_installs_a_dock_beside_the_plots(qtbot, make_session):
    session = make_session(_toy(), Design(hidden=(4,), activations=("relu",)))
    window = MainWindow(session)
    qtbot.addWidget(window)
    controller = window.diagnostics
    dock = window.docks["diagnosticsDock"]
    assert dock is controller.dock and dock.objectName() == "diagnosticsDock"
    assert dock.widget() is controller.view
    assert dock.toggleViewAction() in window.menus["view"].actions()
    plots = window.docks["plotsDock"]
    assert window.dockWidgetArea(dock) == window.dockWidgetArea(plots) == Qt.DockWidgetArea.BottomDockWidgetArea
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.dockWidgetArea(dock) == window.dockWidgetArea(plots))
    beside = dock in window.tabifiedDockWidgets(plots) or dock.geometry().left() >= plots.geometry().right()
    assert beside
    assert dock.windowTitle() == "Diagnostics"
    session.stepper.values["b1"] = np.full((4, 1), -1e3)
    session.run_forward()
    qtbot.waitUntil(lambda: not session.busy)
    assert dock.windowTitle() == "Diagnostics (1 warning)"
