"""One consistent training state as the views show it, made on the thread that made the state.

The session's worker takes a Snapshot after every job and, while Run trains, a few times a
second; the views' numpy work that grows with the network (diagnostics, weight peaks for the
diagram, heatmaps prepared for the inspector, the decision boundary) is registered with
``Session.derive`` and runs as part of taking it.  So the GUI thread only copies numbers into
widgets -- it never waits for large arrays and never enters BLAS while training runs -- and
every view shows the same iteration.

Thread policy (BLAS): OpenBLAS has one pool of threads for the whole process, and its threads
spin while they wait for work, so a pool as large as the machine collapses when anything else
wants a core -- another program, or the window's own thread painting.  Measured on 2 cores
(``benchmarks/bench_gui.py``): 2 threads train the notes' network 1.7x faster than 1 on an
idle machine, but 10x slower than 1 while other programs load it.  So:

* one thread does linear algebra at a time: the session's worker (training and every
  derivation above); the GUI thread gets finished numbers and never enters BLAS while training;
* the window pins BLAS to one thread fewer than the cores (1 on 2 cores), leaving a core for
  painting (``window_blas_threads``; NNVIZ_BLAS_THREADS overrides it); the command line, which
  paints nothing, keeps OpenBLAS's default.
"""
from __future__ import annotations

import logging
import os
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
    (None when it failed; the failure is logged), or for ``pending`` names its previous value.
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
    pending: set[str] = field(default_factory=set)  # slow derivations still to compute on the worker (their old values)

    @property
    def shown_iteration(self) -> int:
        """The iteration of the operation shown (the one in progress before the first)."""
        return self.record.iteration if self.record is not None else self.iteration


class _Reads(dict):
    """The values, recording which keys a computation read (iterating over them reads them all)."""

    def __init__(self, values: dict[str, np.ndarray]) -> None:
        super().__init__(values)
        self.read: set[str] = set()
        self.all = False

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.read.add(key)  # type: ignore[arg-type]
        return super().__contains__(key)

    def _everything(self) -> None:
        self.all = True

    def __iter__(self):
        self._everything()
        return super().__iter__()

    def keys(self):
        self._everything()
        return super().keys()

    def values(self):
        self._everything()
        return super().values()

    def items(self):
        self._everything()
        return super().items()


class SameArrays:
    """A derivation computed again only when an array it read was replaced.

    ``compute(values, snapshot)`` gets the snapshot's values as a dict that records what it reads;
    while every array read is the same object (arrays are never changed in place: a step replaces
    the one it writes) and ``depends(snapshot)`` is equal, the last result is returned as it was.
    A step changes one array, so e.g. the diagnostics are worked out again only when a Z, W or dW
    they read changed."""

    def __init__(self, compute: Callable[[dict[str, np.ndarray], "Snapshot"], Any],
                 depends: Callable[["Snapshot"], Any] = lambda snapshot: ()) -> None:
        self.compute = compute
        self.depends = depends
        self._last: tuple[Any, dict[str, Any] | None, Any] | None = None  # (depends, what was read, result)

    def __call__(self, snapshot: "Snapshot") -> Any:
        depends, values = self.depends(snapshot), snapshot.values
        if self._last is not None:
            last_depends, read, result = self._last
            if last_depends == depends and read is not None and \
                    all(values.get(key, _MISSING) is array for key, array in read.items()):
                return result
        reads = _Reads(values)
        result = self.compute(reads, snapshot)
        read = None if reads.all else {key: values.get(key, _MISSING) for key in reads.read}
        self._last = (depends, read, result)
        return result


_MISSING = object()  # a key that was read but absent: it must stay absent


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
    snapshot.derived.update(take_snapshot_derived(snapshot, derivations))
    return snapshot


def take_snapshot_derived(snapshot: Snapshot, derivations: dict[str, Derivation]) -> dict[str, Any]:
    """name -> what each derivation computes from ``snapshot`` (None where it failed; logged)."""
    derived: dict[str, Any] = {}
    for name, derive in list(derivations.items()):
        try:
            derived[name] = derive(snapshot)
        except Exception:  # a view's derivation must never stop training
            log.exception("deriving %s failed", name)
            derived[name] = None
    return derived


def window_blas_threads() -> int:
    """BLAS threads for the window: NNVIZ_BLAS_THREADS if set, else one fewer than the cores (at least 1)."""
    chosen = os.environ.get("NNVIZ_BLAS_THREADS", "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    return max(1, (os.cpu_count() or 1) - 1)


def limit_blas_threads(threads: int) -> bool:
    """Pin BLAS (OpenBLAS, MKL, BLIS) to ``threads`` threads for the whole process, from now on;
    False when threadpoolctl is not installed (the default pool stays)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        log.warning("threadpoolctl is not installed: BLAS keeps its default number of threads")
        return False
    threadpool_limits(limits=int(threads), user_api="blas")
    log.debug("BLAS limited to %d thread(s)", threads)
    return True
