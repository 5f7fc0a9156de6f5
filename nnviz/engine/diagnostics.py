"""Diagnostics of a training state: dead ReLUs, saturated units, update-to-weight ratios, and what they mean.

A warning has to be right: a saturated sigmoid output under cross-entropy still learns (dZ[L] = A[L] − Y
does not vanish), and tiny updates on a network that already fits its training data are convergence,
not slow learning.  Each rule below says when it applies.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .network import NetworkSpec

Array = np.ndarray

# rules of thumb (e.g. CS231n): α‖dW‖/‖W‖ around 1e-3 is healthy
RATIO_HIGH = 1e-2
RATIO_LOW = 1e-5
DEAD_SHARE = 0.5
SATURATED_SHARE = 0.5
# the network fits its training data when the cost is this low: cross-entropy 0.05 is a mean probability
# of about 0.95 for the right class; squared error 1 % of ½·var(Y) explains 99 % of the variance
FIT_CROSS_ENTROPY = 0.05
FIT_VARIANCE_SHARE = 0.01

WRONG, SUSPICIOUS = "wrong", "suspicious"  # the tones of a finding: red, amber


@dataclass(frozen=True)
class LayerDiagnostics:
    """One layer l: how many of its n_l units are dead or saturated, and α‖dW[l]‖/‖W[l]‖.

    ``tones`` are the verdicts of the dead, saturated and ratio measures ('wrong', 'suspicious' or
    None), ``hint`` says in words what the non-None ones mean and what to try."""

    layer: int
    activation: str
    units: int
    dead: int | None  # ReLU units with Z ≤ 0 on every example (no gradient ever)
    saturated: int | None  # sigmoid/tanh units saturated on most examples
    update_ratio: float | None  # α‖dW[l]‖ / ‖W[l]‖ (inf when W[l] is all zeros)
    hint: str
    tones: tuple[str | None, str | None, str | None] = (None, None, None)
    note: str = ""  # why a measure that looks alarming is not a warning here

    @property
    def severity(self) -> str | None:
        """The worst tone of the layer: 'wrong', 'suspicious', or None when it looks healthy."""
        return WRONG if WRONG in self.tones else SUSPICIOUS if SUSPICIOUS in self.tones else None


def _saturated(activation: str, Z: Array) -> int | None:
    if activation == "sigmoid":
        flat = np.abs(Z) > 4.6  # σ' < 0.01
    elif activation == "tanh":
        flat = np.abs(Z) > 2.65  # tanh' < 0.02
    else:
        return None
    return int(np.count_nonzero(flat.mean(axis=1) > SATURATED_SHARE))


def fitted_cost(spec: NetworkSpec, values: dict[str, Array]) -> float | None:
    """J when the latest forward pass fits the training data (see FIT_CROSS_ENTROPY), else None."""
    J = values.get("J")
    if J is None or not np.isfinite(J).all():
        return None
    cost = float(np.asarray(J).reshape(-1)[0])
    if spec.output == "linear":
        Y = values.get("Y")
        if Y is None or Y.size == 0:
            return None
        spread = 0.5 * float(np.mean(np.var(Y, axis=1)))
        return cost if cost <= FIT_VARIANCE_SHARE * spread or cost == 0.0 else None
    return cost if cost <= FIT_CROSS_ENTROPY else None


def _dead(d: LayerDiagnostics) -> tuple[str | None, str]:
    if d.dead is None or d.dead < max(1, DEAD_SHARE * d.units):
        return None, ""
    return (WRONG if d.dead == d.units else SUSPICIOUS,
            f"{d.dead} of {d.units} ReLU units are dead: try a smaller α, He initialisation or leaky_relu")


def _saturation(d: LayerDiagnostics, output: bool, fits: bool) -> tuple[str | None, str]:
    # the output unit's σ' cancels against the cross-entropy's 1/A (dZ[L] = A[L] − Y): no vanishing there;
    # and saturated hidden units of a network that fits are confident, not stuck
    if output or fits or not d.saturated or d.saturated < max(1, SATURATED_SHARE * d.units):
        return None, ""
    return (WRONG if d.saturated == d.units else SUSPICIOUS,
            f"{d.saturated} of {d.units} units saturate: their gradients vanish; try smaller initial weights")


def _ratio(d: LayerDiagnostics, fits: bool) -> tuple[str | None, str]:
    r, l = d.update_ratio, d.layer
    if r is None:
        return None, ""
    if math.isnan(r):
        return WRONG, f"the update ratio is not finite: W[{l}] or dW[{l}] hold NaN or Inf"
    if math.isinf(r):
        return SUSPICIOUS, f"W[{l}] is all zeros: its units all get the same update; use a random initialisation"
    if r > RATIO_HIGH:
        return WRONG, f"updates are {r:.1e} of the weights: α is probably too large"
    if fits:  # small or no updates are what convergence looks like
        return None, ""
    if r == 0.0:
        return SUSPICIOUS, f"dW[{l}] is exactly 0: layer {l} does not learn"
    if r < RATIO_LOW:
        return SUSPICIOUS, f"updates are {r:.1e} of the weights: learning is very slow"
    return None, ""


def _note(d: LayerDiagnostics, output: bool, fits: bool) -> str:
    notes = []
    if output and d.saturated:
        notes.append(f"the output saturates where it is confident; with cross-entropy dZ[{d.layer}] = A[{d.layer}] − Y "
                     "does not vanish, so it still learns")
    if fits:
        notes.append("the network fits its training data: small updates are convergence")
    return "; ".join(notes)


def _ratio_of(W: Array, dW: Array, learning_rate: float) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        norm, grad = float(np.linalg.norm(W)), float(np.linalg.norm(dW))
    if not (math.isfinite(norm) and math.isfinite(grad)):
        return math.nan
    if norm == 0.0:
        return math.inf
    return float(learning_rate * grad / norm)


def _step_of(values: dict[str, Array], l: int) -> Array | None:
    """What α multiplies in W[l]'s update: dW[l], or the optimiser's v, v^corr/(√s^corr + ε), dW/(√s + ε)."""
    get = values.get
    if get(f"vhatdW{l}") is not None and get(f"shatdW{l}") is not None:
        with np.errstate(all="ignore"):
            return get(f"vhatdW{l}") / (np.sqrt(get(f"shatdW{l}")) + 1e-8)
    if get(f"vdW{l}") is not None and get(f"sdW{l}") is not None:
        return None  # Adam before its first bias correction: no step known yet
    if get(f"sdW{l}") is not None and get(f"dW{l}") is not None:
        with np.errstate(all="ignore"):
            return get(f"dW{l}") / (np.sqrt(get(f"sdW{l}")) + 1e-8)
    if get(f"vdW{l}") is not None:
        return get(f"vdW{l}")
    return get(f"dW{l}")


def diagnose(spec: NetworkSpec, values: dict[str, Array], learning_rate: float) -> list[LayerDiagnostics]:
    """Per layer 1..L, from the values of the latest forward and backward pass (missing → None).

    The update ratio is α‖step‖/‖W[l]‖ with the step the optimiser takes (v for momentum, v^corr/(√s^corr + ε)
    for Adam), so it measures the real update whatever the optimiser; α is the decayed one where it decays."""
    if "alpha" in values:
        learning_rate = float(values["alpha"][0, 0])
    fits = fitted_cost(spec, values) is not None
    rows = []
    for l in range(1, spec.L + 1):
        activation = spec.activation(l)
        Z, W, dW = values.get(f"Z{l}"), values.get(f"W{l}"), _step_of(values, l)
        dead = None
        if activation == "relu" and Z is not None:
            dead = int(np.count_nonzero((Z <= 0).all(axis=1)))
        saturated = _saturated(activation, Z) if Z is not None else None
        ratio = _ratio_of(W, dW, learning_rate) if W is not None and dW is not None else None
        row = LayerDiagnostics(l, activation, spec.sizes[l], dead, saturated, ratio, "")
        found = (_dead(row), _saturation(row, l == spec.L, fits), _ratio(row, fits))
        rows.append(replace(row, hint="; ".join(text for _, text in found if text),
                            tones=tuple(tone for tone, _ in found), note=_note(row, l == spec.L, fits)))
    return rows
