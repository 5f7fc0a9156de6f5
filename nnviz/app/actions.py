"""Making an action: object name, text, shortcut, tips and slot in one call."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence


def make_action(parent: QObject, name: str, text: str, slot: Callable[[], object] | None = None,
                shortcut: str | QKeySequence | None = None, tip: str = "", checkable: bool = False) -> QAction:
    """A QAction called ``name`` (its objectName, for tests and settings); ``slot`` gets no arguments."""
    action = QAction(text, parent)
    action.setObjectName(name)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.setCheckable(checkable)
    if slot is not None:
        action.triggered.connect(lambda checked=False: slot())
    return action
