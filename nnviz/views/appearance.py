"""The one appearance of the application: views subscribe to ``changed`` and restyle their own widgets."""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from .style import restyle
from .theme import Appearance, Theme

log = logging.getLogger(__name__)

_ROLES = {role.name.lower(): role for role in QPalette.ColorRole if role.name not in ("NColorRoles",)}


class AppearanceModel(QObject):
    """Holds the current Appearance; ``set`` announces a new one with ``changed(appearance)``."""

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.current = Appearance()

    def set(self, appearance: Appearance) -> None:
        if appearance == self.current:
            return
        self.current = appearance
        log.debug("appearance: %s", appearance)
        self.changed.emit(appearance)


_model: AppearanceModel | None = None


def appearance_model() -> AppearanceModel:
    """The application's appearance (one per QApplication, like its palette)."""
    global _model
    app = QApplication.instance()
    if _model is None or (app is not None and _model.parent() is not app):
        _model = AppearanceModel(app)
    return _model


def connect(widget, slot) -> Appearance:
    """Call ``slot(appearance)`` now and whenever the appearance changes; returns the current one.

    ``slot`` is a bound method of ``widget`` (a QObject), so the connection ends with the widget."""
    model = appearance_model()
    model.changed.connect(slot)
    slot(model.current)
    return model.current


class _Toned(QObject):
    """Keeps a label's text in one of the appearance's colours (a child of the label: it ends with it)."""

    def __init__(self, label, tone: str | None) -> None:
        super().__init__(label)
        self._label, self.tone = label, tone
        connect(self, self.apply)

    def apply(self, appearance: Appearance) -> None:
        colours = appearance.colors
        restyle(self._label, f"color: {colours.verdict(self.tone) if self.tone else colours.muted};")


def mute(label) -> None:
    """A hint or secondary text: the theme's muted colour, now and after every change of theme
    (a fixed #555 was unreadable on the dark theme)."""
    tone(label, None)


def tone(label, verdict: str | None) -> None:
    """``label``'s text in the theme's colour of ``verdict`` ('ok', 'suspicious', 'wrong'; None: muted),
    following the theme; a label given a tone before is given the new one."""
    toned = label.findChild(_Toned)
    if toned is None:
        _Toned(label, verdict)
        return
    toned.tone = verdict
    toned.apply(appearance_model().current)


def palette_for(theme: Theme, platform: QPalette) -> QPalette:
    """``platform`` with the theme's colours (disabled text dimmed, so Pause still looks off)."""
    palette = QPalette(platform)
    if theme.palette is None:
        return palette
    for name, colour in theme.palette.items():
        role = _ROLES[name]
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, role, QColor(colour))
        if role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.Button):
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    disabled = QColor(theme.muted)
    disabled.setAlpha(150)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def scaled_font(font: QFont, points: float) -> QFont:
    font = QFont(font)
    font.setPointSizeF(points)
    return font
