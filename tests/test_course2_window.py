"""Course 2 in the window: the optimiser form, the position, session files with optimiser state."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from nnviz.app import MainWindow
from nnviz.data import load_dataset
from nnviz.engine import Stepper, initialize
from nnviz.session import Design, Session
from nnviz.session.persist import load_session, save_session


def _window(qtbot, design: Design) -> MainWindow:
    window = MainWindow(Session(load_dataset("demo:course-moons"), design))
    qtbot.addWidget(window)
    return window


def test_the_form_edits_the_design_and_the_plan_follows(qtbot, wait_idle):
    window = _window(qtbot, Design(hidden=(5, 2), activations=("relu", "relu")))
    s, form = window.session, window.optimiser
    assert form.optimizer_combo.currentData() == "gd" and not form.beta1_spin.isEnabled()
    form.optimizer_combo.setCurrentIndex(form.optimizer_combo.findData("adam"))
    wait_idle(s)
    assert s.design.optimizer == "adam" and form.beta1_spin.isEnabled() and not form.beta_spin.isEnabled()
    assert any(op.symbol == "v^corr_dW[1]" for op in s.plan)
    form.batch_spin.setValue(64)
    wait_idle(s)
    assert s.design.batch_size == 64 and s.plan[0].symbol == "X{t}"
    assert form.batch_note.text() == "5 batches an epoch (300 = 4·64 + 44)"
    form.layers.cellWidget(0, 0).setValue(0.8)
    wait_idle(s)
    assert s.design.keep_prob == (0.8, 1.0) and any(op.key == "D1" for op in s.plan)
    form.layers.cellWidget(1, 1).setChecked(True)
    wait_idle(s)
    assert s.design.batch_norm == (False, True) and any(op.key == "gamma2" for op in s.plan)
    form.beta1_spin.setValue(0.8)  # a live hyperparameter: no rebuild, the stepper takes it
    assert s.stepper.training.beta1 == 0.8
    assert s.undo_stack.count() == 5
    s.undo_stack.undo()
    assert s.design.beta1 == 0.9
    for _ in range(3):
        window.actionIteration.trigger()
        wait_idle(s)
    assert window.status_position.text().startswith("Epoch 0 · batch 3/5")  # of b[2] shown, as the inspector says
    window.close()


def test_a_session_saved_mid_batch_continues_bit_for_bit(qtbot, wait_idle, tmp_path):
    design = Design(hidden=(5, 2), activations=("relu", "relu"), optimizer="adam", batch_size=64,
                    keep_prob=(0.8, 1.0), learning_rate=0.01)
    window = _window(qtbot, design)
    s = window.session
    for _ in range(6):  # into the second epoch
        window.actionIteration.trigger()
        wait_idle(s)
    for _ in range(9):  # past X{t}, Y{t} and the dropout mask
        window.actionStep.trigger()
        wait_idle(s)
    path = tmp_path / "adam.nnviz"
    s.save(str(path))
    wait_idle(s)
    state = load_session(path)
    assert {"vdW1", "sdW1", "t", "D1"} <= state.values.keys() and state.design == design
    other = _window(qtbot, Design())
    other.session.open_session(str(path))
    wait_idle(other.session)
    o = other.session
    assert (o.iteration, o.position) == (6, 9) and o.design == design
    for _ in range(2 * len(s.plan)):
        s.stepper.step()
        o.stepper.step()
    for key in s.stepper.values:
        assert s.stepper.values[key].tobytes() == o.stepper.values[key].tobytes(), key
    window.close()
    other.close()


def test_a_version_1_session_file_still_opens(qtbot, wait_idle, tmp_path):
    data = load_dataset("demo:course-moons")
    design = Design(hidden=(3,), activations=("tanh",))
    spec = design.spec(data.n_x, data.n_y)
    stepper = Stepper(spec, initialize(spec), data.X, data.Y)
    stepper.run_iteration()
    from nnviz.engine.history import History
    from nnviz.session.persist import SessionState

    path = tmp_path / "old.nnviz"
    history = History(spec.L)
    history.append(stepper.cost, [float(np.linalg.norm(stepper.values[f"dW{l}"])) for l in (1, 2)])
    save_session(path, SessionState(design, data, dict(stepper.values), 1, 0, history))
    with zipfile.ZipFile(path) as z:  # rewrite it as version 1 wrote it: no course 2 keys in the design
        entries = {name: z.read(name) for name in z.namelist()}
    meta = json.loads(np.load(path)["meta"].item())
    meta["version"] = 1
    meta["design"] = {k: meta["design"][k] for k in ("hidden", "activations", "output", "init", "rng", "seed",
                                                     "learning_rate")}
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array(json.dumps(meta)), allow_pickle=False)
    entries["meta.npy"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        for name, raw in entries.items():
            z.writestr(name, raw)
    state = load_session(path)
    assert state.design == design and state.design.optimizer == "gd" and state.design.batch_size is None


def test_the_inspector_names_the_batchs_columns_and_the_diagram_batch_norms_parameters(qtbot, wait_idle):
    design = Design(hidden=(5, 2), activations=("relu", "relu"), batch_size=64, rng="legacy",
                    batch_norm=(True, False))
    window = _window(qtbot, design)
    s = window.session
    window.actionStep.trigger()
    wait_idle(s)
    np.random.seed(11)  # the course's random_mini_batches: seed 10 + epoch 0 + 1
    first = np.random.permutation(300)[:8]
    assert ", ".join(str(c) for c in first) + ", … (64 columns)" in window.inspector.info_label.text()
    assert window.diagram.sublabel(1) == "γ[1], β[1] 5×1" and window.diagram.sublabel(2) == "b[2] 2×1"
    window.close()


def test_session_files_check_the_optimiser_state_and_the_last_batchs_columns(tmp_path):
    from nnviz.engine.history import History, gradient_norms
    from nnviz.session.persist import SessionFileError, SessionState, check_state

    data = load_dataset("demo:course-moons")
    design = Design(hidden=(4,), activations=("tanh",), optimizer="adam", batch_size=64)
    spec = design.spec(data.n_x, data.n_y)
    stepper = Stepper(spec, initialize(spec), data.X, data.Y, training=design.training())
    history = History(spec.L)
    for _ in range(5):  # the fifth is the epoch's last batch: 300 = 4·64 + 44
        stepper.run_iteration()
        history.append(stepper.cost, gradient_norms(stepper.values, spec.L))
    for _ in range(4):
        stepper.step()  # X{t}, Y{t}, Z[1], A[1] of batch 1 of epoch 1 (64 columns); dZ[1] still has 44
    assert stepper.values["Z1"].shape == (4, 64) and stepper.values["dZ1"].shape == (4, 44)
    values = {k: v for k, v in stepper.values.items() if k not in ("A0", "Y")}
    path = save_session(tmp_path / "last.nnviz", SessionState(design, data, values, 5, 4, history))
    state = load_session(path)
    assert state.values["dZ1"].shape == (4, 44)
    bad = dict(values, vdW1=np.zeros((3, 2)))
    with pytest.raises(SessionFileError, match="vdW1"):
        check_state(SessionState(design, data, bad, 5, 4, history))
    missing = {k: v for k, v in values.items() if k != "sdW1"}
    with pytest.raises(SessionFileError, match="sdW1"):
        check_state(SessionState(design, data, missing, 5, 4, history))


def test_run_stops_when_the_designs_epochs_are_done(qtbot, wait_idle):
    window = _window(qtbot, Design(hidden=(4,), activations=("tanh",), batch_size=64, learning_rate=0.1))
    s = window.session
    window.optimiser.epochs_spin.setValue(3)
    assert s.design.epochs == 3 and s.stepper.iteration == 0  # applied live: no rebuild
    with qtbot.waitSignal(s.paused, timeout=20_000) as paused:
        window.actionRun.trigger()
    wait_idle(s)
    assert paused.args == ["3 epochs done (Design ▸ Epochs)"]
    assert s.iteration == 15 and s.position == 0 and window.status_position.text().startswith("Epoch 2 · batch 5/5")
    window.close()
