"""Colours and fonts shared by every view, so a phase looks the same everywhere."""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase

from .theme import LIGHT

# forward left to right in blue, backward right to left in orange (as the diagram draws them)
PHASE_COLORS: dict[str, str] = {
    "batch": "#8a6d00",  # X{t}, Y{t}: ochre, before the forward pass
    "forward": "#1f6fb4",
    "cost": "#7b3fa0",
    "backward": "#d9680f",
    "optimizer": "#0f7f86",  # t, α, v, s, v^corr, s^corr: teal, between the gradients and the updates
    "update": "#2a8a3e",
    "ready": "#555555",
}

# light tints of the same hues for list backgrounds
PHASE_TINTS: dict[str, str] = {
    "batch": "#f7f1dc",
    "optimizer": "#e3f4f5",
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


def text_colour(curve: str, background: str) -> str:
    """A curve's colour for text naming it on ``background``: lightened on a dark plot (the train blue
    was 3.2:1 on the dark theme's plots, 5.4:1 lightened)."""
    return QColor(curve).lighter(135).name() if QColor(background).lightness() < 128 else curve


def restyle(widget, sheet: str) -> None:
    """``widget.setStyleSheet(sheet)`` when the sheet is a new one: Qt re-polishes the widget at every
    call, the same sheet too (0.1–0.5 ms each; a Run's update of the inspector made four)."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def mono_font(point_size: float | None = None) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if point_size:
        font.setPointSizeF(point_size)
    return font

# matrices: a diverging map, blue < 0 < red (as the weight signs), white at 0
HEATMAP_COLORMAP = "CET-D1"

# one colour per layer l = 1..L (Paul Tol's colour-blind-safe "bright" set, then "muted"),
# so ‖dW[l]‖ and anything else drawn per layer look the same in every view
LAYER_COLORS: tuple[str, ...] = (
    "#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377",
    "#332288", "#117733", "#999933", "#882255",
)

# classes of a dataset: the "tab10" categorical palette (Tableau 10, matplotlib's default cycle), so ten
# classes (digits 0-9) get ten distinct colours; then its light partners of "tab20" for classes 10-19
CLASS_COLORS: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)

# light tints of the first two class colours, the ends of the decision-boundary map (white in between)
BOUNDARY_TINTS: tuple[str, str] = ("#aec7e8", "#ffbb78")

PLOT_BACKGROUND = "#ffffff"
PLOT_FOREGROUND = "#333333"  # axes, tick labels and titles on the white plots


def layer_color(layer: int) -> QColor:
    """The colour of layer l (1-based), repeating after len(LAYER_COLORS) layers."""
    return QColor(LAYER_COLORS[(layer - 1) % len(LAYER_COLORS)])

# verdicts of checks (gradient check rows, diagnostics hints): light tints behind dark text
VERDICT_TINTS: dict[str, str] = {
    "ok": "#d8f0dd",  # green: below 1e-7, or a healthy layer
    "suspicious": "#fbe7c0",  # amber: between 1e-7 and 1e-5, or a mild warning
    "wrong": "#f6cfca",  # red: above 1e-5, or trouble
}
VERDICT_TEXT: dict[str, str] = LIGHT.verdicts  # on the tints above, whatever the theme

# themes (light, dark, high-contrast for projectors) and the colour-blind-safe map: views/theme.py;
# the constants above are the light theme's, for code that draws outside a view (exports)
