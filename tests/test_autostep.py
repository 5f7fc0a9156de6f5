"""Auto-step: one operation every few seconds from the tool bar, stopped by Pause, the action unchecked, or a breakpoint."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDoubleSpinBox

from nnviz.app import MainWindow
from nnviz.data import Dataset
from nnviz.session import Design, Session


@pytest.fixture
def window(qtbot):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 60))
    data = Dataset(X=X, Y=(X[:1] * X[1:] > 0).astype(float), class_names=["a", "b"], source="toy", name="toy")
    win = MainWindow(Session(data, Design(hidden=(4,), activations=("tanh",), learning_rate=0.1)))
    qtbot.addWidget(win)
    yield win
    win.auto_step.close()
    win.close()


def _symbols(session) -> list[str]:
    seen: list[str] = []
    session.stepped.connect(lambda: seen.append(session.record.symbol if session.record else ""))
    return seen


def test_action_and_pace_box_are_in_the_train_menu_and_tool_bar(window):
    action = window.auto_step.action
    assert action.objectName() == "actionAutoStep" and action.isCheckable()
    assert action in window.menus["train"].actions() and action in window.training_tool_bar.actions()
    pace = window.findChild(QDoubleSpinBox, "autoStepPace")
    assert pace is window.auto_step.pace_box
    assert (pace.minimum(), pace.maximum(), pace.value(), pace.suffix()) == (0.25, 5.0, 1.5, " s")


def test_steps_one_operation_at_a_time_until_pause(window, qtbot, wait_idle):
    s = window.session
    window.auto_step.pace_box.setValue(0.25)
    seen = _symbols(s)
    window.auto_step.action.trigger()
    assert s.auto_stepping and window.actionPause.isEnabled()
    qtbot.wait(1100)
    assert len(seen) >= 3
    assert seen == [op.symbol for op in s.plan[:len(seen)]]  # in plan order, none skipped
    assert window.actionPause.isEnabled()  # stays enabled between steps (the window disables it when idle)
    window.actionPause.trigger()
    wait_idle(s)
    assert not s.auto_stepping and not window.auto_step.action.isChecked()
    stopped = len(seen)
    qtbot.wait(400)  # longer than a pace: a step would have come
    assert len(seen) == stopped and not window.actionPause.isEnabled()


def test_unchecking_stops_and_the_pace_sets_the_interval(window, qtbot, wait_idle):
    s = window.session
    timer = next(t for t in s.findChildren(QTimer) if t.isSingleShot() is False)
    window.auto_step.action.trigger()
    assert timer.isActive() and timer.interval() == 1500
    window.auto_step.pace_box.setValue(2.0)
    assert timer.interval() == 2000
    window.auto_step.pace_box.setValue(0.25)
    assert timer.interval() == 250
    window.auto_step.action.trigger()
    assert not s.auto_stepping and not timer.isActive()
    wait_idle(s)


def test_a_breakpoint_stops_it_and_unchecks_the_action(window, qtbot, wait_idle):
    s = window.session
    s.toggle_breakpoint(1)
    window.auto_step.pace_box.setValue(0.25)
    window.auto_step.action.trigger()
    qtbot.waitUntil(lambda: not s.auto_stepping, timeout=5000)
    wait_idle(s)
    assert s.record.op.index == 1 and not window.auto_step.action.isChecked()


def test_closing_the_window_stops_auto_stepping(window):
    window.auto_step.action.trigger()
    assert window.session.auto_stepping
    window.close()
    assert not window.session.auto_stepping and not window.auto_step.action.isChecked()
