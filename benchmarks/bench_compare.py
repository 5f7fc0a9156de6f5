"""Comparing a trace: `nnviz compare` on an nnviz --trace of the notes' network, against training
the same iterations (the baseline: the comparison runs each iteration once more and reads it).

Both run in this process on the built-in 12288-7-5-1 image demo, alternating, with the BLAS
thread count pinned (threadpoolctl).  Prints seconds per iteration and the compare/train ratio.

    python benchmarks/bench_compare.py [--threads 1] [--iterations 20] [--repeats 3]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from nnviz.cli import TraceWriter
from nnviz.data import load_demo
from nnviz.debugging import compare, load_trace
from nnviz.engine import NetworkSpec, Stepper, initialize


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = load_demo("images")
    spec = NetworkSpec.build(data.n_x, [7, 5], data.n_y)
    params = initialize(spec, "he", seed=1)
    path = Path(tempfile.mkdtemp()) / "trace.npz"
    writer = TraceWriter(str(path))
    for key, value in params.items():
        writer.write(key, value)
    stepper = Stepper(spec, params, data.X, data.Y)
    for i in range(args.iterations):
        stepper.run_iteration(lambda op, value, i=i: writer.write(f"{i}/{op.key}", value))
    writer.close()
    train_times, compare_times = [], []
    with threadpool_limits(args.threads):
        for _ in range(args.repeats):
            start = time.perf_counter()
            Stepper(spec, params, data.X, data.Y).train(args.iterations)
            train_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            trace = load_trace(path)
            report = compare(trace=trace, X=data.X, Y=data.Y)
            trace.source.close()
            compare_times.append(time.perf_counter() - start)
            assert report.all_match, report.summary()
    train, comp = statistics.median(train_times), statistics.median(compare_times)
    n = args.iterations
    print(f"BLAS threads {args.threads}; {n} iterations of {spec}, m = {data.m}; median of {args.repeats}")
    print(f"train    {1000 * train / n:8.1f} ms per iteration")
    print(f"compare  {1000 * comp / n:8.1f} ms per iteration  ({len(report.compared)} arrays, all exact)")
    print(f"ratio compare/train: {comp / train:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
