"""Presentation mode: full screen, large fonts, thick lines, high contrast; only the diagram, inspector and plots."""
from __future__ import annotations

import logging
from typing import Callable

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction, QColor, QFont, QFontInfo, QFontMetricsF, QIcon, QKeySequence, QPainter, QPalette, QPen, QPixmap,
)
from PySide6.QtWidgets import QDockWidget, QLabel, QToolBar, QWidget

from ..views import style
from .settings import app_settings

log = logging.getLogger(__name__)

DEFAULT_SIZE, SIZE_STEP, SIZE_RANGE = 16.0, 2.0, (10.0, 32.0)  # points of ordinary text
KEEP_DOCKS = ("diagramDock", "plotsDock")  # with the inspector (the central widget)
SHORT_SCREEN = 850  # px: below, the plots share the top with the diagram as tabs, as the window does
DIAGRAM_SHARE = {True: 0.28, False: 0.26}  # of the screen height the diagram may take (short screen?)
PLOTS_SHARE = 0.22
TOOL_TEXT = 0.8  # tool-bar, status-bar and hover text relative to the font size, at most
POSITION_MAX = 18.0  # pt: the tool bar's position label, so the actions keep readable text
SHORT_HEADER = 0.8  # the inspector's header on a short screen, relative to the rest
DIAGRAM_TEXT = 0.8  # the diagram's text: its columns keep room for their units
TITLE_MARGIN = 70  # px of a plot's width its title cannot use (as PlotsView)
SETTINGS_KEY = "presentation/fontSize"


class _Undo:
    """Changes made to other developers' widgets from outside, each with the call that takes it back."""

    def __init__(self) -> None:
        self._steps: list[Callable[[], None]] = []

    def add(self, undo: Callable[[], None]) -> None:
        self._steps.append(undo)

    def font(self, widget: QWidget, font: QFont) -> None:
        old, own = QFont(widget.font()), widget.testAttribute(Qt.WidgetAttribute.WA_SetFont)
        widget.setFont(font)
        self.add(lambda: widget.setFont(old if own else QFont()))

    def scale_font(self, widget: QWidget, factor: float) -> None:
        self.font(widget, _scaled(widget.font(), widget.font().pointSizeF() * factor))

    def tick_font(self, axis: pg.AxisItem, points: float) -> None:
        old = axis.style["tickFont"]
        font = QFont(old) if old is not None else QFont(axis.font())
        font.setPointSizeF(points)
        axis.setTickFont(font)
        self.add(lambda: axis.setTickFont(old))

    def restore(self) -> None:
        while self._steps:
            undo = self._steps.pop()
            try:
                undo()
            except RuntimeError:  # the widget went away meanwhile (a new network's curves): nothing to restore
                log.debug("presentation: a restored widget no longer exists")


def _scaled(font: QFont, points: float) -> QFont:
    font = QFont(font)
    font.setPointSizeF(points)
    return font


def high_contrast(palette: QPalette) -> QPalette:
    """White backgrounds and near-black text (disabled text stays grey, so Pause still looks off)."""
    palette = QPalette(palette)
    white, text = QColor("#ffffff"), QColor(style.PRESENTATION_TEXT)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for role, colour in ((QPalette.ColorRole.Window, white), (QPalette.ColorRole.Base, white),
                             (QPalette.ColorRole.AlternateBase, QColor("#f2f2f2")),
                             (QPalette.ColorRole.Button, QColor("#f4f4f4")), (QPalette.ColorRole.WindowText, text),
                             (QPalette.ColorRole.Text, text), (QPalette.ColorRole.ButtonText, text)):
            palette.setColor(group, role, colour)
    return palette


class Presentation(QObject):
    """Enter and leave presentation mode on ``window``; ``font_size`` is the size of ordinary text (pt)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.active = False
        self.font_size = self._saved_size()
        self._saved: dict | None = None
        self._layout = _Undo()  # docks' title bars, the tool bar: undone when leaving
        self._style = _Undo()  # fonts, pens, colours: undone when leaving and before each zoom
        self._base_points = 9.0
        self.position_label = QLabel()
        self.position_label.setObjectName("presentationPosition")
        self.position_label.setTextFormat(Qt.TextFormat.RichText)
        self.position_label.setContentsMargins(16, 0, 16, 0)
        self.position_action = window.training_tool_bar.addWidget(self.position_label)
        self.position_action.setVisible(False)  # shown in presentation mode instead of the window's smaller one
        self._make_actions()
        window.installEventFilter(self)
        window.plots.installEventFilter(self)
        self.session.stepped.connect(self._show_position)
        self.session.network_changed.connect(self._network_changed)
        self.session.history_changed.connect(self._fit_plot_title)

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
        self._enable_actions()

    def _enable_actions(self) -> None:
        for action in (self.leave_action, self.zoom_in, self.zoom_out):
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
        """Full screen with only the diagram, the inspector and the plots, everything larger."""
        if self.active:
            return
        w = self.window
        self._saved = {"state": w.saveState(), "geometry": w.saveGeometry(), "window_state": w.windowState(),
                       "rect": w.geometry()}
        self._base_points = QFontInfo(w.font()).pointSizeF()
        self.active = True
        self._set_checked(True)
        self._enable_actions()
        self._hide_the_rest()
        self._apply_style()  # before going full screen: larger text on the old size could stretch the window
        w.showFullScreen()
        self._arrange()
        QTimer.singleShot(0, self._fill_screen)
        log.info("presentation mode at %g pt", self.font_size)

    def leave(self) -> None:
        """Back to the window exactly as it was: geometry, docks, tool bars, fonts and colours."""
        if not self.active:
            return
        w, saved = self.window, self._saved
        self.active = False
        self._style.restore()
        self._layout.restore()
        self._refresh_views()
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
        self._set_checked(False)
        self._enable_actions()

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
            self._style.restore()
            self._apply_style()
            self._arrange()

    def _set_checked(self, on: bool) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(on)
        self.action.blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.leave()  # before the window writes its settings: never save the full-screen layout
        elif watched is self.window.plots and event.type() == QEvent.Type.Resize and self.active:
            QTimer.singleShot(0, self._fit_plot_title)  # after PlotsView chose its title for the new width
        return False

    # -- layout -----------------------------------------------------------------------------
    def _hide_the_rest(self) -> None:
        w, keep = self.window, [self.window.docks[name] for name in KEEP_DOCKS if name in self.window.docks]
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
        ins = w.inspector
        if not ins.bottom.isHidden():  # the stats table's 22 px rows cannot grow from outside; the heatmaps need it
            ins.bottom.hide()
            self._layout.add(ins.bottom.show)
        self.position_action.setVisible(True)
        self._layout.add(lambda: self.position_action.setVisible(False))
        self._show_position()

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
        """Diagram on top, plots at the bottom (as tabs beside the diagram on a short screen)."""
        if not self.active:
            return
        w, d = self.window, self.window.docks
        diagram, plots = d["diagramDock"], d["plotsDock"]
        height = self._screen_height()
        if self._short():
            if plots not in w.tabifiedDockWidgets(diagram):
                w.tabifyDockWidget(diagram, plots)
            diagram.raise_()
            w.resizeDocks([diagram], [int(DIAGRAM_SHARE[True] * height)], Qt.Orientation.Vertical)
        else:
            bottom = Qt.DockWidgetArea.BottomDockWidgetArea
            if plots in w.tabifiedDockWidgets(diagram) or w.dockWidgetArea(plots) != bottom:
                w.addDockWidget(bottom, plots)
            w.resizeDocks([diagram, plots], [int(DIAGRAM_SHARE[False] * height), int(PLOTS_SHARE * height)],
                          Qt.Orientation.Vertical)

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

    # -- style ---------------------------------------------------------------------------------
    def _apply_style(self) -> None:
        w, u, size = self.window, self._style, self.font_size
        factor = size / max(self._base_points, 1.0)
        old_colours = dict(style.PHASE_COLORS)  # every view reads this dict when it draws
        style.PHASE_COLORS.update(style.PRESENTATION_PHASE_COLORS)
        u.add(lambda: style.PHASE_COLORS.update(old_colours))
        old_palette, own_palette = QPalette(w.palette()), w.testAttribute(Qt.WidgetAttribute.WA_SetPalette)
        w.setPalette(high_contrast(w.palette()))
        u.add(lambda: w.setPalette(old_palette if own_palette else QPalette()))
        u.font(w, _scaled(w.font(), size))  # everything without a font of its own follows
        u.font(w.statusBar(), _scaled(w.font(), TOOL_TEXT * size))
        self._style_tool_bar()
        self._style_diagram()
        self._style_inspector(factor)
        self._style_plots(factor)
        self._refresh_views()

    def _style_tool_bar(self) -> None:
        """Large icons; the text as large as lets every action and the position fit the screen's width."""
        w, size = self.window, self.font_size
        bar = w.training_tool_bar
        icons = bar.iconSize()
        bar.setIconSize(QSize(round(1.5 * size), round(1.5 * size)))
        self._style.add(lambda: bar.setIconSize(icons))
        self.position_label.setFont(_scaled(w.font(), min(size, POSITION_MAX)))
        points = TOOL_TEXT * size
        self._style.font(bar, _scaled(w.font(), points))
        screen = w.screen()
        room = (screen.geometry().width() if screen is not None else w.width()) - 24
        while points > 8 and bar.sizeHint().width() > room:
            points -= 0.5
            bar.setFont(_scaled(w.font(), points))

    def _short(self) -> bool:
        return self._screen_height() < SHORT_SCREEN

    def _refresh_views(self) -> None:
        w = self.window
        w.inspector.refresh()
        w.diagram.update()
        w.update_position()
        self._show_position()
        self._fit_plot_title()

    def _style_diagram(self) -> None:
        """The diagram scales its text and lines with its font: the largest that leaves it a share of the screen."""
        diagram = self.window.diagram
        room = DIAGRAM_SHARE[self._short()] * self._screen_height()
        points = round(DIAGRAM_TEXT * self.font_size)
        self._style.font(diagram, _scaled(self.window.font(), points))
        while points > SIZE_RANGE[0] and diagram.minimumSizeHint().height() > room:
            points -= 1.0
            diagram.setFont(_scaled(self.window.font(), points))

    def _style_inspector(self, factor: float) -> None:
        """The header and the heatmap titles grow with the text (less on a short screen: the heatmaps need height)."""
        ins, u = self.window.inspector, self._style
        header = factor * (SHORT_HEADER if self._short() else 1.0)
        for label in (ins.equation_label, ins.shapes_label):  # the inspector fits these from their "points"
            points = label.property("points")
            label.setProperty("points", points * header)
            u.add(lambda label=label, points=points: label.setProperty("points", points))
            u.scale_font(label, header)
        for label in (ins.info_label, ins.hint_label, ins.picture.title_label):
            u.scale_font(label, header)
        u.font(ins.hover_label, _scaled(ins.hover_label.font(), TOOL_TEXT * self.font_size))
        ticks = min(0.8 * self.font_size, 14.0)  # index axes space their labels for small digits
        for panel in ins.panels:
            old = panel.title_label.styleSheet()
            panel.title_label.setStyleSheet(f"font-size: {13 * header:.1f}pt;")  # the panel resets its font
            u.add(lambda panel=panel, old=old: panel.title_label.setStyleSheet(old))
            for axis in (panel.plot.getAxis("left"), panel.plot.getAxis("bottom"), panel.bar.axis):
                u.tick_font(axis, ticks)
            bar_width = panel.bar.axis.fixedWidth
            panel.bar.axis.setWidth(round((bar_width or 64) * ticks / 9.0))
            u.add(lambda axis=panel.bar.axis, width=bar_width: axis.setWidth(width))

    def _style_plots(self, factor: float) -> None:
        plots, u = self.window.plots, self._style
        size = self.font_size
        for plot in (plots.cost_plot, plots.grad_plot):
            item = plot.getPlotItem()
            for side in ("left", "bottom"):
                axis = item.getAxis(side)
                u.tick_font(axis, 0.85 * size)
                old_style = dict(axis.labelStyle) or {"color": style.PLOT_FOREGROUND}
                axis.setLabel(axis.labelText, axis.labelUnits, **{**old_style, "font-size": f"{0.85 * size:.1f}pt"})
                u.add(lambda axis=axis, old=old_style: axis.setLabel(axis.labelText, axis.labelUnits, **old))
        for curve in [plots.cost_curve, *plots.grad_curves]:
            old_pen = pg.mkPen(curve.opts["pen"])
            pen = pg.mkPen(old_pen)
            pen.setWidthF(max(old_pen.widthF(), 1.0) * min(factor, 2.5))
            curve.setPen(pen)
            u.add(lambda curve=curve, old=old_pen: curve.setPen(old))
        title, layout = plots.cost_plot.getPlotItem().titleLabel, plots.cost_plot.getPlotItem().layout
        old_title = title.opts.get("size")  # _fit_plot_title enlarges it; PlotItem.setTitle's row is 30 px
        u.add(lambda: (title.setText(title.text, **({"size": old_title} if old_title else {})),
                       layout.setRowFixedHeight(0, 30), title.setMaximumHeight(30)))
        legend, old_size = plots.legend, plots.legend.opts["labelTextSize"]
        _legend_text(legend, f"{min(0.75 * size, 14.0):.1f}pt")
        u.add(lambda: _legend_text(legend, old_size))

    def _fit_plot_title(self) -> None:
        """The cost plot's title as large as its width allows (PlotsView sets it again at every iteration)."""
        item = self.window.plots.cost_plot.getPlotItem()
        title = item.titleLabel
        if not self.active or not title.isVisible() or not title.text:
            return
        room = self.window.plots.cost_plot.width() - TITLE_MARGIN
        points = 0.9 * self.font_size
        while points > 9 and QFontMetricsF(_scaled(self.window.font(), points)).horizontalAdvance(title.text) > room:
            points -= 1.0
        if title.opts.get("size") == f"{points:.0f}pt":
            return
        title.setText(title.text, size=f"{points:.0f}pt")
        height = round(QFontMetricsF(_scaled(self.window.font(), points)).height()) + 8
        item.layout.setRowFixedHeight(0, height)
        title.setMaximumHeight(height)

    # -- following the session -------------------------------------------------------------------
    def _show_position(self) -> None:
        if not self.active:
            return
        s = self.session
        colour = style.PHASE_COLORS.get(s.phase, style.PHASE_COLORS["ready"])
        self.position_label.setText(
            f"Iteration <b>{s.iteration}</b> · <span style='color:{colour}; font-weight:bold'>{s.phase}</span>"
            f" · next <b>{s.next_op.symbol}</b>")

    def _network_changed(self) -> None:
        """A new network brings new curves and legend entries: style them too."""
        if self.active:
            self._style.restore()
            self._apply_style()


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


def _legend_text(legend: pg.LegendItem, size: str) -> None:
    """Entries of ``legend`` (and those added later) in ``size``; setLabelTextSize alone does not redraw them."""
    legend.setLabelTextSize(size)
    for _, label in legend.items:
        label.setText(label.text)
    legend.updateSize()


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
    window.training_tool_bar.addAction(presentation.action)
    window.addAction(presentation.leave_action)  # Esc works wherever the focus is, without a menu entry
    return presentation
