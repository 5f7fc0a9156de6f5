"""The backward pass: dA[L], then for l = L..1 dropout, dZ[l] (staged through batch norm), dW[l], db[l], dA[l−1].

dA[0] is never computed (A[0] = X is data).  With λ > 0, dW[l] carries + (λ/m)·W[l].
"""
from __future__ import annotations

import numpy as np

from .activations import activation, sigmoid_prime, log_softmax
from .forward import BN_EPSILON, output_key
from .network import NetworkSpec
from .operation import Array, Kind, Operation, Phase, Values

# exp(700) ~ 1e304 still fits in a float64; beyond it 1/A and 1/(1-A) would be inf.
_EXP_LIMIT = 700.0


def _m(v: Values) -> int:
    return v["Y"].shape[1]


def _clipped_exp(z: Array) -> Array:
    return np.exp(np.clip(z, -_EXP_LIMIT, _EXP_LIMIT))


def output_backward_ops(spec: NetworkSpec) -> list[Operation]:
    """dA[L] from the loss, then dZ[L] through the output activation."""
    L = spec.L
    AL, ZL, dAL, dZL = f"A{L}", f"Z{L}", f"dA{L}", f"dZ{L}"
    unit = (spec.sizes[L], "m")
    if spec.output == "sigmoid":
        # 1/A = 1 + e^-z and 1/(1-A) = 1 + e^z, from Z[L]: exact even where A[L]
        # rounds to 0 or 1, where the division by A would give inf.
        def dA(v: Values, c) -> Array:
            Y, z = v["Y"], v[ZL]
            return -(Y * (1.0 + _clipped_exp(-z)) - (1.0 - Y) * (1.0 + _clipped_exp(z))) / _m(v)

        dA_form = "−(1/m)({1}/{0} − (1 − {1})/(1 − {0}))"
        dZ_op = Operation(key=dZL, phase=Phase.BACKWARD, layer=L, kind=Kind.DZ, operands=(dAL, ZL),
                          form="{0} * σ'({1})", shape=unit, compute=lambda v, c: v[dAL] * sigmoid_prime(v[ZL]))
    elif spec.output == "softmax":
        def dA(v: Values, c) -> Array:
            return -v["Y"] * _clipped_exp(-log_softmax(v[ZL])) / _m(v)

        dA_form = "−(1/m) {1}/{0}"

        def dZ(v: Values, c) -> Array:
            A, d = v[AL], v[dAL]
            # A·dA is -Y/m exactly; where A underflowed to 0 the product would lose it.
            p = np.where(A > 0, A * d, -v["Y"] / _m(v))
            return p - A * p.sum(axis=0, keepdims=True)

        dZ_op = Operation(key=dZL, phase=Phase.BACKWARD, layer=L, kind=Kind.DZ, operands=(AL, dAL),
                          form="{0} * ({1} − Σᵢ {0}ᵢ{1}ᵢ)", shape_form="{0} * {1}", shape=unit, compute=dZ)
    else:
        def dA(v: Values, c) -> Array:
            return (v[AL] - v["Y"]) / _m(v)

        dA_form = "(1/m)({0} − {1})"
        dZ_op = Operation(key=dZL, phase=Phase.BACKWARD, layer=L, kind=Kind.DZ, operands=(dAL,), form="{0} * 1",
                          shape=unit, compute=lambda v, c: v[dAL])
    dA_op = Operation(key=dAL, phase=Phase.BACKWARD, layer=L, kind=Kind.DA, operands=(AL, "Y"), form=dA_form,
                      shape_form="{0}, {1}", shape=unit, reads=(AL, "Y", ZL), compute=dA)
    return [dA_op, dZ_op]


def _dropout_backward(spec: NetworkSpec, l: int) -> Operation:
    dAd, D, dA = f"dAd{l}", f"D{l}", f"dA{l}"
    keep = spec.keep(l)
    return Operation(key=dA, phase=Phase.BACKWARD, layer=l, kind=Kind.DROPOUT, operands=(dAd, D),
                     form=f"{{0}} * {{1}} / {keep:g}", shape=(spec.sizes[l], "m"),
                     compute=lambda v, c: v[dAd] * v[D] / keep)  # the course's order: (dA·D)/keep_prob


def _batch_norm_backward(spec: NetworkSpec, l: int) -> list[Operation]:
    """dZ̃ = dA * g'(Z̃); dγ = Σ dZ̃·Ẑ; dβ = Σ dZ̃; dẐ = γ·dZ̃; dZ = (1/m)/√(σ²+ε) (m dẐ − Σ dẐ − Ẑ Σ dẐ·Ẑ)."""
    dA, Zt, dZt, Zhat, dZhat, dZ = f"dA{l}", f"Zt{l}", f"dZt{l}", f"Zhat{l}", f"dZhat{l}", f"dZ{l}"
    gamma, var = f"gamma{l}", f"var{l}"
    g = activation(spec.activation(l))
    backward = g.backward
    unit, column = (spec.sizes[l], "m"), (spec.sizes[l], 1)

    def dz(v: Values, c) -> Array:
        d, zhat = v[dZhat], v[Zhat]
        m = d.shape[1]
        return (m * d - d.sum(axis=1, keepdims=True) - zhat * np.sum(d * zhat, axis=1, keepdims=True)) / (
            m * np.sqrt(v[var] + BN_EPSILON))

    return [
        Operation(key=dZt, phase=Phase.BACKWARD, layer=l, kind=Kind.DZ, operands=(dA, Zt),
                  form=f"{{0}} * {g.symbol or 'g'}'({{1}})", shape=unit, compute=lambda v, c: backward(v[dA], v[Zt])),
        Operation(key=f"dgamma{l}", phase=Phase.BACKWARD, layer=l, kind=Kind.DGAMMA, operands=(dZt, Zhat),
                  form="np.sum({0} * {1}, axis=1)", shape=column,
                  compute=lambda v, c: np.sum(v[dZt] * v[Zhat], axis=1, keepdims=True)),
        Operation(key=f"dbeta{l}", phase=Phase.BACKWARD, layer=l, kind=Kind.DBETA, operands=(dZt,),
                  form="np.sum({0}, axis=1)", shape=column,
                  compute=lambda v, c: np.sum(v[dZt], axis=1, keepdims=True)),
        Operation(key=dZhat, phase=Phase.BACKWARD, layer=l, kind=Kind.DZHAT, operands=(gamma, dZt),
                  form="{0} * {1}", shape=unit, compute=lambda v, c: v[gamma] * v[dZt]),
        Operation(key=dZ, phase=Phase.BACKWARD, layer=l, kind=Kind.DZ, operands=(dZhat, Zhat, var),
                  form="(m {0} − Σ {0} − {1} Σ {0}·{1}) / (m √({2} + ε))", shape_form="{0}, {1}, {2}", shape=unit,
                  compute=dz),
    ]


def backward_ops(spec: NetworkSpec, l: int, l2: bool = False) -> list[Operation]:
    """For layer l: dropout's dA[l], dZ[l] (unless l = L, done with the loss), dW[l], db[l], dA[l−1]."""
    W, A_prev, dZ = f"W{l}", "A0" if l == 1 else output_key(spec, l - 1), f"dZ{l}"
    n_l, n_prev = spec.weight_shape(l)
    ops: list[Operation] = []
    if l < spec.L:
        if spec.dropout(l):
            ops.append(_dropout_backward(spec, l))
        if spec.normalised(l):
            ops += _batch_norm_backward(spec, l)
        else:
            dA, Z = f"dA{l}", f"Z{l}"
            g = activation(spec.activation(l))
            backward = g.backward
            ops.append(Operation(key=dZ, phase=Phase.BACKWARD, layer=l, kind=Kind.DZ, operands=(dA, Z),
                                 form=f"{{0}} * {g.symbol or 'g'}'({{1}})", shape=(n_l, "m"),
                                 compute=lambda v, c: backward(v[dA], v[Z])))
    if l2:
        ops.append(Operation(key=f"dW{l}", phase=Phase.BACKWARD, layer=l, kind=Kind.DW, operands=(dZ, A_prev, W),
                             form="{0}·{1} + (λ/m)·{2}", transposed=(False, True), shape=(n_l, n_prev),
                             compute=lambda v, c: v[dZ] @ v[A_prev].T + c.lambd / _m(v) * v[W]))
    else:
        ops.append(Operation(key=f"dW{l}", phase=Phase.BACKWARD, layer=l, kind=Kind.DW, operands=(dZ, A_prev),
                             form="{0}·{1}", transposed=(False, True), shape=(n_l, n_prev),
                             compute=lambda v, c: v[dZ] @ v[A_prev].T))
    if not spec.normalised(l):
        ops.append(Operation(key=f"db{l}", phase=Phase.BACKWARD, layer=l, kind=Kind.DB, operands=(dZ,),
                             form="np.sum({0}, axis=1)", shape=(n_l, 1),
                             compute=lambda v, c: np.sum(v[dZ], axis=1, keepdims=True)))
    if l > 1:
        dA_prev = "d" + output_key(spec, l - 1)
        ops.append(Operation(key=dA_prev, phase=Phase.BACKWARD, layer=l, kind=Kind.DA, operands=(W, dZ),
                             form="{0}·{1}", transposed=(True, False), shape=(n_prev, "m"),
                             compute=lambda v, c: v[W].T @ v[dZ]))
    return ops
