"""Run speed: iterations a second for Run ("runSpeed"), and Run N Iterations, so a fast 2-D demo can be watched."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QStyle, QWidget, QWidgetAction

if TYPE_CHECKING:
    from .window import MainWindow

log = logging.getLogger(__name__)

SPEEDS: tuple[tuple[str, float | None], ...] = (
    ("1 it/s", 1.0), ("10 it/s", 10.0), ("100 it/s", 100.0), ("max it/s", None),
)
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
        for i, (text, rate) in enumerate(SPEEDS):
            self.speed_box.addItem(text, rate)
            tip = "as fast as possible" if rate is None else f"at most {rate:g} iterations a second"
            self.speed_box.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        # each start is as fast as possible: a slow speed kept from a lecture would make the next run crawl
        self.speed_box.setCurrentIndex(len(SPEEDS) - 1)
        self.speed_box.currentIndexChanged.connect(self._speed_changed)
        self.count_box = QSpinBox()
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
        self.action.setIconText("Run N")
        self.action.setIcon(window.style().standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward))
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

    def set_rate(self, rate: float | None) -> None:
        self.speed_box.setCurrentIndex(self.speed_box.findData(rate))

    def run_count(self) -> None:
        self.session.run(self.count_box.value())


def _after(actions: list[QAction], anchor: QAction) -> QAction | None:
    return actions[actions.index(anchor) + 1] if anchor in actions and actions.index(anchor) + 1 < len(actions) else None


def install_run_speed(window: "MainWindow") -> RunSpeed:
    """The speed box after Run in the tool bar (a projector's 1280 pixels hold no more); in the Train menu,
    after Run, Run N Iterations and the box for N."""
    speed = RunSpeed(window)
    train, tools = window.menus["train"], window.training_tool_bar
    after = _after(train.actions(), window.actionRun)
    train.insertAction(after, speed.action)
    row = QWidget(train)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(28, 2, 8, 2)
    layout.addWidget(QLabel("N ="))
    layout.addWidget(speed.count_box, 1)
    speed.count_action = QWidgetAction(train)
    speed.count_action.setDefaultWidget(row)
    train.insertAction(after, speed.count_action)
    tools.insertWidget(_after(tools.actions(), window.actionRun), speed.speed_box)
    return speed
