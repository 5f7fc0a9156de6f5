"""Step back, breakpoints from the step list, undo/redo of design edits, session files — through the window."""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QFileDialog, QMessageBox

from nnviz.app import MainWindow
from nnviz.data import Dataset
from nnviz.session import Design, Session


def _toy_window(qtbot, hidden=(6, 4)) -> MainWindow:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((2, 90))
    data = Dataset(X=X, Y=(X[:1] ** 2 + X[1:] ** 2 < 1.2).astype(float), class_names=["out", "in"], source="toy",
                   name="toy")
    window = MainWindow(Session(data, Design(hidden=hidden, activations=("tanh",) * len(hidden),
                                             learning_rate=0.3)))
    qtbot.addWidget(window)
    return window


def _steps(window, wait_idle, n: int) -> None:
    for _ in range(n):
        window.actionStep.trigger()
        wait_idle(window.session)


def test_thirty_steps_forward_and_thirty_back_restore_everything(qtbot, wait_idle):
    window = _toy_window(qtbot)
    s = window.session
    _steps(window, wait_idle, 12)
    start = {k: v.copy() for k, v in s.values.items()}
    start_text = window.inspector.shapes_label.text(), window.inspector.equation_label.text()
    _steps(window, wait_idle, 30)  # across the update into the next iteration
    assert s.iteration == 1 and window.plots.point_count() == 1
    for _ in range(30):
        assert window.actionStepBack.isEnabled()
        window.actionStepBack.trigger()
    assert (s.iteration, s.position) == (0, 12)
    assert s.values.keys() == start.keys()
    for key, value in start.items():
        assert s.values[key].tobytes() == value.tobytes(), key
    assert window.plots.point_count() == 0  # the plot's last point went with the update
    assert (window.inspector.shapes_label.text(), window.inspector.equation_label.text()) == start_text
    assert window.step_list.current_index() == 11
    window.close()


def test_margin_click_sets_a_breakpoint_that_pauses_run(qtbot, wait_idle):
    window = _toy_window(qtbot)
    s = window.session
    index = next(op.index for op in s.plan if op.key == "dZ1")
    item = window.step_list.tree.topLevelItem(index)
    window.step_list.tree.itemClicked.emit(item, 0)
    assert s.has_breakpoint(index) and "●" in item.text(0)
    assert s.record is None  # a margin click does not run anything
    window.actionRun.trigger()
    wait_idle(s)
    assert s.record.symbol == "dZ[1]" and not s.running
    assert "breakpoint at dZ[1]" in window.statusBar().currentMessage()
    window.actionRun.trigger()  # continue: stops at the same line one iteration later
    wait_idle(s)
    assert s.record.symbol == "dZ[1]" and s.iteration == 1
    window.step_list.tree.itemClicked.emit(window.step_list.tree.topLevelItem(index), 0)
    assert not s.has_breakpoint(index) and "●" not in window.step_list.tree.topLevelItem(index).text(0)
    window.close()


def test_undo_and_redo_design_edits(qtbot, wait_idle):
    window = _toy_window(qtbot)
    s = window.session
    window.designer.table.selectRow(0)
    window.designer.add_button.click()
    wait_idle(s)
    assert s.design.hidden == (6, 6, 4)
    window.designer.lr_spin.setValue(0.05)
    window.designer.lr_spin.setValue(0.07)
    assert s.design.learning_rate == 0.07 and s.stepper.learning_rate == 0.07
    assert window.actionUndo.text() == "&Undo Learning rate α = 0.07"  # the two α edits are one entry
    window.actionUndo.trigger()
    assert s.design.learning_rate == 0.3 and window.designer.lr_spin.value() == 0.3
    window.actionUndo.trigger()
    wait_idle(s)
    assert s.design.hidden == (6, 4) and s.spec.sizes == (2, 6, 4, 1)
    assert window.designer.table.rowCount() == 2
    window.actionRedo.trigger()
    wait_idle(s)
    assert s.design.hidden == (6, 6, 4) and window.designer.table.rowCount() == 3
    window.close()


def test_save_and_open_session_through_the_file_menu(qtbot, wait_idle, monkeypatch, tmp_path):
    window = _toy_window(qtbot)
    s = window.session
    for _ in range(3):
        window.actionIteration.trigger()
        wait_idle(s)
    _steps(window, wait_idle, 9)
    assert window.windowTitle().startswith("nnviz — untitled (toy) *")
    target = tmp_path / "class-demo"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(target), ""))
    window.actionSaveSession.trigger()
    wait_idle(s)
    saved = tmp_path / "class-demo.nnviz"
    assert saved.is_file() and window.windowTitle().startswith("nnviz — class-demo.nnviz —")
    expected = {k: v.copy() for k, v in s.values.items()}

    other = MainWindow()
    qtbot.addWidget(other)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(saved), ""))
    other.actionOpenSession.trigger()
    wait_idle(other.session)
    o = other.session
    assert (o.iteration, o.position, o.spec.sizes) == (3, 9, (2, 6, 4, 1))
    assert o.record.symbol == s.record.symbol and "class-demo.nnviz" in other.windowTitle()
    assert other.inspector.shapes_label.text() == window.inspector.shapes_label.text()
    assert other.plots.point_count() == 3
    for key, value in expected.items():
        assert o.values[key].tobytes() == value.tobytes(), key
    other.close()
    window.close()


def test_closing_with_unsaved_training_asks_and_cancel_keeps_the_window(qtbot, wait_idle, answered_questions):
    window = _toy_window(qtbot)
    window.show()
    window.actionIteration.trigger()
    wait_idle(window.session)
    answered_questions.answer = QMessageBox.StandardButton.Cancel
    window.close()
    assert window.isVisible() and "1 iterations of training are not saved" in answered_questions.asked[-1]
    answered_questions.answer = QMessageBox.StandardButton.Discard
    window.close()
    assert not window.isVisible()


def test_reset_asks_only_after_a_long_run(qtbot, wait_idle, answered_questions):
    window = _toy_window(qtbot)
    s = window.session
    window.actionIteration.trigger()
    wait_idle(s)
    window.actionReset.trigger()
    wait_idle(s)
    assert answered_questions.asked == [] and s.iteration == 0
    s.stepper.train(150)  # a long run (driven directly: the worker is idle)
    s._sync()
    answered_questions.answer = QMessageBox.StandardButton.Cancel
    window.actionReset.trigger()
    assert s.iteration == 150 and "150 iterations" in answered_questions.asked[-1]
    answered_questions.answer = QMessageBox.StandardButton.Discard
    window.actionReset.trigger()
    wait_idle(s)
    assert s.iteration == 0
    window.close()
