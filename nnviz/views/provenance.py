"""Where a result cell comes from, in the inspector: its operands' row, column or cell outlined and the terms written out."""
from __future__ import annotations

import logging

import numpy as np
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from .style import mono_font

if TYPE_CHECKING:
    from ..engine.provenance import Provenance  # imported with the first cell hovered, not at start
    from .inspector import InspectorView

log = logging.getLogger(__name__)

HINT = "Hover or click a result cell to outline the operand cells that make it"
OPERAND_HINT = "That is an operand: hover or click a cell of the result"  # both fit one line at 1280×720


class CellProvenance:
    """The line under the inspector's panels (``label``, "provenanceLabel") and the outlines in its operand panels.

    Hovering a result cell shows its provenance; clicking one keeps it shown while the mouse is
    elsewhere (until the next operation).
    """

    def __init__(self, inspector: "InspectorView") -> None:
        self.inspector = inspector
        self.session = inspector.session
        self.label = QLabel(inspector)
        self.label.setObjectName("provenanceLabel")
        self.label.setFont(mono_font(12))
        self.label.setProperty("base_points", 12)  # the appearance scales it (presentation mode)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setText(HINT)
        self.current: Provenance | None = None
        self._pinned: tuple[int, str, int, int] | None = None  # (iteration, key, row, col) of a clicked cell

    def _result_index(self) -> int:
        return len(self.inspector.panel_keys) - 1

    def hovered(self, panel_index: int, row: int, col: int, inside: bool) -> None:
        if self.inspector.parameter_shown is not None:
            return
        if inside and panel_index == self._result_index():
            self.show(row, col)
        elif self._pinned is not None:
            self.refresh()
        elif inside:
            self.clear(OPERAND_HINT)
        else:
            self.clear()

    def clicked(self, panel_index: int, row: int, col: int) -> None:
        record = self.session.record
        if record is not None and panel_index == self._result_index():
            self._pinned = (record.iteration, record.key, row, col)
            self.show(row, col)

    def refresh(self) -> None:
        """After a new operation: the clicked cell stays shown if it is the same operation's result."""
        record = self.session.record
        pinned = self._pinned
        if record is None or pinned is None or pinned[1] != record.key:
            self._pinned = None
            self.clear()
            return
        self.show(pinned[2], pinned[3])

    def show(self, row: int, col: int) -> Provenance | None:
        """Outline what result cell (row, col) of the current operation reads and write its terms out."""
        from ..engine.provenance import Provenance, provenance

        record = self.session.record
        if record is None or self.session.running:
            self.clear()
            return None
        value = record.value if record.value.ndim == 2 else record.value.reshape(-1, 1)
        if not (0 <= row < value.shape[0] and 0 <= col < value.shape[1]):
            self.clear()
            return None
        operands = [array for _, array in self.session.operands(record)]
        with_2d = [None if a is None else (a if a.ndim == 2 else a.reshape(-1, 1)) for a in operands]
        decayed = self.session.values.get("alpha")  # α of this iteration when it decays, else the design's
        alpha = float(np.asarray(decayed).ravel()[0]) if decayed is not None else self.session.stepper.learning_rate
        try:
            found = provenance(record.op, self.session.spec, with_2d, value, row, col, alpha)
        except Exception:  # an operation this line does not know how to write out: its value, never a crash
            log.exception("provenance of %s[%d,%d]", record.key, row, col)
            found = Provenance(f"{record.symbol}[{row},{col}] = {record.op.rhs} = {float(value[row, col])!r}",
                               (), (), float(value[row, col]))
        self.current = found
        panels = self.inspector.panels
        for panel in panels:
            panel.clear_outline()
        for index, r, c in found.marks:
            if index < len(panels) - 1 and index < self._result_index():
                panels[index].outline(r, c)
        panels[self._result_index()].outline(row, col)
        self.label.setText(found.text)
        self.label.setToolTip(found.text)
        self.inspector.fit_provenance()
        return found

    def clear(self, text: str = HINT) -> None:
        self.current = None
        for panel in self.inspector.made_panels():  # the heatmaps made so far (the others have no outline)
            panel.clear_outline()
        self.label.setText(text)
        self.label.setToolTip("")
        self.inspector.fit_provenance()
