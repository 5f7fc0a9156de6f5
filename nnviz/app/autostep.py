"""Auto-step: the window's action and pace box that walk through the operations one at a time for a lecture."""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import QDoubleSpinBox

from .settings import app_settings

log = logging.getLogger(__name__)

PACE_RANGE = (0.25, 5.0)  # seconds per operation
DEFAULT_PACE = 1.5
PACE_STEP = 0.25
SETTINGS_KEY = "autoStep/pace"


def _icon(color: str = "#333333") -> QIcon:
    """▶ followed by three dots: playing, one operation at a time."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawPolygon(QPolygonF([QPointF(8, 10), QPointF(36, 32), QPointF(8, 54)]))
    for x in (42, 50, 58):
        painter.drawEllipse(QPointF(x, 32), 3.5, 3.5)
    painter.end()
    return QIcon(pixmap)


_settings = app_settings


class AutoStep(QObject):
    """Checking ``action`` performs one operation every ``pace`` seconds (the session's timer)
    until it is unchecked, Pause is pressed, or a breakpoint or NaN stops the session."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.action = QAction(_icon(), "&Auto-Step", window)
        self.action.setObjectName("actionAutoStep")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("Ctrl+F10"))
        tip = "Perform one operation after another at the pace beside it, to talk over; Pause stops"
        self.action.setToolTip(f"{tip} (Ctrl+F10)")
        self.action.setStatusTip(tip)
        self.pace_box = QDoubleSpinBox(window)
        self.pace_box.setObjectName("autoStepPace")
        self.pace_box.setRange(*PACE_RANGE)
        self.pace_box.setSingleStep(PACE_STEP)
        self.pace_box.setDecimals(2)
        self.pace_box.setSuffix(" s")
        self.pace_box.setToolTip("Auto-step pace: seconds per operation")
        self.pace_box.setAccelerated(True)
        self.pace_box.setValue(self._saved_pace())
        self.action.toggled.connect(self._toggled)
        self.pace_box.valueChanged.connect(self._pace_changed)
        self.session.auto_step_changed.connect(self._session_changed)
        window.installEventFilter(self)  # the window closing stops the timer, before the session's thread ends

    @property
    def pace(self) -> float:
        return self.pace_box.value()

    @staticmethod
    def _saved_pace() -> float:
        try:
            value = float(_settings().value(SETTINGS_KEY, DEFAULT_PACE))
        except (TypeError, ValueError):
            return DEFAULT_PACE
        return min(max(value, PACE_RANGE[0]), PACE_RANGE[1])

    def _toggled(self, checked: bool) -> None:
        if checked and not self.session.auto_stepping:
            self.session.start_auto_step(self.pace)
        elif not checked and self.session.auto_stepping:
            self.session.stop_auto_step()

    def _pace_changed(self, seconds: float) -> None:
        _settings().setValue(SETTINGS_KEY, seconds)
        if self.session.auto_stepping:
            self.session.set_auto_step_interval(seconds)

    def _session_changed(self, on: bool) -> None:
        """The session started or stopped auto-stepping (Pause, a breakpoint): the action follows, quietly."""
        self.action.blockSignals(True)
        self.action.setChecked(on)
        self.action.blockSignals(False)
        if not on:
            log.debug("auto-step stopped at %s", self.session.record.symbol if self.session.record else "start")

    def close(self) -> None:
        self.session.stop_auto_step()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.close()
        return False


def _after(actions: list[QAction], anchor: QAction) -> QAction | None:
    """The action that follows ``anchor`` (None: insert at the end)."""
    if anchor not in actions:
        return None
    index = actions.index(anchor) + 1
    return actions[index] if index < len(actions) else None


def install_auto_step(window) -> AutoStep:
    """Add actionAutoStep after Pause in the Train menu and the tool bar, the pace box ("autoStepPace") beside it."""
    auto = AutoStep(window)
    train, tools = window.menus["train"], window.training_tool_bar
    train.insertAction(_after(train.actions(), window.actionPause), auto.action)
    before = _after(tools.actions(), window.actionPause)
    tools.insertAction(before, auto.action)
    auto.pace_action = tools.insertWidget(before, auto.pace_box)
    return auto
