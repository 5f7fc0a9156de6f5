"""The main window, driven as a user drives it: actions, file dialogs, message boxes."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from nnviz.app import MainWindow
from nnviz.data import Dataset
from nnviz.session import Design, Session

ACTION_NAMES = ["actionStep", "actionForwardPass", "actionBackwardPass", "actionIteration", "actionRun",
                "actionPause", "actionReset", "actionOpenDataset"]


@pytest.fixture
def window(default_window):
    return default_window


def _toy_session() -> Session:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 80))
    data = Dataset(X=X, Y=(X[:1] * X[1:] > 0).astype(float), class_names=["a", "b"], source="toy", name="toy")
    return Session(data, Design(hidden=(8, 8), activations=("tanh", "tanh"), learning_rate=0.2))


def _trigger(window, name: str, wait_idle) -> None:
    action = getattr(window, name)
    assert action.objectName() == name and action.isEnabled(), name
    action.trigger()
    wait_idle(window.session)


def test_window_has_the_actions_with_shortcuts_in_menus_and_toolbar(window):
    from PySide6.QtGui import QAction

    for name in ACTION_NAMES:
        action = window.findChild(QAction, name)
        assert action is not None, name
        assert not action.shortcut().isEmpty(), name
        assert window.training_tool_bar.actions().count(action) == 1 or name == "actionOpenDataset"
    menu_actions = {a.objectName() for m in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu()))
                    for a in m.actions()}
    assert set(ACTION_NAMES) <= menu_actions


def test_opens_on_the_notes_network_and_steps_to_dW2(window, wait_idle):
    s = window.session
    assert s.spec.sizes == (12288, 7, 5, 1)
    _trigger(window, "actionStep", wait_idle)
    assert window.step_list.line(0) == "Z[1] = W[1]·A[0] + b[1]   (7×12288)(12288×209) + (7×1) → 7×209"
    assert window.step_list.current_index() == 0
    assert "7×209" in window.inspector.shapes_label.text()
    dW2 = next(op.index for op in s.plan if op.key == "dW2")
    # clicking a later line of the step list runs to it
    item = window.step_list.tree.topLevelItem(dW2)
    window.step_list.tree.itemClicked.emit(item, 1)
    wait_idle(s)
    assert s.record.symbol == "dW[2]"
    assert "dZ[2] (5×209) · A[1]ᵀ (209×7) → 5×7" in window.inspector.shapes_label.text()
    assert "Iteration 0" in window.status_position.text() and "backward" in window.status_position.text()


def test_the_start_hint_goes_once_its_operation_is_done(window, wait_idle):
    bar = window.statusBar()
    assert bar.currentMessage() == "Ready: press Step (F10) to perform Z[1] = W[1]·A[0] + b[1]"
    _trigger(window, "actionIteration", wait_idle)
    assert window.session.next_op.key == "Z1"
    assert bar.currentMessage() == ""  # "Ready" at iteration 1, even though Z[1] is next again
    window.statusBar().showMessage("Stepped back to Z[1]", 6000)
    _trigger(window, "actionStep", wait_idle)
    assert bar.currentMessage() == "Stepped back to Z[1]"  # other messages keep their time


def test_passes_and_iterations_fill_the_plots(qtbot, wait_idle):
    window = MainWindow(_toy_session())
    qtbot.addWidget(window)
    _trigger(window, "actionForwardPass", wait_idle)
    assert window.session.record.symbol == "J"
    _trigger(window, "actionBackwardPass", wait_idle)
    assert window.session.record.symbol == "db[1]"
    for _ in range(4):
        _trigger(window, "actionIteration", wait_idle)
    assert window.session.iteration == 4
    xs, ys = window.plots.cost_curve.getData()
    assert len(xs) == 4 and np.array_equal(ys, window.session.history.costs)
    assert len(window.plots.grad_curves) == 3
    window.close()


def test_run_then_pause_stops(qtbot, wait_idle):
    window = MainWindow(_toy_session())
    qtbot.addWidget(window)
    window.actionRun.trigger()
    assert window.actionPause.isEnabled() and not window.actionStep.isEnabled()
    qtbot.waitUntil(lambda: window.session.iteration > 30, timeout=10_000)
    window.actionPause.trigger()
    wait_idle(window.session)
    stopped = window.session.iteration
    qtbot.wait(150)
    assert window.session.iteration == stopped and not window.session.running
    assert window.actionStep.isEnabled() and not window.actionPause.isEnabled()
    assert window.plots.point_count() == stopped  # every iteration (getData() is what is drawn: downsampled)
    window.close()


def test_open_dataset_through_the_file_dialog(window, wait_idle, monkeypatch, tmp_path, qtbot):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 40))
    path = tmp_path / "three.npz"
    np.savez(path, X=X, Y=(X[:1] > 0).astype(float))
    seen = {}

    def fake_dialog(parent, caption, directory, filters):
        seen["filters"] = filters
        return str(path), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake_dialog)
    with qtbot.waitSignal(window.session.dataset_changed, timeout=5000):
        window.actionOpenDataset.trigger()
    wait_idle(window.session)
    assert "*.npz" in seen["filters"] and "*.h5" in seen["filters"] and "*.csv" in seen["filters"]
    assert window.session.spec.sizes == (3, 7, 5, 1)
    assert window.designer.input_label.text().startswith("Input  n[0] = 3")
    assert window.recent_files()[0] == str(path)


def test_a_bad_file_shows_a_message_and_keeps_the_session(window, wait_idle, monkeypatch, tmp_path, qtbot):
    s = window.session
    _trigger(window, "actionIteration", wait_idle)
    before = (s.dataset, s.spec, s.values["W1"], len(s.history), s.iteration)
    bad = tmp_path / "garbage.h5"
    bad.write_bytes(b"\x00\x01not an hdf5 file at all" * 10)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(bad), ""))
    window.actionOpenDataset.trigger()
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(), timeout=5000)
    assert "garbage.h5" in window.error_box.text()
    assert (s.dataset, s.spec, s.values["W1"], len(s.history), s.iteration) == before
    window.error_box.accept()


def test_course_train_file_brings_its_test_split(window, wait_idle, monkeypatch, qtbot, course_data):
    train = course_data / "train_catvnoncat.h5"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(train), ""))
    with qtbot.waitSignal(window.session.dataset_changed, timeout=10_000):
        window.actionOpenDataset.trigger()
    wait_idle(window.session)
    d = window.session.dataset
    assert d.X.shape == (12288, 209) and d.X_test.shape == (12288, 50) and d.class_names == ["non-cat", "cat"]


def test_geometry_and_docks_persist(qtbot, isolated_settings):
    first = MainWindow(_toy_session())
    qtbot.addWidget(first)
    first.show()
    first.docks["dataDock"].hide()
    first.resize(760, 570)  # the offscreen screen is 800×600; restoreGeometry keeps a window on its screen
    size = first.size()
    steps_width = first.docks["stepsDock"].width()
    first.close()
    second = MainWindow(_toy_session())
    qtbot.addWidget(second)
    second.show()
    assert second.size() == size
    assert second.docks["dataDock"].isHidden() and second.docks["stepsDock"].width() == steps_width
    second.close()
