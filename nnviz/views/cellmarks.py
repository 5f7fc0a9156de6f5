"""What a heatmap draws over its cells: the numbers when the cells are big enough, and outlined rows, columns or cells."""
from __future__ import annotations

import logging
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsRectItem

log = logging.getLogger(__name__)

MAX_LABELLED = 16 * 16  # at most this many numbers at once (a 12×12 matrix, or a zoomed-in corner)
MIN_FONT_PX = 10.0  # smaller numbers cannot be read from the back of a room: none rather than those
MAX_FONT_PX = 22.0
REFERENCE_PX = 40  # texts are measured once at this size; their width scales with the font's
DARK_FROM = 0.55  # |value| / peak from which the number is written in white (on deep red or blue)


def number_format(peak: float) -> tuple[int, int]:
    """(exponent e, decimals) for writing a matrix whose largest |value| is ``peak``: values are shown
    divided by 10^e (e = 0 unless peak is below 0.1 or from 1000 on) with the same number of decimals,
    so a column of numbers reads like a worksheet: 0.512, −0.034 or, ×10⁻³, −1.23, 0.45."""
    if not math.isfinite(peak) or peak <= 0:
        return 0, 2
    e = math.floor(math.log10(peak))
    if -1 <= e <= 2:
        return 0, max(0, 2 - e)
    return e, 2


def superscript(e: int) -> str:
    return str(e).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def cell_text(value: float, exponent: int, decimals: int) -> str:
    """``value`` / 10^exponent with ``decimals`` decimals and '−' as the minus sign; NaN, ±inf as such."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    text = f"{value / 10.0 ** exponent:.{decimals}f}"
    if float(text) == 0.0:
        text = text.lstrip("-")
    return text.replace("-", "−")


class CellNumbers(pg.GraphicsObject):
    """The value of every visible cell written in it, at a font that fits the cell on screen.

    Painted in device pixels, so the numbers keep their size whatever the zoom; nothing is drawn
    when more than MAX_LABELLED cells are visible or a cell is too small for a readable number.
    """

    def __init__(self) -> None:
        super().__init__()
        self.matrix: np.ndarray | None = None
        self.peak = 1.0
        self.exponent, self.decimals = 0, 2
        self.enabled = True
        self.note_shown = True  # the heatmap's title has room for the scale note the numbers need
        self._cached: tuple | None = None  # (view key, matrix, layout): paint and the title ask alike
        self.setZValue(5)

    def set_matrix(self, matrix: np.ndarray | None, peak: float) -> None:
        self.prepareGeometryChange()
        self.matrix, self.peak = matrix, peak if peak > 0 else 1.0
        self.exponent, self.decimals = number_format(self.peak)
        self.update()

    def scale_note(self) -> str:
        """'×10⁻³' when the numbers shown are the values divided by 10^e, else ''."""
        return f"×10{superscript(self.exponent)}" if self.exponent else ""

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.update()

    def set_note_shown(self, shown: bool) -> None:
        """Scaled numbers (×10⁻⁵) are written only where their note can be read in the title."""
        if shown != self.note_shown:
            self.note_shown = shown
            self._cached = None
            self.update()

    def boundingRect(self) -> QRectF:
        if self.matrix is None:
            return QRectF()
        rows, cols = self.matrix.shape
        return QRectF(-0.5, -0.5, cols, rows)

    def layout(self) -> tuple[list[tuple[int, int, str]], float]:
        """([(row, col, text)], font size in px) of the numbers drawn now (empty: none fit)."""
        vb = self.getViewBox()
        if self.matrix is None or not self.enabled or vb is None or vb.width() <= 0 or vb.height() <= 0 \
                or not self.isVisible() or (self.exponent and not self.note_shown):
            return [], 0.0
        rows, cols = self.matrix.shape
        (x0, x1), (y0, y1) = vb.viewRange()
        c0, c1 = max(0, math.ceil(x0 - 0.5)), min(cols - 1, math.floor(x1 + 0.5))
        r0, r1 = max(0, math.ceil(y0 - 0.5)), min(rows - 1, math.floor(y1 + 0.5))
        if c1 < c0 or r1 < r0 or (c1 - c0 + 1) * (r1 - r0 + 1) > MAX_LABELLED:
            return [], 0.0
        px, py = vb.viewPixelSize()  # view units per pixel
        if not (math.isfinite(px) and math.isfinite(py) and px > 0 and py > 0):  # not laid out yet
            return [], 0.0
        cell_w, cell_h = 1.0 / px, 1.0 / py
        tallest = min(MAX_FONT_PX, 0.42 * cell_h)
        if tallest < MIN_FONT_PX or cell_w < MIN_FONT_PX:  # no readable number fits: say so before writing any
            return [], 0.0
        key = (id(self.matrix), r0, r1, c0, c1, round(cell_w, 1), round(cell_h, 1), self.exponent, self.decimals)
        if self._cached is not None and self._cached[0] == key and self._cached[1] is self.matrix:
            return self._cached[2]
        found = self._fit(self.matrix[r0:r1 + 1, c0:c1 + 1], r0, c0, cell_w, tallest)
        self._cached = (key, self.matrix, found)
        return found

    def _fit(self, block: np.ndarray, r0: int, c0: int, cell_w: float, tallest: float) -> tuple[list, float]:
        """The most decimals, then the largest font (widths scale with the font), whose widest text fits."""
        room = 0.9 * cell_w
        reference = QFontMetricsF(self._font(REFERENCE_PX))
        for decimals in range(self.decimals, max(-1, self.decimals - 3), -1):  # fewer decimals, then a smaller font
            texts = [[cell_text(float(v), self.exponent, decimals) for v in row] for row in block]
            widest = max(reference.horizontalAdvance(t) for t in {t for row in texts for t in row})
            size = math.floor(min(tallest, REFERENCE_PX * room / max(widest, 1.0)))
            if size >= MIN_FONT_PX:
                return [(r0 + i, c0 + j, t) for i, row in enumerate(texts) for j, t in enumerate(row)], float(size)
        return [], 0.0  # no readable number fits: none, so a row never reads half-written

    @staticmethod
    def _font(size: float) -> QFont:
        font = QFont()
        font.setPixelSize(max(1, int(size)))
        return font

    def paint(self, painter: QPainter, *args) -> None:
        try:
            cells, size = self.layout()
        except Exception:  # an exception escaping paint() would take the whole window down
            log.exception("numbers in cells")
            return
        if not cells:
            return
        transform = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setFont(self._font(size))
        dark, light = QColor("#111111"), QColor("#ffffff")
        for r, c, text in cells:
            centre = transform.map(QPointF(c, r))
            corner = transform.map(QPointF(c + 0.5, r + 0.5))
            half_w, half_h = abs(corner.x() - centre.x()), abs(corner.y() - centre.y())
            value = float(self.matrix[r, c])
            strong = math.isfinite(value) and abs(value) / self.peak >= DARK_FROM
            painter.setPen(light if strong else dark)
            painter.drawText(QRectF(centre.x() - half_w, centre.y() - half_h, 2 * half_w, 2 * half_h),
                             Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class CellOutline:
    """A rectangle around a row, a column or a cell of a heatmap (view coordinates, cell centres at integers)."""

    def __init__(self, plot: pg.PlotItem, color: str, width: float = 3.0, z: float = 20) -> None:
        self.item = QGraphicsRectItem()
        pen = QPen(QColor(color), width)
        pen.setCosmetic(True)  # the same width in pixels at any zoom
        self.item.setPen(pen)
        self.item.setZValue(z)
        self.item.hide()
        plot.addItem(self.item, ignoreBounds=True)
        self.shown: tuple[int | None, int | None] | None = None

    def set_color(self, color: str) -> None:
        pen = self.item.pen()
        pen.setColor(QColor(color))
        self.item.setPen(pen)

    def show(self, shape: tuple[int, int], row: int | None, col: int | None) -> None:
        """Outline row ``row`` (col None), column ``col`` (row None), cell (row, col), or all (both None)."""
        rows, cols = shape
        top, height = (-0.5, rows) if row is None else (row - 0.5, 1)
        left, width = (-0.5, cols) if col is None else (col - 0.5, 1)
        self.item.setRect(QRectF(left, top, width, height))
        self.item.show()
        self.shown = (row, col)

    def hide(self) -> None:
        self.item.hide()
        self.shown = None
