"""Train and test accuracy of the current parameters: a curve beside the cost, the pictures' verdicts, a confusion matrix.

The predictions (a forward pass over the training and the test examples) are computed on the
session's worker as a derivation of its snapshots, never on the window's thread: once per
completed iteration whose parameters changed, and while training runs at most every
RUNNING_INTERVAL_MS.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..engine import NetworkSpec, accuracy, predict
from ..session import Session
from . import appearance as looks
from .plots import (
    AXIS_SHARE, CURVE_WIDTH, STEADY_PADDING, TICK_POINTS, _make_plot, steady_ceiling, style_plot, title_points,
    title_room,
)
from .style import text_colour
from .theme import Appearance

log = logging.getLogger(__name__)

RUNNING_INTERVAL_MS = 500  # while training runs, the accuracy is recomputed at most twice a second
THUMBNAILS = 16  # the pictures the Data view shows (its first examples)
TRAIN_COLOR, TEST_COLOR = "#1f6fb4", "#d9680f"
EMPTY_ITERATIONS = 10  # the x axis before the first point


@dataclass(frozen=True)
class AccuracyResult:
    """What one set of parameters gets right; ``first`` are the first examples' (predicted class,
    probability the network gives the example's true class, right?) for the pictures in Data."""

    iteration: int
    position: int
    train: float | None
    test: float | None
    confusion: np.ndarray | None  # (k, k): row = true class, column = predicted class (train examples)
    first: tuple[tuple[int, float, bool], ...]


def predicted_classes(spec: NetworkSpec, A: np.ndarray) -> np.ndarray | None:
    """(m,) int: A > 0.5 for a sigmoid output, the argmax for softmax; None for a linear output."""
    if spec.output == "sigmoid":
        return (A[0] > 0.5).astype(int)
    if spec.output == "softmax":
        return A.argmax(axis=0)
    return None


def true_classes(spec: NetworkSpec, Y: np.ndarray) -> np.ndarray | None:
    if spec.output == "sigmoid":
        return (Y[0] > 0.5).astype(int)
    if spec.output == "softmax":
        return Y.argmax(axis=0)
    return None


def evaluate(spec: NetworkSpec, params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
             X_test: np.ndarray | None, Y_test: np.ndarray | None, iteration: int, position: int) -> AccuracyResult:
    """The accuracies (engine.accuracy of engine.predict), the confusion matrix and the first examples' verdicts."""
    A = predict(spec, params, X)
    train = accuracy(spec, A, Y)
    test = accuracy(spec, predict(spec, params, X_test), Y_test) if X_test is not None and Y_test is not None else None
    predicted, true = predicted_classes(spec, A), true_classes(spec, Y)
    confusion, first = None, ()
    if predicted is not None:
        if spec.output == "softmax" and spec.sizes[-1] > 2:
            k = spec.sizes[-1]
            confusion = np.bincount(true * k + predicted, minlength=k * k).reshape(k, k)
        n = min(THUMBNAILS, A.shape[1])
        if spec.output == "sigmoid":
            probability = np.where(true[:n] == 1, A[0, :n], 1.0 - A[0, :n])
        else:
            probability = A[true[:n], np.arange(n)]
        first = tuple((int(c), float(p), bool(c == t)) for c, p, t in zip(predicted[:n], probability, true[:n]))
    return AccuracyResult(iteration, position, train, test, confusion, first)


class AccuracyTracker(QObject):
    """Recomputes the accuracy when an iteration's updates are all done and the parameters changed;
    ``updated`` carries an AccuracyResult.

    The predictions are a derivation of the session's snapshots (``Session.derive``): they run on
    the session's worker, between its operations, so they never compete with training for the
    cores or for BLAS, and they never run on the window's thread.  ``iterations``, ``train`` and
    ``test`` are the curve's points: one per completed iteration computed (while running, the
    iterations reached at most every RUNNING_INTERVAL_MS).
    """

    updated = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.latest: AccuracyResult | None = None
        self.iterations: list[int] = []
        self.train: list[float] = []
        self.test: list[float] = []
        # on the worker: the parameters and result of the last computation, and when it ran
        self._computed: tuple[tuple[np.ndarray, ...], tuple[NetworkSpec, AccuracyResult] | None] | None = None
        self._computed_at = 0.0
        session.stepped.connect(self._arrived)
        session.derived_arrived.connect(self._arrived)  # after an edit or a step back made on the window's thread
        session.network_changed.connect(self._restart)  # a new dataset always brings a new network
        self._restart()
        session.derive("accuracy", self._derive, slow=True)  # a forward pass over the data: never on the window's thread

    def _restart(self) -> None:
        self.iterations, self.train, self.test = [], [], []
        self.latest = None

    def _derive(self, snapshot) -> tuple[NetworkSpec, AccuracyResult] | None:
        """On the worker: (the network, its AccuracyResult) at the end of an iteration, else the last one."""
        last = self._computed[1] if self._computed is not None else None
        spec, d = snapshot.spec, self.session.dataset
        if snapshot.position != 0 or spec.sizes[0] != d.n_x:  # mid-iteration, or data before its network
            return last if last is not None and last[0] is spec else None
        names = set(spec.parameter_names)  # W, b (γ, β under batch norm), and the running averages it predicts with
        params = {k: v for k, v in snapshot.values.items() if k in names or k.startswith(("murun", "sigma2run"))}
        arrays = tuple(params.values())
        if self._computed is not None and len(self._computed[0]) == len(arrays) and \
                all(a is b for a, b in zip(arrays, self._computed[0])):
            return last  # the parameters have not changed since (arrays are never changed in place)
        now = time.monotonic()
        if snapshot.running and last is not None and last[0] is spec and \
                now - self._computed_at < RUNNING_INTERVAL_MS / 1000:
            return last
        try:
            result = (spec, evaluate(spec, params, d.X, d.Y, d.X_test, d.Y_test,
                                     snapshot.iteration, snapshot.position))
        except Exception:  # a diverged network's NaN predictions are counted wrong; anything else is logged
            log.exception("accuracy could not be computed")
            result = None
        self._computed, self._computed_at = (arrays, result), now
        return result

    def _arrived(self) -> None:
        derived = self.session.derived.get("accuracy")
        if derived is None:
            return
        spec, result = derived
        if spec is not self.session.spec or result is self.latest:
            return
        self._add_point(result)
        self.latest = result
        self.updated.emit(result)

    def _add_point(self, result: AccuracyResult) -> None:
        while self.iterations and self.iterations[-1] >= result.iteration:  # stepped back, or the same iteration
            for points in (self.iterations, self.train, self.test):
                points.pop()
        if result.train is None:
            return
        self.iterations.append(result.iteration)
        self.train.append(result.train)
        self.test.append(np.nan if result.test is None else result.test)


def percent(value: float | None, decimals: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{decimals}f} %"


class AccuracyView(QWidget):
    """The accuracy curve ("accuracyPlot": train and test against the iteration) and, for more than two
    classes, the confusion matrix of the training examples ("confusionMatrix")."""

    def __init__(self, tracker: AccuracyTracker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accuracyView")
        self.tracker = tracker
        self.plot = _make_plot("accuracyPlot", "accuracy")  # styled as the cost plot beside it
        item = self.plot.getPlotItem()
        item.setYRange(0.0, 1.0, padding=STEADY_PADDING)
        item.setXRange(0, EMPTY_ITERATIONS, padding=STEADY_PADDING)
        self.train_curve = self.plot.plot(pen=pg.mkPen(TRAIN_COLOR, width=2), name="train", symbol="o",
                                          symbolSize=4, symbolBrush=TRAIN_COLOR, symbolPen=None)
        self.test_curve = self.plot.plot(pen=pg.mkPen(TEST_COLOR, width=2, style=Qt.PenStyle.DashLine), name="test",
                                         connect="finite", symbol="o", symbolSize=4, symbolBrush=TEST_COLOR,
                                         symbolPen=None)
        item.getViewBox().disableAutoRange()  # 0..1 and iterations 0.. (one point is not centred at 0)
        self.confusion = QTableWidget(self)
        self.confusion.setObjectName("confusionMatrix")
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.setToolTip("Training examples: rows are the true classes, columns the predicted ones")
        self.confusion.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.confusion)
        tracker.updated.connect(self.show_result)
        tracker.session.network_changed.connect(self._clear)
        self.appearance = looks.connect(self, self.apply_appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        """The theme's plot colours and, in presentation mode, its text size and line widths (as the cost plot)."""
        self.appearance = appearance
        colors = appearance.colors
        points = AXIS_SHARE * appearance.text_points if appearance.text_points is not None else TICK_POINTS
        style_plot(self.plot, colors, points)
        width = appearance.line_width(CURVE_WIDTH)
        self.train_curve.setPen(pg.mkPen(TRAIN_COLOR, width=width))
        self.test_curve.setPen(pg.mkPen(TEST_COLOR, width=width, style=Qt.PenStyle.DashLine))
        if self.tracker.latest is not None:
            self.show_result(self.tracker.latest)

    def _clear(self) -> None:
        self.train_curve.setData([], [])
        self.test_curve.setData([], [])
        self.plot.setTitle("")
        self.plot.getPlotItem().setXRange(0, EMPTY_ITERATIONS, padding=STEADY_PADDING)
        self.confusion.hide()

    def show_result(self, result: AccuracyResult) -> None:
        t = self.tracker
        x = np.array(t.iterations, dtype=float)
        self.train_curve.setData(x, np.array(t.train))
        # the iterations' room grows in steps, as beside it in the cost plot (its axis is not laid out at every update)
        last = steady_ceiling(max(EMPTY_ITERATIONS, x[-1] if x.size else 0))
        self.plot.getPlotItem().setXRange(0, last, padding=STEADY_PADDING)
        test = np.array(t.test)
        if np.isfinite(test).any():
            self.test_curve.setData(x, test)
        else:
            self.test_curve.setData([], [])
        self._show_title(result)
        self._show_confusion(result.confusion)

    def _show_title(self, result: AccuracyResult) -> None:
        """The title at the cost plot's sizes, smaller when the plot is narrow; then in whole percents
        ("train 72 % · test 74 %": the status bar keeps the tenths); and without the words "train" and
        "test" only when even that is too wide (the colours still say which is which): "test 100.0 %"
        had been cut at the plot's edge."""
        room = title_room(self.plot)
        for short, decimals in ((False, 1), (False, 0), (True, 1)):
            html = self.title_html(result, short, decimals)
            plain = re.sub(r"<[^>]+>", "", html)
            points = title_points(self.font(), plain, room, self.appearance)
            font = QFont(self.font())
            font.setPointSizeF(points)
            if QFontMetrics(font).horizontalAdvance(plain) <= room:
                break
        self.plot.setTitle(html, size=f"{points:.1f}pt", color=self.appearance.colors.plot_foreground)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.tracker.latest is not None:
            self._show_title(self.tracker.latest)

    def title_html(self, result: AccuracyResult, short: bool = False, decimals: int = 1) -> str:
        """'train 72.2 % · test 74.0 %' with each part in its curve's colour: the plot's legend (a legend
        inside the plot covered the curves of a run that learns little, in its bottom right corner)."""
        background = self.appearance.colors.plot_background
        parts = [("train", result.train, TRAIN_COLOR), ("test", result.test, TEST_COLOR)]
        return " · ".join(f"<span style='color: {text_colour(c, background)}'>{'' if short else name + ' '}"
                          f"{percent(v, decimals)}</span>" for name, v, c in parts if v is not None)

    def _show_confusion(self, confusion: np.ndarray | None) -> None:
        if confusion is None:
            self.confusion.hide()
            return
        names = self.tracker.session.dataset.class_names
        k = confusion.shape[0]
        labels = [names[i] if i < len(names) else str(i) for i in range(k)]
        table = self.confusion
        table.setRowCount(k)
        table.setColumnCount(k)
        table.setHorizontalHeaderLabels([f"→ {name}" for name in labels])
        table.setVerticalHeaderLabels(labels)
        for r in range(k):
            for c in range(k):
                cell = QTableWidgetItem(str(int(confusion[r, c])))
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if r == c:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                table.setItem(r, c, cell)
        table.setMaximumHeight(table.horizontalHeader().height() + 24 * k + 4)
        table.show()
