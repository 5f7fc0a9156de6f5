"""One consistent training state as the views show it, made on the thread that made the state.

The session's worker takes a Snapshot after every job and, while Run trains, a few times a
second; the views' numpy work that grows with the network (diagnostics, weight peaks for the
diagram, heatmaps prepared for the inspector, the decision boundary) is registered with
``Session.derive`` and runs as part of taking it.  So the GUI thread only copies numbers into
widgets -- it never waits for large arrays and never enters BLAS while training runs -- and
every view shows the same iteration.

Thread policy (BLAS): OpenBLAS has one pool of threads for the whole process, shared by
every thread that calls it, and two threads entering it at once make both wait (measured
50-100x slower on 2 cores).  nnviz therefore has one thread doing linear algebra at a
time: the session's worker (training and every derivation); the GUI thread gets
finished numbers.  The pool size is left at OpenBLAS's default (the cores), which
``benchmarks/bench_gui.py`` compares with 1 thread; ``limit_blas_threads`` pins it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..engine import NetworkSpec, StepRecord, Stepper

log = logging.getLogger(__name__)

Derivation = Callable[["Snapshot"], Any]


@dataclass
class Snapshot:
    """The state at one moment: the last record, every array, the position, and what views derived.

    ``operands`` are (key, array) of the record's operands as its operation used them (an
    update's old parameter, or None when step-back history does not keep it or Run is going).
    ``derived[name]`` is what the derivation registered as ``name`` computed from this state
    (None when it failed; the failure is logged).
    """

    spec: NetworkSpec
    record: StepRecord | None
    values: dict[str, np.ndarray]
    iteration: int
    position: int
    operands: tuple[tuple[str, np.ndarray | None], ...]
    learning_rate: float
    running: bool
    derived: dict[str, Any] = field(default_factory=dict)

    @property
    def shown_iteration(self) -> int:
        """The iteration of the operation shown (the one in progress before the first)."""
        return self.record.iteration if self.record is not None else self.iteration


def take_snapshot(stepper: Stepper, running: bool, derivations: dict[str, Derivation]) -> Snapshot:
    """The stepper's state now, with every derivation computed (call it on the thread that trains)."""
    record = stepper.last_record()
    values = dict(stepper.values)
    operands: list[tuple[str, np.ndarray | None]] = []
    if record is not None:
        for key in record.op.operands:
            if key == record.key:  # an update reads the parameter it overwrites
                operands.append((key, None if running else stepper.replaced_value(key)))
            else:
                operands.append((key, values.get(key)))
    snapshot = Snapshot(stepper.spec, record, values, stepper.iteration, stepper.position, tuple(operands),
                        stepper.learning_rate, running)
    for name, derive in list(derivations.items()):
        try:
            snapshot.derived[name] = derive(snapshot)
        except Exception:  # a view's derivation must never stop training
            log.exception("deriving %s failed", name)
            snapshot.derived[name] = None
    return snapshot


def limit_blas_threads(threads: int | None) -> None:
    """Pin BLAS (OpenBLAS, MKL, BLIS) to ``threads`` threads for the whole process; None keeps the default."""
    if threads is None:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=int(threads), user_api="blas")
