"""The window under real use: numbers that fit, recent files, diagnostics that are right, as the user sees them."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QFontMetrics

from nnviz.data import Dataset
from nnviz.engine.numbers import fit_number, number_text, worked_equation
from nnviz.session import Design
from nnviz.views.diagnostics import COLUMNS, DiagnosticsView
from nnviz.views.heatmap import HeatmapPanel
from nnviz.views.inspector import InspectorView
from qt_helpers import shown_panel

RATIO = COLUMNS[-1]


def separable(m: int = 60) -> Dataset:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, m))
    return Dataset(X=X, Y=(X[:1] + X[1:] > 0).astype(float), class_names=["a", "b"], source="toy", name="toy")


def run_to(session, wait_idle, key: str) -> None:
    session.run_through(next(op.index for op in session.plan if op.key == key))
    wait_idle(session)


# -- 1×1 results ---------------------------------------------------------------------------------
def test_numbers_use_the_notes_minus_and_short_exponents():
    assert number_text(-7.38298311375e-15) == "−7.383e−15"
    assert number_text(0.0921) == "0.0921"
    assert number_text(float("inf")) == "+∞" and number_text(float("nan")) == "NaN"
    assert fit_number(-7.38298311375e-15, lambda t: len(t) <= 12) == "−7.38298e−15"
    assert fit_number(0.5, lambda t: True) == "0.5"  # the exact repr when it fits


def test_a_tiny_scalar_fits_its_box_and_keeps_every_digit_in_the_tooltip(qtbot):
    panel = HeatmapPanel()
    qtbot.addWidget(panel)
    panel.resize(140, 200)
    panel.show()
    value = -7.38298311375e-15
    panel.set_matrix("db[3]", np.array([[value]]))
    text = panel.scalar_text()
    assert text.startswith("−7.38") and "e−15" in text  # not "−7.38298311375" cut at the box's edge
    metrics = QFontMetrics(panel.scalar_label.font())
    assert metrics.horizontalAdvance(text) <= panel.width()
    assert panel.scalar_label.toolTip() == f"db[3] = {value!r}"
    panel.resize(600, 200)  # room for every digit
    qtbot.waitUntil(lambda: panel.scalar_text() == "−7.38298311375e−15")


def test_a_1x1_update_shows_its_worked_equation(qtbot, make_session, wait_idle):
    session = make_session(separable(), Design(hidden=(3,), activations=("tanh",), learning_rate=0.0075))
    view = InspectorView(session)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    run_to(session, wait_idle, "b2")
    old, db, new = session.stepper.replaced_value("b2")[0, 0], session.values["db2"][0, 0], session.values["b2"][0, 0]
    text = view.worked_label.text()
    assert view.worked_label.isVisible()
    symbol, rhs, result = text.split(" = ")
    before, grad = rhs.split(" − 0.0075 × ")
    number = lambda t: float(t.strip("()").replace("−", "-"))  # noqa: E731
    assert symbol == "b[2]"
    # the numbers on screen are the operation's, to the digits shown, and differ where old and new do
    assert number(before) == pytest.approx(old, rel=1e-3) and number(grad) == pytest.approx(db, rel=1e-3)
    assert number(result) == pytest.approx(new, rel=1e-3) and before != result
    session.set_learning_rate(0.5)  # α changed after the update: the numbers would not give b[2] any more
    view.refresh()
    assert not view.worked_label.isVisible()
    run_to(session, wait_idle, "W1")  # a 3×2 update: no worked equation
    assert not view.worked_label.isVisible()


def test_worked_equation_only_for_plain_arithmetic():
    assert worked_equation("b[1]", "{0} − α·{1}", [1.0, 2.0], 0.5, 0.0) == "b[1] = 1 − 0.5 × 2 = 0"
    assert worked_equation("J", "np.sum({0})", [1.0], 0.1, 1.0) is None  # not plain arithmetic
    assert worked_equation("b[1]", "{0} − α·{1} / (√{2} + ε)", [1.0, 2.0, 4.0], 0.5, 0.8) is None  # RMSprop's ε


def test_an_infinite_cost_reads_the_same_in_its_box_and_its_stats_row(qtbot, make_session, wait_idle):
    session = make_session(separable(), Design(hidden=(3,), activations=("tanh",)))
    view = InspectorView(session)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    session.break_on_nonfinite = False
    session.stepper.values["b2"] = np.array([[np.inf]])  # Z[2] = +inf: J = nan (inf·0) or inf
    run_to(session, wait_idle, "J")
    J = float(session.values["J"][0, 0])
    assert not np.isfinite(J)
    result = view.panels[len(view.panel_keys) - 1]
    assert result.scalar_text() == number_text(J)  # "NaN" or "+∞", in the NaN/Inf colour
    row = [view.stats_table.item(0, c).text() for c in range(view.stats_table.columnCount())]
    assert row[0] == "J" and row[2:6] == ["—"] * 4 and row[6] == "1"  # no "nan" against an "inf"


def test_the_result_row_comes_first_and_stays_in_view(default_window, wait_idle, qtbot):
    window = default_window
    window.resize(1600, 1000)
    run_to(window.session, wait_idle, "Z1")
    table = window.inspector.stats_table
    qtbot.waitUntil(lambda: table.rowCount() == 4)
    assert table.item(0, 0).text() == "Z[1]"
    rect = table.visualItemRect(table.item(0, 0))
    assert table.viewport().rect().contains(rect)


# -- Open Recent ---------------------------------------------------------------------------------
def _settings() -> QSettings:
    from nnviz.app.settings import app_settings

    return app_settings()


def test_one_recent_file_is_one_entry_and_a_missing_one_leaves_the_list(default_window, tmp_path, qtbot):
    window = default_window
    kept = tmp_path / "kept.csv"
    kept.write_text("a,b,y\n1,2,0\n3,4,1\n")
    _settings().setValue("recentFiles", str(kept))  # a one-element list comes back as a plain string
    window.fill_recent_menu()
    assert [a.text() for a in window.recent_menu.actions()] == [str(kept)]
    _settings().setValue("recentFiles", [str(kept), "/", "t", "m", "p"])  # what the old split wrote
    window.fill_recent_menu()
    assert [a.text() for a in window.recent_menu.actions()] == [str(kept)]  # never "/" (a whole disk) or "t"
    gone = tmp_path / "gone.csv"
    _settings().setValue("recentFiles", [str(gone), str(kept)])
    window.fill_recent_menu()
    assert [a.text() for a in window.recent_menu.actions()] == [str(gone), str(kept)]
    window.recent_menu.actions()[0].trigger()
    assert "no longer exists" in window.statusBar().currentMessage() and str(gone) in window.statusBar().currentMessage()
    window.fill_recent_menu()
    assert [a.text() for a in window.recent_menu.actions()] == [str(kept)]
    assert not window.session.busy  # nothing was opened


# -- diagnostics -----------------------------------------------------------------------------------
def _train_until(session, qtbot, cost: float) -> None:
    session.run()
    qtbot.waitUntil(lambda: len(session.history) and session.history.costs[len(session.history) - 1] < cost,
                    timeout=20_000)
    session.pause()
    qtbot.waitUntil(lambda: not session.busy, timeout=5000)


@pytest.fixture
def diagnostics_of(qtbot, make_session):
    def make(design: Design, dataset: Dataset | None = None):
        session = make_session(dataset or separable(), design)
        view = DiagnosticsView(session)
        qtbot.addWidget(view)
        return session, view

    return make


def test_a_zero_update_is_not_called_not_finite(diagnostics_of, wait_idle):
    session, view = diagnostics_of(Design(hidden=(4, 3), activations=("relu", "relu")))
    session.stepper.values["b1"] = np.full((4, 1), -1e3)  # every ReLU of layer 1 dead: dW[1] = 0 exactly
    session.run_backward()
    wait_idle(session)
    view.refresh()
    assert not session.values["dW1"].any()
    assert view.diagnostics[0].update_ratio == 0.0 and view.cell_text(1, RATIO) == "0.0e+00"
    hints = view.hint_label.text()
    assert "not finite" not in hints
    assert "Layer 1:" in hints and "4 of 4 ReLU units are dead" in hints and "dW[1] is exactly 0" in hints


def test_a_network_that_fits_shows_no_saturation_or_slow_learning_warning(diagnostics_of, qtbot, wait_idle):
    session, view = diagnostics_of(Design(hidden=(4,), activations=("tanh",), learning_rate=1.0, init="xavier"))
    _train_until(session, qtbot, 0.05)
    session.set_learning_rate(1e-4)  # converged: α‖dW‖/‖W‖ far below 1e-5
    session.run_backward()
    wait_idle(session)
    view.refresh()
    out = view.diagnostics[-1]
    assert out.saturated == 1 and view.cell_text(2, "saturated") == "1 of 1"  # a confident output unit
    assert all(d.update_ratio < 1e-5 for d in view.diagnostics)
    hints = view.hint_label.text()
    assert "saturate" not in hints and "very slow" not in hints and view.warnings == 0
    assert "fits its training data" in hints
    tip = view.table.item(1, COLUMNS.index("saturated")).toolTip()  # why 1 of 1 saturated is no warning
    assert "dZ[2] = A[2] − Y" in tip and "still learns" in tip


def test_slow_learning_is_still_reported_where_the_network_does_not_fit(diagnostics_of, wait_idle):
    session, view = diagnostics_of(Design(hidden=(4,), activations=("tanh",), learning_rate=1e-7))
    session.run_backward()
    wait_idle(session)
    view.refresh()
    assert float(session.values["J"][0, 0]) > 0.5
    assert "learning is very slow" in view.hint_label.text() and view.warnings >= 1


def test_a_real_warning_shows_in_the_status_bar_and_brings_the_dock_forward(default_window, wait_idle, qtbot):
    window = default_window
    badge = window.diagnostics.badge
    assert badge.isHidden()
    s = window.session
    s.set_learning_rate(50.0)
    s.run_backward()
    wait_idle(s)
    qtbot.waitUntil(lambda: window.diagnostics.view.warnings > 0)
    assert badge.isVisible() and "diagnostics warning" in badge.text()
    assert window.statusBar().isAncestorOf(badge)
    window.docks["plotsDock"].raise_()
    badge.click()
    dock = window.docks["diagnosticsDock"]
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())


# -- plots -------------------------------------------------------------------------------------------
def test_plots_follow_a_reset_and_show_one_point(qtbot, make_session, wait_idle):
    from nnviz.app import MainWindow

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 40))
    data = Dataset(X=X, Y=3 * X[:1], source="line", name="line")  # regression: α = 3 makes J explode
    window = MainWindow(make_session(data, Design(hidden=(4,), activations=("leaky_relu",), output="linear",
                                                  learning_rate=3.0)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # the first show's layout is settled
    window.docks["plotsDock"].raise_()  # in front (a short screen tabs it behind the diagram)
    s, plots = window.session, window.plots
    qtbot.waitUntil(lambda: not plots.cost_plot.viewport().visibleRegion().isEmpty())
    s.break_on_nonfinite = False
    for _ in range(7):  # J reaches ~1e+213
        s.run_iteration()
        wait_idle(s)
    cost_view = plots.cost_plot.getPlotItem().vb
    qtbot.waitUntil(lambda: cost_view.viewRange()[1][1] > 1e100)
    s.set_learning_rate(0.01)
    s.reset()
    wait_idle(s)
    qtbot.waitUntil(lambda: plots.point_count() == 0)
    assert cost_view.viewRange()[1][1] <= 1.5 and cost_view.viewRange()[0][1] <= 11
    s.run_iteration()
    wait_idle(s)
    qtbot.waitUntil(lambda: plots.point_count() == 1)
    J = float(s.history.costs[0])
    (x0, x1), (y0, y1) = cost_view.viewRange()
    assert x0 < 0 < x1 and y0 < J < y1 and y1 - y0 < 10 * max(J, 1)  # the new run's scale, not 1e+213
    assert plots.cost_curve.opts["symbol"] == "o"  # a single point is a dot, visible
    for _ in range(2):
        s.run_iteration()
        wait_idle(s)
    qtbot.waitUntil(lambda: plots.point_count() == 3)
    assert plots.cost_curve.opts["symbol"] is None  # a line from three points on
    window.discard_and_close()


# -- layout ------------------------------------------------------------------------------------------
PROBE = """
import json, sys, time
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
app = QApplication([])
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from nnviz.app import MainWindow

def settle():
    for _ in range(40):
        app.processEvents()
        time.sleep(0.01)

w = MainWindow()
w.show()
settle()
if sys.argv[2] == "save":
    w.resize(1600, 1000)
    settle()
elif sys.argv[2] == "mess-and-reset":
    d = w.docks
    d["stepsDock"].setFloating(True)
    w.resizeDocks([d["designerDock"]], [w.width() - 200], Qt.Orientation.Horizontal)
    settle()
    w.window_layout.reset()
    settle()
c, s = w.centralWidget(), w.screen().availableGeometry()
print(json.dumps({"window": [w.frameGeometry().x(), w.frameGeometry().y(), w.frameGeometry().width(),
                             w.frameGeometry().height()], "central": [c.width(), c.height()],
                  "size": [w.width(), w.height()], "screen": [s.width(), s.height()],
                  "steps_floating": w.docks["stepsDock"].isFloating()}))
w.discard_and_close()
w.deleteLater()
app.processEvents()
"""


def _probe(tmp_path, screen: tuple[int, int], what: str) -> dict:
    """Run the window in a child process on an offscreen screen of ``screen`` pixels (settings in tmp_path)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    config = tmp_path / f"screen-{screen[0]}x{screen[1]}.json"
    config.write_text(json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": screen[0], "height": screen[1],
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "settings"), what], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fits(result: dict) -> bool:
    (x, y, w, h), (sw, sh) = result["window"], result["screen"]
    return x >= 0 and y >= 0 and x + w <= sw and y + h <= sh


def test_a_layout_saved_at_1600x1000_is_fitted_to_a_1280x720_projector(tmp_path):
    saved = _probe(tmp_path, (1600, 1000), "save")
    assert saved["size"] == [1600, 1000]
    shown = _probe(tmp_path, (1280, 720), "open")
    assert _fits(shown), shown
    width, height = shown["central"]
    assert width >= 0.35 * shown["size"][0] and height >= 0.3 * shown["size"][1], shown  # not a 110 px inspector


def test_reset_layout_on_a_projector_gives_the_inspector_its_room(tmp_path):
    shown = _probe(tmp_path, (1280, 720), "mess-and-reset")
    assert _fits(shown) and not shown["steps_floating"], shown
    assert shown["central"][0] >= 0.35 * shown["size"][0] and shown["central"][1] >= 0.3 * shown["size"][1], shown


def test_view_reset_layout_puts_every_panel_back(default_window, qtbot):
    window = default_window
    actions = {a.objectName(): a for a in window.menus["view"].actions()}
    assert actions["actionResetLayout"].text() == "Reset &Layout"
    d = window.docks
    d["stepsDock"].setFloating(True)
    d["plotsDock"].hide()
    window.resizeDocks([d["designerDock"]], [window.width() - 150], Qt.Orientation.Horizontal)
    actions["actionResetLayout"].trigger()
    qtbot.waitUntil(lambda: not d["stepsDock"].isFloating())
    assert not d["stepsDock"].isFloating() and window.dockWidgetArea(d["stepsDock"]) == Qt.DockWidgetArea.RightDockWidgetArea
    assert d["plotsDock"].isVisible() or d["plotsDock"] in window.tabifiedDockWidgets(d["diagramDock"])
    assert d["dataDock"] in window.tabifiedDockWidgets(d["designerDock"])
    screen = window.screen().availableGeometry()
    assert window.width() <= screen.width() and window.height() <= screen.height()


# -- α and undo keys ---------------------------------------------------------------------------------
def _type(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


@pytest.mark.parametrize("typed,expected", [("1e-4", 1e-4), ("5e-3", 5e-3), ("7.5E-3", 7.5e-3), ("1000", 1000.0),
                                            ("0.3", 0.3)])
def test_alpha_reads_scientific_notation_and_large_rates(default_window, qtbot, typed, expected):
    spin = default_window.designer.lr_spin
    _type(qtbot, spin, typed)
    assert default_window.session.design.learning_rate == expected
    assert float(spin.text()) == expected


@pytest.mark.parametrize("typed,why", [("0,5", "0,5 is not a number: write 0.5"),
                                       ("abc", "abc is not a number"), ("-1", "-1 is out of range"),
                                       ("20000", "20000 is out of range")])
def test_alpha_refuses_what_is_not_a_positive_number(default_window, qtbot, typed, why):
    designer = default_window.designer
    before = default_window.session.design.learning_rate
    _type(qtbot, designer.lr_spin, typed)
    assert default_window.session.design.learning_rate == before  # not 5, not 0.5 silently
    assert float(designer.lr_spin.text()) == before
    assert designer.lr_note.isVisible() and designer.lr_note.text().startswith(why)
    assert designer.lr_note.text().endswith("α stays 0.0075")
    _type(qtbot, designer.lr_spin, "0.01")
    assert default_window.session.design.learning_rate == 0.01 and not designer.lr_note.isVisible()


def test_alpha_arrows_step_within_its_decade(default_window, qtbot):
    spin = default_window.designer.lr_spin
    assert spin.value() == 0.0075
    spin.stepBy(1)
    assert default_window.session.design.learning_rate == pytest.approx(0.0085)
    spin.setValue(0.001)
    spin.stepBy(-1)
    assert spin.value() == pytest.approx(0.0009)


def test_ctrl_z_in_the_field_just_edited_undoes_the_design_edit(default_window, qtbot):
    window = default_window
    spin = window.designer.lr_spin
    _type(qtbot, spin, "0.05")
    assert window.session.design.learning_rate == 0.05 and spin.hasFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.design.learning_rate == 0.0075
    assert spin.value() == 0.0075
    units = window.designer.table.cellWidget(0, 0)
    _type(qtbot, units, "9")
    assert window.session.design.hidden[0] == 9
    qtbot.keyClick(units, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.design.hidden[0] == 7


# -- data preview ------------------------------------------------------------------------------------
def test_the_csv_preview_names_its_features_and_says_how_many_more(qtbot, make_session, tmp_path):
    from nnviz.data import load_dataset
    from nnviz.views.preview import DataPreviewView

    rng = np.random.default_rng(0)
    names = [f"feature_{k}" for k in range(15)]
    path = tmp_path / "wide.csv"
    rows = [",".join(names + ["label"])]
    rows += [",".join(f"{v:.3f}" for v in rng.normal(size=15)) + f",{k % 2}" for k in range(30)]
    path.write_text("\n".join(rows) + "\n")
    dataset = load_dataset(str(path))
    assert dataset.feature_names == names
    view = DataPreviewView(make_session(dataset))
    qtbot.addWidget(view)
    table = view.table
    assert table.rowCount() == 12 + 1 + 1 and table.columnCount() == 8 + 1
    assert table.verticalHeaderItem(0).text() == "0: feature_0"
    assert table.verticalHeaderItem(12).text() == "+3 more"  # 15 features, 12 shown
    assert table.horizontalHeaderItem(8).text() == "+22 more"  # 30 examples, 8 shown
    assert table.item(0, 8).text() == "…" and table.item(12, 0).text() == "…"
    assert table.item(3, 2).toolTip() == f"X[3, 2] (feature_3) = {float(dataset.X[3, 2])!r}"
    assert table.verticalHeaderItem(13).text() == "class"


def test_ten_classes_get_ten_distinct_colours(qtbot, make_session):
    from nnviz.views.preview import DataPreviewView, class_color

    colours = [class_color(k).name() for k in range(25)]
    assert len(set(colours[:10])) == 10 and colours[0] != colours[8]
    assert len(set(colours)) == 25
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 10
    dataset = Dataset(X=rng.normal(size=(2, 40)), Y=np.eye(10)[labels].T, class_names=[str(k) for k in range(10)],
                      source="digits", name="digits")
    view = DataPreviewView(make_session(dataset, Design(hidden=(4,), activations=("relu",), output="softmax")))
    qtbot.addWidget(view)
    brushes = {points.opts["brush"].color().name() for points in view.points}
    assert len(view.points) == 10 and len(brushes) == 10  # the scatter: one colour per digit


# -- step list, breakpoints, heatmap zoom --------------------------------------------------------------
def _click_line(window, index: int) -> None:
    window.step_list.tree.itemClicked.emit(window.step_list.tree.topLevelItem(index), 1)


def test_clicking_an_earlier_line_steps_back_to_it_exactly(qtbot, make_session, wait_idle):
    from nnviz.app import MainWindow

    window = MainWindow(make_session(separable(), Design(hidden=(3,), activations=("tanh",))))
    qtbot.addWidget(window)
    s = window.session
    run_to(s, wait_idle, "dW1")
    A1 = next(op.index for op in s.plan if op.key == "A1")
    Z1_before = s.values["Z1"]
    _click_line(window, A1)
    wait_idle(s)  # (stepping back may run on the worker)
    assert s.record.symbol == "A[1]" and s.iteration == 0  # back, not a whole iteration on
    assert s.values["Z1"] is Z1_before and s.values.get("dW1") is None  # dW[1] not computed yet, as before
    assert window.statusBar().currentMessage().startswith("Stepped back")
    assert window.step_list.current_index() == A1
    # the right-click menu of an earlier line offers the same, and says Run to Here waits for the next iteration
    window.step_list._context_menu(window.step_list.tree.visualItemRect(window.step_list.tree.topLevelItem(0)).center())
    texts = [a.text() for a in window.step_list.context_menu.actions()]
    window.step_list.context_menu.close()
    assert "Step Back to Here (1 operation)" in texts and "Run to Here (next iteration)" in texts


def test_an_earlier_line_beyond_step_back_says_it_runs_on_to_it(qtbot, make_session, wait_idle):
    from nnviz.app import MainWindow

    window = MainWindow(make_session(separable(), Design(hidden=(3,), activations=("tanh",))))
    qtbot.addWidget(window)
    s = window.session
    s.set_history_budget(0)  # nothing kept for stepping back
    run_to(s, wait_idle, "dW1")
    _click_line(window, next(op.index for op in s.plan if op.key == "A1"))
    assert "further than step back keeps" in window.statusBar().currentMessage()
    wait_idle(s)
    assert s.record.symbol == "A[1]" and s.iteration == 1


def test_a_breakpoint_message_is_not_replaced_by_the_step_back_note(qtbot, make_session, wait_idle):
    from nnviz.app import MainWindow

    window = MainWindow(make_session(separable(), Design(hidden=(3,), activations=("tanh",))))
    qtbot.addWidget(window)
    s = window.session
    s.set_history_budget(2000)  # a few operations: the run drops older ones
    s.run_iteration()
    wait_idle(s)
    dropped = s.stepper.history_dropped
    s.toggle_breakpoint(next(op.index for op in s.plan if op.key == "dW2"))
    s.run()
    qtbot.waitUntil(lambda: not s.busy, timeout=5000)
    message = window.statusBar().currentMessage()
    assert s.stepper.history_dropped > dropped
    assert message.startswith("Paused: breakpoint at dW[2]") and "older ones were dropped" in message


def test_a_zoomed_heatmap_is_reset_by_a_double_click_or_its_menu(qtbot):
    from PySide6.QtCore import QPointF

    panel = shown_panel(qtbot, 400, 300)
    panel.set_matrix("W[1]", np.arange(35.0).reshape(5, 7))
    view = panel.plot.getViewBox()
    view.scaleBy((0.3, 0.3))  # what the wheel does
    qtbot.waitUntil(panel.is_zoomed)
    action = panel.zoom_menu().actions()[0]
    assert action.text().startswith("Show Whole Matrix") and action.isEnabled()
    action.trigger()
    assert not panel.is_zoomed() and view.viewRange() == [[-0.5, 6.5], [-0.5, 4.5]]
    assert not panel.zoom_menu().actions()[0].isEnabled()  # nothing to reset
    view.scaleBy((0.3, 0.3))
    assert panel.is_zoomed()
    centre = panel.graphics.mapFromScene(view.mapViewToScene(QPointF(3, 2)))
    viewport = panel.graphics.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: not panel.is_zoomed())


# -- icons and exports ---------------------------------------------------------------------------------
def test_backward_pass_has_its_own_icon_not_a_rewind(default_window):
    from PySide6.QtWidgets import QStyle

    window = default_window
    icon = window.actionBackwardPass.icon()
    rewind = window.style().standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward)
    back = window.actionStepBack.icon()
    image = icon.pixmap(32, 32).toImage()
    assert not icon.isNull() and image != rewind.pixmap(32, 32).toImage() and image != back.pixmap(32, 32).toImage()
    from nnviz.views.style import PHASE_COLORS

    assert image.pixelColor(16, 4).name() == PHASE_COLORS["backward"]  # the backward pass's orange


def test_an_exported_heatmap_is_drawn_at_slide_resolution(default_window, wait_idle, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    window = default_window
    run_to(window.session, wait_idle, "dW2")
    target = next(t for t in window.exports.image_targets() if t.name == "Heatmap dW[2] (5×7)")
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: (target.name, True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(tmp_path / "dW2.png"), "PNG image (*.png)"))
    window.exports.export_image()
    image = QImage(str(tmp_path / "dW2.png"))
    on_screen = target.widget.width()
    assert image.width() >= 1900 and image.width() > 3 * on_screen  # not 240×152
    assert abs(image.width() / image.height() - target.widget.width() / target.widget.height()) < 0.05
    # a panel narrow enough to drop its colour bar (four side by side on a projector) is exported with one
    target.widget.resize(150, 160)
    target.widget.set_compact(True)
    copy = target.widget.replica(QSize(360, 384))
    assert not copy.compact and copy.bar.isVisible() and copy.matrix is target.widget.matrix
    copy.close()
    window.exports.save_image(target, str(tmp_path / "narrow.png"))
    assert QImage(str(tmp_path / "narrow.png")).width() >= 1900


# -- load options -------------------------------------------------------------------------------------
def _csv(path, label_first: bool = False):
    rng = np.random.default_rng(3)
    X = rng.normal(loc=50.0, scale=10.0, size=(20, 3))
    labels = (X[:, 0] > 50).astype(int)
    rows = ["label,a,b,c" if label_first else "a,b,c,label"]
    for x, y in zip(X, labels):
        cells = [f"{v:.6f}" for v in x]
        rows.append(",".join([str(y), *cells] if label_first else [*cells, str(y)]))
    path.write_text("\n".join(rows) + "\n")
    return X


def test_load_options_standardise_and_pick_the_label_column_remembered_for_csv(default_window, wait_idle, tmp_path,
                                                                               qtbot):
    window = default_window
    panel = window.dataset_options
    s = window.session
    path = tmp_path / "first.csv"
    X = _csv(path, label_first=True)
    window.open_source(str(path))
    wait_idle(s)
    qtbot.waitUntil(lambda: s.dataset.source == str(path))
    assert s.dataset.n_x == 3 and s.dataset.feature_names == ["label", "a", "b"]  # the last column taken as label
    assert panel.kind == "table" and "label: last column" in panel.summary.text()
    panel.toggle.setChecked(True)
    assert panel.body.isVisible() and panel.label_edit.isEnabled() and not panel.size_spin.isEnabled()
    panel.standardize_box.setChecked(True)
    panel.label_edit.setText("label")
    panel.label_edit.editingFinished.emit()
    assert "Reload to apply" in panel.note.text()
    panel.reload_button.click()
    wait_idle(s)
    qtbot.waitUntil(lambda: s.dataset.feature_names == ["a", "b", "c"])
    assert "Remembered for CSV/TSV files" in panel.note.text()
    assert np.allclose(s.dataset.X.mean(axis=1), 0, atol=1e-12) and np.allclose(s.dataset.X.std(axis=1), 1)
    assert not np.allclose(s.dataset.X, X.T)
    assert "standardised" in panel.summary.text() and "'label'" in panel.summary.text()
    # remembered for CSV files: a second one is read the same way, by a new window too
    other = tmp_path / "second.csv"
    _csv(other, label_first=True)
    window.open_source(str(other))
    wait_idle(s)
    qtbot.waitUntil(lambda: s.dataset.source == str(other))
    assert s.dataset.feature_names == ["a", "b", "c"] and abs(float(s.dataset.X.mean())) < 1e-9
    assert _settings().value("datasetOptions/table/labelColumn") == "label"


def test_load_options_of_another_file_type_are_its_own(default_window, wait_idle, tmp_path, qtbot):
    window = default_window
    panel = window.dataset_options
    _settings().setValue("datasetOptions/table/standardize", True)
    path = tmp_path / "data.npz"
    rng = np.random.default_rng(0)
    X = rng.normal(loc=5.0, size=(3, 12))
    np.savez(path, X=X, Y=(X[:1] > 5).astype(float))
    window.open_source(str(path))
    wait_idle(window.session)
    qtbot.waitUntil(lambda: window.session.dataset.source == str(path))
    assert np.array_equal(window.session.dataset.X, X)  # NumPy files: not standardised
    assert panel.kind == "npz" and not panel.standardize_box.isChecked() and not panel.label_edit.isEnabled()


def test_a_wrong_label_column_says_so_and_keeps_the_data(default_window, wait_idle, tmp_path, qtbot):
    window = default_window
    s = window.session
    path = tmp_path / "t.csv"
    _csv(path)
    window.open_source(str(path))
    wait_idle(s)
    qtbot.waitUntil(lambda: s.dataset.source == str(path))
    before = s.dataset
    panel = window.dataset_options
    panel.label_edit.setText("nonexistent")
    panel.label_edit.editingFinished.emit()
    panel.reload_button.click()
    wait_idle(s)
    qtbot.waitUntil(lambda: window.error_box is not None)
    assert "nonexistent" in window.error_box.text() and s.dataset is before
    window.error_box.close()
    # a new file that fails to open: its options open, and Reload tries that file again once they are right
    other = tmp_path / "label_first.csv"
    _csv(other, label_first=True)
    window.error_box = None
    window.open_source(str(other))
    wait_idle(s)
    qtbot.waitUntil(lambda: window.error_box is not None)
    assert s.dataset is before and panel.pending == str(other) and panel.body.isVisible()
    assert "label_first.csv could not be opened" in panel.note.text()
    panel.label_edit.setText("0")
    panel.label_edit.editingFinished.emit()
    panel.reload_button.click()
    wait_idle(s)
    qtbot.waitUntil(lambda: s.dataset.source == str(other))
    assert s.dataset.feature_names == ["a", "b", "c"] and panel.pending is None


def test_the_image_size_applies_to_image_folders(default_window, wait_idle, tmp_path, qtbot):
    from PIL import Image

    for name in ("cat", "dog"):
        (tmp_path / "pets" / name).mkdir(parents=True)
        for k in range(3):
            Image.new("RGB", (20, 20), (40 * k, 100, 200)).save(tmp_path / "pets" / name / f"{k}.png")
    _settings().setValue("datasetOptions/folder/imageSize", 8)
    window = default_window
    window.open_source(str(tmp_path / "pets"))
    wait_idle(window.session)
    qtbot.waitUntil(lambda: window.session.dataset.source.endswith("pets"))
    assert window.session.dataset.example_shape == (8, 8, 3) and window.session.dataset.n_x == 192
    panel = window.dataset_options
    assert panel.kind == "folder" and panel.size_spin.value() == 8 and panel.size_spin.isEnabled()
    assert "8×8 pictures" in panel.summary.text()


def test_the_colour_bar_stays_beside_the_data_after_the_panel_narrows_and_widens(qtbot):
    panel = HeatmapPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 200)
    panel.show()
    qtbot.waitExposed(panel)
    Y = (np.arange(209) % 3 == 0).astype(float)[None, :]
    panel.set_matrix("Y", Y)
    for width in (150, 300, 170, 240):  # compact (no bar) and back, as a projector's panels do
        panel.resize(width, 200)
        qtbot.wait(20)
    panel.set_matrix("A[3]", np.full((1, 209), np.nan))  # the NaN state
    panel.set_matrix("Y", Y)
    qtbot.wait(20)
    assert not panel.compact and panel.bar.isVisible()
    data, bar = panel.plot.getViewBox().sceneBoundingRect(), panel.bar.sceneBoundingRect()
    assert bar.left() >= data.right() + 2  # a gap, never over the data


def test_a_nan_cost_reads_NaN_in_the_plot_title_as_in_the_inspector(qtbot, make_session):
    from nnviz.views.plots import PlotsView

    session = make_session(separable(), Design(hidden=(3,), activations=("tanh",)))
    view = PlotsView(session)
    qtbot.addWidget(view)
    view.resize(900, 260)
    session.history.append(float("nan"), [1.0, 1.0])
    session.history_changed.emit()
    assert "J = NaN" in view.cost_plot.getPlotItem().titleLabel.text
    assert view.hover_text(view.cost_plot, 0).endswith("J = NaN")


def test_scalars_side_by_side_are_printed_at_one_size(qtbot, make_session, wait_idle):
    session = make_session(separable(), Design(hidden=(3,), activations=("tanh",)))
    view = InspectorView(session)
    qtbot.addWidget(view)
    view.resize(700, 600)  # narrow: the long values need a smaller font than the short ones would
    view.show()
    run_to(session, wait_idle, "b2")
    panels = view.panels[:3]
    assert all(p.scalar is not None for p in panels)
    qtbot.waitUntil(lambda: len({p.scalar_label.font().pointSizeF() for p in panels}) == 1)
    for panel in panels:  # and every one fits its box
        metrics = QFontMetrics(panel.scalar_label.font())
        assert metrics.horizontalAdvance(panel.scalar_text()) <= panel.width()
    # a digit and a half free in each box, so that side by side "0.0319359 −0.0259187" never runs together
    for panel in panels:
        metrics = QFontMetrics(panel.scalar_label.font())
        room = panel.width() - metrics.horizontalAdvance(panel.scalar_text())
        assert room >= 1.5 * metrics.horizontalAdvance("0") - 1, (panel.scalar_text(), room)


def test_open_load_options_in_a_short_data_dock_scroll_instead_of_being_cut(default_window, qtbot):
    from PySide6.QtCore import QPoint, Qt

    window = default_window
    window.resize(1280, 560)  # a short window: the Data dock cannot grow to fit the open options
    panel = window.dataset_options
    dock = window.docks["dataDock"]
    window.resizeDocks([dock], [240], Qt.Orientation.Vertical)
    panel.toggle.setChecked(True)
    qtbot.waitUntil(lambda: panel.body.isVisible())
    qtbot.wait(50)
    assert panel.body_area.verticalScrollBar().maximum() > 0  # they do not all fit: they scroll
    panel.body_area.ensureWidgetVisible(panel.note)  # what the scroll bar lets a user do
    qtbot.wait(20)
    note_bottom = panel.note.mapTo(dock, QPoint(0, panel.note.height())).y()
    area_bottom = panel.body_area.mapTo(dock, QPoint(0, panel.body_area.height())).y()
    assert note_bottom <= area_bottom <= dock.height()  # the last line can be read, not cut off by the dock
