"""The session: owns the dataset, the design, the stepper and the history; announces changes.

Views read its attributes and change it only through its methods.  Every
computation (a step, a pass, Run, loading a file, building a large network,
restoring a session) runs on a worker thread, so the window never freezes;
results come back as signals on the GUI thread, with a Snapshot (snapshot.py)
that carries what the views derive from the arrays, computed on that thread too.
Small networks are built in place: their work takes milliseconds.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, QTimer, Qt, Signal, Slot
from PySide6.QtGui import QUndoStack

from ..data import DataError, Dataset, check_output_fits, load_dataset, load_demo, worded
from ..data.errors import FixWording
from ..data.memory import check_fits
from ..engine import NetworkSpec, Operation, StepRecord, Stepper, initialize, plan_shapes, shape_text
from ..engine.history import History, gradient_norms
from ..engine.limits import network_bytes
from ..engine.stepper import DEFAULT_HISTORY_BYTES, count_nonfinite
from .design import Design
from .persist import SessionFileError, SessionState, check_state, load_session, save_session
from .snapshot import Derivation, Snapshot, take_snapshot, take_snapshot_derived
from .undo import DesignEdit, describe_edit

log = logging.getLogger(__name__)

# failures a user can cause (a bad file, a full disk): a message, not an internal error
EXPECTED_ERRORS = (DataError, SessionFileError, OSError)

LONG_RUN = 100  # a reset asks first when this many iterations are unsaved
RUN_SLICE = 0.025  # seconds a run trains before it hands the GIL to the window's thread once
# While Run trains, the views show a snapshot at most every PROGRESS_INTERVAL seconds (4 redraws a
# second) and at least every LONGEST_PROGRESS_INTERVAL; in between, as often as showing them takes
# at most VIEW_SHARE of the time.  Showing one is taking it on the worker, then every view's update
# and paint on the window's thread while the worker waits (at most SHOW_WAIT): painting at the same
# time as training made both fight over the GIL and the memory, and a redraw that takes 20 ms alone
# cost xor's 2-8-8-1 about 100 ms of training.
PROGRESS_INTERVAL = 0.25
LONGEST_PROGRESS_INTERVAL = 1.0
VIEW_SHARE = 0.03
SHOW_WAIT = 0.5
# While Run trains, step back keeps its last RUN_HISTORY_ITERATIONS whole iterations, or up to
# RUN_HISTORY_BYTES when they are smaller (never more than Preferences allows): every array kept
# alive is memory the next iteration cannot reuse while it is still in the cache, and on xor's
# 2-8-8-1 keeping 8 MB (50 iterations) cost a fifth of its speed, 1 MB 2 % more than 330 KB.
RUN_HISTORY_ITERATIONS = 2
RUN_HISTORY_BYTES = 256 * 1024
LIGHT_ENTRIES = 3_000_000  # networks whose largest array is no bigger are built and stepped back in place
# a single Step is performed in place (no round trip through the worker, no busy flicker of the
# toolbar) when a forward pass over the training examples -- more than any one operation computes --
# takes at most this many multiply-adds (the notes' 12288-7-5-1 on 209 pictures: 18 million, a few
# milliseconds on one core); slow derivations (a forward pass over all the data) still go to the worker
IN_PLACE_STEP_MACS = 40_000_000


def is_light(spec: NetworkSpec, m: int) -> bool:
    """Whether the network's largest array on ``m`` examples is small enough to build and step back in place."""
    return max(int(np.prod(shape)) for shape in plan_shapes(spec, m).values()) <= LIGHT_ENTRIES


# posted after a snapshot's updates: below the priority of the paints they asked for, so it arrives
# once the window has painted them.  A pyqtgraph view paints at the end of a chain of posted events
# (the scene's changes, then its viewport's update request), each posted while the one before is
# delivered and so queued behind the notice; a view's deferred refresh is a zero timer, fired in the
# next round: the notice goes round the queue SHOWN_HOPS times (on xor 40 % of the window's paints
# came after a notice that went round once, 5 % after three rounds, none after eight; each of those
# paints took the GIL from training).  A round with nothing queued takes microseconds.
_SHOWN = QEvent.Type(QEvent.registerEventType())
_AFTER_PAINTS = int(Qt.EventPriority.LowEventPriority.value) - 1
SHOWN_HOPS = 8


class _Shown(QObject):
    """Tells the waiting worker that the window has shown the snapshot (see SHOW_WAIT)."""

    def __init__(self, shown: threading.Event) -> None:
        super().__init__()
        self.shown = shown
        self._hops = 0

    def post(self, hops: int = SHOWN_HOPS) -> None:
        self._hops = hops
        QCoreApplication.postEvent(self, QEvent(_SHOWN), _AFTER_PAINTS)

    def event(self, event: QEvent) -> bool:
        if event.type() == _SHOWN:
            self._hops -= 1
            if self._hops > 0:  # round the queue again: paints posted meanwhile come first
                QCoreApplication.postEvent(self, QEvent(_SHOWN), _AFTER_PAINTS)
            else:
                self.shown.set()
            return True
        return super().event(event)


class Breakpoint(Exception):
    """Raised inside a job to stop it after the operation just performed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Worker(QObject):
    """Runs one job at a time on the session's thread."""

    finished = Signal(object, object, object)  # job id, result, error
    progress = Signal(object)  # a snapshot while running

    @Slot(object, object)
    def execute(self, job_id: object, job: Callable[[], Any]) -> None:
        try:
            result = job()
        except Exception as err:  # reported to the user by the session; never kills the thread
            self.finished.emit(job_id, None, err)
            return
        self.finished.emit(job_id, result, None)


class Session(QObject):
    """One open network on one dataset, and its training state."""

    dataset_changed = Signal()
    design_changed = Signal()
    network_changed = Signal()  # a new network: training starts over
    stepped = Signal()  # position, record or values changed
    derived_arrived = Signal()  # slow derivations of the state shown came from the worker (see ``derive``)
    history_changed = Signal()
    busy_changed = Signal(bool)
    running_changed = Signal(bool)
    paused = Signal(str)  # why a run or a pass stopped early
    message = Signal(str)  # status-bar text
    error = Signal(str, str)  # title, one-line message for a message box
    breakpoints_changed = Signal()
    auto_step_changed = Signal(bool)
    saved_changed = Signal()  # the unsaved-work state or the session's file changed
    example_followed = Signal(object)  # the example j being followed (int), or None

    _submit = Signal(object, object)

    def __init__(self, dataset: Dataset | None = None, design: Design | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.dataset: Dataset = dataset if dataset is not None else load_demo("images")
        self.design: Design = self._fit_output(design or Design(), self.dataset)
        self.history_budget = DEFAULT_HISTORY_BYTES
        self.break_on_nonfinite = True
        self.breakpoints: set[str] = set()  # keys of operations that pause a run after they are performed
        self.grad_norm_high: float | None = None  # pause when some ‖dW[l]‖ exceeds it (exploding)
        self.grad_norm_low: float | None = None  # pause when some ‖dW[l]‖ falls below it (vanishing)
        # called on the worker after every operation with (op, values); a non-empty string pauses there
        # (a watcher makes Run go operation by operation: register one only while it has work)
        self.op_watchers: list[Callable[[Operation, dict[str, np.ndarray]], str | None]] = []
        # called on the worker with the values at the end of a completed iteration (Run keeps its fast
        # whole-iteration path for these); each returns how many iterations until it wants the next
        # call (None: the next one), so that one which records every 10th costs Run nothing in between
        self.iteration_watchers: list[Callable[[dict[str, np.ndarray]], int | None]] = []
        self._watch_countdown = 0  # iterations until the iteration watchers are called again
        self.file_path: str | None = None  # the session file last saved or opened
        self.followed_example: int | None = None  # example j highlighted in every matrix and in Data
        self.run_rate: float | None = None  # iterations a second Run may train (None: as fast as it can)
        self._run_limit: int | None = None  # iterations the current run trains at most (None: until paused)
        # asks before unsaved training is thrown away: (what the user is about to do, at_least) -> go on?
        # The window installs its Save / Discard / Cancel question; without one (scripts) nothing asks.
        self.discard_guard: Callable[[str, int], bool] | None = None
        self.fix_wording: FixWording | None = None  # how the front end words a data error's fix
        self._saved_iteration: int | None = None
        self._saved_position = 0
        self._history_dropped_seen = 0
        self.undo_stack = QUndoStack(self)  # design edits
        self._auto_timer = QTimer(self)
        self._auto_timer.timeout.connect(self._auto_tick)
        self.busy = False
        self.running = False
        self._stop = threading.Event()
        self._job_id = 0
        self._callbacks: dict[int, tuple[Callable, Callable | None]] = {}
        self._when_idle: list[Callable[[], None]] = []
        self._derivations: dict[str, Derivation] = {}
        self._slow: set[str] = set()  # derivations never computed on the window's thread (see ``derive``)
        self._in_place = False  # a light job runs on the window's thread now
        self._quiet: dict[int, Callable[[Any], None]] = {}  # worker jobs that leave ``busy`` alone
        self._wanted: set[str] = set()  # derivations derive_again computes next
        self._deriving_now = False
        self.activity = ""  # what the worker is computing, for a busy indicator ("" when it is not)
        self.stoppable = False  # the job in progress honours pause() (Run, a pass, a step)
        self._latest: Snapshot | None = None  # the newest run snapshot, not yet shown
        self._progress_interval = PROGRESS_INTERVAL  # seconds between run snapshots (see VIEW_SHARE)
        self._shown = threading.Event()  # set when the window has shown the last run snapshot
        self._shown_notice = _Shown(self._shown)
        self._batch_shapes: tuple[tuple, dict[str, tuple[int, int]]] | None = None  # plan_shapes(), and of what
        self._thread = QThread()
        self._thread.setObjectName("nnviz-session")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.execute)
        self._worker.finished.connect(self._job_finished)
        self._worker.progress.connect(self._show_progress)
        self._thread.start()
        spec = self.design.spec(self.dataset.n_x, self.dataset.n_y)
        self._install(self.dataset, self.design, True, *self._make(spec, self.dataset, self.design, None))

    # -- the state views read --------------------------------------------------
    spec: NetworkSpec
    stepper: Stepper
    history: History
    shown: Snapshot  # the state shown: record, values, iteration, position and derived come from it
    record: StepRecord | None
    values: dict[str, np.ndarray]
    iteration: int
    position: int

    @property
    def derived(self) -> dict[str, Any]:
        """What the views' derivations computed from the state shown (see ``derive``)."""
        return self.shown.derived

    @property
    def shown_iteration(self) -> int:
        """The iteration of the operation shown: the toolbar, the diagram and the inspector all say this one."""
        return self.shown.shown_iteration

    def derive(self, name: str, compute: Derivation, slow: bool = False) -> None:
        """Have ``compute(snapshot)`` run wherever a state is made (the worker, while training), its result
        in ``derived[name]`` when ``stepped`` arrives.  It must be plain numpy: no Qt, no widgets.

        A ``slow`` one (a forward pass over the data, a watch expression) never runs on the window's
        thread: a state a light job made there carries its previous value, and a worker job computes it
        and emits ``derived_arrived`` (``deriving`` meanwhile); its view listens to both signals."""
        self._derivations[name] = compute
        if slow:
            self._slow.add(name)
        self.rederive()

    @property
    def deriving(self) -> bool:
        """Slow derivations of the state shown are still being computed on the worker."""
        return bool(self._quiet)

    def derive_again(self, names: set[str] | None = None) -> None:
        """Compute derivations ``names`` (default: those the state shown still lacks) of the state shown
        again on the worker, then emit ``derived_arrived`` (unless another state is shown or training
        runs by then).  ``busy`` stays as it is: a Step pressed meanwhile runs after it.  One at a time: the
        newest state is derived when the one in progress is done."""
        if not hasattr(self, "shown"):
            return
        self._wanted |= set(self.shown.pending if names is None else names) & set(self._derivations)
        if not self._wanted or self._deriving_now:
            return
        snapshot, names, self._wanted = self.shown, self._wanted, set()
        derivations = {name: self._derivations[name] for name in names}
        self._deriving_now = True

        def job() -> dict[str, Any]:
            return take_snapshot_derived(snapshot, derivations)

        def done(derived: dict[str, Any]) -> None:
            self._deriving_now = False
            if self.shown is snapshot and not self.running:
                snapshot.derived.update(derived)
                snapshot.pending = set()
                self.derived_arrived.emit()
            elif self.shown is not snapshot:
                self._wanted |= names - set(self._slow)  # a view's explicit request stays; slow ones follow the state
            if not self.running:
                self.derive_again()

        self.in_background(job, done)

    def in_background(self, job: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """``job()`` on the worker, between its other jobs (never concurrently with training), then
        ``on_done(result)`` on the window's thread; ``busy`` stays as it is.  For a view's preparation
        that takes longer than a frame; plain numpy only.  A failure is logged, ``on_done`` not called."""
        self._job_id += 1
        self._quiet[self._job_id] = on_done
        self._submit.emit(self._job_id, job)

    def _derivations_here(self) -> dict[str, Derivation]:
        """The derivations to compute now: on the window's thread, all but the slow ones."""
        if not self._in_place or not self._slow:
            return self._derivations
        return {name: compute for name, compute in self._derivations.items() if name not in self._slow}

    def _carry_slow(self, snapshot: Snapshot) -> Snapshot:
        """A state made on the window's thread keeps the slow derivations' previous values (to be redone)."""
        if self._in_place and hasattr(self, "shown"):
            for name in self._slow & set(self._derivations):
                snapshot.derived.setdefault(name, self.shown.derived.get(name))
                snapshot.pending.add(name)
        return snapshot

    def rederive(self) -> None:
        """Recompute the derived values of the state shown (e.g. after α or a view's grid changed);
        while a job runs, its own snapshot will."""
        if self.busy or not hasattr(self, "stepper"):
            return
        self._work(lambda: self._take(), self._show_snapshot, light=self._light, what="Updating the views")

    @property
    def plan(self) -> tuple[Operation, ...]:
        return self.stepper.plan

    @property
    def next_op(self) -> Operation:
        return self.plan[self.position]

    @property
    def phase(self) -> str:
        """The phase of the operation shown (or 'ready' before the first)."""
        return self.record.phase if self.record else "ready"

    @property
    def m(self) -> int:
        return self.dataset.m

    def plan_shapes(self) -> dict[str, tuple[int, int]]:
        """The shape of every array of the plan, with the mini-batch's columns (A[1] 7×64), for the views."""
        key = (self.spec, self.design, self.dataset.m)
        if self._batch_shapes is None or self._batch_shapes[0] != key:  # the views ask at every step
            training, m = self.design.training(), self.dataset.m
            shapes = plan_shapes(self.spec, training.batch_size if training.uses_batches(m) else m, training)
            self._batch_shapes = (key, shapes)
        return dict(self._batch_shapes[1])

    def where(self) -> str:
        """'Epoch e · batch t/T' with mini-batches, else 'Iteration i': of the operation shown, as the
        diagram and the inspector say (the one in progress before the first)."""
        batches = self.design.training().batches(self.dataset.m)
        if batches == 1:
            return f"Iteration {self.shown_iteration}"
        epoch, batch = divmod(self.shown_iteration, batches)
        return f"Epoch {epoch} · batch {batch + 1}/{batches}"

    def operands(self, record: StepRecord | None = None) -> list[tuple[str, np.ndarray | None]]:
        """(key, array) for each operand of ``record`` (default: the current one) as the
        operation used it.  An update reads the parameter it overwrites: its old value
        comes from the step-back history, or is None when that is not kept."""
        record = record or self.record
        if record is None:
            return []
        if record is self.shown.record:
            return list(self.shown.operands)
        result = []
        for key in record.op.operands:
            if key == record.key:
                old = None if self.running else self.stepper.replaced_value(key)
                result.append((key, old))
            else:
                result.append((key, self.values.get(key)))
        return result

    # -- building ----------------------------------------------------------------
    @staticmethod
    def _fit_output(design: Design, dataset: Dataset) -> Design:
        try:
            check_output_fits(dataset, design.output)
        except DataError:
            return design.edit(output=dataset.default_output())
        return design

    def _build(self, dataset: Dataset | None = None, design: Design | None = None,
               state: SessionState | None = None, then: Callable[[], None] | None = None) -> None:
        """A new network for ``design`` on ``dataset`` (default: the current ones), or the one ``state``
        holds: made in place when it is small, on the worker otherwise; installed on the GUI thread."""
        dataset = dataset or self.dataset
        design = design or self.design
        spec = design.spec(dataset.n_x, dataset.n_y)
        light = is_light(spec, dataset.m)

        def built(network: tuple) -> None:
            self._install(dataset, design, light, *network)
            if then:
                then()

        self._work(lambda: self._make(spec, dataset, design, state), built, light=light,
                   what=f"Building the network {spec} ({'restoring' if state else 'initialising'} its parameters)")

    def _make(self, spec: NetworkSpec, dataset: Dataset, design: Design,
              state: SessionState | None) -> tuple[NetworkSpec, Stepper, History, Snapshot]:
        """The stepper, history and first snapshot (any thread: it touches nothing the GUI reads)."""
        if state is None:
            params = initialize(spec, design.init, rng=design.rng, seed=design.seed, scale=design.init_scale)
        else:
            params = {key: state.values[key] for key in spec.parameter_names}
        stepper = Stepper(spec, params, dataset.X, dataset.Y, history_bytes=self.history_budget,
                          training=design.training())
        history = History(spec.L)
        if state is not None:
            stepper.values.update(state.values)
            stepper.position, stepper.iteration = state.position, state.iteration
            stepper.restore_batch()
            history = state.history
        return spec, stepper, history, self._carry_slow(take_snapshot(stepper, False, self._derivations_here()))

    def _install(self, dataset: Dataset, design: Design, light: bool, spec: NetworkSpec, stepper: Stepper,
                 history: History, snapshot: Snapshot) -> None:
        new_data, new_design = dataset is not self.dataset, design != self.design
        self.dataset, self.design, self._light = dataset, design, light
        macs = sum(a * b for a, b in zip(spec.sizes, spec.sizes[1:])) * dataset.m
        self._step_in_place = light and macs <= IN_PLACE_STEP_MACS
        self.spec, self.stepper, self.history = spec, stepper, history
        self._watch_countdown = 0  # a new stepper: its first iteration is watched
        self._shapes = plan_shapes(spec, dataset.m)
        self.breakpoints &= {op.key for op in self.stepper.plan}
        self._saved_iteration = None
        self._history_dropped_seen = 0
        self._sync(snapshot)
        if new_data:
            self.dataset_changed.emit()
        if new_design:
            self.design_changed.emit()
        self.network_changed.emit()
        self.saved_changed.emit()
        self.stepped.emit()
        self.history_changed.emit()

    def _take(self, running: bool = False) -> Snapshot:
        """A snapshot of the stepper now (on the thread that trains, or the GUI thread when idle)."""
        if not running:
            self.activity = "Preparing what the views show"
        return self._carry_slow(take_snapshot(self.stepper, running, self._derivations_here()))

    def describe_activity(self) -> str:
        """What the worker is computing now, e.g. 'Computing dW[1] = dZ[1]·A[0]ᵀ (4096×12288)'."""
        if self.activity:
            return self.activity
        op = self.stepper.plan[self.stepper.position % len(self.stepper.plan)]
        shape = self._shapes.get(op.key)
        return f"Computing {op.equation}" + (f" ({shape_text(shape)})" if shape else "")

    def _sync(self, snapshot: Snapshot | None = None) -> None:
        """Show ``snapshot`` (default: one taken now, GUI thread, worker idle): the attributes views read."""
        snapshot = snapshot or self._take()
        self.shown = snapshot
        self.record = snapshot.record
        self.values = snapshot.values
        self.iteration = snapshot.iteration
        self.position = snapshot.position

    def _show_snapshot(self, snapshot: Snapshot) -> None:
        self._sync(snapshot)
        self.stepped.emit()

    def _work(self, job: Callable[[], Any], on_done: Callable[[Any], None], light: bool, what: str,
              on_error: Callable[[Exception], None] | None = None) -> None:
        """``job`` in place when ``light`` (milliseconds of work), else on the worker."""
        if not light:
            self._start(job, on_done, on_error, what)
            return
        self._in_place = True
        try:
            result = job()
        except EXPECTED_ERRORS as err:
            if on_error is None:
                raise
            on_error(err)
            return
        finally:
            self._in_place = False
        on_done(result)
        self.derive_again()  # what was too slow to compute here

    def _when_ready(self, action: Callable[[], None]) -> None:
        """Run ``action`` now, or after the job in progress (pausing a run first)."""
        if not self.busy:
            action()
            return
        self._stop.set()
        self._when_idle.append(action)

    def set_design(self, design: Design) -> None:
        """Apply a design: a new network (training restarts) unless only α, β's or ε changed (those apply live).

        Applies without asking (scripts, Undo's command); a user's edit goes through ``edit_design``."""
        if self.design.same_network(design):
            self.design = design
            self.stepper.training = design.training()
            self.design_changed.emit()
            self.rederive()  # α is in the diagnostics' update ratios
            return

        def apply() -> None:
            self.file_path = None  # another network: Save asks for a new name instead of overwriting
            self._build(design=design)

        self._when_ready(apply)

    def may_discard(self, what: str, at_least: int = 1) -> bool:
        """The one question before unsaved training is thrown away (a new network, new data, another
        session, a reset, quitting): True when nothing unsaved would be lost, or the user saved it or
        chose to discard it; False when the user cancelled (then nothing may change)."""
        if not self.has_unsaved_training or self.unsaved_iterations < at_least or self.discard_guard is None:
            return True
        return bool(self.discard_guard(what, at_least))

    def network_problem(self, design: Design, dataset: Dataset) -> str | None:
        """Why ``design`` on ``dataset`` cannot be built (it does not fit in memory), or None."""
        spec = design.spec(dataset.n_x, dataset.n_y)
        try:
            check_fits(f"the {spec} network", network_bytes(spec, dataset.m), what=f"its arrays on {dataset.m} examples")
        except DataError as err:
            return f"{err}: use fewer or smaller layers"
        return None

    def _refuse_edit(self, title: str = "", message: str = "") -> bool:
        if message:
            self.error.emit(title, message)
        self.design_changed.emit()  # forms show the design that stays
        return False

    def edit_design(self, design: Design) -> bool:
        """A user's edit: applied like set_design, and undoable (``undo_stack``).  An edit that builds a
        new network asks first when training would be lost and is refused when it does not fit in
        memory; False (with ``design_changed``, so forms show the design that stays) when not applied."""
        if design == self.design:
            return True
        if not self.design.same_network(design):
            problem = self.network_problem(design, self.dataset)
            if problem:
                return self._refuse_edit("Could not change the network", problem)
            if not self.may_discard(f"change the network ({describe_edit(self.design, design)})"):
                return self._refuse_edit()
        self.undo_stack.push(DesignEdit(self, self.design, design))
        return True

    def undo(self) -> bool:
        """Edit ▸ Undo: asks first when undoing the edit would throw training away; False when cancelled."""
        return self._undo_redo(self.undo_stack.index() - 1, self.undo_stack.undo, "undo")

    def redo(self) -> bool:
        return self._undo_redo(self.undo_stack.index(), self.undo_stack.redo, "redo")

    def _undo_redo(self, index: int, apply: Callable[[], None], verb: str) -> bool:
        command = self.undo_stack.command(index)
        if command is None:
            return False
        if isinstance(command, DesignEdit) and not command.old.same_network(command.new):
            if not self.may_discard(f"{verb} {command.text()}"):
                return self._refuse_edit()
        apply()
        return True

    def set_learning_rate(self, alpha: float) -> None:
        """α takes effect at the next update, also while running (an undoable edit)."""
        self.edit_design(self.design.edit(learning_rate=float(alpha)))

    def reset(self) -> bool:
        """Re-initialise the parameters (same design and seed) and start training over (asking first
        after a long unsaved run); False when the user cancelled."""
        if not self.may_discard("reset", at_least=LONG_RUN):
            return False
        self._when_ready(lambda: self._build())
        return True

    def set_dataset(self, dataset: Dataset) -> bool:
        """Use another dataset: the input and output layers follow it, the hidden layers stay.
        Asks first when training would be lost; False when cancelled or the network would not fit."""
        if not self.may_discard(f"open {dataset.name or 'another dataset'}"):
            return False
        return self._switch_dataset(dataset)

    def _switch_dataset(self, dataset: Dataset) -> bool:
        problem = self.network_problem(self._fit_output(self.design, dataset), dataset)
        if problem:
            self.error.emit("Could not open the dataset", problem)
            return False

        def loaded() -> None:
            self.follow_example(None)  # the new data's example j is another picture
            self.undo_stack.clear()  # edits were made for the old data's input and output
            self.message.emit(f"Loaded {dataset.name}: X {dataset.n_x}×{dataset.m}, Y {dataset.n_y}×{dataset.m}")

        def apply() -> None:
            self.file_path = None  # other data: Save asks for a new name instead of overwriting
            self._build(dataset, self._fit_output(self.design, dataset), then=loaded)

        self._when_ready(apply)
        return True

    def open_dataset(self, source: str, on_loaded: Callable[[Dataset], None] | None = None, **options: Any) -> bool:
        """Load ``source`` on the worker thread; on success switch to it, on failure keep everything.

        Asks first when training would be lost (False: cancelled, nothing happens).  A failure is
        reported through ``error`` with the loader's one-line message.
        """
        shown = f"the {source[5:]} demo set" if source.startswith("demo:") else (Path(source).name or source)
        if not self.may_discard(f"open {shown}"):
            return False

        def done(dataset: Dataset) -> None:
            if self._switch_dataset(dataset) and on_loaded:
                on_loaded(dataset)

        def failed(err: Exception) -> None:
            self.error.emit("Could not open the dataset", worded(err, self.fix_wording))

        self._when_ready(lambda: self._start(lambda: load_dataset(source, **options), done, failed))
        return True

    def follow_example(self, j: int | None) -> None:
        """Highlight example j (column j of X, A[l], Z[l], dZ[l], …) everywhere; None stops."""
        j = None if j is None or not 0 <= int(j) < self.dataset.m else int(j)
        if j != self.followed_example:
            self.followed_example = j
            self.example_followed.emit(j)

    # -- session files ---------------------------------------------------------------
    @property
    def unsaved_iterations(self) -> int:
        """Iterations trained since the session was last saved or opened (all of them if never)."""
        base = self._saved_iteration if self._saved_iteration is not None else 0
        return max(0, self.iteration - base)

    @property
    def has_unsaved_training(self) -> bool:
        base = self._saved_iteration
        return (self.iteration, self.position) != ((base, self._saved_position) if base is not None else (0, 0))

    def _state(self) -> SessionState:
        return SessionState(self.design, self.dataset, dict(self.stepper.values), self.stepper.iteration,
                            self.stepper.position, History.from_arrays(**self.history.to_arrays()))

    def snapshot(self) -> SessionState:
        """What a session file would hold now (arrays are shared: they are never changed in place);
        call it while the session is not busy.  Without A0 and Y: the dataset holds them."""
        from ..engine.limits import DATA_KEYS

        state = self._state()
        state.values = {k: v for k, v in state.values.items() if k not in DATA_KEYS}
        return state

    def save(self, path: str, on_saved: Callable[[str], None] | None = None) -> None:
        """Write the session to ``path`` (atomically, on the worker thread)."""
        def save_now() -> None:
            state = self._state()  # arrays are never changed in place: references are a snapshot

            def done(written) -> None:
                self.file_path = str(written)
                self._saved_iteration, self._saved_position = state.iteration, state.position
                self.saved_changed.emit()
                self.message.emit(f"Saved {written}")
                if on_saved:
                    on_saved(str(written))

            def failed(err: Exception) -> None:
                self.error.emit("Could not save the session", worded(err, self.fix_wording))

            self._start(lambda: save_session(path, state), done, failed)

        self._when_ready(save_now)

    def open_session(self, path: str, on_opened: Callable[[str], None] | None = None) -> bool:
        """Read and check a session file on the worker; on success continue exactly where it was saved,
        on any problem keep everything as it is.  Asks first when training would be lost (False: cancelled)."""
        if not self.may_discard(f"open {Path(path).name}"):
            return False

        def read() -> tuple[SessionState, tuple]:
            state = load_session(path)
            return state, self._restoring(state)

        def done(result: tuple[SessionState, tuple]) -> None:
            state, network = result
            self._restored(state, network)
            self.file_path = path
            self.saved_changed.emit()
            self.message.emit(f"Opened {path}: iteration {state.iteration}, next {self.next_op.symbol}")
            if on_opened:
                on_opened(path)

        def failed(err: Exception) -> None:
            self.error.emit("Could not open the session", worded(err, self.fix_wording))

        # the network is rebuilt from the file's arrays on the worker too: a large one never blocks the window
        self._when_ready(lambda: self._start(read, done, failed, f"Reading {path}"))
        return True

    def _restoring(self, state: SessionState) -> tuple:
        """The network ``state`` holds, checked and made (on the worker): what ``_restored`` installs."""
        check_state(state)
        spec = state.design.spec(state.dataset.n_x, state.dataset.n_y)
        self.activity = f"Restoring the network {spec}"
        return self._make(spec, state.dataset, state.design, state)

    def restore_in_background(self, state: SessionState, on_restored: Callable[[], None] | None = None) -> None:
        """``restore`` with the network made on the worker (a 4096×12288 W[1] takes seconds); then
        ``on_restored()``.  A state that does not check is reported through ``error``."""
        def done(network: tuple) -> None:
            self._restored(state, network)
            if on_restored:
                on_restored()

        def failed(err: Exception) -> None:
            self.error.emit("Could not restore the session", worded(err, self.fix_wording))

        self._when_ready(lambda: self._start(lambda: self._restoring(state), done, failed, "Restoring the network"))

    def restore(self, state: SessionState) -> None:
        """Take over a saved state: design, data, every array, the history and the current step (in place)."""
        check_state(state)  # all or nothing: nothing below can fail on a state that passes
        spec = state.design.spec(state.dataset.n_x, state.dataset.n_y)
        self._restored(state, self._make(spec, state.dataset, state.design, state))

    def _restored(self, state: SessionState, network: tuple) -> None:
        spec = network[0]
        light = is_light(spec, state.dataset.m)
        self.follow_example(None)
        self.undo_stack.clear()
        self._install(state.dataset, state.design, light, *network)
        self._saved_iteration, self._saved_position = state.iteration, state.position
        self.saved_changed.emit()

    # -- stepping ----------------------------------------------------------------
    def _after_op(self, op: Operation, value: np.ndarray) -> None:
        """Called on the worker after every operation: history at the end of an iteration, breakpoints."""
        stepper = self.stepper
        if stepper.position == 0:
            self._iteration_done()
        if self.break_on_nonfinite and count_nonfinite(value):
            raise Breakpoint(f"{op.symbol} contains NaN or Inf (iteration {self.stepper.iteration})")
        if self._stop.is_set() and not self.running:  # Pause during a pass: after the operation in progress
            raise Breakpoint(f"stopped after {op.symbol} (Pause)")
        for watcher in self.op_watchers:
            reason = watcher(op, stepper.values)
            if reason:
                raise Breakpoint(reason)

    def _check_norms(self, norms: list[float]) -> None:
        if self.grad_norm_high is None and self.grad_norm_low is None:
            return
        for l, norm in enumerate(norms, start=1):
            if self.grad_norm_high is not None and norm > self.grad_norm_high:
                raise Breakpoint(f"‖dW[{l}]‖ = {norm:.4g} exceeds {self.grad_norm_high:g} (exploding gradients)")
            if self.grad_norm_low is not None and norm < self.grad_norm_low:
                raise Breakpoint(f"‖dW[{l}]‖ = {norm:.4g} fell below {self.grad_norm_low:g} (vanishing gradients)")

    def _after_op_or_breakpoint(self, op: Operation, value: np.ndarray) -> None:
        self._after_op(op, value)
        if op.key in self.breakpoints:
            raise Breakpoint(f"breakpoint at {op.symbol}")

    def _advance_to(self, position: int, breakpoints: bool = True) -> str | None:
        try:
            self.stepper.run_to(position, self._after_op_or_breakpoint if breakpoints else self._after_op)
        except Breakpoint as stop:
            return stop.reason
        return None

    def _stepping(self, target: Callable[[], int], breakpoints: bool = True, in_place: bool = False) -> None:
        if self.busy:
            return
        self._stop.clear()
        job = lambda: (self._advance_to(target(), breakpoints), self._take())  # noqa: E731
        if not in_place or self.op_watchers:  # a watch expression is the user's numpy: on the worker
            self.stoppable = True
            self._start(job, self._stepping_done)
            return
        self._in_place = True  # the slow derivations (the accuracy's forward pass) follow on the worker
        try:
            result = job()
        except Exception as err:  # as on the worker: reported, the state shown stays consistent
            self._job_failed(err)
            return
        finally:
            self._in_place = False
            self.activity = ""
        self._stepping_done(result)
        self.derive_again()  # the slow derivations (accuracy, watches) on the worker

    def _stepping_done(self, result: tuple[str | None, Snapshot], ran: bool = False) -> None:
        reason, snapshot = result
        self._sync(snapshot)
        self.stepped.emit()
        self.history_changed.emit()
        self.saved_changed.emit()
        note = ""
        dropped = self.stepper.history_dropped
        if dropped > self._history_dropped_seen:
            self._history_dropped_seen = dropped
            if ran and self._run_history_bytes() < self.history_budget:
                why = "Run keeps few, to train at full speed"
            else:
                why = f"older ones were dropped to stay within {self.history_budget / 2**20:.0f} MB (Preferences)"
            note = f"step back reaches {self.stepper.history_length} operations: {why}"
        if reason:  # one message: the reason for the pause is not replaced at once by the note
            self.stop_auto_step()
            self.paused.emit(f"{reason} · {note}" if note else reason)
            self.message.emit(f"Paused: {reason}" + (f" · {note}" if note else ""))
        elif note:
            self.message.emit(note[0].upper() + note[1:])

    def step(self) -> None:
        """Perform the next operation (in place on a small network: milliseconds, see IN_PLACE_STEP_MACS)."""
        # the watchers (watch expressions, which may be anything) stay on the worker (``_stepping``)
        self._stepping(lambda: (self.stepper.position + 1) % len(self.plan), breakpoints=False,
                       in_place=self._step_in_place)

    def run_forward(self) -> None:
        self._stepping(lambda: self.stepper.forward_end)

    def run_backward(self) -> None:
        self._stepping(lambda: self.stepper.backward_end)

    def run_iteration(self) -> None:
        self._stepping(lambda: 0)

    def run_through(self, index: int) -> None:
        """Run until operation ``index`` of the plan has been performed (in the next iteration if it is behind)."""
        self._stepping(lambda: (index + 1) % len(self.plan))

    def step_back(self, steps: int = 1) -> bool:
        """Undo the last ``steps`` operations (bit for bit), redrawing once; False (and nothing undone)
        when fewer earlier states are kept."""
        if self.busy or self.stepper.history_length < steps or steps < 1:
            return False

        def back() -> Snapshot:
            for _ in range(steps):
                self.stepper.step_back()
            self.history.truncate(self.stepper.iteration)
            return self._take()

        def done(snapshot: Snapshot) -> None:
            self._sync(snapshot)
            self.stepped.emit()
            self.history_changed.emit()

        self._work(back, done, light=self._light, what="Stepping back")
        return True

    def step_back_to(self, iteration: int) -> bool:
        """Undo operations back to the start of ``iteration`` (bit for bit); False, changing nothing,
        when the step-back history does not reach that far."""
        stepper = self.stepper
        needed = (stepper.iteration - iteration) * len(self.plan) + stepper.position
        if self.busy or needed < 0 or needed > stepper.history_length:
            return False
        return needed == 0 or self.step_back(needed)

    # -- running -------------------------------------------------------------------
    def run(self, iterations: int | None = None) -> None:
        """Train on the worker until pause() (or a breakpoint), or for ``iterations`` iterations,
        at most ``run_rate`` iterations a second."""
        if self.busy:
            return
        self._run_limit = iterations
        self._stop.clear()
        self.running = True
        self.stepper.history_budget = self._run_history_bytes()
        self._progress_interval = PROGRESS_INTERVAL
        self.running_changed.emit(True)
        self.stoppable = True
        self._latest = None
        self._start(self._run_loop, self._run_done)

    def pause(self) -> None:
        """Stop a run at the end of the iteration in progress, and auto-stepping."""
        self._stop.set()
        self._shown.set()
        self.stop_auto_step()

    # -- auto-step: one operation every few seconds, for a lecturer to talk over ----------
    @property
    def auto_stepping(self) -> bool:
        return self._auto_timer.isActive()

    def start_auto_step(self, seconds: float) -> None:
        self._auto_timer.start(max(50, int(seconds * 1000)))
        self.auto_step_changed.emit(True)

    def set_auto_step_interval(self, seconds: float) -> None:
        self._auto_timer.setInterval(max(50, int(seconds * 1000)))

    def stop_auto_step(self) -> None:
        if self._auto_timer.isActive():
            self._auto_timer.stop()
            self.auto_step_changed.emit(False)

    def _auto_tick(self) -> None:
        if not self.busy:
            self._stepping(lambda: (self.stepper.position + 1) % len(self.plan), breakpoints=True,
                           in_place=self._step_in_place)

    # -- breakpoints ------------------------------------------------------------------------
    def toggle_breakpoint(self, index: int) -> bool:
        """Pause runs after operation ``index`` of the plan; returns whether the breakpoint is now set.

        Breakpoints are kept by the operation's name (dW2), so they survive a reset or a
        design change that keeps that operation."""
        key = self.plan[index].key
        self.breakpoints ^= {key}
        self.breakpoints_changed.emit()
        return key in self.breakpoints

    def has_breakpoint(self, index: int) -> bool:
        return self.plan[index].key in self.breakpoints

    def set_gradient_limits(self, low: float | None, high: float | None) -> None:
        self.grad_norm_low, self.grad_norm_high = low, high
        self.breakpoints_changed.emit()

    def set_history_budget(self, budget_bytes: int) -> None:
        self.history_budget = int(budget_bytes)
        self.stepper.history_budget = self._run_history_bytes() if self.running else self.history_budget

    def _run_history_bytes(self) -> int:
        """What step back keeps while Run trains (RUN_HISTORY_ITERATIONS, RUN_HISTORY_BYTES)."""
        shapes = self.plan_shapes()
        iteration = sum(8 * int(np.prod(shapes[op.key])) for op in self.plan if op.key in shapes)  # float64
        return min(self.history_budget, max(RUN_HISTORY_BYTES, RUN_HISTORY_ITERATIONS * iteration))

    def _run_loop(self) -> tuple[str | None, Snapshot]:
        stepper = self.stepper
        last = rested = due = time.monotonic()
        done, limit = 0, self._run_limit
        while not self._stop.is_set() and (limit is None or done < limit):
            rate = self.run_rate
            if rate:  # paced for a room to watch: the stop event's wait sleeps without the GIL and wakes on Pause
                if self._stop.wait(max(0.0, due - time.monotonic())):
                    break
                due = max(due + 1.0 / rate, time.monotonic() - 1.0 / rate)
                if rate * PROGRESS_INTERVAL <= 1.0:
                    last = -LONGEST_PROGRESS_INTERVAL  # slow enough to show every iteration
            if stepper.position or self.breakpoints or self.op_watchers:
                reason = self._advance_to(0)  # operation by operation: a breakpoint or watcher may stop it anywhere
            else:
                reason = self._iterate()
            done += 1
            if reason:
                return reason, self._take()
            epochs = self.design.epochs
            if epochs and self.stepper.iteration >= epochs * self.stepper.context.batches:
                return f"{epochs} epochs done (Design ▸ Epochs)", self._take()
            now = time.monotonic()
            if now - rested >= RUN_SLICE:
                # sleep(0) releases the GIL: the window's thread, which needs it for every Qt
                # call, gets its turn now instead of after the interpreter's 5 ms switch interval
                time.sleep(0)
                rested = now
            if now - last >= self._progress_interval:
                # only the newest snapshot is delivered: a window that was busy catches up in one step
                delivered, self._latest = self._latest is None, self._take(running=True)
                if delivered:
                    self._shown.clear()
                    self._worker.progress.emit(None)
                    self._shown.wait(SHOW_WAIT)  # without the GIL: the window paints alone
                last = time.monotonic()
                self._progress_interval = min(LONGEST_PROGRESS_INTERVAL,
                                              max(PROGRESS_INTERVAL, (last - now) / VIEW_SHARE))
        return None, self._take()

    def _iterate(self) -> str | None:
        """One whole iteration with the bookkeeping done once (Stepper.iterate); why it stopped, or None."""
        stepper = self.stepper
        found = stepper.iterate(watch_nonfinite=self.break_on_nonfinite)
        if found is not None:
            if stepper.position == 0:  # the last operation: the iteration is complete
                self._iteration_done(check=False)
            return f"{found.symbol} contains NaN or Inf (iteration {stepper.iteration})"
        try:
            self._iteration_done(squares=stepper.watched_squares if self.break_on_nonfinite else None)
        except Breakpoint as stop:
            return stop.reason
        return None

    def watch_iterations_now(self) -> None:
        """Call the iteration watchers at the end of the next iteration (one of them wants every one now)."""
        self._watch_countdown = 0

    def _iteration_done(self, check: bool = True, squares: dict[str, float] | None = None) -> None:
        """On the worker at the end of a completed iteration: its history point, the iteration
        watchers, and (``check``) the ‖dW[l]‖ breakpoints.  ``squares``: the vdot(dW, dW) the
        NaN/Inf check just computed (Stepper.watched_squares), so the norms are not computed twice."""
        stepper = self.stepper
        norms = gradient_norms(stepper.values, self.spec.L, squares)
        self.history.append(stepper.cost, norms, stepper.iteration - 1)  # the iteration just completed
        if self.iteration_watchers:
            self._watch_countdown -= 1
            if self._watch_countdown <= 0:
                self._watch_countdown = min([watcher(stepper.values) or 1 for watcher in self.iteration_watchers])
        if check:
            self._check_norms(norms)

    @Slot(object)
    def _show_progress(self, _: object) -> None:
        snapshot, self._latest = self._latest, None
        if not self.running or snapshot is None:
            self._shown.set()
            return
        try:
            self._sync(snapshot)
            self.stepped.emit()
            self.history_changed.emit()
        finally:
            self._shown_notice.post()  # the worker goes on once the window has painted

    def _run_done(self, result: tuple[str | None, Snapshot]) -> None:
        self.stepper.history_budget = self.history_budget
        self.running = False
        self.running_changed.emit(False)
        self._stepping_done(result, ran=True)

    # -- jobs --------------------------------------------------------------------------
    def _start(self, job: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[Exception], None] | None = None, what: str = "") -> None:
        self.activity = what
        self._job_id += 1
        self._callbacks[self._job_id] = (on_done, on_error)
        self._set_busy(True)
        self._submit.emit(self._job_id, job)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    @Slot(object, object, object)
    def _job_finished(self, job_id: int, result: Any, err: Exception | None) -> None:
        if job_id in self._quiet:  # derive_again: no busy state, no message (a failed derivation is logged)
            done = self._quiet.pop(job_id)
            if err is None:
                done(result)
            else:
                log.error("a background job failed", exc_info=err)
            return
        on_done, on_error = self._callbacks.pop(job_id)
        self.activity = ""
        self.stoppable = False
        self._set_busy(False)
        if err is None:
            on_done(result)
        elif on_error is not None and isinstance(err, EXPECTED_ERRORS):
            on_error(err)
        else:
            self._job_failed(err)
        while self._when_idle and not self.busy:
            self._when_idle.pop(0)()

    def _job_failed(self, err: Exception) -> None:
        """An internal error in a job: logged, reported in one line, the state as it is now shown."""
        log.error("internal error in a session job", exc_info=err)
        if self.running:
            self.stepper.history_budget = self.history_budget
            self.running = False
            self.running_changed.emit(False)
        self._sync()
        self.stepped.emit()
        self.error.emit("Something went wrong", f"{type(err).__name__}: {err}")

    def close(self) -> None:
        """Stop any run and the worker thread (call before the window goes away)."""
        self._stop.set()
        self._shown.set()
        self._thread.quit()
        self._thread.wait()
