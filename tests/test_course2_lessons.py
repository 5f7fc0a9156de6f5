"""The course's optimisation, initialisation and regularisation lessons, reproduced by nnviz.

Numbers are the ones the course's notebooks print (Optimization_methods, Initialization,
Regularization).  The runs are cut where the printed numbers allow it to keep the suite quick.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnviz.cli import main
from nnviz.data import load_dataset
from nnviz.data.course import course_set, make_circles, make_moons
from nnviz.engine import NetworkSpec, Stepper, accuracy, initialize, predict

COURSE2_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "course2" / "data.mat"


def test_the_demo_sets_are_scikit_learns_point_for_point():
    datasets = pytest.importorskip("sklearn.datasets")
    np.random.seed(3)
    X, y = datasets.make_moons(n_samples=300, noise=.2)
    P, q = make_moons(300, .2, np.random.RandomState(3))
    assert np.array_equal(X, P) and np.array_equal(y, q)
    for seed, n in ((1, 300), (2, 100)):
        np.random.seed(seed)
        X, y = datasets.make_circles(n_samples=n, noise=.05)
        P, q = make_circles(n, .05, np.random.RandomState(seed))
        assert np.array_equal(X, P) and np.array_equal(y, q)


def test_the_demo_sets_load_by_name():
    moons = load_dataset("demo:course-moons")
    assert moons.X.shape == (2, 300) and moons.Y.shape == (1, 300) and moons.X_test is None
    assert moons.Y.sum() == 150 and np.array_equal(moons.X, course_set("course-moons").X)
    circles = load_dataset("demo:course-circles")
    assert circles.X.shape == (2, 300) and circles.X_test.shape == (2, 100)


def _costs(out: str, word: str = "epoch") -> dict[int, str]:
    lines = [line for line in out.splitlines() if line.startswith(f"Cost after {word} ")]
    return {int(line.split()[3].rstrip(":")): line.split(": ")[1] for line in lines}


@pytest.mark.parametrize("optimizer,epochs,printed,train_accuracy", [
    ("gd", 1001, ["0.702405", "0.668101"], None),
    ("momentum", 1001, ["0.702413", "0.668167"], None),
    ("adam", 5000, ["0.702166", "0.167845", "0.141316", "0.138788", "0.136066"], 0.94),
])
def test_the_optimisation_lesson_from_the_command_line(optimizer, epochs, printed, train_accuracy, capsys):
    """2-5-2-1, He init with seed 3, α 0.0007, batches of 64 (legacy permutations from seed 10), as printed
    with %f after every 1000 epochs; accuracy after 5000 epochs."""
    code = main(["train", "demo:course-moons", "--hidden", "5,2", "--init", "he", "--rng", "legacy", "--seed", "3",
                 "--lr", "0.0007", "--optimizer", optimizer, "--batch-size", "64", "--epochs", str(epochs),
                 "--print-every", "1000"])
    out = capsys.readouterr().out
    assert code == 0
    costs = _costs(out)
    assert [f"{float(costs[e]):f}" for e in range(0, 1000 * len(printed), 1000)] == printed
    if train_accuracy is not None:
        score = float(out.split("Train accuracy: ")[1].split()[0])
        assert round(score, 2) == train_accuracy


def _init_lesson(init: str, scale: float | None, iterations: int):
    d = course_set("course-circles")
    spec = NetworkSpec.build(2, [10, 5], 1, "relu", "sigmoid")
    stepper = Stepper(spec, initialize(spec, init, rng="legacy", seed=3, scale=scale), d.X, d.Y, learning_rate=0.01)
    costs = {}
    for i in range(iterations):
        stepper.run_iteration()
        if i % 1000 == 0:
            costs[i] = stepper.cost
    train = accuracy(spec, predict(spec, stepper.parameters, d.X), d.Y)
    test = accuracy(spec, predict(spec, stepper.parameters, d.X_test), d.Y_test)
    return costs, train, test


def test_the_initialisation_lesson_zeros_large_random_and_he():
    costs, train, test = _init_lesson("zeros", None, 2001)
    assert costs == {0: 0.6931471805599453, 1000: 0.6931471805599453, 2000: 0.6931471805599453}
    assert (train, test) == (0.5, 0.5)
    costs, train, test = _init_lesson("he", None, 15000)
    printed = {0: 0.8830537463419761, 1000: 0.6879825919728063, 2000: 0.6751286264523371,
               7000: 0.3117803464844441, 14000: 0.07357895962677366}
    for i, cost in printed.items():
        assert costs[i] == pytest.approx(cost, rel=1e-13), i
    assert (round(train, 4), test) == (0.9933, 0.96)
    costs, train, test = _init_lesson("normal", 10.0, 15000)
    # the course prints inf at iteration 0 (it takes log(0) where A[3] rounds to 1); nnviz's cost comes from
    # Z[3] and stays finite.  Later costs differ between the course's own published runs in the 3rd digit.
    assert 100 < costs[0] < np.inf
    assert costs[14000] == pytest.approx(0.38278397192120406, rel=1e-4)
    assert (train, test) == (0.83, 0.86)


@pytest.fixture
def course2_mat() -> dict:
    """The regularisation lesson's data.mat through nnviz's own reader (X, y and the Xval, yval test split)."""
    if not COURSE2_DATA.is_file():
        pytest.skip(f"course data not found at {COURSE2_DATA}")
    pytest.importorskip("scipy.io")
    d = load_dataset(str(COURSE2_DATA))
    return {"X": d.X, "Y": d.Y, "X_test": d.X_test, "Y_test": d.Y_test}


@pytest.mark.parametrize("options,keep,printed", [
    ({"l2": 0.7}, 1.0, {0: 0.6974484493131264, 10000: 0.2684918873282239}),
    ({"rng": "legacy"}, 0.86, {0: 0.6543912405149825, 10000: 0.061016986574905605}),
])
def test_the_regularisation_lesson(course2_mat, options, keep, printed):
    """2-20-3-1, W = randn/√n[l−1] after seed 3, α 0.3: L2 with λ = 0.7, then dropout with keep_prob 0.86."""
    d = course2_mat
    spec = NetworkSpec.build(2, [20, 3], 1, "relu", "sigmoid", keep_prob=keep)
    stepper = Stepper(spec, initialize(spec, "lecun", rng="legacy", seed=3), d["X"], d["Y"], learning_rate=0.3,
                      **options)
    costs = {}
    for i in range(max(printed) + 1):
        stepper.run_iteration()
        if i in printed:
            costs[i] = stepper.cost
    for i, cost in printed.items():
        assert costs[i] == pytest.approx(cost, rel=1e-12), i


def test_the_readme_course_2_example_runs():
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Course 2"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    stepper = scope["stepper"]
    assert stepper.epoch == 2 and stepper.values["t"][0, 0] == 10.0 and scope["cost"] is not None
    assert stepper.position_text() == "epoch 2 · batch 1/5 · X{t}"
