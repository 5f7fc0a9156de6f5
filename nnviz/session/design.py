"""The network design a user edits: hidden layers, output, initialisation and learning rate."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from ..engine import HIDDEN_ACTIVATIONS, INITS, OUTPUTS, RNGS, NetworkSpec

MAX_UNITS = 4096


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
        object.__setattr__(self, "hidden", tuple(int(n) for n in self.hidden))
        object.__setattr__(self, "activations", tuple(self.activations))
        if len(self.hidden) != len(self.activations):
            raise ValueError("every hidden layer needs one activation")
        if any(not 1 <= n <= MAX_UNITS for n in self.hidden):
            raise ValueError(f"hidden layers have 1 to {MAX_UNITS} units")
        if any(a not in HIDDEN_ACTIVATIONS for a in self.activations):
            raise ValueError(f"activations are {', '.join(HIDDEN_ACTIVATIONS)}")
        if self.output not in OUTPUTS or self.init not in INITS or self.rng not in RNGS:
            raise ValueError("unknown output, initialisation or random generator")
        if not self.learning_rate > 0:
            raise ValueError("the learning rate must be positive")

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
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**fields)
