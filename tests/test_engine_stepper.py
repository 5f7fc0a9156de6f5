"""The stepper: the notes' shapes, op-by-op equals whole iterations, passes, stepping back."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine import NetworkSpec, Stepper, initialize, build_plan


@pytest.fixture(scope="module")
def notes_data():
    rng = np.random.default_rng(0)
    X = rng.random((12288, 209))
    Y = (rng.random((1, 209)) > 0.6).astype(float)
    return X, Y


def _notes_stepper(notes_data, **kw):
    spec = NetworkSpec.build(12288, [7, 5], 1, "relu", "sigmoid")
    return Stepper(spec, initialize(spec, "he", seed=1), *notes_data, **kw)


def test_plan_is_the_notes_order_with_no_dA0():
    plan = build_plan(NetworkSpec.build(12288, [7, 5], 1, "relu", "sigmoid"))
    assert [op.symbol for op in plan] == [
        "Z[1]", "A[1]", "Z[2]", "A[2]", "Z[3]", "A[3]", "J",
        "dA[3]", "dZ[3]", "dW[3]", "db[3]", "dA[2]",
        "dZ[2]", "dW[2]", "db[2]", "dA[1]",
        "dZ[1]", "dW[1]", "db[1]",
        "W[1]", "b[1]", "W[2]", "b[2]", "W[3]", "b[3]",
    ]
    assert [op.phase for op in plan].count("forward") == 6
    assert plan[6].phase == "cost" and plan[7].phase == "backward" and plan[19].phase == "update"
    assert [op.layer for op in plan[:6]] == [1, 1, 2, 2, 3, 3]


def test_every_step_has_the_notes_shapes(notes_data):
    stepper = _notes_stepper(notes_data)
    records = {}
    for _ in range(len(stepper.plan)):
        record = stepper.step()
        records[record.symbol] = record
    shapes = {symbol: r.shape_text for symbol, r in records.items()}
    assert shapes["Z[1]"] == "7×209" and shapes["A[2]"] == "5×209" and shapes["J"] == "1×1"
    assert shapes["dA[3]"] == "1×209" and shapes["dA[2]"] == "5×209" and shapes["dA[1]"] == "7×209"
    assert shapes["dW[1]"] == "7×12288" and shapes["dW[2]"] == "5×7" and shapes["dW[3]"] == "1×5"
    assert shapes["db[2]"] == "5×1" and shapes["W[1]"] == "7×12288"
    assert records["Z[1]"].operand_shapes == ((7, 12288), (12288, 209), (7, 1))
    assert records["Z[1]"].shape_algebra(named=False) == "(7×12288)(12288×209) + (7×1) → 7×209"
    assert records["dW[2]"].shape_algebra() == "dZ[2] (5×209) · A[1]ᵀ (209×7) → 5×7"
    assert records["dW[2]"].equation == "dW[2] = dZ[2]·A[1]ᵀ"
    assert records["dA[2]"].equation == "dA[2] = W[3]ᵀ·dZ[3]"
    assert records["dA[2]"].shape_algebra() == "W[3]ᵀ (5×1) · dZ[3] (1×209) → 5×209"
    assert records["dZ[2]"].equation == "dZ[2] = dA[2] * relu'(Z[2])"
    assert all(r.iteration == 0 and not r.has_nonfinite for r in records.values())
    assert (stepper.iteration, stepper.position) == (1, 0)


def test_stepping_one_by_one_is_bit_identical_to_whole_iterations(notes_data):
    fast = _notes_stepper(notes_data)
    slow = _notes_stepper(notes_data)
    for _ in range(3):
        fast.run_iteration()
    for _ in range(3 * len(slow.plan)):
        slow.step()
    assert fast.iteration == slow.iteration == 3
    assert fast.values.keys() == slow.values.keys()
    for key in fast.values:
        assert np.array_equal(fast.values[key], slow.values[key]), key
        assert fast.values[key].tobytes() == slow.values[key].tobytes(), key


def test_passes_stop_where_the_names_say(notes_data):
    stepper = _notes_stepper(notes_data)
    assert stepper.run_forward().symbol == "J"
    assert stepper.next_op.symbol == "dA[3]"
    assert stepper.run_backward().symbol == "db[1]"
    assert stepper.next_op.symbol == "W[1]"
    assert stepper.run_iteration().symbol == "b[3]"
    assert (stepper.iteration, stepper.position) == (1, 0)
    # from the middle of the backward pass, "forward pass" runs on into the next iteration
    stepper.run_to(10)
    stepper.run_forward()
    assert (stepper.iteration, stepper.next_op.symbol) == (2, "dA[3]")


def test_step_back_restores_every_array_bit_for_bit(notes_data):
    stepper = _notes_stepper(notes_data, history_bytes=64 * 2**20)
    stepper.run_to(15)  # inside the backward pass of iteration 0
    before = {k: v.copy() for k, v in stepper.values.items()}
    position = stepper.position
    for _ in range(30):  # across the end of the iteration into iteration 1
        stepper.step()
    assert stepper.iteration == 1
    for _ in range(30):
        stepper.step_back()
    assert (stepper.iteration, stepper.position) == (0, position)
    assert stepper.values.keys() == before.keys()
    for key, value in before.items():
        assert stepper.values[key].tobytes() == value.tobytes(), key
    # and forward again gives the same arrays as the first time
    again = _notes_stepper(notes_data)
    again.run_to(15)
    for _ in range(30):
        again.step()
        stepper.step()
    for key in again.values:
        assert np.array_equal(again.values[key], stepper.values[key]), key


def test_history_budget_drops_the_oldest_steps(notes_data):
    stepper = _notes_stepper(notes_data, history_bytes=2 * 7 * 12288 * 8)
    stepper.run_iteration()
    stepper.run_iteration()
    assert stepper.history_dropped > 0
    kept = stepper.history_length
    for _ in range(kept):
        stepper.step_back()
    assert not stepper.can_step_back
    with pytest.raises(Exception, match="no earlier operation"):
        stepper.step_back()


def test_cost_falls_on_a_separable_set():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 200))
    Y = (X[0:1] + 0.5 * X[1:2] > 0).astype(float)
    spec = NetworkSpec.build(2, [8, 8], 1, "tanh", "sigmoid")
    stepper = Stepper(spec, initialize(spec, "xavier", seed=0), X, Y, learning_rate=0.5)
    costs = []
    stepper.train(300, lambda s: costs.append(s.cost))
    assert costs[-1] < 0.5 * costs[0]
    assert all(b <= a + 1e-12 for a, b in zip(costs[:50], costs[1:51]))


def test_nonfinite_results_are_flagged():
    spec = NetworkSpec.build(2, [3], 1, "relu", "linear")
    X = np.array([[1.0, np.nan], [0.0, 1.0]])
    stepper = Stepper(spec, initialize(spec, "he", seed=0), X, np.zeros((1, 2)))
    record = stepper.step()
    assert record.symbol == "Z[1]" and record.has_nonfinite and record.nonfinite == 3


def test_bad_shapes_are_refused_with_a_message():
    spec = NetworkSpec.build(3, [2], 1)
    params = initialize(spec)
    with pytest.raises(ValueError, match="X has 4 rows but the network's input layer has 3"):
        Stepper(spec, params, np.zeros((4, 5)), np.zeros((1, 5)))
    with pytest.raises(ValueError, match="X has 5 examples"):
        Stepper(spec, params, np.zeros((3, 5)), np.zeros((1, 6)))
    with pytest.raises(ValueError, match="at least one unit"):
        NetworkSpec.build(3, [0], 1)
    with pytest.raises(ValueError, match="softmax output needs at least 2"):
        NetworkSpec.build(3, [2], 1, output="softmax")


def test_static_shapes_match_the_computed_ones(notes_data):
    from nnviz.engine import operation_line, plan_shapes

    stepper = _notes_stepper(notes_data)
    shapes = plan_shapes(stepper.spec, 209)
    for _ in range(len(stepper.plan)):
        record = stepper.step()
        assert shapes[record.key] == record.shape, record.symbol
        assert operation_line(record.op, shapes)[1] == record.shape_algebra(named=False)
    assert operation_line(stepper.plan[0], shapes) == ("Z[1] = W[1]·A[0] + b[1]", "(7×12288)(12288×209) + (7×1) → 7×209")
