"""Diagnostics beside the plots: dead ReLUs, saturated units and α‖dW[l]‖/‖W[l]‖ per layer, with hints."""
from __future__ import annotations

import logging
import math
import time

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractScrollArea, QBoxLayout, QDockWidget, QHeaderView, QLabel, QMainWindow, QSizePolicy,
    QTableWidget, QTableWidgetItem, QToolButton, QWidget,
)

from ..engine.diagnostics import RATIO_HIGH, RATIO_LOW, LayerDiagnostics, diagnose, fitted_cost
from ..engine.numbers import number_text
from ..session import Session
from ..session.snapshot import SameArrays
from . import appearance as looks
from .style import VERDICT_TEXT, VERDICT_TINTS, restyle
from .throttle import hidden_in_shown_window

log = logging.getLogger(__name__)

COLUMNS = ("layer", "g", "units", "dead", "saturated", "α‖dW‖/‖W‖")
HEADER_TIPS = (
    "Layer l",
    "The layer's activation g",
    "n[l], the layer's units",
    "Dead ReLU units: Z[l] ≤ 0 on every example, so they pass no gradient and never learn again",
    "sigmoid/tanh units saturated on most examples: g'(Z) is almost 0, so gradients vanish",
    "α‖dW[l]‖/‖W[l]‖: how far one update moves W[l], relative to W[l]; around 1e-3 is healthy, "
    f"above {RATIO_HIGH:g} α is too large, below {RATIO_LOW:g} learning crawls",
)
NOT_APPLICABLE = "—"
MIN_INTERVAL = 0.2  # seconds between recomputations while running: at most 5 a second
POINTS = 11
MIN_TABLE_ROWS = 3  # rows the table keeps when the dock is short (more scroll)
PLOTS_MIN_WIDTH = 520  # px the two training plots keep beside the table; with less room the dock is a tab


def tones(d: LayerDiagnostics) -> tuple[str | None, str | None, str | None]:
    """The tones of the dead, saturated and ratio cells of layer ``d`` (the engine's rules decide them)."""
    return d.tones


def severity(d: LayerDiagnostics) -> str | None:
    """The worst of the layer's cells: 'wrong' (red), 'suspicious' (amber), or None when it looks healthy."""
    return d.severity


def count_text(count: int | None, units: int) -> str:
    return NOT_APPLICABLE if count is None else f"{count} of {units}"


def ratio_text(ratio: float | None) -> str:
    if ratio is None:
        return NOT_APPLICABLE
    return f"{ratio:.1e}" if math.isfinite(ratio) else ("NaN" if math.isnan(ratio) else "∞")


class DiagnosticsView(QWidget):
    """One row per layer from the latest Z[l], W[l], dW[l] in ``session.values``; hints below in red or amber.

    The numbers are computed by the session wherever it makes a state (its worker while
    training: ‖W[1]‖ of a 4096×12288 layer takes longer than a frame), as ``derived["diagnostics"]``.

    Public: ``table`` ("diagnosticsTable"), ``hint_label`` ("diagnosticsHints"), ``diagnostics``
    (the LayerDiagnostics shown), ``warnings`` (layers with a hint), ``refresh()`` (recompute now),
    ``cell_text(layer, column)``.
    """

    warnings_changed = Signal(int)  # how many layers show a hint

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diagnostics")
        self.session = session
        self.diagnostics: list[LayerDiagnostics] = []
        self.warnings = 0
        self.worst: str | None = None  # 'wrong' or 'suspicious' while there are warnings
        self.refresh_count = 0
        self._stale = False  # the table was not redrawn while it could not be seen
        self._last = -math.inf
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        self._build()
        # worked out again only when a Z, W or dW it reads was replaced (or the network or α changed)
        session.derive("diagnostics", SameArrays(lambda values, state: diagnose(state.spec, values, state.learning_rate),
                                                 lambda state: (state.spec, state.learning_rate)))
        session.stepped.connect(self.schedule)  # also after α changed: the session derives again
        session.network_changed.connect(self.refresh)
        self.refresh()
        looks.appearance_model().changed.connect(self._appearance_changed)

    def _appearance_changed(self, appearance) -> None:
        self._show_hints()  # the hints' colours are the theme's

    def _build(self) -> None:
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("diagnosticsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for c, tip in enumerate(HEADER_TIPS):
            self.table.horizontalHeaderItem(c).setToolTip(tip)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        font = self.font()
        font.setPointSizeF(POINTS)
        self.table.setFont(font)
        self.table.horizontalHeader().setFont(font)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)  # shrinks, then scrolls
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("diagnosticsHints")
        self.hint_label.setFont(font)
        self.hint_label.setWordWrap(True)
        self.hint_label.setTextFormat(Qt.TextFormat.RichText)
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.hint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.layout_box.setContentsMargins(4, 4, 4, 4)
        self.layout_box.setSpacing(8)
        self.layout_box.addWidget(self.table, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.layout_box.addWidget(self.hint_label, 1)

    def table_size(self) -> QSize:
        """The table with every row and column showing, without scroll bars."""
        table, header = self.table, self.table.horizontalHeader()
        width = sum(max(header.sectionSizeHint(c), table.sizeHintForColumn(c)) for c in range(table.columnCount()))
        rows = max(table.rowCount(), 1)
        height = header.sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
        return QSize(width + 2 * table.frameWidth(), height + 2 * table.frameWidth())

    def _fit_table(self) -> None:
        size = self.table_size()
        self.table.setMaximumSize(size)
        rows = MIN_TABLE_ROWS * self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(min(size.height(), self.table.horizontalHeader().sizeHint().height() + rows))
        self._arrange()

    def _arrange(self) -> None:
        """Hints beside the table when the view is wide (a tab of its own), below it when narrow."""
        wide = self.width() >= 2 * self.table_size().width()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.layout_box.direction() != direction:
            self.layout_box.setDirection(direction)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    # -- following the session -----------------------------------------------------------
    def schedule(self) -> None:
        """Recompute now; while running, at most once per MIN_INTERVAL (the last state is always shown)."""
        if self._timer.isActive():
            return
        wait = MIN_INTERVAL - (time.monotonic() - self._last) if self.session.running else 0
        if wait <= 0:
            self.refresh()
        else:
            self._timer.start(int(wait * 1000) + 1)

    def refresh(self, even_unseen: bool = False) -> None:
        self._timer.stop()
        self._last = time.monotonic()
        self.refresh_count += 1
        s = self.session
        self.diagnostics = s.derived.get("diagnostics") or []
        if not even_unseen and hidden_in_shown_window(self):  # a tab behind the plots: only the count its title and badge show
            self._stale = True
            self._show_hints(written=False)
            return
        self._stale = False
        self.table.setRowCount(len(self.diagnostics))
        for r, d in enumerate(self.diagnostics):
            self._show_row(r, d)
        self._show_hints()
        self._fit_table()

    def _show_row(self, r: int, d: LayerDiagnostics) -> None:
        cells = (str(d.layer), d.activation, str(d.units), count_text(d.dead, d.units),
                 count_text(d.saturated, d.units), ratio_text(d.update_ratio))
        for c, (text, tone) in enumerate(zip(cells, (None, None, None, *tones(d)))):
            item = self.table.item(r, c)
            if item is None:
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter if c < 3 else
                                      Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
            item.setText(text)
            item.setToolTip(d.hint or d.note)
            item.setBackground(QColor(VERDICT_TINTS[tone]) if tone else QColor(0, 0, 0, 0))
            item.setForeground(QColor(VERDICT_TEXT[tone]) if tone else self.palette().text().color())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _show_hints(self, written: bool = True) -> None:
        lines, colours = [], looks.appearance_model().current.colors
        for d in self.diagnostics:
            tone = severity(d)
            if tone:
                lines.append(f"<span style='color:{colours.verdict(tone)}'><b>Layer {d.layer}:</b> {d.hint}</span>")
        worst = "wrong" if any(severity(d) == "wrong" for d in self.diagnostics) else "suspicious" if lines else None
        if len(lines) != self.warnings or worst != self.worst:
            self.warnings, self.worst = len(lines), worst
            self.warnings_changed.emit(self.warnings)
        if not written:
            return
        if lines:
            self.hint_label.setText("<br>".join(lines))
        elif any(d.update_ratio is not None for d in self.diagnostics):
            s = self.session
            J = fitted_cost(s.spec, s.values)
            fits = "" if J is None else f" The network fits its training data (J = {number_text(J)}): small updates are expected."
            self.hint_label.setText(f"<span style='color:{colours.verdict('ok')}'>No warning signs in any layer.{fits}</span>")
        else:
            self.hint_label.setText("Update ratios appear after the first backward pass (dW[l]).")

    def cell_text(self, layer: int, column: str) -> str:
        """The text shown for layer l (1-based) in ``column`` (one of COLUMNS)."""
        if self._stale:  # read while its tab is behind another: the state shown now
            self.refresh(even_unseen=True)
        return self.table.item(layer - 1, COLUMNS.index(column)).text()


class DiagnosticsDock(QObject):
    """The "Diagnostics" dock beside the training plots, and its View menu entry."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = DiagnosticsView(window.session)
        dock = QDockWidget("Diagnostics", window)
        dock.setObjectName("diagnosticsDock")
        dock.setWidget(self.view)
        self.dock = dock
        plots = window.docks["plotsDock"]
        self.restored = window.restoreDockWidget(dock)  # the window's saved layout, when it was read before
        if not self.restored:
            window.addDockWidget(window.dockWidgetArea(plots), dock)
            window.splitDockWidget(plots, dock, Qt.Orientation.Horizontal)
        window.docks["diagnosticsDock"] = dock
        # a real warning shows outside the tab too: a button in the status bar that brings the dock forward
        self.badge = QToolButton(window)
        self.badge.setObjectName("diagnosticsBadge")
        self.badge.setAutoRaise(True)
        self.badge.setToolTip("Diagnostics found warning signs: click to show them")
        self.badge.clicked.connect(self.show_dock)
        window.statusBar().addPermanentWidget(self.badge)
        self.view.warnings_changed.connect(self._show_warnings)
        self._show_warnings(self.view.warnings)
        window.menus["view"].addAction(dock.toggleViewAction())
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Show:
            self.window.removeEventFilter(self)
            if not self.restored:  # new in this layout: give it room once the window has placed its docks
                QTimer.singleShot(0, self, self.apply_default_size)
        return False

    def _show_warnings(self, count: int) -> None:
        """The title says so, so a warning shows even on a tab behind the plots."""
        noun = "warning" if count == 1 else "warnings"
        self.dock.setWindowTitle(f"Diagnostics ({count} {noun})" if count else "Diagnostics")
        self.badge.setText(f"⚠ {count} diagnostics {noun}")
        tone = self.view.worst or "suspicious"
        restyle(self.badge, f"QToolButton {{ color: {VERDICT_TEXT[tone]}; background: {VERDICT_TINTS[tone]};"
                            " border-radius: 3px; padding: 0 6px; font-weight: bold; }")
        self.badge.setVisible(count > 0)

    def show_dock(self) -> None:
        """Show the Diagnostics dock (in front of the tabs it shares)."""
        self.dock.show()
        self.dock.raise_()

    def apply_default_size(self) -> None:
        """Beside the plots at the width of its table, or a tab beside them when there is not room for both
        (and on short screens, where the plots share the top with the diagram)."""
        window, plots, dock = self.window, self.window.docks["plotsDock"], self.dock
        both = plots.width() + dock.width()
        width = self.wanted_width()
        if window.dockWidgetArea(plots) != window.dockWidgetArea(dock) or both - width < PLOTS_MIN_WIDTH:
            group = [plots, *window.tabifiedDockWidgets(plots)]
            front = next((d for d in group if not d.visibleRegion().isEmpty()), plots)
            window.tabifyDockWidget(plots, dock)
            front.raise_()
            return
        window.resizeDocks([plots, dock], [both - width, width], Qt.Orientation.Horizontal)

    def wanted_width(self) -> int:
        return self.view.table_size().width() + 16


def install_diagnostics(window: QMainWindow) -> DiagnosticsDock:
    """Put a DiagnosticsView in a "Diagnostics" dock beside ``window.docks['plotsDock']``; returns its controller."""
    return DiagnosticsDock(window)
