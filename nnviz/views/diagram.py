"""The network diagram: layers as columns of neurons, weights as signed lines, the current operation highlighted."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetricsF, QPainter, QPaintEvent, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..engine import Operation, shape_text
from ..session import Session
from ..session.snapshot import SameArrays
from . import appearance as looks
from . import style
from .diagram_edit import DiagramEditor
from .theme import Appearance
from .throttle import RunThrottle

log = logging.getLogger(__name__)

MAX_DRAWN = 10  # at most this many circles a column; a bigger layer: its first units, "⋮", its last two
COMPACT_BELOW = 11.0  # line heights: a shorter widget drops the second label line
MIN_LINES = 9.0  # line heights: the least height (caption, W row, 4 units, one label line)
MIN_SPACING = 0.65  # line heights between circles: a short widget draws fewer of a big layer's units
ELLIPSIS = "⋮"
RUNNING_REDRAW_MS = 0  # while training runs: every snapshot at once (the session sends at most 4 a second)
G_NAMES = {"sigmoid": "σ", "leaky_relu": "leaky relu"}
WIDTH_STEP = 0.1  # px: lines are drawn with widths (and opacities) rounded to this, so an update that
# moves no line by a step keeps the layer's pixmap instead of drawing it again
RUNNING_LINES_S = 1.0  # while training runs, the weights' lines are drawn again at most once a second
ZERO_WEIGHT = "#9a9a9a"  # weights exactly 0 (the "zeros" initialisation), in the light theme
DIAGRAM_TEXT = 0.8  # with large text (presentation): the diagram's share of it, so columns keep room for units
LEAST_POINTS = 10.0  # the diagram's text shrinks to this at least to fit the height it is given
DIMMED = 0.4  # opacity of the other layers' lines while a W[l] is highlighted
REFERENCE_HEIGHT = 18.0  # line height of an 11 pt label at 96 dpi: widths are scaled by font height / this

Pen = tuple[int, int, QColor, float]  # (i in layer l, j in layer l-1, colour, width in px)


def drawn_units(n: int, capacity: int = MAX_DRAWN) -> list[int | None]:
    """The units of an n-unit layer drawn in a column of ``capacity`` places, top to bottom;
    None stands for the ellipsis.  12288 units in 10 places: 0..5, ⋮, 12286, 12287."""
    if n <= capacity:
        return list(range(n))
    tail = 2 if capacity >= 6 else 1
    head = max(1, capacity - 2 - tail)
    return [*range(head), None, *range(n - tail, n)]


def fit_row(metrics: QFontMetricsF, candidates: list[list[str]], width: float) -> list[str]:
    """One text per item of a row: the longest form that fits for every item (so the row reads
    alike), else the shortest forms elided.  ``candidates[k]`` lists item k's forms, longest first."""
    for level in range(max(len(forms) for forms in candidates)):
        texts = [forms[min(level, len(forms) - 1)] for forms in candidates]
        if all(metrics.horizontalAdvance(text) <= width for text in texts):
            return texts
    return [metrics.elidedText(forms[-1], Qt.TextElideMode.ElideRight, width) for forms in candidates]


def op_highlight(op: Operation) -> tuple[set[int], set[int], set[int]]:
    """(columns, weight layers, bias layers) an operation works on: what it reads and writes
    (``Operation.highlight``)."""
    return op.highlight()


PEAK_HERE_CELLS = 1_000_000  # a larger W[l]'s max |w| is only taken from the session's worker (seconds for 4096×12288)


def largest_finite(W: np.ndarray) -> float:
    """max |w| over the finite entries of W (0 when there are none)."""
    finite = np.abs(W[np.isfinite(W)])
    return float(finite.max()) if finite.size else 0.0


def weight_peaks(values: dict[str, np.ndarray], state) -> dict[int, tuple[np.ndarray, float]]:
    """l -> (W[l], max |finite w|): the lines' scale, derived from a session state (any thread)."""
    return {l: (values[f"W{l}"], largest_finite(values[f"W{l}"])) for l in range(1, state.spec.L + 1)
            if f"W{l}" in values}


def over(colour: QColor, background: QColor) -> QColor:
    """The opaque colour a translucent ``colour`` shows over ``background``.  The weights' lines are drawn
    in it: Qt strokes a translucent wide pen's lines as one path, 14× slower than opaque ones (12 ms
    against 0.8 ms for 64 lines), and the widest lines, drawn last, lie on top where lines cross."""
    a = colour.alphaF()
    return QColor.fromRgbF(a * colour.redF() + (1 - a) * background.redF(),
                           a * colour.greenF() + (1 - a) * background.greenF(),
                           a * colour.blueF() + (1 - a) * background.blueF())


@dataclass
class _Fonts:
    label: QFont
    bold: QFont
    caption: QFont
    line: float  # label line height in px
    scale: float  # label line height / REFERENCE_HEIGHT


@dataclass
class _Geometry:
    """Where everything goes for one widget size, network and font."""

    centres: list[dict[int, QPointF]]  # per layer: unit -> centre of its circle
    ellipses: list[QPointF | None]  # per layer: where "⋮" goes
    xs: list[float]
    top: float  # top and bottom of the neuron area
    bottom: float
    radius: float
    caption_y: float
    weight_y: float  # centre line of the W[l] labels
    label_y: float  # top of the layer labels


class DiagramView(QWidget):
    """A[0] … A[L] as columns of circles, W[l] as lines coloured by sign (red > 0, blue < 0)
    and weighted by |w| / max|W[l]|; the operation just performed is haloed in its phase colour."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkDiagram")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.session = session
        self._geometry: _Geometry | None = None
        self._fonts: _Fonts | None = None
        self._pens: dict[int, list[Pen]] = {}
        # (l, background) -> (geometry, W[l], origin, pixmap, pens, when drawn): a layer's lines over the base
        # and over its band in each phase's tint, so a Step that moves the highlight draws none again
        self._line_cache: dict[tuple[int, int], tuple] = {}
        self._pens_made: dict[int, tuple[tuple, list[Pen]]] = {}  # l -> (what W[l]'s pens were made of, the pens)
        self._capacity = MAX_DRAWN
        self._text_room: float | None = None  # px of height the diagram's text must fit (presentation)
        self.appearance = looks.appearance_model().current
        session.network_changed.connect(self._network_changed)
        session.dataset_changed.connect(self._network_changed)
        # the weights' lines are the costliest paint of the window, and a run changes them at every update
        self._throttle = RunThrottle(session, self._redraw, RUNNING_REDRAW_MS, self)
        # max |W[l]| of a 4096×12288 layer takes longer than a frame; again only when a W[l] was replaced
        session.derive("weight_peaks", SameArrays(weight_peaks, lambda state: state.spec))
        session.stepped.connect(self._stepped)
        self._network_changed()
        self.editor = DiagramEditor(self)  # "+"/"−" buttons, layer menus, hover cards, clicks
        looks.connect(self, self.apply_appearance)

    # -- appearance -----------------------------------------------------------------------------
    def apply_appearance(self, appearance: Appearance) -> None:
        """The theme's colours; with large text a font of its own that fits the height given."""
        self.appearance = appearance
        self._line_cache.clear()  # the lines' pixmaps hold the old colours
        self._fit_text()
        self._redraw()

    def set_text_room(self, height: float | None) -> None:
        """With large text, shrink it until the diagram needs at most ``height`` px (None: no limit)."""
        self._text_room = height
        self._fit_text()

    def _fit_text(self) -> None:
        a = self.appearance
        if a.text_points is None:
            if self.testAttribute(Qt.WidgetAttribute.WA_SetFont):
                self.setFont(QFont())  # the window's again
            return
        points = round(DIAGRAM_TEXT * a.text_points)
        self.setFont(_points(self.font(), points))
        while self._text_room and points > LEAST_POINTS and self.minimumSizeHint().height() > self._text_room:
            points -= 1.0
            self.setFont(_points(self.font(), points))

    def colour_of(self, phase: str) -> QColor:
        """The colour ``phase`` is drawn in (the appearance's)."""
        return QColor(self.appearance.colors.phase(phase))

    # -- what is shown (computed apart from painting) ---------------------------------------
    def layer_columns(self) -> list[tuple[int, int, int, str]]:
        """(layer l, number of circles drawn, n[l], label) for l = 0..L."""
        self._check_capacity()
        spec = self.session.spec
        rows = []
        for l, n in enumerate(spec.sizes):
            if l == 0:
                label = f"A[0] · input · {n}"
            else:
                name = spec.activation(l)
                label = f"A[{l}] · {G_NAMES.get(name, name)} · {n}"
            rows.append((l, sum(u is not None for u in drawn_units(n, self._capacity)), n, label))
        return rows

    def sublabel(self, l: int) -> str:
        """The line under column l: the picture shape or X's shape for the input, b[l]'s shape otherwise."""
        return self._sublabel_forms(l)[0]

    def _sublabel_forms(self, l: int) -> list[str]:
        """The sub-label, then a shorter form for a narrow column."""
        dataset = self.session.dataset
        if l == 0 and dataset.is_image:
            picture = "×".join(str(k) for k in dataset.example_shape)
            return [f"{picture} image", picture]
        if l == 0:
            return [f"X {shape_text((dataset.n_x, dataset.m))}", shape_text((dataset.n_x, dataset.m))]
        shape = shape_text((self.session.spec.sizes[l], 1))
        if self.session.spec.normalised(l):  # batch norm: γ[l] and β[l] instead of b[l]
            return [f"γ[{l}], β[{l}] {shape}", shape]
        return [f"b[{l}] {shape}", shape]

    def weight_labels(self) -> list[str]:
        """'W[l] n_l×n_(l-1)' for l = 1..L."""
        spec = self.session.spec
        return [f"W[{l}] {shape_text(spec.weight_shape(l))}" for l in range(1, spec.L + 1)]

    def highlight(self) -> tuple[str, set[int], set[int]]:
        """(phase, highlighted columns, highlighted weight layers) for the operation just performed."""
        record = self.session.record
        if record is None or self.session.running:
            return ("running" if self.session.running else "ready"), set(), set()
        columns, weights, _ = op_highlight(record.op)
        return record.phase, columns, weights

    def _bias_highlight(self) -> set[int]:
        record = self.session.record
        return set() if record is None or self.session.running else op_highlight(record.op)[2]

    def caption(self) -> str:
        """The current equation and the result's shape, e.g. 'dW[2] = dZ[2]·A[1]ᵀ   5×7'."""
        session = self.session
        if session.running:
            return f"Training… iteration {session.shown_iteration}"
        record = session.record
        if record is None:
            return f"Ready · next: {session.next_op.equation}"
        text = f"{record.equation}   {record.shape_text}"
        if record.nonfinite:
            text += f"   ⚠ {record.nonfinite} NaN/Inf"
        return text

    def status(self) -> str:
        """The small line at the top right: phase, layer and iteration."""
        session = self.session
        record = session.record
        where = f"{record.phase} · layer {record.layer} · " if record is not None and not session.running else ""
        return f"{where}iteration {session.shown_iteration}"

    def connection_pens(self, l: int) -> list[Pen]:
        """(i, j, colour, width) of the line from unit j of layer l-1 to unit i of layer l, for drawn units."""
        self._check_capacity()
        return self._pens.get(l, [])

    def _compute_pens(self, l: int) -> list[Pen]:
        W = self.session.values.get(f"W{l}")
        if W is None:
            return []
        peak = self.session.derived.get("weight_peaks") or {}
        if l in peak and peak[l][0] is W:
            top = peak[l][1]
        elif W.size > PEAK_HERE_CELLS:  # not on the window's thread: drawn when the session's derivation arrives
            return []
        else:
            top = largest_finite(W)
        scale = self._ensure_fonts().scale
        made_of = (W, top, self._capacity, scale, self.appearance.colors)
        kept = self._pens_made.get(l)
        if kept is not None and kept[0][0] is W and kept[0][4] is made_of[4] and kept[0][1:4] == made_of[1:4]:
            return kept[1]  # a Step that did not replace W[l] (most of them): the same lines
        rows = [u for u in drawn_units(W.shape[0], self._capacity) if u is not None]
        cols = [u for u in drawn_units(W.shape[1], self._capacity) if u is not None]
        pens = []
        for i in rows:
            for j in cols:
                pens.append((i, j, *self._pen_style(float(W[i, j]), top, scale)))
        self._pens_made[l] = (made_of, pens)
        return pens

    def _pen_style(self, w: float, top: float, scale: float) -> tuple[QColor, float]:
        if not np.isfinite(w):
            return QColor(style.NONFINITE), 3.0 * scale
        r = abs(w) / top if top > 0 else 0.0
        colors = self.appearance.colors
        colour = QColor(colors.positive if w > 0 else colors.negative if w < 0 else colors.zero_weight)
        colour.setAlphaF(0.25 + 0.75 * r)
        return colour, scale * (0.6 + 4.4 * r)

    # -- reacting to the session --------------------------------------------------------------
    def _network_changed(self) -> None:
        log.debug("diagram of %s on %s", self.session.spec, self.session.dataset.name)
        self._geometry = None
        self._pens_made.clear()  # nor keep the old network's arrays alive
        self._line_cache.clear()
        self._stepped()

    def _stepped(self) -> None:
        """Redraw now (while training runs the session sends at most 4 snapshots a second)."""
        self._throttle.request()

    def _redraw(self) -> None:
        self._pens = {l: self._compute_pens(l) for l in range(1, self.session.spec.L + 1)}
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._fonts = None
            self._geometry = None
            self._check_capacity()
            self._stepped()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:
        self._geometry = None
        self._check_capacity()
        super().resizeEvent(event)

    def _check_capacity(self) -> None:
        """Fewer circles of a big layer when the widget got short (also before a hidden widget's resize event)."""
        capacity = self._fit_capacity()
        if capacity != self._capacity:
            self._capacity = capacity
            self._geometry = None
            self._stepped()

    def sizeHint(self) -> QSize:
        return QSize(1400, 260)

    def minimumSizeHint(self) -> QSize:
        fonts = self._ensure_fonts()  # small enough for a 1280×720 window full of docks
        return QSize(int(90 * (self.session.spec.L + 1) * fonts.scale), int(MIN_LINES * fonts.line))

    # -- geometry -----------------------------------------------------------------------------------
    def layout_geometry(self) -> _Geometry:
        """Where the columns, circles and label rows are now (for the editor's buttons and hit tests)."""
        self._check_capacity()
        return self._ensure_geometry()

    def line_height(self) -> float:
        return self._ensure_fonts().line

    def label_boxes(self) -> list[QRectF]:
        """The box of each layer's label under its column, l = 0..L."""
        g, fonts = self.layout_geometry(), self._ensure_fonts()
        width = max(fonts.line, g.xs[1] - g.xs[0] - 0.3 * fonts.line)
        return [QRectF(x - width / 2, g.label_y, width, fonts.line) for x in g.xs]

    def _ensure_fonts(self) -> _Fonts:
        if self._fonts is None:
            base = QFont(self.font())
            size = max(11.0, 1.15 * QFontInfo(base).pointSizeF())
            label = QFont(base)
            label.setPointSizeF(size)
            bold = QFont(label)
            bold.setBold(True)
            caption = QFont(bold)
            caption.setPointSizeF(size * 1.3)
            line = QFontMetricsF(label).height()
            self._fonts = _Fonts(label, bold, caption, line, line / REFERENCE_HEIGHT)
        return self._fonts

    def _ensure_geometry(self) -> _Geometry:
        if self._geometry is None:
            self._geometry = self._layout()
        return self._geometry

    def _rows(self) -> tuple[float, float, float, float]:
        """(caption centre, neuron area top, neuron area bottom, padding) in px from the top."""
        fonts = self._ensure_fonts()
        pad = 0.5 * fonts.line
        caption_h = QFontMetricsF(fonts.caption).height()
        top = pad + caption_h + 1.6 * fonts.line
        labels = (1.2 if self._compact() else 2.2) * fonts.line
        return pad + caption_h / 2, top, max(top + fonts.line, self.height() - pad - labels), pad

    def _compact(self) -> bool:
        """Too short for the second label line (b[l]'s shape, the picture's shape) under the columns."""
        return self.height() < COMPACT_BELOW * self._ensure_fonts().line

    def _fit_capacity(self) -> int:
        _, top, bottom, _ = self._rows()
        return int(min(MAX_DRAWN, max(4, (bottom - top) / (MIN_SPACING * self._ensure_fonts().line))))

    def _layout(self) -> _Geometry:
        fonts = self._ensure_fonts()
        caption_y, top, bottom, _ = self._rows()
        sizes = self.session.spec.sizes
        slots = max(len(drawn_units(n, self._capacity)) for n in sizes)
        spacing = min((bottom - top) / slots, 2.4 * fonts.line)
        radius = max(2.0, min(0.36 * spacing, 0.6 * fonts.line))
        xs = self._column_xs(fonts)
        centres, ellipses = [], []
        for x, n in zip(xs, sizes):
            units = drawn_units(n, self._capacity)
            y0 = (top + bottom) / 2 - spacing * (len(units) - 1) / 2
            centres.append({u: QPointF(x, y0 + k * spacing) for k, u in enumerate(units) if u is not None})
            ellipses.append(QPointF(x, y0 + units.index(None) * spacing) if None in units else None)
        return _Geometry(centres, ellipses, xs, top, bottom, radius, caption_y,
                         top - 0.8 * fonts.line, bottom + 0.4 * fonts.line)

    def _column_xs(self, fonts: _Fonts) -> list[float]:
        metrics = QFontMetricsF(fonts.bold)
        columns = self.layer_columns()
        first = max(metrics.horizontalAdvance(columns[0][3]), metrics.horizontalAdvance(self.sublabel(0)))
        last = max(metrics.horizontalAdvance(columns[-1][3]), metrics.horizontalAdvance(self.sublabel(len(columns) - 1)))
        left = fonts.line + first / 2
        right = max(left + 1, self.width() - fonts.line - last / 2)
        L = len(columns) - 1
        return [left + (right - left) * k / L for k in range(L + 1)]

    # -- painting -------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        self._check_capacity()
        g, fonts = self._ensure_geometry(), self._ensure_fonts()
        if hasattr(self, "editor"):
            g = self.editor.paint_geometry(g)  # sliding to a new network's places
        phase, columns, weights = self.highlight()
        colour = self.colour_of(phase)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        for l in weights:
            self._paint_band(painter, g, l, phase)
        for l in columns:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(self.appearance.colors.tint(phase)))
            painter.drawRoundedRect(self._column_rect(g, l, fonts), 0.8 * fonts.line, 0.8 * fonts.line)
        self._paint_connections(painter, g, weights, phase)
        for l in columns:
            painter.setPen(QPen(colour, 4.0 * fonts.scale))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self._column_rect(g, l, fonts), 0.8 * fonts.line, 0.8 * fonts.line)
        self._paint_neurons(painter, g, fonts, columns, colour)
        self._paint_weight_labels(painter, g, fonts, phase, weights)
        self._paint_layer_labels(painter, g, fonts, columns, colour)
        self._paint_caption(painter, g, fonts, colour)
        if hasattr(self, "editor"):
            self.editor.paint_pulse(painter)
        painter.end()

    def _column_rect(self, g: _Geometry, l: int, fonts: _Fonts) -> QRectF:
        ys = [p.y() for p in g.centres[l].values()]
        half = g.radius + 0.55 * fonts.line
        extra = max(0.0, 1.2 * fonts.line - (max(ys) - min(ys)) / 2 - half)  # a single unit still gets a tall halo
        top = max(min(ys) - half - extra, g.weight_y + 0.5 * fonts.line)  # clear of the labels above and below
        bottom = min(max(ys) + half + extra, g.label_y - 0.2 * fonts.line)
        return QRectF(g.xs[l] - half, top, 2 * half, bottom - top)

    def _paint_band(self, painter: QPainter, g: _Geometry, l: int, phase: str) -> None:
        left, right = g.centres[l - 1].values(), g.centres[l].values()
        r = g.radius
        ys_l, ys_r = [p.y() for p in left], [p.y() for p in right]
        band = QPolygonF([QPointF(g.xs[l - 1], min(ys_l) - r), QPointF(g.xs[l], min(ys_r) - r),
                          QPointF(g.xs[l], max(ys_r) + r), QPointF(g.xs[l - 1], max(ys_l) + r)])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._band_tint(phase))
        painter.drawPolygon(band)

    def _band_tint(self, phase: str) -> QColor:
        tint = self.colour_of(phase)
        tint.setAlphaF(0.2)
        return tint

    def _paint_connections(self, painter: QPainter, g: _Geometry, weights: set[int], phase: str) -> None:
        base = self.palette().base().color()
        band = over(self._band_tint(phase), base)
        for l in self._pens:
            origin, pixmap = self._layer_lines(g, l, band if l in weights else base)
            painter.setOpacity(DIMMED if weights and l not in weights else 1.0)
            painter.drawPixmap(origin, pixmap)
        painter.setOpacity(1.0)

    def _layer_lines(self, g: _Geometry, l: int, background: QColor) -> tuple[QPointF, QPixmap]:
        """W[l]'s lines drawn once into a pixmap over ``background`` (the base, or a highlighted band's
        tint), kept while the geometry, the background and the lines' pens are (the same W[l] -- never
        changed in place -- or one whose lines look the same)."""
        W = self.session.values.get(f"W{l}")
        key = (l, background.rgb())
        cached = self._line_cache.get(key)
        same = cached is not None and cached[0] is g
        if same and cached[1] is W:
            return cached[2], cached[3]
        if same and self.session.running and time.monotonic() - cached[5] < RUNNING_LINES_S:
            return cached[2], cached[3]  # painting holds the GIL the training thread needs: not 4 times a second
        look = [(i, j, colour.rgb(), round(width / WIDTH_STEP)) for i, j, colour, width in self._pens[l]]
        if same and cached[4] == look:
            self._line_cache[key] = (g, W, *cached[2:])
            return cached[2], cached[3]
        pad = g.radius + 0.5 * self._ensure_fonts().line
        origin = QPointF(g.xs[l - 1] - pad, 0.0)
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(int((g.xs[l] - g.xs[l - 1] + 2 * pad) * ratio) + 1, int(self.height() * ratio) + 1)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(-origin)
        pen = QPen()
        # flat ends, hidden under the circles drawn over them: round caps made the lines 2–3× slower to draw
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        right, left = g.centres[l], g.centres[l - 1]
        alike: dict[tuple[int, int], tuple[QColor, list[QLineF]]] = {}  # one call per pen; the widest on top
        for (i, j, colour, _), (*_, rgb, steps) in zip(self._pens[l], look):
            alike.setdefault((steps, rgb), (colour, []))[1].append(QLineF(left[j], right[i]))
        for (steps, _), (colour, lines) in sorted(alike.items(), key=lambda item: item[0]):
            pen.setColor(over(colour, background))
            pen.setWidthF(steps * WIDTH_STEP)
            painter.setPen(pen)
            painter.drawLines(lines)
        painter.end()
        self._line_cache[key] = (g, W, origin, pixmap, look, time.monotonic())
        return origin, pixmap

    def _paint_neurons(self, painter: QPainter, g: _Geometry, fonts: _Fonts, columns: set[int], colour: QColor) -> None:
        text = self.palette().text().color()
        calm = QColor(text)
        calm.setAlphaF(0.55)
        fill = self.palette().base().color()
        for l, points in enumerate(g.centres):
            edge = colour if l in columns else calm
            painter.setPen(QPen(edge, (2.4 if l in columns else 1.4) * fonts.scale))
            painter.setBrush(fill)
            for centre in points.values():
                painter.drawEllipse(centre, g.radius, g.radius)
            if g.ellipses[l] is not None:
                painter.setPen(edge)
                painter.setFont(fonts.bold)
                box = QRectF(g.xs[l] - fonts.line, g.ellipses[l].y() - fonts.line / 2, 2 * fonts.line, fonts.line)
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, ELLIPSIS)

    def _paint_weight_labels(self, painter: QPainter, g: _Geometry, fonts: _Fonts, phase: str, weights: set[int]) -> None:
        colour = self.colour_of(phase)
        metrics = QFontMetricsF(fonts.bold)
        room = g.xs[1] - g.xs[0] - 0.5 * fonts.line
        texts = fit_row(metrics, [[text, text.split(" ")[-1]] for text in self.weight_labels()], room)
        for l, text in enumerate(texts, start=1):  # '20×12288' where W[1]'s place is narrow
            centre = QPointF((g.xs[l - 1] + g.xs[l]) / 2, g.weight_y)
            half = metrics.horizontalAdvance(text) / 2 + 0.4 * fonts.line
            box = QRectF(centre.x() - half, centre.y() - fonts.line / 2, 2 * half, fonts.line)
            if l in weights:
                if phase in ("forward", "backward"):
                    self._paint_arrow(painter, g, l, box, colour, fonts, phase == "forward")
                painter.setPen(colour)
                painter.setFont(fonts.bold)
            else:
                painter.setPen(self.palette().text().color())
                painter.setFont(fonts.label)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_arrow(self, painter: QPainter, g: _Geometry, l: int, label: QRectF, colour: QColor,
                     fonts: _Fonts, rightwards: bool) -> None:
        """A thick arrow along the W[l] label row, broken by the label: ——— W[2] 5×7 ——▶ (or ◀——)."""
        y, head = label.center().y(), 0.55 * fonts.line
        start, end = g.xs[l - 1] + 1.5 * g.radius, g.xs[l] - 1.5 * g.radius
        if not rightwards:
            start, end = end, start
        direction = 1.0 if rightwards else -1.0
        near, far = (label.left(), label.right()) if rightwards else (label.right(), label.left())
        painter.setPen(QPen(colour, 3.0 * fonts.scale, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        for a, b in ((start, near), (far, end - direction * head)):
            if (b - a) * direction > 0:  # no shaft where the label fills the gap
                painter.drawLine(QPointF(a, y), QPointF(b, y))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        tip = QPointF(end, y)
        back = end - direction * head
        painter.drawPolygon(QPolygonF([tip, QPointF(back, y - head / 2), QPointF(back, y + head / 2)]))
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_layer_labels(self, painter: QPainter, g: _Geometry, fonts: _Fonts, columns: set[int],
                            colour: QColor) -> None:
        text = self.palette().text().color()
        muted = QColor(text)
        muted.setAlphaF(0.65)
        biases = self._bias_highlight()
        width = max(fonts.line, g.xs[1] - g.xs[0] - 0.3 * fonts.line)
        metrics = QFontMetricsF(fonts.bold)
        columns_shown = self.layer_columns()
        labels = fit_row(metrics, [[label, f"A[{l}] · {n}", str(n)] for l, _, n, label in columns_shown], width)
        subs = [fit_row(metrics, [self._sublabel_forms(l)], width)[0] for l, *_ in columns_shown]  # each on its own: '64×64×3' need not shorten 'b[1] 7×1'
        for (l, *_), label, sub in zip(columns_shown, labels, subs):
            box = QRectF(g.xs[l] - width / 2, g.label_y, width, fonts.line)
            painter.setFont(fonts.bold)
            painter.setPen(colour if l in columns else text)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
            if self._compact():
                continue
            painter.setFont(fonts.bold if l in biases else fonts.label)
            painter.setPen(colour if l in biases else muted)
            painter.drawText(box.translated(0, fonts.line), Qt.AlignmentFlag.AlignCenter, sub)

    def _paint_caption(self, painter: QPainter, g: _Geometry, fonts: _Fonts, colour: QColor) -> None:
        pad = 0.5 * fonts.line
        height = QFontMetricsF(fonts.caption).height()
        box = QRectF(pad, g.caption_y - height / 2, self.width() - 2 * pad, height)
        caption, status = self.caption(), self.status()
        room = box.width() - QFontMetricsF(fonts.caption).horizontalAdvance(caption) - fonts.line
        if QFontMetricsF(fonts.label).horizontalAdvance(status) <= room:  # the caption comes first
            painter.setFont(fonts.label)
            painter.setPen(self.palette().text().color())
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, status)
        painter.setFont(fonts.caption)
        painter.setPen(colour)
        caption = QFontMetricsF(fonts.caption).elidedText(caption, Qt.TextElideMode.ElideRight, box.width())
        painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, caption)


def _points(font: QFont, points: float) -> QFont:
    font = QFont(font)
    font.setPointSizeF(points)
    return font
