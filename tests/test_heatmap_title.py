"""A heatmap whose numbers are scaled (×10⁻⁵) settles: its title's note never flips the layout."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject

from qt_helpers import shown_panel

B2 = np.array([[1.2e-5], [-3.4e-5], [0.5e-5], [2.2e-5], [-1.1e-5]])  # db[2]-like: its numbers need '×10⁻⁵'


class Resizes(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.count += 1
        return False


def test_a_narrow_scaled_heatmap_settles_at_every_height(qtbot):
    """110 px wide and 166–176 px tall, the note '(numbers ×10⁻⁵)' wrapped the title onto a second line,
    which left the cells too small for numbers, which took the note away, which gave the cells their
    room back: the heatmap was laid out and painted again at every pass of the event loop."""
    for height in range(140, 200, 2):
        panel = shown_panel(qtbot, 110, height)
        resizes = Resizes()
        panel.graphics.installEventFilter(resizes)
        panel.set_matrix("b[2]", B2)
        for _ in range(50):
            qtbot.wait(1)
        assert resizes.count <= 4, (height, resizes.count)
        title = panel.title_label
        if panel.number_cells():  # numbers written scaled: the title says by how much, on one line
            assert "(numbers ×10⁻⁵)" in title.text(), (height, title.text())
            assert title.height() <= title.fontMetrics().height() + 6, (height, title.height())
        else:
            assert "numbers" not in title.text(), (height, title.text())
        panel.close()


def test_a_wide_scaled_heatmap_still_writes_its_numbers_and_says_the_scale(qtbot):
    panel = shown_panel(qtbot, 320, 240)
    panel.set_matrix("b[2]", B2)
    qtbot.waitUntil(lambda: bool(panel.number_cells()))
    assert panel.title_label.text().endswith("(numbers ×10⁻⁵)")
    assert {text for _, _, text in panel.number_cells()} >= {"1.20", "−3.40"}


def test_a_large_heatmap_keeps_its_title_size_when_its_numbers_would_be_scaled(qtbot):
    """7×12288 cells never show numbers unzoomed: the title is not shrunk for a note it never shows."""
    panel = shown_panel(qtbot, 240, 200)
    small = np.full((7, 1), 0.01)
    panel.set_matrix("dW[1]", small)
    size_small = panel.title_label.font().pointSizeF()
    panel.set_matrix("dW[1]", np.full((7, 12288), 0.01))  # the same ×10⁻² scale, far too many cells
    assert not panel.number_cells() and "numbers" not in panel.title_label.text()
    assert panel.title_label.font().pointSizeF() >= size_small
    panel.plot.getViewBox().setRange(xRange=(-0.5, 3.5), yRange=(-0.5, 3.5), padding=0.0)  # zoomed in: numbers
    qtbot.waitUntil(lambda: bool(panel.number_cells()))
    assert "(numbers ×10⁻²)" in panel.title_label.text()
