"""A Step paints each heatmap it changes once, not once before pyqtgraph settles its scene and again after."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from qt_helpers import shown_window


class EventCount(QObject):
    """How many events of ``kind`` the objects it filters have received."""

    def __init__(self, kind: QEvent.Type) -> None:
        super().__init__()
        self.kind = kind
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self.kind:
            self.count += 1
        return False


def test_a_step_paints_each_heatmap_it_shows_about_once(qtbot):
    window = shown_window(qtbot, 1600, 1000)
    session, inspector = window.session, window.inspector
    for _ in range(len(session.plan)):  # one iteration: every panel made and every shape seen once
        window.actionStep.trigger()
        qtbot.waitUntil(lambda: not session.busy and not session.deriving, timeout=10_000)
    qtbot.wait(100)
    count = EventCount(QEvent.Type.Paint)
    for panel in inspector.made_panels():
        panel.graphics.viewport().installEventFilter(count)
    shown = 0
    for _ in range(len(session.plan)):
        window.actionStep.trigger()
        qtbot.waitUntil(lambda: not session.busy and not session.deriving, timeout=10_000)
        qtbot.wait(30)  # the paints that follow a step, and any second one
        shown += sum(1 for panel in inspector.made_panels()
                     if panel.isVisible() and panel.pages.currentWidget() is panel.graphics)
    assert shown >= len(session.plan)
    # each heatmap painted about once a Step: 1.18 paints a heatmap shown; pyqtgraph's own order painted
    # each of them twice (2.2), and an index axis that learnt in the paint that its labels need a wider
    # margin laid its plot out and painted it again (1.33)
    assert count.count <= 1.25 * shown, (count.count, shown)
    window.discard_and_close()


def test_a_run_update_paints_the_window_in_a_few_passes_not_one_per_plot(qtbot):
    """Each plot's changes join the window's paint instead of flushing one of their own."""
    from nnviz.data import load_demo
    from nnviz.session import Design, Session

    design = Design(hidden=(8, 8), activations=("tanh", "tanh"), init="xavier", learning_rate=0.3)
    window = shown_window(qtbot, 1600, 1000, Session(load_demo("xor"), design))
    session = window.session
    session.run()
    qtbot.wait(1500)  # the first updates lay the plots out
    passes, updates = EventCount(QEvent.Type.UpdateRequest), []
    window.installEventFilter(passes)
    session.history_changed.connect(lambda: updates.append(session.stepper.iteration))
    qtbot.waitUntil(lambda: len(updates) >= 4, timeout=30_000)
    window.removeEventFilter(passes)
    session.pause()
    qtbot.waitUntil(lambda: not session.busy, timeout=10_000)
    # the window painted 9 times an update (once per plot, then again after their layouts)
    assert passes.count <= 5.5 * len(updates), (passes.count, updates)  # 3 now
    window.discard_and_close()



def test_a_view_in_a_floating_dock_settles_at_the_paint_of_the_dock_it_is_in(qtbot):
    import pyqtgraph as pg
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    from nnviz.views.settle import SettleBeforePaint

    window = QMainWindow()
    qtbot.addWidget(window)
    plot = pg.PlotWidget()
    settle = SettleBeforePaint(plot)
    assert settle.window is plot  # not yet in a window: its own paints
    dock = QDockWidget("Plot", window)
    dock.setWidget(plot)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.show()
    qtbot.waitExposed(window)
    assert settle.window is window
    dock.setFloating(True)
    qtbot.waitUntil(lambda: settle.window is dock, timeout=5000)  # a floating dock is a window of its own
    dock.setFloating(False)
    qtbot.waitUntil(lambda: settle.window is window, timeout=5000)
    pg.QtWidgets.QApplication.processEvents()
