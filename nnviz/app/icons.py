"""Icons drawn for nnviz where Qt's standard set has none that says what the action does."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from ..views.style import PHASE_COLORS

SIZES = (16, 24, 32, 48, 64)


def glyph_icon(glyph: str, color: str) -> QIcon:
    """A white ``glyph`` on a rounded square of ``color``, drawn at each size (crisp on any screen)."""
    icon = QIcon()
    for size in SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(color))
        margin = size * 0.08
        box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
        painter.drawRoundedRect(box, size * 0.18, size * 0.18)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(size * 0.72))
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, glyph)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def backward_pass_icon() -> QIcon:
    """∂ in the backward orange: the pass that computes the gradients (not a rewind: it runs forward in time)."""
    return glyph_icon("∂", PHASE_COLORS["backward"])
