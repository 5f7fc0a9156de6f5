"""One matrix as a heatmap panel: diverging colours centred at 0, NaN/Inf marked, hover gives the cell."""
from __future__ import annotations

import functools
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QFontMetricsF, QPainter, QPicture
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QStackedLayout, QVBoxLayout, QWidget

from ..engine import shape_text
from ..engine.numbers import fit_number
from . import appearance as looks
from .cellmarks import MAX_LABELLED, CellNumbers, CellOutline
from .settle import SettleBeforePaint
from .style import HEATMAP_COLORMAP, NONFINITE, mono_font, restyle
from .theme import LIGHT, Appearance

FOLLOWED_COLOR = "#00a86b"  # the example being followed, in every matrix

log = logging.getLogger(__name__)

MAX_DRAWN = 1024  # cells drawn per axis; longer axes are averaged in blocks (hover reads the exact cell)
CACHE_SIZE = 8
COMPACT_BELOW = 180  # px: a narrower panel drops its colour bar (hovering still gives every value)
SHORT_ROWS, SHORT_ROW_HEIGHT = 3, 60  # matrices of at most 3 rows get at most 60 px per row (+60 for axes)
QWIDGETSIZE_MAX = 16777215
BAR_GAP = 6  # px between the matrix and its colour bar
BAR_AXIS_WIDTH = 64  # room for '-0.0005' beside the colour bar (narrower hides such labels)
CACHE_ABOVE = 50_000  # cells: only matrices this big are worth keeping prepared (X, W[1], dW[1])
TITLE_POINTS, COMPACT_TITLE_POINTS, LEAST_TITLE_POINTS = 13.0, 10.0, 8.0  # a title shrinks to fit its width
TICK_POINTS_MAX = 14.0  # index axes space their labels for small digits
HINT_WIDTH, HINT_HEIGHT = 200, 140  # what a heatmap asks for; a short inspector's stats table gets the rest
SCALAR_POINTS = 22  # a 1×1 result is a large number (smaller when it would not fit)
SCALAR_MARGIN = 8  # px kept free beside it


@dataclass(frozen=True)
class MatrixStats:
    """Summary numbers of one matrix (over its finite entries; nan when there are none)."""

    min: float
    max: float
    mean: float
    norm: float  # Frobenius norm ‖·‖
    nonfinite: int  # NaN and Inf entries

    @classmethod
    def of(cls, a: np.ndarray, finite: np.ndarray | None = None) -> "MatrixStats":
        finite = np.isfinite(a) if finite is None else finite
        bad = int(a.size - np.count_nonzero(finite))
        values = a[finite] if bad else a.ravel()
        if values.size == 0:
            return cls(np.nan, np.nan, np.nan, np.nan, bad)
        low, high = float(values.min()), float(values.max())
        with np.errstate(over="ignore"):
            # einsum's own loop, not BLAS: a small matrix is summed on the GUI thread while training runs
            norm = float(np.sqrt(np.einsum("i,i", values, values)))
        peak = max(abs(low), abs(high))
        if norm == np.inf and peak < np.inf:  # the squares overflow, the norm itself may not: scale first
            scaled = values / peak
            norm = peak * float(np.sqrt(np.einsum("i,i", scaled, scaled)))
        with np.errstate(over="ignore"):
            mean = float(values.mean())
        return cls(low, high, mean, norm, bad)


def block_reduce(a: np.ndarray, limit: int = MAX_DRAWN, ufunc: np.ufunc = np.add) -> np.ndarray:
    """``a`` with each axis longer than ``limit`` cut into blocks of equal size (the last may be
    shorter) and each block reduced: the mean for np.add, any() for np.logical_or."""
    for axis in (0, 1):
        n = a.shape[axis]
        if n <= limit:
            continue
        size = -(-n // limit)
        whole = n - n % size
        moved = np.moveaxis(a, axis, 0)
        blocks = ufunc.reduce(moved[:whole].reshape(whole // size, size, -1), axis=1)  # fast reshape path
        if whole < n:
            blocks = np.concatenate([blocks, ufunc.reduce(moved[whole:], axis=0)[None, :]])
        if ufunc is np.add:
            counts = np.full(len(blocks), float(size))
            counts[-1] = n - size * (len(blocks) - 1)
            blocks = blocks / counts[:, None]
        a = np.moveaxis(blocks, 0, axis)
    return a


def mark_mask(mask: np.ndarray, color: str = NONFINITE) -> np.ndarray:
    """An RGBA image (rows, cols, 4) that is ``color`` where ``mask`` is True and clear elsewhere."""
    rgba = np.zeros(mask.shape + (4,), dtype=np.uint8)
    rgba[mask] = QColor(color).getRgb()
    return rgba


@dataclass(frozen=True)
class Prepared:
    """A matrix made ready to draw: non-finite cells as 0 (and in ``bad``), long axes block-averaged."""

    drawn: np.ndarray
    bad: np.ndarray | None  # cells (in the drawn grid) holding a NaN or Inf, None when there are none
    peak: float  # max |finite value|, 1 when that is 0: the colour levels are ±peak
    stats: MatrixStats

    @classmethod
    def of(cls, a: np.ndarray) -> "Prepared":
        finite = np.isfinite(a)
        stats = MatrixStats.of(a, finite)
        values = np.where(finite, a, 0.0) if stats.nonfinite else a
        bad = block_reduce(~finite, ufunc=np.logical_or) if stats.nonfinite else None
        peak = max(-stats.min, stats.max) if stats.nonfinite < a.size else 0.0
        return cls(block_reduce(values), bad, peak if peak > 0 else 1.0, stats)


class PreparedCache:
    """The last few matrices prepared, by identity: arrays are never modified in place, so
    X (12288×209) is scanned and averaged once, not at every Z[1] and dW[1].

    ``ready(array)`` may offer a Prepared made elsewhere (the session's worker), so the GUI
    thread does not scan a 4096×12288 W[1] itself."""

    def __init__(self, size: int = CACHE_SIZE, ready: Callable[[np.ndarray], Prepared | None] | None = None) -> None:
        self.size = size
        self.ready = ready
        self._items: OrderedDict[int, tuple[np.ndarray, Prepared]] = OrderedDict()

    def get(self, array: np.ndarray) -> Prepared:
        if array.size < CACHE_ABOVE:
            return Prepared.of(array)
        hit = self._items.get(id(array))
        if hit is not None and hit[0] is array:
            self._items.move_to_end(id(array))
            return hit[1]
        prepared = self.ready(array) if self.ready is not None else None
        if prepared is None:
            prepared = Prepared.of(array)
        self._items[id(array)] = (array, prepared)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return prepared

    def clear(self) -> None:
        self._items.clear()


def prepare_large(arrays, cache: PreparedCache) -> dict[int, tuple[np.ndarray, Prepared]]:
    """id -> (array, Prepared) for the arrays big enough to be worth preparing ahead (any thread)."""
    return {id(a): (a, cache.get(a)) for a in arrays if a is not None and a.size >= CACHE_ABOVE}


def prepared_in(found: dict[int, tuple[np.ndarray, Prepared]] | None, array: np.ndarray) -> Prepared | None:
    """The Prepared of ``array`` in what ``prepare_large`` returned, if it is there."""
    hit = (found or {}).get(id(array))
    return hit[1] if hit is not None and hit[0] is array else None


class IndexAxis(pg.AxisItem):
    """An axis of row or column indexes: ticks only at whole numbers, never so dense they overlap.

    Without a label, so without pyqtgraph's SI prefix (which would rewrite the hidden label's HTML at
    every range change).  What it draws is kept for the last few (range, size, pens, font, style)
    it was drawn at: stepping shows the same shapes in the same panels at every iteration, and
    laying out the tick labels is most of what painting a heatmap costs."""

    PICTURES_KEPT = 64  # an iteration of the plans people step through (12 thrashed: 0.3 ms a Step)

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self._pictures: OrderedDict[tuple, tuple[object, float]] = OrderedDict()
        self._text_size = 0.0

    def setRange(self, mn: float, mx: float) -> None:
        if [mn, mx] != list(getattr(self, "range", ())):  # the view re-announces its range on every resize
            super().setRange(mn, mx)

    def _drawn_for(self) -> tuple:
        """Everything generateDrawSpecs reads: the same key draws the same picture."""
        rect = self.mapRectFromParent(self.geometry())
        view = self.linkedView()
        grid = None if view is None or self.grid is False else \
            view.mapRectToItem(self, view.boundingRect()).getRect()
        pen, text = self.pen(), self.textPen()
        style = tuple(sorted((k, v.toString() if hasattr(v, "toString") else repr(v)) for k, v in self.style.items()))
        return (tuple(self.range), rect.getRect(), grid, self.grid, self.scale, self.autoSIPrefixScale, self.logMode,
                (pen.color().rgba(), pen.widthF(), pen.style()), (text.color().rgba(), text.widthF()),
                self.textWidth, self.textHeight, style, self._tickDensity, self._tickLevels is None)

    def _updateMaxTextSize(self, x: int) -> None:
        self._text_size = x  # generateDrawSpecs ends here: a reused picture repeats it
        super()._updateMaxTextSize(x)

    def expect_labels(self, last: int) -> None:
        """Make room now for the label of index ``last``, the widest of 0..last, as drawing the labels
        would: pyqtgraph learns their width in the paint, then lays the plot out and paints it again."""
        if self.orientation in ("left", "right") and self.style["showValues"]:
            super()._updateMaxTextSize(label_width(self.style["tickFont"], str(last)))

    def paint(self, p, opt, widget) -> None:
        if self.picture is None and self._tickLevels is None:
            key = self._drawn_for()
            kept = self._pictures.get(key)
            if kept is not None:
                self._pictures.move_to_end(key)
                super()._updateMaxTextSize(kept[1])  # the room its labels need, as drawing them would say
                self.picture = kept[0]  # after: like drawing, that forgets the picture
            else:
                super().paint(p, opt, widget)
                self._pictures[key] = (self.picture, self._text_size)
                while len(self._pictures) > self.PICTURES_KEPT:
                    self._pictures.popitem(last=False)
                return
        super().paint(p, opt, widget)

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        digits = len(str(int(max(abs(minVal), abs(maxVal)))))
        label = 6 * digits + 12 if self.orientation in ("top", "bottom") else 18  # pixels a label needs
        return readable_levels(super().tickSpacing(minVal, maxVal, size), maxVal - minVal, size, label)


@functools.lru_cache(maxsize=256)
def _label_width(font_key: str, text: str) -> float:
    font = QFont()
    if font_key:
        font.fromString(font_key)
    picture = QPicture()
    painter = QPainter(picture)  # measured as AxisItem.generateDrawSpecs measures a label
    painter.setFont(font)
    width = painter.boundingRect(QRectF(0, 0, 100, 100), Qt.AlignmentFlag.AlignCenter, text).width()
    painter.end()
    return width


def label_width(font: QFont | None, text: str) -> float:
    """The width an axis label ``text`` takes in ``font`` (None: the axis's default)."""
    return _label_width(font.toString() if font else "", text)


def readable_levels(levels: list[tuple[float, float]], span: float, size: float,
                    label: float) -> list[tuple[float, float]]:
    """An axis's tick levels (pyqtgraph's (spacing, offset)) without those whose labels, ``label`` pixels
    each, would run together over ``span`` in ``size`` pixels; whole numbers only (1 at least)."""
    least = max(1.0, span * label / max(size, 1.0))
    return [(spacing, offset) for spacing, offset in levels if spacing >= least] or [(nice_step(least), 0.0)]


def nice_step(least: float) -> float:
    """The smallest 1, 2 or 5 × 10^k that is at least ``least``."""
    power = 10.0 ** np.floor(np.log10(least))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= least)


class FixedHintGraphics(pg.GraphicsLayoutWidget):
    """A heatmap's (or picture's) view with a size hint of its own.  A QGraphicsView's hint is the
    size of its scene, which pyqtgraph keeps the size of the view: the hint was the size the view had
    last, so after the same Step the inspector's heatmaps and stats table settled differently
    depending on what came before (after presenting, the table showed all its rows; before, it scrolled)."""

    def sizeHint(self) -> QSize:
        return QSize(HINT_WIDTH, HINT_HEIGHT)


class HeatmapPanel(QWidget):
    """A titled heatmap of one matrix, row 0 at the top, cell (row, col) centred on (col, row).

    ``plot`` is the pyqtgraph PlotItem (for exporting), ``image`` the ImageItem of
    the values, ``overlay`` an RGBA ImageItem above it that marks cells (NaN/Inf
    in magenta; ``mark_cells`` can mark any others).  A 1×1 matrix is shown as a
    large number instead; ``set_note`` shows a sentence instead of a matrix.
    """

    hovered = Signal(int, int)  # row, col under the mouse; (-1, -1) when outside the matrix
    clicked = Signal(int, int)
    scalar_resized = Signal()  # a 1×1 value's box got a new width: side-by-side values fit again at one size

    def __init__(self, parent: QWidget | None = None, cache: PreparedCache | None = None) -> None:
        super().__init__(parent)
        self.cache = cache if cache is not None else PreparedCache(2)
        self.symbol = ""
        self.matrix: np.ndarray | None = None  # as displayed (transposed operands transposed)
        self.prepared: Prepared | None = None
        self._source: tuple[np.ndarray | None, bool] = (None, False)
        self.compact = False
        self._shape: tuple[int, int] | None = None  # of the heatmap drawn
        self.title_label = QLabel(self)
        self.title_label.setWordWrap(True)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.graphics = FixedHintGraphics(self)
        self.graphics.setBackground("w")
        self.graphics.ci.setContentsMargins(2, 2, 2, 2)
        SettleBeforePaint(self.graphics)  # a Step paints the heatmap once (a child of the view)
        # the hidden top and right axes follow the view too: IndexAxis spares them its SI prefix
        self.plot = self.graphics.addPlot(axisItems={side: IndexAxis(side) for side in ("left", "bottom", "top", "right")})
        for side in ("top", "right"):
            self.plot.hideAxis(side)
        self._build_plot()
        self.note = QLabel(self)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.scalar_label = QLabel(self)
        self.scalar_label.setObjectName("scalarValue")
        self.scalar_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scalar_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scalar_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.scalar: float | None = None  # the 1×1 value shown, None when a heatmap or a note is
        self.scalar_points = SCALAR_POINTS
        self.scalar_fit = SCALAR_POINTS
        self.pages = QStackedLayout()
        self.pages.addWidget(self.graphics)
        self.pages.addWidget(self.note)
        self.pages.addWidget(self.scalar_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        layout.addLayout(self.pages, 1)
        self.graphics.scene().sigMouseMoved.connect(self.mouse_moved)
        self.graphics.scene().sigMouseClicked.connect(self._mouse_clicked)
        self.appearance = looks.connect(self, self.apply_appearance)

    def _build_plot(self) -> None:
        plot = self.plot
        plot.invertY(True)
        plot.setDefaultPadding(0.0)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.getViewBox().setAspectLocked(False)
        plot.getViewBox().disableAutoRange()  # set once per new shape: auto-ranging at every setImage costs
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setAutoDownsample(True)  # average to screen pixels instead of skipping rows (moiré)
        self.overlay = pg.ImageItem(axisOrder="row-major")
        self.overlay.setZValue(10)
        plot.addItem(self.image)
        plot.addItem(self.overlay)
        self.numbers = CellNumbers()
        plot.addItem(self.numbers)
        # the operands' row, column or cell a hovered result cell reads: in the theme's text colour (apply_appearance)
        self.provenance_outline = CellOutline(plot, LIGHT.text, 3.0, 30)
        self.followed_outline = CellOutline(plot, FOLLOWED_COLOR, 2.5, 25)
        self._title = ""
        self._title_fitted: tuple | None = None  # what the title's font was last fitted for (_fit_title)
        plot.getViewBox().sigRangeChanged.connect(lambda *args: self._number_note())
        plot.getViewBox().sigResized.connect(lambda *args: self._number_note())
        self.bar = pg.ColorBarItem(colorMap=HEATMAP_COLORMAP, interactive=False, width=12, colorMapMenu=False)
        self.bar.setImageItem(self.image, insert_in=self.plot)
        self.plot.layout.setColumnFixedWidth(4, BAR_GAP)
        self.bar.axis.setWidth(BAR_AXIS_WIDTH)
        self.bar.axis.enableAutoSIPrefix(False)  # it has no label: the ticks show the values as they are
        # major ticks only: on a 12-pixel bar the minor ones are noise, and laying them out was most of
        # the bar's cost at every Step (0.66 → 0.36 ms a bar)
        self.bar.axis.setStyle(maxTickLevel=0)

    def apply_appearance(self, appearance: Appearance) -> None:
        """The theme's background and axes, its colour map, text and ticks at the appearance's size."""
        self.appearance = appearance
        colors = appearance.colors
        self.graphics.setBackground(colors.plot_background)
        ticks = None
        if appearance.text_scale != 1.0:
            ticks = mono_font(min(appearance.points(9.0), TICK_POINTS_MAX))
        for axis in (self.plot.getAxis("left"), self.plot.getAxis("bottom"), self.bar.axis):
            axis.setPen(colors.plot_foreground)
            axis.setTextPen(colors.plot_foreground)
            axis.setTickFont(ticks)
        self.bar.axis.setWidth(round(BAR_AXIS_WIDTH * max(1.0, (ticks.pointSizeF() / 9.0) if ticks else 1.0)))
        self.colormap_name = appearance.heatmap_colormap
        self.bar.setColorMap(pg.colormap.get(self.colormap_name))
        restyle(self.note, f"color: {colors.text};")
        self.provenance_outline.set_color(colors.text)  # #111 had been invisible on the dark theme's cells
        self._fit_title()
        if getattr(self, "scalar", None) is not None:
            self._show_scalar(self.scalar)

    def _fit_title(self) -> None:
        """The title at its size in this appearance, smaller when it would not fit the panel's width
        (large presentation text would wrap it over the heatmap).

        A heatmap whose numbers are scaled gets the font that fits its title with the note
        '(numbers ×10⁻⁵)', whether the cells show numbers now or not; when even that does not fit
        on one line, the cells show no numbers.  The title's height then never depends on whether
        the numbers fit their cells, which depends on the heatmap's height: the note wrapped the title
        onto a second line, the cells grew too small, the note went, the cells grew back, for ever."""
        room = self.width() - 4
        note = self.numbers.scale_note() if self._may_write_numbers() else ""
        title = self._title if self.matrix is not None else self.title_label.text()
        key = (room, title, note, self.compact, self.appearance)
        if key == getattr(self, "_title_fitted", None):  # asked again at every range change and resize
            return
        self._title_fitted = key
        font, fits = self._title_font(f"{title}  (numbers {note})", room) if note else (None, False)
        if not fits:
            font, _ = self._title_font(title, room)
        self.numbers.set_note_shown(fits or not note)
        if font != self.title_label.font():
            self.title_label.setFont(font)

    def _may_write_numbers(self) -> bool:
        """Whether the cells could show numbers at some height: a small matrix, or a zoomed-in part of a large one."""
        if self.matrix is None:
            return False
        if self.matrix.size <= MAX_LABELLED:
            return True
        rows, cols = self.matrix.shape
        return self.plot.getViewBox().viewRange() != [[-0.5, cols - 0.5], [-0.5, rows - 0.5]]

    def _title_font(self, text: str, room: float) -> tuple[QFont, bool]:
        """The largest title font (down to LEAST_TITLE_POINTS) at which ``text`` fits ``room``, and whether it does."""
        points = self.appearance.points(COMPACT_TITLE_POINTS if self.compact else TITLE_POINTS)
        font = mono_font(points)
        while text and points > LEAST_TITLE_POINTS and room > 0 and \
                QFontMetricsF(font).horizontalAdvance(text) > room:
            points -= 1.0
            font = mono_font(points)
        return font, not text or room <= 0 or QFontMetricsF(font).horizontalAdvance(text) <= room

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.set_compact(self.width() < COMPACT_BELOW)
        self._fit_title()
        if self.scalar is not None:
            self._fit_scalar()
            if event.size().width() != event.oldSize().width():
                self.scalar_resized.emit()

    def set_compact(self, compact: bool) -> None:
        """Without the colour bar (narrow panels: four side by side on a projector)."""
        if compact == self.compact:
            return
        self.compact = compact
        self._fit_title()
        if compact:
            self.plot.layout.removeItem(self.bar)
            self.bar.hide()
        else:
            self.plot.layout.addItem(self.bar, 2, 5)
            self.plot.layout.setColumnFixedWidth(4, BAR_GAP)  # the gap ColorBarItem keeps, lost with the bar
            self.bar.show()

    # -- showing -----------------------------------------------------------------------
    def set_matrix(self, symbol: str, array: np.ndarray, transposed: bool = False, lead: str = "") -> None:
        """Show ``array`` (its transpose when ``transposed``) titled '{lead}{symbol}  rows×cols'.

        ``symbol`` is the name as written, e.g. 'A[1]ᵀ'.  Showing the same array
        again only changes the title: arrays are never modified in place.
        """
        if array.ndim == 1:
            array = array.reshape(-1, 1)
        shown = array.T if transposed else array
        self.symbol = symbol
        self._lead = lead
        self._title = f"{lead}{symbol}  {shape_text(shown.shape)}"
        self.title_label.setText(self._title)
        self._fit_title()
        if self._source[0] is array and self._source[1] == transposed:
            return
        self._source = (array, transposed)
        self.matrix = shown
        self.prepared = self.cache.get(array)
        self.scalar = None
        if shown.size == 1:
            self._show_scalar(float(shown[0, 0]))
        else:
            self._show_heatmap(self.prepared, transposed)

    def _show_heatmap(self, prepared: Prepared, transposed: bool) -> None:
        drawn = prepared.drawn.T if transposed else prepared.drawn
        rows, cols = self.matrix.shape
        peak = prepared.peak
        self.image.setImage(drawn, autoLevels=False, levels=(-peak, peak))
        self.numbers.set_matrix(self.matrix, peak)
        self._number_note()
        self.image.setRect(QRectF(-0.5, -0.5, cols, rows))  # drawn may be block-averaged: stretch it over the cells
        self.bar.setLevels((-peak, peak))
        if prepared.bad is not None:
            self._mark_drawn(prepared.bad.T if transposed else prepared.bad, NONFINITE)
        else:
            self.clear_marks()
        vb = self.plot.getViewBox()
        whole = [[-0.5, cols - 0.5], [-0.5, rows - 0.5]]
        if self._shape != (rows, cols) or vb.viewRange() != whole:  # a new shape, or zoomed in: show it all
            self._shape = (rows, cols)
            self.plot.getAxis("left").expect_labels(rows - 1)
            vb.setRange(xRange=whole[0], yRange=whole[1], padding=0.0)
            # a row vector stays a strip, so 1×209 does not look like a tall matrix
            self.graphics.setMaximumHeight(SHORT_ROW_HEIGHT * (rows + 1) if rows <= SHORT_ROWS else QWIDGETSIZE_MAX)
        self._show_page(self.graphics)

    def number_cells(self) -> list[tuple[int, int, str]]:
        """(row, col, text) of the numbers written in the cells now (none when the cells are too small)."""
        if self.pages.currentWidget() is not self.graphics:
            return []
        return self.numbers.layout()[0]

    def set_numbers_shown(self, on: bool) -> None:
        self.numbers.set_enabled(on)
        self._number_note()

    def _number_note(self) -> None:
        """The title says '(numbers ×10⁻³)' while the cells show their values scaled."""
        if self.matrix is None:
            return
        self._fit_title()  # its font, and whether the note has room: before asking whether numbers fit
        note = self.numbers.scale_note()  # '' for most matrices: then where the numbers fit does not matter
        if note and not self.number_cells():
            note = ""
        text = f"{self._title}  (numbers {note})" if note else self._title
        if text != self.title_label.text():
            self.title_label.setText(text)  # the font fits it with or without the note (_fit_title)

    def outline(self, row: int | None, col: int | None, followed: bool = False) -> None:
        """Outline a row (col None), a column (row None) or a cell of the matrix shown."""
        target = self.followed_outline if followed else self.provenance_outline
        if self.matrix is None or self.matrix.size == 1:
            target.hide()
            return
        target.show(self.matrix.shape, row, col)

    def clear_outline(self, followed: bool = False) -> None:
        (self.followed_outline if followed else self.provenance_outline).hide()

    def _show_scalar(self, value: float) -> None:
        """The value as large as fits: every digit of repr when there is room, fewer (−7.383e−15) when not;
        the tooltip and the stats table keep the exact value.  NaN and ±∞ in the NaN/Inf colour."""
        self.numbers.set_matrix(None, 1.0)
        self.scalar = value
        self.scalar_label.setToolTip(f"{self.symbol} = {value!r}")
        restyle(self.scalar_label, "" if np.isfinite(value) else f"color: {NONFINITE};")
        self._fit_scalar()
        self._show_page(self.scalar_label)

    def set_scalar_points(self, points: float) -> None:
        """The largest size the 1×1 value is printed at (the inspector gives side-by-side scalars one size)."""
        if points != self.scalar_points:
            self.scalar_points = points
            if self.scalar is not None:
                self._fit_scalar()

    def _fit_scalar(self) -> None:
        points = self.appearance.points(self.scalar_points)
        font = mono_font(points)
        metrics = QFontMetrics(font)
        # a digit and a half free: side by side (b[3], db[3], the new b[3]) the values never run together
        room = self.width() - max(SCALAR_MARGIN, round(1.5 * metrics.horizontalAdvance("0")))
        self.scalar_fit = self.scalar_points  # the largest size (before the appearance's scale) that fits
        if room > 0:  # not yet laid out: the resize that follows fits it
            text = fit_number(self.scalar, lambda t: metrics.horizontalAdvance(t) <= room, least=4)
            width = metrics.horizontalAdvance(text)
            if width > room:  # even 4 digits are too wide at this size: a smaller font
                font.setPointSizeF(max(8.0, points * room / width))
                self.scalar_fit = self.scalar_points * font.pointSizeF() / points
        else:
            text = fit_number(self.scalar, lambda t: True)
        self.scalar_label.setFont(font)
        self.scalar_label.setText(text)

    def scalar_text(self) -> str:
        """The 1×1 value as shown ('' when the panel shows no scalar)."""
        return self.scalar_label.text() if self.scalar is not None else ""

    def set_note(self, symbol: str, text: str, lead: str = "") -> None:
        """Show a sentence instead of a matrix (e.g. an update's old value that is not kept)."""
        self.symbol = symbol
        self.matrix = self.prepared = self.scalar = None
        self._source = (None, False)
        self.numbers.set_matrix(None, 1.0)
        self.clear_outline()
        self.clear_outline(followed=True)
        self.title_label.setText(f"{lead}{symbol}")
        self._fit_title()
        self.note.setFont(mono_font(self.appearance.points(11)))
        self.note.setText(text)
        self._show_page(self.note)

    def _show_page(self, page: QWidget) -> None:
        if self.pages.currentWidget() is not page:
            self.pages.setCurrentWidget(page)

    def mark_cells(self, mask: np.ndarray, color: str = NONFINITE) -> None:
        """Paint the cells where ``mask`` (shaped like the shown matrix) is True in ``color``."""
        self._mark_drawn(block_reduce(mask, ufunc=np.logical_or), color)

    def _mark_drawn(self, mask: np.ndarray, color: str) -> None:
        rows, cols = self.matrix.shape
        self.overlay.setImage(mark_mask(mask, color), autoLevels=False, levels=(0, 255))
        self.overlay.setRect(QRectF(-0.5, -0.5, cols, rows))
        self.overlay.show()

    def clear_marks(self) -> None:
        self.overlay.hide()
        self.overlay.clear()

    @property
    def marked(self) -> np.ndarray | None:
        """The overlay's RGBA image (drawn grid, 4 channels), None when nothing is marked."""
        return self.overlay.image if self.overlay.isVisible() and self.overlay.image is not None else None

    def stats(self) -> MatrixStats | None:
        return None if self.prepared is None else self.prepared.stats

    # -- reading cells -------------------------------------------------------------------
    def value_at(self, row: int, col: int) -> str:
        """'A[1]ᵀ[3, 5] = 0.012345678901234' with the full float repr, 0-based as numpy indexes."""
        if self.matrix is None:
            return ""
        return f"{self.symbol}[{row}, {col}] = {float(self.matrix[row, col])!r}"

    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """(row, col) of the cell under a scene position, None outside the matrix."""
        if self.matrix is None or self.matrix.size == 1:
            return None
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        row, col = int(np.floor(p.y() + 0.5)), int(np.floor(p.x() + 0.5))
        rows, cols = self.matrix.shape
        return (row, col) if 0 <= row < rows and 0 <= col < cols else None

    def scene_pos_of(self, row: int, col: int) -> QPointF:
        """The scene position of a cell's centre (what the mouse would report there)."""
        return self.plot.getViewBox().mapViewToScene(QPointF(col, row))

    def mouse_moved(self, scene_pos: QPointF) -> None:
        cell = self.cell_at(scene_pos)
        self.hovered.emit(*(cell or (-1, -1)))

    def _mouse_clicked(self, event) -> None:
        if event.double():  # the wheel zooms in; a double-click shows the whole matrix again
            self.show_whole()
            return
        cell = self.cell_at(event.scenePos())
        if cell is not None:
            self.clicked.emit(*cell)

    def is_zoomed(self) -> bool:
        """Whether the view shows less than the whole matrix (after the wheel or a drag)."""
        if self._shape is None:
            return False
        rows, cols = self._shape
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        eps = 1e-6
        return x0 > -0.5 + eps or x1 < cols - 0.5 - eps or y0 > -0.5 + eps or y1 < rows - 0.5 - eps

    def show_whole(self) -> None:
        """Back to the whole matrix (Reset Zoom / double-click)."""
        if self._shape is not None:
            rows, cols = self._shape
            self.plot.getViewBox().setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0.0)

    def replica(self, size: QSize) -> "HeatmapPanel":
        """A copy of this panel, never shown on screen, laid out at ``size`` (for exporting: a panel that is
        narrow on a projector has no colour bar, its copy at a slide's width has).  Close it after use."""
        copy = HeatmapPanel(None, self.cache)
        copy.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        copy.resize(size)
        array, transposed = self._source
        if array is not None:
            copy.set_matrix(self.symbol, array, transposed, getattr(self, "_lead", ""))
            if self.marked is not None:  # the marked cells too (NaN/Inf, or cells a view marked)
                rows, cols = self.matrix.shape
                copy.overlay.setImage(self.marked, autoLevels=False, levels=(0, 255))
                copy.overlay.setRect(QRectF(-0.5, -0.5, cols, rows))
                copy.overlay.show()
        copy.show()
        copy.layout().activate()
        return copy

    def zoom_menu(self) -> QMenu:
        """The right-click menu of a heatmap: back to the whole matrix."""
        menu = QMenu(self)
        action = menu.addAction("Show Whole Matrix (double-click)")
        action.setObjectName("actionShowWholeMatrix")
        action.setEnabled(self.is_zoomed())
        action.triggered.connect(self.show_whole)
        return menu

    def contextMenuEvent(self, event) -> None:
        if self._shape is None or self.pages.currentWidget() is not self.graphics:
            return
        self.context_menu = self.zoom_menu()
        self.context_menu.popup(event.globalPos())
