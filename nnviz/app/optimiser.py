"""The window's optimiser and regularisation form, below the designer's training settings."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..views.optimiser import OptimiserView

if TYPE_CHECKING:
    from .window import MainWindow


def install_optimiser(window: "MainWindow") -> OptimiserView:
    view = OptimiserView(window.session)
    window.designer.add_section(view)
    return view
