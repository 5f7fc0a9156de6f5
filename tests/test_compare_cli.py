"""nnviz compare TRACE [DATA]: the table, its last line and the exit status, on real files."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.cli import main


@pytest.fixture
def toy_npz(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 40))
    path = tmp_path / "toy.npz"
    np.savez(path, X=X, Y=(X[:1] + X[1:2] > 0).astype(float))
    return path


def _trace(tmp_path, toy_npz, *options):
    trace = tmp_path / "trace.npz"
    assert main(["train", str(toy_npz), "--hidden", "4,3", "--iterations", "4", "--print-every", "0",
                 "--lr", "0.1", "--trace", str(trace), *options]) == 0
    return trace


def test_nnviz_own_trace_compares_with_itself_exactly(tmp_path, toy_npz, capsys):
    trace = _trace(tmp_path, toy_npz)
    capsys.readouterr()
    assert main(["compare", str(trace), str(toy_npz), "--lr", "0.1"]) == 0
    out = capsys.readouterr().out.splitlines()
    # iteration 0 starts from the initial W1, b1, … the trace holds; iterations 1-3 from their predecessors'
    assert "iterations 1–3: all 75 arrays match" in out
    rows = [line for line in out if line.startswith("  ") and not line.startswith("  array")]
    assert len(rows) == 25 and all(line.endswith("exact") for line in rows)
    assert not any(line.startswith("note:") for line in out)
    assert out[-1] == "all 100 arrays match"


def test_without_the_initial_parameters_iteration_0_is_left_out(tmp_path, toy_npz, capsys):
    trace = _trace(tmp_path, toy_npz)
    with np.load(trace) as t:
        kept = {k: t[k] for k in t.files if "/" in k}
    np.savez(trace, **kept)
    capsys.readouterr()
    assert main(["compare", str(trace), str(toy_npz), "--lr", "0.1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "note: iteration 0 is not compared: the parameters it starts from are not in the trace" in out
    assert out[-1] == "all 75 arrays match"


def test_a_different_learning_rate_is_found_in_the_update(tmp_path, toy_npz, capsys):
    trace = _trace(tmp_path, toy_npz)
    capsys.readouterr()
    assert main(["compare", str(trace), str(toy_npz)]) == 1  # the default α = 0.0075, the trace used 0.1
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("first difference: W[1] (looks like: the update's α: W[1] − 0.1·dW[1]")
    assert "--lr 0.1" in out[-1]


def test_a_flat_trace_with_a_wrong_dW1_exits_1_and_names_it(tmp_path, toy_npz, capsys):
    from nnviz.engine import NetworkSpec, Stepper, initialize

    data = np.load(toy_npz)
    spec = NetworkSpec.build(3, [4], 1)
    params = initialize(spec, "he", seed=2)
    stepper = Stepper(spec, params, data["X"], data["Y"])
    stepper.run_backward()
    values = {k: v for k, v in stepper.values.items() if k not in ("W1", "b1", "W2", "b2", "A0", "Y")}
    values["dW1"] = values["dW1"] * 40  # the 1/m forgotten: m = 40
    path = tmp_path / "mine.npz"
    np.savez(path, **params, **values)
    assert main(["compare", str(path), str(toy_npz)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "first difference: dW[1] (looks like: dW[1] is m = 40 times too large: a 1/m is missing)"
    assert any(line.split()[:1] == ["dW[1]"] and line.rstrip().endswith("different   ← first difference")
               for line in (l.strip() for l in out))


@pytest.mark.parametrize("make, message", [
    (lambda p, X, Y: np.savez(p, X=X, Y=Y, W1=np.array([object()], dtype=object)), "pickled"),
    (lambda p, X, Y: np.savez(p, X=X, Y=Y, W1=np.zeros((4, 3)), b1=np.zeros(4), W2=np.zeros((1, 4)),
                              b2=np.zeros((1, 1)), Z1=np.zeros((4, 40))), r"b1 has shape \(4,\)"),
    (lambda p, X, Y: np.savez(p, X=X, Y=Y, dW1=np.zeros((4, 3))), "holds no weights"),
    (lambda p, X, Y: np.savez(p, W1=np.zeros((4, 3)), b1=np.zeros((4, 1)), Z1=np.zeros((4, 40))), "holds no X and Y"),
    (lambda p, X, Y: np.savez(p, X=X, Y=Y, W1=np.zeros((4, 3)), b1=np.zeros((4, 1)), W2=np.zeros((1, 4)),
                              b2=np.zeros((1, 1))), "no results to compare"),
    (lambda p, X, Y: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable .npz"),
])
def test_bad_traces_get_one_line_and_exit_2(tmp_path, toy_npz, capsys, make, message):
    data = np.load(toy_npz)
    path = tmp_path / "bad.npz"
    make(path, data["X"], data["Y"])
    assert main(["compare", str(path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and captured.out == ""
    import re
    assert re.search(message, lines[0]), lines[0]


def test_hidden_sizes_that_contradict_the_trace_are_refused(tmp_path, toy_npz, capsys):
    trace = _trace(tmp_path, toy_npz)
    capsys.readouterr()
    assert main(["compare", str(trace), str(toy_npz), "--hidden", "5"]) == 2
    assert "the trace's weights make the network 3-4-3-1" in capsys.readouterr().err
