"""Debug ▸ Watch: numpy expressions over the named arrays, shown in a list and usable as breakpoints.

Values are computed on the session's worker, never on the window's thread (abs(W1).max() of a
4096×12288 W[1] takes longer than a frame): after each operation that writes an array the
expression reads, and as a slow derivation of every state the session shows while it does not
run (a new watch, Step Back, a new network, α).  The list redraws at a bounded rate while training
runs (RunThrottle).  A watch marked "break" pauses training when it becomes true.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QDockWidget, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMainWindow, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..engine.watch import Expression, WatchError, describe, parse, watch_values
from ..views.style import VERDICT_TEXT, mono_font
from ..views.throttle import RunThrottle

REFRESH_MS = 250  # the list follows a run 4 times a second
PENDING = "computing…"  # a new watch until the worker has its value
COLUMNS = ("expression", "value", "break")
EXAMPLES = "e.g. (A1 == 0).mean() > 0.5   or   abs(dW1).max() > 10"


@dataclass
class Watch:
    """One expression; ``text`` is its latest value as shown (written by the worker or the window)."""

    expression: Expression
    breaks: bool = False
    text: str = PENDING
    was_true: bool | None = None
    # what the value was computed from: (name, weak reference to the array or the number) per name read,
    # None before the first time (arrays are never changed in place: the same arrays give the same value)
    seen: tuple[tuple[str, Any], ...] | None = field(default=None, compare=False)


def _inputs(watch: Watch, names: dict) -> tuple[tuple[str, Any], ...]:
    found = []
    for name in sorted(watch.expression.names):
        value = names.get(name)
        try:
            found.append((name, weakref.ref(value)))
        except TypeError:  # m, alpha, J, a function: compared by value
            found.append((name, value))
    return tuple(found)


def _same_inputs(seen: tuple[tuple[str, Any], ...] | None, now: tuple[tuple[str, Any], ...]) -> bool:
    if seen is None or len(seen) != len(now):
        return False
    for (name, old), (_, new) in zip(seen, now):
        if isinstance(old, weakref.ref) != isinstance(new, weakref.ref):
            return False
        if isinstance(old, weakref.ref):
            if old() is None or old() is not new():
                return False
        elif not (old is new or old == new):
            return False
    return True


class WatchView(QWidget):
    """An input line, and a table of expression | value | break when true.

    Public: ``input`` ("watchInput"), ``table`` ("watchTable"), ``message_label``, ``add(text, breaks)``,
    ``remove(row)``, ``refresh()``; the controller's ``watches`` are the rows in order.
    """

    def __init__(self, controller: "WatchList", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("watch")
        self.controller = controller
        self.input = QLineEdit()
        self.input.setObjectName("watchInput")
        self.input.setPlaceholderText(EXAMPLES)
        self.input.setFont(mono_font(11))
        self.input.returnPressed.connect(self._entered)
        add = QPushButton("Watch")
        add.clicked.connect(self._entered)
        add_break = QPushButton("Break When True")
        add_break.clicked.connect(lambda: self._entered(breaks=True))
        self.message_label = QLabel("Arrays by name (W1, Z1, dW1, X, Y, J, m, alpha) and numpy functions "
                                    "(abs, mean, max, norm, isnan, …)")
        self.message_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("watchTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(0, 260)
        self.table.itemChanged.connect(self._item_changed)
        remove = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        remove.activated.connect(lambda: self.remove(self.table.currentRow()))
        line = QHBoxLayout()
        line.addWidget(self.input, 1)
        line.addWidget(add)
        line.addWidget(add_break)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(line)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, 1)

    def _entered(self, breaks: bool = False) -> None:
        if self.add(self.input.text(), breaks):
            self.input.clear()

    def add(self, text: str, breaks: bool = False) -> bool:
        """Watch ``text``; False (and the reason below the line) when it is not a watch expression."""
        try:
            expression = parse(text)
        except WatchError as err:
            self.message_label.setText(f"<span style='color:{VERDICT_TEXT['wrong']}'>{err}</span>")
            return False
        self.controller.watches.append(Watch(expression, breaks))
        self.controller.hook()
        self.message_label.setText(f"Watching {expression.text}" + (" (pauses when it becomes true)" if breaks else ""))
        self.refresh()
        self.controller.compute_new()
        return True

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.controller.watches):
            del self.controller.watches[row]
            self.controller.hook()
            self.refresh()

    def refresh(self) -> None:
        watches = self.controller.watches
        self.table.blockSignals(True)
        self.table.setRowCount(len(watches))
        for row, watch in enumerate(watches):
            expression = QTableWidgetItem(watch.expression.text)
            expression.setFont(mono_font(11))
            value = QTableWidgetItem(watch.text)
            value.setToolTip(watch.text)
            breaks = QTableWidgetItem()
            breaks.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            breaks.setCheckState(Qt.CheckState.Checked if watch.breaks else Qt.CheckState.Unchecked)
            if watch.was_true and watch.breaks:
                value.setForeground(Qt.GlobalColor.red)
            for column, item in enumerate((expression, value, breaks)):
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 2 and item.row() < len(self.controller.watches):
            watch = self.controller.watches[item.row()]
            watch.breaks = item.checkState() == Qt.CheckState.Checked
            watch.was_true = None


class WatchList(QObject):
    """The watches, their evaluation after each operation, the dock and its action."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.watches: list[Watch] = []
        self.view = WatchView(self)
        self.dock = QDockWidget("Watch", window)
        self.dock.setObjectName("watchDock")
        self.dock.setWidget(self.view)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        if "stepsDock" in window.docks:
            window.splitDockWidget(window.docks["stepsDock"], self.dock, Qt.Orientation.Vertical)
        self.dock.hide()
        self.action = self.dock.toggleViewAction()
        self.action.setObjectName("actionWatch")
        self.action.setText("&Watch Expressions")
        self.action.setShortcut("Ctrl+Shift+W")
        self.action.setStatusTip("Numpy expressions over the arrays, e.g. abs(dW1).max() > 10, shown and usable "
                                 "as breakpoints")
        window.menus["debug"].addAction(self.action)
        self._throttle = RunThrottle(self.session, self.view.refresh, REFRESH_MS, self)
        self.session.stepped.connect(self._throttle.request)
        self.session.derived_arrived.connect(self._throttle.request)  # values the worker computed afterwards
        self.session.derive("watch", self._derive, slow=True)

    def hook(self) -> None:
        """Watch every operation only while there are watches: a watcher makes Run go operation by
        operation instead of taking its whole-iteration path."""
        watchers = self.session.op_watchers
        if self.watches and self.after_op not in watchers:
            watchers.append(self.after_op)
        elif not self.watches and self.after_op in watchers:
            watchers.remove(self.after_op)

    def _names(self, values: dict) -> dict:
        return watch_values(values, self.session.m, self.session.design.learning_rate)

    def evaluate(self, watch: Watch, names: dict, where: str, pausing: bool = True) -> str | None:
        """Update ``watch.text``; a pause reason when it is a breakpoint that just became true."""
        watch.seen = _inputs(watch, names)
        try:
            value = watch.expression.evaluate(names)
            watch.text = describe(value)
            if not (watch.breaks and pausing):
                return None
            true = watch.expression.is_true(names)
        except WatchError as err:
            watch.text = f"— {err}"
            return None
        became = true and watch.was_true is not True
        watch.was_true = true
        return f"watch {watch.expression.text} is true {where}" if became else None

    def after_op(self, op, values: dict) -> str | None:
        """On the worker, after every operation: the watches that read what it wrote."""
        reason = None
        names = None
        for watch in list(self.watches):
            if op.key not in watch.expression.names and watch.seen is not None:
                continue
            names = names if names is not None else self._names(values)
            found = self.evaluate(watch, names, f"after {op.symbol} (iteration {self.session.stepper.iteration})")
            reason = reason or found
        return reason

    def _derive(self, snapshot) -> tuple[str, ...] | None:
        """On the worker, for a state shown while not running (after Step Back, a new network, a new
        watch): the watches not yet computed from its arrays; their texts as shown."""
        if snapshot.running or not self.watches:
            return None
        names = self._names(snapshot.values)
        for watch in list(self.watches):
            if not _same_inputs(watch.seen, _inputs(watch, names)):
                self.evaluate(watch, names, "", pausing=False)
        return tuple(watch.text for watch in self.watches)

    def compute_new(self) -> None:
        """A watch was added: its value comes from the worker (``derived_arrived``); while a run or a
        step is in progress, that job computes it."""
        s = self.session
        if not (s.running or s.busy):
            s.derive_again({"watch"})


def install_watch(window: QMainWindow) -> WatchList:
    """Add Debug ▸ Watch Expressions and its dock to ``window``; returns the controller."""
    return WatchList(window)
