"""Teaching aids the window installs: numbers in the cells, Help ▸ Keyboard Shortcuts and About, File ▸ New, drops."""
from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QMessageBox

from .. import __version__
from ..session import Design
from ..session.persist import SUFFIX

if TYPE_CHECKING:
    from .window import MainWindow

log = logging.getLogger(__name__)

SHOW_NUMBERS_KEY = "view/showNumbers"
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".npy", ".npz", ".h5", ".hdf5", ".mat")


class Teaching(QObject):
    """actionShowNumbers (View), actionKeyboardShortcuts and actionAbout (Help), actionNew (File), and drops."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        settings = window._settings()
        self.actionShowNumbers = self._action("actionShowNumbers", "&Numbers in Cells", self.show_numbers,
                                              "Ctrl+Shift+N", "Write each value in its cell when the cells are big enough")
        self.actionShowNumbers.setCheckable(True)
        self.actionShowNumbers.setChecked(str(settings.value(SHOW_NUMBERS_KEY, "true")).lower() == "true")
        window.view_menu.addAction(self.actionShowNumbers)
        self.actionCostLogScale = self._action("actionCostLogScale", "Cost on a &Log Scale", window.plots.set_cost_log,
                                               None, "Plot the cost J on a log axis")
        self.actionCostLogScale.setCheckable(True)
        window.view_menu.addAction(self.actionCostLogScale)
        window.inspector.set_numbers_shown(self.actionShowNumbers.isChecked())
        self.actionNew = self._action("actionNew", "&New", self.new, QKeySequence.StandardKey.New,
                                      "Start over: the notes' network on the image demo")
        file_menu = window.menus["file"]
        file_menu.insertAction(file_menu.actions()[0] if file_menu.actions() else None, self.actionNew)
        self.actionKeyboardShortcuts = self._action("actionKeyboardShortcuts", "&Keyboard Shortcuts",
                                                    self.show_shortcuts, None, "Every action's key")
        self.actionAbout = self._action("actionAbout", "&About nnviz", self.show_about, None, "Version and licence")
        window.menus["help"].addAction(self.actionKeyboardShortcuts)
        window.menus["help"].addAction(self.actionAbout)
        self.dialog: QMessageBox | None = None
        window.diagram.editor.parameter_clicked.connect(window.inspector.show_parameter)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def _action(self, name: str, text: str, slot, shortcut, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        setattr(self.window, name, action)
        return action

    # -- View ▸ Numbers in Cells --------------------------------------------------------------
    def show_numbers(self, on: bool) -> None:
        self.window.inspector.set_numbers_shown(on)
        self.window._settings().setValue(SHOW_NUMBERS_KEY, bool(on))

    # -- File ▸ New ------------------------------------------------------------------------------
    def new(self) -> None:
        """The window as it opens: the image demo and the notes' design (asking before training is lost)."""
        session = self.session  # opening the demo asks first about unsaved training, once
        session.open_dataset("demo:images", on_loaded=lambda dataset: session.set_design(Design()))

    # -- Help -----------------------------------------------------------------------------------
    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(action text, key) of every action with a shortcut, in menu order."""
        rows, seen = [], set()
        for menu in self.window.menus.values():
            for action in menu.actions():
                if action in seen or action.shortcut().isEmpty():
                    continue
                seen.add(action)
                rows.append((action.text().replace("&", ""),
                             action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
        copy = self.window.inspector.matrix_copy.action
        rows.append(("Copy value or matrix (in the inspector)", copy.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
        return rows

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td>{escape(text)}</td><td style='padding-left:18px'><b>{escape(key)}</b></td></tr>"
                       for text, key in self.shortcut_rows())
        self._open("Keyboard Shortcuts", f"<table>{rows}</table>", "shortcutsDialog")

    def show_about(self) -> None:
        text = (f"<h3>nnviz {escape(__version__)}</h3><p>Backpropagation, step by step: every operation of "
                "training as the notes write it, every matrix and its shape.</p>"
                "<p>Built with PySide6, pyqtgraph and numpy.</p>")
        self._open("About nnviz", text, "aboutDialog")

    def _open(self, title: str, html: str, name: str) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, title, html, QMessageBox.StandardButton.Close, self.window)
        box.setObjectName(name)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog = box
        box.open()

    # -- drag and drop ------------------------------------------------------------------------------
    @staticmethod
    def dropped_path(event: QDragEnterEvent | QDropEvent) -> str | None:
        """The one local file or folder being dropped, None for anything else (text, several files, URLs)."""
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        return urls[0].toLocalFile()

    def open_dropped(self, path: str) -> None:
        """A session file opens as a session, a folder as an image folder, anything else as a dataset."""
        if path.endswith(SUFFIX):
            if self.session.open_session(path):  # it asks first about unsaved training
                self.window.remember_folder(path, "session")
            return
        if Path(path).is_dir() or Path(path).suffix.lower() in DATA_SUFFIXES:
            self.window.open_source(path)
            return
        self.window.statusBar().showMessage(
            f"{Path(path).name}: drop a data file ({', '.join(DATA_SUFFIXES)}), an image folder or a "
            f"{SUFFIX} session", 10000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self.dropped_path(event) is not None:
                event.acceptProposedAction()
                return True
        if watched is self.window and event.type() == QEvent.Type.Drop:
            path = self.dropped_path(event)
            if path is not None:
                event.acceptProposedAction()
                self.open_dropped(path)
                return True
        return False


def install_teaching(window: "MainWindow") -> Teaching:
    return Teaching(window)
