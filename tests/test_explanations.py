"""Explanations: the dock follows the session and the step list; every line explains itself on hover."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDockWidget

from nnviz.app import MainWindow
from nnviz.engine.explain import NOTES_SLIPS


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    yield win
    win.close()


def _select_line(window, index: int) -> None:
    tree = window.step_list.tree
    tree.setCurrentItem(tree.topLevelItem(index))  # as a user does with the arrow keys


def test_action_and_dock(window):
    ex = window.explanations
    assert ex.action.objectName() == "actionExplain" and ex.action.isCheckable()
    assert ex.action.shortcut().toString() == "F1" and ex.action in window.menus["help"].actions()
    dock = window.findChild(QDockWidget, "explanationDock")
    assert dock is ex.dock and window.docks["explanationDock"] is dock and dock.windowTitle() == "Explanation"
    assert dock.isHidden() and not ex.action.isChecked()
    ex.action.trigger()
    assert not dock.isHidden()
    ex.action.trigger()
    assert dock.isHidden()


def test_the_text_follows_the_windows_font(window):
    browser = window.explanations.browser
    assert browser.font().pointSizeF() >= 12
    font = window.font()
    font.setPointSizeF(20)
    window.setFont(font)  # as presentation mode does
    assert browser.font().pointSizeF() == 20


def test_before_the_first_step_it_explains_the_next_operation(window):
    text = window.explanations.text()
    assert text.startswith("Z[1] = W[1]·A[0] + b[1]")
    assert "W[1] (7×12288) · A[0] (12288×209) + b[1] (7×1) → 7×209" in text
    assert "next" in text and "Slips in the notes" in text and "np.random.rand" in text


def test_every_line_of_the_plan_is_explained(window):
    s, ex = window.session, window.explanations
    tree = window.step_list.tree
    assert tree.topLevelItemCount() == len(s.plan)
    seen = set()
    for op in s.plan:
        _select_line(window, op.index)
        text = ex.text()
        assert ex.shown_index == op.index and text.startswith(op.equation)
        body = text.split("selected in the step list", 1)[1].split("Slips in the notes")[0].strip()
        assert len(body) > 60, op.symbol
        seen.add(body)
        tip = tree.topLevelItem(op.index).toolTip(1)
        assert "selected" not in tip and len(tip) > 100
    assert len(seen) >= len(s.plan) // 2  # not one text for everything
    by_key = {op.key: op.index for op in s.plan}
    _select_line(window, by_key["dW2"])
    assert "l−1" in ex.text() and "A[l+1]ᵀ" in ex.text()
    _select_line(window, by_key["dA1"])
    assert "dA[0] is never computed" in ex.text()
    _select_line(window, by_key["dA3"])
    assert "1/m" in ex.text()
    tip = tree.topLevelItem(by_key["dA1"]).toolTip(2)
    assert "dA[0]" in tip and "W[2]ᵀ·dZ[2]" in tip
    assert NOTES_SLIPS.split(":")[0] in ex.text()


def test_the_dock_follows_stepping(window, wait_idle, qtbot):
    s, ex = window.session, window.explanations
    s.step()
    wait_idle(s)
    assert ex.text().startswith("Z[1] = W[1]·A[0] + b[1]") and "performed in iteration 0" in ex.text()
    s.step()
    wait_idle(s)
    assert ex.text().startswith("A[1] = relu(Z[1])") and "ReLU" in ex.text()
    dW2 = next(op.index for op in s.plan if op.key == "dW2")
    s.run_through(dW2)
    wait_idle(s)
    assert ex.shown_index == dW2 and ex.text().startswith("dW[2] = dZ[2]·A[1]ᵀ")
    assert "dZ[2] (5×209) · A[1]ᵀ (209×7) → 5×7" in ex.text()
