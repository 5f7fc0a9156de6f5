"""Backward pass against independent references: central differences and the textbook formulas."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from nnviz.engine import HIDDEN_ACTIVATIONS, OUTPUTS, NetworkSpec, Stepper, gradient_check, initialize
from nnviz.engine.stepper import iterate_ops


def _data(n_x: int, n_y: int, m: int, output: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    if output == "sigmoid":
        Y = (rng.random((1, m)) > 0.5).astype(float)
    elif output == "softmax":
        Y = np.eye(n_y)[:, rng.integers(0, n_y, m)]
    else:
        Y = rng.standard_normal((n_y, m))
    return X, Y


@pytest.mark.parametrize("activation,output", list(itertools.product(HIDDEN_ACTIVATIONS, OUTPUTS)))
def test_gradient_check_passes_for_every_activation_and_output(activation, output):
    n_y = 1 if output == "sigmoid" else 3
    spec = NetworkSpec.build(4, [5, 3], n_y, activation, output)
    X, Y = _data(4, n_y, 7, output, seed=3)
    params = initialize(spec, "xavier", seed=2)
    for key in params:  # non-zero biases exercise db and keep units away from relu's kink at 0
        if key.startswith("b"):
            params[key] = np.random.default_rng(5).uniform(0.1, 0.3, params[key].shape)
    rows = gradient_check(spec, params, X, Y, epsilon=1e-6)
    assert [r.key for r in rows] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for row in rows:
        assert row.checked == row.total
        assert row.relative_difference < 1e-7, (row.key, row.relative_difference)


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    """A backward pass that forgets σ' is reported as wrong: the check can fail."""
    from nnviz.engine import activations

    spec = NetworkSpec.build(3, [4], 1, "sigmoid", "sigmoid")
    X, Y = _data(3, 1, 6, "sigmoid")
    params = initialize(spec, "xavier", seed=1)
    good = gradient_check(spec, params, X, Y)
    original = activations.ACTIVATIONS["sigmoid"]
    monkeypatch.setitem(activations.ACTIVATIONS, "sigmoid", original._replace(backward=lambda dA, z: dA))
    bad = gradient_check(spec, params, X, Y)
    assert max(r.relative_difference for r in good) < 1e-7
    assert bad[0].key == "W1" and bad[0].relative_difference > 1e-2 and bad[0].verdict == "wrong"


def test_gradient_check_subset_on_big_blocks():
    spec = NetworkSpec.build(50, [6], 1, "tanh", "sigmoid")
    X, Y = _data(50, 1, 5, "sigmoid")
    rows = gradient_check(spec, initialize(spec, "he", seed=0), X, Y, max_per_block=20)
    W1 = rows[0]
    assert (W1.checked, W1.total, W1.subset) == (20, 300, True)
    assert rows[1].checked == rows[1].total == 6
    assert all(r.relative_difference < 1e-7 for r in rows)


def _textbook_sigmoid_grads(spec, params, X, Y):
    """The usual backward pass: dZ[L] = (A[L] - Y)/m, no dA[L] at all."""
    m = X.shape[1]
    A = {0: X}
    Z = {}
    for l in range(1, spec.L + 1):
        Z[l] = params[f"W{l}"] @ A[l - 1] + params[f"b{l}"]
        A[l] = np.maximum(Z[l], 0) if l < spec.L else 1 / (1 + np.exp(-Z[l]))
    dZ = (A[spec.L] - Y) / m
    grads = {}
    for l in range(spec.L, 0, -1):
        grads[f"dW{l}"] = dZ @ A[l - 1].T
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True)
        if l > 1:
            dZ = (params[f"W{l}"].T @ dZ) * (Z[l - 1] > 0)
    return grads


def test_one_over_m_in_dA_gives_the_textbook_gradients():
    spec = NetworkSpec.build(6, [5, 4], 1, "relu", "sigmoid")
    X, Y = _data(6, 1, 40, "sigmoid", seed=7)
    params = initialize(spec, "he", seed=4)
    stepper = Stepper(spec, params, X, Y)
    stepper.run_backward()
    expected = _textbook_sigmoid_grads(spec, params, X, Y)
    for key, value in expected.items():
        got = stepper.values[key]
        assert np.linalg.norm(got - value) <= 1e-9 * np.linalg.norm(value), key


def test_saturated_output_is_finite_silent_and_right():
    """|z| > 700 at the output: no overflow warning, no log(0), no inf in dA[L]; dZ[L] = (A - Y)/m."""
    spec = NetworkSpec((1, 1), (), "sigmoid")
    z = np.array([[-800.0, -710.0, -40.0, -3.0, 0.0, 2.5, 40.0, 710.0, 800.0]])
    Y = np.array([[1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0]])
    params = {"W1": np.array([[1.0]]), "b1": np.zeros((1, 1))}
    stepper = Stepper(spec, params, z.copy(), Y)
    # the operations themselves, without the stepper's own silencing of overflow warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            v = iterate_ops(stepper.plan[: stepper.backward_end], dict(stepper.values))
    m = z.shape[1]
    assert np.isfinite(v["J"]).all() and np.isfinite(v["dA1"]).all() and np.isfinite(v["dZ1"]).all()
    # the cost of a confidently wrong answer at z = 800 is 800 (ln(1 + e^800)), not inf or nan
    logistic = np.logaddexp(0, -z) * Y + np.logaddexp(0, z) * (1 - Y)
    assert v["J"][0, 0] == pytest.approx(logistic.sum() / m, rel=1e-12)
    textbook = (1 / (1 + np.exp(-np.clip(z, -700, 700))) - Y) / m
    np.testing.assert_allclose(v["dZ1"], textbook, rtol=1e-9, atol=1e-300)


def test_saturated_softmax_keeps_the_gradient_of_a_wrong_class():
    spec = NetworkSpec((3, 3), (), "softmax")
    X = np.diag([900.0, 0.0, -900.0])  # column 0: class 0 has all the mass but the label is class 2
    Y = np.eye(3)[:, [2, 1, 0]]
    params = {"W1": np.eye(3), "b1": np.zeros((3, 1))}
    stepper = Stepper(spec, params, X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            v = iterate_ops(stepper.plan[: stepper.backward_end], dict(stepper.values))
    assert np.isfinite(v["J"]).all() and np.isfinite(v["dA1"]).all()
    np.testing.assert_allclose(v["dZ1"], (v["A1"] - Y) / 3, rtol=1e-12, atol=1e-300)
