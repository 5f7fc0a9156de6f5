"""PlotsView: J and ‖dW[l]‖ follow the session's history, redraw only on new points, hover shows exact values."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from nnviz.data import load_demo
from nnviz.engine.history import History
from nnviz.views.plots import PlotsView, loggable
from qt_helpers import shown, wheel_zoom


@pytest.fixture
def xor_session(make_session):
    return make_session(dataset=load_demo("xor"))


def make_view(qtbot, session, width=1200, height=260):
    return shown(qtbot, PlotsView(session), width, height)


def train(session, wait_idle, iterations):
    for _ in range(iterations):
        session.run_iteration()
        wait_idle(session)


def drawn(curve):
    """The (x, y) a curve holds (before downsampling)."""
    return curve.xData, curve.yData


def test_curves_hold_the_history_exactly(qtbot, xor_session, wait_idle):
    view = make_view(qtbot, xor_session)
    assert view.objectName() == "trainingPlots"
    assert view.cost_plot.objectName() == "costPlot" and view.grad_plot.objectName() == "gradientNormPlot"
    train(xor_session, wait_idle, 4)
    history = xor_session.history
    assert len(history) == 4
    assert len(view.cost_curve.getData()[0]) == len(history)
    x, y = drawn(view.cost_curve)
    np.testing.assert_array_equal(x, [0, 1, 2, 3])
    np.testing.assert_array_equal(y, history.costs)
    assert len(view.grad_curves) == xor_session.spec.L == 3
    for l, curve in enumerate(view.grad_curves):
        np.testing.assert_array_equal(drawn(curve)[1], history.grad_norms[:, l])
    title = view.cost_plot.getPlotItem().titleLabel.text
    assert f"J = {float(history.costs[-1])!r}" in title and "iteration 3" in title


def test_gradient_plot_is_log_scale_with_one_legend_entry_per_layer(qtbot, xor_session, wait_idle):
    view = make_view(qtbot, xor_session)
    train(xor_session, wait_idle, 2)
    assert [label.text for _, label in view.legend.items] == ["‖dW[1]‖", "‖dW[2]‖", "‖dW[3]‖"]
    assert all(curve.opts["logMode"] == [False, True] for curve in view.grad_curves)
    assert view.cost_curve.opts["logMode"] == [False, False]
    colors = {curve.opts["pen"].color().name() for curve in view.grad_curves}
    assert len(colors) == 3


def test_hover_text_shows_exact_values(qtbot, xor_session, wait_idle):
    view = make_view(qtbot, xor_session)
    train(xor_session, wait_idle, 3)
    costs, norms = xor_session.history.costs, xor_session.history.grad_norms
    assert view.hover_text(view.cost_plot, 1) == f"iteration 1\nJ = {float(costs[1])!r}"
    grad_text = view.hover_text(view.grad_plot, 2)
    assert grad_text.splitlines() == ["iteration 2"] + [f"‖dW[{l}]‖ = {float(norms[2, l - 1])!r}" for l in (1, 2, 3)]
    assert view.hover_text(view.cost_plot, 99) == view.hover_text(view.cost_plot, 2)  # clamped to the last


def test_moving_the_mouse_over_a_point_shows_its_values(qtbot, xor_session, wait_idle):
    view = make_view(qtbot, xor_session)
    train(xor_session, wait_idle, 5)
    qtbot.wait(20)
    costs, norms = xor_session.history.costs, xor_session.history.grad_norms
    cost_view = view.cost_plot.getPlotItem().vb
    view.mouse_moved(view.cost_plot, cost_view.mapViewToScene(QPointF(2.2, float(costs[2]))))
    assert view.shown_hover_text(view.cost_plot) == view.hover_text(view.cost_plot, 2)
    grad_view = view.grad_plot.getPlotItem().vb  # view coordinates are log10 of the norms
    view.mouse_moved(view.grad_plot, grad_view.mapViewToScene(QPointF(3.0, float(np.log10(norms[3, 0])))))
    assert view.shown_hover_text(view.grad_plot) == view.hover_text(view.grad_plot, 3)
    outside = view.cost_plot.getPlotItem().getAxis("left").sceneBoundingRect().center()
    view.mouse_moved(view.cost_plot, outside)
    assert view.shown_hover_text(view.cost_plot) == ""


def test_redraws_only_when_the_point_count_changes(qtbot, xor_session, wait_idle):
    view = make_view(qtbot, xor_session)
    train(xor_session, wait_idle, 2)
    redraws = view.redraws
    xor_session.step()  # one operation: history_changed, no new point
    wait_idle(xor_session)
    xor_session.history_changed.emit()
    assert view.redraws == redraws
    train(xor_session, wait_idle, 1)
    assert view.redraws == redraws + 1 and view.point_count() == 3


def test_step_back_and_reset_take_points_away(qtbot, xor_session, wait_idle):
    view = make_view(qtbot, xor_session)
    train(xor_session, wait_idle, 3)
    assert xor_session.step_back()  # undoes the last update: the last iteration is not complete any more
    assert view.point_count() == len(xor_session.history) == 2
    xor_session.reset()
    wait_idle(xor_session)
    assert view.point_count() == 0
    assert all(curve.xData is None or len(curve.xData) == 0 for curve in view.grad_curves)
    assert "J =" not in view.cost_plot.getPlotItem().titleLabel.text


def test_a_deeper_network_gets_one_more_curve(qtbot, xor_session, wait_idle):
    view = make_view(qtbot, xor_session)
    train(xor_session, wait_idle, 1)
    xor_session.set_design(xor_session.design.with_layer(0, units=4))
    wait_idle(xor_session)
    assert len(view.grad_curves) == xor_session.spec.L == 4
    assert [label.text for _, label in view.legend.items][-1] == "‖dW[4]‖"
    assert view.point_count() == 0
    train(xor_session, wait_idle, 2)
    np.testing.assert_array_equal(drawn(view.grad_curves[3])[1], xor_session.history.grad_norms[:, 3])


def test_a_long_history_is_drawn_in_a_few_points_per_pixel_and_keeps_its_spikes(qtbot, xor_session):
    view = make_view(qtbot, xor_session, width=1000)
    rng = np.random.default_rng(0)
    n = 50_000
    costs = np.exp(-np.arange(n) / 8000) + 0.01 * rng.random(n)
    costs[32_101] = 3.5  # one iteration's spike must still show
    norms = rng.random((n, 3)) + 0.1
    norms[7_777, 1] = 40.0
    xor_session.history = History.from_arrays(costs, norms)
    xor_session.history_changed.emit()
    assert view.point_count() == n
    pixels = view.cost_plot.getPlotItem().vb.width()
    x, y = drawn(view.cost_curve)
    assert len(x) <= 4 * pixels, (len(x), pixels)  # not 50,000
    assert y.max() == 3.5 and y.min() == costs.min() and x.min() == 0 and x.max() >= n - 64
    assert drawn(view.grad_curves[1])[1].max() == 40.0
    # zoomed in, the plot shows every value of what is visible, exactly
    view.cost_plot.setXRange(32_000, 32_200, padding=0)
    x, y = drawn(view.cost_curve)
    assert x[0] <= 32_000 and x[-1] >= 32_200 and len(x) < 300
    np.testing.assert_array_equal(y, costs[int(x[0]):int(x[-1]) + 1])
    wheel_zoom(view.cost_plot)  # the user's zoom: the plot no longer follows the run
    # the run goes on (the same history grows); a double-click shows all of it again, and follows it
    history = xor_session.history
    for _ in range(20_000):
        history.append(0.02, [1.0, 1.0, 1.0])
    xor_session.history_changed.emit()
    assert view.cost_plot.getPlotItem().vb.viewRange()[0][1] < 33_000  # still zoomed in
    qtbot.mouseDClick(view.cost_plot.viewport(), Qt.MouseButton.LeftButton,
                      pos=view.cost_plot.viewport().rect().center())
    assert view.cost_plot.getPlotItem().vb.viewRange()[0][1] >= n + 20_000
    x, y = drawn(view.cost_curve)
    assert view.point_count() == n + 20_000 and y.max() == 3.5 and len(x) <= 4 * pixels
    assert x.max() >= n + 20_000 - 64 and y[x >= n + 1000].max() == 0.02
    # a step back cuts the history: the spike's bucket goes with it
    history.truncate(32_000)
    xor_session.history_changed.emit()
    x, y = drawn(view.cost_curve)
    assert view.point_count() == 32_000 and x.max() < 32_000 and y.max() == costs[:32_000].max() < 3.5


def test_zero_and_nan_gradients_leave_gaps_on_the_log_axis(qtbot, xor_session):
    view = make_view(qtbot, xor_session)
    history = History(3)
    for i in range(20):
        history.append(0.5, [0.0, np.nan if i % 2 else 1e-3, np.inf])
    xor_session.history = history
    xor_session.history_changed.emit()
    qtbot.wait(30)
    view.grab()
    assert np.isnan(drawn(view.grad_curves[0])[1]).all()
    assert np.isnan(drawn(view.grad_curves[1])[1][1::2]).all()
    assert view.hover_text(view.grad_plot, 0).splitlines()[1] == "‖dW[1]‖ = 0.0"


def test_loggable_keeps_positive_values_only():
    values = np.array([1.0, 0.0, -2.0, np.nan, np.inf, 1e-300])
    shown = loggable(values)
    assert shown[0] == 1.0 and shown[5] == 1e-300
    assert np.isnan(shown[1:5]).all()
    assert values[1] == 0.0  # the history's array is not touched


class GrowingHistory(History):
    """A history the training thread appends to (once) while the view is reading it."""

    grown = False

    def rows(self):
        result = super().rows()
        if not self.grown:
            self.grown = True
            self.append(0.25, [1.0, 1.0, 1.0])
        return result


def test_a_point_appended_while_redrawing_waits_for_the_next_redraw(qtbot, xor_session):
    view = make_view(qtbot, xor_session)
    history = GrowingHistory(3)
    for _ in range(20):
        history.append(0.5, [1.0, 2.0, 3.0])
    xor_session.history = history
    xor_session.history_changed.emit()
    x, y = drawn(view.cost_curve)
    assert len(x) == len(y) == 20 and len(history) == 21
    assert all(len(drawn(curve)[1]) == 20 for curve in view.grad_curves)
    assert "iteration 19" in view.cost_plot.getPlotItem().titleLabel.text
    xor_session.history_changed.emit()
    assert view.point_count() == 21


def test_a_small_gradient_plot_names_its_curves_in_the_title_instead_of_covering_them(qtbot, xor_session, wait_idle):
    view = make_view(qtbot, xor_session, width=1200, height=400)
    train(xor_session, wait_idle, 3)
    qtbot.waitUntil(lambda: view.legend_shown() == "legend")  # room above the plot: the legend sits there
    item = view.grad_plot.getPlotItem()
    legend = view.legend.sceneBoundingRect()
    assert legend.bottom() <= item.vb.sceneBoundingRect().top() + 1  # above the curves, not over them
    view.resize(460, 190)  # a plot as in the Training dock at 1600×1000: a legend above would take a third of it
    qtbot.waitUntil(lambda: view.legend_shown() == "title")
    title = item.titleLabel.text
    for name, colour in zip(["‖dW[1]‖", "‖dW[2]‖", "‖dW[3]‖"], view.curve_colors()[1:]):
        assert f"<span style='color: {colour}'>{name}</span>" in title
    assert not view.legend.isVisible()
    cost, grad = view.cost_plot.getPlotItem().vb, item.vb
    qtbot.waitUntil(lambda: abs(cost.sceneBoundingRect().top() - grad.sceneBoundingRect().top()) <= 1)  # in line
    view.resize(1200, 400)
    qtbot.waitUntil(lambda: view.legend_shown() == "legend")
    assert "dW" not in item.titleLabel.text


def test_a_new_long_history_is_drawn_in_an_event_of_its_own(qtbot, xor_session):
    """A reopened session's million rows take 45 ms to fold: not in the same event as every other view."""
    from nnviz.views.plots import LONG_HISTORY_ROWS

    view = make_view(qtbot, xor_session)
    n = LONG_HISTORY_ROWS + 5
    xor_session.history = History.from_arrays(np.linspace(1, 0.1, n), np.ones((n, 3)))
    xor_session.history_changed.emit()
    xor_session.history_changed.emit()
    assert view.point_count() == 0  # not yet: the curves are drawn once the event is over
    qtbot.waitUntil(lambda: view.point_count() == n)
    assert f"iteration {n - 1}" in view.cost_plot.getPlotItem().titleLabel.text
    redraws = view.redraws
    qtbot.wait(50)
    assert view.redraws == redraws  # two requests, one redraw
    xor_session.history.append(0.05, [1.0, 1.0, 1.0])  # the same history grown: drawn at once
    xor_session.history_changed.emit()
    assert view.point_count() == n + 1
