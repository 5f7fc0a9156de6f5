"""Benchmark nnviz's data loading: the course training file, CSV tables against numpy.loadtxt.

The tables: 10,000 rows × 100 columns, and 200 wide rows of a 64×64×3 picture and a label each.

Run from the project root:  python benchmarks/bench_data.py [--repeat 7] [--course FOLDER]

Times are the best of --repeat runs (time.perf_counter).  Peak memory is the peak of
Python and numpy allocations during one more run under tracemalloc, measured apart
from the timed runs so that tracing does not slow them; tracemalloc does not see a C
library's own buffers (pandas' CSV tokenizer), so the CSV loads are also measured as
the growth of the peak resident memory (VmHWM) of a fresh process (Linux).
"""
from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnviz.data import load_dataset  # noqa: E402
from nnviz.data.memory import format_size  # noqa: E402

COURSE = ROOT.parent / "shared" / "data" / "catvnoncat"


def best_time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (this process) of `repeat` calls, in seconds; the CPU
    time barely moves when other programs share the cores, the wall time does."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def peak_memory(fn: Callable[[], object]) -> int:
    """Peak bytes allocated (tracemalloc: Python objects and numpy arrays) during one call."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _peak_rss(call: str, path: Path) -> int:
    # VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's peak (kept across fork)
    code = (
        "import numpy as np\n"
        "from nnviz.data import load_dataset\n"
        f"path = {str(path)!r}\n"
        f"result = {call}\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()\n"
        "print(int(status[0]) * 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return int(out.stdout.split()[-1])


def rss_growth(call: str, path: Path, baseline: str = "None") -> int:
    """Peak resident memory of a fresh process running ``call``, less that of one running ``baseline``."""
    return max(0, min(_peak_rss(call, path) for _ in range(3)) - min(_peak_rss(baseline, path) for _ in range(3)))


def write_csv(path: Path, rows: int = 10_000, columns: int = 100) -> None:
    """rows × columns numbers: columns - 1 normal features and a 0/1 label, 6 significant digits."""
    rng = np.random.default_rng(0)
    table = rng.normal(size=(rows, columns))
    table[:, -1] = rng.integers(0, 2, rows)
    fmt = ["%.6g"] * (columns - 1) + ["%d"]
    np.savetxt(path, table, fmt=fmt, delimiter=",")


def loadtxt_columns(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """What a notebook does by hand: loadtxt, then X (n_x, m) C-contiguous and Y (1, m)."""
    table = np.loadtxt(path, delimiter=",")
    return np.ascontiguousarray(table[:, :-1].T), table[:, -1:].T.copy()


def measure(label: str, fn: Callable[[], object], repeat: int, results: list) -> tuple[float, float]:
    """(best wall time, best CPU time) of fn, recorded with its peak memory in `results`."""
    fn()  # warm the file cache and imports
    seconds, cpu = best_time(fn, repeat)
    results.append((label, seconds, cpu, peak_memory(fn)))
    return seconds, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per measurement (best is shown)")
    parser.add_argument("--course", type=Path, default=COURSE, help="folder with train_catvnoncat.h5")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    results: list[tuple[str, float, float, int]] = []

    train = args.course / "train_catvnoncat.h5"
    if train.is_file():
        measure("course train_catvnoncat.h5 (X 12288 × 209)", lambda: load_dataset(train),
                args.repeat, results)
    else:
        print(f"skipping the course file: {train} not found")

    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "bench.csv"
        write_csv(csv)
        size = csv.stat().st_size
        ours = measure("CSV 10000 × 100: load_dataset", lambda: load_dataset(csv), args.repeat, results)
        theirs = measure("CSV 10000 × 100: numpy.loadtxt", lambda: np.loadtxt(csv, delimiter=","),
                         args.repeat, results)
        measure("CSV 10000 × 100: numpy.loadtxt, then X (n_x, m)", lambda: loadtxt_columns(csv),
                args.repeat, results)
        quoted = Path(folder) / "quoted.csv"
        lines = csv.read_text().splitlines()
        quoted.write_text("".join('"' + line.replace(",", '","') + '"\n' for line in lines))
        measure("CSV 10000 × 100, every cell quoted", lambda: load_dataset(quoted),
                max(1, args.repeat // 2), results)
        wide = Path(folder) / "wide.csv"
        write_csv(wide, rows=200, columns=12_289)  # a 64×64×3 picture and a label per row
        wide_ours = measure("CSV 200 × 12289 (wide rows): load_dataset", lambda: load_dataset(wide),
                            args.repeat, results)
        wide_theirs = measure("CSV 200 × 12289 (wide rows): numpy.loadtxt",
                              lambda: np.loadtxt(wide, delimiter=","), args.repeat, results)
        rss = {
            "load_dataset (after pandas is imported)": rss_growth("load_dataset(path)", csv, "__import__('pandas')"),
            "numpy.loadtxt": rss_growth("np.loadtxt(path, delimiter=',')", csv),
            "importing pandas itself (once per process)": rss_growth("__import__('pandas')", csv),
        }
    measure("demo:images (generated, 209 + 50 pictures)", lambda: load_dataset("demo:images"),
            args.repeat, results)

    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}, CSV file {format_size(size)}")
    print(f"{'what':<50} {'best time':>10} {'best CPU':>10} {'peak memory':>12}")
    for label, seconds, cpu, peak in results:
        print(f"{label:<50} {seconds * 1000:>7.1f} ms {cpu * 1000:>7.1f} ms {format_size(peak):>12}")
    for name, (a, b) in (("CSV", (ours, theirs)), ("wide CSV", (wide_ours, wide_theirs))):
        print(f"{name} load_dataset / numpy.loadtxt ratio: time {a[0] / b[0]:.2f}, "
              f"CPU time {a[1] / b[1]:.2f}")
    print("CSV peak resident memory growth (fresh process): "
          + ", ".join(f"{label} {format_size(value)}" for label, value in rss.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
