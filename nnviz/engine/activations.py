"""Activation functions g and their derivatives g', safe for any finite z."""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

Array = np.ndarray

LEAKY_SLOPE = 0.01


def sigmoid(z: Array) -> Array:
    """1 / (1 + e^-z), written as the notes write it.

    For z < -709, e^-z overflows to inf and 1/inf = 0, which is the right limit;
    the overflow warning is silenced because nothing is wrong.
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: Array) -> Array:
    """σ'(z) = e^-|z| / (1 + e^-|z|)^2.

    Equal to σ(z)(1 - σ(z)) but without its cancellation: for z > 37, σ(z) rounds
    to exactly 1 and σ(1-σ) becomes 0, which would silently stop the gradient of
    a confidently wrong prediction.  |z| is capped at 700 (σ' = e^-700, about
    1e-304), the same cap dA[L] uses, so that dA[L]·σ'(Z[L]) at the output
    still gives (A - Y)/m for an astronomically saturated unit.
    """
    e = np.exp(-np.minimum(np.abs(z), 700.0))
    return e / ((1.0 + e) * (1.0 + e))


def relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def relu_backward(dA: Array, z: Array) -> Array:
    """dA * g'(z) for ReLU: dA where z > 0, else 0 (g'(0) is taken as 0)."""
    return np.where(z > 0, dA, 0.0)


def leaky_relu(z: Array) -> Array:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_backward(dA: Array, z: Array) -> Array:
    return np.where(z > 0, dA, LEAKY_SLOPE * dA)


def tanh_prime(z: Array) -> Array:
    t = np.tanh(z)
    return 1.0 - t * t


def linear(z: Array) -> Array:
    return z


def _times(derivative: Callable[[Array], Array]) -> Callable[[Array, Array], Array]:
    def backward(dA: Array, z: Array) -> Array:
        return dA * derivative(z)

    backward.__name__ = f"{derivative.__name__}_backward"
    return backward


def _linear_backward(dA: Array, z: Array) -> Array:
    return dA


class Activation(NamedTuple):
    """One activation: g, its backward (dA, Z) -> dA * g'(Z), how g and g' are written, and g's symbol
    in equations ('σ' in 'A[1] = σ(Z[1])'; '' for linear, whose A[l] = Z[l])."""

    g: Callable[[Array], Array]
    backward: Callable[[Array, Array], Array]
    formula: str
    derivative: str
    symbol: str


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation(relu, relu_backward, "relu(z) = max(0, z)", "g'(z) = 1 if z > 0 else 0", "relu"),
    "leaky_relu": Activation(
        leaky_relu,
        leaky_relu_backward,
        "leaky_relu(z) = z if z > 0 else 0.01·z",
        "g'(z) = 1 if z > 0 else 0.01",
        "leaky_relu",
    ),
    "tanh": Activation(np.tanh, _times(tanh_prime), "tanh(z)", "g'(z) = 1 − tanh²(z)", "tanh"),
    "sigmoid": Activation(sigmoid, _times(sigmoid_prime), "σ(z) = 1 / (1 + e^−z)", "g'(z) = σ(z)(1 − σ(z))", "σ"),
    "linear": Activation(linear, _linear_backward, "g(z) = z", "g'(z) = 1", ""),
}

HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATIONS)


def softmax(z: Array) -> Array:
    """Column-wise softmax (one example per column), shifted by the column max."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def log_softmax(z: Array) -> Array:
    """ln softmax(z), column-wise, without forming softmax (no log(0))."""
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def log_sigmoid(z: Array) -> Array:
    """ln σ(z) = -ln(1 + e^-z), finite for every finite z."""
    return -np.logaddexp(0.0, -z)


def _softmax_backward(dA: Array, z: Array) -> Array:
    raise NotImplementedError("softmax is an output activation: dZ[L] is computed with its loss")


SOFTMAX = Activation(softmax, _softmax_backward, "softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ", "", "softmax")


def activation(name: str) -> Activation:
    """The record of g by name: every hidden activation, and softmax (an output only)."""
    return SOFTMAX if name == "softmax" else ACTIVATIONS[name]
