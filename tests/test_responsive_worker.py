"""Work that grows with the data never runs on the window's thread: watches, accuracy, Compare Runs, animations.

Each test records the thread that really did the work (a wrapper around the real function) and
checks the numbers the view then shows against numpy.
"""
from __future__ import annotations

import threading

import numpy as np

from nnviz.app.animation import AnimationRange
from nnviz.engine import accuracy, predict
from nnviz.engine.watch import Expression

GUI = threading.main_thread()


def recording(monkeypatch, owner, name: str) -> list[threading.Thread]:
    """Replace ``owner.name`` by a wrapper that records the calling thread, then calls the original."""
    original = getattr(owner, name)
    threads: list[threading.Thread] = []

    def wrapper(*args, **kwargs):
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return threads


def settled(qtbot, session, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: not session.busy and not session.deriving, timeout=timeout)
    qtbot.wait(20)


def test_watches_are_evaluated_on_the_worker_and_show_their_values(qtbot, default_window, monkeypatch):
    window, s = default_window, default_window.session
    threads = recording(monkeypatch, Expression, "evaluate")
    view = window.watch.view
    window.watch.action.trigger()
    assert view.add("abs(W1).max()")
    assert view.table.item(0, 1).text() == "computing…"  # the view says so until the worker's value arrives
    assert view.add("Z1.mean()")
    settled(qtbot, s)
    assert view.table.item(0, 1).text() == f"{float(np.abs(s.values['W1']).max()):.6g}"
    assert view.table.item(1, 1).text().startswith("— Z1 is not computed yet")
    window.actionStep.trigger()  # Z[1]
    settled(qtbot, s)
    assert view.table.item(1, 1).text() == f"{float(s.values['Z1'].mean()):.6g}"
    window.actionStepBack.trigger()  # in place for this small network; the watches on the worker
    settled(qtbot, s)
    assert view.table.item(1, 1).text().startswith("— Z1 is not computed yet")
    s.edit_design(s.design.with_units(0, 8))  # a new network, built in place
    settled(qtbot, s)
    assert view.table.item(0, 1).text() == f"{float(np.abs(s.values['W1']).max()):.6g}"
    assert threads and GUI not in threads


def test_the_accuracy_of_an_edited_network_is_predicted_on_the_worker(qtbot, default_window, monkeypatch):
    import nnviz.views.accuracy as module

    window, s = default_window, default_window.session
    threads = recording(monkeypatch, module, "evaluate")
    s.edit_design(s.design.with_units(0, 8))  # 12288-8-5-1, built in place on the window's thread
    assert str(s.spec) == "12288-8-5-1"  # the network itself at once
    settled(qtbot, s)
    tracker = window.accuracy.tracker
    params = {k: v for k, v in s.values.items() if k[0] in "Wb" and k[1:].isdigit()}
    d = s.dataset
    assert tracker.latest is not None and tracker.latest.iteration == 0
    assert tracker.latest.train == accuracy(s.spec, predict(s.spec, params, d.X), d.Y)
    for _ in range(len(s.plan)):  # Step by Step through an iteration (a small network steps in place)
        s.step()
        settled(qtbot, s)
    params = {k: v for k, v in s.values.items() if k[0] in "Wb" and k[1:].isdigit()}
    assert s.iteration == 1 and tracker.latest.iteration == 1
    assert tracker.latest.train == accuracy(s.spec, predict(s.spec, params, d.X), d.Y)
    assert threads and GUI not in threads


def test_compare_runs_builds_a_large_run_b_and_its_difference_on_the_worker(qtbot, default_window, monkeypatch):
    import nnviz.session.session as session_module

    window, a = default_window, default_window.session
    a.set_design(a.design.edit(hidden=(300,), activations=("relu",)))  # W[1] 300×12288: built on the worker
    settled(qtbot, a)
    builds = recording(monkeypatch, session_module, "initialize")
    comparison = window.compare_runs.start({"seed": 5})
    b = comparison.b
    qtbot.waitUntil(lambda: comparison.follower.in_step() and not b.busy and str(b.spec) == str(a.spec),
                    timeout=30_000)
    # a one-unit stand-in on this thread, the 300-unit run B on its worker
    assert len(builds) >= 2 and builds[0] is GUI and all(t is not GUI for t in builds[1:])
    view = comparison.view
    qtbot.waitUntil(lambda: view.difference() is not None and view.difference().shape == (300, 12288),
                    timeout=30_000)
    assert np.array_equal(view.difference(), a.values["W1"] - b.values["W1"])
    assert view.panels[2].title_label.text().startswith("A − B: W[1]")
    window.actionStep.trigger()
    settled(qtbot, a)
    qtbot.waitUntil(lambda: comparison.follower.in_step() and not b.busy, timeout=30_000)
    assert b.position == a.position == 1
    window.compare_runs.close()


def test_an_animation_encodes_its_frames_on_the_copys_worker(qtbot, default_window, monkeypatch, tmp_path):
    from nnviz.app.animation import Encoder

    window = default_window
    threads = recording(monkeypatch, Encoder, "add")
    target = tmp_path / "forward.gif"
    assert window.animation_export.start(str(target), AnimationRange("Z1", "A2"), (640, 360), 0.5)
    qtbot.waitUntil(lambda: window.animation_export.renderer is None, timeout=60_000)
    assert window.animation_export.last_message == f"Saved {target} (4 frames)"
    from PIL import Image

    with Image.open(target) as gif:
        assert gif.n_frames == 4 and gif.size == (640, 360)
    assert len(threads) == 4 and GUI not in threads
