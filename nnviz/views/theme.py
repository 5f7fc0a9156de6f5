"""Themes and the appearance they make: plain data (no Qt), read by every view when it styles itself."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

PHASES = ("batch", "forward", "cost", "backward", "optimizer", "update", "ready")
COLORMAPS = ("diverging", "colour-blind safe")  # how a matrix's signs are coloured


@dataclass(frozen=True)
class Theme:
    """The colours of one theme; ``palette`` None keeps the platform's own window colours."""

    name: str
    title: str
    palette: dict[str, str] | None  # QPalette role name (lower case) -> colour, for the window
    text: str  # ordinary text, also painted text (diagram labels)
    muted: str  # hints and secondary text
    plot_background: str
    plot_foreground: str  # axes, tick labels and titles of plots and heatmaps
    phases: dict[str, str]  # PHASES
    tints: dict[str, str]  # light (or dark) backgrounds of the same hues, for list rows
    positive: str  # weights > 0 in the diagram
    negative: str  # weights < 0
    zero_weight: str  # weights exactly 0
    hover_fill: tuple[int, int, int, int]  # the plots' hover box
    boundary: tuple[str, str]  # ends of the decision-boundary map (class 0, class 1)
    boundary_middle: str  # the undecided middle of that map
    colormaps: dict[str, str] = field(default_factory=dict)  # COLORMAPS entry -> pyqtgraph colour map name
    # text of a verdict ("ok", "suspicious", "wrong": a check, a hint, a refused value) on the window
    verdicts: dict[str, str] = field(default_factory=lambda: {"ok": "#1e6b31", "suspicious": "#8a5a00",
                                                              "wrong": "#a8261b"})

    def phase(self, phase: str) -> str:
        return self.phases.get(phase, self.phases["ready"])

    def tint(self, phase: str) -> str:
        return self.tints.get(phase, self.tints["ready"])

    def verdict(self, tone: str) -> str:
        return self.verdicts[tone]


LIGHT = Theme(
    name="light", title="Light", palette=None, text="#1a1a1a", muted="#555555",
    plot_background="#ffffff", plot_foreground="#333333",
    phases={"batch": "#8a6d00", "forward": "#1f6fb4", "cost": "#7b3fa0", "backward": "#d9680f",
            "optimizer": "#0f7f86", "update": "#2a8a3e", "ready": "#555555"},
    tints={"batch": "#f7f1dc", "forward": "#e8f1fa", "cost": "#f1e9f6", "backward": "#fdf0e4",
           "optimizer": "#e3f4f5", "update": "#e8f5eb", "ready": "#f4f4f4"},
    positive="#c0392b", negative="#2166ac", zero_weight="#9a9a9a", hover_fill=(255, 255, 255, 230),
    boundary=("#8fbfe3", "#f6c28f"), boundary_middle="#ffffff",
    colormaps={"diverging": "CET-D1", "colour-blind safe": "CET-CBD1"},
)

# deep tones, each at least 5:1 against white: projectors wash colours out (#d9680f is 3.5:1)
HIGH_CONTRAST = replace(
    LIGHT, name="high-contrast", title="High contrast (projector)",
    palette={"window": "#ffffff", "base": "#ffffff", "alternatebase": "#f2f2f2", "button": "#f4f4f4",
             "windowtext": "#111111", "text": "#111111", "buttontext": "#111111"},
    text="#111111", muted="#333333", plot_foreground="#111111",
    phases={"batch": "#6b5400", "forward": "#0b57a0", "cost": "#6a2c8f", "backward": "#b34700",
            "optimizer": "#0a6268", "update": "#1a7431", "ready": "#333333"},
    tints={"batch": "#f3ead0", "forward": "#dbe8f6", "cost": "#ebdff2", "backward": "#fbe6d3",
           "optimizer": "#d6eff1", "update": "#dcf0e1", "ready": "#eeeeee"},
    positive="#a8261b", negative="#12508f", zero_weight="#777777",
)

DARK = Theme(
    name="dark", title="Dark",
    palette={"window": "#2b2b2b", "base": "#1e1e1e", "alternatebase": "#262626", "button": "#353535",
             "windowtext": "#e6e6e6", "text": "#e6e6e6", "buttontext": "#e6e6e6", "brighttext": "#ffffff",
             "tooltipbase": "#353535", "tooltiptext": "#e6e6e6", "highlight": "#3d6fa8",
             "highlightedtext": "#ffffff", "link": "#7fb2e8", "placeholdertext": "#8a8a8a"},
    text="#e6e6e6", muted="#a8a8a8", plot_background="#1e1e1e", plot_foreground="#d0d0d0",
    phases={"batch": "#d9b84a", "forward": "#63a9ea", "cost": "#c493e4", "backward": "#f29a50",
            "optimizer": "#4fc3c9", "update": "#62c47a", "ready": "#bdbdbd"},
    tints={"batch": "#33301c", "forward": "#1d2b3a", "cost": "#2d2338", "backward": "#3a2a1c",
           "optimizer": "#1a3335", "update": "#1e3424", "ready": "#2a2a2a"},
    positive="#ee6a5a", negative="#5c9fe8", zero_weight="#7a7a7a", hover_fill=(40, 40, 40, 235),
    boundary=("#1f4f78", "#7a4a14"), boundary_middle="#1e1e1e",
    colormaps={"diverging": "CET-D4", "colour-blind safe": "CET-D6"},  # dark at 0: zeros melt into the background
    verdicts={"ok": "#72d08a", "suspicious": "#e8bd5f", "wrong": "#ff8e80"},  # light tones: 5:1 on #2b2b2b
)

THEMES: dict[str, Theme] = {t.name: t for t in (LIGHT, DARK, HIGH_CONTRAST)}


@dataclass(frozen=True)
class Appearance:
    """How everything looks: a theme, a colour map, and (presentation mode) larger text and thicker lines.

    ``text_points`` None keeps the platform's font size; ``text_scale`` multiplies the sizes each
    view chooses for its own text (a heatmap title's 13 pt, the equation's 20 pt)."""

    theme: str = "light"
    colormap: str = "diverging"
    text_points: float | None = None
    text_scale: float = 1.0
    line_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise ValueError(f"unknown theme {self.theme!r}: one of {', '.join(THEMES)}")
        if self.colormap not in COLORMAPS:
            raise ValueError(f"unknown colour map {self.colormap!r}: one of {', '.join(COLORMAPS)}")

    @property
    def colors(self) -> Theme:
        return THEMES[self.theme]

    @property
    def heatmap_colormap(self) -> str:
        """The pyqtgraph name of the matrices' diverging colour map."""
        return self.colors.colormaps[self.colormap]

    def points(self, base: float) -> float:
        """A view's own ``base`` text size (pt) in this appearance."""
        return base * self.text_scale

    def line_width(self, base: float) -> float:
        return base * self.line_scale
