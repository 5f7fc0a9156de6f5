"""Debug ▸ Gradient Check: central differences against the backward pass, off the GUI thread, cancellable."""
from __future__ import annotations

import logging
import threading

import numpy as np
from PySide6.QtCore import QElapsedTimer, QObject, QThread, QTimer, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QDialog, QHBoxLayout, QHeaderView, QLabel, QMainWindow, QProgressBar,
    QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..engine import GradCheckRow, NetworkSpec, gradient_check, shape_text, symbol
from ..engine.gradcheck import BAD, GOOD, Cancelled
from ..session import Session
from ..views.style import VERDICT_TEXT, VERDICT_TINTS, mono_font

log = logging.getLogger(__name__)

EPSILON = 1e-6
MAX_TABLE_ROWS = 12  # W[l] and b[l] of 6 layers before the table scrolls
MAX_PER_BLOCK = 400  # entries of a big block checked at random: W[1] of 12288-7-5-1 in about 1.5 s
COLUMNS = ("parameter", "shape", "entries checked", "relative difference", "verdict")
VERDICT_WORDS = {"ok": "pass", "suspicious": "suspicious", "wrong": "wrong"}
EXPLANATION = (
    "Each checked entry θ of W[l] and b[l] is nudged by ±ε (ε = 1e-6) and the cost recomputed: "
    "g_num = (J(θ+ε) − J(θ−ε)) / 2ε. Per block, the backward pass's gradient g (dW[l], db[l]) is compared as "
    "‖g_num − g‖ / (‖g_num‖ + ‖g‖), as in the course: <b style='color:{ok}'>below 1e-7 passes</b>, "
    "<b style='color:{bad}'>above 1e-5 means a bug</b>."
).format(ok=VERDICT_TEXT["ok"], bad=VERDICT_TEXT["wrong"])

_running_threads: set[QThread] = set()  # a QThread must outlive its run, even if its dialog goes first


def planned_entries(params: dict[str, np.ndarray], max_per_block: int | None) -> dict[str, int]:
    """How many entries of each block the check evaluates (all of a small block)."""
    return {key: a.size if max_per_block is None else min(a.size, max_per_block) for key, a in params.items()}


def _short(x: float) -> str:
    """1e-07 as the course writes it: 1e-7."""
    return f"{x:g}".replace("e-0", "e-")


def verdict(row: GradCheckRow) -> str:
    """'ok', 'suspicious' or 'wrong'; a NaN or Inf difference is wrong."""
    return row.verdict if np.isfinite(row.relative_difference) else "wrong"


class GradientCheckThread(QThread):
    """Runs the engine's gradient_check on a snapshot of the parameters (arrays are never changed in place)."""

    # each carries the check's number, so a dialog can ignore a check it has given up on
    progressed = Signal(int, int, int)  # number, entries done, total
    reported = Signal(int)  # number; the result is in ``outcome``

    def __init__(self, spec: NetworkSpec, params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                 max_per_block: int | None, number: int = 0, training=None) -> None:
        super().__init__()
        self.number = number
        self.training = training  # λ, and dropout masks held fixed, batch norm in training mode
        self.setObjectName("nnviz-gradient-check")
        self.spec, self.params, self.X, self.Y = spec, params, X, Y
        self.max_per_block = max_per_block
        self.total = sum(planned_entries(params, max_per_block).values())
        self._stop = threading.Event()
        self._entries_started = 0
        # ('done', rows), ('cancelled', (entries done, total)) or ('failed', message), once run() has ended
        self.outcome: tuple[str, object] | None = None
        self.finished.connect(lambda: _running_threads.discard(self))

    def start(self) -> None:
        _running_threads.add(self)
        super().start()

    def cancel(self) -> None:
        self._stop.set()

    def _should_stop(self) -> bool:
        """Asked before every entry: the entries started before a stop have all finished."""
        if self._stop.is_set():
            return True
        self._entries_started += 1
        return False

    def run(self) -> None:
        try:
            with np.errstate(all="ignore"):  # a diverged network gives NaN rows, not warnings
                rows = gradient_check(self.spec, self.params, self.X, self.Y, epsilon=EPSILON,
                                      max_per_block=self.max_per_block, progress=self._progress,
                                      should_stop=self._should_stop, training=self.training)
        except Cancelled:
            self.outcome = ("cancelled", (self._entries_started, self.total))
        except Exception as err:  # reported in the dialog; the thread ends normally
            log.exception("gradient check failed")
            self.outcome = ("failed", f"{type(err).__name__}: {err}")
        else:
            self.outcome = ("done", rows)
        self.reported.emit(self.number)

    def _progress(self, done: int, total: int) -> None:
        self.progressed.emit(self.number, done, total)


def stop_thread(thread: QThread | None, timeout_ms: int = 5000) -> None:
    if thread is not None and thread.isRunning():
        thread.cancel()
        thread.wait(timeout_ms)


class GradientCheckDialog(QDialog):
    """One row per W[l] and b[l]: entries checked, relative difference, verdict; progress, Cancel, elapsed time.

    Public: ``table`` ("gradientCheckTable"), ``status_label``, ``progress``, ``elapsed_label``,
    ``check_button``, ``cancel_button``, ``per_block`` (spin box), ``rows`` (the last results),
    ``start()``, ``cancel()``, ``running``; ``check_finished`` is emitted when a check ends in any way.
    """

    check_finished = Signal(str)  # 'done', 'cancelled' or 'failed'
    failed = Signal(str, str)  # title, message: for the window's message box

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientCheckDialog")
        self.setWindowTitle("Gradient Check")
        self.session = session
        self.worker: GradientCheckThread | None = None
        self._number = 0  # of the check in progress or last finished
        self._active = False
        self._cancel_reason = ""
        self.rows: list[GradCheckRow] = []
        self._planned: dict[str, int] = {}
        self._sizes: dict[str, int] = {}
        self._shapes: dict[str, tuple[int, ...]] = {}
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self)
        self._ticker.setInterval(200)
        self._ticker.timeout.connect(self._show_elapsed)
        self._build()
        session.network_changed.connect(self._network_changed)
        self._show_plan()

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        explanation = QLabel(EXPLANATION, self)
        explanation.setWordWrap(True)
        explanation.setTextFormat(Qt.TextFormat.RichText)
        self.per_block = QSpinBox(self)
        self.per_block.setObjectName("entriesPerBlock")
        self.per_block.setRange(10, 1_000_000)
        self.per_block.setSingleStep(100)
        self.per_block.setValue(MAX_PER_BLOCK)
        self.per_block.setToolTip("Blocks with more entries are checked on this many, chosen at random (seed 0)")
        self.per_block.valueChanged.connect(self._show_plan)
        subset = QHBoxLayout()
        subset.addWidget(QLabel("Entries checked per big block:", self))
        subset.addWidget(self.per_block)
        subset.addWidget(QLabel("(chosen at random; smaller blocks are checked whole)", self), 1)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("gradientCheckTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFont(mono_font(11))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("gradientCheckStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_label.setMinimumHeight(3 * self.status_label.fontMetrics().lineSpacing() + 4)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.progress = QProgressBar(self)
        self.progress.setFormat("%v of %m entries")
        self.elapsed_label = QLabel(self)
        self.elapsed_label.setMinimumWidth(self.elapsed_label.fontMetrics().horizontalAdvance("000.0 s elapsed"))
        self.check_button = QPushButton("&Check", self)
        self.check_button.setDefault(True)
        self.cancel_button = QPushButton("C&ancel", self)
        close_button = QPushButton("Close", self)
        self.check_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.elapsed_label)
        for button in (self.check_button, self.cancel_button, close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(subset)
        layout.addWidget(self.table)
        layout.addWidget(self.status_label, 1)
        layout.addLayout(buttons)
        self.resize(760, 420)
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.check_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.per_block.setEnabled(not running)

    @property
    def running(self) -> bool:
        """A check is in progress (its result not shown yet)."""
        return self._active

    # -- the table -------------------------------------------------------------------------
    def _show_plan(self) -> None:
        """Before a check: every block with the entries it will check, nothing measured yet."""
        params = self.session.stepper.parameters
        self._sizes = {key: a.size for key, a in params.items()}
        self._shapes = {key: a.shape for key, a in params.items()}
        self._planned = planned_entries(params, self.per_block.value())
        self.rows = []
        self.table.setRowCount(len(params))
        self._fit_table()
        for r, (key, array) in enumerate(params.items()):
            self._set_row(r, [symbol(key), shape_text(array.shape), self.entries_text(key), "", ""], None)
        self.progress.setRange(0, max(1, sum(self._planned.values())))
        self.progress.setValue(0)

    def _fit_table(self) -> None:
        """As tall as its rows (up to 12 of them; deeper networks scroll)."""
        table = self.table
        shown = min(max(table.rowCount(), 2), MAX_TABLE_ROWS)
        height = (table.horizontalHeader().sizeHint().height() + shown * table.verticalHeader().defaultSectionSize()
                  + 2 * table.frameWidth())
        table.setFixedHeight(height)

    def entries_text(self, key: str, checked: int | None = None) -> str:
        """'35 of 35', or 'random 400 of 86,016' for a subset."""
        checked = self._planned[key] if checked is None else checked
        total = self._sizes[key]
        return f"{checked:,} of {total:,}" if checked == total else f"random {checked:,} of {total:,}"

    def _set_row(self, r: int, cells: list[str], outcome: str | None, tip: str = "") -> None:
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c in (2, 3):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if outcome is not None:
                item.setBackground(QColor(VERDICT_TINTS[outcome]))
                item.setForeground(QColor(VERDICT_TEXT[outcome]) if c == 4 else QColor("#222222"))
            if tip:
                item.setToolTip(tip)
            self.table.setItem(r, c, item)

    def _show_rows(self, rows: list[GradCheckRow]) -> None:
        self.rows = rows
        for r, row in enumerate(rows):
            difference = row.relative_difference
            shown = "0" if difference == 0 else f"{difference:.1e}"
            outcome = verdict(row)
            shape = shape_text(self._shapes[row.key]) if row.key in self._shapes else ""
            tip = (f"‖g_num − g‖ / (‖g_num‖ + ‖g‖) = {difference!r}; "
                   f"largest |g_num − g| = {row.max_abs_difference:.3g}")
            word = VERDICT_WORDS[outcome] if np.isfinite(difference) else "not finite"
            cells = [row.symbol, shape, self.entries_text(row.key, row.checked), shown, word]
            self._set_row(r, cells, outcome, tip)

    # -- running ------------------------------------------------------------------------------
    def start(self) -> bool:
        """Check the current parameters; False (and why, in the status line) when it cannot start now."""
        if self.running:
            return False
        session = self.session
        if session.busy:
            self._say("Pause training first: the check needs parameters that stand still.", "suspicious")
            return False
        if self.worker is not None:
            self.worker.wait()  # the last check has reported; its thread is ending
        self._show_plan()
        values = session.stepper.values
        self._number += 1
        # on the mini-batch in progress (all of X in full batch), with the session's λ and dropout
        worker = GradientCheckThread(session.spec, session.stepper.parameters, values["A0"], values["Y"],
                                     self.per_block.value(), self._number,
                                     training=session.stepper.training.edit(batch_size=None))
        worker.progressed.connect(self._progressed)
        worker.reported.connect(self._report)
        self.worker = worker
        self._active, self._cancel_reason = True, ""
        self.progress.setRange(0, worker.total)
        self._context = f"iteration {session.iteration}, before {session.next_op.symbol}, m = {session.m:,}"
        self._say(f"Checking the parameters of {self._context}…")
        self._set_running(True)
        self._clock.start()
        self._ticker.start()
        self._show_elapsed()
        worker.start()
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def stop(self) -> None:
        """Cancel a check in progress, wait for its thread and show how it ended (closing the dialog or the window)."""
        stop_thread(self.worker)
        if self.worker is not None and not self.worker.isRunning():
            self._report(self.worker.number)  # now, not when the queued signal arrives

    def _report(self, number: int) -> None:
        """The check ``number`` has ended: show its result once."""
        worker = self.worker
        if not self._active or worker is None or number != worker.number or worker.outcome is None:
            return
        kind, result = worker.outcome
        if kind == "done":
            self._succeeded(result)
        elif kind == "cancelled":
            self._cancelled(*result)
        else:
            self._failed(result)

    def _progressed(self, number: int, done: int, total: int) -> None:
        if number != self._number or not self._active:
            return
        self.progress.setValue(done)
        ends = np.cumsum(list(self._planned.values()))
        current = int(np.searchsorted(ends, done, side="right"))
        if current < self.table.rowCount():
            self.table.item(current, 3).setText("checking…")

    def _show_elapsed(self) -> None:
        self.elapsed_label.setText(f"{self._clock.elapsed() / 1000:.1f} s")

    def _finish(self, outcome: str) -> None:
        self._active = False
        self._ticker.stop()
        self._show_elapsed()
        self._set_running(False)
        self.check_button.setText("&Check Again")
        self.check_finished.emit(outcome)

    def _succeeded(self, rows: list[GradCheckRow]) -> None:
        self.progress.setValue(self.progress.maximum())
        self._show_rows(rows)
        seconds = self._clock.elapsed() / 1000
        checked = sum(r.checked for r in rows)
        outcomes = [verdict(r) for r in rows]
        if not all(np.isfinite(r.relative_difference) for r in rows):
            text, tone = ("NaN or Inf: the cost or the gradients overflow at these parameters, so there is nothing "
                          "to compare. Reset, or Step Back to before the overflow.", "wrong")
        elif all(o == "ok" for o in outcomes):
            text = f"Every block passes (below {_short(GOOD)}): the backward pass agrees with the numerical gradient."
            tone = "ok"
        elif "wrong" in outcomes:
            wrong = ", ".join(r.symbol for r in rows if verdict(r) == "wrong")
            text, tone = f"{wrong}: more than {_short(BAD)}, so the backward pass (or the cost) has a bug.", "wrong"
        else:
            text = f"Some blocks are between {_short(GOOD)} and {_short(BAD)}: suspicious, look closer."
            tone = "suspicious"
        subsets = [f"{r.symbol} has {r.total:,} entries: {r.checked:,} chosen at random were checked"
                   for r in rows if r.subset]
        details = f"{checked:,} entries in {seconds:.1f} s, on the parameters of {self._context}."
        if subsets:
            details += " " + "; ".join(subsets) + "; the other blocks were checked whole."
        self._say(text, tone, details)
        self._finish("done")

    def _cancelled(self, done: int, total: int) -> None:
        for r in range(self.table.rowCount()):
            self.table.item(r, 3).setText("")
        self.progress.setValue(done)
        seconds = self._clock.elapsed() / 1000
        self._say(f"{self._cancel_reason}Cancelled after {done:,} of {total:,} entries ({seconds:.1f} s).")
        self._finish("cancelled")

    def _failed(self, message: str) -> None:
        self._say(f"The check failed: {message}", "wrong")
        self.failed.emit("Gradient check failed", message)
        self._finish("failed")

    def _say(self, text: str, tone: str | None = None, details: str = "") -> None:
        """The status line: ``text`` in the verdict's colour (bold), ``details`` below it in plain text."""
        if tone:
            text = f"<b style='color:{VERDICT_TEXT[tone]}'>{text}</b>"
        self.status_label.setText(f"{text}<br>{details}" if details else text)

    def _network_changed(self) -> None:
        if self.running:
            self._cancel_reason = "The network changed: press Check for the new one. "
            self.stop()
        self._show_plan()

    def closeEvent(self, event) -> None:
        self.stop()
        super().closeEvent(event)


class GradientCheck(QObject):
    """The Debug ▸ Gradient Check action and its dialog (made on first use, then reused)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: GradientCheckDialog | None = None
        action = QAction("&Gradient Check…", window)
        action.setObjectName("actionGradientCheck")
        action.setShortcut(QKeySequence("Ctrl+G"))
        action.setStatusTip("Compare the backward pass's dW[l], db[l] with central differences")
        action.triggered.connect(self.open)
        window.menus["debug"].addAction(action)
        self.action = action
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)

    def open(self) -> GradientCheckDialog:
        if self.dialog is None:
            self.dialog = GradientCheckDialog(self.window.session, self.window)
            self.dialog.failed.connect(self.window.show_error)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def close(self) -> None:
        """Cancel a check in progress and wait for its thread (idempotent)."""
        if self.dialog is not None:
            self.dialog.stop()


def install_gradient_check(window: QMainWindow) -> GradientCheck:
    """Add Debug ▸ Gradient Check… (Ctrl+G) to ``window``; returns the controller (``close()`` on exit)."""
    return GradientCheck(window)
