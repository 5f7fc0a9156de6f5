"""File ▸ Compare With Trace…: the step list marks every operation, the first difference is selected,
theirs, ours and the difference are heatmaps with the differing cells marked, and the bug is named."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from nnviz.engine import Stepper


def _trace_with_a_wrong_dW1(session, path):
    """The session's own network and data, with dW[1] m times too large (the 1/m forgotten)."""
    stepper = Stepper(session.spec, session.stepper.parameters, session.dataset.X, session.dataset.Y,
                      session.design.learning_rate)
    start = dict(stepper.parameters)
    stepper.run_backward()
    arrays = {k: v for k, v in stepper.values.items() if k[0] in "ZAdJ" and k != "A0"}
    arrays["dW1"] = arrays["dW1"] * session.m
    np.savez(path, **start, **arrays)


def _compare(qtbot, window, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    window.comparison.action.trigger()
    comparison = window.comparison
    qtbot.waitUntil(lambda: comparison.thread is not None and comparison.thread.isFinished()
                    and comparison.action.isEnabled(), timeout=20_000)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20_000)


def test_a_trace_with_a_wrong_dW1_is_shown_at_its_first_difference(qtbot, default_window, monkeypatch, tmp_path):
    window = default_window
    s = window.session
    path = tmp_path / "mine.npz"
    _trace_with_a_wrong_dW1(s, path)
    _compare(qtbot, window, monkeypatch, path)
    report = window.comparison.report
    assert report is not None and report.first_difference == "dW[1]"
    index = next(op.index for op in s.plan if op.key == "dW1")
    # the session ran to the first difference: the step list selects it, the inspector shows it
    assert s.record.key == "dW1" and window.step_list.current_index() == index
    marks = window.step_list.marks
    assert marks[index][0] == "✗!" and marks[0][0] == "✓"
    update = next(op.index for op in s.plan if op.key == "W1")
    assert marks[update][0] == "·"  # the trace holds no updates
    assert window.step_list.tree.topLevelItem(index).text(0).startswith("✗!")
    view = window.comparison.view
    assert window.comparison.dock.isVisible()
    assert view.shown.key == "dW1"
    theirs, ours, difference = view.panels
    assert theirs.title_label.text() == "theirs dW[1]  7×12288" and ours.title_label.text() == "ours dW[1]  7×12288"
    assert difference.title_label.text().startswith("theirs − ours dW[1]")
    np.testing.assert_allclose(difference.matrix, report.first.theirs - report.first.ours)
    assert difference.marked is not None and difference.marked[..., 3].any()  # the differing cells
    assert f"dW[1] is m = {s.m} times too large: a 1/m is missing" in view.summary_label.text()
    # clicking a matching row shows it without marks
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == "Z[1]")
    view.table.cellClicked.emit(row, 0)
    assert view.shown.key == "Z1" and view.table.item(row, 4).text() == "exact"
    assert difference.marked is None or not difference.marked[..., 3].any()


def test_a_new_network_clears_the_comparison(qtbot, default_window, monkeypatch, tmp_path):
    window = default_window
    path = tmp_path / "mine.npz"
    _trace_with_a_wrong_dW1(window.session, path)
    _compare(qtbot, window, monkeypatch, path)
    assert window.step_list.marks
    window.session.set_design(window.session.design.with_layer(0, 3))
    qtbot.waitUntil(lambda: not window.session.busy, timeout=10_000)
    assert window.step_list.marks == {} and window.comparison.report is None
    assert "network changed" in window.comparison.view.summary_label.text()


def test_a_bad_trace_gets_one_line_and_changes_nothing(qtbot, default_window, monkeypatch, tmp_path):
    window = default_window
    before = window.session.spec
    path = tmp_path / "evil.npz"
    np.savez(path, W1=np.array([object()], dtype=object))
    _compare(qtbot, window, monkeypatch, path)
    box = window.error_box
    assert box is not None and "pickled" in box.text() and "\n" not in box.text()
    assert window.comparison.report is None and window.session.spec == before


def test_report_show_opens_the_window_on_the_comparison(qtbot, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnviz import compare
    from nnviz.app import MainWindow

    rng = np.random.default_rng(5)
    X, Y = rng.standard_normal((3, 12)), (rng.random((1, 12)) > 0.5).astype(float)
    params = {"W1": rng.standard_normal((4, 3)), "b1": np.zeros((4, 1)),
              "W2": rng.standard_normal((1, 4)), "b2": np.zeros((1, 1))}
    from nnviz.engine import NetworkSpec

    stepper = Stepper(NetworkSpec.build(3, [4], 1), params, X, Y)
    stepper.run_backward()
    grads = {k: stepper.values[k] for k in ("dW1", "db1", "dW2", "db2")}
    grads["db2"] = -grads["db2"]
    report = compare(params, X, Y, grads=grads)
    assert report.first_difference == "db[2]"
    seen = {}

    def look_and_close():
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        qtbot.waitUntil(lambda: not window.session.busy, timeout=10_000)
        seen.update(key=window.session.record.key, first=window.comparison.report.first_difference,
                    spec=str(window.session.spec), view=window.comparison.view.shown.key)
        window.discard_and_close()

    QTimer.singleShot(300, look_and_close)
    assert report.show() == 0
    assert seen == {"key": "db2", "first": "db[2]", "spec": "3-4-1", "view": "db2"}


def test_a_long_comparison_reports_progress_and_stops_when_cancelled(qtbot, tmp_path):
    from nnviz.app.comparison import ComparisonThread
    from nnviz.cli import main

    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 30))
    data = tmp_path / "d.npz"
    np.savez(data, X=X, Y=(X[:1] > 0).astype(float))
    trace = tmp_path / "t.npz"
    assert main(["train", str(data), "--hidden", "4", "--iterations", "30", "--print-every", "0",
                 "--trace", str(trace)]) == 0
    loaded = np.load(data)
    done = ComparisonThread(str(trace), loaded["X"], loaded["Y"], ["relu"], "sigmoid", 0.0075)
    steps = []
    done.progressed.connect(lambda d, t: steps.append((d, t)), type=Qt.ConnectionType.DirectConnection)
    done.start()
    assert done.wait(30_000)
    assert done.outcome[0] == "done" and done.outcome[1][0].all_match and steps[-1] == (30, 30)
    cancelled = ComparisonThread(str(trace), loaded["X"], loaded["Y"], ["relu"], "sigmoid", 0.0075)
    cancelled.cancel()
    cancelled.start()
    assert cancelled.wait(30_000)
    assert cancelled.outcome == ("failed", "cancelled")


def test_the_step_lists_marks_take_the_themes_colours(qtbot, default_window, monkeypatch, tmp_path):
    from PySide6.QtGui import QColor

    from nnviz.views.appearance import appearance_model
    from nnviz.views.theme import DARK, LIGHT, Appearance

    window = default_window
    window.step_list.set_marks({0: ("✓", "ok", "same"), 1: ("✗", "wrong", "differs"), 2: ("·", "muted", "absent")})
    try:
        for theme in (DARK, LIGHT):
            appearance_model().set(Appearance(theme=theme.name))
            tree = window.step_list.tree
            colours = [tree.topLevelItem(i).foreground(0).color().name() for i in range(3)]
            assert colours == [QColor(theme.verdict("ok")).name(), QColor(theme.verdict("wrong")).name(),
                               QColor(theme.muted).name()], theme.name
    finally:
        appearance_model().set(Appearance())


def test_a_difference_in_a_later_iteration_is_shown_there_and_training_goes_on(
        qtbot, default_window, monkeypatch, tmp_path, wait_idle):
    """The user's backprop matches for two iterations and goes wrong in the third (a learning-rate
    schedule, a moment's bias correction): the window takes over iteration 2 from the trace's
    parameters and stops at the first difference.  It raised instead (the empty history did not
    fit iteration 2, and nothing of iteration 1 was there to show), and the comparison never came."""
    from nnviz.cli import main
    from nnviz.session.persist import read_state

    trace = tmp_path / "mine.npz"
    assert main(["train", "demo:images", "--iterations", "3", "--print-every", "0", "--trace", str(trace)]) == 0
    arrays = dict(np.load(trace, allow_pickle=False))
    arrays["2/dW1"] = 2 * arrays["2/dW1"]
    np.savez(trace, **arrays)
    window = default_window
    _compare(qtbot, window, monkeypatch, trace)
    s = window.session
    report = window.comparison.report
    assert report is not None and report.first_difference == "dW[1]" and report.first.iteration == 2
    assert s.iteration == 2 and s.record.key == "dW1"
    assert "first difference: dW[1] in iteration 2" in window.statusBar().currentMessage()
    assert len(s.history) == 0  # nothing of iterations 0 and 1 was computed here
    for _ in range(2):
        s.run_iteration()
        wait_idle(s)
    rows = s.history.rows()
    assert s.iteration == 4 and list(rows.iterations) == [2.0, 3.0]  # each row at its own iteration
    plots = window.plots
    qtbot.waitUntil(lambda: plots.point_count() == 2)
    assert plots.hover_text(plots.cost_plot, 0).startswith("iteration 2\n")  # the nearest row drawn
    assert plots.hover_text(plots.cost_plot, 3).startswith("iteration 3\n")
    path = tmp_path / "taken-over.nnviz"
    s.save(str(path))
    wait_idle(s)
    state = read_state(path)  # saved and opened again as it is
    assert state.iteration == 4 and list(state.history.iterations) == [2.0, 3.0]
