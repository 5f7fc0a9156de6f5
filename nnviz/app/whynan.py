"""Debug ▸ Why NaN/Inf?: when the NaN/Inf breakpoint trips, the first bad element, the operand values
that made it, the cause and the usual fix — in a dock that comes forward by itself."""
from __future__ import annotations

import html

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QScrollArea

from ..engine.whynan import NonfiniteCause, why_nonfinite
from ..views import appearance as looks
from ..views.style import mono_font
from .docks import show_dock, tabbed_dock

IDLE_TEXT = "No NaN or Inf in the operation shown. When one appears, this panel says where it came from."


class WhyNan(QObject):
    """The dock, its action, and the explanation of ``session.record`` (``cause``: the last one found)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.cause: NonfiniteCause | None = None
        self.label = QLabel(IDLE_TEXT)
        self.label.setObjectName("whyNanText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setMargin(6)
        area = QScrollArea()
        area.setWidget(self.label)
        area.setWidgetResizable(True)
        self.dock = tabbed_dock(window, "whyNanDock", "Why NaN/Inf", area)
        self.action = QAction("Why &NaN/Inf?", window)
        self.action.setObjectName("actionWhyNan")
        self.action.setStatusTip("Where the first NaN or Inf of the operation shown came from, and what helps")
        self.action.triggered.connect(self.explain_now)
        window.menus["debug"].addAction(self.action)
        self.session.paused.connect(self._paused)
        looks.appearance_model().changed.connect(self._show_cause)  # its heading is in the theme's colour

    def explain(self) -> NonfiniteCause | None:
        """The cause for the operation shown (None when its result is finite)."""
        s = self.session
        record = s.record
        if record is None or not record.has_nonfinite or s.busy:
            return None
        before = {}
        if record.key in record.op.operands:  # an update: what it read is the value it overwrote
            old = s.stepper.replaced_value(record.key)
            if old is not None:
                before[record.key] = old
        values = dict(s.values)
        values[record.key] = record.value
        return why_nonfinite(record.op, values, before)

    def explain_now(self) -> None:
        self.cause = self.explain()
        self._show_cause()
        show_dock(self.dock)

    def _show_cause(self, *_) -> None:
        if self.cause is None:
            self.label.setText(html.escape(IDLE_TEXT))
            return
        lines = self.cause.text().splitlines()
        body = "<br>".join(html.escape(line).replace("  ", "&nbsp;&nbsp;") for line in lines[1:-2])
        wrong = looks.appearance_model().current.colors.verdict("wrong")
        self.label.setText(
            f"<b style='color:{wrong}'>{html.escape(lines[0])}</b><br>"
            f"<span style='font-family:{mono_font().family()}'>{body}</span><br>"
            f"<b>{html.escape(lines[-2])}</b><br>{html.escape(lines[-1])}")

    def _paused(self, reason: str) -> None:
        record = self.session.record
        if record is not None and record.has_nonfinite:
            self.explain_now()


def install_why_nan(window: QMainWindow) -> WhyNan:
    """Add Debug ▸ Why NaN/Inf? and its dock to ``window``; returns the controller."""
    return WhyNan(window)
