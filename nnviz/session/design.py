"""The network design a user edits: hidden layers, output, initialisation and learning rate."""
from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, replace

from ..engine import HIDDEN_ACTIVATIONS, INITS, OUTPUTS, RNGS, NetworkSpec
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
        if len(self.hidden) != len(self.activations):
            raise ValueError("every hidden layer needs one activation")
        for name, allowed, what in [*((a, HIDDEN_ACTIVATIONS, "activation") for a in self.activations),
                                    (self.output, OUTPUTS, "output"), (self.init, INITS, "initialisation"),
                                    (self.rng, RNGS, "random generator")]:
            if not isinstance(name, str) or name not in allowed:
                raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(allowed)}")
        object.__setattr__(self, "seed", check_seed(self.rng, self.seed))
        rate = self.learning_rate
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"the learning rate must be a positive number, got {rate!r}")
        object.__setattr__(self, "learning_rate", float(rate))

    def spec(self, n_x: int, n_y: int) -> NetworkSpec:
        return NetworkSpec((n_x, *self.hidden, n_y), self.activations, self.output)

    def same_network(self, other: "Design") -> bool:
        """True when only the learning rate differs (no rebuild needed)."""
        return replace(self, learning_rate=other.learning_rate) == other

    # -- editing: each returns a new Design --------------------------------------
    def with_layer(self, index: int, units: int = 4, activation: str = "relu") -> "Design":
        hidden, acts = list(self.hidden), list(self.activations)
        hidden.insert(index, units)
        acts.insert(index, activation)
        return replace(self, hidden=tuple(hidden), activations=tuple(acts))

    def without_layer(self, index: int) -> "Design":
        hidden, acts = list(self.hidden), list(self.activations)
        del hidden[index], acts[index]
        return replace(self, hidden=tuple(hidden), activations=tuple(acts))

    def with_layer_moved(self, index: int, to: int) -> "Design":
        hidden, acts = list(self.hidden), list(self.activations)
        hidden.insert(to, hidden.pop(index))
        acts.insert(to, acts.pop(index))
        return replace(self, hidden=tuple(hidden), activations=tuple(acts))

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
        data["hidden"], data["activations"] = list(self.hidden), list(self.activations)
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
