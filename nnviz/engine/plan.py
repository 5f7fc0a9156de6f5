"""The plan of one training iteration: every operation the notes write, in order.

Mini-batch X{t}, Y{t} (with mini-batches); forward Z[1], A[1], ..., Z[L], A[L] (with batch
norm and dropout where chosen); the cost J (with its L2 term); then backward dA[L] and, for
l = L..1, dZ[l], dW[l], db[l], dA[l-1] (not dA[0]); then the optimiser's operations and the
updates W[1], b[1], ..., W[L], b[L].  Each Operation is declared by its family's module
(``forward``, ``backward``, ``optimizers``, ``batches``); this module puts them in order and
derives what follows from the declarations (the shapes of every array).  Arrays are never
changed in place: every operation makes a new array, so an older value can be kept (for
stepping back) without copying it.
"""
from __future__ import annotations

import numpy as np

from .backward import backward_ops, output_backward_ops
from .batches import batch_ops
from .context import Training
from .forward import BN_MOMENTUM, cost_op, forward_ops, l2_op
from .network import NetworkSpec
from .operation import PHASES, Array, Kind, Operation, Phase, shape_text, symbol
from .optimizers import OPTIMIZERS

__all__ = ["PHASES", "Operation", "Phase", "Kind", "build_plan", "forward_plan", "initial_state", "plan_shapes",
           "operation_line", "shape_text", "symbol"]


def _running_average_ops(spec: NetworkSpec) -> list[Operation]:
    """μ_run[l], σ²_run[l]: what prediction normalises with (batch norm layers)."""
    ops = []
    for l in range(1, spec.L):
        if not spec.normalised(l):
            continue
        for run, batch in ((f"murun{l}", f"mu{l}"), (f"varrun{l}", f"var{l}")):
            ops.append(Operation(
                key=run, phase=Phase.UPDATE, layer=l, kind=Kind.RUNNING_AVERAGE, operands=(run, batch),
                form=f"{BN_MOMENTUM:g}·{{0}} + {1 - BN_MOMENTUM:.1f}·{{1}}", shape=(spec.sizes[l], 1),
                compute=lambda v, c, run=run, batch=batch: BN_MOMENTUM * v[run] + (1 - BN_MOMENTUM) * v[batch]))
    return ops


def _decay_op(training: Training) -> Operation:
    if training.decay_interval is None:
        form = f"α₀ / (1 + {training.lr_decay:g}·epoch)"
    else:
        form = f"α₀ / (1 + {training.lr_decay:g}·⌊epoch / {training.decay_interval}⌋)"
    return Operation(key="alpha", phase=Phase.OPTIMIZER, layer=0, kind=Kind.DECAY, operands=(), form=form,
                     compute=lambda v, c: np.array([[c.alpha]]))


def build_plan(spec: NetworkSpec, training: Training | None = None, m: int | None = None) -> tuple[Operation, ...]:
    """The operations of one iteration, in the order the notes perform them.

    ``m`` (the number of training examples) decides whether there are mini-batches at all."""
    training = training or Training()
    ops: list[Operation] = []
    if m is not None and training.uses_batches(m):
        ops += batch_ops(spec)
    for l in range(1, spec.L + 1):
        ops += forward_ops(spec, l)
    l2 = training.l2 > 0
    if l2:
        ops.append(l2_op(spec))
    ops.append(cost_op(spec, with_l2=l2))
    ops += output_backward_ops(spec)
    for l in range(spec.L, 0, -1):
        ops += backward_ops(spec, l, l2)
    if training.lr_decay:
        ops.append(_decay_op(training))
    ops += OPTIMIZERS[training.optimizer].build(spec)
    ops += _running_average_ops(spec)
    return tuple(_numbered(ops))


def forward_plan(spec: NetworkSpec) -> tuple[Operation, ...]:
    """Prediction: the forward pass without dropout, batch norm with its running averages."""
    ops = []
    for l in range(1, spec.L + 1):
        ops += forward_ops(spec, l, training=False)
    return tuple(_numbered(ops))


def _numbered(ops: list[Operation]) -> list[Operation]:
    from dataclasses import replace

    return [replace(op, index=i) for i, op in enumerate(ops)]


def initial_state(spec: NetworkSpec, training: Training | None = None) -> dict[str, Array]:
    """The arrays the plan reads before it writes them, besides data and parameters:
    the optimiser's state (v, s at 0; t = 0) and batch norm's running averages (μ = 0, σ² = 1)."""
    training = training or Training()
    state = OPTIMIZERS[training.optimizer].initial_state(spec)
    for l in range(1, spec.L):
        if spec.normalised(l):
            state[f"murun{l}"] = np.zeros((spec.sizes[l], 1))
            state[f"varrun{l}"] = np.ones((spec.sizes[l], 1))
    return state


def plan_shapes(spec: NetworkSpec, m: int, training: Training | None = None) -> dict[str, tuple[int, int]]:
    """The shape of every array of the plan on batches of m examples, known before anything is computed
    (derived from the operations' shape rules)."""
    shapes: dict[str, tuple[int, int]] = {"A0": (spec.sizes[0], m), "Y": (spec.sizes[-1], m), "J": (1, 1)}
    for key in spec.parameter_names:
        shapes[key] = spec.parameter_shape(key)
    for key, value in initial_state(spec, training).items():
        shapes[key] = value.shape
    for op in build_plan(spec, training):
        shapes[op.key] = op.result_shape(m)
    return shapes


def operation_line(op: Operation, shapes: dict[str, tuple[int, int]]) -> tuple[str, str]:
    """(equation, shape algebra) as the step list shows them, e.g.
    ('Z[1] = W[1]·A[0] + b[1]', '(7×12288)(12288×209) + (7×1) → 7×209')."""
    operand_shapes = [shapes[k] for k in op.operands]
    return op.equation, op.shape_algebra(operand_shapes, shapes[op.key], named=False)
