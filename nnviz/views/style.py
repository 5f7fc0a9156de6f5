"""Colours and fonts shared by every view, so a phase looks the same everywhere."""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase

# forward left to right in blue, backward right to left in orange (as the diagram draws them)
PHASE_COLORS: dict[str, str] = {
    "forward": "#1f6fb4",
    "cost": "#7b3fa0",
    "backward": "#d9680f",
    "update": "#2a8a3e",
    "ready": "#555555",
}

# light tints of the same hues for list backgrounds
PHASE_TINTS: dict[str, str] = {
    "forward": "#e8f1fa",
    "cost": "#f1e9f6",
    "backward": "#fdf0e4",
    "update": "#e8f5eb",
    "ready": "#f4f4f4",
}

POSITIVE = "#c0392b"  # weights > 0: red
NEGATIVE = "#2166ac"  # weights < 0: blue
NONFINITE = "#ff00ff"  # NaN / Inf cells


def phase_color(phase: str) -> QColor:
    return QColor(PHASE_COLORS.get(phase, PHASE_COLORS["ready"]))


def phase_tint(phase: str) -> QColor:
    return QColor(PHASE_TINTS.get(phase, PHASE_TINTS["ready"]))


def mono_font(point_size: float | None = None) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if point_size:
        font.setPointSizeF(point_size)
    return font
