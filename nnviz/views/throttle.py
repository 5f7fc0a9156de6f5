"""Refreshing a view at once after a step, but at a bounded rate while training runs."""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer

from ..session import Session


class RunThrottle(QObject):
    """``request()`` calls ``refresh`` now, or, while the session runs, at most every ``interval_ms``:
    at once when that long has passed since the last refresh (so every view shows the snapshot the
    session just delivered, which comes at most every PROGRESS_INTERVAL), otherwise when it has
    (the last request always arrives: a single-shot timer coalesces the ones in between)."""

    def __init__(self, session: Session, refresh: Callable[[], None], interval_ms: int, parent: QObject) -> None:
        super().__init__(parent)
        self.session = session
        self.refresh = refresh
        self.interval_ms = interval_ms
        self._last = -float("inf")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._refresh_now)

    def request(self) -> None:
        if self.session.running:
            if self._timer.isActive():
                return
            wait = self._last + self.interval_ms / 1000 - time.monotonic()
            if wait > 0:
                self._timer.start(int(wait * 1000) + 1)
                return
        self._timer.stop()
        self._refresh_now()

    def _refresh_now(self) -> None:
        self._last = time.monotonic()
        self.refresh()
