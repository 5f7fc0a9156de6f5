"""Shipped assets (icons, lecture scenarios, example sessions, the Linux .desktop entry), found through one helper.

They live in the repository's top-level ``resources/`` folder and are installed inside this
package (``nnviz/resources/<kind>/…`` in the wheel), so ``importlib.resources.files("nnviz")``
finds them in an installed copy; a source checkout reads the top-level folder itself.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

KINDS = ("icons", "scenarios", "sessions", "linux")  # the folders of resources/


def resource_root() -> Path:
    """The folder holding the asset folders: inside the installed package, else the checkout's resources/."""
    installed = Path(str(files(__name__)))
    if (installed / "icons").is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(name: str) -> Path:
    """The path of a shipped file, e.g. resource_path("icons/nnviz.svg"); FileNotFoundError if absent."""
    path = resource_root() / name
    if not path.exists():
        raise FileNotFoundError(f"nnviz does not ship {name!r} (looked in {resource_root()})")
    return path


def resource_files(kind: str, suffix: str = "") -> list[Path]:
    """The shipped files of one kind ("scenarios", "sessions", …) ending in ``suffix``, sorted by name."""
    if kind not in KINDS:
        raise ValueError(f"unknown resource kind {kind!r}: one of {', '.join(KINDS)}")
    folder = resource_root() / kind
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix)) if folder.is_dir() else []
