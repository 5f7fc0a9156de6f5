"""The pen in presentation mode: strokes drawn with the mouse over the window, cleared with one key."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from nnviz.app.pen import INK


def _ink_pixels(overlay) -> int:
    image = overlay.grab().toImage()
    ink = QColor(INK).rgb()
    return sum(image.pixel(x, y) == ink for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))


def test_the_pen_draws_while_presenting_and_c_clears(default_window, qtbot):
    w = default_window
    pen = w.pen
    assert not pen.action.isEnabled() and not pen.clear_action.isEnabled()  # only while presenting
    w.presentation.enter()
    qtbot.wait(20)
    assert pen.action.isEnabled() and pen.action.shortcut().toString() == "P"
    qtbot.keyClick(w, Qt.Key.Key_P)
    assert pen.action.isChecked() and pen.overlay.isVisible()
    assert pen.overlay.geometry() == w.rect()
    overlay = pen.overlay
    start = QPoint(200, 200)
    qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=start)
    for dx in range(0, 120, 10):
        qtbot.mouseMove(overlay, QPoint(200 + dx, 200 + dx // 3))
    qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(320, 240))
    assert len(overlay.strokes) == 1 and overlay.strokes[0].elementCount() > 5
    assert _ink_pixels(overlay) > 10
    qtbot.keyClick(w, Qt.Key.Key_C)
    assert overlay.strokes == [] and _ink_pixels(overlay) == 0
    qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=start)
    assert len(overlay.strokes) == 1
    w.presentation.leave()
    assert not pen.action.isChecked() and not pen.action.isEnabled() and overlay.strokes == []
    assert not overlay.isVisible()
