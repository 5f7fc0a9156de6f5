"""A long run's history stays bounded: thinned as it grows, every kept row at its own iteration,
the newest iterations each kept; saved, reopened, drawn, hovered and exported as what it is."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from nnviz.data import load_demo
from nnviz.engine import history as history_module
from nnviz.engine.export import history_csv
from nnviz.engine.history import History, ordinal
from nnviz.session import Design
from nnviz.session.persist import SessionFileError, read_state

from qt_helpers import shown

XOR = Design(hidden=(8, 8), activations=("tanh", "tanh"), init="xavier", learning_rate=0.3)


def _cost(i):
    """A value that tells its iteration: what each row must hold."""
    return 1.0 / (1.0 + i)


def _grown(n: int, layers: int = 2) -> History:
    h = History(layers)
    for i in range(n):
        h.append(_cost(i), [float(i), -float(i)][:layers])
    return h


@pytest.fixture
def small(monkeypatch):
    """A history of at most 64 rows, the newest 16 each kept (the real bound is 2**20 rows)."""
    monkeypatch.setattr(history_module, "MAX_ROWS", 64)
    monkeypatch.setattr(history_module, "RECENT_ROWS", 16)


def _check_rows(h: History, completed: int) -> None:
    rows = h.rows()
    its = rows.iterations
    assert len(rows.costs) <= history_module.MAX_ROWS
    assert its[0] == 0 and its[-1] == completed - 1
    np.testing.assert_array_equal(rows.costs, _cost(its))  # each row holds its own iteration's values
    np.testing.assert_array_equal(rows.grad_norms[:, 0], its)
    gaps = np.flatnonzero(np.diff(its) != 1)
    tail = its[gaps[-1] + 1:] if len(gaps) else its  # the newest iterations, every one
    assert len(tail) >= min(completed, history_module.RECENT_ROWS)
    older = its[:len(its) - len(tail)]
    np.testing.assert_array_equal(older, np.arange(len(older)) * rows.stride)  # every stride-th before them
    if len(older):
        assert older[-1] < tail[0] <= older[-1] + rows.stride  # no gap wider than the stride


def test_a_long_history_is_thinned_to_the_bound_and_each_row_keeps_its_iteration(small):
    h = _grown(10_000)
    rows = h.rows()
    assert rows.thinned and rows.stride > 1 and rows.generation > 0
    _check_rows(h, 10_000)
    assert rows.describe(" of J") == f"{len(rows.costs)} of 10000 iterations of J (older ones every {ordinal(rows.stride)})"
    state = h._state  # the buffers never grow past the bound
    assert all(len(a) == history_module.MAX_ROWS for a in state[:3])


def test_a_short_history_is_every_iteration(small):
    h = _grown(64)
    rows = h.rows()
    assert not rows.thinned and rows.generation == 0 and rows.describe() == "64 iterations"
    np.testing.assert_array_equal(rows.iterations, np.arange(64))
    h.append(_cost(64), [64.0, -64.0])  # the 65th row: thinned now
    assert h.thinned
    _check_rows(h, 65)


def test_step_back_after_thinning_cuts_the_newest_rows_and_numbering_goes_on(small):
    h = _grown(1000)
    h.truncate(995)  # five iterations stepped back
    assert h.rows().last_iteration == 994
    for i in range(995, 1200):
        h.append(_cost(i), [float(i), -float(i)])
    _check_rows(h, 1200)


def test_the_real_bound_and_a_file_holding_more_rows_than_it(tmp_path):
    n = history_module.MAX_ROWS * 3 + 5
    its = np.arange(n, dtype=float)
    h = History.from_arrays(_cost(its), np.column_stack([its, -its]))  # e.g. saved before the bound
    rows = h.rows()
    assert rows.thinned and len(rows.costs) <= history_module.MAX_ROWS // 2
    _check_rows(h, n)
    assert sum(a.nbytes for a in h._state[:3]) == history_module.MAX_ROWS * 4 * 8  # 32 MB, not 800


def test_to_arrays_and_back_keeps_the_rows_and_their_stride(small):
    h = _grown(5000)
    arrays = h.to_arrays()
    assert set(arrays) == {"cost", "grad_norms", "iteration"}
    back = History.from_arrays(**arrays)
    assert back.thinned and back.stride == h.stride
    for a, b in zip(back.rows()[:3], h.rows()[:3]):
        np.testing.assert_array_equal(a, b)
    for i in range(5000, 6000):  # goes on thinning as it would have
        back.append(_cost(i), [float(i), -float(i)])
    _check_rows(back, 6000)
    assert set(_grown(10).to_arrays()) == {"cost", "grad_norms"}  # not thinned: as before


@pytest.mark.parametrize("numbers, says", [([0, 2, 1], "increasing"), ([0, 1.5, 3], "whole numbers"),
                                           ([-1, 0, 1], "whole numbers"), ([0, 1], "3 costs has 2")])
def test_iteration_numbers_that_do_not_belong_are_refused(numbers, says):
    with pytest.raises(ValueError, match=says):
        History.from_arrays(np.ones(3), np.ones((3, 2)), np.array(numbers, dtype=float))


def test_the_csv_numbers_each_row_with_its_iteration(small):
    h = _grown(3000)
    lines = history_csv(h).splitlines()
    rows = h.rows()
    assert lines[0] == "iteration,cost,norm_dW1,norm_dW2" and len(lines) == len(rows.costs) + 1
    for line, i in zip(lines[1:], rows.iterations):
        number, cost, norm, _ = line.split(",")
        assert int(number) == i and float(cost) == _cost(i) and float(norm) == i


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 32, 64, 8192, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "32nd", "64th", "8192nd", "111th"]


# -- a real run, thinned ---------------------------------------------------------------------------
@pytest.fixture
def long_run(small, make_session, wait_idle):
    """xor after 700 iterations of Run: its history thinned to 64 rows at most."""
    session = make_session(load_demo("xor"), XOR)
    wait_idle(session)
    session.run(700)
    wait_idle(session, timeout=30_000)
    assert session.iteration == 700 and session.history.thinned
    return session


def test_a_run_past_the_bound_saves_and_reopens_its_thinned_history(long_run, wait_idle, tmp_path):
    rows = long_run.history.rows()
    np.testing.assert_array_equal(rows.iterations[-16:], np.arange(684, 700))
    assert rows.costs[-1] == long_run.values["J"][0, 0]  # the newest row is the last iteration's J
    path = tmp_path / "long.nnviz"
    long_run.save(str(path))
    wait_idle(long_run)
    meta = json.loads(np.load(path, allow_pickle=False)["meta"].item())
    assert meta["version"] == 3
    state = read_state(path)
    for a, b in zip(state.history.rows()[:3], rows[:3]):
        np.testing.assert_array_equal(a, b)


def test_a_short_run_is_saved_as_version_2(make_session, wait_idle, tmp_path):
    session = make_session(load_demo("xor"), XOR)
    wait_idle(session)
    session.run(5)
    wait_idle(session)
    session.save(str(tmp_path / "short.nnviz"))
    wait_idle(session)
    with np.load(tmp_path / "short.nnviz", allow_pickle=False) as archive:
        assert json.loads(archive["meta"].item())["version"] == 2 and "history/iteration" not in archive.files


def _rewrite(path, out, **arrays):
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            key = item.filename.removesuffix(".npy")
            if key in arrays:
                buffer = io.BytesIO()
                np.save(buffer, arrays[key], allow_pickle=False)
                new.writestr(item, buffer.getvalue())
            else:
                new.writestr(item, old.read(item))
    return out


def test_a_file_whose_history_numbers_do_not_fit_is_refused_in_one_line(long_run, wait_idle, tmp_path):
    path = tmp_path / "long.nnviz"
    long_run.save(str(path))
    wait_idle(long_run)
    numbers = long_run.history.rows().iterations.copy()
    swapped = numbers.copy()
    swapped[[3, 4]] = swapped[[4, 3]]
    with pytest.raises(SessionFileError, match="not whole numbers in increasing order"):
        read_state(_rewrite(path, tmp_path / "swapped.nnviz", **{"history/iteration": swapped}))
    beyond = numbers + 5  # the newest row after the last completed iteration
    with pytest.raises(SessionFileError, match="goes to iteration 704, but only 700"):
        read_state(_rewrite(path, tmp_path / "beyond.nnviz", **{"history/iteration": beyond}))


def test_the_plots_draw_and_hover_a_thinned_history_at_its_iterations(long_run, qtbot):
    from nnviz.views.plots import PlotsView

    view = shown(qtbot, PlotsView(long_run), 900, 300)
    view.refresh()
    rows = long_run.history.rows()
    x, y = view.cost_curve.getData()
    np.testing.assert_array_equal(x, rows.iterations)  # few rows: each drawn at its iteration
    np.testing.assert_array_equal(y, rows.costs)
    assert "iteration 699" in view.cost_plot.getPlotItem().titleLabel.text
    kept = int(rows.iterations[3])
    between = kept + rows.stride * 0.4  # nearer this kept row than the next
    text = view.hover_text(view.cost_plot, between)
    assert text.splitlines()[0] == f"iteration {kept}" and f"J = {float(rows.costs[3])!r}" in text


def test_rows_that_start_after_a_gap_are_numbered():
    """A trace's iteration 2 taken over: the first row is iteration 2, not 0."""
    h = History(2)
    h.append(0.5, [1.0, 1.0], 2)
    h.append(0.4, [1.0, 1.0], 3)
    h.append(0.3, [1.0, 1.0])  # the next one: 4
    rows = h.rows()
    assert rows.thinned and list(rows.iterations) == [2, 3, 4] and rows.describe() == "3 of 5 iterations"
    assert set(h.to_arrays()) == {"cost", "grad_norms", "iteration"}
    h.append(0.2, [1.0, 1.0], 3)  # iteration 3 done again (after a step back): it replaces 3 and 4
    assert list(h.iterations) == [2, 3] and list(h.costs) == [0.5, 0.2]
    h.truncate(3)  # stepped back into iteration 3: its row goes
    assert list(h.iterations) == [2]
