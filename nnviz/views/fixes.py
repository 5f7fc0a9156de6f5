"""A data error's fix worded as the window's control that makes it (the command line words it as a flag)."""
from __future__ import annotations

from ..data import Fix


def control_for(fix: Fix) -> str:
    """Fix("output", "linear") is 'choose Output: linear · squared error in the Design panel'."""
    from .designer import OUTPUT_LABELS  # the combo's own item texts (the designer imports this module)

    if fix.setting == "output" and fix.value in OUTPUT_LABELS:
        return f"choose Output: {OUTPUT_LABELS[fix.value]} in the Design panel"
    if fix.setting == "label_column":
        return "choose it in Label column of the Data panel's Load options"
    return fix.plain()
