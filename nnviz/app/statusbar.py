"""The window's status bar: a message too long for its room is shortened at its end with "…"
(the whole of it in the tooltip) instead of running under the permanent labels on the right."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QSizeGrip, QStatusBar, QWidget

GAP = 12  # px between the message and the first permanent label


class FittingStatusBar(QStatusBar):
    """``showMessage`` as QStatusBar's, fitted to the room left of the permanent widgets (and again
    when the window is resized); ``currentMessage`` is the whole message.  Messages Qt itself shows
    (an action's status tip) are fitted too."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._message = ""  # the whole message
        self._drawn = ""  # what QStatusBar shows of it
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clearMessage)
        self.messageChanged.connect(self._changed)

    def showMessage(self, text: str, timeout: int = 0) -> None:
        self._message = text or ""
        if timeout > 0:
            self._timer.start(timeout)
        else:
            self._timer.stop()
        self._fit()

    def clearMessage(self) -> None:
        self._message = ""
        self._timer.stop()
        self._fit()

    def currentMessage(self) -> str:
        return self._message

    def room(self) -> int:
        """The width the message may take: up to the first permanent widget on the right."""
        right = [child.x() for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                 if child.isVisible() and not isinstance(child, QSizeGrip) and child.x() > 0]
        return max(0, min(right, default=self.width()) - GAP)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._message:
            QTimer.singleShot(0, self, self._fit)  # once the permanent widgets have their new places

    def _fit(self) -> None:
        text = self._message
        if text and self.fontMetrics().horizontalAdvance(text) > self.room():
            text = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, self.room())
        self.setToolTip(self._message if text != self._message else "")
        self._drawn = text
        if text:
            QStatusBar.showMessage(self, text, 0)
        else:
            QStatusBar.clearMessage(self)

    def _changed(self, text: str) -> None:
        if text != self._drawn:  # shown or cleared by Qt itself (a status tip, its end)
            self._message = text
            self._timer.stop()
            self._fit()
