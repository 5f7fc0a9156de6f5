"""Placeholder for the DiagramView (being built)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..session import Session


class DiagramView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkDiagram")
        self.session = session
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("DiagramView"))
