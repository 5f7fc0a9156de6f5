"""Files shipped inside the package (the icon), found through one helper."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_path(name: str) -> Path:
    """The path of a shipped resource file, e.g. resource_path("nnviz.svg")."""
    return Path(str(files(__name__) / name))
