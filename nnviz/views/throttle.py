"""Refreshing a view at once after a step, but at a bounded rate while training runs."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer

from ..session import Session


class RunThrottle(QObject):
    """``request()`` calls ``refresh`` now, or, while the session runs, at most every ``interval_ms``
    (the last request always arrives: a single-shot timer coalesces the ones in between)."""

    def __init__(self, session: Session, refresh: Callable[[], None], interval_ms: int, parent: QObject) -> None:
        super().__init__(parent)
        self.session = session
        self.refresh = refresh
        self.interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(refresh)

    def request(self) -> None:
        if self.session.running:
            if not self._timer.isActive():
                self._timer.start(self.interval_ms)
            return
        self._timer.stop()
        self.refresh()
