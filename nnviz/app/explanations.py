"""Explanations for students: a dock on the operation shown or selected, and one tooltip per step-list line."""
from __future__ import annotations

import html
import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import QDockWidget, QTextBrowser, QTreeWidgetItem
from shiboken6 import isValid

from ..engine import Operation
from ..engine.explain import NOTES_SLIPS, explain
from ..views import appearance as looks
from ..views.throttle import RunThrottle

log = logging.getLogger(__name__)

TEXT_POINTS = 12.0  # the explanation's size at least: a paragraph to read, not a label to glance at
TOOLTIP_WIDTH = 460  # px: tooltips wrap instead of running across the screen


class Explanations(QObject):
    """Shows ``explain(op)`` for the operation just performed (the next one before the first step),
    or for the line selected in the step list, in ``browser`` inside ``dock``."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.shown_index = -1  # the plan index explained in the dock
        self.sized = False  # the dock got its share of the step list's column once
        self._shown_key: tuple | None = None
        self.browser = QTextBrowser()
        self.browser.setObjectName("explanationText")
        self.browser.setOpenLinks(False)
        self._fit_font()
        window.installEventFilter(self)  # the text follows the window's font (presentation mode enlarges it)
        looks.appearance_model().changed.connect(self._appearance_changed)
        self.dock = QDockWidget("Explanation", window)
        self.dock.setObjectName("explanationDock")
        self.dock.setWidget(self.browser)
        self.action = self.dock.toggleViewAction()
        self.action.setObjectName("actionExplain")
        self.action.setText("&Explain This Step")
        self.action.setShortcut(QKeySequence("F1"))
        self.action.setStatusTip("What the operation does and why, in the notes' notation")
        self.action.setToolTip("Explain the operation shown or the step-list line selected (F1)")
        self.action.toggled.connect(lambda shown: shown and not self.sized and QTimer.singleShot(0, self, self.fit_dock))
        tree = window.step_list.tree
        tree.currentItemChanged.connect(self._line_selected)
        self._follow = RunThrottle(self.session, self.follow_session, 0, self, unseen=self.browser)  # not while closed
        self.session.stepped.connect(self._follow.request)
        self.session.network_changed.connect(self.set_tooltips)
        self.set_tooltips()
        self.follow_session()

    def _fit_font(self) -> None:
        font = QFont(self.window.font())
        font.setPointSizeF(max(TEXT_POINTS, font.pointSizeF()))
        self.browser.setFont(font)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.FontChange:
            self._fit_font()
            QTimer.singleShot(0, self, self._redraw)  # presentation mode also changes the phase colours, right after
        return False

    def _appearance_changed(self, appearance) -> None:
        QTimer.singleShot(0, self, self._redraw)  # in the new phase colours

    def _redraw(self) -> None:
        if not isValid(self.browser):  # the window closed meanwhile
            return
        if self._shown_key is not None and self._shown_key[1] < len(self.session.plan):
            _, index, status = self._shown_key
            self._shown_key = None
            self.show_op(index, status)

    def fit_dock(self) -> None:
        """Below the step list, the explanation takes the room the list's lines leave (at least 40 %),
        the first time it is shown squeezed (a size the user gave it later is kept)."""
        window, steps = self.window, self.window.docks.get("stepsDock")
        if (steps is None or steps.isHidden() or self.dock.isHidden() or self.dock.isFloating()
                or window.dockWidgetArea(steps) != window.dockWidgetArea(self.dock)):
            return
        total = steps.height() + self.dock.height()
        if self.dock.height() >= 0.3 * total:
            return
        self.sized = True
        tree = window.step_list.tree
        lines = tree.topLevelItemCount() * max(tree.sizeHintForRow(0), 1) + tree.header().height()
        needed = lines + 2 * tree.frameWidth() + 4 + steps.height() - tree.height()  # + the dock's title bar
        list_height = max(int(0.4 * total), min(needed, int(0.6 * total)))
        window.resizeDocks([steps, self.dock], [list_height, total - list_height], Qt.Orientation.Vertical)

    # -- text ------------------------------------------------------------------------------
    def _algebra(self, op: Operation, shapes: dict[str, tuple[int, int]] | None = None) -> str:
        shapes = shapes or self.session.plan_shapes()
        return op.shape_algebra([shapes[k] for k in op.operands], shapes[op.key], named=True)

    def html_for(self, op: Operation, status: str = "") -> str:
        """The dock's rich text for ``op``: equation, shape algebra, explanation, the notes' slips."""
        colors = looks.appearance_model().current.colors
        colour = colors.phase(op.phase)
        where = f"{op.phase} · layer {op.layer}" + (f" · {status}" if status else "")
        return (
            f"<h2 style='color:{colour}; margin-bottom:2px'>{html.escape(op.equation)}</h2>"
            f"<p style='font-family:monospace; margin-top:0'>{html.escape(self._algebra(op))}</p>"
            f"<p style='color:{colors.muted}'>{html.escape(where)}</p>"
            f"<p>{html.escape(explain(op, self.session.spec))}</p>"
            f"<h3>Slips in the notes</h3><p>{html.escape(NOTES_SLIPS)}</p>"
        )

    def tooltip_for(self, op: Operation, shapes: dict[str, tuple[int, int]] | None = None) -> str:
        """A step-list line's tooltip: what the view showed (equation, shapes, phase) and the explanation
        (``shapes``: the session's ``plan_shapes()``, when the caller has them already)."""
        return (
            f"<table width='{TOOLTIP_WIDTH}'><tr><td><b>{html.escape(op.equation)}</b><br>"
            f"<code>{html.escape(self._algebra(op, shapes))}</code><br>"
            f"<i>{op.phase}, layer {op.layer}</i>"
            f"<p>{html.escape(explain(op, self.session.spec))}</p></td></tr></table>"
        )

    def text(self) -> str:
        """The dock's text as plain text."""
        self._follow.catch_up()  # the operation shown now, also while the dock is closed
        return self.browser.toPlainText()

    # -- following the session and the step list ------------------------------------------------
    def show_op(self, index: int, status: str = "") -> None:
        """Explain operation ``index`` of the plan in the dock."""
        op = self.session.plan[index]
        key = (id(self.session.spec), index, status)
        if key == self._shown_key:  # a run redraws 20×/s; the text changes only with the operation
            return
        self._shown_key = key
        self.shown_index = index
        self.browser.setHtml(self.html_for(op, status))

    def follow_session(self) -> None:
        record = self.session.record
        if record is None:
            self.show_op(self.session.position, "next")
        else:
            self.show_op(record.op.index, f"performed in iteration {record.iteration}")

    def _line_selected(self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None) -> None:
        """A line the user selected (the step list selects the current operation with signals blocked)."""
        if current is None:
            return
        index = current.data(0, Qt.ItemDataRole.UserRole)
        if index is not None and 0 <= int(index) < len(self.session.plan):
            self.show_op(int(index), "selected in the step list")

    def set_tooltips(self) -> None:
        """Each step-list line explains itself on hover (after the list rebuilt for a new network)."""
        tree = self.window.step_list.tree
        shapes = self.session.plan_shapes()  # once for every line
        for row in range(tree.topLevelItemCount()):
            item = tree.topLevelItem(row)
            index = item.data(0, Qt.ItemDataRole.UserRole)
            if index is None or not 0 <= int(index) < len(self.session.plan):
                continue
            tip = self.tooltip_for(self.session.plan[int(index)], shapes)
            for column in range(tree.columnCount()):
                item.setToolTip(column, tip)


def install_explanations(window) -> Explanations:
    """Add actionExplain (F1, checkable: shows the "explanationDock") to the Help menu.

    The dock starts hidden, below the step list: the default layout is full at 1280×720, and
    every line of the step list already explains itself in its tooltip.  A position the user
    gave it last time is restored from the window's saved state."""
    explanations = Explanations(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, explanations.dock)
    steps = window.docks.get("stepsDock")
    if steps is not None:
        window.splitDockWidget(steps, explanations.dock, Qt.Orientation.Vertical)
    explanations.dock.hide()
    window.docks["explanationDock"] = explanations.dock
    window.restoreDockWidget(explanations.dock)
    help_menu = window.menus["help"]
    help_menu.insertAction(help_menu.actions()[0] if help_menu.actions() else None, explanations.action)
    window.addAction(explanations.action)  # F1 works wherever the focus is
    return explanations
