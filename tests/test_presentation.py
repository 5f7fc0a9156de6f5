"""Presentation mode: full screen with only the diagram, inspector and plots, larger text, and back exactly."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from nnviz.app import MainWindow
from nnviz.app.presentation import DEFAULT_SIZE, SIZE_STEP
from nnviz.views.appearance import appearance_model
from nnviz.views.theme import HIGH_CONTRAST

HIDDEN = ("designerDock", "dataDock", "stepsDock")  # the data comes back with Ctrl+D
KEPT = ("diagramDock", "plotsDock")


@pytest.fixture
def window(default_window):
    return default_window


def _snapshot(w) -> dict:
    """What presentation mode changes and must give back."""
    ins, plots = w.inspector, w.plots
    return {
        "hidden": {name: dock.isHidden() for name, dock in w.docks.items()},
        "geometry": w.geometry(),
        "full_screen": w.isFullScreen(),
        "equation": ins.equation_label.font().pointSizeF(),
        "equation_points": ins.equation_label.property("points"),
        "shapes": ins.shapes_label.font().pointSizeF(),
        "diagram": (w.diagram.font().pointSizeF(), w.diagram.testAttribute(Qt.WidgetAttribute.WA_SetFont)),
        "window_font": (w.font().pointSizeF(), w.testAttribute(Qt.WidgetAttribute.WA_SetFont)),
        "ticks": plots.cost_plot.getPlotItem().getAxis("left").style["tickFont"].pointSizeF(),
        "pen": plots.cost_curve.opts["pen"].widthF(),
        "legend": [label.item.boundingRect().height() for _, label in plots.legend.items],  # as drawn
        "stats": ins.bottom.isHidden(),
        "tool_bar": [a.objectName() or a.text() for a in w.training_tool_bar.actions() if a.isVisible()],
        "colours": w.diagram.colour_of("backward").name(),
        "theme": appearance_model().current.theme,
        "base": w.palette().color(QPalette.ColorRole.Base).name(),
    }


def test_actions(window):
    p = window.presentation
    assert p.action.objectName() == "actionPresentationMode" and p.action.isCheckable()
    assert p.action.shortcut().toString() == "F11"
    assert p.action in window.menus["view"].actions() and p.action in window.training_tool_bar.actions()
    assert p.zoom_in.objectName() == "actionZoomIn" and p.zoom_out.objectName() == "actionZoomOut"
    assert {"Ctrl+=", "Ctrl++"} <= {k.toString() for k in p.zoom_in.shortcuts()}
    assert "Ctrl+-" in {k.toString() for k in p.zoom_out.shortcuts()}
    assert not p.zoom_in.isEnabled() and not p.zoom_out.isEnabled()  # only in presentation mode


def test_entering_keeps_diagram_inspector_plots_and_grows_everything(window, wait_idle):
    s, p = window.session, window.presentation
    s.run_through(next(op.index for op in s.plan if op.key == "dW2"))
    wait_idle(s)
    before = _snapshot(window)
    p.action.trigger()
    assert p.active and p.action.isChecked() and window.isFullScreen() and p.font_size == DEFAULT_SIZE
    for name in HIDDEN:
        assert window.docks[name].isHidden(), name
    for name in KEPT:
        assert not window.docks[name].isHidden(), name
    assert window.inspector.isVisible() and window.diagram.isVisible() and window.plots.isVisible()
    now = _snapshot(window)
    assert now["equation"] > 1.5 * before["equation"] and now["shapes"] > before["shapes"]
    assert now["diagram"][0] > before["diagram"][0]
    assert now["window_font"][0] == DEFAULT_SIZE
    assert now["ticks"] > before["ticks"] and now["pen"] > before["pen"]
    assert all(a > 1.2 * b for a, b in zip(now["legend"], before["legend"]))
    assert now["stats"] and "actionOpenDataset" not in now["tool_bar"]
    assert now["colours"] == HIGH_CONTRAST.phase("backward") and now["theme"] == "high-contrast"
    assert now["base"] == "#ffffff"
    # (the label itself may sit in the tool bar's overflow: the offscreen screen is 800 px wide)
    assert p.position_action.isVisible() and "dW[2]" not in p.position_label.text()
    assert "next <b>db[2]</b>" in p.position_label.text() and "backward" in p.position_label.text()
    assert p.zoom_in.isEnabled() and p.zoom_out.isEnabled()


def test_zoom_grows_and_shrinks_the_text(window, qtbot):
    p, label = window.presentation, window.inspector.equation_label
    p.enter()
    at_default = label.property("points")  # the size it asks for (its text is fitted to the width)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)  # Ctrl+=
    assert p.font_size == DEFAULT_SIZE + SIZE_STEP and window.font().pointSizeF() == DEFAULT_SIZE + SIZE_STEP
    assert label.property("points") > at_default
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)  # Ctrl+-
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert p.font_size == DEFAULT_SIZE - SIZE_STEP and label.property("points") < at_default
    for _ in range(20):
        p.zoom(1)
    assert p.font_size == 32.0  # within limits
    p.leave()
    window.discard_and_close()
    next_lecture = MainWindow()
    qtbot.addWidget(next_lecture)
    assert next_lecture.presentation.font_size == 32.0  # kept for the next lecture
    next_lecture.discard_and_close()


def test_leaving_gives_everything_back_exactly(window, wait_idle, qtbot):
    s, p = window.session, window.presentation
    s.step()
    wait_idle(s)
    before = _snapshot(window)
    p.enter()
    p.zoom(1)
    s.step()  # the lecture goes on while presenting
    wait_idle(s)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not p.active and not p.action.isChecked() and not p.zoom_in.isEnabled()
    s.step_back()
    after = _snapshot(window)
    assert after == before


def test_a_new_network_while_presenting_gets_thick_curves_and_closing_leaves(window, wait_idle):
    s, p = window.session, window.presentation
    p.enter()
    thick = window.plots.cost_curve.opts["pen"].widthF()
    s.set_design(s.design.with_layer(0, 3, "tanh"))
    wait_idle(s)
    assert len(window.plots.grad_curves) == 4
    assert all(c.opts["pen"].widthF() == thick for c in window.plots.grad_curves)
    window.discard_and_close() if hasattr(window, "discard_and_close") else window.close()
    assert not p.active and appearance_model().current.theme == "light"


def test_the_position_names_the_iteration_shown_as_the_rest_of_the_window(window, wait_idle):
    s, p = window.session, window.presentation
    window.actionIteration.trigger()  # b[3] of iteration 0 shown, Z[1] of iteration 1 next
    wait_idle(s)
    p.enter()
    assert s.shown_iteration == 0 and s.iteration == 1
    assert p.position_label.text().startswith("Iteration <b>0</b> · ")
    assert window.status_position.text().startswith("Iteration 0 · ")
    assert window.inspector.info_label.text().startswith("iteration 0 · ")
