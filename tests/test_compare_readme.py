"""The README's trace examples run as written: a course notebook's functions and a PyTorch MLP with hooks."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pytest

from nnviz.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def _block(word: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return next(block for block in blocks if word in block)


# the course notebook's functions (its "Building your Deep Neural Network" assignment), written here
def L_model_forward(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = W @ A + b
        caches.append(((A, W, b), Z))
        A = 1 / (1 + np.exp(-Z)) if l == L else np.maximum(0, Z)
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    return np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)


def L_model_backward(AL, Y, caches):
    grads, L, m = {}, len(caches), Y.shape[1]
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        if l == L:
            s = 1 / (1 + np.exp(-Z))
            dZ = dA * s * (1 - s)
        else:
            dZ = np.array(dA, copy=True)
            dZ[Z <= 0] = 0
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        grads[f"dA{l - 1}"] = dA = W.T @ dZ
    return grads


def update_parameters(parameters, grads, learning_rate):
    for l in range(1, len(parameters) // 2 + 1):
        parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return parameters


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 25))
    Y = (X[:1] * X[1:2] > 0).astype(float)
    return X, Y


def test_the_course_notebook_example_runs_and_matches(data, tmp_path, monkeypatch):
    X, Y = data
    rng = np.random.default_rng(4)
    parameters = {}
    for l, (n, n_prev) in enumerate([(7, 6), (5, 7), (1, 5)], start=1):
        parameters[f"W{l}"] = rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)
        parameters[f"b{l}"] = np.zeros((n, 1))
    monkeypatch.chdir(tmp_path)
    namespace = {"np": np, "copy": copy, "X": X, "Y": Y, "parameters": parameters, "L_model_forward": L_model_forward,
                 "compute_cost": compute_cost, "L_model_backward": L_model_backward,
                 "update_parameters": update_parameters}
    exec(compile(_block("L_model_forward"), "README.md", "exec"), namespace)
    report = namespace["report"]
    assert report.all_match and report.first_difference is None and report.convention == "course"
    assert str(report).splitlines()[-1] == "all 21 arrays match"  # the course keeps no dA[3], dZ[3], dZ[2], dZ[1]
    assert main(["compare", str(tmp_path / "trace.npz")]) == 0


def test_the_pytorch_example_runs_and_matches(data, tmp_path, monkeypatch, capsys):
    pytest.importorskip("torch")
    X, Y = data
    monkeypatch.chdir(tmp_path)
    namespace = {"X": X, "Y": Y}
    exec(compile(_block("import torch"), "README.md", "exec"), namespace)
    assert main(["compare", "torch-trace.npz"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "convention: nnviz's (1/m in dA[L], so in every dA and dZ)"
    assert out[-1] == "all 25 arrays match"


def test_the_pytorch_example_in_float32_matches_within_its_tolerance(data, tmp_path, monkeypatch, capsys):
    pytest.importorskip("torch")
    X, Y = data
    code = _block("import torch").replace(".double()", "")
    code = code.replace("torch.tensor(X.T, ", "torch.tensor(X.T, dtype=torch.float32, ")
    code = code.replace("torch.tensor(Y.T)", "torch.tensor(Y.T, dtype=torch.float32)")
    assert code.count("float32") == 2 and ".double()" not in code
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"X": X, "Y": Y})
    assert main(["compare", "torch-trace.npz"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "close: within 0.0001·(|ours| + max|ours|)" and out[-1] == "all 25 arrays match"


def test_the_readme_output_is_what_nnviz_compare_prints(course_data, tmp_path, capsys):
    """The README's sample: the course's network and data, L_model_backward without g'(Z[2]) in layer 2."""
    from nnviz.data import load_dataset

    d = load_dataset(str(course_data / "train_catvnoncat.h5"))
    np.random.seed(1)
    parameters = {}
    for l, (n, n_prev) in enumerate([(7, 12288), (5, 7), (1, 5)], start=1):
        parameters[f"W{l}"] = np.random.randn(n, n_prev) / np.sqrt(n_prev)
        parameters[f"b{l}"] = np.zeros((n, 1))
    AL, caches = L_model_forward(d.X, parameters)
    original_relu_gate = caches[1][1]
    caches_without_gate = [caches[0], (caches[1][0], np.full_like(original_relu_gate, 1.0)), caches[2]]
    grads = L_model_backward(AL, d.Y, caches_without_gate)  # Z[2] > 0 everywhere: dZ[2] = dA[2]
    grads_right = L_model_backward(AL, d.Y, caches)
    grads = {**grads_right, **{k: grads[k] for k in ("dW2", "db2", "dA1", "dW1", "db1", "dA0")}}
    path = tmp_path / "trace.npz"
    np.savez(path, X=d.X, Y=d.Y, AL=AL, cost=compute_cost(AL, d.Y), **parameters, **grads)
    assert main(["compare", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    readme = README.read_text(encoding="utf-8")
    sample = readme[readme.index("$ nnviz compare trace.npz"):]
    sample = sample[:sample.index("```")].splitlines()[1:]
    assert [line for line in sample if line.strip() != "…"] == [line for line in out if line in sample]
    assert out[-1] == sample[-1]
