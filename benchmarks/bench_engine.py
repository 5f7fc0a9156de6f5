"""Engine speed: Stepper.run_iteration against a minimal plain-numpy loop of the same maths
(full-batch gradient descent, and Adam on mini-batches with dropout).

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


KEEP, BATCH, SEED = 0.86, 64, 10


def plain_adam_loop(params: dict, X: np.ndarray, Y: np.ndarray, lr: float, L: int, iterations: int) -> float:
    """Adam on mini-batches of 64 with inverted dropout on every hidden layer, written out with nothing else:
    a permutation per epoch, D[l] drawn from (seed, iteration, l), v and s per parameter, bias correction."""
    W = [None] + [params[f"W{l}"] for l in range(1, L + 1)]
    b = [None] + [params[f"b{l}"] for l in range(1, L + 1)]
    vW = [None] + [np.zeros_like(w) for w in W[1:]]
    sW = [None] + [np.zeros_like(w) for w in W[1:]]
    vb = [None] + [np.zeros_like(c) for c in b[1:]]
    sb = [None] + [np.zeros_like(c) for c in b[1:]]
    b1, b2, eps = 0.9, 0.999, 1e-8
    m_all = X.shape[1]
    T = -(-m_all // BATCH)
    J = 0.0
    for it in range(iterations):
        epoch, t = divmod(it, T)
        if t == 0:
            perm = np.random.default_rng([SEED, epoch]).permutation(m_all)
        cols = perm[t * BATCH:(t + 1) * BATCH]
        Xb, Yb = np.take(X, cols, axis=1), np.take(Y, cols, axis=1)
        m = Xb.shape[1]
        A, Z, D = [Xb], [None], [None]
        for l in range(1, L + 1):
            z = W[l] @ A[l - 1] + b[l]
            Z.append(z)
            if l < L:
                a = np.maximum(z, 0.0)
                d = (np.random.default_rng([1, it, l]).random(a.shape) < KEEP).astype(float)
                D.append(d)
                A.append(a * d / KEEP)
            else:
                A.append(1.0 / (1.0 + np.exp(-z)))
        AL = A[L]
        J = -np.sum(Yb * np.log(AL) + (1 - Yb) * np.log(1 - AL)) / m
        dA = -(Yb / AL - (1 - Yb) / (1 - AL)) / m
        dW, db = [None] * (L + 1), [None] * (L + 1)
        for l in range(L, 0, -1):
            if l == L:
                dZ = dA * AL * (1 - AL)
            else:
                dZ = np.where(Z[l] > 0, dA * D[l] / KEEP, 0.0)
            dW[l] = dZ @ A[l - 1].T
            db[l] = np.sum(dZ, axis=1, keepdims=True)
            if l > 1:
                dA = W[l].T @ dZ
        step = it + 1
        for l in range(1, L + 1):
            for p, g, v, s in ((W, dW, vW, sW), (b, db, vb, sb)):
                v[l] = b1 * v[l] + (1 - b1) * g[l]
                s[l] = b2 * s[l] + (1 - b2) * g[l] ** 2
                p[l] = p[l] - lr * (v[l] / (1 - b1 ** step)) / (np.sqrt(s[l] / (1 - b2 ** step)) + eps)
    return float(J)


def engine_adam_loop(spec: NetworkSpec, params: dict, X: np.ndarray, Y: np.ndarray, lr: float, iterations: int) -> float:
    stepper = Stepper(spec, dict(params), X, Y, learning_rate=lr, optimizer="adam", batch_size=BATCH,
                      batch_seed=SEED)
    for _ in range(iterations):
        stepper.run_iteration()
    return stepper.cost


def measure(sizes: list[int], m: int, iterations: int, repeats: int, adam: bool = False) -> tuple[float, float, float]:
    rng = np.random.default_rng(0)
    X = rng.random((sizes[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    spec = NetworkSpec.build(sizes[0], sizes[1:-1], 1, "relu", "sigmoid", keep_prob=KEEP if adam else 1.0)
    params = initialize(spec, "he", seed=1)
    L = spec.L
    engine, plain = (engine_adam_loop, plain_adam_loop) if adam else (engine_loop, plain_loop)
    # same maths, same numbers: the two loops agree on the cost
    a, b = engine(spec, params, X, Y, 0.0075, 6), plain(params, X, Y, 0.0075, L, 6)
    assert abs(a - b) <= 1e-10 * abs(b), (a, b)
    engine_t, plain_t, ratios = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        engine(spec, params, X, Y, 0.0075, iterations)
        t1 = time.perf_counter()
        plain(params, X, Y, 0.0075, L, iterations)
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
    cases = [([12288, 20, 7, 5, 1], 209, 20, 1.10, False), ([2, 8, 8, 1], 200, 2000, 2.0, False),
             ([12288, 20, 7, 5, 1], 209, 40, 1.10, True)]
    with threadpool_limits(limits=args.threads):
        print(f"BLAS threads: {args.threads}; best of {args.repeats} alternating runs; ratio = median engine/plain")
        print(f"{'network':>44} {'m':>4} {'engine':>11} {'plain':>11} {'ratio':>6} {'goal':>6}")
        for sizes, m, iterations, goal, adam in cases:
            engine, plain, ratio = measure(sizes, m, iterations, args.repeats, adam)
            name = "-".join(map(str, sizes)) + (" Adam+batch 64+dropout" if adam else "")
            verdict = "ok" if ratio <= goal else "MISSED"
            print(f"{name:>44} {m:>4} {engine * 1e3:>8.3f} ms {plain * 1e3:>8.3f} ms {ratio:>6.2f} ≤{goal:<5} {verdict}")


if __name__ == "__main__":
    main()
