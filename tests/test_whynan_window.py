"""Debug ▸ Why NaN/Inf?: a tripped NaN/Inf breakpoint brings the explanation forward by itself."""
from __future__ import annotations

from nnviz.app import MainWindow
from nnviz.data import load_demo
from nnviz.engine.whynan import why_nonfinite
from nnviz.session import Design, Session

DESIGN = Design(activations=("leaky_relu", "leaky_relu"), learning_rate=1e6)  # overflows within a few iterations


def _paused_on_nan(qtbot, wait_idle, before=None) -> MainWindow:
    """A shown window on DESIGN that ran until the NaN/Inf breakpoint paused it; ``before(window)`` first."""
    session = Session(load_demo("xor"), DESIGN)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    if before is not None:
        before(window)
    window.actionRun.trigger()
    qtbot.waitUntil(lambda: not session.running, timeout=10_000)
    wait_idle(session)
    return window


def test_a_nan_pause_explains_where_it_came_from(qtbot, wait_idle):
    def nothing_yet(window) -> None:
        assert window.why_nan.explain() is None

    window = _paused_on_nan(qtbot, wait_idle, nothing_yet)
    session, why = window.session, window.why_nan
    record = session.record
    assert record.has_nonfinite
    qtbot.waitUntil(lambda: why.dock.isVisible(), timeout=2_000)
    assert why.cause is not None and why.cause.key == record.key
    expected = why_nonfinite(record.op, dict(session.values))
    if record.key not in record.op.operands:
        assert why.cause == expected
    text = why.label.text()
    assert f"{record.symbol}[" in text and "Cause:" in text and "Fix:" in text
    window.discard_and_close()


def test_the_explanation_takes_the_themes_colour(qtbot, wait_idle):
    from nnviz.views.appearance import appearance_model
    from nnviz.views.theme import DARK, LIGHT, Appearance

    window = _paused_on_nan(qtbot, wait_idle)
    why = window.why_nan
    qtbot.waitUntil(lambda: why.cause is not None, timeout=2_000)
    try:
        for theme in (DARK, LIGHT):
            appearance_model().set(Appearance(theme=theme.name))
            assert f"color:{theme.verdict('wrong')}" in why.label.text(), theme.name
    finally:
        appearance_model().set(Appearance())
        window.discard_and_close()
