"""The forward pass and the cost: Z[l], batch norm, A[l], dropout; J and its L2 term.

Each function returns the Operations of one family; ``plan.build_plan`` puts them in order.
"""
from __future__ import annotations

import functools

import numpy as np

from .activations import activation, log_sigmoid, log_softmax
from .context import Context
from .network import NetworkSpec
from .operation import Array, Kind, Operation, Phase, Values

BN_EPSILON = 1e-5  # ε in Ẑ = (Z − μ)/√(σ² + ε), as torch's BatchNorm1d
BN_MOMENTUM = 0.9  # running averages for prediction: μ_run = 0.9·μ_run + 0.1·μ


def _m(v: Values) -> int:
    return v["Y"].shape[1]


def output_key(spec: NetworkSpec, l: int, training: bool = True) -> str:
    """The activation layer l + 1 reads: Ã[l] after dropout (in training), else A[l]."""
    return f"Ad{l}" if training and spec.dropout(l) else f"A{l}"


def forward_ops(spec: NetworkSpec, l: int, training: bool = True) -> list[Operation]:
    """Z[l] = W[l]·A[l−1] + b[l] (no b with batch norm), the batch-norm stages, A[l] = g(Z[l]), dropout."""
    W, b, Z, A = f"W{l}", f"b{l}", f"Z{l}", f"A{l}"
    A_prev = "A0" if l == 1 else output_key(spec, l - 1, training)
    n_l = spec.sizes[l]
    unit = (n_l, "m")
    g = activation(spec.activation(l))
    ops = []
    if spec.normalised(l):
        ops.append(Operation(key=Z, phase=Phase.FORWARD, layer=l, kind=Kind.LINEAR, operands=(W, A_prev),
                             form="{0}·{1}", shape=unit, compute=lambda v, c: v[W] @ v[A_prev]))
        ops += _batch_norm_ops(l, n_l, training)
        pre = f"Zt{l}"
    else:
        ops.append(Operation(key=Z, phase=Phase.FORWARD, layer=l, kind=Kind.LINEAR, operands=(W, A_prev, b),
                             form="{0}·{1} + {2}", shape=unit, compute=lambda v, c: v[W] @ v[A_prev] + v[b]))
        pre = Z
    fn = g.g
    ops.append(Operation(key=A, phase=Phase.FORWARD, layer=l, kind=Kind.ACTIVATION, operands=(pre,),
                         form=f"{g.symbol}({{0}})" if g.symbol else "{0}", shape=unit,
                         compute=lambda v, c: fn(v[pre])))
    if training and spec.dropout(l):
        ops += _dropout_ops(spec, l)
    return ops


def _batch_norm_ops(l: int, n_l: int, training: bool) -> list[Operation]:
    Z, mu, var, Zhat, Zt, gamma, beta = (f"Z{l}", f"mu{l}", f"var{l}", f"Zhat{l}", f"Zt{l}", f"gamma{l}",
                                          f"beta{l}")
    unit, column = (n_l, "m"), (n_l, 1)
    ops = []
    if training:
        ops += [
            Operation(key=mu, phase=Phase.FORWARD, layer=l, kind=Kind.BN_MEAN, operands=(Z,),
                      form="(1/m) Σ {0}", shape_form="mean of {0} over the examples", shape=column,
                      compute=lambda v, c: np.mean(v[Z], axis=1, keepdims=True)),
            Operation(key=var, phase=Phase.FORWARD, layer=l, kind=Kind.BN_VAR, operands=(Z, mu),
                      form="(1/m) Σ ({0} − {1})²", shape=column,
                      compute=lambda v, c: np.mean((v[Z] - v[mu]) ** 2, axis=1, keepdims=True)),
        ]
        m_key, v_key = mu, var
    else:
        m_key, v_key = f"murun{l}", f"varrun{l}"
    ops += [
        Operation(key=Zhat, phase=Phase.FORWARD, layer=l, kind=Kind.BN_NORM, operands=(Z, m_key, v_key),
                  form="({0} − {1}) / √({2} + ε)", shape=unit,
                  compute=lambda v, c: (v[Z] - v[m_key]) / np.sqrt(v[v_key] + BN_EPSILON)),
        Operation(key=Zt, phase=Phase.FORWARD, layer=l, kind=Kind.BN_SCALE, operands=(gamma, Zhat, beta),
                  form="{0} * {1} + {2}", shape=unit, compute=lambda v, c: v[gamma] * v[Zhat] + v[beta]),
    ]
    return ops


def dropout_mask(spec: NetworkSpec, l: int, c: Context, m: int) -> Array:
    """D[l] (n_l×m) of the iteration in progress, 1 where a unit is kept, derived from the iteration alone.

    Legacy: the course's forward_propagation_with_dropout, which calls np.random.seed(1) at every
    pass and then draws np.random.rand(n_l, m) for each dropout layer in order: the same masks
    at every iteration.  Default: numpy's Generator seeded with (seed, iteration, l)."""
    keep = spec.keep(l)
    if c.training.rng == "legacy":
        return _legacy_mask(spec.sizes, spec.keep_prob, l, m, c.training.dropout_seed)
    else:
        draw = np.random.default_rng([c.training.dropout_seed, c.iteration, l]).random((spec.sizes[l], m))
    return (draw < keep).astype(float)


@functools.lru_cache(maxsize=64)
def _legacy_mask(sizes: tuple[int, ...], keep_prob: tuple[float, ...], l: int, m: int, seed: int) -> Array:
    """The course's masks depend on the shapes alone (it re-seeds at every pass): made once, shared read-only."""
    rs = np.random.RandomState(seed)
    for k in range(1, l):
        if keep_prob[k - 1] < 1.0:
            rs.rand(sizes[k], m)
    mask = (rs.rand(sizes[l], m) < keep_prob[l - 1]).astype(float)
    mask.flags.writeable = False
    return mask


def _dropout_ops(spec: NetworkSpec, l: int) -> list[Operation]:
    A, D, Ad = f"A{l}", f"D{l}", f"Ad{l}"
    keep = spec.keep(l)
    unit = (spec.sizes[l], "m")
    return [
        Operation(key=D, phase=Phase.FORWARD, layer=l, kind=Kind.MASK, operands=(A,),
                  form=f"(rand(shape of {{0}}) < {keep:g})", shape=unit, reads=(),
                  compute=lambda v, c: dropout_mask(spec, l, c, v[A].shape[1])),
        Operation(key=Ad, phase=Phase.FORWARD, layer=l, kind=Kind.DROPOUT, operands=(A, D),
                  form=f"{{0}} * {{1}} / {keep:g}", shape=unit,
                  compute=lambda v, c: v[A] * v[D] / keep),  # the course's order: (A·D)/keep_prob
    ]


def l2_op(spec: NetworkSpec) -> Operation:
    """(λ/2m)·Σ‖W[l]‖²_F, the course's compute_cost_with_regularization term."""
    Ws = tuple(f"W{l}" for l in range(1, spec.L + 1))

    def l2(v: Values, c: Context) -> Array:
        total = np.sum(np.square(v[Ws[0]]))
        for W in Ws[1:]:
            total = total + np.sum(np.square(v[W]))
        return np.array([[1.0 / _m(v) * c.lambd / 2 * total]])

    terms = " + ".join(f"‖{{{i}}}‖²" for i in range(len(Ws)))
    return Operation(key="L2", phase=Phase.COST, layer=spec.L, kind=Kind.L2, operands=Ws,
                     form=f"(λ/2m)({terms})", shape_form="Σ of squares of " + ", ".join(f"{{{i}}}" for i in range(len(Ws))),
                     compute=l2)


def cost_op(spec: NetworkSpec, with_l2: bool = False) -> Operation:
    """J: the mean loss over the m columns of the batch (+ the L2 term when λ > 0)."""
    L = spec.L
    AL, ZL = f"A{L}", f"Z{L}"
    if spec.output == "sigmoid":
        # ln A and ln(1-A) from Z[L] (ln σ(z), ln σ(-z)): identical algebra, but no log(0)
        # when A[L] rounds to exactly 0 or 1.
        def loss(v: Values) -> Array:
            Y, z = v["Y"], v[ZL]
            return np.array([[-np.sum(Y * log_sigmoid(z) + (1.0 - Y) * log_sigmoid(-z)) / _m(v)]])

        form = "−(1/m) Σ ({1} ln {0} + (1 − {1}) ln(1 − {0}))"
    elif spec.output == "softmax":
        def loss(v: Values) -> Array:
            return np.array([[-np.sum(v["Y"] * log_softmax(v[ZL])) / _m(v)]])

        form = "−(1/m) Σ {1} ln {0}"
    else:
        def loss(v: Values) -> Array:
            diff = v[AL] - v["Y"]
            return np.array([[np.sum(diff * diff) / (2 * _m(v))]])

        form = "(1/2m) Σ ({0} − {1})²"
    if with_l2:
        return Operation(key="J", phase=Phase.COST, layer=L, kind=Kind.COST, operands=(AL, "Y", "L2"),
                         form=form + " + {2}", shape_form="Σ over {0} and {1}, + {2}", reads=(AL, "Y", ZL, "L2"),
                         compute=lambda v, c: loss(v) + v["L2"])
    return Operation(key="J", phase=Phase.COST, layer=L, kind=Kind.COST, operands=(AL, "Y"), form=form,
                     shape_form="Σ over {0} and {1}", reads=(AL, "Y", ZL), compute=lambda v, c: loss(v))
