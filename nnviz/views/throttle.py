"""Refreshing a view at once after a step, and at once for each snapshot while training runs
(a view that cannot be seen -- a closed dock, a tab behind another -- once it is shown again)."""
from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from ..session import Session


class RunThrottle(QObject):
    """``request()`` calls ``refresh``, at most every ``interval_ms`` while the session runs.

    While training runs the session delivers at most one snapshot every PROGRESS_INTERVAL
    (0.25 s), and only the newest when the window was busy: with an interval of 0 every view
    shows each snapshot at once, so they all show the same iteration.  A view that must refresh
    less often gives an interval; requests closer together are coalesced by a single-shot timer
    (the last one always arrives).

    With ``unseen`` (a widget), requests while that widget is hidden in a shown window are held
    and one refresh follows when it is shown: a Step does not redraw a dock nobody can see.
    """

    def __init__(self, session: Session, refresh: Callable[[], None], interval_ms: int, parent: QObject,
                 unseen: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unseen = unseen
        self.held = False  # a request arrived while ``unseen`` could not be seen
        if unseen is not None:
            unseen.installEventFilter(self)
        self.session = session
        self.refresh = refresh
        self.interval_ms = interval_ms
        self._last = -float("inf")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._refresh_now)

    def request(self) -> None:
        if self.unseen is not None and hidden_in_shown_window(self.unseen):
            self._timer.stop()
            self.held = True
            return
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
        self.held = False
        self._last = time.monotonic()
        self.refresh()

    def catch_up(self) -> None:
        """Refresh now if requests were held while the widget could not be seen (before reading the view)."""
        if self.held:
            self._refresh_now()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.unseen and event.type() == QEvent.Type.Show and self.held:
            self._refresh_now()
        return False


def hidden_in_shown_window(widget: QWidget) -> bool:
    """Whether ``widget`` cannot be seen although the window it belongs to is shown (a closed dock,
    a dock tab behind another).  A view in a window that is not shown (a script, a test) is not."""
    top = widget
    while top.parentWidget() is not None:
        top = top.parentWidget()
    return top.isVisible() and not widget.isVisible()
