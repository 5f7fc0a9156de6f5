"""The hyperparameters of training and the context every operation computes in.

``Training`` is what a user chooses (optimiser, α, β's, ε, batch size, decay, λ);
``Context`` adds where training is (the update count t, the epoch, the mini-batch
and its columns), all derived from the iteration number so that stepping back and
stepping forward again gives the same numbers bit for bit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np

Array = np.ndarray

BATCH_RNGS = ("default", "legacy")


@dataclass(frozen=True)
class Training:
    """How the parameters learn.  Full-batch gradient descent with α = 0.0075 is the default.

    ``batch_size`` None (or ≥ m) is full batch; ``batch_seed`` s gives epoch e the permutation
    of ``np.random.seed(s + e + 1); np.random.permutation(m)`` with ``rng="legacy"`` (the
    course's random_mini_batches), or of numpy's Generator seeded with (s, e) by default.
    ``lr_decay`` r: α = α₀/(1 + r·epoch), or α₀/(1 + r·⌊epoch/interval⌋) with ``decay_interval``.
    ``l2`` is λ.  ``dropout_seed`` seeds the dropout masks (legacy: re-seeded at every pass).
    """

    optimizer: str = "gd"
    learning_rate: float = 0.0075
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    batch_size: int | None = None
    batch_seed: int = 10
    rng: str = "default"
    lr_decay: float = 0.0
    decay_interval: int | None = None
    l2: float = 0.0
    dropout_seed: int = 1

    def __post_init__(self) -> None:
        from .optimizers import OPTIMIZERS

        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimiser {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        if self.rng not in BATCH_RNGS:
            raise ValueError(f"unknown random generator {self.rng!r}; choose one of {', '.join(BATCH_RNGS)}")
        for name in ("beta", "beta1", "beta2"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be at least 0 and below 1, got {getattr(self, name)}")
        if not (self.epsilon > 0 and math.isfinite(self.epsilon)):
            raise ValueError(f"epsilon must be positive, got {self.epsilon}")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"the batch size must be at least 1, got {self.batch_size}")
        if not self.lr_decay >= 0:
            raise ValueError(f"the decay rate must be 0 or more, got {self.lr_decay}")
        if self.decay_interval is not None and self.decay_interval < 1:
            raise ValueError(f"the decay interval must be at least 1 epoch, got {self.decay_interval}")
        if not self.l2 >= 0:
            raise ValueError(f"λ must be 0 or more, got {self.l2}")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def edit(self, **changes) -> "Training":
        return replace(self, **changes)

    def batches(self, m: int) -> int:
        """T, the number of mini-batches of an epoch on m examples (the last may be smaller)."""
        size = self.batch_size
        return 1 if size is None or size >= m else -(-m // size)

    def uses_batches(self, m: int) -> bool:
        return self.batches(m) > 1

    def alpha(self, epoch: int) -> float:
        """α of an epoch: α₀, α₀/(1 + r·epoch) or, with an interval, α₀/(1 + r·⌊epoch/interval⌋)."""
        if not self.lr_decay:
            return self.learning_rate
        steps = epoch if self.decay_interval is None else epoch // self.decay_interval
        return 1 / (1 + self.lr_decay * steps) * self.learning_rate  # the course's order of operations

    def permutation(self, epoch: int, m: int) -> Array:
        """The order of the m examples in an epoch."""
        if self.rng == "legacy":
            return np.random.RandomState(self.batch_seed + epoch + 1).permutation(m)
        return np.random.default_rng([self.batch_seed, epoch]).permutation(m)


class Context:
    """What an operation's compute may read besides the values: the hyperparameters and where training is.

    ``iteration`` (set by the stepper) is the number of completed updates; from it follow the
    update count ``t`` = iteration + 1 of the one in progress, the ``epoch``, the mini-batch
    ``batch`` (1..T) and its ``columns`` of X.  X and Y are the whole training set.
    """

    def __init__(self, training: Training, X: Array | None, Y: Array | None = None) -> None:
        self.training = training
        self.X, self.Y = X, Y
        self.m_total = 0 if X is None else int(X.shape[1])
        self._permutation: tuple[int, Array] | None = None
        self.iteration = 0

    @property
    def iteration(self) -> int:
        return self._iteration

    @iteration.setter
    def iteration(self, value: int) -> None:
        # where training is, worked out once per iteration rather than once per operation
        self._iteration = int(value)
        self.batches = self.training.batches(self.m_total)
        self.epoch, batch = divmod(self._iteration, self.batches)
        self.batch = batch + 1
        self.t = self._iteration + 1
        self.alpha = self.training.alpha(self.epoch)

    def retrain(self, training: Training) -> None:
        """New hyperparameters (α changed while running, say): they apply from the next operation on."""
        self.training = training
        self._permutation = None
        self.iteration = self._iteration

    # hyperparameters, read by name in every compute
    @property
    def beta(self) -> float:
        return self.training.beta

    @property
    def beta1(self) -> float:
        return self.training.beta1

    @property
    def beta2(self) -> float:
        return self.training.beta2

    @property
    def epsilon(self) -> float:
        return self.training.epsilon

    @property
    def lambd(self) -> float:
        return self.training.l2

    def permutation(self, epoch: int) -> Array:
        if self._permutation is None or self._permutation[0] != epoch:
            self._permutation = (epoch, self.training.permutation(epoch, self.m_total))
        return self._permutation[1]

    @property
    def columns(self) -> Array:
        """The columns of X that form the mini-batch in progress."""
        if self.batches == 1:
            return np.arange(self.m_total)
        size = int(self.training.batch_size)  # type: ignore[arg-type]
        start = (self.batch - 1) * size
        return self.permutation(self.epoch)[start:start + size]

    def columns_of(self, iteration: int) -> Array:
        """The columns of X that iteration ``iteration`` trained on."""
        if self.batches == 1:
            return np.arange(self.m_total)
        epoch, batch = divmod(iteration, self.batches)
        size = int(self.training.batch_size)  # type: ignore[arg-type]
        return self.training.permutation(epoch, self.m_total)[batch * size:(batch + 1) * size]

    def batch_size_of(self, batch: int) -> int:
        """Columns of mini-batch ``batch`` (1..T): the last is what is left (300 = 4·64 + 44)."""
        if self.batches == 1:
            return self.m_total
        size = int(self.training.batch_size)  # type: ignore[arg-type]
        return min(size, self.m_total - (batch - 1) * size)

    def position_text(self) -> str:
        """'epoch e · batch t/T' of the iteration in progress."""
        return f"epoch {self.epoch} · batch {self.batch}/{self.batches}"
