"""The window's own share of the appearance: its palette (every child inherits it), its font, its position line."""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont, QPalette

from ..views import appearance as looks
from ..views.theme import Appearance

log = logging.getLogger(__name__)

STATUS_TEXT = 0.8  # with large text: the status bar's share of it


class WindowAppearance(QObject):
    """Applies the appearance to ``window``: the theme's palette, and its text size when it has one."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self._platform = QPalette(window.palette())  # the light theme keeps the platform's colours
        looks.connect(self, self.apply)

    def apply(self, appearance: Appearance) -> None:
        w = self.window
        w.setPalette(looks.palette_for(appearance.colors, self._platform))
        if appearance.text_points is None:
            for widget in (w, w.statusBar()):
                if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
                    widget.setFont(QFont())  # inherit the application's again
        else:
            w.setFont(looks.scaled_font(w.font(), appearance.text_points))
            w.statusBar().setFont(looks.scaled_font(w.font(), STATUS_TEXT * appearance.text_points))
        w.update_position()


def install_appearance(window) -> WindowAppearance:
    """Keep ``window``'s palette and font with the application's appearance (themes, presentation mode)."""
    return WindowAppearance(window)
