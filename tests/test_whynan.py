"""Why NaN: the first non-finite element of an operation, the operand values behind it, the cause and a fix."""
from __future__ import annotations

import numpy as np

from nnviz.engine import NetworkSpec, Stepper, initialize
from nnviz.engine.stepper import count_nonfinite
from nnviz.engine.whynan import why_nonfinite


def test_an_overflowing_product_is_traced_to_its_row_and_column():
    spec = NetworkSpec.build(3, [2], 1)
    params = {"W1": np.array([[1.0, 2.0, 3.0], [1e308, 1e308, 0.0]]), "b1": np.zeros((2, 1)),
              "W2": np.ones((1, 2)), "b2": np.zeros((1, 1))}
    X = np.array([[1.0, 2.0], [1.0, 0.5], [1.0, 1.0]])
    stepper = Stepper(spec, params, X, np.array([[0.0, 1.0]]))
    record = stepper.step()
    assert record.has_nonfinite
    cause = why_nonfinite(record.op, stepper.values)
    assert cause.symbol == "Z[1]" and cause.cell == (1, 0) and cause.value == np.inf
    assert cause.operands == ("W[1] row 1: max |·| 1e+308", "A[0] column 0: max |·| 1")
    assert cause.cause == "the product W[1]·A[0] overflows: its terms reach 1e+308, their sum passes 1.8e308"
    assert "smaller learning rate" in cause.fix
    assert cause.text().splitlines()[0] == "Z[1][1, 0] = inf is the first non-finite element."


def test_data_with_nan_is_named_as_the_cause():
    spec = NetworkSpec.build(2, [], 1)
    X = np.array([[1.0, np.nan], [0.0, 1.0]])
    stepper = Stepper(spec, initialize(spec, seed=1), X, np.array([[0.0, 1.0]]))
    record = stepper.step()
    cause = why_nonfinite(record.op, stepper.values)
    assert cause.cause == "an operand already holds NaN or Inf" and "A[0][0, 1] = nan" in cause.operands[0]
    assert cause.fix.startswith("the data itself holds NaN")


def test_a_diverging_run_is_explained_at_its_first_bad_operation():
    """The README's example: leaky ReLU with α = 5 on a small problem diverges."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 30)) * 3
    Y = (X[:1] > 0).astype(float)
    spec = NetworkSpec.build(4, [6, 6], 1, "leaky_relu")
    stepper = Stepper(spec, initialize(spec, seed=2), X, Y, learning_rate=50.0)
    record = None
    for _ in range(200 * len(stepper.plan)):
        record = stepper.step()
        if record.has_nonfinite:
            break
    assert record is not None and record.has_nonfinite
    cause = why_nonfinite(record.op, stepper.values)
    assert cause is not None and cause.key == record.key
    assert count_nonfinite(stepper.values[record.key]) > 0 and cause.cause and cause.operands
    assert not np.isfinite(stepper.values[record.key][cause.cell])
