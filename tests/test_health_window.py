"""View ▸ Training Health: rows recorded on the worker per iteration, curves and the histogram strip,
the first-cost note, and a click on the strip that steps back to that iteration."""
from __future__ import annotations

import time

import numpy as np


def test_health_follows_training_and_scrubs_back(qtbot, default_window):
    window = default_window
    s = window.session
    health = window.health
    health.action.trigger()
    assert health.dock.isVisible()
    for _ in range(3):
        s.run_iteration()
        qtbot.waitUntil(lambda: not s.busy, timeout=20_000)
    health._refresh()
    view = health.view
    assert health.log.rows().iterations == [0, 1, 2]
    x, y = view.ratio_curves[0].getData()
    assert list(x) == [0, 1, 2] and np.allclose(y, health.log.rows().ratios[:, 0])
    assert view.strip_image.image.shape == (64, 3)  # value bins × iterations
    assert np.allclose((view.strip_image.image ** 2).sum(axis=0), 1.0)  # √ of the shares, each column whole
    assert view.strip_choice.currentText() == "A[1]" and view.strip_choice.count() == 2 * s.spec.L
    assert view.note_label.text().startswith("first cost ") and health.log.first_cost == s.history.costs[0]
    view.scrub_requested.emit(0)  # the end of iteration 0
    qtbot.waitUntil(lambda: not s.busy, timeout=5_000)
    assert (s.iteration, s.position) == (1, 0)
    health._refresh()
    assert health.log.rows().iterations == [0]


def test_a_new_network_starts_a_new_log(qtbot, default_window):
    window = default_window
    s = window.session
    s.run_iteration()
    qtbot.waitUntil(lambda: not s.busy, timeout=20_000)
    s.set_design(s.design.with_layer(0, 3))
    qtbot.waitUntil(lambda: not s.busy, timeout=10_000)
    assert len(window.health.log) == 0 and window.health.log.spec == s.spec


def test_with_the_panel_closed_every_tenth_iteration_is_recorded(qtbot, default_window):
    window = default_window
    s = window.session
    assert not window.health.dock.isVisible()
    for _ in range(12):
        s.run_iteration()
        qtbot.waitUntil(lambda: not s.busy, timeout=20_000)
    assert window.health.log.rows().iterations == [0, 10]
    window.health.action.trigger()
    qtbot.waitUntil(lambda: window.health.recording_all, timeout=2_000)
    s.run_iteration()
    qtbot.waitUntil(lambda: not s.busy, timeout=20_000)
    window.health._refresh()
    assert window.health.log.rows().iterations == [0, 10, 12]
    times, rows = window.health.log.rows().columns()
    assert list(times) == list(range(13)) and list(rows) == [0] * 10 + [1, 1, 2]
    assert window.health.view.strip_image.image.shape == (64, 13)


def test_with_the_panel_closed_run_calls_the_health_log_every_tenth_iteration_only(qtbot):
    """A hidden panel's log costs Run nothing between its rows (xor trains ~9000 iterations a second)."""
    from nnviz.app import MainWindow
    from nnviz.data import load_demo
    from nnviz.session import Design, Session

    window = MainWindow(Session(load_demo("xor"), Design(hidden=(8, 8), activations=("tanh", "tanh"))))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    s = window.session
    calls = []
    watcher = s.iteration_watchers[0]
    s.iteration_watchers[0] = lambda values: calls.append(s.stepper.iteration - 1) or watcher(values)
    s.run(iterations=95)
    qtbot.waitUntil(lambda: not s.busy, timeout=20_000)
    assert s.stepper.iteration == 95
    assert calls == list(range(0, 95, 10)), calls
    assert window.health.log.rows().iterations[0] == 0  # then at most ten rows a second
    window.health.action.trigger()  # shown: every iteration stepped from the next on
    qtbot.waitUntil(lambda: window.health.recording_all, timeout=2_000)
    for _ in range(3):
        s.run_iteration()
        qtbot.waitUntil(lambda: not s.busy, timeout=20_000)
    assert calls[-3:] == [95, 96, 97] and window.health.log.rows().iterations[-3:] == [95, 96, 97]
    window.discard_and_close()


def test_with_the_panel_open_run_records_within_a_small_share_of_its_time(qtbot):
    """A row takes several of xor's iterations to record: Run keeps training at speed and the log
    still gets rows all through the run."""
    from nnviz.app import MainWindow
    from nnviz.app import health as health_module
    from nnviz.data import load_demo
    from nnviz.session import Design, Session

    window = MainWindow(Session(load_demo("xor"), Design(hidden=(8, 8), activations=("tanh", "tanh"))))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.health.action.trigger()
    qtbot.waitUntil(lambda: window.health.recording_all, timeout=2_000)
    s, log = window.session, window.health.log
    spent = []
    record = log.record

    def timed(*args):
        start = time.perf_counter()
        record(*args)
        spent.append(time.perf_counter() - start)

    log.record = timed
    s.run()
    start = time.perf_counter()
    qtbot.wait(2000)
    s.pause()
    elapsed = time.perf_counter() - start
    qtbot.waitUntil(lambda: not s.busy, timeout=20_000)
    rows = log.rows()
    assert s.stepper.iteration > 5 * len(rows) > 50, (s.stepper.iteration, len(rows))  # not every iteration
    assert sum(spent) < 3 * health_module.RUN_SHARE * elapsed, (sum(spent), elapsed)
    gaps = np.diff(rows.iterations)
    assert gaps.max() < s.stepper.iteration / 10  # rows all along the run
    window.discard_and_close()


def test_a_long_log_keeps_every_other_row_and_records_half_as_often():
    from nnviz.engine import NetworkSpec
    from nnviz.engine import health as health_module
    from nnviz.engine.health import HealthLog

    spec = NetworkSpec((2, 3, 1), ("tanh",))
    rng = np.random.default_rng(0)
    values = {"A0": rng.normal(size=(2, 5)), "W1": rng.normal(size=(3, 2)), "b1": np.zeros((3, 1)),
              "A1": rng.normal(size=(3, 5)), "W2": rng.normal(size=(1, 3)), "b2": np.zeros((1, 1)),
              "A2": rng.random((1, 5)), "dW1": rng.normal(size=(3, 2)), "dW2": rng.normal(size=(1, 3))}
    log = HealthLog(spec)
    most = health_module.MAX_ROWS
    for i in range(most + 1):
        log.record(i, values, 0.1)
    rows = log.rows()
    assert len(rows) == most // 2 + 1 and log.min_gap == 2
    assert rows.iterations[:3] == [0, 2, 4] and rows.iterations[-1] == most
    assert len(rows.ratios) == len(rows.histograms["A1"]) == len(rows)
    image, _ = rows.strip("dW1", 16, rows.columns(most=50)[1])
    assert image.shape == (50, 16)


def test_the_three_plots_share_one_iteration_axis_and_give_their_height_to_the_curves(qtbot):
    from nnviz.engine import NetworkSpec
    from nnviz.engine.health import HealthLog
    from nnviz.views.health import HealthView

    view = HealthView()
    qtbot.addWidget(view)
    view.set_log(HealthLog(NetworkSpec((4, 3, 1), ("relu",))))
    view.resize(780, 290)  # the dock under the inspector at 1600×1000
    view.show()
    qtbot.waitExposed(view)
    plots = (view.ratio_plot, view.share_plot, view.strip_plot)
    boxes = [p.getViewBox().sceneBoundingRect() for p in plots]
    assert max(b.left() for b in boxes) - min(b.left() for b in boxes) <= 1  # one left edge
    view.strip_plot.setXRange(0, 80, padding=0)
    qtbot.waitUntil(lambda: all(abs(p.viewRange()[0][1] - 80) < 1e-6 for p in plots))  # one iteration axis
    assert [p.getAxis("bottom").style["showValues"] for p in plots] == [False, False, True]
    assert all(b.height() >= 35 for b in boxes), [b.height() for b in boxes]  # 17 px each with 30 px titles and 3 axes


def test_in_a_low_dock_the_three_plots_stand_side_by_side(qtbot):
    """At 1280×720 the Training Health tab is about 180 px high: stacked, each plot had 10 px of curve."""
    from nnviz.engine import NetworkSpec
    from nnviz.engine.health import HealthLog
    from nnviz.views.health import HealthView

    view = HealthView()
    qtbot.addWidget(view)
    view.set_log(HealthLog(NetworkSpec((4, 3, 1), ("relu",))))
    view.resize(1270, 180)
    view.show()
    qtbot.waitExposed(view)
    plots = (view.ratio_plot, view.share_plot, view.strip_plot)
    qtbot.waitUntil(lambda: view.side_by_side)
    boxes = [p.getViewBox().sceneBoundingRect() for p in plots]
    assert boxes[0].right() < boxes[1].left() and boxes[1].right() < boxes[2].left()
    assert all(b.width() >= 250 and b.height() >= 50 for b in boxes), [(b.width(), b.height()) for b in boxes]
    assert max(b.top() for b in boxes) - min(b.top() for b in boxes) <= 1  # one row: tops and bottoms line up
    assert max(b.bottom() for b in boxes) - min(b.bottom() for b in boxes) <= 1
    assert [p.getAxis("bottom").style["showValues"] for p in plots] == [True, True, True]
    view.resize(780, 290)  # the dock under the inspector at 1600×1000: stacked again
    qtbot.waitUntil(lambda: view.side_by_side is False)
    assert [p.getAxis("bottom").style["showValues"] for p in plots] == [False, False, True]
