"""Training health over the run: log10 α‖dW[l]‖/‖W[l]‖ with the 1e-3 band, dead and saturated
shares, and a scrubbable strip of histograms of A[l] or dW[l] over the iterations."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..engine.health import HEALTHY_RATIO, HealthLog
from ..engine.plan import symbol
from . import appearance as looks
from .settle import SettleBeforePaint
from .style import layer_color
from .theme import Appearance

BAND = (math.log10(HEALTHY_RATIO) - 0.5, math.log10(HEALTHY_RATIO) + 0.5)  # ~1e-3: 3e-4 … 3e-3
STRIP_BINS = 64
TITLE_POINTS = 9
LEFT_AXIS_WIDTH = 40  # px: room for '-3', '100' and '1.5' beside each plot
# the plots go side by side when the graphics are lower than this (each stacked plot would get less
# than 40 px of curve under its title) and at least this wide (250 px a plot)
STACKED_HEIGHT, SIDE_BY_SIDE_WIDTH = 210, 750


class HealthView(QWidget):
    """Three plots over the iterations of ``log`` (set with ``set_log``; redrawn by ``refresh``).

    Public: ``ratio_plot``, ``share_plot``, ``strip_plot``, ``strip_image``, ``strip_choice``
    ("healthStripChoice"), ``note_label``, ``ratio_curves``, ``share_curves``; ``scrub_requested``
    is emitted with an iteration when the strip is clicked.
    """

    scrub_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("health")
        self.log: HealthLog | None = None
        self.note_label = QLabel("")
        self.note_label.setObjectName("healthNote")
        self.note_label.setWordWrap(True)
        self.strip_choice = QComboBox()
        self.strip_choice.setObjectName("healthStripChoice")
        self.strip_choice.currentIndexChanged.connect(lambda _: self.refresh())
        self.graphics = pg.GraphicsLayoutWidget()
        SettleBeforePaint(self.graphics)  # one paint for the strip's changes (a child of the view)
        self._titles: dict[pg.PlotItem, str] = {}
        self.ratio_plot = self._plot("log10 α‖dW[l]‖/‖W[l]‖ — the band: about 1e-3", row=0)
        self.band = pg.LinearRegionItem(values=BAND, orientation="horizontal", movable=False,
                                        brush=pg.mkBrush(40, 160, 70, 40), pen=pg.mkPen(None))
        self.ratio_plot.addItem(self.band)
        self.ratio_plot.addItem(pg.InfiniteLine(pos=math.log10(HEALTHY_RATIO), angle=0,
                                                pen=pg.mkPen("#2a8a3e", style=Qt.PenStyle.DashLine)))
        self.share_plot = self._plot("% of units dead (ReLU, solid) or saturated (dotted)", row=1)
        self.share_plot.setYRange(0, 100)
        self.strip_plot = self._plot("histogram over time", row=2)
        self.strip_image = pg.ImageItem(axisOrder="row-major")
        self.strip_image.setColorMap(pg.colormap.get("viridis"))
        self.strip_plot.addItem(self.strip_image)
        self.strip_plot.scene().sigMouseClicked.connect(self._clicked)
        # one iteration axis, under the strip: the plots above follow its range and give their
        # tick labels' row to their curves (each had been 17 px tall in a 290 px dock, now 43)
        for plot in (self.ratio_plot, self.share_plot):
            plot.setXLink(self.strip_plot)
        for plot in self._titles:
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)  # the three plots' left edges line up
        self.side_by_side: bool | None = None
        self._arrange(side_by_side=False)
        self.ratio_curves: list[pg.PlotDataItem] = []
        self.share_curves: list[pg.PlotDataItem] = []
        top = QHBoxLayout()
        top.addWidget(self.note_label, 1)
        top.addWidget(QLabel("strip:"))
        top.addWidget(self.strip_choice)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)
        self.appearance = looks.connect(self, self.apply_appearance)

    def _arrange(self, side_by_side: bool) -> None:
        """The plots one above the other, sharing the strip's iteration axis; or, in a dock too low for
        three (a projector's 720 lines left them 10 px of curve each), side by side with an axis each."""
        if side_by_side == self.side_by_side:
            return
        self.side_by_side = side_by_side
        grid = self.graphics.ci
        plots = (self.ratio_plot, self.share_plot, self.strip_plot)
        for plot in plots:
            grid.removeItem(plot)
        for i, plot in enumerate(plots):
            grid.addItem(plot, row=0 if side_by_side else i, col=i if side_by_side else 0)
        self._show_axes()
        # stacked, the strip's row also holds the iteration axis and its label; side by side, one row
        rows, columns = ((1, 0, 0), (1, 1, 1)) if side_by_side else ((2, 2, 3), (1, 0, 0))
        for i in range(3):
            grid.layout.setRowStretchFactor(i, rows[i])
            grid.layout.setColumnStretchFactor(i, columns[i])

    def _show_axes(self) -> None:
        """Stacked, only the strip's iteration axis has values and a label; side by side, each plot's."""
        for plot in (self.ratio_plot, self.share_plot):
            axis = plot.getAxis("bottom")
            axis.setStyle(showValues=bool(self.side_by_side))
            axis.showLabel(bool(self.side_by_side))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        room = self.graphics.height()
        self._arrange(side_by_side=room < STACKED_HEIGHT and self.graphics.width() >= SIDE_BY_SIDE_WIDTH)

    def _plot(self, title: str, row: int) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0)
        self._titles[plot] = title
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        return plot

    def _set_title(self, plot: pg.PlotItem, title: str) -> None:
        self._titles[plot] = title
        plot.setTitle(title, color=self.appearance.colors.plot_foreground, size=f"{TITLE_POINTS}pt")
        font = QFont(self.font())
        font.setPointSizeF(TITLE_POINTS)
        height = QFontMetrics(font).height() + 4  # PlotItem's 30 px title row, for a 9 pt line, was a third of a plot
        plot.layout.setRowFixedHeight(0, height)
        plot.titleLabel.setMaximumHeight(height)

    def apply_appearance(self, appearance: Appearance) -> None:
        """The theme's plot background, axes and titles; the note in its colours."""
        self.appearance = appearance
        colors = appearance.colors
        self.graphics.setBackground(colors.plot_background)
        self.strip_plot.setLabel("bottom", "iteration (click: go there)", color=colors.plot_foreground)
        for plot in (self.ratio_plot, self.share_plot):
            plot.setLabel("bottom", "iteration", color=colors.plot_foreground)
        self._show_axes()
        for plot, title in self._titles.items():
            self._set_title(plot, title)
            for side in ("left", "bottom"):
                plot.getAxis(side).setPen(colors.plot_foreground)
                plot.getAxis(side).setTextPen(colors.plot_foreground)
        if self.log is not None:
            self.note_label.setText(self._note())

    def set_log(self, log: HealthLog) -> None:
        """A new network: new curves, one colour per layer as everywhere else."""
        self.log = log
        self.ratio_plot.clear()
        self.ratio_plot.addItem(self.band)
        self.ratio_plot.addItem(pg.InfiniteLine(pos=math.log10(HEALTHY_RATIO), angle=0,
                                                pen=pg.mkPen("#2a8a3e", style=Qt.PenStyle.DashLine)))
        self.share_plot.clear()
        L = log.spec.L
        self.ratio_curves = [self.ratio_plot.plot(pen=pg.mkPen(layer_color(l), width=2), name=f"layer {l}")
                             for l in range(1, L + 1)]
        self.share_curves = []
        for l in range(1, L + 1):
            act = log.spec.activation(l)
            style = Qt.PenStyle.SolidLine if act in ("relu",) else Qt.PenStyle.DotLine
            self.share_curves.append(self.share_plot.plot(pen=pg.mkPen(layer_color(l), width=2, style=style)))
        self.strip_choice.blockSignals(True)
        self.strip_choice.clear()
        for key in log.keys:
            self.strip_choice.addItem(symbol(key), key)
        self.strip_choice.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        log = self.log
        if log is None:
            return
        rows = log.rows()  # taken whole: the worker may be recording
        n = len(rows)
        x = np.array(rows.iterations, dtype=float)
        ratios, dead, saturated = rows.ratios, rows.dead, rows.saturated
        for l, curve in enumerate(self.ratio_curves):
            curve.setData(x, ratios[:, l] if n else [], connect="finite")
        for l, curve in enumerate(self.share_curves):
            share = dead[:, l] if n and not np.isnan(dead[:, l]).all() else saturated[:, l] if n else []
            curve.setData(x, share, connect="finite")
        key = self.strip_choice.currentData()
        if key and n:
            times, picked = rows.columns()
            image, edges = rows.strip(key, STRIP_BINS, picked)
            # rows of the image are value bins (low at the bottom), columns an even time axis; the
            # square root of each bin's share, so the tails show beside the peak
            self.strip_image.setImage(np.sqrt(image.T), autoLevels=True)
            low, high = float(edges[0]), float(edges[-1])
            step = (times[-1] - times[0]) / max(1, len(times) - 1) or 1.0
            self.strip_image.setRect(QRectF(times[0] - step / 2, low, step * len(times), high - low))
            self._set_title(self.strip_plot, f"histogram of {symbol(key)} over the iterations (√ of each bin's share)")
        else:
            self.strip_image.clear()
        self.note_label.setText(self._note())

    def _note(self) -> str:
        from ..engine.health import first_cost_note

        log = self.log
        note = first_cost_note(log.spec, log.first_cost) if log else None
        if note:
            return f"<span style='color:{self.appearance.colors.verdict('suspicious')}'>⚠ {note}</span>"
        if log and log.first_cost is not None:
            return f"first cost {log.first_cost:.4g}: about what guessing costs, as it should be"
        return "band: α‖dW‖/‖W‖ ≈ 1e-3 is healthy; solid: dead ReLUs, dotted: saturated units"

    def _clicked(self, event) -> None:
        vb = self.strip_plot.getViewBox()
        recorded = self.log.rows().iterations if self.log is not None else []
        if not recorded or not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        iteration = int(round(vb.mapSceneToView(event.scenePos()).x()))
        if recorded[0] <= iteration <= recorded[-1]:
            self.scrub_requested.emit(iteration)
