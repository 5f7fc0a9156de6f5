"""Where a result cell comes from: hovering it outlines its operands' cells and writes the terms out with numbers."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from nnviz.data import load_demo
from nnviz.engine import NetworkSpec, Stepper, initialize
from nnviz.engine.provenance import provenance
from nnviz.session import Design
from nnviz.views.inspector import InspectorView


def make_view(qtbot, session) -> InspectorView:
    view = InspectorView(session)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def run_to(session, wait_idle, key: str) -> None:
    session.run_through(next(op.index for op in session.plan if op.key == key))
    wait_idle(session)


def last_number(text: str) -> float:
    return float(text.rsplit("= ", 1)[1].replace("−", "-"))


def test_hovering_Z1_outlines_row_of_W1_column_of_A0_and_the_terms_sum_to_the_cell(qtbot, make_session, wait_idle):
    session = make_session()  # the notes' 12288-7-5-1 on the image demo
    view = make_view(qtbot, session)
    run_to(session, wait_idle, "Z1")
    W, A, b, Z = (session.values[k] for k in ("W1", "A0", "b1", "Z1"))
    result = view.panels[3]
    result.mouse_moved(result.scene_pos_of(2, 5))  # what the scene delivers when the mouse is over Z[1][2,5]
    assert view.panels[0].provenance_outline.shown == (2, None)  # row 2 of W[1]
    assert view.panels[1].provenance_outline.shown == (None, 5)  # column 5 of A[0]
    assert view.panels[2].provenance_outline.shown == (2, 0)  # b[1][2]
    assert result.provenance_outline.shown == (2, 5)
    text = view.provenance.label.text()
    assert text.startswith("Z[1][2,5] = Σₖ W[1][2,k]·A[0][k,5] + b[1][2] = ")
    assert "… (12288 terms)" in text
    assert last_number(text) == Z[2, 5]  # the exact total, at full precision
    found = view.provenance.current
    assert len(found.terms) == 12288
    np.testing.assert_array_equal([a for a, _ in found.terms], W[2, :])
    np.testing.assert_array_equal([x for _, x in found.terms], A[:, 5])
    assert math.fsum(a * x for a, x in found.terms) + b[2, 0] == pytest.approx(Z[2, 5], rel=1e-12, abs=1e-12)
    # the first terms are written with their numbers
    first = f"{W[2, 0]:.4g}".replace("-", "−")
    assert first in text.split(" = ")[2]
    # moving to an operand clears the outlines; clicking a result cell keeps it after the mouse leaves
    view.panels[0].mouse_moved(view.panels[0].scene_pos_of(1, 1))
    assert view.panels[0].provenance_outline.shown is None
    view.hover(3, 4, 0)
    view._cell_clicked(3, 4, 0)
    view.hover(3, -1, -1)
    assert view.panels[0].provenance_outline.shown == (4, None)
    assert view.provenance.label.text().startswith("Z[1][4,0] = ")


def test_every_operation_of_a_small_network_writes_a_line_whose_total_is_the_cell(make_session):
    """All kinds: linear, activation, cost, dA[L], dZ, dW, db, dA[l-1], updates; sums add up exactly enough."""
    data = load_demo("xor")
    spec = NetworkSpec.build(data.n_x, [3, 2], data.n_y, "tanh", "sigmoid")
    stepper = Stepper(spec, initialize(spec, "he", seed=3), data.X, data.Y, 0.5)
    kinds = set()
    for _ in range(len(stepper.plan)):
        before = dict(stepper.values)
        record = stepper.step()
        operands = [before[k] for k in record.op.operands]  # what the operation read (updates: the old value)
        row, col = record.value.shape[0] - 1, record.value.shape[1] - 1
        found = provenance(record.op, spec, operands, record.value, row, col, 0.5)
        kinds.add(record.op.kind)
        assert last_number(found.text) == record.value[row, col], found.text
        if found.terms:
            extra = before[record.op.operands[2]][row, 0] if record.op.kind == "linear" else 0.0
            total = math.fsum(a * x for a, x in found.terms) + extra
            assert total == pytest.approx(record.value[row, col], rel=1e-9, abs=1e-12), found.text
        if record.op.kind == "update":
            old, grad = operands
            assert found.marks == ((0, row, col), (1, row, col))
            assert f"{old[row, col]:.4g}".replace("-", "−") in found.text and "0.5·" in found.text
    assert kinds >= {"linear", "activation", "cost", "dA", "dZ", "dW", "db", "update"}


def test_dW_marks_the_row_of_dZ_and_the_row_of_A_shown_as_a_column_of_its_transpose(qtbot, make_session, wait_idle):
    session = make_session(design=Design(hidden=(7, 5)))
    view = make_view(qtbot, session)
    run_to(session, wait_idle, "dW2")
    result = view.panels[2]
    result.mouse_moved(result.scene_pos_of(4, 6))
    assert view.panels[0].provenance_outline.shown == (4, None)  # dZ[2] row 4
    assert view.panels[1].provenance_outline.shown == (None, 6)  # A[1]ᵀ column 6 = A[1] row 6
    text = view.provenance.label.text()
    assert re.match(r"dW\[2\]\[4,6\] = Σₖ dZ\[2\]\[4,k\]·A\[1\]\[6,k\] = ", text)
    assert last_number(text) == session.values["dW2"][4, 6]


def test_the_readme_line_is_what_the_default_window_writes(qtbot, make_session, wait_idle):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"`(Z\[1\]\[2,5\] = Σₖ .*?)`", readme).group(1)
    session = make_session()
    view = make_view(qtbot, session)
    session.step()
    wait_idle(session)
    view.hover(3, 2, 5)
    assert view.provenance.label.text() == shown


@pytest.mark.parametrize("options", [{"optimizer": "adam"}, {"optimizer": "momentum"}, {"l2": 0.7},
                                     {"batch_size": 64}])
def test_other_plans_write_a_line_for_every_cell_whose_total_is_the_cell(options):
    """Adam, momentum, L2 and mini-batches add operations and operands: every line still ends in the cell's value."""
    data = load_demo("moons")
    spec = NetworkSpec.build(data.n_x, [4], data.n_y, "relu", "sigmoid")
    stepper = Stepper(spec, initialize(spec, "he", seed=2), data.X, data.Y, 0.05, **options)
    for _ in range(2 * len(stepper.plan)):
        before = dict(stepper.values)
        record = stepper.step()
        if record.value.ndim != 2:
            continue
        operands = [before.get(k) for k in record.op.operands]
        found = provenance(record.op, spec, operands, record.value, 0, record.value.shape[1] - 1, 0.05)
        assert last_number(found.text) == record.value[0, -1], found.text
        if record.op.kind == "linear" and found.terms:
            total = math.fsum(a * x for a, x in found.terms) + (operands[2][0, 0] if len(operands) > 2 else 0.0)
            assert total == pytest.approx(record.value[0, -1], rel=1e-9, abs=1e-12)


def test_the_hint_is_one_line_at_a_projectors_inspector_width_and_a_cells_terms_wrap(qtbot, make_session, wait_idle):
    from PySide6.QtGui import QFontMetrics

    from nnviz.views.provenance import HINT, OPERAND_HINT

    session = make_session()
    view = make_view(qtbot, session)
    view.resize(520, 700)  # the inspector between the docks at 1280×720
    run_to(session, wait_idle, "Z1")
    label = view.provenance.label

    def one_line() -> bool:
        return QFontMetrics(label.font()).horizontalAdvance(label.text()) <= label.width()

    assert label.text() == HINT
    qtbot.waitUntil(one_line)  # it had wrapped onto a second line, 22 pixels the heatmaps need there
    assert label.font().pointSizeF() < label.property("base_points")
    view.panels[0].mouse_moved(view.panels[0].scene_pos_of(1, 1))  # an operand
    assert label.text() == OPERAND_HINT
    assert one_line()
    result = view.panels[3]
    result.mouse_moved(result.scene_pos_of(2, 5))
    assert label.text().startswith("Z[1][2,5] = ")
    assert not one_line() and label.font().pointSizeF() == label.property("base_points")  # long terms wrap, at full size
    assert label.heightForWidth(label.width()) > 1.5 * QFontMetrics(label.font()).lineSpacing()
