"""Engine speed: Stepper.run_iteration against a minimal plain-numpy loop of the same maths.

Both run side by side in this process on the same data, alternating, with the
BLAS thread count pinned (threadpoolctl) so the ratio means something on a
shared machine.  Prints per-iteration times and engine/plain ratios.

    python benchmarks/bench_engine.py [--threads 1] [--repeats 7]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from nnviz.engine import NetworkSpec, Stepper, initialize


def plain_loop(params: dict, X: np.ndarray, Y: np.ndarray, lr: float, L: int, iterations: int) -> float:
    """The notes' maths written out with nothing else: ReLU hidden layers, sigmoid output."""
    W = [None] + [params[f"W{l}"] for l in range(1, L + 1)]
    b = [None] + [params[f"b{l}"] for l in range(1, L + 1)]
    m = X.shape[1]
    J = 0.0
    for _ in range(iterations):
        A, Z = [X], [None]
        for l in range(1, L + 1):
            z = W[l] @ A[l - 1] + b[l]
            Z.append(z)
            A.append(np.maximum(z, 0.0) if l < L else 1.0 / (1.0 + np.exp(-z)))
        AL = A[L]
        J = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
        dA = -(Y / AL - (1 - Y) / (1 - AL)) / m
        dW, db = [None] * (L + 1), [None] * (L + 1)
        for l in range(L, 0, -1):
            dZ = dA * AL * (1 - AL) if l == L else np.where(Z[l] > 0, dA, 0.0)
            dW[l] = dZ @ A[l - 1].T
            db[l] = np.sum(dZ, axis=1, keepdims=True)
            if l > 1:
                dA = W[l].T @ dZ
        for l in range(1, L + 1):
            W[l] = W[l] - lr * dW[l]
            b[l] = b[l] - lr * db[l]
    return float(J)


def engine_loop(spec: NetworkSpec, params: dict, X: np.ndarray, Y: np.ndarray, lr: float, iterations: int) -> float:
    stepper = Stepper(spec, dict(params), X, Y, learning_rate=lr)
    for _ in range(iterations):
        stepper.run_iteration()
    return stepper.cost


def measure(sizes: list[int], m: int, iterations: int, repeats: int) -> tuple[float, float, float]:
    rng = np.random.default_rng(0)
    X = rng.random((sizes[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    spec = NetworkSpec.build(sizes[0], sizes[1:-1], 1, "relu", "sigmoid")
    params = initialize(spec, "he", seed=1)
    L = spec.L
    # same maths, same numbers: the two loops agree on the cost
    a, b = engine_loop(spec, params, X, Y, 0.0075, 3), plain_loop(params, X, Y, 0.0075, L, 3)
    assert abs(a - b) <= 1e-12 * abs(b), (a, b)
    engine_t, plain_t, ratios = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        engine_loop(spec, params, X, Y, 0.0075, iterations)
        t1 = time.perf_counter()
        plain_loop(params, X, Y, 0.0075, L, iterations)
        t2 = time.perf_counter()
        engine_t.append((t1 - t0) / iterations)
        plain_t.append((t2 - t1) / iterations)
        ratios.append((t1 - t0) / (t2 - t1))
    return min(engine_t), min(plain_t), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    cases = [([12288, 20, 7, 5, 1], 209, 20, 1.10), ([2, 8, 8, 1], 200, 2000, 2.0)]
    with threadpool_limits(limits=args.threads):
        print(f"BLAS threads: {args.threads}; best of {args.repeats} alternating runs; ratio = median engine/plain")
        print(f"{'network':>22} {'m':>4} {'engine':>11} {'plain':>11} {'ratio':>6} {'goal':>6}")
        for sizes, m, iterations, goal in cases:
            engine, plain, ratio = measure(sizes, m, iterations, args.repeats)
            name = "-".join(map(str, sizes))
            verdict = "ok" if ratio <= goal else "MISSED"
            print(f"{name:>22} {m:>4} {engine * 1e3:>8.3f} ms {plain * 1e3:>8.3f} ms {ratio:>6.2f} ≤{goal:<5} {verdict}")


if __name__ == "__main__":
    main()
