"""The data preview: example pictures with their classes, 2-D points over the network's decision boundary, or a table."""
from __future__ import annotations

import logging
import math
from html import escape
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView, QLabel, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..data import Dataset
from ..engine import predict, shape_text
from ..session import Session
from . import appearance as looks
from .plots import style_plot
from .settle import SettleBeforePaint
from .style import CLASS_COLORS, PLOT_BACKGROUND, PLOT_FOREGROUND
from .theme import LIGHT, Appearance, Theme

FOLLOWED_COLOR = "#00a86b"  # the example being followed (the heatmaps outline its column in the same green)
RIGHT_COLOR, WRONG_COLOR = "#1e8a3a", "#c0392b"  # a picture the network classifies right / wrong

log = logging.getLogger(__name__)

THUMBNAILS = 16  # pictures shown: the first columns of X
CAPTION_HEIGHT, TILE_GAP = 16, 6  # pixels
LEAST_PICTURE = 40  # px: a smaller picture is hidden by its verdict badge, so fewer pictures are drawn instead
GRID = 80  # the decision boundary is A[L] on GRID×GRID points covering the data
BOUNDARY_INTERVAL = 0.1  # seconds: at most 10 boundary recomputations per second
MAX_POINTS = 5000  # points drawn in the scatter (the first columns of X)
TABLE_ROWS, TABLE_COLUMNS = 12, 8


def class_indices(dataset: Dataset) -> np.ndarray | None:
    """The class of each example (m,) int: Y > 0.5 for one 0/1 row, argmax for one-hot; None for regression."""
    if dataset.task == "binary":
        return (dataset.Y[0] > 0.5).astype(int)
    if dataset.task == "multiclass":
        return dataset.Y.argmax(axis=0)
    return None


def class_name(dataset: Dataset, k: int) -> str:
    return dataset.class_names[k] if k < len(dataset.class_names) else str(k)


def class_color(k: int) -> QColor:
    """Class k's colour: distinct for the first len(CLASS_COLORS) classes, then hues spread by the golden angle."""
    if k < len(CLASS_COLORS):
        return QColor(CLASS_COLORS[k])
    return QColor.fromHsv(int((k * 137.508) % 360), 200, 200)


def picture_strip(X: np.ndarray, shape: tuple[int, int, int], count: int) -> np.ndarray:
    """The first ``count`` columns of X (n_x, m) as (h, w, c) pictures side by side: (h, count·w, 3) uint8.

    Values in [0, 1] are shown as they are; anything beyond is rescaled to its own range.
    """
    h, w, c = shape
    pics = np.nan_to_num(X[:, :count].T.reshape(count, h, w, c))
    lo, hi = min(0.0, float(pics.min(initial=0.0))), max(1.0, float(pics.max(initial=1.0)))
    pics = (pics - lo) / (hi - lo)
    pics = pics[..., :3] if c >= 3 else np.repeat(pics[..., :1], 3, axis=-1)
    strip = pics.transpose(1, 0, 2, 3).reshape(h, count * w, 3)
    return np.ascontiguousarray(np.clip(strip * 255 + 0.5, 0, 255).astype(np.uint8))


class _Mosaic(QWidget):
    """Pictures with a caption under each, laid out to be as large as the widget allows; a click picks one."""

    picked = Signal(int)  # the index of the picture clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewPictures")
        self.strip = QImage()
        self.tile = QSize()
        self.captions: list[tuple[str, QColor]] = []
        self.selected: int | None = None  # framed in FOLLOWED_COLOR
        self.verdicts: list[tuple[bool, str]] = []  # per picture: (classified right?, 'P(sun) 0.87')
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_verdicts(self, verdicts: list[tuple[bool, str]]) -> None:
        self.verdicts = verdicts
        self.update()

    def tile_rect(self, i: int) -> QRectF:
        """Where picture i is drawn (or would be: i may be past the pictures drawn)."""
        _, columns, _, size = self.layout_grid()
        return self._place(i, columns, size)

    def _place(self, i: int, columns: int, size: float) -> QRectF:
        """Picture i's rectangle in a grid of ``columns`` pictures ``size`` px wide (its caption goes under it)."""
        w, h = size, size * self.tile.height() / max(1, self.tile.width())
        cell_w, cell_h = self.width() / columns, h + CAPTION_HEIGHT + TILE_GAP
        left, top = (i % columns) * cell_w, (i // columns) * cell_h
        return QRectF(left + (cell_w - w) / 2, top, w, h)

    def picture_at(self, pos: QPointF) -> int | None:
        shown, columns, _, size = self.layout_grid()
        return next((i for i in range(shown)
                     if self._place(i, columns, size).adjusted(0, 0, 0, CAPTION_HEIGHT).contains(pos)), None)

    def _paint_verdict(self, painter: QPainter, target: QRectF, right: bool, probability: str) -> None:
        """A green or red frame, and a badge '✓ 0.87' in the picture's top-left corner."""
        colour = QColor(RIGHT_COLOR if right else WRONG_COLOR)
        painter.setPen(QPen(colour, 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target.adjusted(1.5, 1.5, -1.5, -1.5))
        text = f"{'✓' if right else '✗'} {probability}"
        metrics = painter.fontMetrics()
        badge = QRectF(target.left() + 3, target.top() + 3, metrics.horizontalAdvance(text) + 8, metrics.height() + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(badge, 3, 3)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        i = self.picture_at(event.position())
        if i is not None:
            self.picked.emit(i)
        super().mousePressEvent(event)

    def set_pictures(self, strip: np.ndarray, width: int, captions: list[tuple[str, QColor]]) -> None:
        h, total = strip.shape[:2]
        self.strip = QImage(strip.data, total, h, 3 * total, QImage.Format.Format_RGB888).copy()
        self.tile = QSize(width, h)
        self.captions = captions
        self.update()

    def count(self) -> int:
        return len(self.captions)

    def shown(self) -> int:
        """How many of the pictures are drawn: all, unless they would be smaller than LEAST_PICTURE."""
        return self.layout_grid()[0]

    def layout_grid(self) -> tuple[int, int, int, float]:
        """(pictures drawn, columns, rows, picture size in pixels): the first pictures, as many as fit at
        LEAST_PICTURE or more (at least one), laid out to be largest with whole captions."""
        aspect = self.tile.height() / max(1, self.tile.width())
        caption = max(self.fontMetrics().horizontalAdvance(text) for text, _ in self.captions) if self.captions else 0
        for n in range(max(1, self.count()), 0, -1):
            columns, rows, size = self._grid(n, aspect, caption)
            if size >= LEAST_PICTURE or n == 1:
                return n, columns, rows, size
        return 1, 1, 1, 0.0

    def _grid(self, n: int, aspect: float, caption: float) -> tuple[int, int, float]:
        """(columns, rows, picture size) that makes ``n`` pictures of height/width ``aspect`` largest
        with whole captions ``caption`` px wide."""
        best = (1, 1, 0.0)
        for columns in range(1, n + 1):
            rows = math.ceil(n / columns)
            if columns > 1 and self.width() / columns < caption + TILE_GAP:
                break
            size = min(self.width() / columns - TILE_GAP,
                       ((self.height() / rows) - CAPTION_HEIGHT - TILE_GAP) / aspect)
            if size > best[2]:
                best = (columns, rows, size)
        return best

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.captions:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        shown, columns, _, size = self.layout_grid()
        cell_w = self.width() / columns
        for i, (caption, color) in enumerate(self.captions[:shown]):
            source = QRectF(i * self.tile.width(), 0, self.tile.width(), self.tile.height())
            target = self._place(i, columns, size)
            painter.drawImage(target, self.strip, source)
            if i < len(self.verdicts):
                self._paint_verdict(painter, target, *self.verdicts[i])
            if i == self.selected:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(QColor(FOLLOWED_COLOR), 5))
                painter.drawRect(target.adjusted(-3, -3, 3, 3))
            painter.setPen(color)
            text = painter.fontMetrics().elidedText(caption, Qt.TextElideMode.ElideRight, int(cell_w))
            painter.drawText(QRectF((i % columns) * cell_w, target.bottom(), cell_w, CAPTION_HEIGHT),
                             Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


def _boundary_lookup(theme: Theme = LIGHT) -> np.ndarray:
    """256 colours: class 0 blue → undecided (white, or the dark background) → class 1 orange
    (faint, so the points stay visible)."""
    low, high = theme.boundary
    cmap = pg.ColorMap([0.0, 0.5, 1.0], [QColor(low), QColor(theme.boundary_middle), QColor(high)])
    return cmap.getLookupTable(0.0, 1.0, 256)


class DataPreviewView(QWidget):
    """What the examples look like: pictures (image data), points over the decision boundary (n_x = 2), or numbers.

    The boundary is the network's A[L] on a GRID×GRID grid; it is recomputed when the
    parameters change (arrays are never modified in place, so identity says so), at
    most 10 times a second, by the session where it makes a state (``derived["boundary"]``:
    the worker while training), so a 4096-unit layer does not stall the window.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataPreview")
        self.session = session
        self.mode = ""
        self.boundary_updates = 0
        self._ringed: int | None = None  # the followed example's point, ringed in the scatter
        self.boundary_seconds = 0.0  # time the last recomputation took
        self._shown_params: list[np.ndarray] = []
        self._boundary_image: np.ndarray | None = None
        self._grid_X, self._grid_rect = np.zeros((2, 0)), QRectF()
        self._shown_grid = self._grid_X
        self._last_boundary = -math.inf
        self._asked: tuple | None = None
        self._derived: tuple | None = None  # (params, grid, A[L], seconds) last computed by the derivation
        # a new grid asks for the boundary once the view has settled: a new dataset moved the view three
        # times in one event, and each move derived every view's state again (12 ms each on xor)
        self._grid_moved = QTimer(self)
        self._grid_moved.setSingleShot(True)
        self._grid_moved.timeout.connect(self.session.rederive)
        self.header = QLabel(self)
        self.header.setObjectName("previewHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.pictures = _Mosaic(self)
        self.scatter_plot = self._make_scatter()
        self.table = QTableWidget(self)
        self.table.setObjectName("previewTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stack = QStackedWidget(self)
        for page in (self.pictures, self.scatter_plot, self.table):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        session.dataset_changed.connect(self.show_dataset)
        session.network_changed.connect(self._network_changed)
        session.stepped.connect(self.update_boundary)
        session.example_followed.connect(self.show_followed)
        self.pictures.picked.connect(session.follow_example)
        self.appearance = looks.appearance_model().current
        session.derive("boundary", self._derive_boundary)
        self.show_dataset()
        looks.connect(self, self.apply_appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        """The scatter plot's background, axes and boundary map in the theme's colours."""
        self.appearance = appearance
        colors = appearance.colors
        style_plot(self.scatter_plot, colors)
        self._shown_params = []  # draw the boundary again in the new colours
        self._last_boundary = -math.inf
        self.update_boundary()

    def sizeHint(self) -> QSize:
        return QSize(380, 350)

    def _make_scatter(self) -> pg.PlotWidget:
        plot = pg.PlotWidget(background=PLOT_BACKGROUND)
        plot.setObjectName("previewScatter")
        SettleBeforePaint(plot)  # a child of the plot: kept as long as it
        item = plot.getPlotItem()
        for side, label in (("bottom", "x₁ = X[0, :]"), ("left", "x₂ = X[1, :]")):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(PLOT_FOREGROUND))
            axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
            axis.enableAutoSIPrefix(False)  # x₂ from −0.5 to 1 as it is, not ticks 500…1000 "(×0.001)"
            item.setLabel(side, label, color=PLOT_FOREGROUND)
        item.setAspectLocked(True)
        item.setMenuEnabled(False)
        item.hideButtons()
        self.followed_point = pg.ScatterPlotItem(size=18, pen=pg.mkPen(FOLLOWED_COLOR, width=3), brush=None)
        self.followed_point.setZValue(10)
        item.addItem(self.followed_point)
        self.boundary = pg.ImageItem(axisOrder="row-major")
        self.boundary.setZValue(-10)
        item.addItem(self.boundary)
        self.points: list[pg.ScatterPlotItem] = []
        item.getViewBox().sigRangeChanged.connect(self._view_moved)
        return plot

    # -- the dataset -------------------------------------------------------------------
    def show_dataset(self) -> None:
        """Rebuild for ``session.dataset``: choose the mode, fill its page, write the header."""
        dataset = self.session.dataset
        self._shown_params = []
        if dataset.is_image and math.prod(dataset.example_shape) == dataset.n_x:
            self.mode = "images"
            self._show_pictures(dataset)
        elif dataset.n_x == 2:
            self.mode = "scatter"
            self._show_points(dataset)
        else:
            self.mode = "table"
            self._show_table(dataset)
        self.stack.setCurrentIndex(("images", "scatter", "table").index(self.mode))
        self.header.setText(self._header(dataset))
        self.pictures.set_verdicts([])
        self.show_followed()
        self.update_boundary()

    def _header(self, dataset: Dataset) -> str:
        shapes = f"X {shape_text(dataset.X.shape)} · Y {shape_text(dataset.Y.shape)}"
        if dataset.m_test:
            shapes += f" · test {dataset.m_test}"
        title = f"<b>{escape(dataset.name or 'data')}</b>"
        if dataset.is_image:
            title += f": the columns of X are {'×'.join(map(str, dataset.example_shape))} pictures"
        lines = [title, f"<span style='font-family:monospace'>{shapes}</span>"]
        classes = class_indices(dataset)
        if classes is not None:
            counts = np.bincount(classes, minlength=len(dataset.class_names))
            lines.append(" · ".join(f"<span style='color:{class_color(k).name()}'>■</span> {escape(class_name(dataset, k))} "
                                    f"{n}" for k, n in enumerate(counts)))
        else:
            lines.append(f"regression: y from {dataset.Y.min():.4g} to {dataset.Y.max():.4g}")
        if self.mode == "scatter":
            lines.append(f"background: the network's A[{self.session.spec.L}] on an {GRID}×{GRID} grid")
        if self.mode == "scatter" and dataset.m > MAX_POINTS:
            lines.append(f"showing the first {MAX_POINTS:,} of {dataset.m:,} points")
        return "<br>".join(lines)

    def _show_pictures(self, dataset: Dataset) -> None:
        count = min(THUMBNAILS, dataset.m)
        h, w, c = dataset.example_shape
        classes = class_indices(dataset)
        captions = []
        for j in range(count):
            if classes is None:
                captions.append((f"{j}: y = {dataset.Y[0, j]:.3g}", QColor(PLOT_FOREGROUND)))
            else:
                captions.append((f"{j}: {class_name(dataset, int(classes[j]))}", class_color(int(classes[j]))))
        self.pictures.set_pictures(picture_strip(dataset.X, (h, w, c), count), w, captions)

    def thumbnail_count(self) -> int:
        return self.pictures.count() if self.mode == "images" else 0

    def _show_table(self, dataset: Dataset) -> None:
        """The first features (rows, by their header names) of the first examples (columns); a last row and
        column say how many more there are."""
        rows, columns = min(TABLE_ROWS, dataset.n_x), min(TABLE_COLUMNS, dataset.m)
        more_rows, more_columns = dataset.n_x - rows, dataset.m - columns
        classes = class_indices(dataset)
        names = dataset.feature_names if len(dataset.feature_names) == dataset.n_x else []
        self.table.clear()
        self.table.setRowCount(rows + bool(more_rows) + 1)
        self.table.setColumnCount(columns + bool(more_columns))
        headers = [f"X[:, {j}]" for j in range(columns)] + ([f"+{more_columns:,} more"] if more_columns else [])
        self.table.setHorizontalHeaderLabels(headers)
        labels = [f"{i}: {names[i]}" if names else str(i) for i in range(rows)]
        labels += [f"+{more_rows:,} more"] if more_rows else []
        self.table.setVerticalHeaderLabels(labels + ["class" if classes is not None else "y"])
        for j in range(columns):
            for i in range(rows):
                value = float(dataset.X[i, j])
                cell = QTableWidgetItem(f"{value:.4g}")
                name = f" ({names[i]})" if names else ""
                cell.setToolTip(f"X[{i}, {j}]{name} = {value!r}")
                self.table.setItem(i, j, cell)
            label = class_name(dataset, int(classes[j])) if classes is not None else f"{dataset.Y[0, j]:.4g}"
            cell = QTableWidgetItem(label)
            if classes is not None:
                cell.setForeground(class_color(int(classes[j])))
            self.table.setItem(self.table.rowCount() - 1, j, cell)
        for i in range(rows + bool(more_rows) + 1):  # the "+N more" column and row hold an ellipsis
            for j in range(columns + bool(more_columns)):
                if self.table.item(i, j) is None:
                    cell = QTableWidgetItem("…")
                    cell.setForeground(QColor("#888888"))
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.table.setItem(i, j, cell)
        self.table.resizeColumnsToContents()

    # -- 2-D data and the decision boundary --------------------------------------------
    def _show_points(self, dataset: Dataset) -> None:
        item = self.scatter_plot.getPlotItem()
        for points in self.points:
            item.removeItem(points)
        X = dataset.X[:, :MAX_POINTS]
        classes = class_indices(dataset)
        groups = [(None, np.arange(X.shape[1]))] if classes is None else \
            [(k, np.flatnonzero(classes[:MAX_POINTS] == k)) for k in range(int(classes.max(initial=0)) + 1)]
        self.points = []
        for k, columns in groups:
            color = class_color(k) if k is not None else QColor(PLOT_FOREGROUND)
            points = pg.ScatterPlotItem(X[0, columns], X[1, columns], size=7, pen=pg.mkPen("w", width=0.8),
                                        brush=pg.mkBrush(color), data=columns)
            points.sigClicked.connect(self._point_clicked)
            item.addItem(points)
            self.points.append(points)
        self.boundary.clear()
        self._boundary_image = None
        rect = self.data_rect(dataset.X)
        self._set_grid(rect)
        item.setRange(rect=rect, padding=0)  # the view then widens to the widget's shape: _view_moved

    def _point_clicked(self, item: pg.ScatterPlotItem, spots, event=None) -> None:
        if len(spots):
            self.session.follow_example(int(spots[0].data()))

    def show_followed(self, j: int | None = None) -> None:
        """Frame the followed example's picture, or ring its point."""
        j = self.session.followed_example
        self.pictures.selected = j if self.mode == "images" and j is not None and j < self.pictures.count() else None
        self.pictures.update()
        X = self.session.dataset.X
        self._ringed = j if self.mode == "scatter" and j is not None and j < min(MAX_POINTS, X.shape[1]) else None
        if self._ringed is not None:
            self.followed_point.setData([float(X[0, j])], [float(X[1, j])])
        else:
            self.followed_point.setData([], [])

    def followed_shown(self) -> int | None:
        """The example framed (pictures) or ringed (points) now; None: none."""
        if self.mode == "images":
            return self.pictures.selected
        return self._ringed if self.mode == "scatter" else None

    def point_count(self) -> int:
        """Points drawn in the scatter."""
        return sum(len(points.data) for points in self.points) if self.mode == "scatter" else 0

    @staticmethod
    def data_rect(X: np.ndarray) -> QRectF:
        """The rectangle (x₁, x₂) holding the data (rows 0 and 1 of X) with a margin."""
        ranges = []
        for row in X[:2]:
            finite = row[np.isfinite(row)]
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
            pad = 0.08 * (hi - lo) if hi > lo else 1.0
            ranges.append((lo - pad, hi + pad))
        (x0, x1), (y0, y1) = ranges
        return QRectF(x0, y0, x1 - x0, y1 - y0)

    def _set_grid(self, rect: QRectF) -> None:
        """X_grid (2, GRID²): the centres of GRID×GRID cells tiling ``rect``, row-major (x₂ rows, x₁ columns)."""
        x1 = rect.left() + (np.arange(GRID) + 0.5) * rect.width() / GRID
        x2 = rect.top() + (np.arange(GRID) + 0.5) * rect.height() / GRID
        g1, g2 = np.meshgrid(x1, x2)
        self._grid_X, self._grid_rect = np.vstack([g1.ravel(), g2.ravel()]), QRectF(rect)

    def _view_moved(self, view: pg.ViewBox, ranges: list[list[float]]) -> None:
        """The boundary covers what is visible: after a resize, zoom or pan, recompute it there."""
        if self.mode != "scatter":
            return
        (x0, x1), (y0, y1) = ranges
        self._set_grid(QRectF(x0, y0, x1 - x0, y1 - y0))
        self._shown_params = []
        self._grid_moved.start(0)

    def _params(self) -> list[tuple[str, np.ndarray]] | None:
        """W[l], b[l] of the network as the session holds them now, or None when they do not fit 2-D data."""
        session = self.session
        if self.mode != "scatter" or session.spec.sizes[0] != 2:
            return None
        keys = [f"{name}{l}" for l in range(1, session.spec.L + 1) for name in ("W", "b")]
        params = [(key, session.values.get(key)) for key in keys]
        return None if any(value is None for _, value in params) else params

    def _network_changed(self) -> None:
        self._shown_params = []
        self.update_boundary()

    def _derive_boundary(self, state) -> tuple | None:
        """(params, grid, A[L] on the grid, seconds) for a state of a 2-D network (any thread: no Qt here)."""
        grid = self._grid_X
        if self.mode != "scatter" or state.spec.sizes[0] != 2 or grid.shape[0] != 2:
            return None
        keys = [f"{name}{l}" for l in range(1, state.spec.L + 1) for name in ("W", "b")]
        params = [state.values.get(key) for key in keys]
        if any(value is None for value in params):
            return None
        last = self._derived
        if last is not None and last[1] is grid and len(last[0]) == len(params) and \
                all(a is b for a, b in zip(last[0], params)):
            return last  # the same parameters on the same grid: nothing to recompute
        if last is not None and last[1] is grid and time.monotonic() - self._last_boundary < BOUNDARY_INTERVAL \
                and state.running:
            return last  # while training, at most every BOUNDARY_INTERVAL
        start = time.perf_counter()
        A = predict(state.spec, dict(zip(keys, params)), grid)
        self._last_boundary = time.monotonic()
        self._derived = (params, grid, A, time.perf_counter() - start)
        return self._derived

    def update_boundary(self) -> None:
        """Show the boundary the session derived, if it is of the parameters and grid shown now."""
        params = self._params()
        if params is None:
            return
        arrays = [value for _, value in params]
        if len(arrays) == len(self._shown_params) and all(a is b for a, b in zip(arrays, self._shown_params)) \
                and self._shown_grid is self._grid_X:
            return
        found = self.session.derived.get("boundary")
        if found is None or found[1] is not self._grid_X or len(found[0]) != len(arrays) or \
                not all(a is b for a, b in zip(found[0], arrays)):
            wanted = (tuple(map(id, arrays)), id(self._grid_X))
            if not self.session.running and self._asked != wanted:  # derived for another grid: derive again
                self._asked = wanted
                self._grid_moved.start(0)
            return
        self._show_boundary(found[2])
        self._shown_params, self._shown_grid = arrays, found[1]
        self.boundary_seconds = found[3]
        self.boundary_updates += 1

    def _show_boundary(self, A: np.ndarray) -> None:
        """A[L] (n_y, GRID²) as the background: P(class 1) for sigmoid, the argmax class's colour
        faded by confidence for softmax, the output's value for linear."""
        output = self.session.spec.output
        if output == "softmax":
            k = A.shape[0]
            colors = np.array([class_color(c).getRgb() for c in range(k)], dtype=np.uint8)
            image = colors[np.nan_to_num(A).argmax(axis=0)].reshape(GRID, GRID, 4)
            confidence = np.clip((np.nan_to_num(A).max(axis=0) - 1 / k) / (1 - 1 / k), 0, 1)
            image[..., 3] = (confidence * 110).astype(np.uint8).reshape(GRID, GRID)
            self.boundary.setLookupTable(None)
            self.boundary.setImage(image, autoLevels=False, levels=(0, 255), rect=self._grid_rect)
        else:
            image = A[0].reshape(GRID, GRID)
            levels = (0.0, 1.0) if output == "sigmoid" else self._value_range()
            image = np.nan_to_num(image, nan=sum(levels) / 2)
            self.boundary.setImage(image, autoLevels=False, levels=levels, lut=_boundary_lookup(self.appearance.colors), rect=self._grid_rect)
        self._boundary_image = image

    def _value_range(self) -> tuple[float, float]:
        Y = self.session.dataset.Y[0]
        lo, hi = float(np.nanmin(Y)), float(np.nanmax(Y))
        return (lo, hi) if hi > lo else (lo - 1, lo + 1)

    def grid_points(self) -> np.ndarray:
        """X_grid (2, GRID²) of the boundary shown: where it evaluated the network (row-major: x₂ rows, x₁ columns)."""
        return self._shown_grid

    def boundary_image(self) -> np.ndarray | None:
        """The array shown as the decision boundary (GRID×GRID, or GRID×GRID×4 for softmax), or None."""
        return self._boundary_image if self.mode == "scatter" else None
