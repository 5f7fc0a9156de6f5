"""Helpers shared by the widget tests: what a user does with the mouse."""
from __future__ import annotations


def wheel_zoom(plot) -> None:
    """The mouse wheel turned one notch forward over the middle of ``plot`` (zooms in)."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    viewport = plot.viewport()
    at = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(at, QPointF(viewport.mapToGlobal(at.toPoint())), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)
