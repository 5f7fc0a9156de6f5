"""nnviz train with optimisers, mini-batches and regularisation, as a user types it."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.cli import main
from nnviz.engine import NetworkSpec, Stepper, initialize


@pytest.fixture
def toy_npz(tmp_path):
    """50 points of the xor demo as an .npz file: (path, X, Y)."""
    from nnviz.data import load_dataset

    data = load_dataset("demo:xor?m=50&seed=0")
    X = np.vstack([data.X, data.X[:1] * data.X[1:]])  # a third feature, x1·x2
    np.savez(tmp_path / "toy.npz", X=X, Y=data.Y)
    return tmp_path / "toy.npz", X, data.Y


def test_epoch_costs_are_the_courses_mean_over_the_batches_before_each_update(toy_npz, capsys):
    path, X, Y = toy_npz
    assert main(["train", str(path), "--hidden", "4", "--optimizer", "momentum", "--batch-size", "16",
                 "--epochs", "5", "--print-every", "2", "--l2", "0.5", "--lr", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "momentum, mini-batches of 16 (4 an epoch), L2 λ = 0.5" in out
    lines = [line for line in out.splitlines() if line.startswith("Cost after")]
    assert [line.split(":")[0] for line in lines] == [f"Cost after epoch {e}" for e in (0, 2, 4)]
    # independently: each batch's cross-entropy before its update, weighted by its columns, over m
    spec = NetworkSpec.build(3, [4], 1)
    stepper = Stepper(spec, initialize(spec, "he", seed=1), X, Y, learning_rate=0.1, optimizer="momentum",
                      batch_size=16, l2=0.5)
    total, epoch_costs = 0.0, []
    for t in range(20):
        stepper.run_to(stepper.forward_end)
        Yb, AL = stepper.values["Y"], stepper.values["A2"]
        total += -np.sum(Yb * np.log(AL) + (1 - Yb) * np.log(1 - AL))
        if t % 4 == 3:  # the last batch (2 columns) of an epoch: the L2 term of its forward pass, over m
            l2 = 0.5 / (2 * 50) * sum(np.sum(stepper.values[f"W{l}"] ** 2) for l in (1, 2))
            epoch_costs.append(total / 50 + l2)
            total = 0.0
        stepper.run_iteration()
    printed = [float(line.split(": ")[1]) for line in lines]
    assert printed == pytest.approx([epoch_costs[0], epoch_costs[2], epoch_costs[4]], rel=1e-12)


def test_trace_keys_follow_the_symbols_per_update(toy_npz, tmp_path):
    path, _, _ = toy_npz
    trace = tmp_path / "trace.npz"
    assert main(["train", str(path), "--hidden", "4,3", "--optimizer", "adam", "--batch-size", "20",
                 "--epochs", "2", "--keep-prob", "0.8,1", "--batch-norm", "--trace", str(trace)]) == 0
    with np.load(trace) as saved:
        keys = set(saved.files)
        for key in ("0/vdW1", "0/sdW1", "0/vhatdW1", "0/D1", "0/mu1", "0/gamma1", "0/t", "5/W3", "0/A0"):
            assert key in keys, key
        assert "0/D2" not in keys  # keep_prob 1 on layer 2: no dropout there
        assert saved["0/A0"].shape == (3, 20) and saved["2/A0"].shape == (3, 10)  # 50 = 2·20 + 10
        assert saved["5/t"][0, 0] == 6.0


@pytest.mark.parametrize("args,message", [
    (["--keep-prob", "1.5"], "keep probability"),
    (["--keep-prob", "0.5,0.5,0.5"], "3 probabilities for 2 hidden layers"),
    (["--decay-interval", "10"], "--decay-interval needs --lr-decay"),
    (["--init-scale", "10"], "--init normal"),
    (["--beta", "1"], "below 1"),
    (["--batch-size", "0"], "1 or more"),
])
def test_course_2_mistakes_exit_with_status_2_and_say_what_to_change(toy_npz, args, message, capsys):
    """A bad number is refused by the option's parser (argparse exits 2), a bad combination by nnviz (2)."""
    path, _, _ = toy_npz
    try:
        code = main(["train", str(path), "--hidden", "4,3", "--iterations", "1", *args])
    except SystemExit as exit:
        code = exit.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(("error: ", "nnviz train: error: "))
