"""The stepper: performs training one named operation at a time (the GUI, CLI and tests all drive it).

Whole iterations (the CLI, and the window's Run) perform the same operations in the same order,
but keep their bookkeeping per iteration instead of per operation: the values an iteration
overwrites go into the step-back history as one block, and a NaN/Inf check looks at a few
arrays that every non-finite result of the iteration must reach (``watched_keys``); only when
that check fires are the iteration's results searched one by one, and the stepper stepped back
to just after the operation that produced the first NaN or Inf -- exactly where checking every
operation would have stopped.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from .context import Context, Training
from .network import NetworkSpec
from .operation import Kind, Phase
from .plan import Operation, build_plan, initial_state, shape_text

Array = np.ndarray

DEFAULT_HISTORY_BYTES = 256 * 1024 * 1024

# a diverging network overflows; the stepper flags NaN/Inf in its records instead of warning
def quiet() -> np.errstate:
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


@dataclass(frozen=True)
class StepRecord:
    """What one operation did: the GUI's step list and matrix inspector show this.

    ``value`` is the resulting array (never changed afterwards); ``operand_shapes``
    are the shapes of the operands as they were used; ``nonfinite`` counts the
    NaN and Inf entries of ``value``.
    """

    op: Operation
    iteration: int
    value: Array
    operand_shapes: tuple[tuple[int, ...], ...]
    nonfinite: int

    @property
    def symbol(self) -> str:
        return self.op.symbol

    @property
    def key(self) -> str:
        return self.op.key

    @property
    def phase(self) -> str:
        return self.op.phase

    @property
    def layer(self) -> int:
        return self.op.layer

    @property
    def equation(self) -> str:
        return self.op.equation

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def shape_text(self) -> str:
        """Rows×cols of the result, e.g. '5×7'."""
        return shape_text(self.value.shape)

    @property
    def has_nonfinite(self) -> bool:
        return self.nonfinite > 0

    def shape_algebra(self, named: bool = True) -> str:
        """'dZ[2] (5×209) · A[1]ᵀ (209×7) → 5×7' (named) or '(5×209)(209×7) → 5×7'."""
        return self.op.shape_algebra(list(self.operand_shapes), self.value.shape, named)


def count_nonfinite(a: Array) -> int:
    return int(a.size - np.count_nonzero(np.isfinite(a)))


class _IterationBlock:
    """A whole iteration's step-back block, kept as the values at its start (one dict copy instead of a
    pair per operation): when each key of the plan is written once, what operation i replaced is
    ``before[key_i]`` (None where the key did not exist yet).  Unpacked into pairs when stepped into."""

    __slots__ = ("before", "keys")

    def __init__(self, before: dict[str, Array], keys: tuple[str, ...]) -> None:
        self.before, self.keys = before, keys

    def __len__(self) -> int:
        return len(self.keys)

    def pairs(self) -> list[tuple[str, Array | None]]:
        return [(key, self.before.get(key)) for key in self.keys]

    def last(self) -> tuple[str, Array | None]:
        return self.keys[-1], self.before.get(self.keys[-1])


class HistoryLimitReached(Exception):
    """Stepping back further than the kept history allows."""


class Stepper:
    """Runs the plan of one iteration (see ``plan.build_plan``) an operation at a time.

    ``values`` holds every array by its code name: A0 (= X, n_x×m), Y (n_y×m),
    W1, b1, ..., Z1, A1, ..., J (1×1), dA3, dZ3, dW3, ..., and the optimiser's
    state (vdW1, sdW1, t, ...).  ``position`` is the index of the next operation
    in ``plan``; ``iteration`` counts completed iterations -- updates, one per
    mini-batch (the one in progress has this number).  A whole iteration is
    the same operations run in order -- there is no second code path.

    Training options (``Training``'s fields: optimizer, beta, beta1, beta2, epsilon,
    batch_size, batch_seed, rng, lr_decay, decay_interval, l2, dropout_seed) are
    keywords, or one ``training=Training(...)``.  With mini-batches A0 and Y are the
    batch in progress (X{t}, Y{t}) and ``X``, ``Y`` the whole training set.
    """

    def __init__(
        self,
        spec: NetworkSpec,
        params: dict[str, Array],
        X: Array,
        Y: Array,
        learning_rate: float = 0.0075,
        history_bytes: int = 0,
        training: Training | None = None,
        **options,
    ) -> None:
        _check_shapes(spec, params, X, Y)
        self.spec = spec
        if training is None:
            training = Training(learning_rate=float(learning_rate), **options)
        elif options:
            training = training.edit(**options)
        self.X, self.Y = X, Y
        self.context = Context(training, X, Y)
        self.plan: tuple[Operation, ...] = build_plan(spec, training, X.shape[1])
        self.values: dict[str, Array] = {"A0": X, "Y": Y, **params, **initial_state(spec, training)}
        self.position = 0
        self.iteration = 0
        phases = [op.phase for op in self.plan]
        self.forward_end = phases.index(Phase.BACKWARD)  # forward pass and cost done
        self.backward_end = len(phases) - phases[::-1].index(Phase.BACKWARD)  # the first after the backward pass
        self.watched_keys = watched_keys(spec, self.plan)
        self.watched_squares: dict[str, float] = {}  # vdot(a, a) of each watched array, by watched_finite()
        self._plan_keys = tuple(op.key for op in self.plan)
        if len(set(self._plan_keys)) != len(self._plan_keys):  # whole iterations and their history rely on it
            raise ValueError(f"a plan writes each array once an iteration: {self._plan_keys}")
        # step-back history: blocks of (key, value it replaced), oldest first; a single step
        # makes a block of one, a whole iteration one block of len(plan) (an _IterationBlock)
        self._blocks: deque["list[tuple[str, Array | None]] | _IterationBlock"] = deque()
        self._block_bytes: deque[int] = deque()
        self._history_bytes = 0
        self._history_length = 0
        self._iteration_bytes = 0  # bytes of one whole iteration's block (the plan's shapes never change)
        self.history_budget = int(history_bytes)
        self.history_dropped = 0

    # -- reading the state ---------------------------------------------------
    @property
    def iteration(self) -> int:
        """Completed iterations (updates); the context follows it (t, epoch, batch, α)."""
        return self._iteration

    @iteration.setter
    def iteration(self, value: int) -> None:
        self._iteration = value
        self.context.iteration = value

    @property
    def training(self) -> Training:
        return self.context.training

    @training.setter
    def training(self, training: Training) -> None:
        """New hyperparameters of the same plan (α, β's, ε, λ, decay): they apply from the next operation."""
        self.context.retrain(training)

    @property
    def learning_rate(self) -> float:
        """α₀ (α of epoch 0; the decay, if any, divides it)."""
        return self.context.training.learning_rate

    @learning_rate.setter
    def learning_rate(self, alpha: float) -> None:
        self.training = self.training.edit(learning_rate=float(alpha))

    @property
    def m(self) -> int:
        """Columns of the batch in progress (all of them without mini-batches)."""
        return int(self.values["Y"].shape[1])

    @property
    def m_total(self) -> int:
        return int(self.X.shape[1])

    @property
    def epoch(self) -> int:
        return self.context.epoch

    def position_text(self) -> str:
        """'epoch e · batch t/T · operation' (the operation next), or 'iteration i · operation' in full batch."""
        where = self.context.position_text() if self.context.batches > 1 else f"iteration {self.iteration}"
        return f"{where} · {self.next_op.symbol}"

    @property
    def next_op(self) -> Operation:
        return self.plan[self.position]

    @property
    def last_op(self) -> Operation | None:
        """The operation performed most recently (None before the first, and at the start of an
        iteration taken over from its parameters alone, e.g. a trace's iteration 3: the previous
        iteration's results are not there)."""
        if self.position > 0:
            return self.plan[self.position - 1]
        last = self.plan[-1]
        if self.iteration == 0 or last.key not in self.values or any(k not in self.values for k in last.operands):
            return None
        return last

    @property
    def parameters(self) -> dict[str, Array]:
        return {key: self.values[key] for key in self.spec.parameter_names}

    @property
    def cost(self) -> float | None:
        """J of the iteration in progress (or of the last one), None before any."""
        J = self.values.get("J")
        return None if J is None else float(J[0, 0])

    def record(self, op: Operation) -> StepRecord:
        """The record of ``op`` from the current values (its result must exist)."""
        iteration = self.iteration if op.index < self.position else self.iteration - 1
        shapes = tuple(self.values[k].shape for k in op.operands)
        value = self.values[op.key]
        return StepRecord(op, iteration, value, shapes, count_nonfinite(value))

    def last_record(self) -> StepRecord | None:
        op = self.last_op
        return None if op is None else self.record(op)

    def restore_batch(self) -> None:
        """After values were restored mid-iteration: take this iteration's X{t}, Y{t} again (they follow
        from the iteration number, so they are the very columns the saved state used)."""
        for op in self.plan[: self.position]:
            if op.phase == Phase.BATCH:
                self.values[op.key] = op.compute(self.values, self.context)

    # -- moving forward ------------------------------------------------------
    def _advance(self) -> Operation:
        """One operation (callers hold ``quiet()``: overflow to Inf/NaN is reported per record, not warned)."""
        op = self.plan[self.position]
        value = op.compute(self.values, self.context)
        if self.history_budget:
            self._remember(op.key)
        self.values[op.key] = value
        self.position += 1
        if self.position == len(self.plan):
            self.position = 0
            self.iteration += 1
        return op

    def step(self) -> StepRecord:
        """Perform the next operation and return its record."""
        with quiet():
            op = self._advance()
        return self.record(op)

    def run_to(
        self, position: int, on_step: Callable[[Operation, Array], None] | None = None, at_least_one: bool = True
    ) -> StepRecord | None:
        """Perform operations until ``position`` is the next one (wrapping into the next iteration).

        With ``at_least_one`` and ``position`` already next, a whole iteration runs.
        ``on_step(op, value)`` sees every result (the CLI's --trace uses it).
        """
        if not 0 <= position < len(self.plan):
            raise IndexError(f"position {position} is outside the plan of {len(self.plan)} operations")
        if at_least_one or self.position != position:
            with quiet():
                op = self._advance()
                if on_step:
                    on_step(op, self.values[op.key])
                while self.position != position:
                    op = self._advance()
                    if on_step:
                        on_step(op, self.values[op.key])
        return self.last_record()

    def run_forward(self, on_step: Callable[[Operation, Array], None] | None = None) -> StepRecord | None:
        """Run to the end of the (next) forward pass, the cost J included."""
        return self.run_to(self.forward_end, on_step)

    def run_backward(self, on_step: Callable[[Operation, Array], None] | None = None) -> StepRecord | None:
        """Run to the end of the (next) backward pass: dW[1] and db[1] computed."""
        return self.run_to(self.backward_end, on_step)

    def run_iteration(self, on_step: Callable[[Operation, Array], None] | None = None) -> StepRecord | None:
        """Finish the iteration in progress (a whole one from its start), updates included."""
        if on_step is not None or self.position != 0:
            return self.run_to(0, on_step)
        self.iterate()
        return self.last_record()

    def iterate(self, watch_nonfinite: bool = False) -> Operation | None:
        """One whole iteration from its start (position 0), its bookkeeping done once (module docstring).

        With ``watch_nonfinite``, returns the operation whose result holds the iteration's
        first NaN or Inf, the stepper standing just after it (as if stepped there one
        operation at a time), or None when every result is finite.
        """
        if self.position != 0:
            raise ValueError(f"a whole iteration starts at operation 0, not {self.position}")
        values, context, plan = self.values, self.context, self.plan
        keep = bool(self.history_budget) or watch_nonfinite
        # what operation i replaces is before[key_i]: each key is written once an iteration (__init__)
        before = dict(values) if keep else None
        with quiet():
            for op in plan:
                values[op.key] = op.compute(values, context)
            finite = not watch_nonfinite or self.watched_finite()  # a.dot(a) may overflow: quietly
        self.iteration += 1
        if not finite:
            replaced = [before.get(op.key) for op in plan]
            found = self._first_nonfinite(replaced)
            if found is not None and found.index + 1 < len(plan):
                # undo the operations after it, the last first: the values they replaced come back, bit for bit
                for op, old in zip(reversed(plan[found.index + 1:]), reversed(replaced[found.index + 1:])):
                    if old is None:
                        del values[op.key]
                    else:
                        values[op.key] = old
                self.position, self.iteration = found.index + 1, self.iteration - 1
                del replaced[found.index + 1:]
            if self.history_budget:
                self._remember_iteration(replaced)
            return found
        if self.history_budget:
            self._remember_iteration(_IterationBlock(before, self._plan_keys))
        return None

    def watched_finite(self) -> bool:
        """Whether J and the watched arrays (``watched_keys``) are all finite.

        vdot(a, a) is NaN or ±Inf when ``a`` holds any NaN or Inf (it may also overflow on
        finite entries beyond 1e154: then the exact search finds nothing and training goes on).
        Each watched array's vdot(a, a) is kept in ``watched_squares`` (‖dW[l]‖² for the history).
        Call it within ``quiet()``: an overflow is an answer here, not a warning.
        """
        values, squares = self.values, {}
        for key in self.watched_keys:
            a = values[key].ravel()  # a.dot(a): vdot(a, a) and np.linalg.norm's sum, without their dispatch
            squares[key] = a.dot(a)
        self.watched_squares = squares
        return math.isfinite(sum(squares.values(), float(values["J"][0, 0]) if "J" in values else 0.0))

    def _first_nonfinite(self, replaced: list[Array | None]) -> Operation | None:
        """After a whole iteration: the first operation whose result holds a NaN or Inf (None: all finite).

        An operation's result is what the next writer of its key replaced, or the value now."""
        later: dict[str, Array] = {}
        results: list[Array] = [None] * len(self.plan)
        for op, old in zip(reversed(self.plan), reversed(replaced)):
            results[op.index] = later.get(op.key, self.values.get(op.key))
            later[op.key] = old
        return next((op for op in self.plan if results[op.index] is not None and count_nonfinite(results[op.index])),
                    None)

    def train(self, iterations: int, on_iteration: Callable[["Stepper"], None] | None = None) -> None:
        """Run whole iterations; ``on_iteration(self)`` after each (J is that iteration's cost)."""
        for _ in range(iterations):
            self.run_iteration()
            if on_iteration:
                on_iteration(self)

    # -- stepping back -------------------------------------------------------
    def _remember(self, key: str) -> None:
        old = self.values.get(key)
        self._push_block([(key, old)], 0 if old is None else old.nbytes)

    def _remember_iteration(self, replaced: "list[Array | None] | _IterationBlock") -> None:
        """The values the operations of an iteration replaced (in plan order, from the first) as one block."""
        whole = len(replaced) == len(self.plan)
        nbytes = self._iteration_bytes if whole else 0
        if not nbytes:
            olds = [old for _, old in replaced.pairs()] if isinstance(replaced, _IterationBlock) else replaced
            nbytes = sum(0 if old is None else old.nbytes for old in olds)
            if whole and all(old is not None for old in olds):
                self._iteration_bytes = nbytes  # every later iteration replaces arrays of the same shapes
        if isinstance(replaced, list):
            replaced = [(op.key, old) for op, old in zip(self.plan, replaced)]
        self._push_block(replaced, nbytes)

    def _push_block(self, block: list[tuple[str, Array | None]], nbytes: int) -> None:
        self._blocks.append(block)
        self._block_bytes.append(nbytes)
        self._history_bytes += nbytes
        self._history_length += len(block)
        while self._history_bytes > self.history_budget and self._blocks:
            dropped = self._blocks.popleft()
            self._history_bytes -= self._block_bytes.popleft()
            self._history_length -= len(dropped)
            self.history_dropped += len(dropped)

    @property
    def can_step_back(self) -> bool:
        return bool(self._blocks)

    @property
    def history_length(self) -> int:
        return self._history_length

    def step_back(self) -> Operation:
        """Undo the last operation, restoring the value it replaced bit for bit."""
        if not self._blocks:
            raise HistoryLimitReached("no earlier operation is kept")
        block = self._blocks[-1]
        if isinstance(block, _IterationBlock):  # unpacked when first stepped into
            block = self._blocks[-1] = block.pairs()
        key, old = block.pop()
        nbytes = 0 if old is None else old.nbytes
        self._block_bytes[-1] -= nbytes
        self._history_bytes -= nbytes
        self._history_length -= 1
        if not block:
            self._blocks.pop()
            self._block_bytes.pop()
        if self.position == 0:
            self.position = len(self.plan) - 1
            self.iteration -= 1
        else:
            self.position -= 1
        op = self.plan[self.position]
        assert op.key == key, (op.key, key)
        if old is None:
            del self.values[key]
        else:
            self.values[key] = old
        return op

    def replaced_value(self, key: str) -> Array | None:
        """The value the last operation overwrote, if that operation wrote ``key`` and history keeps it.

        For an update (W[1] = W[1] − α·dW[1]) this is W[1] as it was before."""
        if not self._blocks or self.last_op is None or self.last_op.key != key:
            return None
        last = self._blocks[-1]
        last_key, old = last.last() if isinstance(last, _IterationBlock) else last[-1]
        return old if last_key == key else None

    def clear_history(self) -> None:
        self._blocks.clear()
        self._block_bytes.clear()
        self._history_bytes = 0
        self._history_length = 0


def _check_shapes(spec: NetworkSpec, params: dict[str, Array], X: Array, Y: Array) -> None:
    if X.ndim != 2 or Y.ndim != 2:
        raise ValueError(f"X and Y must be 2-D (one example per column), got {X.ndim}-D and {Y.ndim}-D")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} examples (columns) but Y has {Y.shape[1]}")
    if X.shape[0] != spec.sizes[0]:
        raise ValueError(f"X has {X.shape[0]} rows but the network's input layer has {spec.sizes[0]} units")
    if Y.shape[0] != spec.sizes[-1]:
        raise ValueError(f"Y has {Y.shape[0]} rows but the network's output layer has {spec.sizes[-1]} units")
    for key in spec.parameter_names:
        shape = spec.parameter_shape(key)
        if key not in params:
            raise ValueError(f"parameter {key} is missing")
        if params[key].shape != shape:
            raise ValueError(f"{key} has shape {params[key].shape}, expected {shape}")


# kinds whose result is finite whenever their operands are, and reaches a watched array when it is not:
# A[l] = g(Z[l]) (g is finite on finite input), dZ[l] = dA[l]·g'(Z[l]) (reaches dW[l]: a product with
# a NaN or Inf is never finite, 0·Inf being NaN), and the updates (finite when W[l] and the step are)
_REACHING = {Kind.ACTIVATION, Kind.DZ, Kind.UPDATE}
_MASKING = ("relu", "tanh", "sigmoid")  # g maps ±Inf to finite values; relu's g' masks dA


def watched_keys(spec: NetworkSpec, plan: Iterable[Operation]) -> tuple[str, ...]:
    """The arrays whose finiteness (with J's) shows whether any result of an iteration holds a NaN or Inf.

    Every other result reaches one of them within the iteration (``_REACHING``); Z[l] and dA[l]
    reach the next layer's Z or J, except through a hidden relu, tanh or σ (Z[l]) or relu's
    mask (dA[l]), so those are watched.  Parameters that are already NaN or Inf reach Z[l] at
    the next forward pass; an update that overflows |α·dW[l]| makes vdot(dW[l], dW[l]) overflow
    too.  Every kind of operation not named here (mini-batches, dropout, batch norm, the
    optimisers' moments...) is watched.
    """
    keys = []
    for op in plan:
        l, hidden = op.layer, 0 < op.layer < spec.L
        if op.kind in _REACHING or op.kind == Kind.COST:
            continue
        if op.kind == Kind.LINEAR and not (hidden and spec.activation(l) in _MASKING):
            continue
        if op.kind == Kind.DA and op.key == f"dA{l}" and not (hidden and spec.activation(l) == "relu"):
            continue
        if op.kind == Kind.DA and op.key != f"dA{l}" and not (spec.activation(l - 1) == "relu" if l > 1 else False):
            continue
        keys.append(op.key)
    return tuple(dict.fromkeys(keys))


def iterate_ops(
    plan: Iterable[Operation], values: dict[str, Array], context: Context | float | None = None
) -> dict[str, Array]:
    """Run the given operations of a plan on ``values`` (in place) and return it.

    ``context`` defaults to full-batch gradient descent at iteration 0 (a number is taken as α)."""
    if not isinstance(context, Context):
        alpha = 0.0075 if context is None else float(context)
        context = Context(Training(learning_rate=alpha if alpha > 0 else 0.0075), values.get("A0"), values.get("Y"))
    for op in plan:
        values[op.key] = op.compute(values, context)
    return values
