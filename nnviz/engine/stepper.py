"""The stepper: performs training one named operation at a time (the GUI, CLI and tests all drive it)."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from .context import Context, Training
from .network import NetworkSpec
from .operation import Phase
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
        self._history: deque[tuple[str, Array | None]] = deque()
        self._history_bytes = 0
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
        """The operation performed most recently (None before the first)."""
        if self.position > 0:
            return self.plan[self.position - 1]
        return self.plan[-1] if self.iteration > 0 else None

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
        if on_step is None and not self.history_budget:
            # the same operations in the same order, without the per-step bookkeeping
            values, context = self.values, self.context
            with quiet():
                for op in self.plan[self.position:]:
                    values[op.key] = op.compute(values, context)
            self.position = 0
            self.iteration += 1
            return self.last_record()
        return self.run_to(0, on_step)

    def train(self, iterations: int, on_iteration: Callable[["Stepper"], None] | None = None) -> None:
        """Run whole iterations; ``on_iteration(self)`` after each (J is that iteration's cost)."""
        for _ in range(iterations):
            self.run_iteration()
            if on_iteration:
                on_iteration(self)

    # -- stepping back -------------------------------------------------------
    def _remember(self, key: str) -> None:
        old = self.values.get(key)
        self._history.append((key, old))
        self._history_bytes += 0 if old is None else old.nbytes
        while self._history_bytes > self.history_budget and self._history:
            _, dropped = self._history.popleft()
            self._history_bytes -= 0 if dropped is None else dropped.nbytes
            self.history_dropped += 1

    @property
    def can_step_back(self) -> bool:
        return bool(self._history)

    @property
    def history_length(self) -> int:
        return len(self._history)

    def step_back(self) -> Operation:
        """Undo the last operation, restoring the value it replaced bit for bit."""
        if not self._history:
            raise HistoryLimitReached("no earlier operation is kept")
        key, old = self._history.pop()
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
            self._history_bytes -= old.nbytes
        return op

    def replaced_value(self, key: str) -> Array | None:
        """The value the last operation overwrote, if that operation wrote ``key`` and history keeps it.

        For an update (W[1] = W[1] − α·dW[1]) this is W[1] as it was before."""
        if self._history and self._history[-1][0] == key and self.last_op is not None and self.last_op.key == key:
            return self._history[-1][1]
        return None

    def clear_history(self) -> None:
        self._history.clear()
        self._history_bytes = 0


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
