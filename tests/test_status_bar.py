"""The status bar: a long message ends in "…" before the permanent labels, the whole of it in the tooltip."""
from __future__ import annotations

from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import QApplication

LONG = ("Paused: Z[3] contains NaN or Inf (iteration 8) · step back reaches 30 operations: "
        "Run keeps few, to train at full speed")


def _drawn_width(bar) -> int:
    """The width of the text QStatusBar paints (what messageChanged last carried)."""
    return bar.fontMetrics().horizontalAdvance(bar._drawn)


def test_a_long_message_ends_in_an_ellipsis_before_the_labels(default_window, qtbot):
    window = default_window
    window.resize(900, 600)
    bar = window.statusBar()
    qtbot.wait(20)
    bar.showMessage(LONG, 8000)
    assert bar.currentMessage() == LONG  # what the message is; only its drawing is shortened
    assert bar._drawn.endswith("…") and LONG.startswith(bar._drawn[:-1])
    assert _drawn_width(bar) <= bar.room()
    position = window.status_position
    assert bar.room() < position.x()  # left of "Iteration 0 · ready · next Z[1]"
    assert bar.toolTip() == LONG
    window.resize(1900, 600)  # room again: the whole message
    qtbot.waitUntil(lambda: bar._drawn == LONG)
    assert bar.toolTip() == ""
    bar.clearMessage()
    assert bar.currentMessage() == "" and bar._drawn == ""


def test_a_short_message_is_shown_whole_and_its_timeout_holds(default_window, qtbot):
    bar = default_window.statusBar()
    bar.showMessage("Layout reset", 150)
    assert bar._drawn == "Layout reset" and bar.toolTip() == ""
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=2000)


def test_a_status_tip_from_qt_is_fitted_and_cleared(default_window, qtbot):
    window = default_window
    window.resize(700, 600)
    bar = window.statusBar()
    QApplication.sendEvent(window, QStatusTipEvent(LONG))  # what hovering a menu entry sends
    assert bar.currentMessage() == LONG and _drawn_width(bar) <= bar.room()
    QApplication.sendEvent(window, QStatusTipEvent(""))
    assert bar.currentMessage() == ""
