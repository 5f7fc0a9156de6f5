"""Explanations, diagnostics and exports built on the engine."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from nnviz.engine import NetworkSpec, Stepper, initialize, predict
from nnviz.engine.diagnostics import diagnose
from nnviz.engine.explain import NOTES_SLIPS, explain
from nnviz.engine.export import history_csv, network_script
from nnviz.engine.history import History


def test_every_operation_has_an_explanation_in_the_notes_notation():
    spec = NetworkSpec.build(12288, [7, 5], 1, "relu", "sigmoid")
    stepper = Stepper(spec, initialize(spec), np.zeros((12288, 3)), np.zeros((1, 3)))
    texts = {op.symbol: explain(op, spec) for op in stepper.plan}
    assert all(len(t) > 60 for t in texts.values())
    assert "cache" in texts["Z[1]"] and "Wᵀ·A" in texts["Z[1]"]
    assert "1/m" in texts["dA[3]"] and "finite" in texts["dA[3]"]
    assert "l−1" in texts["dW[2]"] and "5×7" in texts["dW[2]"]
    assert "dA[0] is never" in texts["dA[1]"]
    assert "(A[3] − Y)/m" in texts["dZ[3]"]
    assert "relu" in texts["dZ[2]"].lower() or "ReLU" in texts["dZ[2]"]
    assert "uniform" in NOTES_SLIPS


def test_diagnostics_find_dead_relus_and_big_updates():
    spec = NetworkSpec.build(3, [4, 2], 1, "relu", "sigmoid")
    params = initialize(spec, seed=0)
    params["b1"] = np.array([[-100.0], [0.0], [0.0], [-100.0]])  # units 1 and 4 never fire
    X = np.random.default_rng(0).standard_normal((3, 20))
    stepper = Stepper(spec, params, X, (X[:1] > 0).astype(float))
    stepper.run_backward()
    rows = diagnose(spec, stepper.values, learning_rate=10.0)
    assert rows[0].dead == 2 and "dead" in rows[0].hint
    assert rows[2].dead is None and rows[2].saturated is not None
    expected = 10.0 * np.linalg.norm(stepper.values["dW1"]) / np.linalg.norm(stepper.values["W1"])
    assert rows[0].update_ratio == pytest.approx(expected)
    assert "too large" in rows[1].hint


def test_history_csv_has_full_precision():
    h = History(2)
    h.append(0.1 + 0.2, [1.0, 2e-300])
    text = history_csv(h)
    assert text.splitlines() == ["iteration,cost,norm_dW1,norm_dW2", "0,0.30000000000000004,1.0,2e-300"]


@pytest.mark.parametrize("output,n_y", [("sigmoid", 1), ("softmax", 3)])
def test_exported_script_reproduces_the_predictions_digit_for_digit(tmp_path, output, n_y):
    spec = NetworkSpec.build(4, [5, 3], n_y, ["tanh", "leaky_relu"], output)
    params = initialize(spec, "xavier", seed=3)
    X = np.random.default_rng(1).standard_normal((4, 9))
    script = tmp_path / "trained_net.py"
    script.write_text(network_script(spec, params, "4-5-3 test network", script.name))
    np.save(tmp_path / "X.npy", X)
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "X.npy"), "--out", str(tmp_path / "A.npy")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert np.load(tmp_path / "A.npy").tobytes() == predict(spec, params, X).tobytes()
    assert "classes =" in result.stdout
