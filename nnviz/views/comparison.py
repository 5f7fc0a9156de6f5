"""A trace beside nnviz's: the verdict of every array, and theirs, ours and the difference as heatmaps."""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QSizePolicy, QSplitter, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from ..engine.compare import CLOSE, CONVENTIONS, DIFFERENT, EXACT, MISSING, WRONG_SHAPE, ArrayComparison, CompareReport
from ..session import Session
from .heatmap import HeatmapPanel
from . import appearance as looks
from .style import VERDICT_TINTS

COLUMNS = ("array", "theirs", "ours", "max |diff|", "verdict")
DIFFERS = "#70ff00ff"  # differing cells: a translucent magenta (as NaN cells, but the values show through)
VERDICT_TONES = {EXACT: "ok", CLOSE: "ok", DIFFERENT: "wrong", WRONG_SHAPE: "wrong", MISSING: None}
MISSING_TINT = "#eeeeee"

# what the step list shows per verdict: a mark and its tone (the step list takes the theme's colour of it)
STEP_MARKS = {EXACT: ("✓", "ok"), CLOSE: ("≈", "ok"), DIFFERENT: ("✗", "wrong"), WRONG_SHAPE: ("✗", "wrong"),
              MISSING: ("·", "muted")}


def step_marks(report: CompareReport, iteration: int) -> dict[int, tuple[str, str, str]]:
    """Plan index -> (mark, tone, tooltip) for the step list, from one iteration of ``report``."""
    marks = {}
    first = report.first
    for row in report.rows_of(iteration):
        mark, colour = STEP_MARKS[row.verdict]
        tip = f"the trace's {row.symbol}: {row.verdict}"
        if row is first:
            mark, tip = "✗!", tip + " — the first difference"
        marks[row.index] = (mark, colour, tip)
    return marks


def summary_html(report: CompareReport, colours=None) -> str:
    """The likely bug in words (or that everything matches), the convention and the tolerance, in
    ``colours`` (a Theme; default: the current appearance's)."""
    colours = colours or looks.appearance_model().current.colors
    first = report.first
    if first is None:
        head = f"<b style='color:{colours.verdict('ok')}'>{html.escape(report.summary().capitalize())}</b>"
    else:
        where = f"{first.symbol}" + (f" (iteration {first.iteration})" if first.iteration else "")
        head = f"<b style='color:{colours.verdict('wrong')}'>First difference: {html.escape(where)}</b>"
        if report.mistake is not None:
            head += f"<br>Looks like: <b>{html.escape(report.mistake.text)}</b>"
            for other in report.mistake.alternatives:
                head += f"<br>or, just as well: {html.escape(other.text)}"
        else:
            head += "<br>No classic mistake explains it exactly."
        if report.inputs:
            head += "<br>" + html.escape(report.inputs[0])
    tail = (f"Convention: {html.escape(CONVENTIONS[report.convention])}; close means within "
            f"{report.tolerance:g}·(|ours| + max|ours|)")
    return f"{head}<br><span style='color:{colours.muted}'>{tail}</span>"


class ComparisonView(QWidget):
    """The report's rows for one iteration, and the selected array as theirs, ours and theirs − ours.

    Follows the session: the operation just performed selects its row. Public: ``summary_label``,
    ``table`` ("comparisonTable"), ``panels`` (theirs, ours, difference), ``report``, ``shown``
    (the ArrayComparison on the heatmaps), ``set_report``, ``show_row``.
    """

    row_chosen = Signal(int)  # plan index of a row the user clicked

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparison")
        self.session = session
        self.report: CompareReport | None = None
        self.iteration = 0
        self.shown: ArrayComparison | None = None
        self.summary_label = QLabel("File ▸ Compare With Trace… puts a trace of your own backprop beside nnviz's.")
        self.summary_label.setObjectName("comparisonSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        looks.appearance_model().changed.connect(self._restyle_summary)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("comparisonTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.cellClicked.connect(lambda row, col: self._clicked(row))
        self.panels = [HeatmapPanel(self) for _ in range(3)]
        heatmaps = QWidget()
        row = QHBoxLayout(heatmaps)
        row.setContentsMargins(0, 0, 0, 0)
        for panel in self.panels:
            row.addWidget(panel, 1)
        left = QWidget()  # the words and the table on the left, so the heatmaps get the dock's whole height
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.summary_label)
        column.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(heatmaps)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter, 1)
        session.stepped.connect(self.follow_session)

    def _restyle_summary(self, appearance) -> None:
        if getattr(self, "report", None) is not None:
            self.summary_label.setText(summary_html(self.report, appearance.colors))

    # -- the report ---------------------------------------------------------------------
    def set_report(self, report: CompareReport | None) -> None:
        """Show ``report`` (None: clear); the iteration shown is the first difference's, or the first one."""
        self.report = report
        self.shown = None
        self.table.setRowCount(0)
        if report is None:
            self.summary_label.setText("No trace is compared (the network changed).")
            for panel in self.panels:
                panel.set_note("", "")
            return
        first = report.first
        self.iteration = first.iteration if first else report.iterations[0]
        self.summary_label.setText(summary_html(report))
        rows = report.rows_of(self.iteration)
        self.table.setRowCount(len(rows))
        for r, comparison in enumerate(rows):
            diff = "" if comparison.max_abs is None else f"{comparison.max_abs:.3g}"
            texts = (comparison.symbol, comparison.their_shape, comparison.our_shape, diff, comparison.verdict)
            tone = VERDICT_TONES[comparison.verdict]
            tint = QColor(VERDICT_TINTS[tone] if tone else MISSING_TINT)
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setBackground(tint)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, comparison.index)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(self.table.horizontalHeader().length() + frame + 24)
        self.show_row(first.index if first else rows[0].index)

    def row_for(self, index: int) -> ArrayComparison | None:
        if self.report is None:
            return None
        return next((row for row in self.report.rows_of(self.iteration) if row.index == index), None)

    def show_row(self, index: int) -> None:
        """Theirs, ours and the difference of the operation at plan ``index``, differing cells marked."""
        row = self.row_for(index)
        if row is None:
            return
        self.shown = row
        self.table.blockSignals(True)
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == index:
                self.table.selectRow(r)
                self.table.scrollToItem(self.table.item(r, 0))
        self.table.blockSignals(False)
        theirs, ours, difference = self.panels
        if row.theirs is None:
            theirs.set_note(row.symbol, "not in the trace", "theirs ")
        else:
            theirs.set_matrix(row.symbol, np.atleast_2d(row.theirs) if row.theirs.ndim == 0 else row.theirs,
                              lead="theirs ")
        ours.set_matrix(row.symbol, row.ours, lead="ours ")
        diff = row.difference
        if diff is None:
            text = ("nothing to subtract" if row.theirs is None
                    else f"the shapes differ: theirs {row.their_shape}, ours {row.our_shape}")
            difference.set_note(f"theirs − ours", text)
            return
        difference.set_matrix(row.symbol, diff, lead="theirs − ours ")
        mask = row.differing_cells(self.report.tolerance)
        if mask is not None and mask.any() and difference.matrix is not None and difference.matrix.size > 1:
            difference.mark_cells(mask, DIFFERS)  # theirs stays readable beside it

    def _clicked(self, table_row: int) -> None:
        index = self.table.item(table_row, 0).data(Qt.ItemDataRole.UserRole)
        self.show_row(index)
        self.row_chosen.emit(index)

    def follow_session(self) -> None:
        record = self.session.record
        if self.report is not None and record is not None and record.iteration == self.iteration:
            self.show_row(record.op.index)
