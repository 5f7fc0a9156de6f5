"""The network's design (layer sizes, activations, output) and its initial parameters."""
from __future__ import annotations

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

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", tuple(int(n) for n in self.sizes))
        object.__setattr__(self, "hidden", tuple(self.hidden))
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

    @classmethod
    def build(
        cls, n_x: int, hidden_sizes: Sequence[int], n_y: int, activation: str | Sequence[str] = "relu",
        output: str = "sigmoid",
    ) -> "NetworkSpec":
        """sizes = [n_x, *hidden_sizes, n_y]; one activation name for every hidden layer, or one each."""
        acts = [activation] * len(hidden_sizes) if isinstance(activation, str) else list(activation)
        return cls((n_x, *hidden_sizes, n_y), tuple(acts), output)

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

    def with_io(self, n_x: int, n_y: int, output: str | None = None) -> "NetworkSpec":
        """The same hidden layers on new input/output sizes (a new dataset)."""
        return NetworkSpec((n_x, *self.sizes[1:-1], n_y), self.hidden, output or self.output)

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


def initialize(spec: NetworkSpec, init: str = "he", rng: str = "default", seed: int = 1) -> dict[str, np.ndarray]:
    """Parameters {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}; every b starts at 0.

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
        else:
            W = raw * _scale(init, n_prev, n_l)
        params[f"W{l}"] = W
        params[f"b{l}"] = np.zeros((n_l, 1))
    return params
