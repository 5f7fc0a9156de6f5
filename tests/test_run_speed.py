"""Run speed: iterations a second for Run, and Run N Iterations (a 2-D demo that converges in a second can be watched)."""
from __future__ import annotations

import time

from nnviz.data import load_demo


def test_xor_at_10_per_second_trains_20_to_40_iterations_in_3_seconds(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    session.set_dataset(load_demo("xor"))
    wait_idle(session)
    box = window.findChild(type(window.run_speed.speed_box), "runSpeed")
    assert [box.itemData(i) for i in range(box.count())] == [1.0, 10.0, 100.0, None]
    box.setCurrentIndex(1)
    assert session.run_rate == 10.0
    window.actionRun.trigger()
    start = time.monotonic()
    qtbot.waitUntil(lambda: time.monotonic() - start >= 3.0, timeout=10_000)
    window.actionPause.trigger()
    wait_idle(session)
    assert 20 <= session.iteration <= 40
    assert len(session.history) == session.iteration


def test_as_fast_as_possible_is_not_paced_and_run_n_stops_after_n(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    session.set_dataset(load_demo("xor"))
    wait_idle(session)
    window.run_speed.set_rate(None)
    assert session.run_rate is None
    window.run_speed.count_box.setValue(250)
    start = time.monotonic()
    window.actionRunIterations.trigger()
    wait_idle(session, timeout=60_000)
    assert session.iteration == 250 and not session.running
    fast = time.monotonic() - start
    window.run_speed.set_rate(100.0)
    window.run_speed.count_box.setValue(50)
    start = time.monotonic()
    window.actionRunIterations.trigger()
    wait_idle(session, timeout=60_000)
    paced = time.monotonic() - start
    assert session.iteration == 300
    assert paced >= 0.45  # 50 iterations at 100/s take half a second at least, whatever the machine
    assert fast < 250 / 100.0  # unpaced: faster than 100/s would allow (xor trains thousands a second)
