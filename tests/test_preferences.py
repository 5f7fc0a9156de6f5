"""Edit ▸ Preferences: step-back memory and pause conditions reach the session, pause a run, and persist."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from nnviz.app import MainWindow
from nnviz.app.preferences import MB, history_reach
from nnviz.data import Dataset
from nnviz.session import Design, Session


def _toy_session() -> Session:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 60))
    data = Dataset(X=X, Y=(X[:1] * X[1:] > 0).astype(float), class_names=["a", "b"], source="toy", name="toy")
    return Session(data, Design(hidden=(6,), activations=("tanh",), learning_rate=0.1))


@pytest.fixture
def make_window(qtbot):
    def make(session: Session | None = None):
        window = MainWindow(session if session is not None else _toy_session())
        qtbot.addWidget(window)
        return window, window.preferences

    return make


def _ok(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_action_in_the_edit_menu_and_defaults_from_the_session(make_window):
    window, controller = make_window()
    assert controller.action.objectName() == "actionPreferences"
    assert controller.action in window.menus["edit"].actions() and not controller.action.shortcut().isEmpty()
    controller.action.trigger()
    dialog = controller.dialog
    assert dialog.objectName() == "preferencesDialog" and dialog.isVisible()
    assert dialog.budget.value() == 256 and dialog.pause_nonfinite.isChecked()
    assert not dialog.pause_above_box.isChecked() and not dialog.pause_above_edit.isEnabled()
    assert not dialog.pause_below_box.isChecked()
    assert float(dialog.pause_above_edit.text()) == 1e3 and float(dialog.pause_below_edit.text()) == 1e-7
    dialog.reject()


def test_budget_reaches_session_and_stepper_and_says_how_many_operations(make_window, qtbot):
    window, controller = make_window(Session())  # the notes' 12288-7-5-1 on 209 pictures
    dialog = controller.open()
    # the arrays one iteration replaces: Z1, A1 (7×209), dW1 and W1 (7×12288), …; 25 operations
    assert "≈ 4,583 operations (183 iterations) of this network" == dialog.reach_label.text()
    dialog.budget.setValue(64)
    assert dialog.reach_label.text().startswith("≈ 1,145 operations")
    _ok(dialog)
    session = window.session
    assert session.history_budget == session.stepper.history_budget == 64 * MB
    assert "Preferences saved" in window.statusBar().currentMessage()


def test_reach_matches_what_the_stepper_really_keeps(make_session, wait_idle):
    session = make_session()
    budget = 2 * MB
    operations, _ = history_reach(session, budget)
    assert operations == 35
    session.set_history_budget(budget)
    for _ in range(3):  # 75 operations: more than 2 MB holds
        session.run_iteration()
        wait_idle(session)
    # an average: where the iteration stands decides whether dW[1] and W[1] (688 kB each) are among them
    assert abs(session.stepper.history_length - operations) <= 0.2 * operations


def test_a_gradient_limit_set_in_the_dialog_pauses_a_run(make_window, qtbot, wait_idle):
    window, controller = make_window()
    dialog = controller.open()
    dialog.pause_above_box.setChecked(True)
    dialog.pause_above_edit.setText("1e-6")  # every ‖dW[l]‖ of the first iteration exceeds it
    _ok(dialog)
    session = window.session
    assert session.grad_norm_high == 1e-6 and session.grad_norm_low is None
    window.actionRun.trigger()
    qtbot.waitUntil(lambda: not session.running, timeout=5000)
    wait_idle(session)
    message = window.statusBar().currentMessage()
    assert "exceeds" in message and "‖dW[" in message and "Paused" in message
    assert session.iteration == 1 and session.position == 0


def test_wrong_thresholds_keep_the_dialog_open_with_a_reason(make_window):
    window, controller = make_window()
    dialog = controller.open()
    dialog.pause_above_edit.setText("")  # off: its text does not matter
    dialog.pause_below_box.setChecked(True)
    dialog.pause_below_edit.setText("")
    _ok(dialog)
    assert dialog.isVisible() and "positive number" in dialog.error_label.text()
    dialog.pause_below_edit.setText("5")
    dialog.pause_above_box.setChecked(True)
    dialog.pause_above_edit.setText("2")
    _ok(dialog)
    assert dialog.isVisible() and "below the upper" in dialog.error_label.text()
    assert window.session.grad_norm_low is None  # nothing applied
    dialog.pause_above_edit.setText("1e4")
    _ok(dialog)
    assert not dialog.isVisible()
    assert (window.session.grad_norm_low, window.session.grad_norm_high) == (5.0, 1e4)


def test_preferences_persist_into_a_new_window(make_window):
    window, controller = make_window()
    dialog = controller.open()
    dialog.budget.setValue(32)
    dialog.pause_nonfinite.setChecked(False)
    dialog.pause_below_box.setChecked(True)
    dialog.pause_below_edit.setText("1e-9")
    _ok(dialog)
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "nnviz", "nnviz")
    assert settings.value("preferences/historyMb") in (32, "32")
    second, second_controller = make_window()
    s = second.session
    assert s.history_budget == s.stepper.history_budget == 32 * MB
    assert s.break_on_nonfinite is False
    assert (s.grad_norm_low, s.grad_norm_high) == (1e-9, None)
    reopened = second_controller.open()
    assert reopened.budget.value() == 32 and not reopened.pause_nonfinite.isChecked()
    assert reopened.pause_below_box.isChecked() and float(reopened.pause_below_edit.text()) == 1e-9
    reopened.reject()


def test_damaged_saved_values_fall_back_to_defaults(make_window):
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "nnviz", "nnviz")
    settings.setValue("preferences/historyMb", "lots")
    settings.setValue("preferences/pauseAbove", "-3")
    settings.setValue("preferences/pauseAboveOn", "true")
    settings.sync()
    window, controller = make_window()
    assert window.session.history_budget == 256 * MB
    assert window.session.grad_norm_high == 1e3
