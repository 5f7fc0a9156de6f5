"""Presentation mode: full screen, large fonts, thick lines, high contrast; only the diagram, inspector and plots."""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontInfo, QIcon, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QDockWidget, QLabel, QToolBar, QWidget

from ..views import appearance as looks
from ..views.theme import Appearance
from .docks import hide_stale_tab_bars
from .settings import app_settings

log = logging.getLogger(__name__)

DEFAULT_SIZE, SIZE_STEP, SIZE_RANGE = 16.0, 2.0, (10.0, 32.0)  # points of ordinary text
KEEP_DOCKS = ("diagramDock", "plotsDock")  # with the inspector (the central widget)
DATA_SHARE = 0.38  # of the screen's width the Data view takes on the right when shown (Ctrl+D)
SHORT_SCREEN = 850  # px: below, the plots share the top with the diagram as tabs, as the window does
DIAGRAM_SHARE = {True: 0.28, False: 0.26}  # of the screen height the diagram may take (short screen?)
PLOTS_SHARE = 0.22
TOOL_TEXT = 0.8  # tool-bar text relative to the font size, at most
POSITION_MAX = 18.0  # pt: the tool bar's position label, so the actions keep readable text
SHORT_HEADER = 0.8  # views' own text on a short screen, relative to the rest
SETTINGS_KEY = "presentation/fontSize"
REFIT_MS = 30  # after a change of size, when the window's height is checked against the screen again


class _Undo:
    """Layout changes made to the window (docks' title bars, tool-bar entries), each with the call that takes it back."""

    def __init__(self) -> None:
        self._steps: list[Callable[[], None]] = []

    def add(self, undo: Callable[[], None]) -> None:
        self._steps.append(undo)

    def restore(self) -> None:
        while self._steps:
            undo = self._steps.pop()
            try:
                undo()
            except RuntimeError:  # the widget went away meanwhile: nothing to restore
                log.debug("presentation: a restored widget no longer exists")


def _scaled(font: QFont, points: float) -> QFont:
    font = QFont(font)
    font.setPointSizeF(points)
    return font


def presentation_appearance(everyday: Appearance, points: float, base_points: float, short: bool) -> Appearance:
    """``everyday`` for a lecture room: text of ``points`` (views scale their own sizes alike, less on a
    short screen), thicker lines, and the high-contrast theme unless the dark one was chosen."""
    factor = points / max(base_points, 1.0)
    theme = everyday.theme if everyday.theme != "light" else "high-contrast"
    return replace(everyday, theme=theme, text_points=points, text_scale=factor * (SHORT_HEADER if short else 1.0),
                   line_scale=min(factor, 2.5))


class Presentation(QObject):
    """Enter and leave presentation mode on ``window``; ``font_size`` is the size of ordinary text (pt).

    It chooses an appearance (every view restyles itself from it) and a layout (which docks, where);
    it never reaches into a view's widgets."""

    active_changed = Signal(bool)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.active = False
        self.font_size = self._saved_size()
        self.shown_size = self.font_size  # the size in use: smaller when font_size would not fit the screen
        self._saved: dict | None = None
        self._everyday: Appearance | None = None  # the appearance before entering
        self._layout = _Undo()  # docks' title bars, the tool bar: undone when leaving
        self._base_points = 9.0
        self.position_label = QLabel()
        self.position_label.setObjectName("presentationPosition")
        self.position_label.setTextFormat(Qt.TextFormat.RichText)
        self.position_label.setContentsMargins(16, 0, 16, 0)
        self.position_action = window.training_tool_bar.addWidget(self.position_label)
        self.position_action.setVisible(False)  # shown in presentation mode instead of the window's smaller one
        self._make_actions()
        window.installEventFilter(self)
        self.session.stepped.connect(self._show_position)
        looks.connect(self, self._appearance_changed)

    def _appearance_changed(self, appearance: Appearance) -> None:
        self.action.setIcon(_icon(appearance.colors.text))  # dark on light, light on dark
        self._show_position()

    def _make_actions(self) -> None:
        w = self.window
        self.action = QAction(_icon(), "&Presentation Mode", w)
        self.action.setIconText("Present")
        self.action.setObjectName("actionPresentationMode")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("F11"))
        self.action.setToolTip("Full screen with large text for a lecture room (F11; Esc leaves)")
        self.action.toggled.connect(lambda on: self.enter() if on else self.leave())
        self.leave_action = QAction("Leave Presentation Mode", w)
        self.leave_action.setObjectName("actionLeavePresentation")
        self.leave_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.leave_action.triggered.connect(self.leave)
        self.zoom_in = QAction("&Larger Text", w)
        self.zoom_in.setObjectName("actionZoomIn")
        self.zoom_in.setShortcuts(_unique(["Ctrl+=", "Ctrl++", QKeySequence.StandardKey.ZoomIn]))
        self.zoom_in.triggered.connect(lambda: self.zoom(1))
        self.zoom_out = QAction("&Smaller Text", w)
        self.zoom_out.setObjectName("actionZoomOut")
        self.zoom_out.setShortcuts(_unique(["Ctrl+-", QKeySequence.StandardKey.ZoomOut]))
        self.zoom_out.triggered.connect(lambda: self.zoom(-1))
        self.data_action = QAction("Show &Data While Presenting", w)
        self.data_action.setObjectName("actionPresentationData")
        self.data_action.setShortcut(QKeySequence("Ctrl+D"))
        self.data_action.setStatusTip("Show or hide the Data view (the pictures, or the decision boundary) "
                                      "beside the inspector")
        self.data_action.triggered.connect(self.show_data)
        self._enable_actions()

    def _enable_actions(self) -> None:
        for action in (self.leave_action, self.zoom_in, self.zoom_out, self.data_action):
            action.setEnabled(self.active)

    @staticmethod
    def _saved_size() -> float:
        value = app_settings().value(SETTINGS_KEY)
        try:
            return min(max(float(value), SIZE_RANGE[0]), SIZE_RANGE[1]) if value is not None else DEFAULT_SIZE
        except (TypeError, ValueError):
            return DEFAULT_SIZE

    # -- entering and leaving ---------------------------------------------------------------
    def enter(self) -> None:
        """Full screen with only the diagram, the inspector, the plots and the data, everything larger."""
        if self.active:
            return
        w = self.window
        self._saved = {"state": w.saveState(), "geometry": w.saveGeometry(), "window_state": w.windowState(),
                       "rect": w.geometry()}
        self._base_points = QFontInfo(w.font()).pointSizeF()
        self._everyday = looks.appearance_model().current
        self.active = True
        self._set_checked(True)
        self._enable_actions()
        self._hide_the_rest()
        self._apply_appearance()  # before going full screen: larger text on the old size could stretch the window
        w.showFullScreen()
        self._arrange()
        QTimer.singleShot(0, self, self._fill_screen)
        log.info("presentation mode at %g pt", self.font_size)
        self.active_changed.emit(True)

    def leave(self) -> None:
        """Back to the window exactly as it was: geometry, docks, tool bars, fonts and colours."""
        if not self.active:
            return
        w, saved = self.window, self._saved
        self.active = False
        self.window.diagram.set_text_room(None)
        looks.appearance_model().set(self._everyday_now())
        self._layout.restore()
        self._restore_tool_bar()
        if saved["window_state"] & Qt.WindowState.WindowFullScreen:
            w.showFullScreen()
        elif saved["window_state"] & Qt.WindowState.WindowMaximized:
            w.showMaximized()
        else:
            w.showNormal()
            w.restoreGeometry(saved["geometry"])
            if w.geometry() != saved["rect"]:  # without a window manager restoreGeometry guesses a frame
                w.setGeometry(saved["rect"])
        w.restoreState(saved["state"])
        QTimer.singleShot(0, w, lambda: hide_stale_tab_bars(w))  # once the restored layout is applied
        self._set_checked(False)
        self._enable_actions()
        self.active_changed.emit(False)

    def _everyday_now(self) -> Appearance:
        """The appearance to go back to: the one before entering, with the theme Preferences holds now."""
        everyday = self._everyday or Appearance()
        chosen = getattr(getattr(self.window, "preferences", None), "preferences", None)
        if chosen is not None and hasattr(chosen, "appearance"):
            return chosen.appearance()
        return everyday

    def close(self) -> None:
        """Leave presentation mode (before the window saves its geometry and dock state)."""
        self.leave()

    def zoom(self, steps: int) -> None:
        """Text ``steps`` sizes larger (negative: smaller), within SIZE_RANGE; kept for next time."""
        size = min(max(self.font_size + steps * SIZE_STEP, SIZE_RANGE[0]), SIZE_RANGE[1])
        if size == self.font_size:
            return
        self.font_size = size
        app_settings().setValue(SETTINGS_KEY, size)
        if self.active:
            self._apply_appearance()
            self._fill_screen()  # smaller text must not leave the window taller than the screen

    def set_theme(self, appearance: Appearance) -> None:
        """Preferences chose a new everyday appearance while presenting: present in it, go back to it."""
        self._everyday = appearance
        if self.active:
            self._apply_appearance()

    def _set_checked(self, on: bool) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(on)
        self.action.blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.leave()  # before the window writes its settings: never save the full-screen layout
        elif watched is self.window and event.type() == QEvent.Type.Resize and self.active:
            screen = self.window.screen()
            if screen is not None and not screen.geometry().contains(self.window.geometry()):
                QTimer.singleShot(0, self, self._refit)  # something grew: smaller text, back to the screen's size
        return False

    # -- layout -----------------------------------------------------------------------------
    def _kept(self) -> list[QDockWidget]:
        """The docks shown while presenting: KEEP_DOCKS, then any a feature marks "keepInPresentation"
        ("strip": under the diagram, as a scenario's text; "tab": beside the plots)."""
        kept = [self.window.docks[name] for name in KEEP_DOCKS if name in self.window.docks]
        return kept + [d for d in self.window.findChildren(QDockWidget)
                       if d not in kept and d.property("keepInPresentation") and not d.isHidden()]

    def _hide_the_rest(self) -> None:
        w, keep = self.window, self._kept()
        for dock in w.findChildren(QDockWidget):
            if dock not in keep:
                dock.hide()
        for dock in keep:
            dock.show()
            dock.setTitleBarWidget(QWidget(dock))  # no title bar: more room, nothing to undock by accident
            self._layout.add(lambda dock=dock: _drop_title_bar(dock))
        bar = w.training_tool_bar
        for other in w.findChildren(QToolBar):
            if other is not bar:
                other.hide()
        bar.show()
        for action in bar.actions():
            if bar.widgetForAction(action) is w.position_label:
                action.setVisible(False)
                self._layout.add(lambda action=action: action.setVisible(True))
        self._take_from_tool_bar(getattr(w, "actionOpenDataset", None))  # not a stepping action; File ▸ Open stays
        if w.inspector.stats_visible():
            w.inspector.set_stats_visible(False)  # the heatmaps need its height
            self._layout.add(lambda: w.inspector.set_stats_visible(True))
        explain = w.docks.get("explanationDock")
        if explain is not None:  # F1 while presenting: a tab beside the plots, not a column off the inspector
            explain.visibilityChanged.connect(self._explanation_shown)
            self._layout.add(lambda: explain.visibilityChanged.disconnect(self._explanation_shown))
        self.position_action.setVisible(True)
        self._layout.add(lambda: self.position_action.setVisible(False))
        self._show_position()

    def _explanation_shown(self, visible: bool) -> None:
        dock, plots = self.window.docks["explanationDock"], self.window.docks["plotsDock"]
        if self.active and visible and dock not in self.window.tabifiedDockWidgets(plots):
            self.window.tabifyDockWidget(plots, dock)
            dock.raise_()

    def _take_from_tool_bar(self, action: QAction | None) -> None:
        bar = self.window.training_tool_bar
        actions = bar.actions()
        if action is None or action not in actions:
            return
        index = actions.index(action)
        after = actions[index + 1] if index + 1 < len(actions) else None
        bar.removeAction(action)
        self._layout.add(lambda: bar.insertAction(after, action))

    def _arrange(self) -> None:
        """Diagram on top, plots at the bottom (as tabs beside the diagram on a short screen); data on the right."""
        if not self.active:
            return
        w, d = self.window, self.window.docks
        diagram, plots = d["diagramDock"], d["plotsDock"]
        height = self._screen_height()
        self.window.diagram.set_text_room(DIAGRAM_SHARE[self._short()] * height)
        strips = []
        for dock in self._kept()[len(KEEP_DOCKS):]:  # a feature's dock: "strip" under the diagram, or "tab"
            if dock.property("keepInPresentation") == "strip":
                w.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, dock, Qt.Orientation.Vertical)
                strips.append(dock)
            elif dock not in w.tabifiedDockWidgets(plots):
                w.tabifyDockWidget(plots, dock)
        strip_sizes = [dock.widget().sizeHint().height() for dock in strips]
        if self._short():
            if plots not in w.tabifiedDockWidgets(diagram):
                w.tabifyDockWidget(diagram, plots)
            w.resizeDocks([diagram, *strips], [int(DIAGRAM_SHARE[True] * height), *strip_sizes],
                          Qt.Orientation.Vertical)
        else:
            bottom = Qt.DockWidgetArea.BottomDockWidgetArea
            if plots in w.tabifiedDockWidgets(diagram) or w.dockWidgetArea(plots) != bottom:
                w.addDockWidget(bottom, plots)
            w.resizeDocks([diagram, plots, *strips],
                          [int(DIAGRAM_SHARE[False] * height), int(PLOTS_SHARE * height), *strip_sizes],
                          Qt.Orientation.Vertical)
        (diagram if self._short() else plots).raise_()
        data = d.get("dataDock")
        if data is not None and not data.isHidden():
            w.resizeDocks([data], [int(DATA_SHARE * self._screen_width())], Qt.Orientation.Horizontal)

    def show_data(self) -> None:
        """Show or hide the Data view (pictures, or the points over the decision boundary) on the right,
        beside the inspector, as tall as the screen allows."""
        w = self.window
        data = w.docks.get("dataDock")
        if data is None or not self.active:
            return
        if not data.isHidden():
            data.hide()
            return
        if data.titleBarWidget() is None:
            data.setTitleBarWidget(QWidget(data))
            self._layout.add(lambda: _drop_title_bar(data))
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, data)  # out of its tabs, for the time presenting
        data.show()
        data.raise_()
        w.resizeDocks([data], [int(DATA_SHARE * self._screen_width())], Qt.Orientation.Horizontal)

    def _screen_width(self) -> int:
        screen = self.window.screen()
        return screen.geometry().width() if screen is not None else self.window.width()

    def _fill_screen(self) -> None:
        """Without a window manager (a bare X server) nobody makes a full-screen window as big as the screen."""
        w, screen = self.window, self.window.screen()
        if self.active and screen is not None and w.geometry() != screen.geometry():
            w.setGeometry(screen.geometry())
            w.setWindowState(w.windowState() | Qt.WindowState.WindowFullScreen)
        self._arrange()  # again, at the full-screen size

    def _screen_height(self) -> int:
        screen = self.window.screen()
        return screen.geometry().height() if screen is not None else self.window.height()

    def _short(self) -> bool:
        return self._screen_height() < SHORT_SCREEN

    # -- appearance ------------------------------------------------------------------------------
    def _apply_appearance(self, points: float | None = None) -> None:
        """The appearance at ``font_size``, or smaller until the window fits the screen's height
        (large text on a 720-pixel projector would make the window taller than the screen)."""
        everyday = self._everyday or looks.appearance_model().current
        model, room = looks.appearance_model(), self._screen_height()
        points = self.font_size if points is None else points
        while True:
            model.set(presentation_appearance(everyday, points, self._base_points, self._short()))
            self._fit_tool_bar(points)
            if points <= SIZE_RANGE[0] or self.window.minimumSizeHint().height() <= room:
                break
            points = max(SIZE_RANGE[0], points - SIZE_STEP)
        if points != self.shown_size and points < self.font_size:
            self.window.statusBar().showMessage(f"Text at {points:g} pt: the largest that fits this screen", 6000)
        self.shown_size = points
        self._show_position()
        QTimer.singleShot(REFIT_MS, self, self._refit)

    def _refit(self) -> None:
        """Some views settle their height a moment later (wrapped titles, plots): smaller again if need be."""
        if not self.active:
            return
        if self.window.minimumSizeHint().height() > self._screen_height() and self.shown_size > SIZE_RANGE[0]:
            self._apply_appearance(self.shown_size - SIZE_STEP)
        self._fill_screen()

    def _fit_tool_bar(self, size: float) -> None:
        """Large icons; the text as large as lets every action fit the screen's width."""
        w = self.window
        bar = w.training_tool_bar
        if self._tool_bar_saved is None:
            self._tool_bar_saved = (bar.iconSize(), QFont(bar.font()), bar.testAttribute(Qt.WidgetAttribute.WA_SetFont))
        bar.setIconSize(QSize(round(1.5 * size), round(1.5 * size)))
        self.position_label.setFont(_scaled(w.font(), min(size, POSITION_MAX)))
        points = TOOL_TEXT * size
        bar.setFont(_scaled(w.font(), points))
        screen = w.screen()
        room = (screen.geometry().width() if screen is not None else w.width()) - 24
        while points > 8 and bar.sizeHint().width() > room:
            points -= 0.5
            bar.setFont(_scaled(w.font(), points))

    _tool_bar_saved: tuple | None = None

    def _restore_tool_bar(self) -> None:
        if self._tool_bar_saved is None:
            return
        bar = self.window.training_tool_bar
        icons, font, own = self._tool_bar_saved
        bar.setIconSize(icons)
        bar.setFont(font if own else QFont())
        self._tool_bar_saved = None

    # -- following the session -------------------------------------------------------------------
    def _show_position(self, *args) -> None:
        if not self.active:
            return
        s = self.session
        colour = looks.appearance_model().current.colors.phase(s.phase)
        where = re.sub(r"(\d+(?:/\d+)?)", r"<b>\1</b>", s.where())  # the iteration shown, as everywhere else
        self.position_label.setText(
            f"{where} · <span style='color:{colour}; font-weight:bold'>{s.phase}</span>"
            f" · next <b>{s.next_op.symbol}</b>")


def _icon(color: str = "#333333") -> QIcon:
    """A projection screen on its stand."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(color), 5))
    painter.drawRoundedRect(QRectF(6, 8, 52, 34), 3, 3)
    painter.drawLine(QPointF(32, 42), QPointF(32, 52))
    painter.drawLine(QPointF(20, 58), QPointF(32, 52))
    painter.drawLine(QPointF(44, 58), QPointF(32, 52))
    painter.end()
    return QIcon(pixmap)


def _drop_title_bar(dock: QDockWidget) -> None:
    bar = dock.titleBarWidget()
    dock.setTitleBarWidget(None)
    if bar is not None:
        bar.deleteLater()


def _unique(keys: list) -> list[QKeySequence]:
    """Key sequences without repeats (the same key twice on one action makes it ambiguous)."""
    seen, result = set(), []
    for key in keys:
        for sequence in (QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey)
                         else [QKeySequence(key)]):
            if sequence.toString() and sequence.toString() not in seen:
                seen.add(sequence.toString())
                result.append(sequence)
    return result


def install_presentation(window) -> Presentation:
    """Add actionPresentationMode (F11) to the View menu and the tool bar, actionZoomIn/actionZoomOut
    (Ctrl+= / Ctrl+-, enabled in presentation mode) to the View menu, and Esc to leave."""
    presentation = Presentation(window)
    view = window.menus["view"]
    view.addAction(presentation.action)
    view.addAction(presentation.zoom_in)
    view.addAction(presentation.zoom_out)
    bar = window.training_tool_bar  # before the position labels: those go to the overflow first at 1280 px
    label = next((a for a in bar.actions() if bar.widgetForAction(a) is window.position_label), None)
    bar.insertAction(label, presentation.action)
    window.addAction(presentation.leave_action)  # Esc works wherever the focus is, without a menu entry
    view.addAction(presentation.data_action)
    return presentation
