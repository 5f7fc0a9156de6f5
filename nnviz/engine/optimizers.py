"""The optimisers, registered in one table: each declares its state and builds its operations.

State lives in the stepper's values beside the parameters, one array per parameter
and of its shape (v_dW[1] is W[1]'s shape), so stepping back, session files and the
inspector treat it like any other array.  ``t`` counts updates (one per mini-batch).
The formulas are the course's, in its order of floating-point operations.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .network import NetworkSpec
from .operation import Array, Kind, Operation, Phase, Values


def _minus_alpha_times(p: Array, dp: Array, a: float) -> Array:
    """p − α·dp into one new array (bit for bit the same as ``p - a * dp``, one allocation fewer)."""
    out = np.multiply(a, dp)
    return np.subtract(p, out, out=out)


def _average(beta: float, old: Array, new: Array) -> Array:
    """β·old + (1 − β)·new into one new array (bit for bit the same expression, fewer temporaries)."""
    out = np.multiply(beta, old)
    return np.add(out, np.multiply(1 - beta, new), out=out)


def _average_of_squares(beta: float, old: Array, new: Array) -> Array:
    """β·old + (1 − β)·new² (bit for bit ``beta * old + (1 - beta) * np.power(new, 2)``)."""
    out = np.multiply(beta, old)
    square = np.power(new, 2)
    return np.add(out, np.multiply(1 - beta, square, out=square), out=out)


def _adaptive_step(p: Array, alpha: float, g: Array, s: Array, eps: float) -> Array:
    """p − α·g / (√s + ε) (bit for bit that expression, in two temporaries instead of five)."""
    denominator = np.sqrt(s)
    np.add(denominator, eps, out=denominator)
    out = np.multiply(alpha, g)
    np.divide(out, denominator, out=out)
    return np.subtract(p, out, out=out)


def _shape(spec: NetworkSpec, key: str) -> tuple[int, int]:
    return spec.parameter_shape(key)


def _gd(spec: NetworkSpec, p: str, l: int) -> list[Operation]:
    dp = "d" + p
    return [Operation(key=p, phase=Phase.UPDATE, layer=l, kind=Kind.UPDATE, operands=(p, dp), form="{0} − α·{1}",
                      shape=_shape(spec, p), compute=lambda v, c: _minus_alpha_times(v[p], v[dp], c.alpha))]


def _momentum(spec: NetworkSpec, p: str, l: int) -> list[Operation]:
    dp = "d" + p
    vd = "v" + dp
    shape = _shape(spec, p)
    return [
        Operation(key=vd, phase=Phase.OPTIMIZER, layer=l, kind=Kind.MOMENT, operands=(vd, dp),
                  form="β·{0} + (1 − β)·{1}", shape=shape,
                  compute=lambda v, c: _average(c.beta, v[vd], v[dp])),
        Operation(key=p, phase=Phase.UPDATE, layer=l, kind=Kind.UPDATE, operands=(p, vd), form="{0} − α·{1}",
                  shape=shape, compute=lambda v, c: _minus_alpha_times(v[p], v[vd], c.alpha)),
    ]


def _rmsprop(spec: NetworkSpec, p: str, l: int) -> list[Operation]:
    dp = "d" + p
    sd = "s" + dp
    shape = _shape(spec, p)
    return [
        Operation(key=sd, phase=Phase.OPTIMIZER, layer=l, kind=Kind.MOMENT, operands=(sd, dp),
                  form="β₂·{0} + (1 − β₂)·{1}²", shape=shape,
                  compute=lambda v, c: _average_of_squares(c.beta2, v[sd], v[dp])),
        Operation(key=p, phase=Phase.UPDATE, layer=l, kind=Kind.UPDATE, operands=(p, dp, sd),
                  form="{0} − α·{1} / (√{2} + ε)", shape=shape,
                  compute=lambda v, c: _adaptive_step(v[p], c.alpha, v[dp], v[sd], c.epsilon)),
    ]


def _t(v: Values) -> int:
    return int(v["t"][0, 0])


def _adam(spec: NetworkSpec, p: str, l: int) -> list[Operation]:
    dp = "d" + p
    vd, vh, sd, sh = "v" + dp, "vhat" + dp, "s" + dp, "shat" + dp
    shape = _shape(spec, p)
    return [
        Operation(key=vd, phase=Phase.OPTIMIZER, layer=l, kind=Kind.MOMENT, operands=(vd, dp),
                  form="β₁·{0} + (1 − β₁)·{1}", shape=shape,
                  compute=lambda v, c: _average(c.beta1, v[vd], v[dp])),
        Operation(key=vh, phase=Phase.OPTIMIZER, layer=l, kind=Kind.BIAS_CORRECTION, operands=(vd,),
                  form="{0} / (1 − β₁ᵗ)", shape=shape, reads=(vd, "t"),
                  compute=lambda v, c: v[vd] / (1 - c.beta1 ** _t(v))),
        Operation(key=sd, phase=Phase.OPTIMIZER, layer=l, kind=Kind.MOMENT, operands=(sd, dp),
                  form="β₂·{0} + (1 − β₂)·{1}²", shape=shape,
                  compute=lambda v, c: _average_of_squares(c.beta2, v[sd], v[dp])),
        Operation(key=sh, phase=Phase.OPTIMIZER, layer=l, kind=Kind.BIAS_CORRECTION, operands=(sd,),
                  form="{0} / (1 − β₂ᵗ)", shape=shape, reads=(sd, "t"),
                  compute=lambda v, c: v[sd] / (1 - c.beta2 ** _t(v))),
        Operation(key=p, phase=Phase.UPDATE, layer=l, kind=Kind.UPDATE, operands=(p, vh, sh),
                  form="{0} − α·{1} / (√{2} + ε)", shape=shape,
                  compute=lambda v, c: _adaptive_step(v[p], c.alpha, v[vh], v[sh], c.epsilon)),
    ]


def step_count_op() -> Operation:
    """t = t + 1: the number of updates so far, for the bias correction 1/(1 − βᵗ)."""
    return Operation(key="t", phase=Phase.OPTIMIZER, layer=0, kind=Kind.STEP_COUNT, operands=("t",),
                     form="{0} + 1", compute=lambda v, c: v["t"] + 1.0)


@dataclass(frozen=True)
class Optimizer:
    """One optimiser: its state per parameter (key prefixes before d<param>, all starting at 0),
    whether it counts updates (t), the hyperparameters it reads, and its operations per parameter."""

    name: str
    title: str
    state: tuple[str, ...]
    counts_updates: bool
    hyperparameters: tuple[str, ...]
    ops: Callable[[NetworkSpec, str, int], list[Operation]]
    initial: float = 0.0

    def state_keys(self, spec: NetworkSpec) -> list[str]:
        return [prefix + "d" + p for p in spec.parameter_names for prefix in self.state]

    def initial_state(self, spec: NetworkSpec) -> dict[str, Array]:
        """Every state array at its initial value (v = 0, s = 0, t = 0)."""
        state = {prefix + "d" + p: np.full(spec.parameter_shape(p), self.initial)
                 for p in spec.parameter_names for prefix in self.state}
        if self.counts_updates:
            state["t"] = np.zeros((1, 1))
        return state

    def build(self, spec: NetworkSpec) -> list[Operation]:
        ops = [step_count_op()] if self.counts_updates else []
        for l in range(1, spec.L + 1):
            for p in spec.parameter_keys(l):
                ops += self.ops(spec, p, l)
        return ops


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("gd", "gradient descent: W = W − α·dW", (), False, ("learning_rate",), _gd),
        Optimizer("momentum", "momentum: v = β·v + (1 − β)·dW; W = W − α·v", ("v",), False,
                  ("learning_rate", "beta"), _momentum),
        Optimizer("rmsprop", "RMSprop: s = β₂·s + (1 − β₂)·dW²; W = W − α·dW/(√s + ε)", ("s",), False,
                  ("learning_rate", "beta2", "epsilon"), _rmsprop),
        Optimizer("adam", "Adam: momentum and RMSprop with bias correction v^corr = v/(1 − β₁ᵗ), s^corr = s/(1 − β₂ᵗ)",
                  ("v", "s"), True, ("learning_rate", "beta1", "beta2", "epsilon"), _adam),
    )
}
