"""Debug ▸ Watch Expressions: values in a list, computed after each operation; a watch as a breakpoint."""
from __future__ import annotations

import numpy as np


def test_a_watch_shows_its_value_and_follows_the_steps(qtbot, default_window):
    window = default_window
    s = window.session
    view = window.watch.view
    window.watch.action.trigger()
    assert view.add("abs(dW1).max()")
    assert view.table.item(0, 1).text() == "computing…"  # on the session's worker, never the window's thread
    qtbot.waitUntil(lambda: view.table.item(0, 1).text() != "computing…", timeout=10_000)
    assert view.table.item(0, 1).text().startswith("— dW1 is not computed yet")
    s.run_backward()
    qtbot.waitUntil(lambda: not s.busy, timeout=20_000)
    view.refresh()
    assert view.table.item(0, 1).text() == f"{float(np.abs(s.values['dW1']).max()):.6g}"
    assert not view.add("open('x')")
    assert "'open' is not a function" in view.message_label.text() and view.table.rowCount() == 1


def test_a_watch_that_becomes_true_pauses_a_run(qtbot, default_window):
    window = default_window
    s = window.session
    view = window.watch.view
    reasons = []
    s.paused.connect(reasons.append)
    assert view.add("abs(dW2).max() > 0", breaks=True)
    assert view.add("J > 0")  # a watch without a break does not pause
    s.run()
    qtbot.waitUntil(lambda: not s.busy, timeout=30_000)
    assert reasons == ["watch abs(dW2).max() > 0 is true after dW[2] (iteration 0)"]
    assert s.record.key == "dW2" and s.iteration == 0
    view.refresh()
    assert [view.table.item(r, 1).text() for r in range(2)] == ["True", "True"]
    # still true: running on does not pause at once again (it pauses when it becomes true)
    s.run_iteration()
    qtbot.waitUntil(lambda: not s.busy, timeout=30_000)
    assert len(reasons) == 1
