"""Save and open session files, and ask before unsaved training is thrown away."""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from ..session.persist import SUFFIX
from ..session.session import LONG_RUN  # noqa: F401  (the window's Reset used to read it from here)

if TYPE_CHECKING:
    from .window import MainWindow

FILTER = f"nnviz session (*{SUFFIX});;All files (*)"


class SessionFiles:
    """actionOpenSession, actionSaveSession, actionSaveSessionAs and the unsaved-work questions."""

    def __init__(self, window: "MainWindow") -> None:
        self.window = window
        self.session = window.session
        self.actionOpenSession = self._action("actionOpenSession", "Open &Session…", self.open, "Ctrl+Shift+O")
        self.actionSaveSession = self._action("actionSaveSession", "&Save Session", self.save,
                                              QKeySequence.StandardKey.Save)
        self.actionSaveSessionAs = self._action("actionSaveSessionAs", "Save Session &As…", self.save_as,
                                                QKeySequence.StandardKey.SaveAs)
        menu = window.menus["file"]
        first = menu.actions()[0] if menu.actions() else None
        for action in (self.actionOpenSession, self.actionSaveSession, self.actionSaveSessionAs):
            menu.insertAction(first, action)
        menu.insertSeparator(first)
        self.session.discard_guard = self.confirm_discard  # every path that would lose training asks here
        self.session.saved_changed.connect(self.update_title)
        self.session.dataset_changed.connect(self.update_title)
        self.update_title()

    def _action(self, name: str, text: str, slot, shortcut) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        setattr(self.window, name, action)
        return action

    def update_title(self) -> None:
        s = self.session
        name = Path(s.file_path).name if s.file_path else f"untitled ({s.dataset.name})"
        mark = " *" if s.has_unsaved_training else ""
        self.window.setWindowTitle(f"nnviz — {name}{mark} — backpropagation, step by step")

    # -- saving ---------------------------------------------------------------------------
    def _ask_path(self) -> str | None:
        start = self.session.file_path or str(Path(self.window.last_folder("session")) / f"nnviz-session{SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save Session", start, FILTER)
        if not path:
            return None
        self.window.remember_folder(path, "session")
        return path if path.endswith(SUFFIX) else path + SUFFIX

    def save(self) -> bool:
        path = self.session.file_path or self._ask_path()
        return bool(path) and self._save_to(path)

    def save_as(self) -> bool:
        path = self._ask_path()
        return bool(path) and self._save_to(path)

    def _save_to(self, path: str) -> bool:
        """Save and wait for it (the event loop keeps running): callers may close the window next."""
        self.session.save(path)
        deadline = time.monotonic() + 120
        while self.session.busy and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return self.session.file_path == path and not self.session.has_unsaved_training

    # -- opening ----------------------------------------------------------------------------
    def open(self) -> None:
        """Pick a file, then the session asks about unsaved training and opens it (all or nothing)."""
        start = str(Path(self.session.file_path).parent) if self.session.file_path else self.window.last_folder("session")
        path, _ = QFileDialog.getOpenFileName(self.window, "Open Session", start, FILTER)
        if path:
            self.window.remember_folder(path, "session")
            self.session.open_session(path)

    # -- the question ------------------------------------------------------------------------
    def confirm_discard(self, what: str, at_least: int = 1) -> bool:
        """True when it is fine to go on: nothing unsaved, or the user saved or chose to discard it."""
        s = self.session
        if not s.has_unsaved_training or s.unsaved_iterations < at_least:
            return True
        answer = QMessageBox.question(
            self.window, "Unsaved training",
            f"{s.unsaved_iterations} iterations of training are not saved and would be lost. "
            f"Save the session before you {what}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard


def install_session_files(window: "MainWindow") -> SessionFiles:
    return SessionFiles(window)
