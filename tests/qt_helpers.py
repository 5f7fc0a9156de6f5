"""Helpers shared by the widget tests: what a user does with the mouse, and how long the window's thread waits."""
from __future__ import annotations

GENEROUS_GAP_MS = 1000  # the goal is 100 ms (benchmarks/bench_gui.py --large); a shared test machine is noisier


class Gaps:
    """The gaps between ticks of a 10 ms timer on the GUI thread (ms), from its creation to ``longest()``."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock = QElapsedTimer()
        self.ticks: list[int] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(lambda: self.ticks.append(self.clock.elapsed()))
        self.clock.start()
        self.timer.start()

    def longest(self) -> int:
        import numpy as np

        self.timer.stop()
        return int(np.diff([0, *self.ticks]).max())


def wheel_zoom(plot) -> None:
    """The mouse wheel turned one notch forward over the middle of ``plot`` (zooms in)."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    viewport = plot.viewport()
    at = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(at, QPointF(viewport.mapToGlobal(at.toPoint())), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def shown(qtbot, widget, width: int, height: int):
    """``widget`` on its own, ``width``×``height``, shown (and closed after the test)."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown_panel(qtbot, width: int, height: int):
    """A HeatmapPanel of its own, ``width``×``height``, shown."""
    from nnviz.views.heatmap import HeatmapPanel

    return shown(qtbot, HeatmapPanel(), width, height)


def shown_window(qtbot, width: int, height: int, session=None):
    """nnviz's main window (on ``session``, or the built-in demo), ``width``×``height``, shown."""
    from nnviz.app import MainWindow

    window = MainWindow(session) if session is not None else MainWindow()
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    return window
