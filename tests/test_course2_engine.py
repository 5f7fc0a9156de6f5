"""Course 2 in the stepper: mini-batches, optimisers, decay, L2, dropout, batch norm, stepped and stepped back."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine import NetworkSpec, Stepper, Training, build_plan, initialize, plan_shapes
from nnviz.engine.operation import Kind, Phase


def _data(n_x=3, m=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (X[:1] + 0.3 * rng.standard_normal((1, m)) > 0).astype(float)
    return X, Y


def _everything(**kw):
    """Adam, mini-batches, decay, L2, dropout on layer 1 and batch norm on layer 2."""
    spec = NetworkSpec.build(3, [6, 4], 1, "relu", "sigmoid", keep_prob=(0.8, 1.0), batch_norm=(False, True))
    X, Y = _data()
    options = dict(optimizer="adam", learning_rate=0.01, batch_size=64, lr_decay=0.5, l2=0.1, history_bytes=1 << 26)
    options.update(kw)
    return Stepper(spec, initialize(spec, "he", seed=2), X, Y, **options)


def test_the_legacy_permutation_is_the_courses_and_the_last_batch_is_smaller():
    X, Y = _data()
    spec = NetworkSpec.build(3, [5, 2], 1)
    stepper = Stepper(spec, initialize(spec), X, Y, batch_size=64, rng="legacy")
    np.random.seed(10 + 0 + 1)
    permutation = np.random.permutation(300)
    sizes = []
    for t in range(5):
        assert stepper.position_text() == f"epoch 0 · batch {t + 1}/5 · X{{t}}"
        record = stepper.step()
        assert record.symbol == "X{t}" and record.phase == "batch"
        assert np.array_equal(record.value, X[:, permutation[64 * t:64 * (t + 1)]])
        sizes.append(record.shape[1])
        record = stepper.step()
        assert np.array_equal(record.value, Y[:, permutation[64 * t:64 * (t + 1)]])
        stepper.run_iteration()
    assert sizes == [64, 64, 64, 64, 44]  # 300 = 4·64 + 44
    assert stepper.position_text() == "epoch 1 · batch 1/5 · X{t}"
    np.random.seed(10 + 1 + 1)
    assert np.array_equal(stepper.step().value, X[:, np.random.permutation(300)[:64]])


def test_shapes_carry_the_batch_size_and_new_operations_have_their_symbols():
    stepper = _everything()
    records = {}
    for _ in range(len(stepper.plan)):
        record = stepper.step()
        records[record.symbol] = record
    assert records["A[1]"].shape_text == "6×64" and records["D[1]"].shape_text == "6×64"
    assert records["Ã[1]"].equation == "Ã[1] = A[1] * D[1] / 0.8"
    assert records["Z[2]"].equation == "Z[2] = W[2]·Ã[1]"  # batch norm: no b[2]
    assert records["Z̃[2]"].equation == "Z̃[2] = γ[2] * Ẑ[2] + β[2]"
    assert records["μ[2]"].shape_text == "4×1" and records["dγ[2]"].shape_text == "4×1"
    assert records["J_L2"].equation.startswith("J_L2 = (λ/2m)(‖W[1]‖² + ‖W[2]‖² + ‖W[3]‖²)")
    assert records["dW[2]"].equation == "dW[2] = dZ[2]·Ã[1]ᵀ + (λ/m)·W[2]"
    assert records["dA[1]"].equation == "dA[1] = dÃ[1] * D[1] / 0.8"
    assert records["v_dW[2]"].shape_text == "4×6" and records["s^corr_dW[2]"].equation == "s^corr_dW[2] = s_dW[2] / (1 − β₂ᵗ)"
    assert records["W[2]"].equation == "W[2] = W[2] − α·v^corr_dW[2] / (√s^corr_dW[2] + ε)"
    assert records["α"].equation == "α = α₀ / (1 + 0.5·epoch)"
    assert records["t"].value[0, 0] == 1.0
    phases = {r.phase for r in records.values()}
    assert phases == {"batch", "forward", "cost", "backward", "optimizer", "update"}
    shapes = plan_shapes(stepper.spec, 64, stepper.training)
    for record in records.values():
        assert shapes[record.key] == record.shape, record.key


def test_op_by_op_equals_whole_iterations_and_step_back_is_bit_exact():
    fast, slow = _everything(history_bytes=0), _everything()
    for _ in range(7):  # across an epoch boundary (5 batches an epoch)
        fast.run_iteration()
    for _ in range(7 * len(slow.plan)):
        slow.step()
    assert fast.values.keys() == slow.values.keys()
    for key in fast.values:
        assert fast.values[key].tobytes() == slow.values[key].tobytes(), key
    before = {k: v.copy() for k, v in slow.values.items()}
    n = 2 * len(slow.plan) + 5
    for _ in range(n):
        slow.step()
    for _ in range(n):
        slow.step_back()
    assert slow.iteration == 7 and slow.position == 0
    assert slow.values.keys() == before.keys()
    for key in before:
        assert slow.values[key].tobytes() == before[key].tobytes(), key
    for _ in range(len(slow.plan)):  # and forward again gives the same numbers, masks included
        slow.step()
    fast.run_iteration()
    for key in fast.values:
        assert fast.values[key].tobytes() == slow.values[key].tobytes(), key


def test_t_counts_updates_and_decay_follows_the_epoch():
    stepper = _everything(decay_interval=2)
    for _ in range(10):
        stepper.run_iteration()
    assert stepper.values["t"][0, 0] == 10.0 and stepper.epoch == 2
    assert stepper.values["alpha"][0, 0] == 0.01  # epoch 1 (iterations 5..9) still α₀ with an interval of 2
    stepper.run_iteration()
    assert stepper.values["alpha"][0, 0] == 1 / (1 + 0.5 * 1) * 0.01  # epoch 2: ⌊2/2⌋ = 1
    assert Training(learning_rate=0.1, lr_decay=1.0).alpha(1000) == 0.1 / 1001
    assert Training(learning_rate=0.5, lr_decay=0.3, decay_interval=100).alpha(100) == 0.3846153846153846


def test_momentum_and_rmsprop_are_the_formulas_with_state_per_parameter():
    X, Y = _data(m=50)
    spec = NetworkSpec.build(3, [4], 1, "tanh")
    for name, state in (("momentum", ("vdW1", "vdb1", "vdW2", "vdb2")), ("rmsprop", ("sdW1", "sdb1", "sdW2", "sdb2"))):
        stepper = Stepper(spec, initialize(spec, seed=1), X, Y, optimizer=name, learning_rate=0.1, beta=0.8, beta2=0.9)
        assert all(np.array_equal(stepper.values[k], np.zeros_like(stepper.values[k[2:]])) for k in state)
        for _ in range(3):
            W, v = stepper.values["W1"], stepper.values[state[0]]
            stepper.run_to(stepper.backward_end)
            dW = stepper.values["dW1"]
            stepper.run_iteration()
            if name == "momentum":
                v_new = 0.8 * v + (1 - 0.8) * dW
                assert np.array_equal(stepper.values["W1"], W - 0.1 * v_new)
            else:
                v_new = 0.9 * v + (1 - 0.9) * dW ** 2
                assert np.array_equal(stepper.values["W1"], W - 0.1 * dW / (np.sqrt(v_new) + 1e-8))
            assert np.array_equal(stepper.values[state[0]], v_new)


def test_dropout_masks_follow_the_course_draw_order_with_legacy():
    X, Y = _data(n_x=2, m=40)
    spec = NetworkSpec.build(2, [5, 3], 1, keep_prob=0.86)
    stepper = Stepper(spec, initialize(spec), X, Y, rng="legacy")
    stepper.run_forward()
    np.random.seed(1)  # forward_propagation_with_dropout re-seeds at every pass
    D1 = np.random.rand(5, 40) < 0.86
    D2 = np.random.rand(3, 40) < 0.86
    assert np.array_equal(stepper.values["D1"], D1) and np.array_equal(stepper.values["D2"], D2)
    assert np.array_equal(stepper.values["Ad1"], stepper.values["A1"] * D1 / 0.86)
    stepper.run_iteration()
    stepper.run_forward()
    assert np.array_equal(stepper.values["D1"], D1)  # the quirk: the same masks at every iteration
    fresh = Stepper(spec, initialize(spec), X, Y)
    fresh.run_forward()
    first = fresh.values["D1"]
    fresh.run_iteration()
    fresh.run_forward()
    assert not np.array_equal(first, fresh.values["D1"])  # nnviz's default draws new masks each iteration
    assert 0.7 < first.mean() < 0.99


def test_prediction_has_no_dropout_and_batch_norm_uses_running_averages():
    from nnviz.engine import forward_plan, predict

    stepper = _everything()
    for _ in range(3):
        stepper.run_iteration()
    assert not any(op.kind in (Kind.MASK, Kind.DROPOUT) for op in forward_plan(stepper.spec))
    mu = np.zeros((4, 1))
    A = predict(stepper.spec, stepper.values, stepper.X[:, :7])
    v = stepper.values
    Z1 = v["W1"] @ stepper.X[:, :7] + v["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = v["W2"] @ A1
    Zt2 = v["gamma2"] * ((Z2 - v["murun2"]) / np.sqrt(v["varrun2"] + 1e-5)) + v["beta2"]
    Z3 = v["W3"] @ np.maximum(Zt2, 0) + v["b3"]
    assert np.allclose(A, 1 / (1 + np.exp(-Z3)), rtol=1e-13, atol=0)
    assert not np.array_equal(v["murun2"], mu)


def test_full_batch_plan_is_unchanged_and_init_scale():
    spec = NetworkSpec.build(2, [10, 5], 1)
    plan = build_plan(spec, Training(), m=300)
    assert [op.phase for op in plan].count(Phase.BATCH) == 0 and plan[0].symbol == "Z[1]"
    assert build_plan(spec, Training(batch_size=300), m=300) == plan  # a batch of all m is full batch
    np.random.seed(3)
    W1 = np.random.randn(10, 2) * 10
    assert np.array_equal(initialize(spec, "normal", rng="legacy", seed=3, scale=10)["W1"], W1)
    with pytest.raises(ValueError, match="optimiser"):
        Training(optimizer="sgd")
    with pytest.raises(ValueError, match="keep_prob"):
        NetworkSpec.build(2, [3], 1, keep_prob=0.0)


def test_the_diagram_highlighting_is_derived_from_reads_and_writes():
    stepper = _everything()
    ops = {op.symbol: op for op in stepper.plan}
    assert ops["Z[1]"].highlight() == ({1}, {1}, {1})
    assert ops["dA[1]"].highlight() == ({1}, set(), set())
    assert ops["dÃ[1]"].highlight() == ({1}, {2}, set())  # dÃ[1] = W[2]ᵀ·dZ[2]
    assert ops["v_dW[2]"].highlight() == (set(), {2}, set())
    assert ops["γ[2]"].highlight() == ({2}, set(), {2})
    assert ops["X{t}"].highlight() == ({0}, set(), set())


def test_diagnostics_measure_the_optimisers_real_step():
    from nnviz.engine.diagnostics import diagnose

    stepper = _everything(history_bytes=0)
    stepper.run_iteration()
    v = stepper.values
    row = diagnose(stepper.spec, v, 0.01)[0]
    step = v["vhatdW1"] / (np.sqrt(v["shatdW1"]) + 1e-8)
    alpha = float(v["alpha"][0, 0])
    assert row.update_ratio == pytest.approx(alpha * np.linalg.norm(step) / np.linalg.norm(v["W1"]), rel=1e-12)


def test_the_exported_script_predicts_with_batch_norm_like_nnviz(tmp_path):
    import importlib.util

    from nnviz.engine import predict
    from nnviz.engine.export import network_script, prediction_arrays

    stepper = _everything(history_bytes=0)
    for _ in range(4):
        stepper.run_iteration()
    script = tmp_path / "bn_network.py"
    script.write_text(network_script(stepper.spec, prediction_arrays(stepper.spec, stepper.values), "test", script.name))
    spec = importlib.util.spec_from_file_location("bn_network", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    X = stepper.X[:, :20]
    assert np.array_equal(module.predict(X), predict(stepper.spec, stepper.values, X))
