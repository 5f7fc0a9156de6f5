"""The command line: nnviz train / info, exactly as a user types them."""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from nnviz.cli import main


@pytest.fixture
def toy_npz(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 50))
    path = tmp_path / "toy.npz"
    np.savez(path, X=X, Y=(X[:1] + X[1:2] > 0).astype(float))
    return path


def test_train_prints_the_cost_at_full_precision_and_the_accuracy(toy_npz, capsys):
    assert main(["train", str(toy_npz), "--hidden", "4", "--iterations", "25", "--print-every", "10",
                 "--lr", "0.5", "--seed", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    costs = [line for line in out if line.startswith("Cost after iteration")]
    assert [c.split(":")[0] for c in costs] == [f"Cost after iteration {i}" for i in (0, 10, 20, 24)]
    from nnviz.engine import NetworkSpec, Stepper, initialize

    spec = NetworkSpec.build(3, [4], 1)
    data = np.load(toy_npz)
    stepper = Stepper(spec, initialize(spec, "he", seed=3), data["X"], data["Y"], 0.5)
    seen = []
    stepper.train(25, lambda s: seen.append(s.cost))
    assert costs[0] == f"Cost after iteration 0: {seen[0]!r}" and costs[-1] == f"Cost after iteration 24: {seen[24]!r}"
    assert re.fullmatch(r"Train accuracy: 0\.\d+|Train accuracy: 1\.0", out[-1])


def test_logistic_regression_and_output_from_the_labels(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 60))
    path = tmp_path / "three.npz"
    np.savez(path, X=X, Y=np.eye(3)[:, rng.integers(0, 3, 60)])
    assert main(["train", str(path), "--hidden", "", "--iterations", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Network 2-3 (softmax)") and "Train accuracy" in out


def test_trace_saves_every_array_of_every_iteration(toy_npz, tmp_path):
    trace = tmp_path / "trace.npz"
    assert main(["train", str(toy_npz), "--hidden", "4,3", "--iterations", "2", "--trace", str(trace)]) == 0
    with np.load(trace, allow_pickle=False) as t:
        keys = set(t.files)
        assert {"0/Z1", "0/A3", "0/J", "0/dA3", "0/dW2", "0/db1", "1/W3", "1/b1"} <= keys
        assert "0/dA0" not in keys and len(keys) == 2 * 25 + 6  # 25 operations per iteration, the initial W, b
        assert t["0/dW2"].shape == (3, 4) and t["1/Z1"].shape == (4, 50)


def test_info_prints_the_shapes(capsys):
    assert main(["info", "demo:images"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == ["X: (12288, 209)", "Y: (1, 209)", "X_test: (12288, 50)", "Y_test: (1, 50)"]


@pytest.mark.parametrize("args,message", [
    (["train", "missing.csv"], "missing.csv"),
    (["train", "demo:images", "--activation", "swish"], "swish"),
    (["train", "demo:xor", "--output", "softmax", "--iterations", "1"], "softmax"),
    (["train", "demo:xor", "--hidden", "4,4", "--activation", "relu,tanh,relu"], "3 activations for 2 hidden"),
])
def test_mistakes_exit_with_status_2_and_one_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err and err.count("\n") == 1


def test_python_dash_m_nnviz_and_bad_numbers_in_a_subprocess(toy_npz):
    ok = subprocess.run([sys.executable, "-m", "nnviz", "train", str(toy_npz), "--iterations", "2"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "Cost after iteration 1:" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "nnviz", "train", str(toy_npz), "--lr", "-1"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "positive number" in bad.stderr and "Traceback" not in bad.stderr


def test_course_two_layer_model_from_the_cli(course_data, capsys):
    D = course_data
    assert main(["train", str(D / "train_catvnoncat.h5"), "--test", str(D / "test_catvnoncat.h5"), "--hidden", "7",
                 "--init", "small", "--rng", "legacy", "--seed", "1", "--iterations", "101"]) == 0
    out = capsys.readouterr().out
    assert "Cost after iteration 0: 0.69304973565998" in out
    assert "Cost after iteration 100: 0.6464320953428849" in out
    assert "Test accuracy:" in out


def test_icon_ships_with_the_package():
    from nnviz.resources import resource_path

    assert resource_path("icons/nnviz.svg").read_text().lstrip().startswith("<svg")
