"""While Run trains: the window shows snapshots as often as a small share of the time allows, while
the worker waits; the training plots' ranges grow in steps instead of moving at every update."""
from __future__ import annotations

import time

import numpy as np
import pytest

from nnviz.data import load_demo
from nnviz.session import Design
from nnviz.session import session as session_module
from nnviz.views.plots import PlotsView, steady_ceiling, steady_span
from qt_helpers import shown_window, wheel_zoom

XOR = Design(hidden=(8, 8), activations=("tanh", "tanh"), init="xavier", learning_rate=0.3)


def run_for(qtbot, session, seconds: float) -> None:
    session.run()
    start = time.monotonic()
    qtbot.waitUntil(lambda: time.monotonic() - start >= seconds, timeout=int(seconds * 1000) + 10_000)
    session.pause()
    qtbot.waitUntil(lambda: not session.busy, timeout=10_000)


def test_the_worker_waits_while_the_window_shows_a_snapshot(qtbot, make_session):
    session = make_session(dataset=load_demo("xor"), design=XOR)
    seen = []

    def showing() -> None:  # what a view sees while it draws: training does not go on meanwhile
        if session.running:
            before = session.stepper.iteration
            time.sleep(0.02)  # releases the GIL: a worker that did not wait would train now
            seen.append(session.stepper.iteration - before)

    session.stepped.connect(showing)
    run_for(qtbot, session, 1.5)
    assert len(seen) >= 2
    assert seen.count(0) == len(seen), seen


def test_a_slow_window_is_shown_fewer_snapshots_and_pause_still_stops_at_once(qtbot, make_session):
    session = make_session(dataset=load_demo("xor"), design=XOR)
    shown = []

    def slow_view() -> None:
        if session.running:
            shown.append(time.monotonic())
            time.sleep(0.04)  # a 40 ms redraw

    session.stepped.connect(slow_view)
    run_for(qtbot, session, 3.0)
    gaps = np.diff(shown)
    assert len(gaps) >= 1
    # 40 ms of showing in VIEW_SHARE (3 %) of the time: 1.3 s between snapshots, at most
    # LONGEST_PROGRESS_INTERVAL (1 s), not PROGRESS_INTERVAL (0.25 s)
    paced = min(session_module.LONGEST_PROGRESS_INTERVAL, 0.04 / session_module.VIEW_SHARE)
    assert paced > 2 * session_module.PROGRESS_INTERVAL
    assert np.median(gaps) >= 0.75 * paced, gaps
    assert session._progress_interval >= 0.75 * paced
    # Pause during the wait for the window: the run stops within a moment
    session.run()
    qtbot.waitUntil(lambda: len(shown) >= 6 or not session.running, timeout=10_000)
    start = time.monotonic()
    session.pause()
    qtbot.waitUntil(lambda: not session.busy, timeout=10_000)
    assert time.monotonic() - start < session_module.SHOW_WAIT + 0.5


def test_a_quick_window_is_shown_four_snapshots_a_second(qtbot, make_session):
    session = make_session(dataset=load_demo("xor"), design=XOR)
    shown = []
    session.stepped.connect(lambda: shown.append(time.monotonic()) if session.running else None)
    run_for(qtbot, session, 2.0)
    assert len(shown) >= 4  # no views: showing costs nothing, snapshots come every PROGRESS_INTERVAL
    assert np.median(np.diff(shown)) < 0.5


def test_run_keeps_its_last_two_iterations_for_step_back_at_least(qtbot, make_session):
    session = make_session()  # 12288-7-5-1: an iteration's block is 1.5 MB, more than RUN_HISTORY_BYTES
    run_for(qtbot, session, 1.0)
    assert session.stepper.history_length >= session_module.RUN_HISTORY_ITERATIONS * len(session.plan)
    assert session.stepper.history_budget == session.history_budget  # Preferences' budget again after Run


@pytest.mark.parametrize("value, ceiling", [(1, 1), (10, 10), (11, 12), (1300, 1500), (1501, 2000), (2999, 3000),
                                            (7, 8), (0.5, 0.5), (101, 120), (9000, 10000)])
def test_iterations_get_room_in_steps(value, ceiling):
    assert steady_ceiling(value) == pytest.approx(ceiling)


def test_values_are_widened_to_whole_steps():
    assert steady_span(0.05, 0.69) == pytest.approx((0.0, 0.8))
    lo, hi = steady_span(0.69310, 0.69318)
    assert lo <= 0.69310 and hi >= 0.69318 and hi - lo < 2e-4
    lo, hi = steady_span(0.5, 0.5)
    assert lo < 0.5 < hi and hi - lo < 0.5
    assert steady_span(0.0, 0.0) == pytest.approx((-0.2, 0.2))
    assert steady_span(-3.2, 0.1) == pytest.approx((-4.0, 1.0))


def test_the_plot_ranges_hold_still_while_the_data_stays_inside_them(qtbot, make_session, wait_idle):
    session = make_session(dataset=load_demo("xor"), design=XOR)
    view = PlotsView(session)
    qtbot.addWidget(view)
    view.resize(1000, 260)
    view.show()
    qtbot.waitExposed(view)
    cost_view = view.cost_plot.getPlotItem().vb
    for _ in range(30):
        session.run_iteration()
        wait_idle(session)
    changes = []
    cost_view.sigRangeChanged.connect(lambda *_: changes.append(len(session.history)))
    for _ in range(30):
        session.run_iteration()
        wait_idle(session)
        qtbot.wait(5)  # painted
    (x0, x1), (y0, y1) = cost_view.viewRange()
    costs = session.history.costs
    assert x0 < 0 and 59 < x1 <= 60 * 1.05  # iterations 0..59 in a range of 0..60
    assert y0 < costs.min() and costs.max() < y1
    # not once per point: when iterations 40, 50 and 60 were passed, and when J fell below a step
    assert len(changes) <= 8, changes
    # the user zooms: the plot no longer follows until the history starts again
    changes.clear()
    wheel_zoom(view.cost_plot)
    zoomed = cost_view.viewRange()
    assert zoomed[0][1] - zoomed[0][0] < x1 - x0  # zoomed in
    for _ in range(8):
        session.run_iteration()
        wait_idle(session)
    qtbot.wait(50)
    assert np.allclose(cost_view.viewRange(), zoomed)
    session.reset()
    wait_idle(session)
    session.run_iteration()
    wait_idle(session)
    qtbot.wait(50)
    (x0, x1), _ = cost_view.viewRange()
    assert x0 < 0 < 10 <= x1  # following the new history from iteration 0



def test_the_window_paints_while_the_worker_waits(qtbot):
    """The window's views paint at the end of chains of posted events (a scene's changes, then its
    viewport's update; a deferred relayout): the worker goes on only after those paints, so painting
    does not take the GIL from training.  A paint while the worker trains sees a stepper that has
    gone past the iteration the views show."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from nnviz.session import Session

    window = shown_window(qtbot, 1280, 720, Session(load_demo("xor"), XOR))
    session = window.session
    paints = {"waiting": 0, "training": 0}

    class Paints(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and session.running and session.shown is not None \
                    and session.shown.running:
                paints["waiting" if session.stepper.iteration == session.iteration else "training"] += 1
            return False

    spy = Paints()
    session.run()
    QApplication.instance().installEventFilter(spy)
    try:  # while Run goes on: Pause releases the waiting worker, and what it repaints is not a snapshot's
        start = time.monotonic()
        qtbot.waitUntil(lambda: time.monotonic() - start >= 2.5, timeout=12_500)
    finally:
        QApplication.instance().removeEventFilter(spy)
        session.pause()
        qtbot.waitUntil(lambda: not session.busy, timeout=10_000)
        window.discard_and_close()
    total = paints["waiting"] + paints["training"]
    assert total >= 20, paints
    assert paints["training"] <= 0.1 * total, paints  # with the notice round the queue once: 40 %
