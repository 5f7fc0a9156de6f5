"""The busy indicator: what the worker is computing, when it takes long enough to wonder (status bar)."""
from __future__ import annotations

import logging

from PySide6.QtCore import QElapsedTimer, QObject, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QProgressBar, QWidget

log = logging.getLogger(__name__)

SHOW_AFTER_MS = 400  # a job shorter than this shows nothing: no flicker on every Step
POLL_MS = 150  # the text follows the operation in progress this often


class BusyIndicator(QObject):
    """A moving bar and 'Computing dW[1] = dZ[1]·A[0]ᵀ (4096×12288)… Pause (Shift+F5) stops after it'
    in the status bar while a job other than Run (which shows itself) takes longer than SHOW_AFTER_MS.

    Public: ``widget`` ("busyIndicator"), ``label`` ("busyLabel"), ``bar``, ``text()``.
    """

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.widget = QWidget(window)
        self.widget.setObjectName("busyIndicator")
        self.bar = QProgressBar(self.widget)
        self.bar.setRange(0, 0)  # no known end: the bar moves back and forth
        self.bar.setMaximumWidth(120)
        self.bar.setTextVisible(False)
        self.label = QLabel(self.widget)
        self.label.setObjectName("busyLabel")
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        window.statusBar().addPermanentWidget(self.widget)  # temporary messages would hide a normal one
        self.widget.hide()
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.session.busy_changed.connect(self._busy_changed)

    def _busy_changed(self, busy: bool) -> None:
        if busy and not self.session.running:
            self._clock.start()
            self._timer.start()
        else:
            self._timer.stop()
            self.widget.hide()

    def text(self) -> str:
        what = self.session.describe_activity()
        pause = self.window.actionPause
        if self.session.stoppable and pause.isEnabled():
            what += f"… {pause.shortcut().toString()} pauses after it"
        else:
            what += "…"
        return what

    def _poll(self) -> None:
        if not self.session.busy or self.session.running:
            self._busy_changed(False)
            return
        if self._clock.elapsed() < SHOW_AFTER_MS:
            return
        self.label.setText(self.text())
        if self.widget.isHidden():
            self.widget.show()


def install_busy_indicator(window: QMainWindow) -> BusyIndicator:
    """Show in ``window``'s status bar what the session's worker computes when it takes a while."""
    return BusyIndicator(window)
