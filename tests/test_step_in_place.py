"""A Step on a small network is performed in place; what the window shows after it stays exact.

Also: docks nobody can see catch up when shown, and the heatmaps' label-less axes keep their ticks
unscaled and their drawing while the range stays the same."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.app import MainWindow
from nnviz.session import Session
from nnviz.views.heatmap import IndexAxis
from qt_helpers import shown_panel, shown_window


@pytest.fixture
def window(qtbot):
    win = shown_window(qtbot, 1400, 900)
    yield win
    win.discard_and_close()


def test_a_step_on_the_notes_network_is_done_when_step_returns(window):
    s = window.session
    busy = []
    s.busy_changed.connect(busy.append)
    s.step()  # no worker round trip: the record is there at once, and the toolbar never flickered
    assert busy == [] and not s.busy
    assert s.record.symbol == "Z[1]" and s.position == 1
    expected = s.values["W1"] @ s.values["A0"] + s.values["b1"]
    np.testing.assert_array_equal(s.values["Z1"], expected)
    # the views were told: the inspector, the toolbar and the diagram show the operation just performed
    assert window.inspector.panels[3].matrix is s.values["Z1"]
    assert "shown <b>Z[1]</b>" in window.position_label.text() and "next <b>A[1]</b>" in window.position_label.text()
    stats = window.inspector.result_stats()
    assert stats.min == float(expected.min()) and stats.max == float(expected.max())


def test_every_step_of_an_iteration_in_place_matches_the_worker(window, qtbot, wait_idle):
    """In place or on the worker, the same operations give the same numbers and the same derived values."""
    s = window.session
    other = MainWindow()  # its views register the same derivations (diagnostics, accuracy, …)
    qtbot.addWidget(other)
    reference = other.session
    reference._step_in_place = False  # the worker's path, as a large network takes
    for _ in range(len(s.plan) + 1):  # an iteration and the next Z[1]: updates, history and accuracy too
        s.step()
        reference.step()
        assert reference.busy  # on the worker
        wait_idle(reference)
        assert s.record.key == reference.record.key and s.iteration == reference.iteration
        np.testing.assert_array_equal(s.record.value, reference.record.value)
        assert s.shown_iteration == reference.shown_iteration
    assert len(s.history) == 1
    np.testing.assert_array_equal(s.history.costs, reference.history.costs)
    np.testing.assert_array_equal(s.history.grad_norms, reference.history.grad_norms)
    qtbot.waitUntil(lambda: not s.deriving and not reference.deriving, timeout=10_000)  # the accuracy, on the worker
    ours, theirs = s.derived["diagnostics"], reference.derived["diagnostics"]
    assert [d.update_ratio for d in ours] == [d.update_ratio for d in theirs]
    assert s.derived["accuracy"][1].train == reference.derived["accuracy"][1].train
    assert window.inspector.info_label.text() == other.inspector.info_label.text()
    other.discard_and_close()


def test_a_watch_expression_keeps_steps_on_the_worker(window, wait_idle):
    import threading

    s = window.session
    threads = []
    s.op_watchers.append(lambda op, values: threads.append(threading.current_thread()))
    s.step()  # a watch expression after every operation: the worker's work
    assert s.busy
    wait_idle(s)
    assert threads == [threads[0]] and threads[0] is not threading.main_thread() and s.record.symbol == "Z[1]"
    s.op_watchers.clear()
    s.step()  # none left: in place again
    assert not s.busy and s.record.symbol == "A[1]" and len(threads) == 1


def test_a_large_network_still_steps_on_the_worker(make_session, wait_idle):
    from nnviz.session import Design

    s = make_session(design=Design(hidden=(64,), activations=("relu",)))  # 12288·64·209 = 164 M multiply-adds
    assert not s._step_in_place
    s.step()
    assert s.busy  # the window keeps painting while it computes
    wait_idle(s)
    assert s.record.symbol == "Z[1]"


def test_a_failing_step_in_place_is_reported_and_changes_nothing(window, monkeypatch):
    s = window.session
    errors = []
    s.error.connect(lambda title, text: errors.append((title, text)))

    def broken(*args, **kwargs):
        raise RuntimeError("broken operation")

    monkeypatch.setattr(s.stepper, "run_to", broken)
    s.step()
    assert errors == [("Something went wrong", "RuntimeError: broken operation")]
    assert not s.busy and s.record is None and s.position == 0
    assert window.actionStep.isEnabled()


def test_a_closed_dock_catches_up_when_shown(window, qtbot):
    s = window.session
    view = window.misconception.view
    assert not window.misconception.dock.isVisible()
    s.step()
    s.step()  # A[1]
    assert view.operation_label.text() == ""  # nobody can see it: nothing redrawn
    window.misconception.action.trigger()
    qtbot.waitUntil(lambda: view.operation_label.text() == s.record.equation, timeout=2000)
    assert view.panels[0].matrix is not None and view.panels[0].symbol == "A[1]"
    s.step()  # shown: it follows each step again
    assert view.operation_label.text() == s.record.equation and s.record.symbol == "Z[2]"


def test_explanations_read_while_closed_say_the_operation_shown(window):
    s = window.session
    for _ in range(3):
        s.step()
    assert window.explanations.dock.isHidden()
    assert window.explanations.text().startswith(s.record.equation)  # Z[2] = W[2]·A[1] + b[2]


def test_heatmap_axes_keep_their_drawing_while_the_range_stays(qtbot):
    axis = IndexAxis("left")
    axis.setRange(-0.5, 6.5)
    axis.picture = object()  # as after a paint
    axis.setRange(-0.5, 6.5)
    assert axis.picture is not None
    axis.setRange(-0.5, 4.5)  # another shape: drawn anew
    assert axis.picture is None and axis.range == [-0.5, 4.5]


def test_colour_bar_ticks_show_small_values_unscaled(qtbot):
    panel = shown_panel(qtbot, 400, 300)
    panel.set_matrix("dW[2]", np.array([[0.0004, -0.0005], [0.0001, 0.0002]]))
    axis = panel.bar.axis
    assert axis.range == [-0.0005, 0.0005] and axis.autoSIPrefixScale == 1.0
    strings = axis.tickStrings([-0.0004, 0.0004], axis.autoSIPrefixScale, 0.0002)
    assert strings == ["-0.0004", "0.0004"]
    panel.close()


def test_a_heatmap_shown_again_is_drawn_exactly_as_the_first_time(qtbot):
    """The index axes reuse what they drew for a shape and size seen before: the same pixels."""
    panel = shown_panel(qtbot, 420, 320)
    rng = np.random.default_rng(3)
    first, other = rng.standard_normal((7, 209)), rng.standard_normal((5, 50))  # other rows and columns: other ticks
    axes = [panel.plot.getAxis("left"), panel.plot.getAxis("bottom")]
    for matrix in (first, other, first):  # each axis settles its width for both shapes
        panel.set_matrix("M", matrix)
        qtbot.wait(50)
    before = panel.grab().toImage()
    drawn = [axis.picture for axis in axes]
    assert all(picture is not None for picture in drawn)
    panel.set_matrix("M", other)
    qtbot.wait(50)
    assert all(axis.picture is not picture for axis, picture in zip(axes, drawn))
    panel.set_matrix("M", first.copy())  # the same shape again
    qtbot.wait(50)
    assert all(axis.picture is picture for axis, picture in zip(axes, drawn))  # reused, not laid out again
    assert panel.grab().toImage() == before
    panel.close()


def test_closed_diagnostics_catch_up_when_read_or_shown(window, qtbot, wait_idle):
    from nnviz.views.diagnostics import COLUMNS, ratio_text

    view, dock = window.diagnostics.view, window.diagnostics.dock
    dock.close()  # as its title bar's button does (a tab behind another is hidden alike)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)
    s = window.session
    s.run_iteration()  # every dW[l]: the update ratios exist now
    wait_idle(s)
    ratio = COLUMNS.index(COLUMNS[-1])
    assert view.table.item(0, ratio).text() == ratio_text(None)  # not redrawn while nobody sees it
    expected = ratio_text(s.derived["diagnostics"][0].update_ratio)
    assert view.cell_text(1, COLUMNS[-1]) == expected  # read: the state shown now
    s.step()
    dock.show()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    assert view.table.item(0, ratio).text() == ratio_text(s.derived["diagnostics"][0].update_ratio)
    assert view.diagnostics is s.derived["diagnostics"]


def test_the_step_list_marks_follow_steps_breakpoints_and_step_back(window, wait_idle):
    from nnviz.views.steplist import BREAK_MARK, NEXT_MARK

    s, tree = window.session, window.step_list.tree

    def shown():
        lines = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        return ([i for i, item in enumerate(lines) if NEXT_MARK in item.text(0)],
                [i for i, item in enumerate(lines) if item.font(1).bold()],
                [i for i, item in enumerate(lines) if BREAK_MARK in item.text(0)])

    assert shown() == ([0], [], [])
    for _ in range(3):
        s.step()
    assert shown() == ([3], [2], [])
    s.toggle_breakpoint(5)
    assert shown() == ([3], [2], [5])
    window.actionStepBack.trigger()
    wait_idle(s)
    assert shown() == ([2], [1], [5])
    s.toggle_breakpoint(5)
    s.step()
    assert shown() == ([3], [2], [])


def test_the_diagnostics_are_worked_out_again_only_when_an_array_they_read_was_replaced(window):
    from nnviz.engine.diagnostics import diagnose

    s = window.session
    seen = {}
    for op in s.plan[:10]:  # Z[1] … dW[3]
        s.step()
        seen[op.key] = s.derived["diagnostics"]
        fresh = diagnose(s.spec, s.values, s.design.learning_rate)
        assert seen[op.key] == fresh  # whatever was kept, it is what working it out now gives
    assert seen["A1"] is seen["Z1"]  # A[1] is not read: kept
    assert seen["dA3"] is seen["J"] and seen["dZ3"] is seen["dA3"]  # dA[3], dZ[3]: nothing it reads changed
    assert seen["Z2"] is not seen["A1"]  # Z[2] replaced: the dead and saturated units of layer 2 again
    assert seen["dW3"] is not seen["dZ3"] and seen["dW3"][2].update_ratio is not None  # dW[3]: its ratio
    assert seen["dZ3"][2].update_ratio is None
    s.set_learning_rate(0.5)  # α is in the ratio: worked out again (rederive)
    assert s.derived["diagnostics"] is not seen["dW3"]
    assert s.derived["diagnostics"][2].update_ratio == diagnose(s.spec, s.values, 0.5)[2].update_ratio


def test_the_diagrams_weight_scale_follows_each_update_of_W(window):
    from nnviz.views.diagram import largest_finite

    s = window.session
    for _ in range(len(s.plan) - 6):  # up to db[1]: no W replaced yet
        s.step()
    before = s.derived["weight_peaks"]
    s.step()  # W[1] = W[1] − α·dW[1]
    after = s.derived["weight_peaks"]
    assert after is not before and after[1][0] is s.values["W1"]
    assert after[1][1] == largest_finite(s.values["W1"]) and after[2] == before[2]
    s.step()  # b[1]: no W read changed
    assert s.derived["weight_peaks"] is after
