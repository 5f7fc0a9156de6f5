"""The command line: `nnviz` opens the window; `nnviz train` and `nnviz info` run headless.

The train and info paths import numpy and nnviz's engine and data packages only,
never Qt, so they start fast and run on machines without a display.
"""
from __future__ import annotations

import argparse
import contextlib
import math
import sys
import zipfile
from pathlib import Path
from typing import IO, Sequence

import numpy as np

from . import __version__


class UsageError(Exception):
    """A setting the user gave cannot work; the message says what to change."""


class _Parser(argparse.ArgumentParser):
    """A mistake in the arguments is one line, like every other error (sub-commands inherit this)."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _hidden_sizes(text: str) -> list[int]:
    text = text.strip()
    if not text:
        return []
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden takes whole numbers separated by commas, e.g. 20,7,5; got {text!r}")
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"every hidden layer needs at least 1 unit; got {text!r}")
    return sizes


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text!r}")
    return value


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", help="a data file (.csv .tsv .npz .npy .h5), an image folder, or demo:NAME")
    parser.add_argument("--test", metavar="FILE", help="a test split in the same format")
    parser.add_argument("--label-column", metavar="NAME|INDEX", help="CSV/TSV label column (default: the last)")
    parser.add_argument("--image-size", type=int, default=64, metavar="N", help="image folders: resize to N×N (default 64)")
    parser.add_argument("--no-scale", action="store_true", help="keep image values 0..255 instead of dividing by 255")
    parser.add_argument("--standardize", action="store_true", help="standardise every feature (train mean and std)")


def build_parser() -> argparse.ArgumentParser:
    from .engine import HIDDEN_ACTIVATIONS, INITS, OUTPUTS, RNGS

    parser = _Parser(
        prog="nnviz",
        description="See backpropagation. With no command, opens the window on the built-in demo.",
    )
    parser.add_argument("--version", action="version", version=f"nnviz {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser("train", help="train a network and print the cost, as the course notebooks do")
    _add_data_options(train)
    train.add_argument("--hidden", type=_hidden_sizes, default=[7, 5], metavar="N,N,...",
                       help='hidden layer sizes (default 7,5); "" for none (logistic regression)')
    train.add_argument("--activation", default="relu", metavar="NAME[,NAME...]",
                       help=f"hidden activation, one for all or one per layer: {', '.join(HIDDEN_ACTIVATIONS)}")
    train.add_argument("--output", choices=list(OUTPUTS), help="output layer and loss (default: from the labels)")
    train.add_argument("--init", choices=list(INITS), default="he", help="weight initialisation (default he)")
    train.add_argument("--rng", choices=list(RNGS), default="default", help="random generator (default: numpy's Generator)")
    train.add_argument("--seed", type=_count, default=1, help="random seed, 0 or more (legacy: below 2**32; default 1)")
    train.add_argument("--lr", type=_positive_float, default=0.0075, help="learning rate α (default 0.0075)")
    train.add_argument("--iterations", type=_count, default=2500, help="iterations of gradient descent (default 2500)")
    train.add_argument("--print-every", type=_count, default=100, metavar="N", help="print the cost every N iterations (0: only the last)")
    train.add_argument("--trace", metavar="FILE.npz",
                       help='save the initial W1, b1, … and every computed array as "<iteration>/<symbol>" (e.g. 0/dW2)')

    cmp = commands.add_parser(
        "compare", help="compare a trace of your backprop's arrays with nnviz's, operation by operation",
        description="Compare the arrays of a trace (.npz: nnviz's --trace, flat keys W1 … dW1, or the course's "
                    "parameters/ grads/ caches/) with nnviz's, in plan order, and name the first difference.")
    cmp.add_argument("trace", metavar="TRACE.npz", help="the arrays your code computed, by name")
    cmp.add_argument("data", nargs="?", help="X and Y, when the trace does not hold them (any dataset nnviz reads)")
    cmp.add_argument("--label-column", metavar="NAME|INDEX", help="CSV/TSV label column (default: the last)")
    cmp.add_argument("--image-size", type=int, default=64, metavar="N", help="image folders: resize to N×N (default 64)")
    cmp.add_argument("--no-scale", action="store_true", help="keep image values 0..255 instead of dividing by 255")
    cmp.add_argument("--standardize", action="store_true", help="standardise every feature (train mean and std)")
    cmp.add_argument("--hidden", type=_hidden_sizes, default=None, metavar="N,N,...",
                     help="hidden layer sizes (default: what the trace's W[l] imply)")
    cmp.add_argument("--activation", default="relu", metavar="NAME[,NAME...]",
                     help=f"hidden activation, one for all or one per layer: {', '.join(HIDDEN_ACTIVATIONS)}")
    cmp.add_argument("--output", choices=list(OUTPUTS), help="output layer and loss (default: from the labels)")
    cmp.add_argument("--lr", type=_positive_float, default=0.0075, help="learning rate α of the updates (default 0.0075)")
    cmp.add_argument("--tolerance", type=_positive_float, default=None,
                     help="relative tolerance for 'close' (default 1e-6; 1e-4 for float32 traces)")

    info = commands.add_parser("info", help="load a dataset and print its shapes, classes and value ranges")
    _add_data_options(info)

    gui = commands.add_parser("gui", help="open the window (the default)")
    gui.add_argument("data", nargs="?", help="a dataset to open instead of the built-in demo")
    return parser


def _load(args: argparse.Namespace):
    from .data import load_dataset

    label_column: str | int | None = args.label_column
    if label_column is not None and label_column.lstrip("-").isdigit():
        label_column = int(label_column)
    return load_dataset(
        args.data,
        test=args.test,
        label_column=label_column,
        image_size=args.image_size,
        scale=False if args.no_scale else None,
        standardize=args.standardize,
    )


def _activations(text: str, n_hidden: int) -> list[str]:
    from .engine import HIDDEN_ACTIVATIONS

    names = [name.strip() for name in text.split(",")]
    for name in names:
        if name not in HIDDEN_ACTIVATIONS:
            raise UsageError(f"--activation {name!r} is not one of {', '.join(HIDDEN_ACTIVATIONS)}")
    if len(names) == 1:
        return names * n_hidden
    if len(names) != n_hidden:
        raise UsageError(f"--activation lists {len(names)} activations for {n_hidden} hidden layers; give one, or one per layer")
    return names


class TraceWriter:
    """Writes arrays into an .npz one by one (np.load reads it), so a long trace never sits in memory.

    ``handle`` comes from nnviz's atomic writer: the trace appears complete or not at all."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED, allowZip64=True)

    def write(self, name: str, array: np.ndarray) -> None:
        with self.zip.open(name + ".npy", "w", force_zip64=True) as member:
            np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)

    def close(self) -> None:
        self.zip.close()

    def abandon(self) -> None:
        """After a failure: finish the archive quietly (its temporary is about to be removed)."""
        with contextlib.suppress(Exception):
            self.zip.close()


def _train_loop(args: argparse.Namespace, stepper, trace: TraceWriter | None) -> None:
    on_step = None
    if trace:
        def on_step(op, value):
            trace.write(f"{i}/{op.key}", value)  # i: the iteration running now

    warned = False
    for i in range(args.iterations):
        if on_step:
            stepper.run_iteration(on_step)
        else:
            stepper.run_iteration()
        cost = stepper.cost
        last = i == args.iterations - 1
        if last or (args.print_every and i % args.print_every == 0):
            print(f"Cost after iteration {i}: {cost!r}", flush=True)
        if not warned and not math.isfinite(cost):
            warned = True
            print(f"warning: the cost became {cost} at iteration {i}; try a smaller learning rate (--lr)",
                  file=sys.stderr, flush=True)


def train(args: argparse.Namespace) -> int:
    from .atomic import WriteError, atomic_writer
    from .data import check_output_fits
    from .data.memory import check_fits
    from .engine import NetworkSpec, Stepper, accuracy, initialize, predict
    from .engine.limits import check_seed, network_bytes

    dataset = _load(args)
    output = args.output or dataset.default_output()
    check_output_fits(dataset, output)
    hidden = args.hidden
    try:
        spec = NetworkSpec.build(dataset.n_x, hidden, dataset.n_y, _activations(args.activation, len(hidden)), output)
    except ValueError as err:
        raise UsageError(str(err)) from None
    try:
        check_seed(args.rng, args.seed)
    except ValueError as err:
        raise UsageError(f"--seed {args.seed}: {err}") from None
    hidden_text = ",".join(map(str, hidden)) or '""'
    check_fits(f"--hidden {hidden_text}", network_bytes(spec, dataset.m),
               what=f"the {spec} network on {dataset.m} examples")
    params = initialize(spec, args.init, rng=args.rng, seed=args.seed)
    stepper = Stepper(spec, params, dataset.X, dataset.Y, learning_rate=args.lr)
    print(f"Network {spec} ({', '.join(spec.activation(l) for l in range(1, spec.L + 1))}), "
          f"{args.init} initialisation, {args.rng} generator, seed {args.seed}, α = {args.lr}, m = {dataset.m}",
          flush=True)

    # the trace's temporary opens before training: a missing folder or a read-only place fails at once;
    # a full disk later leaves no file behind (and the old trace, if any, as it was)
    interrupted = False
    try:
        with atomic_writer(args.trace) if args.trace else contextlib.nullcontext() as handle:
            trace = TraceWriter(handle) if handle else None
            try:
                if trace:
                    for key, value in params.items():
                        trace.write(key, value)  # what iteration 0 starts from, so `nnviz compare` can check it too
                _train_loop(args, stepper, trace)
            except KeyboardInterrupt:
                interrupted = True  # keep the iterations traced so far: the trace is still written whole
            except BaseException:
                if trace:
                    trace.abandon()
                raise
            if trace:
                trace.close()
    except WriteError as err:
        raise UsageError(f"--trace {err}") from None
    if interrupted:
        raise KeyboardInterrupt

    params = stepper.parameters
    for label, X, Y in (("Train", dataset.X, dataset.Y), ("Test", dataset.X_test, dataset.Y_test)):
        if X is None:
            continue
        A = predict(spec, params, X)
        score = accuracy(spec, A, Y)
        if score is None:
            diff = A - Y
            print(f"{label} mean squared error: {float(np.mean(diff * diff))!r}")
        else:
            print(f"{label} accuracy: {score!r}")
    return 0


def compare(args: argparse.Namespace) -> int:
    """Print the comparison table and its last line; 0 when every array matches, 1 when one differs."""
    from .debugging import compare as compare_arrays, load_trace
    from .engine.trace import TraceError

    trace = None
    try:
        trace = load_trace(args.trace)
        X = Y = None
        if args.data:
            args.test = None
            dataset = _load(args)
            X, Y = dataset.X, dataset.Y
        elif trace.x_key is None or trace.y_key is None:
            raise UsageError(f"{Path(args.trace).name} holds no X and Y: give the data too, "
                             f"nnviz compare {args.trace} DATA")
        n_hidden = len(trace.sizes()) - 2
        report = compare_arrays(trace=trace, X=X, Y=Y, hidden_sizes=args.hidden,
                                activation=_activations(args.activation, n_hidden), output=args.output,
                                learning_rate=args.lr, tolerance=args.tolerance)
    except TraceError as err:
        raise UsageError(str(err)) from None
    finally:
        if trace is not None and hasattr(trace.source, "close"):
            trace.source.close()
    print(report)
    return 0 if report.all_match else 1


def info(args: argparse.Namespace) -> int:
    from .data import describe

    print(describe(_load(args)))
    return 0


def gui(data: str | None = None) -> int:
    from .app import main as app_main

    return app_main(data)


def main(argv: Sequence[str] | None = None) -> int:
    from .data import DataError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a mistake already told in one line
        return int(done.code or 0)
    if args.command is None:
        return gui()
    if args.command == "gui":
        return gui(args.data)
    try:
        return {"train": train, "info": info, "compare": compare}[args.command](args)
    except (DataError, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
