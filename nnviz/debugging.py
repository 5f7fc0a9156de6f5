"""Debug your own backprop from Python: ``nnviz.compare(parameters, X, Y, caches=…, grads=…)``.

Joins the data layer (trace files, datasets) and the engine's comparison; ``Report.show()``
opens the window on the comparison.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .engine.compare import CompareReport, compare_trace
from .engine.trace import DictSource, Trace, TraceError, course_arrays, parse_trace, spec_from_trace

__all__ = ["Report", "TraceError", "compare", "load_trace"]


class Report(CompareReport):
    """A comparison's outcome: ``print(report)``, ``report.first_difference``, ``report.show()``."""

    trace: Trace | None = None
    X: np.ndarray | None = None
    Y: np.ndarray | None = None

    def show(self) -> int:
        """Open nnviz's window on this comparison (blocks until the window is closed)."""
        from .app.comparison import show_report

        return show_report(self)


def _column_rows(Y: Any) -> np.ndarray:
    Y = np.asarray(Y, dtype=np.float64)
    return Y.reshape(1, -1) if Y.ndim == 1 else Y


def load_trace(source: str | os.PathLike | Mapping[str, Any], where: str | None = None) -> Trace:
    """A trace from an .npz path or a dict of arrays by trace key (see ``nnviz.engine.trace``)."""
    if isinstance(source, (str, os.PathLike)):
        from .data.trace import open_trace

        path = Path(source)
        return parse_trace(open_trace(path), where or path.name)
    groups = {k: source.get(k) for k in ("parameters", "caches", "grads", "updated")}
    rest = {k: v for k, v in source.items() if k not in groups}
    return parse_trace(DictSource(course_arrays(**groups, **rest)), where or "the trace")


def compare(
    parameters: Mapping[str, Any] | None = None,
    X: Any = None,
    Y: Any = None,
    *,
    caches: Sequence[Any] | Mapping[str, Any] | None = None,
    grads: Mapping[str, Any] | None = None,
    updated: Mapping[str, Any] | None = None,
    trace: str | os.PathLike | Mapping[str, Any] | Trace | None = None,
    hidden_sizes: Sequence[int] | None = None,
    activation: str | Sequence[str] = "relu",
    output: str | None = None,
    learning_rate: float = 0.0075,
    tolerance: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    **arrays: Any,
) -> Report:
    """Compare an implementation's arrays with nnviz's, operation by operation.

    ``parameters`` (W1, b1, …) start the reference; ``caches`` is the course's list of
    ((A_prev, W, b), Z) or a dict (Z1, A1, …); ``grads`` the course's dA1, dW1, db1, …;
    ``updated`` the parameters after the update; further arrays by name (``AL=…``, ``cost=…``,
    ``dZ2=…``).  Or ``trace=`` an .npz path or a dict in any trace layout.  X is (n_x, m) and Y
    (n_y, m), as the notes write them; the design follows the shapes (``activation`` for the
    hidden layers, ``output`` from the labels unless given).  ``progress(done, total)`` is called
    after each iteration compared (it may raise to stop).
    """
    if isinstance(trace, Trace):
        parsed = trace
    elif trace is not None:
        parsed = load_trace(trace)
    else:
        parsed = parse_trace(DictSource(course_arrays(parameters, caches, grads, updated, **arrays)))
    if X is None and parsed.x_key:
        X = parsed.read(parsed.x_key)
    if Y is None and parsed.y_key:
        Y = parsed.read(parsed.y_key)
    if X is None or Y is None:
        raise TraceError("X and Y are needed (the trace holds no X or Y): pass them, or a dataset on the "
                         "command line")
    X = np.asarray(X, dtype=np.float64)
    Y = _column_rows(Y)
    if X.ndim != 2:
        raise TraceError(f"X has shape {X.shape}; it must be (n_x, m), one example per column")
    if X.shape[1] != Y.shape[1] and X.shape[0] == Y.shape[1]:
        raise TraceError(f"X is {X.shape[0]}×{X.shape[1]} but Y has {Y.shape[1]} examples: X must be "
                         "(n_x, m), one example per column (X.T?)")
    spec = spec_from_trace(parsed, Y, activation, output, hidden_sizes)
    base = compare_trace(parsed, spec, X, Y, learning_rate, tolerance, progress)
    report = Report(**{f: getattr(base, f) for f in base.__dataclass_fields__})
    report.trace, report.X, report.Y = parsed, X, Y
    return report
