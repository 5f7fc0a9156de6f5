"""File ▸ Compare With Trace…: a trace of someone's backprop beside nnviz's, on the trace's own network.

The trace is read and compared on a thread of its own; then the session takes over the trace's
network, data and starting parameters (after the unsaved-work question) and runs to the first
difference, the step list marks every operation, and the Comparison dock shows theirs, ours and
the difference.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QSettings, Qt, QThread, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow

from ..data import DataError, Dataset
from ..engine.history import History
from ..session.design import Design
from ..session.persist import SessionState
from .docks import build_when_shown, show_dock, tabbed_dock

if TYPE_CHECKING:  # the comparison's code is imported when a trace is compared, not at start
    from ..engine.compare import CompareReport
    from ..views.comparison import ComparisonView

log = logging.getLogger(__name__)

TRACE_FILTER = "Traces (*.npz);;All files (*)"
_running: set[QThread] = set()  # a QThread must outlive its run, even if the window goes first


def shown_iteration(report: CompareReport) -> int:
    """The iteration the window shows: the first difference's, or the first compared."""
    first = report.first
    return first.iteration if first else report.iterations[0]


def starting_parameters(report: CompareReport, iteration: int) -> dict[str, np.ndarray]:
    """W1, b1, … that ``iteration`` of the report's trace starts from."""
    from ..engine.trace import TraceError

    trace = getattr(report, "trace", None)
    if trace is None:
        raise TraceError("the comparison carries no trace to start from")
    it = next(i for i in trace.iterations if i.number == iteration)
    return trace.parameters(it)


class _Cancelled(Exception):
    """The window closed while a trace was being compared."""


class ComparisonThread(QThread):
    """Reads a trace file and compares it (X and Y from the trace, else from ``X``/``Y``)."""

    reported = Signal()  # the result is in ``outcome``: ('done', report) or ('failed', one line)
    progressed = Signal(int, int)  # iterations compared, iterations to compare

    def __init__(self, path: str, X: np.ndarray, Y: np.ndarray, activations: list[str], output: str,
                 learning_rate: float) -> None:
        super().__init__()
        self.setObjectName("nnviz-compare")
        self.path, self.X, self.Y = path, X, Y
        self.activations, self.output, self.learning_rate = activations, output, learning_rate
        self.outcome: tuple[str, object] | None = None
        self._stop = threading.Event()
        self.finished.connect(lambda: _running.discard(self))

    def cancel(self) -> None:
        self._stop.set()

    def _progress(self, done: int, total: int) -> None:
        if self._stop.is_set():
            raise _Cancelled
        self.progressed.emit(done, total)

    def start(self) -> None:
        _running.add(self)
        super().start()

    def run(self) -> None:
        from ..debugging import compare, load_trace
        from ..engine.trace import TraceError

        trace = None
        try:
            trace = load_trace(self.path)
            own_data = trace.x_key is not None and trace.y_key is not None
            X, Y = (None, None) if own_data else (self.X, self.Y)
            n_hidden = len(trace.sizes()) - 2
            acts = self.activations if len(self.activations) == n_hidden else ["relu"] * n_hidden
            output = None if own_data else self.output  # the session's output fits the session's labels
            report = compare(trace=trace, X=X, Y=Y, activation=acts, output=output,
                             learning_rate=self.learning_rate, progress=self._progress)
            params = starting_parameters(report, shown_iteration(report))  # read now: the file closes below
        except (TraceError, DataError) as err:
            self.outcome = ("failed", str(err))
        except _Cancelled:
            self.outcome = ("failed", "cancelled")
        except Exception as err:  # reported in the window; the thread ends normally
            log.exception("comparing a trace failed")
            self.outcome = ("failed", f"{type(err).__name__}: {err}")
        else:
            self.outcome = ("done", (report, params))
        finally:
            if trace is not None and hasattr(trace.source, "close"):
                trace.source.close()
        self.reported.emit()


class Comparison(QObject):
    """The action, the dock and the session hand-over; ``report`` is the comparison shown (or None)."""

    compared = Signal(object)  # the report, once the window shows it

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.report: CompareReport | None = None
        self.thread: ComparisonThread | None = None
        self._taking_over = False
        self._view: ComparisonView | None = None
        self.dock = tabbed_dock(window, "comparisonDock", "Trace Comparison", None)
        build_when_shown(self.dock, lambda: self.view)
        self.action = QAction("Compare With &Trace…", window)
        self.action.setObjectName("actionCompareTrace")
        self.action.setShortcut("Ctrl+Shift+T")
        self.action.setStatusTip("Compare the arrays your own backprop computed (.npz) with nnviz's, operation by operation")
        self.action.triggered.connect(self.choose)
        menu = window.menus["file"]
        before = next((a for a in menu.actions() if a.menu() is window.menus.get("export")), None)
        menu.insertAction(before, self.action) if before else menu.addAction(self.action)
        window.view_menu.addAction(self.dock.toggleViewAction())
        self.session.network_changed.connect(self._network_changed)

    @property
    def view(self) -> ComparisonView:
        """The dock's view, made the first time the dock is shown or the view is asked for."""
        if self._view is None:
            from ..views.comparison import ComparisonView

            self._view = ComparisonView(self.session)
            self._view.row_chosen.connect(self._row_chosen)
            self.dock.setWidget(self._view)
        return self._view

    # -- choosing and comparing -------------------------------------------------------------
    def choose(self) -> None:
        settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "nnviz", "nnviz")
        start = settings.value("lastDirectory", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self.window, "Compare With Trace", start, TRACE_FILTER)
        if path:
            self.compare_file(path)

    def compare_file(self, path: str) -> None:
        """Read and compare ``path`` off the GUI thread; the window follows when it is done."""
        if self.thread is not None and self.thread.isRunning():
            self.window.statusBar().showMessage("A trace is being compared already", 5000)
            return
        s = self.session
        design = s.design
        thread = ComparisonThread(path, s.dataset.X, s.dataset.Y, list(design.activations), design.output,
                                  design.learning_rate)
        thread.reported.connect(lambda: self._reported(thread, path), Qt.ConnectionType.QueuedConnection)
        thread.progressed.connect(
            lambda done, total: self.window.statusBar().showMessage(
                f"Comparing {Path(path).name} with nnviz: iteration {done} of {total}…"),
            Qt.ConnectionType.QueuedConnection)
        self.thread = thread
        self.action.setEnabled(False)
        self.window.statusBar().showMessage(f"Comparing {Path(path).name} with nnviz…")
        thread.start()

    def _reported(self, thread: ComparisonThread, path: str) -> None:
        self.action.setEnabled(True)
        kind, result = thread.outcome or ("failed", "the comparison ended without a result")
        if (kind, result) == ("failed", "cancelled"):
            self.window.statusBar().showMessage("Comparing the trace was cancelled", 5000)
            return
        if kind == "failed":
            self.window.show_error("Cannot compare this trace", f"{Path(path).name}: {result}"
                                   if not str(result).startswith(Path(path).name) else str(result))
            return
        report, params = result
        self.show_report(report, Path(path).name, params)

    # -- showing ------------------------------------------------------------------------------
    def show_report(self, report: CompareReport, name: str = "the trace",
                    params: dict[str, np.ndarray] | None = None) -> bool:
        """Take over the report's network and starting parameters and run to its first difference.

        False (nothing changed) when the user keeps unsaved training instead, or the trace cannot
        be read any more (said in a message box)."""
        from ..engine.trace import TraceError
        from ..views.comparison import step_marks

        files = getattr(self.window, "session_files", None)
        if files is not None and not files.confirm_discard("compare with a trace"):
            return False
        s = self.session
        first = report.first
        iteration = shown_iteration(report)
        if params is None:
            try:
                params = starting_parameters(report, iteration)
            except (TraceError, DataError) as err:
                self.window.show_error("Cannot compare this trace", str(err))
                return False
        spec = report.spec
        X, Y = getattr(report, "X", None), getattr(report, "Y", None)
        dataset = s.dataset
        if X is not None and not (X.shape == dataset.X.shape and np.array_equal(X, dataset.X)
                                  and np.array_equal(Y, dataset.Y)):
            dataset = Dataset(X=X, Y=Y, name=name)
        design = Design(hidden=spec.sizes[1:-1], activations=spec.hidden, output=spec.output,
                        init=s.design.init, rng=s.design.rng, seed=s.design.seed,
                        learning_rate=report.learning_rate)
        self._taking_over = True
        try:
            s.restore(SessionState(design, dataset, params, iteration, 0, History(spec.L)))
        finally:
            self._taking_over = False
        self.report = report
        self.view.set_report(report)
        self.window.step_list.set_marks(step_marks(report, iteration))
        show_dock(self.dock)
        h = self.window.height()  # a projector's 720 rows: the comparison's heatmaps before the inspector's
        self.window.resizeDocks([self.dock], [int((0.5 if h < 850 else 0.3) * h)], Qt.Orientation.Vertical)
        self.window.statusBar().showMessage(f"{name}: {report.summary()}", 20000)
        if first is not None:
            s.run_through(first.index)
        self.compared.emit(report)
        return True

    def _row_chosen(self, index: int) -> None:
        self.window.statusBar().showMessage(
            f"{self.view.shown.symbol}: {self.view.shown.verdict}" if self.view.shown else "", 5000)

    def _network_changed(self) -> None:
        if self._taking_over or self.report is None:
            return
        self.report = None
        self.view.set_report(None)
        self.window.step_list.set_marks(None)

    def close(self) -> None:
        """Stop a comparison in progress (it ends after the iteration it is comparing) and wait for it."""
        if self.thread is not None and self.thread.isRunning():
            self.thread.cancel()
            self.thread.wait(10_000)


def install_comparison(window: QMainWindow) -> Comparison:
    """Add File ▸ Compare With Trace… and the Comparison dock to ``window``; returns the controller."""
    return Comparison(window)


def show_report(report: CompareReport) -> int:
    """Open nnviz's window on ``report`` (from ``nnviz.compare(...).show()``) and run it until closed."""
    from .window import MainWindow

    app = QApplication.instance() or QApplication([])
    app.setApplicationName("nnviz")
    window = MainWindow()
    window.comparison.show_report(report)
    window.show()
    code = app.exec()
    window.dispose()
    return code
