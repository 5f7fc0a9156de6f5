"""The window's layout: a saved layout fitted to the screen it opens on, and View ▸ Reset Layout."""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction

from .docks import hide_stale_tab_bars
from .settings import app_settings

log = logging.getLogger(__name__)

# the matrix inspector (the central widget) needs at least this share of the window to be of use;
# a layout that leaves it less (docks sized for a bigger screen) gets the default dock sizes
CENTRAL_SHARE = (0.35, 0.3)  # of the width, of the height
SCREEN_KEY = "layoutScreen"  # the available screen size the layout was saved on

DEFAULT_AREAS = (
    ("diagramDock", Qt.DockWidgetArea.TopDockWidgetArea),
    ("designerDock", Qt.DockWidgetArea.LeftDockWidgetArea),
    ("dataDock", Qt.DockWidgetArea.LeftDockWidgetArea),
    ("stepsDock", Qt.DockWidgetArea.RightDockWidgetArea),
    ("plotsDock", Qt.DockWidgetArea.BottomDockWidgetArea),
)


class WindowLayout(QObject):
    """Fits a restored layout to the screen when the window is first shown; puts every dock back on request."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.fitted = False  # whether the last show had to fit a saved layout to the screen
        self.actionResetLayout = QAction("Reset &Layout", window)
        self.actionResetLayout.setObjectName("actionResetLayout")
        self.actionResetLayout.setStatusTip("Put every panel back where it starts, sized for this screen")
        self.actionResetLayout.triggered.connect(self.reset)
        window.installEventFilter(self)

    def available(self) -> QRect | None:
        screen = self.window.screen()
        return screen.availableGeometry() if screen is not None else None

    # -- fitting a saved layout ----------------------------------------------------------------
    def saved_for_bigger_screen(self, saved: QSize | None) -> bool:
        """Whether the layout was saved on a screen larger than this one (so its dock sizes do not fit)."""
        screen = self.available()
        return bool(saved and screen and (saved.width() > screen.width() or saved.height() > screen.height()))

    def central_too_small(self) -> bool:
        w, central = self.window, self.window.centralWidget()
        return central.width() < CENTRAL_SHARE[0] * w.width() or central.height() < CENTRAL_SHARE[1] * w.height()

    def fit_window(self) -> None:
        """The window inside the available screen area (restoreGeometry keeps a size that may not fit)."""
        w, screen = self.window, self.available()
        if screen is None:
            return
        frame = w.frameGeometry()
        margin = QSize(frame.width() - w.width(), frame.height() - w.height())
        size = QSize(min(w.width(), screen.width() - margin.width()), min(w.height(), screen.height() - margin.height()))
        if size != w.size():
            w.resize(size)
        left = min(max(w.x(), screen.left()), screen.right() + 1 - size.width() - margin.width())
        top = min(max(w.y(), screen.top()), screen.bottom() + 1 - size.height() - margin.height())
        if (left, top) != (w.x(), w.y()):
            w.move(left, top)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Show:
            self.window.removeEventFilter(self)  # the first show only: later the layout is the user's
            QTimer.singleShot(0, self, self.fit_shown)
        return False

    def fit_shown(self) -> None:
        """After the first show: a layout saved on a bigger screen, or one that squeezes the inspector, is refitted."""
        w = self.window
        if not w.isVisible() or w.isFullScreen():
            return
        saved = app_settings().value(SCREEN_KEY)
        if self.saved_for_bigger_screen(saved if isinstance(saved, QSize) else None) or self.central_too_small():
            self.fitted = True
            self.fit_window()
            w.apply_default_dock_sizes()
            w.diagnostics.apply_default_size()

    def save(self) -> None:
        screen = self.available()
        if screen is not None:
            app_settings().setValue(SCREEN_KEY, screen.size())

    # -- resetting --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Every dock back in its first place (the explanation hidden, as at first start), sized for the screen."""
        w, d = self.window, self.window.docks
        if getattr(w, "presentation", None) is not None and w.presentation.active:
            w.presentation.leave()
        for name, area in DEFAULT_AREAS:
            d[name].setFloating(False)
            w.addDockWidget(area, d[name])
            d[name].show()
        w.tabifyDockWidget(d["designerDock"], d["dataDock"])
        d["dataDock"].raise_()
        if "explanationDock" in d:
            d["explanationDock"].setFloating(False)
            w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d["explanationDock"])
            w.splitDockWidget(d["stepsDock"], d["explanationDock"], Qt.Orientation.Vertical)
            d["explanationDock"].hide()
        if "diagnosticsDock" in d:
            d["diagnosticsDock"].setFloating(False)
            w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, d["diagnosticsDock"])
            w.splitDockWidget(d["plotsDock"], d["diagnosticsDock"], Qt.Orientation.Horizontal)
            d["diagnosticsDock"].show()
        for bar in w.findChildren(type(w.training_tool_bar)):
            bar.show()
        w.showNormal()
        w.default_layout()
        w._default_dock_sizes = False
        self.fit_window()
        # the dock sizes need the window's new size laid out first
        QTimer.singleShot(0, self, self._size_docks)
        w.statusBar().showMessage("Layout reset", 4000)

    def _size_docks(self) -> None:
        self.window.apply_default_dock_sizes()
        self.window.diagnostics.apply_default_size()
        QTimer.singleShot(0, self.window, lambda: hide_stale_tab_bars(self.window))  # the docks regrouped: Qt may leave a bar


def install_layout(window) -> WindowLayout:
    """Add View ▸ Reset Layout (actionResetLayout) and fit saved layouts to the screen on show."""
    layout = WindowLayout(window)
    window.menus["view"].addAction(layout.actionResetLayout)
    return layout
