"""Panels that appear on demand: a dock in the tab group of the training plots, and its View/Debug action."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget


def tabbed_dock(window: QMainWindow, name: str, title: str, widget: QWidget | None) -> QDockWidget:
    """A hidden dock ``name`` holding ``widget``, tabbed with the training plots (which stay in front).

    ``widget`` None: the dock's view is made on demand (see ``build_when_shown``)."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    if widget is not None:
        dock.setWidget(widget)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    plots = getattr(window, "docks", {}).get("plotsDock")
    if plots is not None:
        window.tabifyDockWidget(plots, dock)
        plots.raise_()
    dock.hide()
    return dock


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
    QTimer.singleShot(0, dock.raise_)


def toggle_action(dock: QDockWidget, name: str, text: str, tip: str, shortcut: str | None = None) -> QAction:
    """The dock's show/hide action, named and worded; showing it brings its tab to the front."""
    action = dock.toggleViewAction()
    action.setObjectName(name)
    action.setText(text)
    action.setStatusTip(tip)
    if shortcut:
        action.setShortcut(shortcut)
    action.toggled.connect(lambda shown: shown and QTimer.singleShot(0, dock.raise_))
    return action
