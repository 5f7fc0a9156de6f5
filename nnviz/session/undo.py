"""Design edits as undoable commands (Edit ▸ Undo / Redo)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from .design import Design

if TYPE_CHECKING:
    from .session import Session


def describe_edit(old: Design, new: Design) -> str:
    """'Learning rate α = 0.01', 'Hidden layers 7-5 → 7-12-5', … for the Undo/Redo menu entries."""
    if old.hidden != new.hidden:
        before, after = ("-".join(map(str, d.hidden)) or "none" for d in (old, new))
        return f"Hidden layers {before} → {after}"
    for field, label in (("activations", "Activations"), ("output", "Output"), ("init", "Initialisation"),
                         ("rng", "Random generator"), ("seed", "Seed"), ("learning_rate", "Learning rate α"),
                         ("optimizer", "Optimiser"), ("beta", "β"), ("beta1", "β₁"), ("beta2", "β₂"),
                         ("epsilon", "ε"), ("batch_size", "Batch size"), ("batch_seed", "Mini-batch seed"),
                         ("dropout_seed", "Dropout seed"), ("lr_decay", "Decay rate"),
                         ("decay_interval", "Decay interval"), ("l2", "L2 λ"), ("keep_prob", "keep_prob"),
                         ("batch_norm", "Batch norm"), ("init_scale", "Initial scale"),
                         ("epochs", "Epochs")):
        if getattr(old, field) != getattr(new, field):
            value = getattr(new, field)
            return f"{label} = {', '.join(map(str, value)) if isinstance(value, tuple) else value}"
    return "Design"


class DesignEdit(QUndoCommand):
    """One design edit; consecutive learning-rate edits merge into one entry."""

    LEARNING_RATE = 1

    def __init__(self, session: "Session", old: Design, new: Design) -> None:
        super().__init__(describe_edit(old, new))
        self.session, self.old, self.new = session, old, new
        self._id = self.LEARNING_RATE if old.same_network(new) else -1

    def id(self) -> int:
        return self._id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if other.id() != self.id() or not isinstance(other, DesignEdit):
            return False
        self.new = other.new
        self.setText(describe_edit(self.old, self.new))
        return True

    def redo(self) -> None:
        self.session.set_design(self.new)

    def undo(self) -> None:
        self.session.set_design(self.old)
