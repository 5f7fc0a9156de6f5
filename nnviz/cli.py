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


def _number(text: str, cast: type, fits, expected: str):
    """``text`` as an int or float that ``fits``; otherwise an argparse error saying what was expected."""
    try:
        value = cast(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a {'whole number' if cast is int else 'number'}, got {text!r}")
    if not (math.isfinite(value) and fits(value)):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    return _number(text, float, lambda v: v > 0, "a positive number")


def _count(text: str) -> int:
    return _number(text, int, lambda v: v >= 0, "0 or more")


def _at_least_one(text: str) -> int:
    return _number(text, int, lambda v: v >= 1, "1 or more")


def _beta(text: str) -> float:
    return _number(text, float, lambda v: 0 <= v < 1, "a number from 0 to below 1")


def _non_negative(text: str) -> float:
    return _number(text, float, lambda v: v >= 0, "0 or a positive number")


def _keep_probs(text: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--keep-prob takes numbers separated by commas, e.g. 0.86,0.86; got {text!r}")
    if any(not 0 < p <= 1 for p in values):
        raise argparse.ArgumentTypeError(f"every keep probability is above 0 and at most 1; got {text!r}")
    return values


def _add_data_options(parser: argparse.ArgumentParser, data_help: str | None = None) -> None:
    """DATA and how to read it; with ``data_help`` DATA is optional and there is no --test."""
    if data_help is None:
        parser.add_argument("data", help="a data file (.csv .tsv .npz .npy .h5), an image folder, or demo:NAME")
        parser.add_argument("--test", metavar="FILE", help="a test split in the same format")
    else:
        parser.add_argument("data", nargs="?", help=data_help)
    parser.add_argument("--label-column", metavar="NAME|INDEX", help="CSV/TSV label column (default: the last)")
    parser.add_argument("--image-size", type=int, default=64, metavar="N", help="image folders: resize to N×N (default 64)")
    parser.add_argument("--no-scale", action="store_true", help="keep image values 0..255 instead of dividing by 255")
    parser.add_argument("--standardize", action="store_true", help="standardise every feature (train mean and std)")


def build_parser() -> argparse.ArgumentParser:
    from .engine import HIDDEN_ACTIVATIONS, INITS, OPTIMIZERS, OUTPUTS, RNGS

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
    course2 = train.add_argument_group("optimisers, mini-batches and regularisation")
    course2.add_argument("--optimizer", choices=list(OPTIMIZERS), default="gd", help="how W learns (default gd)")
    course2.add_argument("--beta", type=_beta, default=0.9, help="momentum's β (default 0.9)")
    course2.add_argument("--beta1", type=_beta, default=0.9, help="Adam's β₁ (default 0.9)")
    course2.add_argument("--beta2", type=_beta, default=0.999, help="Adam's and RMSprop's β₂ (default 0.999)")
    course2.add_argument("--epsilon", type=_positive_float, default=1e-8, help="ε of RMSprop and Adam (default 1e-8)")
    course2.add_argument("--batch-size", type=_at_least_one, metavar="N", help="mini-batches of N examples (default: all m)")
    course2.add_argument("--epochs", type=_count, metavar="N",
                         help="train N epochs and print the cost per epoch (default with --batch-size: --iterations)")
    course2.add_argument("--batch-seed", type=int, default=10, metavar="S",
                         help="seed of the epochs' permutations (default 10; with --rng legacy epoch e uses S + e + 1)")
    course2.add_argument("--lr-decay", type=_non_negative, default=0.0, metavar="RATE",
                         help="α = α₀/(1 + RATE·epoch) (default 0: no decay)")
    course2.add_argument("--decay-interval", type=_at_least_one, metavar="N",
                         help="with --lr-decay: α = α₀/(1 + RATE·⌊epoch/N⌋), the staircase")
    course2.add_argument("--l2", type=_non_negative, default=0.0, metavar="LAMBDA", help="L2 regularisation λ (default 0)")
    course2.add_argument("--keep-prob", type=_keep_probs, metavar="P[,P2...]",
                         help="inverted dropout: one keep probability for every hidden layer, or one each")
    course2.add_argument("--batch-norm", action="store_true", help="batch normalisation on every hidden layer")
    course2.add_argument("--init-scale", type=_positive_float, metavar="S", help="--init normal: W = randn·S (default 1)")


    cmp = commands.add_parser(
        "compare", help="compare a trace of your backprop's arrays with nnviz's, operation by operation",
        description="Compare the arrays of a trace (.npz: nnviz's --trace, flat keys W1 … dW1, or the course's "
                    "parameters/ grads/ caches/) with nnviz's, in plan order, and name the first difference.")
    cmp.add_argument("trace", metavar="TRACE.npz", help="the arrays your code computed, by name")
    _add_data_options(cmp, "X and Y, when the trace does not hold them (any dataset nnviz reads)")
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

    animate = commands.add_parser("animate", help="render a range of operations of a session as GIF, APNG or MP4")
    animate.add_argument("session", metavar="SESSION.nnviz", help="a session saved by the window")
    animate.add_argument("--from", dest="start", required=True, metavar="OP",
                         help="first operation (a plan key: Z1, J, dW2): its next occurrence from the session's step")
    animate.add_argument("--to", dest="end", required=True, metavar="OP", help="last operation: its next occurrence after --from")
    animate.add_argument("--iterations", type=_count, default=0, metavar="N",
                         help="end N iterations later (--from Z1 --to b3 --iterations 49: 50 iterations)")
    animate.add_argument("--size", default="1920x1080", metavar="WxH", help="frame size in pixels (default 1920x1080)")
    animate.add_argument("--seconds-per-step", type=_positive_float, default=1.0, metavar="S",
                         help="how long each operation is shown (default 1)")
    animate.add_argument("--out", required=True, metavar="FILE", help="FILE.gif, FILE.png (animated PNG) or FILE.mp4")

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
    """Train and print the cost: per epoch with mini-batches (or --epochs), else per iteration."""
    on_step = None
    if trace:
        def on_step(op, value):
            # the update the operation belongs to (the last operation has already moved the count on)
            update = stepper.iteration - (1 if stepper.position == 0 else 0)
            trace.write(f"{update}/{op.key}", value)

    if args.epochs is not None or stepper.training.uses_batches(stepper.m_total):
        _train_epochs(stepper, args.iterations if args.epochs is None else args.epochs, args.print_every, on_step)
    else:
        _train_iterations(stepper, args.iterations, args.print_every, on_step)


def train(args: argparse.Namespace) -> int:
    from .atomic import WriteError, atomic_writer
    from .data import check_output_fits
    from .data.memory import check_fits
    from .engine import NetworkSpec, Stepper, Training, accuracy, initialize, predict
    from .engine.limits import check_seed, network_bytes

    dataset = _load(args)
    output = args.output or dataset.default_output()
    check_output_fits(dataset, output)
    hidden = args.hidden
    keep = args.keep_prob or [1.0]
    if len(keep) not in (1, len(hidden)):
        raise UsageError(f"--keep-prob lists {len(keep)} probabilities for {len(hidden)} hidden layers; give one, or one per layer")
    if args.decay_interval is not None and not args.lr_decay:
        raise UsageError("--decay-interval needs --lr-decay RATE")
    if args.init_scale is not None and args.init != "normal":
        raise UsageError("--init-scale applies to --init normal")
    try:
        spec = NetworkSpec.build(dataset.n_x, hidden, dataset.n_y, _activations(args.activation, len(hidden)), output,
                                 keep_prob=keep * len(hidden) if len(keep) == 1 else keep, batch_norm=args.batch_norm)
        training = Training(optimizer=args.optimizer, learning_rate=args.lr, beta=args.beta, beta1=args.beta1,
                            beta2=args.beta2, epsilon=args.epsilon, batch_size=args.batch_size,
                            batch_seed=args.batch_seed, rng=args.rng, lr_decay=args.lr_decay,
                            decay_interval=args.decay_interval, l2=args.l2)
    except ValueError as err:
        raise UsageError(str(err)) from None
    try:
        check_seed(args.rng, args.seed)
    except ValueError as err:
        raise UsageError(f"--seed {args.seed}: {err}") from None
    hidden_text = ",".join(map(str, hidden)) or '""'
    check_fits(f"--hidden {hidden_text}", network_bytes(spec, dataset.m),
               what=f"the {spec} network on {dataset.m} examples")
    params = initialize(spec, args.init, rng=args.rng, seed=args.seed, scale=args.init_scale)
    stepper = Stepper(spec, params, dataset.X, dataset.Y, training=training)
    print(f"Network {spec} ({', '.join(spec.activation(l) for l in range(1, spec.L + 1))}), "
          f"{args.init} initialisation, {args.rng} generator, seed {args.seed}, α = {args.lr}, m = {dataset.m}",
          flush=True)
    extras = _training_text(training, spec, dataset.m)
    if extras:
        print(extras, flush=True)

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

    params = stepper.values  # the parameters, and batch norm's running averages for prediction
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


def _training_text(training, spec, m: int) -> str:
    """One line on what is not plain full-batch gradient descent (nothing when it is)."""
    parts = []
    if training.optimizer != "gd":
        from .engine import OPTIMIZERS

        parts.append(OPTIMIZERS[training.optimizer].title.split(":")[0])
    if training.uses_batches(m):
        parts.append(f"mini-batches of {training.batch_size} ({training.batches(m)} an epoch)")
    if training.lr_decay:
        parts.append(f"α decays at rate {training.lr_decay:g}"
                     + (f" every {training.decay_interval} epochs" if training.decay_interval else ""))
    if training.l2:
        parts.append(f"L2 λ = {training.l2:g}")
    if any(p < 1 for p in spec.keep_prob):
        parts.append("dropout keep_prob " + ",".join(f"{p:g}" for p in spec.keep_prob))
    if any(spec.batch_norm):
        parts.append("batch norm")
    return ", ".join(parts)


def _warn_nonfinite(cost: float, where: str) -> None:
    print(f"warning: the cost became {cost} at {where}; try a smaller learning rate (--lr)", file=sys.stderr, flush=True)


def _train_epochs(stepper, epochs: int, print_every: int, on_step) -> None:
    """Print 'Cost after epoch e: C' every print_every epochs and at the last; C is the epoch's cost as
    the course computes it (each batch's loss before its update, over m; the L2 term added)."""
    from .engine.batches import EpochCost

    tracker, warned = EpochCost(), False
    for e in range(epochs):
        cost = None
        while cost is None:
            if on_step:
                stepper.run_iteration(on_step)
            else:
                stepper.run_iteration()
            cost = tracker.add(stepper)
        if e == epochs - 1 or (print_every and e % print_every == 0):
            print(f"Cost after epoch {e}: {cost!r}", flush=True)
        if not warned and not math.isfinite(cost):
            warned = True
            _warn_nonfinite(cost, f"epoch {e}")


def _train_iterations(stepper, iterations: int, print_every: int, on_step) -> None:
    warned = False
    for i in range(iterations):
        if on_step:
            stepper.run_iteration(on_step)
        else:
            stepper.run_iteration()
        cost = stepper.cost
        if i == iterations - 1 or (print_every and i % print_every == 0):
            print(f"Cost after iteration {i}: {cost!r}", flush=True)
        if not warned and not math.isfinite(cost):
            warned = True
            _warn_nonfinite(cost, f"iteration {i}")


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


def animate(args: argparse.Namespace) -> int:
    """Render offscreen with Qt (imported only here, so train and info stay Qt-free)."""
    from .app.animation import AnimationError, run_command

    try:
        return run_command(args.session, args.start, args.end, args.out, args.size, args.seconds_per_step,
                           args.iterations)
    except AnimationError as err:
        raise UsageError(str(err)) from None


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
        return {"train": train, "info": info, "compare": compare, "animate": animate}[args.command](args)
    except (DataError, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
