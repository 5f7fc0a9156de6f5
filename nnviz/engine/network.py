"""The network's design (layer sizes, activations, output) and its initial parameters."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .activations import HIDDEN_ACTIVATIONS

OUTPUTS: dict[str, str] = {
    "sigmoid": "binary cross-entropy",
    "softmax": "categorical cross-entropy",
    "linear": "squared error",
}

INITS: dict[str, str] = {
    "he": "randn·√(2/n[l-1]): what the notes intend; keeps ReLU activations at a steady scale",
    "lecun": "randn/√n[l-1]: the course's L-layer model; suits tanh and sigmoid",
    "xavier": "randn·√(2/(n[l-1]+n[l])): Glorot's normal initialisation, for tanh",
    "small": "randn·0.01: the course's two-layer model; deep nets start with vanishing signals",
    "normal": "randn·scale, the scale chosen (--init-scale; the course's initialisation lesson uses 10)",
    "zeros": "all weights 0: every unit in a layer stays identical (the symmetry problem)",
    "notes-uniform": (
        "rand·√(2/n[l-1]), exactly as the notes write it: rand is uniform on [0, 1), "
        "so every weight is positive with mean √(2/n)/2; He needs randn (normal, mean 0)"
    ),
}

RNGS: dict[str, str] = {
    "default": "numpy's Generator (np.random.default_rng(seed))",
    "legacy": "np.random.seed(seed), then one np.random.randn (or rand) per layer, as course notebooks do",
}


@dataclass(frozen=True)
class NetworkSpec:
    """A fully-connected network: sizes [n_0, ..., n_L] and the activation of each layer.

    ``hidden`` holds g[1] .. g[L-1]; ``output`` is g[L] with its loss:
    sigmoid + binary cross-entropy, softmax + categorical cross-entropy,
    or linear + squared error.
    """

    sizes: tuple[int, ...]
    hidden: tuple[str, ...]
    output: str = "sigmoid"
    keep_prob: tuple[float, ...] = ()  # per hidden layer; 1 is no dropout (the default)
    batch_norm: tuple[bool, ...] = ()  # per hidden layer; True normalises Z[l] (b[l] then gives way to β[l])

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", tuple(int(n) for n in self.sizes))
        object.__setattr__(self, "hidden", tuple(self.hidden))
        n_hidden = len(self.sizes) - 2
        keep = tuple(float(p) for p in self.keep_prob) or (1.0,) * max(n_hidden, 0)
        norm = tuple(bool(b) for b in self.batch_norm) or (False,) * max(n_hidden, 0)
        if len(keep) == 1 and n_hidden > 1:
            keep = keep * n_hidden
        object.__setattr__(self, "keep_prob", keep)
        object.__setattr__(self, "batch_norm", norm)
        if len(self.sizes) < 2:
            raise ValueError("a network needs an input size and an output size")
        if any(n < 1 for n in self.sizes):
            raise ValueError(f"every layer needs at least one unit, got sizes {list(self.sizes)}")
        if len(self.hidden) != len(self.sizes) - 2:
            raise ValueError(
                f"{len(self.sizes) - 2} hidden layers need {len(self.sizes) - 2} activations, "
                f"got {len(self.hidden)}"
            )
        for name in self.hidden:
            if name not in HIDDEN_ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS)}")
        if self.output not in OUTPUTS:
            raise ValueError(f"unknown output {self.output!r}; choose one of {', '.join(OUTPUTS)}")
        if self.output == "softmax" and self.sizes[-1] < 2:
            raise ValueError("a softmax output needs at least 2 units (one per class)")
        if len(self.keep_prob) != n_hidden:
            raise ValueError(f"{n_hidden} hidden layers need {n_hidden} keep probabilities, got {len(self.keep_prob)}")
        if any(not 0.0 < p <= 1.0 for p in self.keep_prob):
            raise ValueError(f"keep_prob must be above 0 and at most 1, got {list(self.keep_prob)}")
        if len(self.batch_norm) != n_hidden:
            raise ValueError(f"{n_hidden} hidden layers need {n_hidden} batch-norm choices, got {len(self.batch_norm)}")

    @classmethod
    def build(
        cls, n_x: int, hidden_sizes: Sequence[int], n_y: int, activation: str | Sequence[str] = "relu",
        output: str = "sigmoid", keep_prob: float | Sequence[float] = 1.0, batch_norm: bool | Sequence[bool] = False,
    ) -> "NetworkSpec":
        """sizes = [n_x, *hidden_sizes, n_y]; one activation name (keep_prob, batch_norm) for every hidden
        layer, or one each."""
        n = len(hidden_sizes)
        acts = [activation] * n if isinstance(activation, str) else list(activation)
        keep = [keep_prob] * n if isinstance(keep_prob, (int, float)) else list(keep_prob)
        norm = [batch_norm] * n if isinstance(batch_norm, bool) else list(batch_norm)
        return cls((n_x, *hidden_sizes, n_y), tuple(acts), output, tuple(keep), tuple(norm))

    @property
    def L(self) -> int:
        """Number of layers with parameters (the input layer is layer 0)."""
        return len(self.sizes) - 1

    def activation(self, l: int) -> str:
        """g[l] for l = 1..L."""
        return self.output if l == self.L else self.hidden[l - 1]

    @property
    def loss(self) -> str:
        return OUTPUTS[self.output]

    def weight_shape(self, l: int) -> tuple[int, int]:
        return (self.sizes[l], self.sizes[l - 1])

    def keep(self, l: int) -> float:
        """keep_prob of layer l (1 for the output layer: no dropout there)."""
        return self.keep_prob[l - 1] if l < self.L else 1.0

    def dropout(self, l: int) -> bool:
        return self.keep(l) < 1.0

    def normalised(self, l: int) -> bool:
        """Batch norm on layer l (hidden layers only)."""
        return l < self.L and self.batch_norm[l - 1]

    def parameter_keys(self, l: int) -> tuple[str, ...]:
        """W[l], b[l]; or W[l], γ[l], β[l] with batch norm (β[l] takes b[l]'s place)."""
        return (f"W{l}", f"gamma{l}", f"beta{l}") if self.normalised(l) else (f"W{l}", f"b{l}")

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(k for l in range(1, self.L + 1) for k in self.parameter_keys(l))

    def parameter_shape(self, key: str) -> tuple[int, int]:
        l = int(re.search(r"\d+$", key).group())
        return self.weight_shape(l) if key.startswith("W") else (self.sizes[l], 1)

    @property
    def regularised(self) -> bool:
        return any(p < 1.0 for p in self.keep_prob) or any(self.batch_norm)

    def with_io(self, n_x: int, n_y: int, output: str | None = None) -> "NetworkSpec":
        """The same hidden layers on new input/output sizes (a new dataset)."""
        return NetworkSpec((n_x, *self.sizes[1:-1], n_y), self.hidden, output or self.output, self.keep_prob,
                           self.batch_norm)

    def __str__(self) -> str:
        return "-".join(str(n) for n in self.sizes)


def _scale(init: str, n_prev: int, n_l: int) -> float:
    if init in ("he", "notes-uniform"):
        return float(np.sqrt(2.0 / n_prev))
    if init == "lecun":
        return 1.0 / float(np.sqrt(n_prev))
    if init == "xavier":
        return float(np.sqrt(2.0 / (n_prev + n_l)))
    if init == "small":
        return 0.01
    return 0.0


def initialize(
    spec: NetworkSpec, init: str = "he", rng: str = "default", seed: int = 1, scale: float | None = None
) -> dict[str, np.ndarray]:
    """Parameters {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}; every b starts at 0.

    ``init="normal"`` draws randn·scale (``scale`` 1 unless given: the course's
    initialisation lesson uses 10).  A batch-normalised layer has γ[l] = 1 and
    β[l] = 0 instead of b[l].

    rng="legacy" calls np.random.seed(seed) and then draws exactly one
    np.random.randn(n_l, n_(l-1)) (np.random.rand for notes-uniform) per layer,
    in order l = 1..L, and nothing else -- so W matches a course notebook that
    does the same digit for digit.  For ``lecun`` the course divides by
    np.sqrt(n_(l-1)) and nnviz does the same, bit for bit.
    """
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {', '.join(INITS)}")
    if rng not in RNGS:
        raise ValueError(f"unknown random generator {rng!r}; choose one of {', '.join(RNGS)}")
    from .limits import check_seed  # limits prices networks from plan shapes, so it imports this module

    seed = check_seed(rng, seed)
    uniform = init == "notes-uniform"
    if rng == "legacy":
        np.random.seed(seed)
        draw = np.random.rand if uniform else np.random.randn
    else:
        gen = np.random.default_rng(seed)

        def draw(*shape: int) -> np.ndarray:
            return gen.random(shape) if uniform else gen.standard_normal(shape)

    params: dict[str, np.ndarray] = {}
    for l in range(1, spec.L + 1):
        n_l, n_prev = spec.weight_shape(l)
        raw = draw(n_l, n_prev)
        if init == "lecun":
            W = raw / np.sqrt(n_prev)
        elif init == "zeros":
            W = np.zeros((n_l, n_prev))
        elif init == "normal":
            W = raw * (1.0 if scale is None else scale)
        else:
            W = raw * _scale(init, n_prev, n_l)
        params[f"W{l}"] = W
        if spec.normalised(l):
            params[f"gamma{l}"] = np.ones((n_l, 1))
            params[f"beta{l}"] = np.zeros((n_l, 1))
        else:
            params[f"b{l}"] = np.zeros((n_l, 1))
    return params
