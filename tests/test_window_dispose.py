"""MainWindow.dispose: scripts, benchmarks and main() delete the window now, not at the interpreter's exit."""
from __future__ import annotations

import shiboken6


def test_dispose_deletes_the_window_and_its_views_at_once(qtbot, qapp):
    from nnviz.app import MainWindow

    window = MainWindow()  # not qtbot.addWidget: dispose is what deletes it
    window.show()
    qtbot.waitExposed(window)
    inspector, diagram = window.inspector, window.diagram
    window.deleteLater()  # what the scripts did: outside an event loop, processEvents() deletes nothing
    qapp.processEvents()
    assert shiboken6.isValid(window)  # alive on to the interpreter's exit, where pyqtgraph's items can segfault
    window.dispose()
    assert not shiboken6.isValid(window)
    assert not shiboken6.isValid(inspector) and not shiboken6.isValid(diagram)
