"""Run speed: iterations a second for Run ("runSpeed"), and Run N Iterations, so a fast 2-D demo can be watched."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QSpinBox

if TYPE_CHECKING:
    from .window import MainWindow

log = logging.getLogger(__name__)

SPEEDS: tuple[tuple[str, float | None], ...] = (
    ("1 it/s", 1.0), ("10 it/s", 10.0), ("100 it/s", 100.0), ("as fast as possible", None),
)
SPEED_KEY = "run/speed"
COUNT_KEY = "run/iterations"
DEFAULT_COUNT = 100
MAX_COUNT = 1_000_000


class RunSpeed(QObject):
    """``speed_box`` ("runSpeed": its data is iterations a second, None for as fast as possible),
    ``count_box`` ("runCount") and ``action`` ("actionRunIterations", Train ▸ Run N Iterations)."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        settings = window._settings()
        self.speed_box = QComboBox(window)
        self.speed_box.setObjectName("runSpeed")
        self.speed_box.setToolTip("How many iterations a second Run trains")
        for text, rate in SPEEDS:
            self.speed_box.addItem(text, rate)
        saved = str(settings.value(SPEED_KEY, SPEEDS[-1][0]))
        self.speed_box.setCurrentIndex(max(0, self.speed_box.findText(saved)))
        self.speed_box.currentIndexChanged.connect(self._speed_changed)
        self.count_box = QSpinBox(window)
        self.count_box.setObjectName("runCount")
        self.count_box.setRange(1, MAX_COUNT)
        self.count_box.setSuffix(" it")
        self.count_box.setToolTip("Iterations Run N Iterations trains")
        try:
            self.count_box.setValue(int(settings.value(COUNT_KEY, DEFAULT_COUNT)))
        except (TypeError, ValueError):
            self.count_box.setValue(DEFAULT_COUNT)
        self.count_box.valueChanged.connect(lambda n: self.window._settings().setValue(COUNT_KEY, n))
        self.action = QAction("Run &N Iterations", window)
        self.action.setObjectName("actionRunIterations")
        self.action.setShortcut(QKeySequence("Ctrl+F5"))
        self.action.setStatusTip("Train the number of iterations beside it, at the run speed, then pause")
        self.action.setToolTip("Run the iterations beside it, at the run speed (Ctrl+F5)")
        self.action.triggered.connect(self.run_count)
        window.actionRunIterations = self.action
        window.stepping_actions.append(self.action)  # disabled while busy, like Run
        self._speed_changed()

    @property
    def rate(self) -> float | None:
        return self.speed_box.currentData()

    def _speed_changed(self) -> None:
        self.session.run_rate = self.rate  # also while running: the loop reads it before each iteration
        self.window._settings().setValue(SPEED_KEY, self.speed_box.currentText())

    def set_rate(self, rate: float | None) -> None:
        self.speed_box.setCurrentIndex(self.speed_box.findData(rate))

    def run_count(self) -> None:
        self.session.run(self.count_box.value())


def install_run_speed(window: "MainWindow") -> RunSpeed:
    """The speed box and Run N after Run in the tool bar; the action after Run in the Train menu."""
    speed = RunSpeed(window)
    train, tools = window.menus["train"], window.training_tool_bar
    actions = train.actions()
    after = actions[actions.index(window.actionRun) + 1] if window.actionRun in actions else None
    train.insertAction(after, speed.action)
    actions = tools.actions()
    after = actions[actions.index(window.actionRun) + 1] if window.actionRun in actions else None
    tools.insertWidget(after, speed.speed_box)
    tools.insertAction(after, speed.action)
    tools.insertWidget(after, speed.count_box)
    return speed
