"""The step list: every operation of the iteration in order, the current one highlighted."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QMenu, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from ..engine import operation_line
from ..session import Session
from . import appearance as looks
from .theme import Appearance

NEXT_MARK = "▶"
BREAK_MARK = "●"
BREAK_COLOR = "#c0392b"


class StepListView(QWidget):
    """``Z[1] = W[1]·A[0] + b[1]    (7×12288)(12288×209) + (7×1) → 7×209``, one line per operation.

    The operation just performed is selected; the next one carries a ▶.  Clicking
    a line below the current one runs training until that operation has been
    performed; a line above it steps back to it, exactly, when the step-back
    history reaches that far, and otherwise is reached in the next iteration
    (``message`` says which).  Clicking the left margin,
    or "Toggle Breakpoint" in the right-click menu, sets a breakpoint (●): a run,
    a pass or auto-stepping pauses after that operation, like a debugger.
    """

    run_requested = Signal(int)
    message = Signal(str)  # what a click did, for the status bar

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.marks: dict[int, tuple[str, str, str]] = {}
        self._rows: dict[int, tuple] = {}  # what each line's margin and weight show now
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("stepList")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["", "Operation", "Shapes"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        session.network_changed.connect(self._rebuild)
        session.stepped.connect(self._show_position)
        session.breakpoints_changed.connect(self._show_position)
        self.appearance = looks.appearance_model().current
        looks.connect(self, self.apply_appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        """Rows in the theme's phase colours and tints (the font is the window's)."""
        self.appearance = appearance
        self._rebuild()

    def _rebuild(self) -> None:
        session = self.session
        shapes = session.plan_shapes()
        colors = self.appearance.colors
        self.tree.clear()
        self._rows = {}
        for op in session.plan:
            equation, algebra = operation_line(op, shapes)
            item = QTreeWidgetItem(["", equation, algebra])
            item.setData(0, Qt.ItemDataRole.UserRole, op.index)
            item.setForeground(1, QBrush(QColor(colors.phase(op.phase))))
            for column in range(3):
                item.setBackground(column, QBrush(QColor(colors.tint(op.phase))))
            item.setToolTip(1, f"{equation}\n{op.phase}, layer {op.layer}")
            item.setToolTip(2, algebra)
            self.tree.addTopLevelItem(item)
        self._fit_columns()
        self._show_position()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:  # the window's text grew or shrank: so do the columns
            self._fit_columns()
        super().changeEvent(event)

    def _fit_columns(self) -> None:
        """The equation column as wide as its lines, but never so wide that the shapes vanish:
        the long cost lines are elided in the middle (the tooltip has them whole)."""
        metrics = self.tree.fontMetrics()
        widths = sorted(metrics.horizontalAdvance(self.tree.topLevelItem(i).text(1)) + 24
                        for i in range(self.tree.topLevelItemCount()))
        if widths:
            typical = widths[int(0.85 * (len(widths) - 1))]  # most lines whole; J and dA[L] elided
            self.tree.setColumnWidth(1, min(widths[-1], typical))

    def _show_position(self) -> None:
        session = self.session
        current = session.record.op.index if session.record else -1
        for index in range(self.tree.topLevelItemCount()):
            mark = (BREAK_MARK if session.has_breakpoint(index) else "") + (NEXT_MARK if index == session.position else "")
            trace_mark, trace_colour, trace_tip = self.marks.get(index, ("", "", ""))
            colour = BREAK_COLOR if session.has_breakpoint(index) else self._mark_colour(trace_colour)
            row = (trace_mark + mark, trace_tip, colour, index == current)
            if self._rows.get(index) == row:  # a step changes two lines: the others are not redrawn
                continue
            self._rows[index] = row
            item = self.tree.topLevelItem(index)
            item.setText(0, row[0])
            item.setToolTip(0, trace_tip)
            item.setForeground(0, QBrush(QColor(colour)))
            font = QFont()  # bold only: the size stays the list's own, whatever font the window has later
            font.setBold(index == current)
            item.setFont(1, font)
        self.tree.blockSignals(True)
        if current >= 0:
            item = self.tree.topLevelItem(current)
            self.tree.setCurrentItem(item)
            self.tree.scrollToItem(item, QAbstractItemView.ScrollHint.EnsureVisible)
        else:
            self.tree.clearSelection()
        self.tree.blockSignals(False)

    def _mark_colour(self, tone: str) -> str:
        """A mark's colour: the theme's of a verdict ('ok', 'suspicious', 'wrong') or 'muted', else ``tone`` itself."""
        colours = self.appearance.colors
        if tone in colours.verdicts:
            return colours.verdict(tone)
        return colours.muted if tone == "muted" else tone or colours.text

    def set_marks(self, marks: dict[int, tuple[str, str, str]] | None) -> None:
        """Marks in the margin, by plan index: (text, tone or colour, tooltip), e.g. how a trace's array
        compares (tones as ``_mark_colour``); None removes them."""
        self.marks = dict(marks or {})
        self._show_position()

    def _clicked(self, item: QTreeWidgetItem, column: int) -> None:
        index = item.data(0, Qt.ItemDataRole.UserRole)
        if column == 0:  # the margin, as in a debugger
            self.session.toggle_breakpoint(index)
            return
        session, record = self.session, self.session.record
        if session.busy or (record is not None and record.op.index == index):
            return
        if self.back_to(index):
            return
        if self.steps_back_to(index):
            op = session.plan[index]
            self.message.emit(f"{op.symbol} is {self.steps_back_to(index)} operations back, further than step back "
                              f"keeps ({session.stepper.history_length}; Preferences): running on to it in the "
                              "next iteration")
        self.run_requested.emit(index)
        session.run_through(index)

    def steps_back_to(self, index: int) -> int:
        """How many operations back line ``index`` is (0 when it is not above the operation shown)."""
        record = self.session.record
        return record.op.index - index if record is not None and index < record.op.index else 0

    def back_to(self, index: int) -> bool:
        """Step back to line ``index`` (above the operation shown) if the history reaches it; says so."""
        back = self.steps_back_to(index)
        if not back or not self.session.step_back(back):
            return False
        self.message.emit(f"Stepped back {back} operation{'s' * (back > 1)} to {self.session.plan[index].symbol}, exactly")
        return True

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        index = item.data(0, Qt.ItemDataRole.UserRole)
        menu = QMenu(self)
        toggle = menu.addAction("Remove Breakpoint" if self.session.has_breakpoint(index) else "Set Breakpoint")
        toggle.triggered.connect(lambda: self.session.toggle_breakpoint(index))
        back = self.steps_back_to(index)
        if back:
            step_back = menu.addAction(f"Step Back to Here ({back} operation{'s' * (back > 1)})")
            step_back.setEnabled(not self.session.busy and self.session.stepper.history_length >= back)
            step_back.triggered.connect(lambda: self.back_to(index))
        run = menu.addAction("Run to Here" + (" (next iteration)" if back else ""))
        run.setEnabled(not self.session.busy)
        run.triggered.connect(lambda: self.session.run_through(index))
        menu.popup(self.tree.viewport().mapToGlobal(pos))
        self.context_menu = menu

    def line(self, index: int) -> str:
        """The text of line ``index`` as shown (equation and shapes)."""
        item = self.tree.topLevelItem(index)
        return f"{item.text(1)}   {item.text(2)}"

    def current_index(self) -> int:
        item = self.tree.currentItem()
        return -1 if item is None else int(item.data(0, Qt.ItemDataRole.UserRole))
