"""Placeholder for the InspectorView (being built)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..session import Session


class InspectorView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("matrixInspector")
        self.session = session
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("InspectorView"))
