"""Window speed: every goal of the window's speed, as a table (measured side by side in one process).

For each platform (offscreen, and X through xvfb-run when it is installed) and each BLAS
thread setting (OpenBLAS's default pool of one thread per core, and 1 thread -- what the window
pins on 2 cores, see nnviz/session/snapshot.py -- set with threadpoolctl), on three sessions
-- the default demo (12288-7-5-1 on 64×64×3 pictures, m = 209), the course's real HDF5 file
(../shared/data/catvnoncat/train_catvnoncat.h5 or $NNVIZ_COURSE_DATA, skipped where absent)
and a lecture's 2-D demo (xor, 2-8-8-1, m = 300, where an iteration is ~80 µs of Python) --
it measures:

* Run vs the CLI loop: iterations per second of Run in the window against ``Stepper.run_iteration``
  (what ``nnviz train`` runs) on the same network and data, alternating 1-second rounds of
  each so the machine's load hits both alike.  Goal ≥ 0.90.
* Event-loop latency while running: how late a 10 ms QTimer fires, in rounds of Run of their own
  (the probe's wake-ups slow Run down; the ratio with it running is printed beside the ratio).
  Goal p95 < 30 ms, max < 100 ms.
* Step → inspector painted: Step triggered (on the worker, or in place on a small network), the
  views updated, until the event loop has painted the inspector and the image of each heatmap it
  shows (every operation of two iterations; default demo).  Goal median < 16 ms.
* Start to first complete paint: a fresh ``python`` process until the window's inspector and
  diagram have painted (default demo).  Goal < 1.0 s.
* Longest event-loop gap while a 12288-4096-1 network is built, stepped through its forward
  pass (F6) and stepped back (``--large``; about two minutes and 4 GB), and with the same
  instrument (benchmarks/blame.py, which also names the code that blocked): a watch expression
  over its W[1] added, stepped and stepped back; the Diagnostics tab shown and refreshed; the
  session saved and opened again; Compare Runs started and stepped (a second 12288-4096-1); and
  on the default demo a design edit (the Design form and the diagram's − button) and an
  animation exported.  Goal < 100 ms each.

    python benchmarks/bench_gui.py                  # every platform, both thread settings
    python benchmarks/bench_gui.py --platform offscreen --threads 1 --seconds 3
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE_FILE = Path(os.environ.get("NNVIZ_COURSE_DATA", ROOT.parent / "shared" / "data" / "catvnoncat")) \
    / "train_catvnoncat.h5"

GOALS = {
    "run_ratio": ("Run / CLI loop", "≥ 0.90", lambda v: v >= 0.90),
    "latency_p95": ("event-loop latency p95 while running", "< 30 ms", lambda v: v < 30),
    "latency_max": ("event-loop latency max while running", "< 100 ms", lambda v: v < 100),
    "step_paint": ("Step → inspector painted, median", "< 16 ms", lambda v: v < 16),
    "first_paint": ("start to first complete paint", "< 1.0 s", lambda v: v < 1.0),
    "large_gap": ("longest event-loop gap, 12288-4096-1 build, Step, F6, step back", "< 100 ms", lambda v: v < 100),
    "watch_gap": ("longest gap, watch abs(W1).max() added, Step, step back", "< 100 ms", lambda v: v < 100),
    "diagnostics_gap": ("longest gap, Diagnostics shown, refreshed, an iteration", "< 100 ms", lambda v: v < 100),
    "open_gap": ("longest gap, session saved and opened", "< 100 ms", lambda v: v < 100),
    "compare_gap": ("longest gap, Compare Runs started, Step", "< 100 ms", lambda v: v < 100),
    "edit_gap": ("longest gap, design edits (form, diagram −)", "< 100 ms", lambda v: v < 100),
    "animation_gap": ("longest gap, animation Z[1]..A[1] exported", "< 100 ms", lambda v: v < 100),
    "long_history_gap": ("longest gap, a session of 2^20 history rows opened", "< 100 ms", lambda v: v < 100),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# -- measuring (in the child process of one platform) -------------------------------------------------
def fresh_settings() -> None:
    """Settings in a temporary folder: a first start, and the user's own settings neither read nor written."""
    import tempfile

    from PySide6.QtCore import QSettings

    folder = tempfile.mkdtemp(prefix="nnviz-bench-settings-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)


def pump(app, until, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not until() and time.monotonic() < end:
        app.processEvents()


def wait_idle(session, timeout: float = 300.0) -> None:
    """Until the session's worker is idle, in a real event loop (a processEvents() loop would spin
    the GUI thread and take the GIL from the worker it waits for)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if not session.busy:
        return
    loop = QEventLoop()

    def changed(busy: bool) -> None:
        if not busy:
            loop.quit()

    session.busy_changed.connect(changed)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    if session.busy:
        loop.exec()
    session.busy_changed.disconnect(changed)


class Lateness:
    """A 10 ms QTimer's lateness in ms (its gaps minus 10)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.values: list[float] = []
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self._last = 0

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.values.append(max(0.0, now - self._last - 10))
        self._last = now

    def start(self) -> None:
        self.clock.start()
        self._last = 0
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.values[1:]


def wait_settled(session, timeout: float = 300.0) -> None:
    """Until the session is idle and its slow derivations have arrived (``Session.deriving``)."""
    end = time.monotonic() + timeout
    wait_in_event_loop(20)
    while (session.busy or getattr(session, "deriving", False)) and time.monotonic() < end:
        wait_in_event_loop(20)


def wait_in_event_loop(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()  # a real event loop: it sleeps between events, as the app's does
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def step_to_paint(app, window, operations: int) -> list[float]:
    """ms from triggering Step until the inspector has painted the new state: the worker's job (if
    any), the views' updates and the paints the event loop then makes, until the inspector and the
    image of each heatmap it shows have been painted."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    s = window.session
    painted = []

    class Paints(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                painted.append(watched)
            return False

    watch = Paints()
    inspector = window.inspector
    times = []
    for _ in range(operations):
        widgets = [inspector, *inspector.findChildren(QWidget)]  # its heatmaps may be new
        for widget in widgets:
            widget.installEventFilter(watch)
        painted.clear()
        t0 = time.perf_counter()
        window.actionStep.trigger()
        wait_idle(s)
        app.processEvents()  # the stepped signal reaches the views, and they paint
        # painted: the inspector's own widget and the image of every heatmap it shows
        shown = [panel.graphics.viewport() for panel in inspector.made_panels()
                 if panel.isVisible() and panel.pages.currentWidget() is panel.graphics]
        while not ({inspector, *shown} <= set(painted)) and time.perf_counter() - t0 < 5.0:
            app.processEvents()
        times.append((time.perf_counter() - t0) * 1e3)
        for widget in widgets:
            widget.removeEventFilter(watch)
    return times


def run_vs_cli(app, window, seconds: float) -> tuple[float, float, list[float]]:
    """Alternating rounds of Run (in the window), the CLI loop, and Run again with a 10 ms QTimer
    probing the event loop; (ratio, ratio while probed, event-loop lateness while running).

    The ratio comes from the rounds without the probe: its hundred wake-ups a second each take the
    GIL from the training thread (up to 3 % of the ratio on xor), a cost of the instrument, not of the window."""
    from nnviz.engine import Stepper, initialize

    s, d = window.session, window.session.design
    cli = Stepper(s.spec, initialize(s.spec, d.init, rng=d.rng, seed=d.seed), s.dataset.X, s.dataset.Y,
                  d.learning_rate)
    run = {False: [0, 0.0], True: [0, 0.0]}  # probed: [iterations, seconds]
    cli_n = cli_t = 0.0
    lateness: list[float] = []
    rounds = max(1, round(seconds))
    for _ in range(rounds):
        for probed in (False, True):
            late = Lateness()
            start_iteration = s.stepper.iteration
            window.actionRun.trigger()
            if probed:
                late.start()
            t0 = time.perf_counter()
            wait_in_event_loop(int(1000 * seconds / rounds))
            run[probed][0] += s.stepper.iteration - start_iteration
            run[probed][1] += time.perf_counter() - t0
            if probed:
                lateness += late.stop()
            window.actionPause.trigger()
            wait_idle(s)
            if probed:
                continue
            end = time.perf_counter() + seconds / rounds
            t0 = time.perf_counter()
            while time.perf_counter() < end:
                cli.run_iteration()
                cli_n += 1
            cli_t += time.perf_counter() - t0
    cli_rate = cli_n / cli_t
    return run[False][0] / run[False][1] / cli_rate, run[True][0] / run[True][1] / cli_rate, lateness


def long_history_session(folder: str) -> str:
    """A session file of xor's 2-8-8-1 whose history holds MAX_ROWS rows (the most a run keeps)."""
    import numpy as np

    from nnviz.data import load_demo
    from nnviz.engine.history import MAX_ROWS, History
    from nnviz.session import Design, Session
    from nnviz.session.persist import save_session

    s = Session(load_demo("xor"), Design(hidden=(8, 8), activations=("tanh", "tanh"), init="xavier",
                                         learning_rate=0.3))
    wait_settled(s)
    state = s.snapshot()
    s.close()
    iterations = np.arange(MAX_ROWS, dtype=float)
    state.iteration = MAX_ROWS
    state.history = History.from_arrays(0.7 * np.exp(-iterations / 1e5), np.full((MAX_ROWS, 3), 0.01))
    path = str(Path(folder) / "long-history.nnviz")
    save_session(path, state)
    return path


def large_network_gaps(app) -> list[tuple[str, float, str]]:
    """(key, the longest gap (ms) of a 10 ms timer, where the window's thread was) for each case of ``--large``."""
    import tempfile

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from blame import GapBlame

    from nnviz.app import MainWindow
    from nnviz.app.animation import AnimationRange

    def window_of() -> MainWindow:
        window = MainWindow()
        window.resize(1600, 1000)
        window.show()
        pump(app, lambda: False, timeout=0.5)
        return window

    def closed(window: MainWindow) -> None:
        window.dispose()

    rows = []
    folder = tempfile.mkdtemp(prefix="nnviz-bench-large-")
    window = window_of()
    s = window.session
    with GapBlame() as blame:
        blame.phase("build")
        s.set_design(s.design.edit(hidden=(4096,), activations=("relu",)))
        wait_settled(s)
        blame.phase("Step")
        window.actionStep.trigger()  # Z[1]: the inspector shows the 4096×12288 W[1]
        wait_settled(s)
        blame.phase("F6")
        window.actionForwardPass.trigger()
        wait_settled(s)
        blame.phase("step back")
        window.actionStepBack.trigger()
        wait_settled(s)
        wait_in_event_loop(500)
        cases = [("large_gap", ["build", "Step", "F6", "step back"])]
        blame.phase("watch")
        window.watch.dock.show()
        window.watch.view.add("abs(W1).max()")
        wait_settled(s)
        window.actionStep.trigger()
        wait_settled(s)
        window.actionStepBack.trigger()
        wait_settled(s)
        wait_in_event_loop(300)
        window.watch.view.remove(0)
        cases.append(("watch_gap", ["watch"]))
        blame.phase("diagnostics")
        window.diagnostics.show_dock()
        wait_in_event_loop(300)
        window.diagnostics.view.refresh()
        window.actionIteration.trigger()
        wait_settled(s)
        wait_in_event_loop(500)
        cases.append(("diagnostics_gap", ["diagnostics"]))
        blame.phase("save and open")
        path = str(Path(folder) / "large.nnviz")
        s.save(path)
        wait_settled(s)
        s.open_session(path)
        wait_settled(s)
        wait_in_event_loop(1000)
        cases.append(("open_gap", ["save and open"]))
        blame.phase("compare")
        comparison = window.compare_runs.start({"seed": 5})

        def wait_for_b() -> None:  # run B made (not its one-unit stand-in) and in step with A
            b, end = comparison.b, time.monotonic() + 300
            while (b.busy or b.deriving or b.spec.sizes != s.spec.sizes or not comparison.follower.in_step()) \
                    and time.monotonic() < end:
                wait_in_event_loop(50)

        wait_for_b()
        window.actionStep.trigger()
        wait_settled(s)
        wait_for_b()
        wait_in_event_loop(2000)  # the comparison's matrices arrive from B's worker
        window.compare_runs.close()
        wait_in_event_loop(300)
        cases.append(("compare_gap", ["compare"]))
    closed(window)
    rows += [(key, max(blame.longest(label) for label in labels), blame.blamed(labels)) for key, labels in cases]
    long_path = long_history_session(folder)  # written before the gaps are measured
    window = window_of()
    s = window.session
    with GapBlame() as blame:
        blame.phase("edit")
        window.designer.table.cellWidget(0, 0).setValue(8)  # the Design form: 12288-8-5-1
        wait_settled(s)
        wait_in_event_loop(1500)
        window.diagram.editor.remove_unit(1)  # the diagram's − button: 12288-7-5-1 again
        wait_settled(s)
        wait_in_event_loop(1500)
        blame.phase("long history")  # xor after a long run: a million rows of J and ‖dW[l]‖ to draw
        window.session.open_session(long_path)
        wait_settled(s)
        wait_in_event_loop(1500)
        blame.phase("animation")
        window.animation_export.start(str(Path(folder) / "steps.gif"), AnimationRange("Z1", "A1"), (1280, 720), 1.0)
        end = time.monotonic() + 120
        while window.animation_export.renderer is not None and time.monotonic() < end:
            wait_in_event_loop(50)
    closed(window)
    rows += [(key, blame.longest(label), blame.blamed([label])) for key, label in (
        ("edit_gap", "edit"), ("long_history_gap", "long history"), ("animation_gap", "animation"))]
    return rows


def measure_platform(args) -> list[dict]:
    from threadpoolctl import threadpool_info, threadpool_limits
    from PySide6.QtWidgets import QApplication

    from nnviz.app import MainWindow
    from nnviz.data import load_dataset, load_demo
    from nnviz.session import Design, Session

    fresh_settings()
    app = QApplication.instance() or QApplication([])
    platform = app.platformName()
    default_threads = max((p.get("num_threads", 1) for p in threadpool_info() if p.get("user_api") == "blas"),
                          default=1)
    sessions = [("default demo 12288-7-5-1", lambda: Session())]
    if COURSE_FILE.is_file():
        sessions.append(("course HDF5 12288-7-5-1", lambda: Session(load_dataset(str(COURSE_FILE)))))
    else:
        print(f"# course data not found at {COURSE_FILE}: its rows are skipped", file=sys.stderr)
    sessions.append(("xor 2-8-8-1", lambda: Session(load_demo("xor"), Design(
        hidden=(8, 8), activations=("tanh", "tanh"), init="xavier", learning_rate=0.3))))
    rows = []
    for threads in args.threads:
        blas = f"{default_threads} (default)" if threads == 0 else str(threads)
        with threadpool_limits(limits=None if threads == 0 else threads, user_api="blas"):
            for name, make in sessions:
                window = MainWindow(make())
                window.resize(1600, 1000)
                window.show()
                pump(app, lambda: False, timeout=0.5)
                where = dict(platform=platform, blas=blas, data=name)
                if name.startswith("default"):
                    times = step_to_paint(app, window, 2 * len(window.session.plan))
                    rows.append(dict(where, key="step_paint", value=statistics.median(times),
                                     detail=f"p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms"))
                ratio, probed, lateness = run_vs_cli(app, window, args.seconds)
                rows.append(dict(where, key="run_ratio", value=ratio, detail=f"{probed:.2f} with the latency probe"))
                rows.append(dict(where, key="latency_p95", value=percentile(lateness, 0.95),
                                 detail=f"median {statistics.median(lateness):.1f} ms"))
                rows.append(dict(where, key="latency_max", value=max(lateness), detail=""))
                window.dispose()
            if args.large:
                for key, value, where in large_network_gaps(app):
                    data = "default demo 12288-7-5-1" if key in ("edit_gap", "animation_gap") else \
                        "xor 2-8-8-1, 2^20 rows" if key == "long_history_gap" else "12288-4096-1 on the demo"
                    rows.append(dict(platform=platform, blas=blas, data=data, key=key, value=value,
                                     detail=f"longest at {where}" if where and value >= 100 else ""))
    return rows


def first_paint_child() -> None:
    """Print the seconds since this process started once the inspector and the diagram have painted."""
    started = float(os.environ["NNVIZ_BENCH_SPAWNED"])
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from nnviz.app import MainWindow
    from nnviz.session.snapshot import limit_blas_threads, window_blas_threads

    limit_blas_threads(window_blas_threads())  # as nnviz.app.main does
    fresh_settings()
    app = QApplication([])
    window = MainWindow()
    painted: set[str] = set()

    class Watch(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                painted.add(watched.objectName())
            return False

    watch = Watch()
    for widget in (window.inspector, window.diagram):
        widget.installEventFilter(watch)
    window.resize(1600, 1000)
    window.show()
    pump(app, lambda: {"matrixInspector", "networkDiagram"} <= painted, timeout=30)
    if {"matrixInspector", "networkDiagram"} <= painted:
        print(json.dumps({"first_paint": time.time() - started}))
    else:
        print(f"only {sorted(painted)} painted within 30 s", file=sys.stderr)
    window.dispose()


def first_paint(platform_command: list[str], env: dict) -> float:
    """Median of three fresh processes' start to first complete paint (seconds)."""
    times = []
    for _ in range(3):
        child_env = dict(env, NNVIZ_BENCH_SPAWNED=repr(time.time()))
        out = subprocess.run([*platform_command, sys.executable, __file__, "--first-paint-child"], env=child_env,
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
        line = next((line for line in out.stdout.splitlines() if line.startswith("{")), None)
        if line is None:
            raise RuntimeError(f"first-paint child failed: {out.stderr[-500:]}")
        times.append(json.loads(line)["first_paint"])
    return statistics.median(times)


# -- the table (parent process) -------------------------------------------------------------------------
def platforms(choice: str) -> list[tuple[str, list[str], dict]]:
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    found = []
    if choice in ("all", "offscreen"):
        found.append(("offscreen", [], dict(env, QT_QPA_PLATFORM="offscreen")))
    if choice in ("all", "xvfb"):
        if shutil.which("xvfb-run"):
            xenv = {k: v for k, v in env.items() if k != "QT_QPA_PLATFORM"}
            found.append(("xcb (Xvfb)", ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"], dict(xenv, QT_QPA_PLATFORM="xcb")))
        else:
            print("# xvfb-run not found: the X rows are skipped", file=sys.stderr)
    return found


def print_table(rows: list[dict]) -> None:
    header = ("platform", "BLAS threads", "session", "measure", "value", "goal", "met", "detail")
    lines = []
    for r in rows:
        label, goal, met = GOALS[r["key"]]
        unit = "" if r["key"] == "run_ratio" else " s" if r["key"] == "first_paint" else " ms"
        value = f"{r['value']:.2f}" if r["key"] in ("run_ratio", "first_paint") else f"{r['value']:.1f}"
        lines.append((r["platform"], r["blas"], r["data"], label, value + unit, goal, "yes" if met(r["value"]) else "NO",
                      r.get("detail", "")))
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in lines:
        print("| " + " | ".join(str(x).ljust(w) for x, w in zip(line, widths)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds of Run and of the CLI loop per session")
    parser.add_argument("--threads", type=int, nargs="+", default=[0, 1],
                        help="BLAS threads to measure with (0: the default pool)")
    parser.add_argument("--platform", choices=("all", "offscreen", "xvfb"), default="all")
    parser.add_argument("--large", action="store_true", help="also build and step a 12288-4096-1 network")
    parser.add_argument("--measure-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--first-paint-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_paint_child:
        first_paint_child()
        return
    if args.measure_child:
        print(json.dumps(measure_platform(args)))
        return
    rows = []
    for name, command, env in platforms(args.platform):
        started = time.monotonic()
        child = [*command, sys.executable, __file__, "--measure-child", "--seconds", str(args.seconds),
                 "--threads", *map(str, args.threads)] + (["--large"] if args.large else [])
        out = subprocess.run(child, env=env, capture_output=True, text=True, cwd=ROOT)
        line = next((line for line in out.stdout.splitlines() if line.startswith("[")), None)
        if line is None:
            print(f"# {name}: the measurement failed\n{out.stderr[-2000:]}", file=sys.stderr)
            continue
        platform_rows = json.loads(line)
        platform_rows.append(dict(platform=platform_rows[0]["platform"], blas="default", data="default demo 12288-7-5-1",
                                  key="first_paint", value=first_paint(command, env), detail="median of 3 processes"))
        rows += platform_rows
        print(f"# {name}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other programs' load slows both sides of each ratio alike, but not the absolute times)")
    print_table(rows)


if __name__ == "__main__":
    main()
