"""The network design a user edits: hidden layers, output, initialisation and learning rate."""
from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, replace

from ..engine import HIDDEN_ACTIVATIONS, INITS, OUTPUTS, RNGS, NetworkSpec, Training
from ..engine.limits import check_seed

MAX_UNITS = 4096
REQUIRED_FIELDS = ("hidden", "activations", "output", "learning_rate")  # what a saved design must state


@dataclass(frozen=True)
class Design:
    """Everything about the network that is not data: the sizes of the input and
    output layers come from the dataset, the rest from here."""

    hidden: tuple[int, ...] = (7, 5)
    activations: tuple[str, ...] = ("relu", "relu")
    output: str = "sigmoid"
    init: str = "he"
    rng: str = "default"
    seed: int = 1
    learning_rate: float = 0.0075
    # how the network learns (see engine.Training); the defaults are full-batch gradient descent
    optimizer: str = "gd"
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    batch_size: int | None = None
    batch_seed: int = 10  # seeds the epochs' permutations into mini-batches
    lr_decay: float = 0.0
    decay_interval: int | None = None
    l2: float = 0.0
    init_scale: float | None = None  # W = randn·scale for init "normal"
    keep_prob: tuple[float, ...] = ()  # per hidden layer (empty: no dropout)
    batch_norm: tuple[bool, ...] = ()  # per hidden layer (empty: none)
    dropout_seed: int = 1  # seeds the dropout masks D[l]
    epochs: int | None = None  # Run stops when this many epochs are done (None: it runs until paused)

    def __post_init__(self) -> None:
        """ValueError with what is wrong for anything a network cannot be built from (a file can say anything)."""
        if isinstance(self.hidden, (str, bytes)) or not isinstance(self.hidden, (tuple, list)):
            raise ValueError(f"the hidden layers must be a list of unit counts, got {self.hidden!r}")
        if isinstance(self.activations, (str, bytes)) or not isinstance(self.activations, (tuple, list)):
            raise ValueError(f"the activations must be a list of names, got {self.activations!r}")
        for n in self.hidden:
            if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= MAX_UNITS:
                raise ValueError(f"hidden layers have 1 to {MAX_UNITS} units, got {n!r}")
        object.__setattr__(self, "hidden", tuple(int(n) for n in self.hidden))
        object.__setattr__(self, "activations", tuple(self.activations))
        n = len(self.hidden)
        keep = tuple(float(p) for p in self.keep_prob)
        norm = tuple(bool(b) for b in self.batch_norm)
        # per-layer choices follow the layers: missing ones are off, surplus ones dropped
        object.__setattr__(self, "keep_prob", (keep + (1.0,) * n)[:n] if keep else ())
        object.__setattr__(self, "batch_norm", (norm + (False,) * n)[:n] if norm else ())
        if len(self.hidden) != len(self.activations):
            raise ValueError("every hidden layer needs one activation")
        for name, allowed, what in [*((a, HIDDEN_ACTIVATIONS, "activation") for a in self.activations),
                                    (self.output, OUTPUTS, "output"), (self.init, INITS, "initialisation"),
                                    (self.rng, RNGS, "random generator")]:
            if not isinstance(name, str) or name not in allowed:
                raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(allowed)}")
        object.__setattr__(self, "seed", check_seed(self.rng, self.seed))
        for name, what in (("batch_seed", "mini-batch"), ("dropout_seed", "dropout")):
            try:
                object.__setattr__(self, name, check_seed(self.rng, getattr(self, name)))
            except ValueError as err:
                raise ValueError(f"{what} seed: {err}") from None
        rate = self.learning_rate
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"the learning rate must be a positive number, got {rate!r}")
        object.__setattr__(self, "learning_rate", float(rate))
        self.training()  # the optimiser's settings are checked where they are defined
        if self.epochs is not None and (isinstance(self.epochs, bool) or not isinstance(self.epochs, int)
                                        or self.epochs < 1):
            raise ValueError(f"the number of epochs must be a whole number from 1, got {self.epochs!r}")
        if any(not 0 < p <= 1 for p in self.keep_prob):
            raise ValueError("keep_prob is above 0 and at most 1")

    def spec(self, n_x: int, n_y: int) -> NetworkSpec:
        return NetworkSpec((n_x, *self.hidden, n_y), self.activations, self.output, self.keep_prob, self.batch_norm)

    def training(self) -> Training:
        """The hyperparameters of training; ``rng`` drives the mini-batches and dropout masks too."""
        return Training(**{name: getattr(self, name) for name in Training.names() if hasattr(self, name)})

    # hyperparameters that change numbers but not the plan: they apply live, without a rebuild
    LIVE = ("learning_rate", "beta", "beta1", "beta2", "epsilon", "epochs")

    def same_network(self, other: "Design") -> bool:
        """True when only α, β's or ε differ (no rebuild needed: the operations stay the same)."""
        return replace(self, **{k: getattr(other, k) for k in self.LIVE}) == other

    # -- editing: each returns a new Design --------------------------------------
    def _per_layer(self) -> tuple[list[float], list[bool]]:
        n = len(self.hidden)
        return list(self.keep_prob or (1.0,) * n), list(self.batch_norm or (False,) * n)

    def _with_per_layer(self, keep: list[float], norm: list[bool], **changes) -> "Design":
        return replace(self, keep_prob=tuple(keep) if self.keep_prob else (),
                       batch_norm=tuple(norm) if self.batch_norm else (), **changes)

    def with_layer(self, index: int, units: int = 4, activation: str = "relu") -> "Design":
        hidden, acts = list(self.hidden), list(self.activations)
        keep, norm = self._per_layer()
        hidden.insert(index, units)
        acts.insert(index, activation)
        keep.insert(index, 1.0)
        norm.insert(index, False)
        return self._with_per_layer(keep, norm, hidden=tuple(hidden), activations=tuple(acts))

    def without_layer(self, index: int) -> "Design":
        hidden, acts = list(self.hidden), list(self.activations)
        keep, norm = self._per_layer()
        del hidden[index], acts[index], keep[index], norm[index]
        return self._with_per_layer(keep, norm, hidden=tuple(hidden), activations=tuple(acts))

    def with_layer_moved(self, index: int, to: int) -> "Design":
        hidden, acts = list(self.hidden), list(self.activations)
        keep, norm = self._per_layer()
        for items in (hidden, acts, keep, norm):
            items.insert(to, items.pop(index))
        return self._with_per_layer(keep, norm, hidden=tuple(hidden), activations=tuple(acts))

    def with_keep_prob(self, index: int, keep: float) -> "Design":
        """keep_prob of hidden layer index + 1 (1 turns dropout off there)."""
        probs, _ = self._per_layer()
        probs[index] = float(keep)
        return replace(self, keep_prob=tuple(probs) if any(p < 1 for p in probs) else ())

    def with_batch_norm(self, index: int, on: bool) -> "Design":
        _, norm = self._per_layer()
        norm[index] = bool(on)
        return replace(self, batch_norm=tuple(norm) if any(norm) else ())

    def with_units(self, index: int, units: int) -> "Design":
        hidden = list(self.hidden)
        hidden[index] = units
        return replace(self, hidden=tuple(hidden))

    def with_activation(self, index: int, activation: str) -> "Design":
        acts = list(self.activations)
        acts[index] = activation
        return replace(self, activations=tuple(acts))

    def edit(self, **changes) -> "Design":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("hidden", "activations", "keep_prob", "batch_norm"):
            data[key] = list(getattr(self, key))
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Design":
        """The design a file describes; ValueError when it is unusable.  The network's shape and α must be
        there; a setting added in a later version takes its default, an unknown key is ignored."""
        if not isinstance(data, dict):
            raise ValueError("the design is not a table of settings")
        missing = [k for k in REQUIRED_FIELDS if k not in data]
        if missing:
            raise ValueError(f"the design has no {', '.join(missing)}")
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
