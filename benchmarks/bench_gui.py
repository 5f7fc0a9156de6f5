"""Window speed on the default session (12288-7-5-1 on the 64×64×3 demo, m = 209).

Measures, side by side in one process, with BLAS pinned to 1 thread (threadpoolctl):
1. Step → inspector painted: trigger actionStep, wait for the session, repaint the inspector
   synchronously; every operation of two iterations.  Goal: under 50 ms.
2. Run mode iterations per second against the CLI's loop (Stepper.run_iteration, what
   `nnviz train` runs) on the same network and data.  Goal: at least 80 %.
3. Event-loop latency while running: a 10 ms QTimer's lateness.  Goal: p95 under 30 ms.
Then 2. and 3. again on a lecture's 2-D demo (xor, 2-8-8-1, m = 300), where each iteration is
~80 µs of Python and the per-operation bookkeeping of Run (NaN check, step-back history) and
the window's redraws weigh much more (no goal: reported for honesty).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--seconds 8]
    (or under xvfb-run for real X rendering)
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from threadpoolctl import threadpool_limits  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnviz.app import MainWindow  # noqa: E402
from nnviz.data import load_demo  # noqa: E402
from nnviz.engine import Stepper, initialize  # noqa: E402
from nnviz.session import Design, Session  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def pump(app: QApplication, until, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not until() and time.monotonic() < end:
        app.processEvents()


def step_to_paint(app: QApplication, window: MainWindow, operations: int) -> dict[str, list[float]]:
    s = window.session
    times: dict[str, list[float]] = {}
    for _ in range(operations):
        symbol = s.next_op.symbol
        t0 = time.perf_counter()
        window.actionStep.trigger()
        pump(app, lambda: not s.busy)
        app.processEvents()  # the stepped signal reaches the views
        window.inspector.repaint()
        times.setdefault(symbol, []).append((time.perf_counter() - t0) * 1e3)
    return times


def cli_rate(window: MainWindow, seconds: float) -> float:
    s = window.session
    d = s.design
    stepper = Stepper(s.spec, initialize(s.spec, d.init, rng=d.rng, seed=d.seed), s.dataset.X, s.dataset.Y,
                      d.learning_rate)
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        stepper.run_iteration()
        n += 1
    return n / seconds


def run_rate_and_latency(app: QApplication, window: MainWindow, seconds: float) -> tuple[float, list[float]]:
    s = window.session
    lateness: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(10)
    last = [0]

    def tick() -> None:
        now = clock.elapsed()
        lateness.append(max(0.0, now - last[0] - 10))
        last[0] = now

    timer.timeout.connect(tick)
    start_iteration = s.stepper.iteration
    window.actionRun.trigger()
    clock.start()
    timer.start()
    t0 = time.perf_counter()
    loop = QEventLoop()  # a real event loop: it sleeps between events, as the app's does
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    done = s.stepper.iteration - start_iteration
    elapsed = time.perf_counter() - t0
    timer.stop()
    window.actionPause.trigger()
    pump(app, lambda: not s.busy)
    return done / elapsed, lateness[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    pump(app, lambda: False, timeout=0.5)
    with threadpool_limits(limits=args.threads):
        times = step_to_paint(app, window, 2 * len(window.session.plan))
        flat = [t for ts in times.values() for t in ts]
        worst = max(times, key=lambda k: max(times[k]))
        print(f"platform {app.platformName()}, BLAS threads {args.threads}, {window.session.spec} on m = {window.session.m}")
        print(f"1. Step → inspector painted over {len(flat)} steps: median {statistics.median(flat):.1f} ms, "
              f"p95 {percentile(flat, 0.95):.1f} ms, max {max(flat):.1f} ms ({worst})  goal < 50 ms")
        run, lateness = run_rate_and_latency(app, window, args.seconds)
        cli = cli_rate(window, args.seconds)
        print(f"2. Run mode {run:.1f} it/s, CLI loop {cli:.1f} it/s: ratio {run / cli:.2f}  goal ≥ 0.80")
        print(f"3. Event-loop latency while running: median {statistics.median(lateness):.1f} ms, "
              f"p95 {percentile(lateness, 0.95):.1f} ms, max {max(lateness):.1f} ms  goal p95 < 30 ms")
    window.discard_and_close()
    window.deleteLater()
    app.processEvents()
    tiny = MainWindow(Session(load_demo("xor"), Design(hidden=(8, 8), activations=("tanh", "tanh"),
                                                       init="xavier", learning_rate=0.3)))
    tiny.resize(1600, 1000)
    tiny.show()
    pump(app, lambda: False, timeout=0.5)
    with threadpool_limits(limits=args.threads):
        run, lateness = run_rate_and_latency(app, tiny, args.seconds)
        cli = cli_rate(tiny, args.seconds)
    print(f"xor {tiny.session.spec}: Run mode {run:.0f} it/s, CLI loop {cli:.0f} it/s: ratio {run / cli:.2f}; "
          f"event-loop latency p95 {percentile(lateness, 0.95):.1f} ms, max {max(lateness):.1f} ms")
    tiny.discard_and_close()
    tiny.deleteLater()
    app.processEvents()


if __name__ == "__main__":
    main()
