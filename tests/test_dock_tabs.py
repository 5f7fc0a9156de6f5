"""The docks' tab bars: each one on screen names one tab group of visible docks, never a stale one.

(Qt left a bar "Training | Comparison" below the inspector at 1280×720 for a group of hidden docks,
and after presentation mode a second bar under "Network | Training | Diagnostics".)"""
from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QTabBar

from nnviz.app.docks import show_dock


def _bars(window) -> list[list[str]]:
    """The tabs of every dock tab bar the window shows (Qt parks the bars it does not use outside it)."""
    return [[bar.tabText(i) for i in range(bar.count())] for bar in window.findChildren(QTabBar)
            if bar.parent() is window and bar.isVisible() and bar.count() and window.rect().intersects(bar.geometry())]


def _groups(window) -> list[list[str]]:
    """The titles of each group of two or more visible docks tabbed together."""
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()]
    groups = []
    for dock in docks:
        group = sorted({dock.windowTitle()} | {d.windowTitle() for d in window.tabifiedDockWidgets(dock) if d.isVisible()})
        if len(group) > 1 and group not in groups:
            groups.append(group)
    return groups


def _assert_no_stale_bar(window) -> None:
    bars = sorted(sorted(tabs) for tabs in _bars(window))
    assert bars == sorted(_groups(window))


def _settle(qtbot) -> None:
    qtbot.wait(50)


def test_at_start_every_tab_bar_is_a_group_of_visible_docks(default_window, qtbot):
    window = default_window
    _settle(qtbot)
    assert ["Design", "Data"] in [sorted(g, reverse=True) for g in _groups(window)]  # a group the test can see
    _assert_no_stale_bar(window)
    assert not any("Comparison" in tabs or "Trace Comparison" in tabs for tabs in _bars(window))


def test_leaving_presentation_leaves_no_second_bar(default_window, qtbot):
    window = default_window
    _settle(qtbot)
    for _ in range(2):
        window.presentation.enter()
        _settle(qtbot)
        _assert_no_stale_bar(window)
        window.presentation.leave()
        _settle(qtbot)
        _assert_no_stale_bar(window)
    plots = window.docks["plotsDock"]
    assert plots.isVisible() and len(window.tabifiedDockWidgets(plots)) >= 1  # its tabs still switch


def test_a_panel_shown_for_the_first_time_joins_the_plots_tabs(default_window, qtbot):
    window = default_window
    _settle(qtbot)
    health = window.findChild(QDockWidget, "healthDock")
    assert health.isHidden()
    show_dock(health)
    _settle(qtbot)
    assert health in window.tabifiedDockWidgets(window.docks["plotsDock"])
    _assert_no_stale_bar(window)
    assert any("Training Health" in tabs for tabs in _bars(window))


def test_reset_layout_leaves_no_stale_bar(default_window, qtbot):
    window = default_window
    _settle(qtbot)
    show_dock(window.findChild(QDockWidget, "healthDock"))
    window.presentation.enter()
    _settle(qtbot)
    window.findChild(type(window.actionStep), "actionResetLayout").trigger()
    # the layout is sized on the next turns of the event loop, and the bars Qt left hidden after it
    qtbot.waitUntil(lambda: sorted(sorted(t) for t in _bars(window)) == sorted(_groups(window)), timeout=2000)
    bars = _bars(window)
    assert len(bars) == len({tuple(sorted(t)) for t in bars})  # no group has two bars
