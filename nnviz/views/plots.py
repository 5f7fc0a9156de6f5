"""The training plots: cost J and ‖dW[l]‖ per completed iteration, live while training, exact values on hover."""
from __future__ import annotations

import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from ..engine.history import History
from ..session import Session
from .style import PHASE_COLORS, PLOT_BACKGROUND, PLOT_FOREGROUND, layer_color

log = logging.getLogger(__name__)

TITLE_SIZE = "11pt"
TICK_POINTS = 10  # readable from the back of a lecture room
HOVER_FILL = (255, 255, 255, 230)
HOVER_GAP = 12  # pixels between the mouse and the hover box
LEGEND_COLUMNS, LEGEND_ROW_HEIGHT = 6, 22  # legend entries per row; pixels per row
# peak downsampling from one point per pixel on (it draws min and max of each bucket);
# pyqtgraph's default of 5 would draw every point of a 5,000-iteration run
DOWNSAMPLE_FACTOR = 1.0


def loggable(values: np.ndarray) -> np.ndarray:
    """A copy of ``values`` with zeros, negatives, NaN and ±Inf as NaN: a gap on a log axis, never a crash."""
    shown = np.array(values, dtype=float)
    shown[~(np.isfinite(shown) & (shown > 0))] = np.nan
    return shown


def exact(value: float) -> str:
    """The shortest text that reads back as the same float64 (repr), e.g. '0.6931471805599453'."""
    return repr(float(value))


def _make_plot(name: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background=PLOT_BACKGROUND)
    plot.setObjectName(name)
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
    return plot


def _curve(plot: pg.PlotWidget, color: str) -> pg.PlotDataItem:
    """A line that stays fast with many points: peak downsampling, clipped to the visible range."""
    curve = plot.plot(pen=pg.mkPen(color, width=2), connect="finite", autoDownsampleFactor=DOWNSAMPLE_FACTOR)
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    return curve


class _Hover:
    """A vertical line, markers on the curves and a text box at the iteration under the mouse."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.plot = plot
        self.shown = ""  # the text on show, '' when hidden
        self.line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888888", style=Qt.PenStyle.DashLine))
        self.markers = pg.PlotDataItem(pen=None, symbol="o", symbolSize=8, symbolPen=pg.mkPen("w"))
        self.text = pg.TextItem(anchor=(0, 0), fill=pg.mkBrush(*HOVER_FILL), border=pg.mkPen("#999999"))
        for item in (self.line, self.markers, self.text):
            item.setZValue(20)
            plot.addItem(item, ignoreBounds=True)
        self.hide()

    def hide(self) -> None:
        for item in (self.line, self.markers, self.text):
            item.setVisible(False)
        self.shown = ""

    def show(self, at: QPointF, iteration: int, lines: list[tuple[str, str]], ys: list[float]) -> None:
        self.line.setValue(iteration)
        finite = [(y, color) for (_, color), y in zip(lines[1:], ys) if np.isfinite(y)]
        self.markers.setData([iteration] * len(finite), [y for y, _ in finite],
                             symbolBrush=[pg.mkBrush(color) for _, color in finite])
        html = "<br>".join(f'<span style="color:{color}">{text}</span>' for text, color in lines)
        self.text.setHtml(f'<div style="font-family:monospace; font-size:10pt">{html}</div>')
        view = self.plot.getPlotItem().vb
        (x0, x1), (y0, y1) = view.viewRange()
        left, below = at.x() > (x0 + x1) / 2, at.y() > (y0 + y1) / 2
        self.text.setAnchor((1 if left else 0, 0 if below else 1))
        px, py = view.viewPixelSize()
        gap = HOVER_GAP
        self.text.setPos(at.x() + (-gap if left else gap) * px, at.y() + (-gap if below else gap) * py)
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
        self._drawn: tuple[History | None, int] = (None, -1)
        self.cost_plot = _make_plot("costPlot", "cost J")
        self.cost_curve = _curve(self.cost_plot, PHASE_COLORS["cost"])
        self.grad_plot = _make_plot("gradientNormPlot", "‖dW[l]‖ (log scale)")
        self.grad_plot.setLogMode(y=True)
        # the legend is the gradient plot's title row, so it never hides the curves
        self.legend = pg.LegendItem(labelTextColor=PLOT_FOREGROUND, horSpacing=16)
        grad_item = self.grad_plot.getPlotItem()
        grad_item.layout.removeItem(grad_item.titleLabel)
        grad_item.titleLabel.setVisible(False)
        self.legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        grad_item.layout.addItem(self.legend, 0, 1, Qt.AlignmentFlag.AlignCenter)
        self.grad_curves: list[pg.PlotDataItem] = []
        self._hovers = {id(p): _Hover(p) for p in (self.cost_plot, self.grad_plot)}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(4)
        for plot in (self.cost_plot, self.grad_plot):
            layout.addWidget(plot)
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self.mouse_moved(p, pos))
            plot.viewport().installEventFilter(self)
        session.network_changed.connect(self._rebuild_curves)
        session.history_changed.connect(self.refresh)
        self._rebuild_curves()

    def sizeHint(self) -> QSize:
        return QSize(1200, 260)

    def minimumSizeHint(self) -> QSize:
        return QSize(400, 160)

    # -- drawing ---------------------------------------------------------------------
    def _rebuild_curves(self) -> None:
        """One ‖dW[l]‖ curve and legend entry per layer of the (new) network."""
        for curve in self.grad_curves:
            self.grad_plot.removeItem(curve)
        self.legend.clear()
        self.grad_curves = [_curve(self.grad_plot, layer_color(l).name()) for l in range(1, self.session.spec.L + 1)]
        for l, curve in enumerate(self.grad_curves, start=1):
            self.legend.addItem(curve, f"‖dW[{l}]‖")
        self.legend.setColumnCount(min(len(self.grad_curves), LEGEND_COLUMNS))
        rows = -(-len(self.grad_curves) // LEGEND_COLUMNS)
        self.grad_plot.getPlotItem().layout.setRowFixedHeight(0, LEGEND_ROW_HEIGHT * rows + 6)
        self._drawn = (None, -1)
        self.refresh()

    def refresh(self) -> None:
        """Give the curves the history's arrays if its length changed since the last redraw."""
        history = self.session.history
        n = len(history)
        drawn, drawn_n = self._drawn
        if history is drawn and n == drawn_n:
            return
        if history is not drawn or n < drawn_n:
            self.hide_hover()
        x = history.iterations
        self.cost_curve.setData(x, history.costs)
        norms = history.grad_norms
        for l, curve in enumerate(self.grad_curves):
            curve.setData(x, loggable(norms[:, l]))
        self._drawn = (history, n)
        self.redraws += 1
        self._show_title(history)

    def _show_title(self, history: History) -> None:
        n = len(history)
        if n == 0:
            text = "cost J (plotted after each completed iteration)"
        else:
            text = f"cost J = {exact(history.costs[-1])} at iteration {n - 1}"
        self.cost_plot.setTitle(text, size=TITLE_SIZE, color=PLOT_FOREGROUND)

    # -- hovering --------------------------------------------------------------------
    def _hover_lines(self, plot: pg.PlotWidget, iteration: int) -> list[tuple[str, str]]:
        """(text, colour) lines for ``iteration``: the heading, then J or ‖dW[l]‖ per layer."""
        history = self.session.history
        lines = [(f"iteration {iteration}", PLOT_FOREGROUND)]
        if plot is self.cost_plot:
            return lines + [(f"J = {exact(history.costs[iteration])}", PHASE_COLORS["cost"])]
        norms = history.grad_norms[iteration]
        return lines + [(f"‖dW[{l}]‖ = {exact(norms[l - 1])}", layer_color(l).name())
                        for l in range(1, len(norms) + 1)]

    def hover_text(self, plot: pg.PlotWidget, iteration: int) -> str:
        """What hovering over ``iteration`` of ``plot`` shows (clamped to the iterations there are); '' when empty."""
        n = len(self.session.history)
        if n == 0:
            return ""
        iteration = min(max(int(iteration), 0), n - 1)
        return "\n".join(text for text, _ in self._hover_lines(plot, iteration))

    def point_count(self) -> int:
        """Iterations the curves hold (``cost_curve.getData()`` gives what is drawn: fewer once downsampled)."""
        x = self.cost_curve.xData
        return 0 if x is None else len(x)

    def shown_hover_text(self, plot: pg.PlotWidget) -> str:
        """The text of the hover box on ``plot`` as shown now ('' when hidden)."""
        return self._hovers[id(plot)].shown

    def mouse_moved(self, plot: pg.PlotWidget, scene_pos: QPointF) -> None:
        """Show the exact values at the iteration nearest the mouse (scene coordinates of ``plot``)."""
        hover = self._hovers[id(plot)]
        view = plot.getPlotItem().vb
        n = len(self.session.history)
        if n == 0 or not view.sceneBoundingRect().contains(scene_pos):
            hover.hide()
            return
        at = view.mapSceneToView(scene_pos)
        iteration = min(max(int(round(at.x())), 0), n - 1)
        lines = self._hover_lines(plot, iteration)
        history = self.session.history
        if plot is self.cost_plot:
            ys = [float(history.costs[iteration])]
        else:
            ys = list(loggable(history.grad_norms[iteration]))  # the log plot's items take raw values
        hover.show(at, iteration, lines, ys)

    def hide_hover(self) -> None:
        for hover in self._hovers.values():
            hover.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self.hide_hover()
        return super().eventFilter(watched, event)
