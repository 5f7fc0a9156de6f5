"""The training plots: cost J and ‖dW[l]‖ per completed iteration, live while training, exact values on hover."""
from __future__ import annotations

import logging
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ..engine.history import NO_ROWS, History, Rows
from ..engine.numbers import number_text
from ..session import Session
from . import appearance as looks
from .heatmap import nice_step, readable_levels
from .peaks import PeakSeries
from .settle import SettleBeforePaint
from .style import PLOT_BACKGROUND, PLOT_FOREGROUND, layer_color, text_colour
from .theme import Appearance

log = logging.getLogger(__name__)

TITLE_POINTS = (11, 10, 9, 8)  # the title's font size: the first that fits
TITLE_MARGIN = 40  # pixels of the plot's width, beside the left axis, the title cannot use (margins)
TICK_POINTS = 10  # readable from the back of a lecture room
LOG_LABEL_PIXELS = 30  # at most one log-axis label per this many pixels
HOVER_FILL = (255, 255, 255, 230)
HOVER_GAP = 12  # pixels between the mouse and the hover box
HOVER_DARKER = 130  # the layer colours a little darker as text on white (yellow and cyan are faint)
HOVER_LINE_PIXELS = 17  # height of a line of the hover box
LEGEND_COLUMNS = 6  # legend entries per row at most
LEGEND_SHARE = 0.2  # the legend may take this share of the plot's height above it, or the title names the curves
LEGEND_POINTS, LEGEND_SAMPLE_PIXELS = 9, 46  # label size; the line sample and spacing beside each label
CURVE_WIDTH = 2.0  # px, times the appearance's line scale
AXIS_SHARE = 0.85  # with large text (presentation): ticks and axis labels this share of it
LEGEND_POINTS_MAX = 14.0
FEW_POINTS, DOT_SIZE = 2, 7  # histories this short are drawn as dots (px)
EMPTY_ITERATIONS = 10  # the x range of an empty plot
LONG_HISTORY_ROWS = 100_000  # a new history this long is drawn in an event of its own (refresh)
# a live plot's ranges grow in steps, so its axes (whose ticks pyqtgraph lays out again at every
# change of range, a third of a redraw) stay as they are for most updates while training runs:
STEADY_CEILINGS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # × 10^k: the last iteration's room
STEADY_TICKS = 6  # the value range is widened to whole steps of about a sixth of it
STEADY_PADDING = 0.03  # of the range, either side: the curves' end points and lines are never cut


def loggable(values: np.ndarray) -> np.ndarray:
    """A copy of ``values`` with zeros, negatives, NaN and ±Inf as NaN: a gap on a log axis, never a crash."""
    shown = np.array(values, dtype=float)
    shown[~(np.isfinite(shown) & (shown > 0))] = np.nan
    return shown


def exact(value: float) -> str:
    """The shortest text that reads back as the same float64 (repr), e.g. '0.6931471805599453';
    NaN and ±∞ as the inspector writes them."""
    value = float(value)
    return repr(value) if math.isfinite(value) else number_text(value)


def steady_ceiling(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 and 8 × 10^k that is at least ``value`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in STEADY_CEILINGS if m * power >= value * (1 - 1e-12))


def steady_span(lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] widened outward to whole multiples of a 1, 2 or 5 × 10^k step of about a sixth of it
    (a single value gets a tenth of itself either side)."""
    span = hi - lo if hi > lo else (abs(hi) * 0.2 or 1.0)
    step = float(nice_step(span / STEADY_TICKS))
    below, above = math.floor(lo / step) * step, math.ceil(hi / step) * step
    return (below - step, above + step) if below == above else (below, above)


class SteadyRange:
    """A live plot's range: its data's corners widened to steady ranges (``steady_ceiling`` for the
    iterations, ``steady_span`` for the values, in decades on a log axis), set only when the data
    outgrows them -- pyqtgraph's auto-range would move the axes at every update, twice (its curves'
    pixel padding depends on the range it sets).  It follows the data until the user zooms or pans
    the plot, and again after ``follow()``."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.view = plot.getPlotItem().vb
        self.view.disableAutoRange()
        self.following = True
        self.corners: tuple[float, float, float, float] | None = None
        self._seen = 0  # values already scanned, and their finite (log: positive) min and max
        self._extremes: tuple[float, float] | None = None
        self.view.sigRangeChangedManually.connect(self._moved_by_user)

    def _moved_by_user(self, *_) -> None:
        self.following = False

    def follow(self) -> None:
        """Follow the data again (a new history): the next ``fit`` sets the range whatever it was."""
        self.following, self.corners = True, None
        self._seen, self._extremes = 0, None

    def fit(self, last_x: float, values: np.ndarray, log: bool) -> None:
        """The range for iterations 0..``last_x`` and ``values`` (NaN, ±Inf and, on a log axis, values
        ≤ 0 are left out; with none left, 0..10 × 0..1).  ``values`` grows at its end between calls
        (a history: only what is new is scanned) until ``follow()``."""
        if len(values) < self._seen:
            self._seen, self._extremes = 0, None
        new = values[self._seen:]
        self._seen = len(values)
        lo, hi = (float(new.min()), float(new.max())) if new.size else (math.nan, math.nan)
        if not (math.isfinite(lo) and math.isfinite(hi) and (lo > 0 or not log)):
            # NaN, ±Inf or (log) values ≤ 0 among them: left out (a reopened million rows took 30 ms this way)
            shown = new[np.isfinite(new) & (new > 0)] if log else new[np.isfinite(new)]
            lo, hi = (float(shown.min()), float(shown.max())) if shown.size else (math.nan, math.nan)
        if math.isfinite(lo):
            if self._extremes is not None:
                lo, hi = min(lo, self._extremes[0]), max(hi, self._extremes[1])
            self._extremes = (lo, hi)
        x1 = steady_ceiling(max(float(EMPTY_ITERATIONS), last_x))
        if self._extremes is None:
            y0, y1 = (0.0, 1.0)
        elif log:
            y0, y1 = steady_span(math.log10(self._extremes[0]), math.log10(self._extremes[1]))
        else:
            y0, y1 = steady_span(*self._extremes)
        corners = (0.0, x1, y0, y1)
        if not self.following or corners == self.corners:
            return
        self.corners = corners
        self.view.setRange(xRange=(0.0, x1), yRange=(y0, y1), padding=STEADY_PADDING)


class _IterationAxis(pg.AxisItem):
    """Iterations: ticks spaced so that their labels never run together, whatever the text size
    (presentation) and the plot's width (three plots side by side on a projector)."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        font = self.style.get("tickFont") or self.font()
        digits = len(str(int(max(abs(minVal), abs(maxVal), 1))))
        label = QFontMetricsF(font).horizontalAdvance("0" * (digits + 1))  # a label and a digit's gap
        return readable_levels(super().tickSpacing(minVal, maxVal, size), maxVal - minVal, size, label)


class _LogAxis(pg.AxisItem):
    """A log axis that labels only as many ticks as fit: 1, 2 and 5 first, then 1 and 3, then the decades.

    (Within one decade pyqtgraph labels every tick 0.02 … 0.09, a column of digits.)
    """

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        strings = super().logTickStrings(values, scale, spacing)
        room = max(2, int(self.geometry().height() // LOG_LABEL_PIXELS))
        digits = [int(round(10 ** (v - math.floor(v + 1e-9)))) for v in values]
        for keep in ({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 5}, {1, 3}, {1}):
            if sum(d in keep for d in digits) <= room:
                break
        return [text if d in keep else "" for text, d in zip(strings, digits)]


def title_points(font: QFont, text: str, room: float, appearance: Appearance) -> float:
    """The first of TITLE_POINTS (in the appearance's scale) at which ``text`` fits ``room`` pixels; the smallest if none."""
    font = QFont(font)
    for points in TITLE_POINTS:
        font.setPointSizeF(appearance.points(points))
        if QFontMetrics(font).horizontalAdvance(text) <= room:
            break
    return font.pointSizeF()


def title_room(plot: pg.PlotWidget) -> float:
    """The width a plot's title may take: beside its left axis, less the margins."""
    return plot.width() - plot.getPlotItem().getAxis("left").width() - TITLE_MARGIN


def style_legend(legend: pg.LegendItem, colour: str, size: str | None = None) -> None:
    """A legend's entries in ``colour`` (and ``size``, e.g. '11pt'): pyqtgraph applies them to an
    entry only when its text is set again."""
    legend.setLabelTextColor(colour)
    if size is not None:
        legend.setLabelTextSize(size)
    for _, label in legend.items:
        label.setText(label.text)


def style_plot(plot: pg.PlotWidget, colors, points: float | None = None) -> None:
    """A plot's background, left and bottom axes in ``colors`` (an appearance's colours); with
    ``points``, the tick and label text at that size."""
    plot.setBackground(colors.plot_background)
    item = plot.getPlotItem()
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen(colors.plot_foreground))
        axis.setTextPen(pg.mkPen(colors.plot_foreground))
        if points is None:
            axis.setLabel(axis.labelText, axis.labelUnits, color=colors.plot_foreground)
            continue
        axis.setTickFont(QFont(axis.font().family(), round(points)))
        axis.setLabel(axis.labelText, axis.labelUnits,
                      **{"color": colors.plot_foreground, "font-size": f"{points:.1f}pt"})


def _make_plot(name: str, y_label: str, log_y: bool = False) -> pg.PlotWidget:
    axes = {"bottom": _IterationAxis(orientation="bottom")}
    if log_y:
        axes["left"] = _LogAxis(orientation="left")
    plot = pg.PlotWidget(background=PLOT_BACKGROUND, axisItems=axes)
    plot.setObjectName(name)
    SettleBeforePaint(plot)  # a Run update paints the plot once (a child of the plot)
    item = plot.getPlotItem()
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen(PLOT_FOREGROUND))
        axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
        axis.setTickFont(QFont(axis.font().family(), TICK_POINTS))
        axis.enableAutoSIPrefix(False)  # J on the axis as it is, not "(x0.001)" with ticks 640…690
    item.setLabel("bottom", "iteration", color=PLOT_FOREGROUND)
    item.setLabel("left", y_label, color=PLOT_FOREGROUND)
    item.setMenuEnabled(False)  # the right-click menu's transforms would hide what the notes plot
    item.hideButtons()
    # an empty right axis keeps room for the last tick label of the bottom axis (else cut in half)
    item.showAxis("right")
    right = item.getAxis("right")
    right.setStyle(showValues=False, tickLength=0)
    right.setPen(pg.mkPen(None))
    right.setWidth(18)
    return plot


def draw_peaks(curve: pg.PlotDataItem, peaks: PeakSeries, view: pg.ViewBox, **style) -> None:
    """Give ``curve`` the points of ``peaks`` it shows in ``view``: the iterations visible, or all of them
    while the view ranges itself over its items, a few points per pixel."""
    if view.autoRangeEnabled()[0]:
        first, last = 0.0, peaks.last_x
    else:
        (first, last), _ = view.viewRange()
    curve.setData(*peaks.points(first, last, max(int(view.width()), 100)), **style)


def _curve(plot: pg.PlotWidget, color: str) -> pg.PlotDataItem:
    """A line of a series that grows (its points come from a PeakSeries: a few per pixel, however long)."""
    return plot.plot(pen=pg.mkPen(color, width=2), connect="finite")


class _Hover:
    """A vertical line, markers on the curves and a text box at the iteration under the mouse."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.plot = plot
        self.shown = ""  # the text on show, '' when hidden
        self.line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888888", style=Qt.PenStyle.DashLine))
        self.markers = pg.PlotDataItem(pen=None, symbol="o", symbolSize=8, symbolPen=pg.mkPen("w"))
        self.text = pg.TextItem(anchor=(0, 0), fill=pg.mkBrush(*HOVER_FILL), border=pg.mkPen("#999999"))
        self.points = 10.0  # of the box's text
        for item in (self.line, self.markers, self.text):
            item.setZValue(20)
            plot.addItem(item, ignoreBounds=True)
        self.hide()

    def hide(self) -> None:
        for item in (self.line, self.markers, self.text):
            item.setVisible(False)
        self.shown = ""

    def _place(self, at: QPointF) -> QPointF:
        """Where the box's top-left corner goes (view coordinates): beside the mouse, inside the plot."""
        view = self.plot.getPlotItem().vb
        (x0, x1), (y0, y1) = view.viewRange()
        px, py = view.viewPixelSize()
        box = self.text.boundingRect()
        width, height = box.width() * px, box.height() * py
        gap_x, gap_y = HOVER_GAP * px, HOVER_GAP * py
        x = at.x() + gap_x if at.x() + gap_x + width <= x1 else at.x() - gap_x - width
        y = at.y() - gap_y if at.y() - gap_y - height >= y0 else at.y() + gap_y + height  # y grows upwards
        return QPointF(min(max(x, x0), x1 - width), min(max(y, y0 + height), y1))

    def _html(self, lines: list[tuple[str, str]]) -> str:
        """The heading, then the values in as many columns as the plot's height needs."""
        fits = max(1, int(self.plot.getPlotItem().vb.height() // HOVER_LINE_PIXELS) - 2)
        values = lines[1:]
        rows = min(len(values), fits) or 1
        cells = ["<br>".join(f'<span style="color:{color}">{text}</span>' for text, color in values[i:i + rows])
                 for i in range(0, len(values), rows)]
        table = "".join(f'<td style="padding-right:12px">{cell}</td>' for cell in cells)
        return (f'<div style="font-family:monospace; font-size:{self.points:.1f}pt; color:{lines[0][1]}">{lines[0][0]}'
                f'<table cellspacing="0"><tr>{table}</tr></table></div>')

    def show(self, at: QPointF, iteration: int, lines: list[tuple[str, str]], ys: list[float]) -> None:
        self.line.setValue(iteration)
        finite = [(y, color) for (_, color), y in zip(lines[1:], ys) if np.isfinite(y)]
        self.markers.setData([iteration] * len(finite), [y for y, _ in finite],
                             symbolBrush=[pg.mkBrush(color) for _, color in finite])
        self.text.setHtml(self._html(lines))
        self.text.setPos(self._place(at))
        for item in (self.line, self.markers, self.text):
            item.setVisible(True)
        self.shown = "\n".join(text for text, _ in lines)


class PlotsView(QWidget):
    """J (left) and ‖dW[l]‖ on a log axis (right) against the iteration, from ``session.history``.

    Redraws only when the number of points changed (or the history was replaced or
    cut back), so a run's ≤20 Hz ``history_changed`` costs one setData per curve.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPlots")
        self.session = session
        self.redraws = 0  # how often the curves were given new data
        self.cost_log = False  # the cost on a log axis (View ▸ Cost on a Log Scale)
        self._drawn: tuple[History | None, Rows] = (None, NO_ROWS)  # the history and its rows drawn
        self._few: bool | None = None  # whether the curves are drawn as dots (few points)
        self.cost_plot = _make_plot("costPlot", "cost J")
        self.appearance = looks.appearance_model().current
        self.cost_curve = _curve(self.cost_plot, self.appearance.colors.phase("cost"))
        self.cost_peaks = PeakSeries()
        self.grad_peaks: list[PeakSeries] = []
        self._refreshing = False
        self.grad_plot = _make_plot("gradientNormPlot", "‖dW[l]‖ (log scale)", log_y=True)
        self.grad_plot.setLogMode(y=True)
        # the legend sits in the gradient plot's (empty) title row, so it never hides the curves
        self.legend = pg.LegendItem(labelTextColor=PLOT_FOREGROUND, labelTextSize=f"{LEGEND_POINTS}pt", horSpacing=8)
        self.legend.layout.setContentsMargins(2, 0, 2, 0)  # without a frame above the plot, the style's 9 px are waste
        self.grad_plot.setTitle("")
        self.grad_curves: list[pg.PlotDataItem] = []
        self._hovers = {id(p): _Hover(p) for p in (self.cost_plot, self.grad_plot)}
        self._steady = {id(p): SteadyRange(p) for p in (self.cost_plot, self.grad_plot)}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(4)
        for plot in (self.cost_plot, self.grad_plot):
            layout.addWidget(plot)
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self.mouse_moved(p, pos))
            plot.viewport().installEventFilter(self)
            view = plot.getPlotItem().vb  # zoomed, panned or resized: the points for what is visible now
            view.sigXRangeChanged.connect(lambda *_, p=plot: self._draw_points(p))
            view.sigResized.connect(lambda *_, p=plot: self._draw_points(p))
        self._long_draw = QTimer(self)
        self._long_draw.setSingleShot(True)
        self._long_draw.timeout.connect(lambda: self.refresh(now=True))
        session.network_changed.connect(self._rebuild_curves)
        session.history_changed.connect(self.refresh)
        self._rebuild_curves()
        looks.connect(self, self.apply_appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        """Backgrounds, axes, curves, legend, title and hover box in the appearance's colours and sizes."""
        self.appearance = appearance
        colors = appearance.colors
        big = appearance.text_points is not None
        axis_points = AXIS_SHARE * appearance.text_points if big else TICK_POINTS
        for plot in (self.cost_plot, self.grad_plot):
            style_plot(plot, colors, axis_points)
        for hover in self._hovers.values():
            hover.text.fill = pg.mkBrush(*colors.hover_fill)
            hover.points = min(appearance.points(10.0), LEGEND_POINTS_MAX)
        self._style_curves()
        self._drawn = (None, NO_ROWS)
        self.refresh()
        self._show_title()

    def _style_curves(self) -> None:
        a = self.appearance
        self.cost_curve.setPen(pg.mkPen(a.colors.phase("cost"), width=a.line_width(CURVE_WIDTH)))
        for l, curve in enumerate(self.grad_curves, start=1):
            curve.setPen(pg.mkPen(layer_color(l), width=a.line_width(CURVE_WIDTH)))
        style_legend(self.legend, a.colors.plot_foreground, f"{self._legend_points():.1f}pt")
        self.legend.updateSize()
        self._fit_legend()

    def _legend_points(self) -> float:
        return min(self.appearance.points(LEGEND_POINTS), LEGEND_POINTS_MAX)

    def curve_colors(self) -> list[str]:
        """The colours of J's curve, then of each ‖dW[l]‖ curve, as drawn now."""
        return [c.opts["pen"].color().name() for c in [self.cost_curve, *self.grad_curves]]

    def sizeHint(self) -> QSize:
        return QSize(1200, 260)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 120)

    # -- drawing ---------------------------------------------------------------------
    def _rebuild_curves(self) -> None:
        """One ‖dW[l]‖ curve and legend entry per layer of the (new) network."""
        for curve in self.grad_curves:
            self.grad_plot.removeItem(curve)
        self.legend.clear()
        self.grad_curves = [_curve(self.grad_plot, layer_color(l).name()) for l in range(1, self.session.spec.L + 1)]
        self.grad_peaks = [PeakSeries(loggable) for _ in self.grad_curves]
        for l, curve in enumerate(self.grad_curves, start=1):
            self.legend.addItem(curve, f"‖dW[{l}]‖")
        self._style_curves()
        self._drawn = (None, NO_ROWS)
        self._few = None  # the new curves have no dots yet
        self.refresh()

    def _fit_legend(self) -> None:
        """The legend in the title row, as many entries per row as the width holds; in a plot too small
        for that, the curves' names in their colours as the title (a legend inside the plot hid its
        curves there, and was cut off at the plot's left edge)."""
        layers, item = len(self.grad_curves), self.grad_plot.getPlotItem()
        font = QFont(self.font())
        font.setPointSizeF(self._legend_points())
        entry = LEGEND_SAMPLE_PIXELS + QFontMetrics(font).horizontalAdvance(f"‖dW[{layers}]‖")
        columns = max(1, min(layers, LEGEND_COLUMNS, int(self.grad_plot.width() - TITLE_MARGIN) // entry))
        self.legend.setColumnCount(columns)
        self.legend.updateSize()
        title_row = math.ceil(self.legend.geometry().height()) + 4  # the entries' rows and the layout's margins
        self.legend.setParentItem(item)
        if title_row <= LEGEND_SHARE * self.grad_plot.height():
            item.setTitle("")
            self.legend.anchor(itemPos=(0.5, 0), parentPos=(0.5, 0), offset=(0, 2))
            self.legend.setBrush(None)
            self.legend.setPen(None)
            self.legend.show()
            item.layout.setRowFixedHeight(0, title_row)
            return
        self.legend.hide()
        names = [f"‖dW[{l}]‖" for l in range(1, layers + 1)]
        font.setPointSizeF(title_points(self.font(), "  ".join(names), title_room(self.grad_plot), self.appearance))
        colours = [text_colour(c, self.appearance.colors.plot_background) for c in self.curve_colors()[1:]]
        item.setTitle("&nbsp;&nbsp;".join(f"<span style='color: {c}'>{n}</span>" for n, c in zip(names, colours)),
                      size=f"{font.pointSizeF():.1f}pt")
        height = self._title_row_height()  # as high as the cost plot's: their curves line up
        item.layout.setRowFixedHeight(0, height)
        item.titleLabel.setMaximumHeight(height)

    def _title_row_height(self) -> int:
        """The title row's height for this appearance (the largest title's line, PlotItem's 30 px at least)."""
        font = QFont(self.font())
        font.setPointSizeF(self.appearance.points(TITLE_POINTS[0]))
        return max(30, QFontMetrics(font).height() + 8)

    def legend_shown(self) -> str:
        """Where the gradient plot names its curves: 'legend' (above the plot) or 'title' (coloured names)."""
        return "legend" if self.legend.isVisible() else "title"

    def refresh(self, now: bool = False) -> None:
        """Give the curves the history's arrays if its rows changed since the last redraw.  A new
        history of more than LONG_HISTORY_ROWS rows (a session reopened) is drawn in an event of its
        own (``now``): folding a million rows takes 45 ms, which came on top of every other view's."""
        history = self.session.history
        drawn, drawn_rows = self._drawn
        if not now and history is not drawn and len(history) > LONG_HISTORY_ROWS:
            self._long_draw.start(0)
            return
        rows = history.rows()  # the worker may append while we read: one consistent set of rows
        n = len(rows.costs)
        if history is drawn and n == len(drawn_rows.costs) and rows.generation == drawn_rows.generation:
            return
        if history is not drawn or (rows.generation == drawn_rows.generation
                                    and n < len(drawn_rows.costs)):  # new, or cut back
            self.hide_hover()
            self._reset_ranges(n)
        few = 0 < n <= FEW_POINTS  # one or two points make no visible line: draw them as dots
        changed, self._few = few != self._few, few
        source = (history, rows.generation)  # thinned rows are new rows: the peaks are folded again
        self.cost_peaks.update(rows.costs, source, rows.numbered)
        for l, peaks in enumerate(self.grad_peaks):
            peaks.update(rows.grad_norms[:, l], source, rows.numbered)
        self._drawn = (history, rows)
        self._refreshing = True  # the ranges first: the points are those of the range the plots show
        try:
            for plot in (self.cost_plot, self.grad_plot):
                self._fit(plot, rows)
        finally:
            self._refreshing = False
        self._draw_points(self.cost_plot, self._dots(few, self.appearance.colors.phase("cost")) if changed else {})
        self._draw_points(self.grad_plot, [self._dots(few, layer_color(l + 1).name()) if changed else {}
                                           for l in range(len(self.grad_curves))])
        self.redraws += 1
        self._show_title()

    def _fit(self, plot: pg.PlotWidget, rows: Rows) -> None:
        """``plot``'s steady range for the kept ``rows`` of a history (SteadyRange.fit)."""
        if plot is self.cost_plot:
            self._steady[id(plot)].fit(rows.last_iteration, rows.costs, self.cost_log)
        else:
            self._steady[id(plot)].fit(rows.last_iteration, rows.grad_norms.reshape(-1), True)

    def _draw_points(self, plot: pg.PlotWidget, dots: dict | list[dict] | None = None) -> None:
        """Give ``plot``'s curves the points of the iterations it shows (a few per pixel); ``dots``:
        their symbols when those change (one dict per curve of the gradient plot)."""
        if self._refreshing:
            return
        pairs = [(self.cost_curve, self.cost_peaks)] if plot is self.cost_plot else \
            list(zip(self.grad_curves, self.grad_peaks))
        styles = dots if isinstance(dots, list) else [dots or {}] * len(pairs)
        for (curve, peaks), style in zip(pairs, styles):
            draw_peaks(curve, peaks, plot.getPlotItem().vb, **style)

    def set_cost_log(self, on: bool) -> None:
        """The cost J on a log axis (a slow late decrease shows), or linear as the notes plot it."""
        if on == self.cost_log:
            return
        self.cost_log = on
        self.cost_peaks = PeakSeries(loggable if on else None)
        item = self.cost_plot.getPlotItem()
        item.setLogMode(y=on)
        item.setLabel("left", "cost J (log scale)" if on else "cost J", color=PLOT_FOREGROUND)
        self._drawn = (None, NO_ROWS)
        self._steady[id(self.cost_plot)].follow()
        self.refresh()

    def add_plot(self, widget: QWidget, index: int) -> None:
        """Another plot in the row (the accuracy beside the cost)."""
        self.layout().insertWidget(index, widget)

    @staticmethod
    def _dots(few: bool, color: str) -> dict:
        if not few:
            return {"symbol": None}
        return {"symbol": "o", "symbolSize": DOT_SIZE, "symbolBrush": pg.mkBrush(color), "symbolPen": pg.mkPen(color)}

    def _reset_ranges(self, n: int) -> None:
        """A new history (Reset, new data, a session) or one cut back: the axes follow the data again,
        instead of keeping the previous run's range (cost 0..2e+302); empty plots show iterations 0..10."""
        for plot in (self.cost_plot, self.grad_plot):
            self._steady[id(plot)].follow()

    def _shown(self) -> Rows:
        """The rows of the history the curves show now (none before the first redraw)."""
        return self._drawn[1]

    def _show_title(self) -> None:
        """J at full precision; with its iteration and the word "cost" when the plot is wide enough."""
        rows = self._shown()
        if not len(rows.costs):
            choices = ["cost J (plotted after each completed iteration)", "cost J"]
        else:
            value, last = f"J = {exact(rows.costs[-1])}", rows.last_iteration
            choices = [f"cost {value} at iteration {last}", f"{value} (iteration {last})", value]
        room = title_room(self.cost_plot)
        for points in TITLE_POINTS:  # a smaller font before fewer digits
            points = self.appearance.points(points)
            font = QFont(self.font())
            font.setPointSizeF(points)
            fits = [text for text in choices if QFontMetrics(font).horizontalAdvance(text) <= room]
            if fits:
                break
        item = self.cost_plot.getPlotItem()
        item.setTitle(fits[0] if fits else choices[-1], size=f"{points:.1f}pt",
                      color=self.appearance.colors.plot_foreground)
        height = self._title_row_height()
        item.layout.setRowFixedHeight(0, height)
        item.titleLabel.setMaximumHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_title()
        self._fit_legend()

    # -- hovering --------------------------------------------------------------------
    def _values(self, plot: pg.PlotWidget, row: int) -> list[tuple[str, float, str]]:
        """(name, value, colour) of what ``plot`` shows at ``row`` of the drawn rows: J, or ‖dW[l]‖ per layer."""
        rows = self._shown()
        if plot is self.cost_plot:
            return [("J", float(rows.costs[row]), self.appearance.colors.phase("cost"))]
        norms = rows.grad_norms[row]
        return [(f"‖dW[{l}]‖", float(norms[l - 1]), layer_color(l).darker(HOVER_DARKER).name())
                for l in range(1, len(norms) + 1)]

    def _hover_lines(self, plot: pg.PlotWidget, row: int) -> list[tuple[str, str]]:
        """(text, colour) lines for ``row``: the heading (its iteration), then each value exactly."""
        values = self._values(plot, row)
        heading = f"iteration {int(self._shown().iterations[row])}"
        return [(heading, self.appearance.colors.plot_foreground)] + [(f"{name} = {exact(v)}", c) for name, v, c in values]

    def hover_text(self, plot: pg.PlotWidget, iteration: float) -> str:
        """What hovering over ``iteration`` of ``plot`` shows: the kept iteration nearest it; '' when empty."""
        rows = self._shown()
        if not len(rows.costs):
            return ""
        return "\n".join(text for text, _ in self._hover_lines(plot, rows.row_of(iteration)))

    def point_count(self) -> int:
        """Rows the curves show: the iterations drawn (a long run's curves hold a few points per pixel of them)."""
        return len(self._shown().costs)

    def shown_hover_text(self, plot: pg.PlotWidget) -> str:
        """The text of the hover box on ``plot`` as shown now ('' when hidden)."""
        return self._hovers[id(plot)].shown

    def mouse_moved(self, plot: pg.PlotWidget, scene_pos: QPointF) -> None:
        """Show the exact values at the iteration nearest the mouse (scene coordinates of ``plot``)."""
        hover = self._hovers[id(plot)]
        view = plot.getPlotItem().vb
        rows = self._shown()
        if not len(rows.costs) or not view.sceneBoundingRect().contains(scene_pos):
            hover.hide()
            return
        at = view.mapSceneToView(scene_pos)
        row = rows.row_of(at.x())
        iteration = int(rows.iterations[row])
        ys = [value for _, value, _ in self._values(plot, row)]
        if plot is self.grad_plot or (plot is self.cost_plot and self.cost_log):
            ys = list(loggable(np.array(ys)))  # markers on the log plot: raw values, none where there is no log
        hover.show(at, iteration, self._hover_lines(plot, row), ys)

    def hide_hover(self) -> None:
        for hover in self._hovers.values():
            hover.hide()

    def follow_again(self, plot: pg.PlotWidget) -> None:
        """After a zoom or pan: ``plot`` shows its whole history again and follows the run (a double-click)."""
        self._steady[id(plot)].follow()
        self._fit(plot, self._shown())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self.hide_hover()
        elif event.type() == QEvent.Type.MouseButtonDblClick:
            plot = next((p for p in (self.cost_plot, self.grad_plot) if p.viewport() is watched), None)
            if plot is not None:
                self.follow_again(plot)
                return True
        return super().eventFilter(watched, event)
