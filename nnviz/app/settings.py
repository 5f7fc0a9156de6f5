"""The one QSettings factory, and the check that a damaged settings file costs only its defaults."""
from __future__ import annotations

from PySide6.QtCore import QSettings

SETTINGS_VERSION = 1  # the window's layout keys (geometry, windowState); groups version themselves


def app_settings() -> QSettings:
    """nnviz's settings, always in the ini format (QSettings.setPath() points tests and scripts elsewhere)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "nnviz", "nnviz")


def read_version(settings: QSettings) -> tuple[int | None, str]:
    """(the saved settings version, or None on a first start or a damaged file; a note for the status
    bar when the file is damaged, else '')."""
    if settings.status() != QSettings.Status.NoError:
        return None, f"The settings file {settings.fileName()} could not be read: nnviz started with its defaults"
    raw = settings.value("settingsVersion")
    if raw is None:
        return None, ""
    try:
        return int(raw), ""
    except (TypeError, ValueError):
        return None, (f"The settings file {settings.fileName()} is damaged (settingsVersion = {raw!r}): "
                      "nnviz started with the default layout and will write good settings when it quits")
