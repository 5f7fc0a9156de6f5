"""The window's accuracy: "accuracyLabel" in the status bar, the curve beside the cost, the pictures' verdicts."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from ..views.accuracy import AccuracyResult, AccuracyTracker, AccuracyView, percent

if TYPE_CHECKING:
    from .window import MainWindow


class Accuracy(QObject):
    """``tracker`` (AccuracyTracker), ``view`` (AccuracyView in the Training dock), ``label`` ("accuracyLabel")."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.tracker = AccuracyTracker(window.session, self)
        self.view = AccuracyView(self.tracker)
        window.plots.add_plot(self.view, 1)  # beside the cost
        self.label = QLabel("accuracy —")
        self.label.setObjectName("accuracyLabel")
        self.label.setToolTip("Share of examples the current parameters classify right (engine.accuracy)")
        self.label.setContentsMargins(0, 0, 12, 0)  # apart from the iteration beside it
        window.statusBar().insertPermanentWidget(0, self.label)
        self.tracker.updated.connect(self.show)
        window.session.network_changed.connect(lambda: self.label.setText("accuracy —"))

    def show(self, result: AccuracyResult) -> None:
        if result.train is None:
            self.label.setText("accuracy — (regression)")
        else:
            test = f" · test {percent(result.test)}" if result.test is not None else ""
            self.label.setText(f"train {percent(result.train)}{test}")
        pictures = self.window.preview.pictures
        verdicts = [(right, f"{p:.2f}") for _, p, right in result.first]
        pictures.set_verdicts(verdicts if self.window.preview.mode == "images" else [])
        pictures.setToolTip("Framed green ✓: classified right, red ✗: wrong; the number is the probability "
                            "the network gives the picture's true class" if verdicts else "")


def install_accuracy(window: "MainWindow") -> Accuracy:
    return Accuracy(window)
