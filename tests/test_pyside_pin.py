"""Guards the PySide6 pin (< 6.12): 6.12.0 aborts Python after ~1,100 pyqtgraph setData calls.

PySide6 6.12.0's QObject.property() returns None without a new reference for a
property that does not exist; pyqtgraph calls it in every PlotDataItem.setData,
and the interpreter dies with "Fatal Python error: none_dealloc".  The test runs
in a subprocess so that an abort is a failed test, not a crashed test run.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import numpy as np
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication([])
    plot = pg.PlotWidget()
    plot.show()
    curve = plot.plot()
    x = np.arange(500, dtype=float)
    for i in range(20_000):
        curve.setData(x, np.sin(x * 0.01 + i))
        if i % 500 == 0:
            app.processEvents()
    points = len(curve.getData()[0])
    plot.close()
    plot.deleteLater()
    app.processEvents()
    print("ok", points)
    """
)


def test_twenty_thousand_setdata_calls_on_a_live_plot():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["ok", "500"]


def test_installed_pyside6_is_below_6_12():
    from importlib.metadata import version

    from PySide6 import __version__ as pyside_version

    major, minor = (int(part) for part in pyside_version.split(".")[:2])
    assert (major, minor) < (6, 12), f"PySide6 {pyside_version}: see the pin in pyproject.toml"
    assert version("shiboken6").split(".")[:2] == pyside_version.split(".")[:2]
