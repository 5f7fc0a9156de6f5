"""Drawing on the screen in presentation mode: circle a cell, underline a term; one key clears it all."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ..views import appearance as looks
from .actions import make_action

INK = "#e6007e"  # magenta: stands out against every theme and the blue–red matrices
INK_WIDTH = 4.0  # px, times the appearance's line scale


class PenOverlay(QWidget):
    """A transparent layer over the whole window; while ``drawing`` the mouse draws strokes on it."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("penOverlay")
        self.strokes: list[QPainterPath] = []
        self.drawing = False
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.hide()

    def set_drawing(self, on: bool) -> None:
        self.drawing = on
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not on)
        self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)
        if on or self.strokes:
            self.setGeometry(self.parentWidget().rect())
            self.show()
            self.raise_()
        else:
            self.hide()

    def clear(self) -> None:
        self.strokes.clear()
        if not self.drawing:
            self.hide()
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.drawing and event.button() == Qt.MouseButton.LeftButton:
            path = QPainterPath(QPointF(event.position()))
            self.strokes.append(path)
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.drawing and self.strokes and event.buttons() & Qt.MouseButton.LeftButton:
            self.strokes[-1].lineTo(QPointF(event.position()))
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.strokes:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = looks.appearance_model().current.line_width(INK_WIDTH)
        pen = QPen(QColor(INK), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for path in self.strokes:
            if path.elementCount() == 1:  # a click: a dot
                painter.drawPoint(path.currentPosition())
            else:
                painter.drawPath(path)
        painter.end()


class Pen(QObject):
    """actionPen (P, checkable) and actionClearPen (C), enabled in presentation mode only."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.overlay = PenOverlay(window)
        self.action = make_action(window, "actionPen", "&Pen", None, "P",
                                  "Draw on the screen (presentation mode); C clears the drawing", checkable=True)
        self.action.toggled.connect(self.overlay.set_drawing)
        self.clear_action = make_action(window, "actionClearPen", "&Clear Drawing", self.overlay.clear, "C",
                                        "Clear what the pen drew")
        window.presentation.active_changed.connect(self._presenting)
        self._presenting(window.presentation.active)

    def _presenting(self, on: bool) -> None:
        for action in (self.action, self.clear_action):
            action.setEnabled(on)
        if not on:
            self.action.setChecked(False)
            self.overlay.clear()


def install_pen(window) -> Pen:
    """Add the pen (P) and Clear Drawing (C) to the View menu, active while presenting."""
    pen = Pen(window)
    view = window.menus["view"]
    view.addAction(pen.action)
    view.addAction(pen.clear_action)
    window.addAction(pen.action)
    window.addAction(pen.clear_action)
    return pen
