"""The new operations' gradients and updates against independent references:
central differences always, PyTorch's autograd and torch.optim where PyTorch is installed."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine import NetworkSpec, Stepper, Training, gradient_check, initialize

SPEC = NetworkSpec.build(4, [6, 5], 1, ("tanh", "relu"), "sigmoid", keep_prob=(0.7, 1.0), batch_norm=(False, True))
TRAINING = Training(batch_size=16, l2=0.3)


def _data(m=40, seed=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((4, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y


def _params(spec=SPEC, seed=1):
    params = initialize(spec, "xavier", seed=seed)
    rng = np.random.default_rng(seed + 10)
    for key in params:  # away from relu's kink and from γ = 1, β = 0
        if not key.startswith("W"):
            params[key] = params[key] + rng.uniform(0.1, 0.3, params[key].shape)
    return params


def test_central_differences_agree_with_dropout_batch_norm_l2_on_a_mini_batch():
    X, Y = _data()
    rows = gradient_check(SPEC, _params(), X, Y, training=TRAINING)
    assert [r.key for r in rows] == ["W1", "b1", "W2", "gamma2", "beta2", "W3", "b3"]
    for row in rows:
        assert row.checked == row.total and row.relative_difference < 1e-7, (row.key, row.relative_difference)


def test_the_check_fails_when_a_new_backward_operation_is_wrong(monkeypatch):
    from nnviz.engine import backward

    original = backward._batch_norm_backward

    def broken(spec, l):
        ops = original(spec, l)
        from dataclasses import replace
        return [replace(op, compute=lambda v, c: v[f"dZhat{l}"]) if op.key == f"dZ{l}" else op for op in ops]

    monkeypatch.setattr(backward, "_batch_norm_backward", broken)
    X, Y = _data()
    rows = {r.key: r for r in gradient_check(SPEC, _params(), X, Y, training=TRAINING)}
    assert rows["W2"].verdict == "wrong" and rows["W3"].verdict == "ok"


def test_every_new_gradient_equals_torch_autograd():
    torch = pytest.importorskip("torch")
    X, Y = _data()
    params = _params()
    stepper = Stepper(SPEC, params, X, Y, training=TRAINING)
    stepper.run_to(stepper.backward_end)
    v = stepper.values
    t = {k: torch.tensor(params[k], dtype=torch.float64, requires_grad=True) for k in SPEC.parameter_names}
    A0, Yb = torch.tensor(v["A0"]), torch.tensor(v["Y"])
    m = A0.shape[1]
    Z1 = t["W1"] @ A0 + t["b1"]
    A1 = torch.tanh(Z1)
    Ad1 = A1 * torch.tensor(v["D1"]) / 0.7
    Z2 = t["W2"] @ Ad1
    mu = Z2.mean(dim=1, keepdim=True)
    var = ((Z2 - mu) ** 2).mean(dim=1, keepdim=True)
    Zhat2 = (Z2 - mu) / torch.sqrt(var + 1e-5)
    Zt2 = t["gamma2"] * Zhat2 + t["beta2"]
    # the same normalisation as torch's own batch norm in training mode
    reference = torch.nn.functional.batch_norm(Z2.T, None, None, t["gamma2"][:, 0], t["beta2"][:, 0], training=True)
    assert torch.allclose(reference.T, Zt2, rtol=1e-12, atol=1e-12)
    A2 = torch.relu(Zt2)
    Z3 = t["W3"] @ A2 + t["b3"]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(Z3, Yb, reduction="mean")
    J = loss + 0.3 / (2 * m) * sum((t[f"W{l}"] ** 2).sum() for l in (1, 2, 3))
    inner = {"dA1": A1, "dAd1": Ad1, "dZ1": Z1, "dZ2": Z2, "dZhat2": Zhat2, "dZt2": Zt2, "dA2": A2, "dZ3": Z3}
    for x in inner.values():
        x.retain_grad()
    J.backward()
    assert abs(float(J.detach()) - stepper.cost) < 1e-12
    for key, x in inner.items():
        assert np.allclose(v[key], x.grad.numpy(), rtol=1e-9, atol=1e-13), key
    for key, p in t.items():
        assert np.allclose(v["d" + key], p.grad.numpy(), rtol=1e-9, atol=1e-13), key


@pytest.mark.parametrize("name", ["momentum", "rmsprop", "adam"])
def test_updates_equal_torch_optim_step_for_step(name):
    torch = pytest.importorskip("torch")
    spec = NetworkSpec.build(4, [6, 5], 1, "tanh")
    X, Y = _data(m=50)
    training = Training(optimizer=name, learning_rate=0.05, beta=0.8, beta1=0.85, beta2=0.95, epsilon=1e-7,
                        batch_size=16)
    stepper = Stepper(spec, _params(spec), X, Y, training=training)
    tensors = [torch.tensor(stepper.values[k], dtype=torch.float64) for k in spec.parameter_names]
    if name == "momentum":  # the course's v = βv + (1 − β)dW is SGD's momentum with dampening β, from v = 0
        optim = torch.optim.SGD(tensors, lr=0.05, momentum=0.8, dampening=0.8)
        for p in tensors:
            optim.state[p]["momentum_buffer"] = torch.zeros_like(p)
    elif name == "rmsprop":
        optim = torch.optim.RMSprop(tensors, lr=0.05, alpha=0.95, eps=1e-7)
    else:
        optim = torch.optim.Adam(tensors, lr=0.05, betas=(0.85, 0.95), eps=1e-7)
    for step in range(12):  # across epochs: 4 batches an epoch, the last of 2 columns
        stepper.run_to(stepper.backward_end)
        for key, p in zip(spec.parameter_names, tensors):
            p.grad = torch.tensor(stepper.values["d" + key])
        optim.step()
        stepper.run_iteration()
        for key, p in zip(spec.parameter_names, tensors):
            assert np.allclose(stepper.values[key], p.numpy(), rtol=1e-11, atol=1e-14), (step, key)
            p.data = torch.tensor(stepper.values[key])  # the next gradients are nnviz's: keep both on one path
