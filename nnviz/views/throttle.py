"""Refreshing a view at once after a step, and at once for each snapshot while training runs."""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer

from ..session import Session


class RunThrottle(QObject):
    """``request()`` calls ``refresh``, at most every ``interval_ms`` while the session runs.

    While training runs the session delivers at most one snapshot every PROGRESS_INTERVAL
    (0.25 s), and only the newest when the window was busy: with an interval of 0 every view
    shows each snapshot at once, so they all show the same iteration.  A view that must refresh
    less often gives an interval; requests closer together are coalesced by a single-shot timer
    (the last one always arrives).
    """

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
