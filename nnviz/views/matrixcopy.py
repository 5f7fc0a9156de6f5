"""Ctrl+C in the inspector: the hovered value at full precision, or the whole matrix as tab-separated text."""
from __future__ import annotations

import io
import logging
import threading
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence

from ..engine import shape_text

if TYPE_CHECKING:
    from .inspector import InspectorView

log = logging.getLogger(__name__)

IN_THREAD_ABOVE = 20_000  # cells: bigger matrices are written out on a thread (12288×209 takes seconds)


def matrix_text(matrix: np.ndarray) -> str:
    """Rows on lines, columns separated by tabs, every float with 17 significant digits:
    a spreadsheet pastes it into cells and ``numpy.loadtxt`` reads back the same float64s."""
    out = io.StringIO()
    np.savetxt(out, np.atleast_2d(matrix), fmt="%.17g", delimiter="\t")
    return out.getvalue()


class MatrixCopy(QObject):
    """``action`` ("actionCopy", Ctrl+C wherever the focus is inside the inspector)."""

    copied = Signal(str)  # what was put on the clipboard, described ('W[1] 7×12288', 'W[1][2, 5]')
    _ready = Signal(str, str)  # text, description: a thread finished writing a big matrix

    def __init__(self, inspector: "InspectorView") -> None:
        super().__init__(inspector)
        self.inspector = inspector
        self.action = QAction("&Copy", inspector)
        self.action.setObjectName("actionCopy")
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action.setToolTip("Copy the hovered value, or the whole matrix as tab-separated text (Ctrl+C)")
        self.action.triggered.connect(self.copy)
        inspector.addAction(self.action)
        self._ready.connect(self._put)
        self.pending: threading.Thread | None = None

    def copy(self) -> None:
        """The hovered cell as repr(value); with no cell hovered, the result matrix (or the panel last hovered)."""
        view = self.inspector
        hovered = view._hovered
        if hovered is not None:
            panel_index, row, col = hovered
            panel = view.panels[panel_index]
            if panel.matrix is not None:
                self._put(repr(float(panel.matrix[row, col])), f"{panel.symbol}[{row}, {col}]")
                return
        panel = view.panels[len(view.panel_keys) - 1] if view.panel_keys else None
        if panel is None or panel.matrix is None:
            return
        matrix, what = np.array(panel.matrix), f"{panel.symbol} {shape_text(panel.matrix.shape)}"
        if matrix.size <= IN_THREAD_ABOVE:
            self._put(matrix_text(matrix), what)
            return
        self._status(f"Copying {what}…")
        self.pending = threading.Thread(target=lambda: self._ready.emit(matrix_text(matrix), what),
                                        name="nnviz-copy", daemon=True)
        self.pending.start()

    def _put(self, text: str, what: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(what)
        self._status(f"Copied {what} to the clipboard")

    def _status(self, text: str) -> None:
        window = self.inspector.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(text, 4000)
