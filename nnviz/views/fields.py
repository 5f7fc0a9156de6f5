"""Input fields: a number field that reads scientific notation, and Ctrl+Z that undoes an edit already made."""
from __future__ import annotations

import math
import re

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QWidget

_NUMBER = re.compile(r"^\s*[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


class ScientificSpinBox(QDoubleSpinBox):
    """A positive number typed as 0.0075, 7.5e-3 or 1e-4.  Anything else ('0,5', 'abc', '-1') stays
    visible while typed and is refused at Enter: the value stays and ``refused`` says why (never
    read as something else, such as 5 for '0,5').  The arrows step by a tenth of the value's decade."""

    refused = Signal(str)  # a one-line reason, e.g. "0,5 is not a number: write 0.5"

    def __init__(self, minimum: float, maximum: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(15)  # QDoubleSpinBox rounds values to its decimals: keep 1e-12 a number, not 0
        self.setRange(minimum, maximum)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if _NUMBER.match(text) and self.minimum() <= float(text) <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos  # shown as typed; refused at Enter if still not a number

    def valueFromText(self, text: str) -> float:
        return float(text) if _NUMBER.match(text) else self.value()

    def textFromValue(self, value: float) -> str:
        text = f"{value:.6g}"
        return re.sub(r"e([+-])0*(\d+)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)

    def fixup(self, text: str) -> str:
        typed = text.strip()
        if typed and typed != self.textFromValue(self.value()):
            self.refused.emit(self.reason(typed))
        return self.textFromValue(self.value())  # back to the value the field holds

    def reason(self, typed: str) -> str:
        """Why ``typed`` is not taken."""
        low, high = self.textFromValue(self.minimum()), self.textFromValue(self.maximum())
        if _NUMBER.match(typed.lstrip("-")) and (typed.startswith("-") or float(typed) < self.minimum()
                                                  or float(typed) > self.maximum()):
            return f"{typed} is out of range: give a number from {low} to {high}"
        if _NUMBER.match(typed.replace(",", ".")):
            return f"{typed} is not a number: write {typed.replace(',', '.')} (a point, not a comma)"
        return f"{typed} is not a number: write e.g. 0.0075 or 1e-4"

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            step = 10.0 ** math.floor(math.log10(value)) if value > 0 else self.minimum()
            if steps < 0 and value - step <= 0:
                step /= 10.0
            value = value + step if steps > 0 else value - step
        self.setValue(min(max(float(f"{value:.12g}"), self.minimum()), self.maximum()))
        self.editingFinished.emit()


class UndoPassesThrough(QObject):
    """Ctrl+Z and Ctrl+Shift+Z reach the window's Undo and Redo from a spin box whose edit is done.

    A spin box keeps its line edit's own undo, so after typing 0.01 and Enter, Ctrl+Z changed
    the text instead of undoing the design change.  While the text still differs from the value
    (an edit in progress), the keys stay with the field."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QAbstractSpinBox):
            key = event if isinstance(event, QKeyEvent) else None
            undo = key is not None and (key.matches(QKeySequence.StandardKey.Undo)
                                        or key.matches(QKeySequence.StandardKey.Redo))
            done = not hasattr(watched, "textFromValue") or watched.cleanText() == watched.textFromValue(watched.value())
            if undo and done:
                return True  # not accepted: the shortcut goes to the window's action
        return False

    def watch(self, root: QWidget) -> None:
        """Let Undo/Redo through from every spin box under ``root`` (call again when it adds some)."""
        for spin in root.findChildren(QAbstractSpinBox):
            if not spin.property("undoPassesThrough"):
                spin.setProperty("undoPassesThrough", True)
                spin.installEventFilter(self)
