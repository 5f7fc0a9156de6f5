"""The layering app > views > session > engine (and data) holds: no module imports a layer above it."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "nnviz"
LAYERS = ["engine", "data", "session", "views", "app"]  # each may import only those before it
ALLOWED = {
    "engine": set(),
    "data": set(),
    "session": {"engine", "data"},
    "views": {"engine", "data", "session"},
    "app": {"engine", "data", "session", "views"},
}
QT = ("PySide6", "pyqtgraph", "shiboken6")


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                parts = list(path.relative_to(PACKAGE).with_suffix("").parts)[:-node.level]
                base = ".".join(["nnviz", *parts] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append((base, node.lineno))
    return found


def test_no_module_imports_a_layer_above_it():
    problems = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        layer = parts[0] if len(parts) > 1 else None
        if layer not in ALLOWED:
            continue
        for name, line in _imports(path):
            if not name.startswith("nnviz."):
                continue
            target = name.split(".")[1]
            if target in LAYERS and target != layer and target not in ALLOWED[layer]:
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    assert problems == []


def test_engine_never_imports_qt():
    for path in (PACKAGE / "engine").rglob("*.py"):
        for name, line in _imports(path):
            assert not name.startswith(QT), f"{path.name}:{line} imports {name}"
