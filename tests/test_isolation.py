"""Layering: the engine and the headless command line never load Qt or pyqtgraph.

Checked in a subprocess, because pytest-qt has already imported Qt into this one.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np

QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6", "nnviz.app")


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return {name for name in out.split() if name.split(".")[0] in {m.split(".")[0] for m in QT_MODULES}
            and any(name == m or name.startswith(m + ".") for m in QT_MODULES)}


def test_engine_imports_only_numpy():
    assert _loaded_after("import nnviz.engine") == set()


def test_cli_train_runs_without_qt(tmp_path):
    data = tmp_path / "toy.npz"
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 20))
    np.savez(data, X=X, Y=(X[:1] > 0).astype(float))
    code = f"from nnviz.cli import main\nmain(['train', {str(data)!r}, '--iterations', '3', '--hidden', '4'])"
    assert _loaded_after(code) == set()
