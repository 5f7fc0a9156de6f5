"""Themes and presentation mode: one appearance that every view applies to its own widgets."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPalette
from PySide6.QtWidgets import QDialogButtonBox

from nnviz.app.preferences import Preferences
from nnviz.views.appearance import appearance_model
from nnviz.views.theme import DARK, HIGH_CONTRAST, LIGHT, Appearance


def _colours(w) -> dict:
    """What each view says it draws in, read from the view and its own widgets."""
    panel = w.inspector.panels[0]
    steps = w.step_list.tree.topLevelItem(0)
    return {
        "heatmap background": panel.graphics.backgroundBrush().color().name(),
        "heatmap map": panel.colormap_name,
        "picture background": w.inspector.picture.graphics.backgroundBrush().color().name(),
        "inspector forward": w.inspector.phase_color("forward"),
        "equation": w.inspector.equation_label.styleSheet(),
        "cost plot background": w.plots.cost_plot.backgroundBrush().color().name(),
        "gradient plot background": w.plots.grad_plot.backgroundBrush().color().name(),
        "cost curve": w.plots.curve_colors()[0],
        "diagram forward": w.diagram.colour_of("forward").name(),
        "diagram background": w.diagram.palette().color(QPalette.ColorRole.Base).name(),
        "steps tint": steps.background(1).color().name(),
        "steps text": steps.foreground(1).color().name(),
        "data background": w.preview.scatter_plot.backgroundBrush().color().name(),
        "window": w.palette().color(QPalette.ColorRole.Window).name(),
        "explanation": w.explanations.html_for(w.session.plan[0]),
        "position": w.position_label.text(),
    }


def test_switching_themes_changes_every_views_colours(default_window, wait_idle, qtbot):
    w, model = default_window, appearance_model()
    w.session.step()
    wait_idle(w.session)
    light = _colours(w)
    assert light["heatmap background"] == LIGHT.plot_background and light["heatmap map"] == "CET-D1"
    model.set(Appearance(theme="dark"))
    qtbot.wait(10)  # the explanation redraws on the next turn of the event loop
    dark = _colours(w)
    for name, value in dark.items():
        assert value != light[name], name
    assert dark["heatmap background"] == dark["cost plot background"] == DARK.plot_background
    assert QColor(dark["window"]).lightness() < 80 and QColor(dark["diagram background"]).lightness() < 80
    assert dark["diagram forward"] == DARK.phase("forward") and dark["steps tint"] == DARK.tint("forward")
    assert DARK.phase("forward") in dark["equation"] and DARK.phase("forward") in dark["explanation"]
    model.set(Appearance(theme="high-contrast"))
    contrast = _colours(w)
    assert contrast["window"] == "#ffffff" and contrast["diagram forward"] == HIGH_CONTRAST.phase("forward")
    model.set(Appearance())
    assert _colours(w) == light  # and back, exactly


def test_colour_blind_safe_map_on_every_heatmap(default_window, wait_idle):
    w = default_window
    w.session.run_forward()
    wait_idle(w.session)
    appearance_model().set(Appearance(colormap="colour-blind safe"))
    assert {p.colormap_name for p in w.inspector.panels} == {"CET-CBD1"}
    lut = w.inspector.panels[0].bar.colorMap().getLookupTable(0.0, 1.0, 3)
    assert tuple(lut[-1][:3]) != (192, 2, 6)  # no red end: blue to yellow
    appearance_model().set(Appearance(theme="dark", colormap="colour-blind safe"))
    assert {p.colormap_name for p in w.inspector.panels} == {"CET-D6"}


def test_preferences_choose_the_theme_and_keep_it(default_window, qtbot):
    w = default_window
    dialog = w.preferences.open()
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    dialog.colormap_box.setCurrentIndex(dialog.colormap_box.findData("colour-blind safe"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert appearance_model().current == Appearance(theme="dark", colormap="colour-blind safe")
    assert w.plots.cost_plot.backgroundBrush().color().name() == DARK.plot_background
    saved = Preferences.read()
    assert (saved.theme, saved.colormap) == ("dark", "colour-blind safe")
    # presenting in the dark theme stays dark, and leaving comes back to it
    w.presentation.enter()
    assert appearance_model().current.theme == "dark" and appearance_model().current.text_points is not None
    w.presentation.leave()
    assert appearance_model().current == Appearance(theme="dark", colormap="colour-blind safe")


def test_a_damaged_theme_setting_falls_back_to_light(default_window):
    from nnviz.app.preferences import _settings
    _settings().setValue("preferences/theme", "neon")
    assert Preferences.read().theme == "light"


# -- presentation mode on the appearance ------------------------------------------------------------
def test_zooming_keeps_the_window_on_the_screen_and_titles_inside_their_panels(default_window, wait_idle, qtbot):
    w, p = default_window, default_window.presentation
    w.session.run_through(next(op.index for op in w.session.plan if op.key == "dW2"))
    wait_idle(w.session)
    p.enter()
    qtbot.wait(20)
    screen = w.screen().geometry()
    for _ in range(5):
        p.zoom(-1)
    qtbot.wait(20)
    assert p.font_size == 10.0 and screen.contains(w.geometry()), (w.geometry(), screen)
    for _ in range(15):
        p.zoom(1)
    assert p.font_size == 32.0  # what the lecturer asked for, kept for next time
    qtbot.waitUntil(lambda: screen.contains(w.geometry()), timeout=3000)  # smaller text where 32 pt cannot fit
    qtbot.wait(200)
    assert screen.contains(w.geometry()) and p.shown_size < 32.0
    for panel in w.inspector.panels:
        if panel.isVisible():
            title = panel.title_label
            width = QFontMetricsF(title.font()).horizontalAdvance(title.text())
            assert width <= panel.width() or title.font().pointSizeF() <= 8.0, (title.text(), width, panel.width())


def test_f1_while_presenting_is_a_tab_beside_the_plots(default_window, qtbot):
    w, p = default_window, default_window.presentation
    p.enter()
    qtbot.wait(20)
    width = w.inspector.width()
    w.explanations.action.trigger()
    qtbot.wait(20)
    dock = w.docks["explanationDock"]
    assert not dock.isHidden() and dock in w.tabifiedDockWidgets(w.docks["plotsDock"])
    assert w.inspector.width() == width  # not squeezed sideways


def test_the_step_list_font_comes_back_after_presenting(default_window, qtbot, wait_idle):
    w, p = default_window, default_window.presentation
    tree = w.step_list.tree
    before = (tree.font().pointSizeF(), tree.columnWidth(1))
    p.enter()
    w.session.step()
    wait_idle(w.session)
    w.session.set_design(w.session.design.with_layer(0, 3, "tanh"))  # the list rebuilt while presenting
    wait_idle(w.session)
    assert tree.font().pointSizeF() > before[0]
    p.leave()
    assert tree.font().pointSizeF() == before[0] and tree.columnWidth(1) < 1.2 * before[1]
    for row in range(tree.topLevelItemCount()):  # no line keeps a size of its own (the bold one neither)
        font = tree.topLevelItem(row).font(1)
        assert font.pointSizeF() in (-1.0, before[0]) or font.resolve(tree.font()).pointSizeF() == before[0]
    drawn = tree.visualItemRect(tree.topLevelItem(0)).height()
    assert drawn <= tree.fontMetrics().height() + 8


def test_presentation_can_show_the_decision_boundary(default_window, qtbot, wait_idle):
    w, p = default_window, default_window.presentation
    w.open_source("demo:xor")
    wait_idle(w.session)
    p.enter()
    qtbot.wait(20)
    data = w.docks["dataDock"]
    assert data.isHidden() and p.data_action.isEnabled() and p.data_action.shortcut().toString() == "Ctrl+D"
    qtbot.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(50)
    assert not data.isHidden() and w.dockWidgetArea(data) == Qt.DockWidgetArea.RightDockWidgetArea
    assert data.width() > 0.3 * w.width() and data.height() > 0.5 * w.height()  # room for the boundary
    assert w.preview.isVisible() and w.preview.mode == "scatter"
    assert w.preview.boundary_image() is not None
    assert w.preview.scatter_plot.backgroundBrush().color().name() == HIGH_CONTRAST.plot_background
    qtbot.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert data.isHidden()
    p.data_action.trigger()
    p.leave()
    assert not data.isHidden() and w.dockWidgetArea(data) == Qt.DockWidgetArea.LeftDockWidgetArea  # back in its place
    assert not p.data_action.isEnabled()


def test_the_present_button_is_on_the_tool_bar_at_1280_wide(default_window, qtbot):
    w = default_window
    w.showNormal()
    w.resize(1280, 720)
    qtbot.wait(20)
    bar = w.training_tool_bar
    button = bar.widgetForAction(w.presentation.action)
    assert button is not None and button.isVisible()
    assert button.geometry().right() <= bar.width()


def test_every_theme_colours_every_phase_of_the_plan():
    from nnviz.views.style import PHASE_COLORS
    from nnviz.views.theme import PHASES, THEMES

    assert set(PHASE_COLORS) <= set(PHASES)
    for theme in THEMES.values():
        assert set(theme.phases) == set(theme.tints) == set(PHASES), theme.name
    assert LIGHT.phases == PHASE_COLORS  # the light theme is the everyday colours


def test_hints_take_the_themes_muted_colour(default_window, qtbot):
    from PySide6.QtWidgets import QLabel

    w, model = default_window, appearance_model()
    names = ("initNote", "batchNote", "datasetOptionsSummary")
    labels = [w.findChild(QLabel, name) for name in names]
    assert all(label is not None for label in labels), names
    note = w.dataset_options.note
    for theme in (DARK, HIGH_CONTRAST, LIGHT):
        model.set(Appearance(theme=theme.name))
        for label in (*labels, note):
            assert label.styleSheet() == f"color: {theme.muted};", (label.objectName(), theme.name)
    assert QColor(DARK.muted).lightness() > 140  # readable on the dark window (#2b2b2b)


def test_verdicts_on_the_window_take_the_themes_colours(default_window, wait_idle, qtbot):
    w, model = default_window, appearance_model()
    note = w.designer.lr_note
    options_note = w.dataset_options.note
    w.session.run_iteration()
    wait_idle(w.session)
    w.diagnostics.view.refresh()
    hints = w.diagnostics.view.hint_label
    for theme in (DARK, LIGHT):
        model.set(Appearance(theme=theme.name))
        assert note.styleSheet() == f"color: {theme.verdict('wrong')};"
        assert options_note.styleSheet() == f"color: {theme.muted};"
        assert theme.verdict("ok") in hints.text() or theme.verdict("suspicious") in hints.text() \
            or theme.verdict("wrong") in hints.text(), hints.text()
    for colour in DARK.verdicts.values():  # light tones on the dark window
        assert QColor(colour).lightness() > 140


def test_the_accuracy_title_names_train_and_test_in_their_curves_colours_on_either_theme(default_window, wait_idle, qtbot):
    from nnviz.views.accuracy import TEST_COLOR, TRAIN_COLOR

    w, model = default_window, appearance_model()
    w.session.run_iteration()
    wait_idle(w.session)
    view = w.accuracy.view
    item = view.plot.getPlotItem()
    qtbot.waitUntil(lambda: "test " in item.titleLabel.text, timeout=5000)
    assert item.legend is None  # inside the plot, it covered the curves of a run that learns little
    result = w.accuracy.tracker.latest
    for theme in (DARK, LIGHT):
        model.set(Appearance(theme=theme.name))
        title = item.titleLabel.text
        background = QColor(theme.plot_background)
        for word, curve, colour in (("train", view.train_curve, TRAIN_COLOR), ("test", view.test_curve, TEST_COLOR)):
            found = re.search(rf"<span style='color: (#[0-9a-f]{{6}})'>{word} ", title)
            assert found, (word, title)
            shown = QColor(found.group(1))
            assert curve.opts["pen"].color().name() == colour
            assert shown.hue() == pytest.approx(QColor(colour).hue(), abs=3)  # the curve's hue ...
            assert _contrast(shown, background) >= 3.5, (word, theme.name)  # ... readable on the plot
        assert f"{100 * result.train:.1f} %" in title


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        channels = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in (c.redF(), c.greenF(), c.blueF())]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_health_plots_follow_the_theme(qtbot):
    from nnviz.views.health import HealthView

    view = HealthView()
    qtbot.addWidget(view)
    model = appearance_model()
    try:
        for theme in (DARK, LIGHT):
            model.set(Appearance(theme=theme.name))
            assert view.graphics.backgroundBrush().color().name() == QColor(theme.plot_background).name()
            for plot in (view.ratio_plot, view.share_plot, view.strip_plot):
                assert QColor(theme.plot_foreground).name() in plot.titleLabel.item.toHtml()
                assert plot.getAxis("left").textPen().color().name() == QColor(theme.plot_foreground).name()
    finally:
        model.set(Appearance())


def test_the_provenance_outlines_are_in_the_themes_text_colour(default_window, wait_idle, qtbot):
    w, model = default_window, appearance_model()
    w.session.run_through(next(op.index for op in w.session.plan if op.key == "Z2"))
    wait_idle(w.session)
    w.inspector.hover(3, 2, 5)  # Z[2][2,5]: row 2 of W[2], column 5 of A[1], b[2][2] outlined
    outline = w.inspector.panels[0].provenance_outline
    assert outline.shown == (2, None)
    for theme in (DARK, LIGHT):
        model.set(Appearance(theme=theme.name))
        colour = outline.item.pen().color()
        assert colour.name() == QColor(theme.text).name()
        background = QColor(theme.plot_background)
        assert abs(colour.lightness() - background.lightness()) > 120, theme.name  # #111 on the dark cells: invisible


def test_a_narrow_accuracy_plot_shows_its_whole_title_in_a_smaller_font(default_window, wait_idle, qtbot):
    import re as regex

    from PySide6.QtGui import QFont, QFontMetrics

    from nnviz.views.plots import title_room

    w = default_window
    w.session.run_iteration()
    wait_idle(w.session)
    view = w.accuracy.view
    item = view.plot.getPlotItem()
    qtbot.waitUntil(lambda: "test " in item.titleLabel.text, timeout=5000)

    def fits() -> bool:
        font = QFont(view.font())
        font.setPointSizeF(float(item.titleLabel.opts["size"].removesuffix("pt")))
        plain = regex.sub(r"<[^>]+>", "", item.titleLabel.text)
        return QFontMetrics(font).horizontalAdvance(plain) <= title_room(view.plot)

    view.setMinimumWidth(0)
    view.setFixedWidth(400)
    qtbot.waitUntil(fits, timeout=3000)  # "train 100.0 % · test 100.0" had been cut at the plot's edge
    assert "train " in item.titleLabel.text and "test " in item.titleLabel.text
    widths = {}
    for width in range(400, 200, -10):  # narrower and narrower: tenths, then whole percents, then no words
        view.setFixedWidth(width)
        qtbot.waitUntil(fits, timeout=3000)
        plain = regex.sub(r"<[^>]+>", "", item.titleLabel.text)
        form = "words" if "train " in plain and "." in plain else "whole" if "train " in plain else "numbers"
        widths.setdefault(form, width)
    assert list(widths) == ["words", "whole", "numbers"], widths
    assert regex.search(r"\d %</span> · <span", item.titleLabel.text)
