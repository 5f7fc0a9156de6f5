"""The optimiser form's mini-batch seed and dropout seed: the stepper follows them, Undo restores them,
they ask before unsaved training is lost and session files keep them."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from nnviz.app import MainWindow
from nnviz.data import load_dataset
from nnviz.engine import Training
from nnviz.session import Design, Session
from nnviz.session.persist import SessionFileError, load_session

DESIGN = Design(hidden=(5, 2), activations=("relu", "relu"), batch_size=64, keep_prob=(0.8, 1.0))


def _window(qtbot, design: Design) -> MainWindow:
    window = MainWindow(Session(load_dataset("demo:course-moons"), design))
    qtbot.addWidget(window)
    return window


def _first_batch_and_mask(window, wait_idle) -> tuple[np.ndarray, np.ndarray]:
    """X{1} and D[1] of the first iteration, stepped in the window."""
    s = window.session
    keys = [op.key for op in s.plan]
    for _ in range(keys.index("D1") + 1):
        window.actionStep.trigger()
        wait_idle(s)
    values = s.stepper.values
    batch = next(values[op.key] for op in s.plan if op.symbol == "X{t}")
    return batch.copy(), values["D1"].copy()


def test_the_seeds_drive_the_batches_and_masks_and_undo_restores_them(qtbot, wait_idle, answered_questions):
    window = _window(qtbot, DESIGN)
    s, form = window.session, window.optimiser
    wait_idle(s)
    assert (form.batch_seed_spin.value(), form.dropout_seed_spin.value()) == (10, 1)
    assert form.batch_seed_spin.isEnabled() and form.dropout_seed_spin.isEnabled()
    X = s.dataset.X
    batch10, mask1 = _first_batch_and_mask(window, wait_idle)
    expected = X[:, Training(batch_seed=10).permutation(0, X.shape[1])[:64]]
    assert np.array_equal(batch10, expected)

    window.actionIteration.trigger()  # unsaved training now
    wait_idle(s)
    assert s.iteration == 1
    answered_questions.answer = QMessageBox.StandardButton.Cancel  # a rebuild asks first: cancelling keeps all
    form.batch_seed_spin.setValue(3)
    wait_idle(s)
    assert answered_questions.asked and "Mini-batch seed = 3" in answered_questions.asked[-1]
    assert s.design.batch_seed == 10 and form.batch_seed_spin.value() == 10 and s.iteration == 1

    answered_questions.answer = QMessageBox.StandardButton.Discard
    form.batch_seed_spin.setValue(3)
    wait_idle(s)
    assert s.design.batch_seed == 3 and s.stepper.training.batch_seed == 3 and (s.iteration, s.position) == (0, 0)
    batch3, mask_same = _first_batch_and_mask(window, wait_idle)
    assert np.array_equal(batch3, X[:, Training(batch_seed=3).permutation(0, X.shape[1])[:64]])
    assert not np.array_equal(batch3, batch10) and np.array_equal(mask_same, mask1)

    form.dropout_seed_spin.setValue(7)
    wait_idle(s)
    assert s.design.dropout_seed == 7 and s.stepper.training.dropout_seed == 7
    batch_same, mask7 = _first_batch_and_mask(window, wait_idle)
    assert np.array_equal(batch_same, batch3) and not np.array_equal(mask7, mask1)
    assert s.undo_stack.undoText() == "Dropout seed = 7"

    s.undo()
    wait_idle(s)
    assert s.design.dropout_seed == 1 and form.dropout_seed_spin.value() == 1
    s.undo()
    wait_idle(s)
    assert s.design.batch_seed == 10 and form.batch_seed_spin.value() == 10
    again10, again1 = _first_batch_and_mask(window, wait_idle)
    assert np.array_equal(again10, batch10) and np.array_equal(again1, mask1)
    window.close()


def test_the_seeds_are_off_where_nothing_is_drawn(qtbot):
    window = _window(qtbot, Design(hidden=(5, 2), activations=("relu", "relu")))
    form = window.optimiser
    assert not form.batch_seed_spin.isEnabled() and not form.dropout_seed_spin.isEnabled()
    window.close()


def test_a_saved_session_reopens_with_its_seeds(qtbot, wait_idle, tmp_path):
    window = _window(qtbot, DESIGN)
    s, form = window.session, window.optimiser
    wait_idle(s)
    form.batch_seed_spin.setValue(42)
    wait_idle(s)
    form.dropout_seed_spin.setValue(5)
    wait_idle(s)
    path = tmp_path / "seeds.nnviz"
    s.save(str(path))
    wait_idle(s)
    assert (load_session(path).design.batch_seed, load_session(path).design.dropout_seed) == (42, 5)
    other = _window(qtbot, Design())
    other.session.open_session(str(path))
    wait_idle(other.session)
    assert (other.session.design.batch_seed, other.session.design.dropout_seed) == (42, 5)
    assert other.session.stepper.training.dropout_seed == 5
    assert (other.optimiser.batch_seed_spin.value(), other.optimiser.dropout_seed_spin.value()) == (42, 5)
    window.close()
    other.close()


def _rewrite_design(path, tmp_path, name: str, change) -> str:
    """A copy of the session file at ``path`` whose design ``change`` edited in place."""
    out = tmp_path / name
    meta = json.loads(np.load(path)["meta"].item())
    change(meta["design"])
    buffer = io.BytesIO()
    np.save(buffer, np.array(json.dumps(meta)), allow_pickle=False)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, buffer.getvalue() if info.filename == "meta.npy" else src.read(info))
    return str(out)


def test_older_files_open_with_the_default_seeds_and_bad_seeds_are_refused(qtbot, wait_idle, tmp_path):
    window = _window(qtbot, DESIGN)
    s = window.session
    wait_idle(s)
    path = tmp_path / "s.nnviz"
    s.save(str(path))
    wait_idle(s)

    def drop(design):
        del design["batch_seed"], design["dropout_seed"]

    older = load_session(_rewrite_design(path, tmp_path, "older.nnviz", drop))
    assert (older.design.batch_seed, older.design.dropout_seed) == (10, 1)
    for bad, what in ((-1, "0 or more"), ("7", "whole number"), (2.5, "whole number")):
        damaged = _rewrite_design(path, tmp_path, "bad.nnviz", lambda d: d.update(dropout_seed=bad))
        with pytest.raises(SessionFileError, match=f"dropout seed: .*{what}"):
            load_session(damaged)
    window.close()
