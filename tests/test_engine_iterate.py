"""Whole iterations with their bookkeeping done once: the same values, the same step back, the same NaN stop."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine import NetworkSpec, Stepper, initialize
from nnviz.engine.stepper import count_nonfinite


def _stepper(hidden, activation, output="sigmoid", alpha=0.5, seed=3, history=64 << 20, m=40, n_x=6,
             w_scale=1.0, x_scale=1.0, **training):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m)) * x_scale
    n_y = 3 if output == "softmax" else 1
    if output == "softmax":
        Y = np.eye(n_y)[:, rng.integers(0, n_y, m)]
    elif output == "linear":
        Y = rng.standard_normal((1, m))
    else:
        Y = (rng.random((1, m)) > 0.5).astype(float)
    spec = NetworkSpec.build(n_x, hidden, n_y, activation, output)
    params = {k: v * w_scale if k.startswith("W") else v for k, v in initialize(spec, "he", seed=seed).items()}
    return Stepper(spec, params, X, Y, alpha, history_bytes=history, **training)


def _same_values(a: Stepper, b: Stepper) -> None:
    assert a.values.keys() == b.values.keys()
    for key in a.values:
        np.testing.assert_array_equal(a.values[key], b.values[key], err_msg=key)


def _stop_operation_by_operation(stepper: Stepper, iterations: int):
    """The reference: check every result as the operation-by-operation path does."""
    for _ in range(iterations * len(stepper.plan)):
        record = stepper.step()
        if record.nonfinite:
            return record.op
    return None


def test_iterate_is_bit_identical_to_stepping_and_steps_back_exactly():
    whole, single = _stepper([5, 4], "relu"), _stepper([5, 4], "relu")
    snapshots = []
    for _ in range(3):
        snapshots.append(dict(whole.values))
        assert whole.iterate(watch_nonfinite=True) is None
        for _ in range(len(single.plan)):
            single.step()
    _same_values(whole, single)
    assert (whole.iteration, whole.position) == (3, 0)
    assert whole.history_length == single.history_length == 3 * len(whole.plan)
    # step back through the three blocks, one operation at a time, to the start
    for i in range(3 * len(whole.plan)):
        whole.step_back()
        single.step_back()
        _same_values(whole, single)
    assert (whole.iteration, whole.position) == (0, 0)
    for key, value in snapshots[0].items():
        assert whole.values[key] is value


def test_the_last_update_offers_its_old_value_after_a_whole_iteration():
    stepper = _stepper([3], "tanh")
    old_b2 = stepper.values["b2"]
    stepper.iterate()
    assert stepper.replaced_value("b2") is old_b2


def test_history_budget_drops_whole_iterations_and_counts_their_operations():
    stepper = _stepper([5, 4], "relu", history=1)
    stepper.iterate()
    assert stepper.history_length == 0 and stepper.history_dropped == len(stepper.plan)
    off = _stepper([5, 4], "relu", history=0)
    off.iterate(watch_nonfinite=True)
    assert not off.can_step_back and off.history_dropped == 0


# ways to overflow: a huge α (leaky ReLUs cannot die), huge weights, data beyond float range once multiplied
DIVERGING = [
    ([6, 5], "leaky_relu", "sigmoid", {"alpha": 1e6}), ([5], "leaky_relu", "linear", {"alpha": 1e6}),
    ([6, 4], "leaky_relu", "softmax", {"alpha": 1e6}), ([4, 4], "linear", "sigmoid", {"alpha": 1e6}),
    ([6, 5], "relu", "sigmoid", {"w_scale": 1e100, "alpha": 1e6}),
    ([6], "tanh", "sigmoid", {"x_scale": 1e307, "w_scale": 100.0}), ([6, 4], "sigmoid", "softmax", {"x_scale": 1e307}),
    ([6, 4], "relu", "sigmoid", {"x_scale": 1e307}),
    # the optimisers' moments, mini-batches and L2 add operations of their own kinds: watched too
    ([6, 5], "leaky_relu", "sigmoid", {"alpha": 1e6, "optimizer": "momentum"}),
    ([6], "relu", "sigmoid", {"x_scale": 1e307, "optimizer": "adam"}),
    ([6, 5], "leaky_relu", "sigmoid", {"alpha": 1e6, "batch_size": 16, "l2": 0.1}),
]


@pytest.mark.parametrize("hidden, activation, output, how", DIVERGING)
@pytest.mark.parametrize("history", [64 << 20, 0])
def test_a_diverging_run_stops_after_the_same_operation_as_checking_every_one(hidden, activation, output, how, history):
    whole = _stepper(hidden, activation, output, history=history, **how)
    single = _stepper(hidden, activation, output, history=history, **how)
    expected = _stop_operation_by_operation(single, 400)
    assert expected is not None, "the test needs a network that diverges"
    found = None
    for _ in range(400):
        found = whole.iterate(watch_nonfinite=True)
        if found is not None:
            break
    assert found is not None and found.key == expected.key
    assert (whole.iteration, whole.position) == (single.iteration, single.position)
    _same_values(whole, single)
    if history:
        whole.step_back()
        single.step_back()
        _same_values(whole, single)


@pytest.mark.parametrize("key", ["Z1", "dA1"])
def test_an_infinity_that_relu_would_hide_is_still_found(key):
    """-Inf in a hidden Z (relu makes it 0) or in dA where Z ≤ 0 (relu's mask) never reaches J or W."""
    stepper = _stepper([5, 4], "relu")
    assert key in stepper.watched_keys
    target = next(op for op in stepper.plan if op.key == key)
    original = target.compute

    def poisoned(values, alpha):
        value = original(values, alpha).copy()
        if key == "Z1":
            value[0, 0] = -np.inf
        else:
            row, col = np.argwhere(values["Z1"] <= 0)[0]
            value[row, col] = np.inf
        return value

    object.__setattr__(target, "compute", poisoned)
    try:
        found = stepper.iterate(watch_nonfinite=True)
    finally:
        object.__setattr__(target, "compute", original)
    assert found is target and stepper.position == target.index + 1
    assert count_nonfinite(stepper.values[key]) == 1
    later = [op.key for op in stepper.plan[target.index + 1:]]
    assert all(k not in stepper.values or count_nonfinite(stepper.values[k]) == 0 for k in later)


def test_the_nan_check_gives_the_history_its_gradient_norms_exactly():
    from nnviz.engine.history import gradient_norms

    stepper = _stepper([5, 4], "tanh")
    for _ in range(3):
        assert stepper.iterate(watch_nonfinite=True) is None
        L = stepper.spec.L
        assert {f"dW{l}" for l in range(1, L + 1)} <= stepper.watched_squares.keys()
        # the same floats as computing them again, to the last bit
        assert gradient_norms(stepper.values, L, stepper.watched_squares) == gradient_norms(stepper.values, L)
        assert gradient_norms(stepper.values, L)[0] == float(np.linalg.norm(stepper.values["dW1"]))


def test_stepping_into_a_whole_iteration_block_restores_each_operation_in_turn():
    """A whole iteration is kept as the values at its start; stepping back into it gives the same
    states, one operation at a time, as the operations being undone one by one."""
    whole, single = _stepper([4], "relu", optimizer="adam"), _stepper([4], "relu", optimizer="adam")
    whole.iterate()
    for _ in range(len(single.plan)):
        single.step()
    whole.iterate()
    states = []
    for _ in range(len(single.plan)):
        states.append(dict(single.values))
        single.step()
    _same_values(whole, single)
    for state in reversed(states):
        whole.step_back()
        assert whole.values.keys() == state.keys()
        for key, value in state.items():
            np.testing.assert_array_equal(whole.values[key], value, err_msg=key)
    assert (whole.iteration, whole.position) == (1, 0)
    assert whole.history_length == len(whole.plan)
