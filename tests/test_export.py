"""Exports: pictures of views, plots and heatmaps; the history as CSV; the network as a script that predicts as nnviz does."""
from __future__ import annotations

import csv
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QInputDialog

from nnviz.app import MainWindow
from nnviz.data import load_demo
from nnviz.engine import predict
from nnviz.session import Design, Session
from qt_helpers import GENEROUS_GAP_MS, Gaps


def _window(qtbot, session=None) -> MainWindow:
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def window(qtbot):
    win = _window(qtbot)
    yield win
    getattr(win, "discard_and_close", win.close)()


def _answer(monkeypatch, path, what: str | None = None, chosen: str = "") -> dict:
    """Answer the save dialog with ``path`` (and the picker with ``what``); returns what the dialogs were asked."""
    asked = {}

    def save(parent, caption, start, filters):
        asked.update(caption=caption, start=start, filters=filters)
        return (str(path), chosen or filters.split(";;")[0]) if path else ("", "")

    def pick(parent, title, label, items, current, editable):
        asked["items"] = list(items)
        return (what, True) if what else ("", False)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    monkeypatch.setattr(QInputDialog, "getItem", pick)
    return asked


def _step_to(window, wait_idle, key: str) -> None:
    s = window.session
    s.run_through(next(op.index for op in s.plan if op.key == key))
    wait_idle(s)


def test_the_actions_are_in_file_export(window):
    menu = window.menus["export"]
    names = [a.objectName() for a in menu.actions()]
    assert names[:3] == ["actionExportImage", "actionExportHistory", "actionExportCode"]  # then the animation
    assert window.exports.actionExportImage.shortcut().toString() == "Ctrl+E"


def test_png_of_the_diagram_has_the_widgets_size(window, monkeypatch, tmp_path, wait_idle):
    _step_to(window, wait_idle, "dW2")
    asked = _answer(monkeypatch, tmp_path / "network", "Network diagram")  # no suffix typed: PNG from the filter
    window.exports.actionExportImage.trigger()
    assert asked["filters"] == "PNG image (*.png);;SVG image (*.svg)"
    assert asked["start"].endswith("nnviz-network.png")
    assert {"Whole window", "Network diagram", "Matrix inspector", "Cost plot", "Gradient-norm plot",
            "Heatmap dZ[2] (5×209)", "Heatmap A[1]ᵀ (209×7)", "Heatmap dW[2] (5×7)"} <= set(asked["items"])
    image = QImage(str(tmp_path / "network.png"))
    ratio = window.diagram.devicePixelRatio()
    assert not image.isNull() and (image.width(), image.height()) == (
        round(window.diagram.width() * ratio), round(window.diagram.height() * ratio))
    assert list(tmp_path.iterdir()) == [tmp_path / "network.png"]  # no temporary file left behind


def test_svg_of_a_heatmap_and_of_a_plot(window, monkeypatch, tmp_path, wait_idle):
    _step_to(window, wait_idle, "dW2")
    _answer(monkeypatch, tmp_path / "dW2.svg", "Heatmap dW[2] (5×7)", chosen="PNG image (*.png)")
    window.exports.actionExportImage.trigger()
    text = (tmp_path / "dW2.svg").read_text(encoding="utf-8")
    assert "<svg" in text and "dW[2]" in text
    assert ElementTree.fromstring(text).tag.endswith("svg")
    _answer(monkeypatch, tmp_path / "cost.svg", "Cost plot")
    window.exports.actionExportImage.trigger()
    assert ElementTree.parse(tmp_path / "cost.svg").getroot().tag.endswith("svg")
    _answer(monkeypatch, tmp_path / "window.png", "Whole window")
    window.exports.actionExportImage.trigger()
    assert QImage(str(tmp_path / "window.png")).width() == round(window.width() * window.devicePixelRatio())


def test_history_csv_has_the_exact_costs(qtbot, monkeypatch, tmp_path, wait_idle):
    design = Design(hidden=(5,), activations=("tanh",), learning_rate=0.3)
    window = _window(qtbot, Session(load_demo("moons", m=80), design))
    try:
        for _ in range(3):
            window.session.run_iteration()
            wait_idle(window.session)
        _answer(monkeypatch, tmp_path / "history.csv")
        window.exports.actionExportHistory.trigger()
        qtbot.waitUntil(lambda: window.exports.exporting == 0, timeout=10_000)
        assert window.statusBar().currentMessage().startswith("Exported 3 iterations of J")
        with open(tmp_path / "history.csv", newline="") as file:
            rows = list(csv.reader(file))
        assert rows[0] == ["iteration", "cost", "norm_dW1", "norm_dW2"]
        assert len(rows) == 1 + 3
        costs = [float(row[1]) for row in rows[1:]]
        assert costs == list(window.session.history.costs)  # exact: repr round-trips a float64
        norms = np.array([[float(x) for x in row[2:]] for row in rows[1:]])
        assert np.array_equal(norms, window.session.history.grad_norms)
    finally:
        window.discard_and_close()


def test_exported_script_reproduces_the_predictions_bit_for_bit(window, monkeypatch, tmp_path, wait_idle):
    s = window.session
    for _ in range(2):
        s.run_iteration()
        wait_idle(s)
    path = tmp_path / "cat_net.py"
    _answer(monkeypatch, path)
    window.exports.actionExportCode.trigger()
    script = path.read_text(encoding="utf-8")
    title = "12288-7-5-1 (relu, relu, sigmoid), trained 2 iterations with α = 0.0075 on demo:images"
    assert title in script
    X = s.dataset.X
    np.save(tmp_path / "X.npy", X)
    code = ("import sys, numpy as np; sys.path.insert(0, sys.argv[1]); import cat_net; "
            "np.save(sys.argv[2], cat_net.predict(np.load(sys.argv[3])))")
    subprocess.run([sys.executable, "-c", code, str(tmp_path), str(tmp_path / "A.npy"), str(tmp_path / "X.npy")],
                   check=True, timeout=60)
    expected = predict(s.spec, s.stepper.parameters, X)
    assert np.array_equal(np.load(tmp_path / "A.npy"), expected)


def test_title_says_when_the_updates_are_half_done(window, wait_idle):
    _step_to(window, wait_idle, "b1")
    assert window.exports.network_title().endswith(
        "trained 0 iterations (and W[1], b[1] of iteration 0) with α = 0.0075 on demo:images")


def test_a_failed_write_shows_a_message_and_keeps_everything(window, monkeypatch, tmp_path, wait_idle, qtbot):
    s = window.session
    s.run_iteration()
    wait_idle(s)
    before = (s.values["W1"], s.iteration, len(s.history))
    missing = tmp_path / "no such folder" / "net.py"
    _answer(monkeypatch, missing)
    window.exports.actionExportCode.trigger()
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(), timeout=3000)
    assert "no such folder" in window.error_box.text() and window.error_box.windowTitle() == "Could not export"
    assert (s.values["W1"], s.iteration, len(s.history)) == before
    assert list(tmp_path.iterdir()) == []
    window.error_box.accept()


def test_cancelling_writes_nothing(window, monkeypatch, tmp_path, qtbot):
    _answer(monkeypatch, None, "Whole window")
    window.exports.actionExportImage.trigger()
    _answer(monkeypatch, tmp_path / "x.png", None)  # the picker cancelled
    window.exports.actionExportImage.trigger()
    window.exports.actionExportHistory.trigger()  # the save dialog answers x.png but is asked for CSV: x.png.csv
    qtbot.waitUntil(lambda: window.exports.exporting == 0, timeout=10_000)
    assert [p.name for p in tmp_path.iterdir()] == ["x.png.csv"]


def test_a_long_history_is_exported_while_the_window_stays_responsive(window, monkeypatch, tmp_path, qtbot):
    """A million iterations (two minutes of Run on a 2-D demo) take seconds to write as text: on a
    thread of their own, while the window goes on answering."""
    from nnviz.engine.history import History

    n = 1_000_000
    rng = np.random.default_rng(0)
    window.session.history = History.from_arrays(rng.random(n), rng.random((n, 3)))
    _answer(monkeypatch, tmp_path / "long.csv")
    qtbot.wait(300)  # the new window's first layout and paints: not what is measured
    gaps = Gaps()
    window.exports.actionExportHistory.trigger()
    assert window.statusBar().currentMessage().startswith(f"Exporting {n} iterations")
    qtbot.waitUntil(lambda: window.exports.exporting == 0, timeout=60_000)
    longest = gaps.longest()
    # formatting a million rows on the window's thread took 3 s; on its own thread the window ticks all along
    assert len(gaps.ticks) > 20 and longest < GENEROUS_GAP_MS, (len(gaps.ticks), longest)
    with open(tmp_path / "long.csv", newline="") as file:
        rows = list(csv.reader(file))
    assert len(rows) == n + 1 and rows[-1][0] == str(n - 1)
    assert float(rows[777_777][1]) == window.session.history.costs[777_776]
    assert window.statusBar().currentMessage() == f"Exported {n} iterations of J and ‖dW[l]‖ to {tmp_path / 'long.csv'}"


def test_a_history_that_cannot_be_written_says_so(window, monkeypatch, tmp_path, qtbot):
    _answer(monkeypatch, tmp_path / "no such folder" / "history.csv")
    window.exports.actionExportHistory.trigger()
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(), timeout=10_000)
    assert "no such folder" in window.error_box.text() and window.error_box.windowTitle() == "Could not export"
    assert list(tmp_path.iterdir()) == []
    window.error_box.accept()
