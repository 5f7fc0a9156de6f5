"""Train and test accuracy: the label and the curve match engine.accuracy, pictures carry verdicts, a confusion matrix."""
from __future__ import annotations

import numpy as np

from nnviz.data import Dataset
from nnviz.engine import accuracy, predict


def params(session) -> dict:
    return {k: session.values[k] for l in range(1, session.spec.L + 1) for k in (f"W{l}", f"b{l}")}


def settle(qtbot, window) -> None:
    # the accuracy is derived on the worker with the state it shows, and arrives with it
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20_000)
    qtbot.wait(30)


def test_accuracy_label_and_curve_match_engine_accuracy(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    for _ in range(3):
        session.run_iteration()
        wait_idle(session)
    settle(qtbot, window)
    d = session.dataset
    train = accuracy(session.spec, predict(session.spec, params(session), d.X), d.Y)
    test = accuracy(session.spec, predict(session.spec, params(session), d.X_test), d.Y_test)
    tracker = window.accuracy.tracker
    assert tracker.latest.iteration == 3
    assert tracker.latest.train == train and tracker.latest.test == test
    label = window.findChild(type(window.accuracy.label), "accuracyLabel")
    assert label.text() == f"train {100 * train:.1f} % · test {100 * test:.1f} %"
    assert tracker.iterations[-1] == 3
    x, y = window.accuracy.view.train_curve.getData()
    assert x[-1] == 3 and y[-1] == train
    # the pictures in Data: right or wrong, with the probability of the class predicted
    A = predict(session.spec, params(session), d.X)
    verdicts = window.preview.pictures.verdicts
    assert len(verdicts) == 16
    for j, (right, text) in enumerate(verdicts):
        predicted = int(A[0, j] > 0.5)
        assert right == (predicted == int(d.Y[0, j] > 0.5))
        p = A[0, j] if d.Y[0, j] > 0.5 else 1 - A[0, j]  # the probability of the true class
        assert text == f"{p:.2f}"
    assert window.accuracy.view.confusion.isHidden()  # two classes: no confusion matrix


def test_confusion_matrix_for_more_than_two_classes(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    rng = np.random.default_rng(0)
    classes = np.repeat(np.arange(3), 40)
    X = rng.normal(size=(2, 120)) + np.array([[0, 3, -3], [3, -2, -2]])[:, classes]
    session.set_dataset(Dataset(X=X, Y=np.eye(3)[:, classes], class_names=["a", "b", "c"], source="test", name="three"))
    wait_idle(session)
    assert session.spec.output == "softmax" and session.spec.sizes[-1] > 2
    for _ in range(2):
        session.run_iteration()
        wait_idle(session)
    settle(qtbot, window)
    k = session.spec.sizes[-1]
    A = predict(session.spec, params(session), session.dataset.X)
    truth, guess = session.dataset.Y.argmax(axis=0), A.argmax(axis=0)
    table = window.accuracy.view.confusion
    assert not table.isHidden() and table.rowCount() == k == table.columnCount()
    shown = np.array([[int(table.item(r, c).text()) for c in range(k)] for r in range(k)])
    expected = np.array([[np.sum((truth == r) & (guess == c)) for c in range(k)] for r in range(k)])
    np.testing.assert_array_equal(shown, expected)
    assert np.trace(shown) / session.m == window.accuracy.tracker.latest.train


def test_cost_log_scale_option(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    for _ in range(2):
        session.run_iteration()
        wait_idle(session)
    action = window.actionCostLogScale
    action.trigger()
    plots = window.plots
    assert plots.cost_log and plots.cost_plot.getPlotItem().ctrl.logYCheck.isChecked()
    x, y = plots.cost_curve.getData()
    np.testing.assert_allclose(10 ** y, session.history.costs[:2])  # drawn as log10 J
    action.trigger()
    assert not plots.cost_log
