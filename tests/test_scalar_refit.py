"""1×1 values side by side are fitted to the widths their boxes end up with, whatever came before."""
from __future__ import annotations

import pytest


def shown_scalars(window):
    return [p for p in window.inspector.made_panels()[:len(window.inspector.panel_keys)]
            if p.scalar is not None and not p.isHidden()]


def as_shown(window):
    return [(p.scalar_text(), p.scalar_label.font().pointSizeF()) for p in shown_scalars(window)]


def run_and_pause(window, qtbot, wait_idle, size: tuple[int, int], iterations: int = 20) -> None:
    window.resize(*size)
    qtbot.wait(100)
    s = window.session
    start = s.stepper.iteration
    window.actionRun.trigger()  # paused after an iteration: b[3] = b[3] − α·db[3], three 1×1 values
    qtbot.waitUntil(lambda: s.stepper.iteration >= start + iterations, timeout=10_000)
    window.actionPause.trigger()
    wait_idle(s)
    qtbot.waitUntil(lambda: len(shown_scalars(window)) == 3)
    qtbot.wait(100)


@pytest.fixture(params=[(1280, 720), (1600, 1000)], ids=["1280x720", "1600x1000"])
def paused_window(request, default_window, qtbot, wait_idle):
    """The window at a projector's or a desk's size, paused after a run at b[3]'s update (three 1×1 values)."""
    run_and_pause(default_window, qtbot, wait_idle, request.param)
    return default_window


def test_scalars_are_fitted_to_the_widths_they_are_shown_at(paused_window, qtbot, wait_idle):
    """Fitting them again at the widths they have changes nothing: not the digits, not the size."""
    w = paused_window
    shown = as_shown(w)
    w.inspector._even_scalars()
    assert as_shown(w) == shown
    for _ in range(len(w.session.plan)):  # and after each Step of an iteration that shows a scalar
        w.actionStep.trigger()
        wait_idle(w.session)
        qtbot.wait(30)
        shown = as_shown(w)
        w.inspector._even_scalars()
        assert as_shown(w) == shown, w.session.record.symbol


def test_scalars_read_the_same_after_presenting_as_before(paused_window, qtbot):
    w = paused_window
    before = as_shown(w)
    w.presentation.enter()
    qtbot.wait(300)
    assert len(as_shown(w)) == 3
    w.presentation.leave()
    qtbot.wait(300)
    assert as_shown(w) == before


def inspector_at(qtbot, make_session, height: int):
    """An inspector 700 px wide and ``height`` tall on a small tanh network, shown."""
    from test_window_polish import separable

    from nnviz.session import Design
    from nnviz.views.inspector import InspectorView

    session = make_session(separable(), Design(hidden=(3,), activations=("tanh",)))
    view = InspectorView(session)
    qtbot.addWidget(view)
    view.resize(700, height)
    view.show()
    qtbot.waitExposed(view)
    return session, view


def inspector_layout(window):
    inspector = window.inspector
    panels = [p for p in inspector.made_panels() if p.isVisible()]
    return [inspector.stats_table.height()] + [p.graphics.height() for p in panels]


def test_the_inspector_lays_out_a_step_the_same_whatever_came_before(default_window, qtbot, wait_idle):
    """A heatmap's size hint is its own, not the size it had last: after presenting, or after a
    larger window, the same state gets the same heatmaps and stats table."""
    w, s = default_window, default_window.session
    w.resize(1280, 720)
    qtbot.wait(100)
    for _ in range(12):  # dZ[2] = dA[2] * relu'(Z[2]): three heatmaps and their stats
        w.actionStep.trigger()
        wait_idle(s)
    qtbot.wait(100)
    before = inspector_layout(w)
    w.presentation.enter()
    qtbot.wait(200)
    w.presentation.leave()
    qtbot.wait(200)
    assert inspector_layout(w) == before
    w.resize(1600, 1000)
    qtbot.wait(200)
    w.resize(1280, 720)
    qtbot.wait(200)
    assert inspector_layout(w) == before


@pytest.mark.parametrize("size", [(1280, 720), (1600, 1000)])
def test_stepping_leaves_the_heatmaps_and_the_stats_table_where_they_are(default_window, qtbot, wait_idle, size):
    """The table keeps room for the most rows a Step of the plan shows (or, in a short inspector, whole
    rows that leave the heatmaps what they ask for): its height does not follow each Step's rows, so
    the heatmaps do not jump up and down as a lecturer steps through an iteration."""
    w = default_window
    w.resize(*size)
    qtbot.wait(100)
    inspector, seen = w.inspector, []
    for _ in range(2 * len(w.session.plan)):
        w.actionStep.trigger()
        wait_idle(w.session)
        qtbot.wait(20)
        panel = next(p for p in inspector.made_panels() if p.isVisible())
        seen.append((inspector.body.height(), inspector.bottom.height(), panel.height()))
    bodies = [b for b, _, _ in seen]
    body = max(bodies, key=bodies.count)  # a worked equation (b[3] = 0.09 − …) takes a header line from the heatmaps
    assert len({(bottom, height) for b, bottom, height in seen if b == body}) == 1, seen
    assert sum(b == body for b, _, _ in seen) >= len(seen) - 4  # only the worked equations' Steps differ


@pytest.mark.parametrize("height", range(300, 480, 15))
def test_a_short_inspector_shows_whole_rows_of_the_stats_table(qtbot, make_session, wait_idle, height):
    """Below the roomy height the table may scroll, but never shows a row cut in half; the result's
    row is always in view."""
    from test_window_polish import run_to

    from nnviz.views.inspector import ROW_HEIGHT

    session, view = inspector_at(qtbot, make_session, height)
    run_to(session, wait_idle, "dW2")  # dZ[2]·A[1]ᵀ: three heatmaps, three stats rows
    qtbot.wait(50)
    table = view.stats_table
    assert table.rowCount() == 3
    viewport = table.viewport().height()
    whole = viewport // ROW_HEIGHT
    cut = viewport - whole * ROW_HEIGHT  # the part of a row below the last whole one
    assert whole >= 1 and (cut <= 4 or whole >= table.rowCount()), (height, viewport)
    heatmap = next(p for p in view.made_panels() if p.isVisible())
    assert heatmap.graphics.height() >= heatmap.graphics.minimumSizeHint().height()


def test_a_step_of_1x1_values_only_shows_every_stats_row(paused_window, qtbot):
    """b[3]'s update shows three numbers, which need a line, not a heatmap's height: the stats table
    gets the room for all three rows (no scroll bar), and the numbers keep their full line."""
    w = paused_window
    inspector = w.inspector
    table = inspector.stats_table
    qtbot.waitUntil(lambda: table.height() >= inspector._table_height(3))
    assert table.rowCount() == 3 and not table.verticalScrollBar().isVisible()
    for panel in shown_scalars(w):
        label = panel.scalar_label
        assert label.height() >= label.fontMetrics().height()  # the number is not cut
        assert label.geometry().bottom() <= panel.height()
    w.actionStep.trigger()  # Z[1] = W[1]·A[0] + b[1]: heatmaps again, with the room they ask for
    qtbot.waitUntil(lambda: not shown_scalars(w))
    from nnviz.views.heatmap import HINT_HEIGHT
    qtbot.waitUntil(lambda: all(p.graphics.height() >= HINT_HEIGHT or inspector.height() < 300
                                for p in inspector.made_panels() if p.isVisible()))
