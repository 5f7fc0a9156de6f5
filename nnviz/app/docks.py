"""Panels that appear on demand: a dock in the tab group of the training plots, and its View/Debug action."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QWidget


def tabbed_dock(window: QMainWindow, name: str, title: str, widget: QWidget | None) -> QDockWidget:
    """A hidden dock ``name`` holding ``widget``, tabbed with the training plots (which stay in front).

    ``widget`` None: the dock's view is made on demand (see ``build_when_shown``)."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    if widget is not None:
        dock.setWidget(widget)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    # tabbed when first shown, not now: a tab group of hidden docks keeps a stale tab bar on screen
    # once the plots move to another group (the diagram's, on a short screen)
    plots = getattr(window, "docks", {}).get("plotsDock")
    if plots is not None:
        def shown(visible: bool) -> None:
            if not visible:
                return
            dock.visibilityChanged.disconnect(shown)
            if dock.isFloating() or plots.isHidden() or plots.isFloating() or dock in window.tabifiedDockWidgets(plots):
                return
            window.tabifyDockWidget(plots, dock)
            QTimer.singleShot(0, dock, dock.raise_)

        dock.visibilityChanged.connect(shown)
    return dock


def hide_stale_tab_bars(window: QMainWindow) -> int:
    """Hide the window's dock tab bars that name no tab group of the window now; how many were hidden.

    Qt leaves some on screen when the docks are regrouped (``restoreState`` leaving presentation
    mode, View ▸ Reset Layout tabbing docks already tabbed): the old group's tabs drawn across the
    new group's, or a second bar a few pixels from the first.  A group's bar names the visible
    docks of that group, at least two, each tab by its dock's title, and touches their edge."""
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()]
    hidden = 0
    for bar in window.findChildren(QTabBar):
        if bar.parent() is not window or not bar.isVisible():
            continue
        titles = [bar.tabText(i) for i in range(bar.count())]
        named = [d for d in docks if d.windowTitle() in titles]
        group = set(window.tabifiedDockWidgets(named[0])) | {named[0]} if named else set()
        current = len(titles) >= 2 and len(named) == len(titles) and {d for d in group if d.isVisible()} == set(named)
        if not current or not any(_touches(bar.geometry(), d.geometry()) for d in named):
            bar.hide()
            hidden += 1
    return hidden


def _touches(bar, dock, slack: int = 3) -> bool:
    """Whether a tab bar's rectangle lies along the top or bottom edge of a dock's."""
    beside = bar.left() < dock.right() and dock.left() < bar.right()
    return beside and (abs(bar.top() - dock.bottom() - 1) <= slack or abs(dock.top() - bar.bottom() - 1) <= slack)


def build_when_shown(dock: QDockWidget, build: Callable[[], object]) -> None:
    """Call ``build`` (which sets the dock's widget) when ``dock`` is first shown: the window starts
    without the widgets of the panels it does not show, and each is made when it is opened."""
    def shown(visible: bool) -> None:
        if visible:
            dock.visibilityChanged.disconnect(shown)
            build()

    dock.visibilityChanged.connect(shown)


def show_dock(dock: QDockWidget) -> None:
    """Show ``dock`` and bring its tab to the front (once the layout has placed it)."""
    dock.show()
    QTimer.singleShot(0, dock, dock.raise_)


def toggle_action(dock: QDockWidget, name: str, text: str, tip: str, shortcut: str | None = None) -> QAction:
    """The dock's show/hide action, named and worded; showing it brings its tab to the front."""
    action = dock.toggleViewAction()
    action.setObjectName(name)
    action.setText(text)
    action.setStatusTip(tip)
    if shortcut:
        action.setShortcut(shortcut)
    action.toggled.connect(lambda shown: shown and QTimer.singleShot(0, dock, dock.raise_))
    return action
