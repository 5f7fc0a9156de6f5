"""nnviz against the course: its initialisation digit for digit, its model, its published costs."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine import INITS, NetworkSpec, Stepper, initialize


def test_legacy_generator_matches_np_random_seed_and_randn():
    spec = NetworkSpec.build(12288, [20, 7, 5], 1, "relu", "sigmoid")
    params = initialize(spec, "lecun", rng="legacy", seed=1)
    np.random.seed(1)
    for l, (n_l, n_prev) in enumerate(zip(spec.sizes[1:], spec.sizes[:-1]), start=1):
        expected = np.random.randn(n_l, n_prev) / np.sqrt(n_prev)
        assert params[f"W{l}"].tobytes() == expected.tobytes()
        assert params[f"b{l}"].shape == (n_l, 1) and not params[f"b{l}"].any()
    small = initialize(NetworkSpec.build(12288, [7], 1), "small", rng="legacy", seed=1)
    np.random.seed(1)
    assert small["W1"].tobytes() == (np.random.randn(7, 12288) * 0.01).tobytes()
    assert small["W2"].tobytes() == (np.random.randn(1, 7) * 0.01).tobytes()


def test_notes_uniform_is_rand_as_written_and_not_he():
    spec = NetworkSpec.build(400, [300], 1)
    uniform = initialize(spec, "notes-uniform", rng="legacy", seed=3)
    np.random.seed(3)
    assert uniform["W1"].tobytes() == (np.random.rand(300, 400) * np.sqrt(2 / 400)).tobytes()
    assert uniform["W1"].min() >= 0  # rand is uniform on [0, 1): never negative
    he = initialize(spec, "he", seed=3)["W1"]
    assert abs(he.mean()) < 0.02 * he.std()  # normal: centred on 0
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)


@pytest.mark.parametrize("init", list(INITS))
def test_every_initialisation_has_its_scale_and_a_seed_reproduces_it(init):
    spec = NetworkSpec.build(500, [200], 3, "tanh", "softmax")
    a = initialize(spec, init, seed=7)
    b = initialize(spec, init, seed=7)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    expected_std = {"he": np.sqrt(2 / 500), "lecun": 1 / np.sqrt(500), "xavier": np.sqrt(2 / 700), "small": 0.01,
                    "zeros": 0.0, "notes-uniform": np.sqrt(2 / 500) / np.sqrt(12), "normal": 1.0}[init]
    assert a["W1"].std() == pytest.approx(expected_std, rel=0.02, abs=1e-15)
    if init != "zeros":
        assert not np.array_equal(a["W1"], initialize(spec, init, seed=8)["W1"])


# -- the course's L-layer model, written independently in the course's own style ----------
def _course_model(X, Y, layers_dims, learning_rate, iterations):
    np.random.seed(1)
    parameters = {}
    L = len(layers_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) / np.sqrt(layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    costs = []
    m = Y.shape[1]
    for i in range(iterations):
        caches = []
        A = X
        for l in range(1, L):
            Z = np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)]
            caches.append((A, Z))
            A = 1 / (1 + np.exp(-Z)) if l == L - 1 else np.maximum(0, Z)
        AL = A
        costs.append(np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m))
        dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
        grads = {}
        for l in reversed(range(1, L)):
            A_prev, Z = caches[l - 1]
            if l == L - 1:
                s = 1 / (1 + np.exp(-Z))
                dZ = dA * s * (1 - s)
            else:
                dZ = np.array(dA, copy=True)
                dZ[Z <= 0] = 0
            grads["dW" + str(l)] = 1.0 / m * np.dot(dZ, A_prev.T)
            grads["db" + str(l)] = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
            dA = np.dot(parameters["W" + str(l)].T, dZ)
        for l in range(1, L):
            parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
            parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters, costs


def test_engine_agrees_with_the_course_model_on_random_data():
    rng = np.random.default_rng(5)
    X = rng.random((300, 60))
    Y = (X[:5].sum(axis=0, keepdims=True) > 2.5).astype(float)
    dims = [300, 20, 7, 5, 1]
    expected, costs = _course_model(X, Y, dims, 0.05, 40)
    spec = NetworkSpec.build(300, dims[1:-1], 1, "relu", "sigmoid")
    stepper = Stepper(spec, initialize(spec, "lecun", rng="legacy", seed=1), X, Y, learning_rate=0.05)
    ours = []
    stepper.train(40, lambda s: ours.append(s.cost))
    np.testing.assert_allclose(ours, costs, rtol=1e-12)
    assert costs[-1] < costs[0]
    for key, value in expected.items():
        np.testing.assert_allclose(stepper.values[key], value, rtol=1e-9, atol=1e-14)


def _course_arrays(folder):
    h5py = pytest.importorskip("h5py")
    with h5py.File(folder / "train_catvnoncat.h5", "r") as f:
        X = f["train_set_x"][:].reshape(209, -1).T / 255
        Y = f["train_set_y"][:].reshape(1, -1).astype(float)
    return X, Y


def test_course_costs_on_the_real_cat_data(course_data):
    """The costs the course notebooks print for their two models, on the real files."""
    X, Y = _course_arrays(course_data)
    published = {
        # L-layer model: 12288-20-7-5-1, ReLU, sigmoid, W = randn/√n, np.random.seed(1), α = 0.0075
        (12288, 20, 7, 5, 1): ("lecun", {0: 0.7717493284237686, 100: 0.6720534400822914}),
        # two-layer model: 12288-7-1, W = randn·0.01, np.random.seed(1), α = 0.0075
        (12288, 7, 1): ("small", {0: 0.6930497356599888, 100: 0.6464320953428849}),
    }
    for sizes, (init, costs) in published.items():
        spec = NetworkSpec.build(12288, sizes[1:-1], 1, "relu", "sigmoid")
        stepper = Stepper(spec, initialize(spec, init, rng="legacy", seed=1), X, Y, learning_rate=0.0075)
        seen = {}
        stepper.train(101, lambda s: seen.setdefault(s.iteration - 1, s.cost))
        for i, cost in costs.items():
            assert seen[i] == pytest.approx(cost, rel=1e-14), (sizes, i)
