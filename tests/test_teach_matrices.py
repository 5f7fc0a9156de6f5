"""Reading the matrices: numbers in cells that are big enough, Ctrl+C to the clipboard exactly."""
from __future__ import annotations

import io

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from nnviz.views.matrixcopy import matrix_text


def run_to(session, wait_idle, key: str) -> None:
    session.run_through(next(op.index for op in session.plan if op.key == key))
    wait_idle(session)


def test_numbers_appear_in_a_5x7_heatmap_not_in_7x12288_and_the_action_turns_them_off(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    window.resize(1600, 1000)
    run_to(session, wait_idle, "dW2")  # dW[2] = dZ[2]·A[1]ᵀ → 5×7
    qtbot.wait(50)
    result = window.inspector.panels[2]
    assert result.matrix.shape == (5, 7)
    cells = result.number_cells()
    assert len(cells) == 35
    dW2 = session.values["dW2"]
    exponent = result.numbers.exponent  # the values are written divided by 10^exponent, the title says so
    assert exponent == int(np.floor(np.log10(np.abs(dW2).max())))
    assert f"(numbers ×10" in result.title_label.text()
    for r, c, text in cells:
        decimals = len(text.split(".")[1]) if "." in text else 0
        shown = float(text.replace("−", "-")) * 10.0 ** exponent
        assert abs(shown - dW2[r, c]) <= 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9)
    assert window.inspector.panels[0].number_cells() == []  # dZ[2] 5×209: too many cells
    window.actionShowNumbers.trigger()
    assert not window.actionShowNumbers.isChecked()
    assert result.number_cells() == []
    window.actionShowNumbers.trigger()
    run_to(session, wait_idle, "dW1")  # dW[1] 7×12288
    assert window.inspector.panels[2].matrix.shape == (7, 12288)
    assert window.inspector.panels[2].number_cells() == []


def test_ctrl_c_copies_the_matrix_so_loadtxt_reads_it_back_exactly_and_a_hovered_value_as_repr(
        qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    run_to(session, wait_idle, "dW2")
    inspector = window.inspector
    inspector.panels[2].setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(inspector.panels[2].graphics, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    back = np.loadtxt(io.StringIO(text), delimiter="\t")
    np.testing.assert_array_equal(back, session.values["dW2"])  # bit for bit
    assert text.count("\n") == 5 and text.splitlines()[0].count("\t") == 6
    inspector.hover(1, 100, 3)  # A[1]ᵀ[100, 3]
    qtbot.keyClick(inspector.panels[1].graphics, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == repr(float(session.values["A1"][3, 100]))


def test_big_matrices_are_written_out_off_the_window_thread(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    run_to(session, wait_idle, "Z1")
    inspector = window.inspector
    inspector.hover(3, -1, -1)
    big = np.random.default_rng(0).normal(size=(300, 80))
    assert np.array_equal(np.loadtxt(io.StringIO(matrix_text(big)), delimiter="\t"), big)
    with qtbot.waitSignal(inspector.matrix_copy.copied, timeout=10_000):
        inspector.matrix_copy.copy()  # Z[1] 7×209 is small: at once
    assert np.array_equal(np.loadtxt(io.StringIO(QGuiApplication.clipboard().text()), delimiter="\t"),
                          session.values["Z1"])
