"""The diagram's move from one network to the next: columns and circles slide to their new places.

A unit added to a layer slides out of the unit above it, an inserted layer opens between its
neighbours, a removed one closes; the column that changed is then haloed (``DiagramEditor``).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from PySide6.QtCore import QPointF

MOVE_SHARE = 0.6  # of the animation's time the sliding takes; the halo fades over all of it


def layer_mapping(old: Sequence[int], new: Sequence[int]) -> tuple[list[int | None], int] | None:
    """For each layer of the new sizes, its layer in the old ones (None: inserted), and the column that
    changed; None when the change is not one hidden layer's units, one inserted or one removed layer
    (new data: the input or output size changed)."""
    if len(old) < 2 or len(new) < 2 or old[0] != new[0] or old[-1] != new[-1]:
        return None
    if len(new) == len(old):
        changed = [l for l, (a, b) in enumerate(zip(old, new)) if a != b]
        return (list(range(len(new))), changed[0] if changed else -1) if len(changed) <= 1 else None
    if len(new) == len(old) + 1:  # a hidden layer inserted at k
        k = next((k for k in range(1, len(new) - 1) if list(new[:k]) + list(new[k + 1:]) == list(old)), None)
        if k is not None:
            return [l if l < k else (None if l == k else l - 1) for l in range(len(new))], k
    if len(new) == len(old) - 1:  # hidden layer k removed: its neighbours close up
        k = next((k for k in range(1, len(old) - 1) if list(old[:k]) + list(old[k + 1:]) == list(new)), None)
        if k is not None:
            return [l if l < k else l + 1 for l in range(len(new))], min(k, len(new) - 1)
    return None


def _lerp(a: QPointF, b: QPointF, t: float) -> QPointF:
    return QPointF(a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t)


def between(old, new, mapping: list[int | None], t: float):
    """The geometry ``t`` (0 → 1) of the way from ``old`` to ``new`` (diagram ``_Geometry`` objects)."""
    t = min(1.0, t / MOVE_SHARE)
    t = 1.0 - (1.0 - t) ** 3  # ease out: fast first, settling into place
    if t >= 1.0:
        return new
    xs, centres = [], []
    for l, o in enumerate(mapping):
        if o is None:  # inserted: opens from the middle of the gap between its old neighbours
            left, right = mapping[l - 1], mapping[l + 1] if l + 1 < len(mapping) else None
            x0 = (old.xs[left] + old.xs[right]) / 2 if left is not None and right is not None else new.xs[l]
            y0 = (old.top + old.bottom) / 2
            start = {u: QPointF(x0, y0) for u in new.centres[l]}
        else:
            before = old.centres[o]
            last = before[max(before)] if before else QPointF(old.xs[o], (old.top + old.bottom) / 2)
            start = {u: before.get(u, last) for u in new.centres[l]}  # a new unit slides out of the last one
            x0 = old.xs[o]
        xs.append(x0 + (new.xs[l] - x0) * t)
        centres.append({u: _lerp(start[u], p, t) for u, p in new.centres[l].items()})
    return replace(new, centres=centres, xs=xs)
