"""The session: jobs on the worker thread, history, breakpoint on NaN, run and pause, datasets."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import Dataset
from nnviz.session import Design


def _toy(m: int = 60, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, m))
    return Dataset(X=X, Y=(X[:1] * X[1:] > 0).astype(float), class_names=["a", "b"], source="toy")


def test_default_session_is_the_notes_network(make_session):
    session = make_session()
    assert session.spec.sizes == (12288, 7, 5, 1)
    assert [session.spec.activation(l) for l in (1, 2, 3)] == ["relu", "relu", "sigmoid"]
    assert session.design.init == "he" and session.dataset.m == 209
    assert session.record is None and session.phase == "ready" and session.next_op.symbol == "Z[1]"


def test_steps_run_on_the_worker_and_report_back(make_session, wait_idle, qtbot):
    session = make_session()
    with qtbot.waitSignal(session.stepped, timeout=5000):
        session.step()
    wait_idle(session)
    assert session.record.symbol == "Z[1]" and session.record.shape_text == "7×209"
    dW2 = next(op.index for op in session.plan if op.key == "dW2")
    session.run_through(dW2)
    wait_idle(session)
    assert session.record.symbol == "dW[2]" and session.record.shape_text == "5×7"
    assert session.phase == "backward" and len(session.history) == 0
    session.run_iteration()
    wait_idle(session)
    assert session.iteration == 1 and session.position == 0 and len(session.history) == 1
    assert session.history.costs[0] == session.values["J"][0, 0]
    assert session.history.grad_norms[0, 1] == pytest.approx(np.linalg.norm(session.values["dW2"]))


def test_history_matches_an_independent_stepper(make_session, wait_idle):
    from nnviz.engine import Stepper, initialize

    session = make_session(_toy(), Design(hidden=(4,), activations=("tanh",), learning_rate=0.3))
    for _ in range(5):
        session.run_iteration()
        wait_idle(session)
    stepper = Stepper(session.spec, initialize(session.spec, "he", seed=1), session.dataset.X, session.dataset.Y, 0.3)
    costs = []
    stepper.train(5, lambda s: costs.append(s.cost))
    assert list(session.history.costs) == costs


def test_run_then_pause_stops_within_an_iteration(make_session, wait_idle, qtbot):
    session = make_session(_toy(), Design(hidden=(8, 8), activations=("tanh", "tanh"), learning_rate=0.1))
    with qtbot.waitSignal(session.running_changed, timeout=5000):
        session.run()
    qtbot.waitUntil(lambda: len(session.history) > 50, timeout=10_000)
    session.pause()
    wait_idle(session)
    assert not session.running and session.position == 0
    stopped_at = session.iteration
    qtbot.wait(200)
    assert session.iteration == stopped_at == len(session.history)


def test_nan_stops_at_the_first_bad_operation(make_session, wait_idle):
    X = np.array([[1e200, -1e200, 3.0]])
    data = Dataset(X=X, Y=np.array([[1.0, 0.0, 1.0]]), class_names=["a", "b"], source="huge")
    session = make_session(data, Design(hidden=(3,), activations=("relu",), init="lecun", learning_rate=1e200))
    session.run()
    wait_idle(session)
    assert not session.running
    record = session.record
    assert record.has_nonfinite
    # every operation before it in the same iteration was finite
    for op in session.plan[: record.op.index]:
        assert np.isfinite(session.values[op.key]).all(), op.symbol


def test_design_change_rebuilds_and_only_alpha_does_not(make_session, wait_idle, qtbot):
    session = make_session(_toy())
    session.run_iteration()
    wait_idle(session)
    W1 = session.values["W1"]
    session.set_learning_rate(0.5)
    assert session.values["W1"] is W1 and session.stepper.learning_rate == 0.5 and len(session.history) == 1
    with qtbot.waitSignal(session.network_changed, timeout=2000):
        session.set_design(session.design.with_layer(0, 3))
    assert session.spec.sizes == (2, 3, 7, 5, 1) and len(session.history) == 0 and session.iteration == 0


def test_bad_file_keeps_the_session(make_session, wait_idle, qtbot, tmp_path):
    session = make_session(_toy())
    session.run_iteration()
    wait_idle(session)
    before = (session.dataset, session.spec, session.values["W1"], len(session.history))
    bad = tmp_path / "broken.csv"
    bad.write_text("a,b,label\n1,2,0\n3,ten,1\n")
    with qtbot.waitSignal(session.error, timeout=5000) as blocker:
        session.open_dataset(str(bad))
    wait_idle(session)
    title, message = blocker.args
    assert "broken.csv" in message and "ten" in message
    assert (session.dataset, session.spec, session.values["W1"], len(session.history)) == before


def test_loading_adapts_input_and_output_and_keeps_hidden_layers(make_session, wait_idle, qtbot):
    session = make_session(_toy(), Design(hidden=(6, 3), activations=("tanh", "relu")))
    with qtbot.waitSignal(session.dataset_changed, timeout=10_000):
        session.open_dataset("demo:images")
    wait_idle(session)
    assert session.spec.sizes == (12288, 6, 3, 1) and session.design.activations == ("tanh", "relu")


def test_step_back_restores_arrays_and_history(make_session, wait_idle):
    session = make_session(_toy())
    session.run_through(20)
    wait_idle(session)
    snapshot = {k: v.copy() for k, v in session.values.items()}
    for _ in range(10):
        session.step()
        wait_idle(session)
    assert session.iteration == 1 and len(session.history) == 1
    for _ in range(10):
        assert session.step_back()
    assert session.iteration == 0 and len(session.history) == 0 and session.record.op.index == 20
    for key, value in snapshot.items():
        assert session.values[key].tobytes() == value.tobytes(), key


def test_saved_session_reopens_at_the_same_step_and_continues_identically(make_session, wait_idle, qtbot, tmp_path):
    first = make_session(_toy(), Design(hidden=(5, 4), activations=("tanh", "relu"), learning_rate=0.2))
    for _ in range(3):
        first.run_iteration()
        wait_idle(first)
    first.run_through(13)
    wait_idle(first)
    path = tmp_path / "lecture.nnviz"
    first.save(str(path))
    wait_idle(first)
    assert path.is_file() and not first.has_unsaved_training and first.file_path == str(path)
    second = make_session()
    with qtbot.waitSignal(second.network_changed, timeout=5000):
        second.open_session(str(path))
    wait_idle(second)
    assert (second.iteration, second.position, second.spec) == (first.iteration, first.position, first.spec)
    assert second.record.symbol == first.record.symbol
    assert list(second.history.costs) == list(first.history.costs)
    for key, value in first.values.items():
        assert second.values[key].tobytes() == value.tobytes(), key
    for s in (first, second):  # the same next arrays
        for _ in range(30):
            s.step()
            wait_idle(s)
    for key, value in first.values.items():
        assert second.values[key].tobytes() == value.tobytes(), key


def test_foreign_or_broken_session_files_give_a_message(make_session, wait_idle, qtbot, tmp_path):
    session = make_session(_toy())
    before = (session.dataset, session.spec, session.values["W1"])
    cases = {
        "text.nnviz": b"hello, this is not a session",
        "plain.nnviz": None,  # an .npz without meta
        "cut.nnviz": "cut",
    }
    np.savez(tmp_path / "plain.nnviz", X=np.zeros(3))
    saved = tmp_path / "good.nnviz"
    session.save(str(saved))
    wait_idle(session)
    (tmp_path / "cut.nnviz").write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    (tmp_path / "text.nnviz").write_bytes(cases["text.nnviz"])
    import shutil

    shutil.move(tmp_path / "plain.nnviz.npz", tmp_path / "plain.nnviz")
    for name in cases:
        with qtbot.waitSignal(session.error, timeout=5000) as blocker:
            session.open_session(str(tmp_path / name))
        wait_idle(session)
        assert name in blocker.args[1], blocker.args
    assert (session.dataset, session.spec, session.values["W1"]) == before


def test_op_breakpoint_and_exploding_gradient_pause_a_run(make_session, wait_idle):
    session = make_session(_toy(), Design(hidden=(4,), activations=("tanh",), learning_rate=0.1))
    dW1 = next(op.index for op in session.plan if op.key == "dW1")
    assert session.toggle_breakpoint(dW1)
    session.run()
    wait_idle(session)
    assert not session.running and session.record.symbol == "dW[1]"
    assert session.toggle_breakpoint(dW1) is False
    session.set_gradient_limits(None, 1e-9)
    session.run()
    wait_idle(session)
    assert not session.running and session.position == 0 and session.iteration == 1
