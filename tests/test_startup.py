"""Start-up: what the first paint does not need is neither imported nor built before it, and every
panel made later still works; the demo pictures drawn in chunks are those drawn all at once."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

# heavy libraries and nnviz code that only opening a file, comparing a trace or a closed panel needs
NOT_AT_START = ("h5py", "pandas", "scipy", "PIL", "imageio", "torch",
                "nnviz.data.hdf5", "nnviz.data.tabular", "nnviz.data.matlab", "nnviz.data.npy",
                "nnviz.data.images", "nnviz.engine.compare", "nnviz.engine.trace", "nnviz.engine.mistakes",
                "nnviz.views.comparison", "nnviz.views.health", "nnviz.app.animation", "nnviz.engine.provenance")


def test_the_window_module_imports_none_of_what_the_first_paint_does_not_need():
    code = ("import sys, nnviz.app; "
            f"print([m for m in sys.modules if m.split('.')[0] in {sorted({n.split('.')[0] for n in NOT_AT_START})!r} "
            f"and any(m == n or m.startswith(n + '.') for n in {NOT_AT_START!r})])")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_closed_panels_are_made_when_first_opened(qtbot, default_window):
    window = default_window
    for feature in (window.comparison, window.misconception, window.health):
        assert feature.dock.widget() is None and not feature.dock.isVisible()
    window.health.action.trigger()  # View ▸ Training Health: made as its tab comes to the front
    qtbot.waitUntil(lambda: window.health.dock.widget() is not None, timeout=2_000)
    assert window.health.dock.widget() is window.health.view and window.health.dock.isVisible()
    assert window.health.view.strip_choice.count() == 2 * window.session.spec.L
    window.misconception.action.trigger()
    qtbot.waitUntil(lambda: window.misconception.dock.widget() is not None, timeout=2_000)
    assert window.misconception.dock.widget() is window.misconception.view and window.misconception.dock.isVisible()
    assert window.misconception.view.choice.count() == 1  # nothing performed yet: only "(none: …)"
    view = window.comparison.view  # asked for while its dock is closed: made, and in its dock
    assert window.comparison.dock.widget() is view and view.table.rowCount() == 0


def test_the_inspector_makes_its_heatmaps_after_the_first_paint(qtbot, default_window, wait_idle):
    from nnviz.views.inspector import MAX_PANELS

    inspector = default_window.inspector
    qtbot.waitUntil(lambda: len(inspector.made_panels()) == MAX_PANELS, timeout=10_000)
    s = default_window.session
    s.step()
    wait_idle(s)
    qtbot.waitUntil(lambda: inspector.panel_keys != [], timeout=5_000)
    assert [p.isVisible() for p in inspector.panels] == [True, True, True, True]  # W[1], A[0], b[1], Z[1]
    assert inspector.panels[3].matrix.shape == (7, 209)
    np.testing.assert_array_equal(inspector.panels[3].matrix, s.values["Z1"])


def test_heatmaps_made_later_follow_numbers_in_cells(qtbot, make_session):
    from nnviz.views.inspector import InspectorView

    view = InspectorView(make_session())
    qtbot.addWidget(view)
    assert view.made_panels() == []  # not shown yet, nothing performed: no heatmap made
    view.set_numbers_shown(False)
    assert [p.numbers.enabled for p in view.panels] == [False] * len(view.panels)
    view.set_numbers_shown(True)
    assert all(p.numbers.enabled for p in view.panels)


@pytest.mark.parametrize("chunk", [1, 7, 16])
def test_demo_pictures_drawn_in_chunks_are_those_drawn_at_once(monkeypatch, chunk):
    from nnviz.data import scenes

    monkeypatch.setattr(scenes, "CHUNK", 10_000)
    whole = scenes.image_demo(23, 5, 0.05, 3)
    monkeypatch.setattr(scenes, "CHUNK", chunk)
    chunked = scenes.image_demo(23, 5, 0.05, 3)
    for a, b in ((whole.X, chunked.X), (whole.X_test, chunked.X_test), (whole.Y, chunked.Y)):
        np.testing.assert_array_equal(a, b)
    assert chunked.X.flags["C_CONTIGUOUS"] and chunked.X.dtype == np.float64
