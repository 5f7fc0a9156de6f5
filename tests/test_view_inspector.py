"""The matrix inspector shows what the current operation did: equation, shapes, heatmaps, values, stats."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from nnviz.data import Dataset
from nnviz.views.heatmap import MAX_DRAWN, block_reduce
from nnviz.views.inspector import HOVER_HINT, InspectorView
from nnviz.views.style import NONFINITE


def small_dataset(nan_at: tuple[int, int] | None = None) -> Dataset:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 10))
    if nan_at is not None:
        X[nan_at] = np.nan
    Y = (rng.random((1, 10)) > 0.5).astype(float)
    return Dataset(X=X, Y=Y, source="test", name="test")


@pytest.fixture
def image_session(make_session):
    return make_session()  # the image demo: 12288-7-5-1 on 209 examples


def make_view(qtbot, session) -> InspectorView:
    view = InspectorView(session)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    return view


def run_to(session, wait_idle, key: str) -> None:
    session.run_through(next(op.index for op in session.plan if op.key == key))
    wait_idle(session)


def table_row(view: InspectorView, name: str) -> list[str]:
    table = view.stats_table
    for r in range(table.rowCount()):
        if table.item(r, 0).text() == name:
            return [table.item(r, c).text() for c in range(table.columnCount())]
    raise AssertionError(f"{name} not in the stats table")


def test_empty_state_names_the_first_operation(qtbot, make_session):
    session = make_session(small_dataset())
    view = make_view(qtbot, session)
    assert view.objectName() == "matrixInspector"
    assert view.hint_label.text() == "Press Step (F10) to perform Z[1] = W[1]·A[0] + b[1]"
    assert not view.hint_label.isHidden()
    assert all(panel.isHidden() for panel in view.panels)
    assert view.shapes_text() == "W[1] (7×4) · A[0] (4×10) + b[1] (7×1) → 7×10"
    assert view.stats_table.rowCount() == 0


def test_dW2_shows_equation_shapes_titles_and_transposed_operand(qtbot, image_session, wait_idle):
    view = make_view(qtbot, image_session)
    run_to(image_session, wait_idle, "dW2")
    assert view.equation_label.text() == "dW[2] = dZ[2]·A[1]ᵀ"
    assert "5×7" in view.shapes_text()
    assert view.shapes_text() == "dZ[2] (5×209) · A[1]ᵀ (209×7) → 5×7"
    assert "backward" in view.info_label.text() and "layer 2" in view.info_label.text()
    assert view.hint_label.isHidden()
    titles = [p.title_label.text() for p in view.panels if not p.isHidden()]
    assert titles == ["dZ[2]  5×209", "A[1]ᵀ  209×7", "= dW[2]  5×7"]
    dZ2, A1, result = view.panels[:3]
    assert result.image.image.shape == (5, 7)
    assert A1.image.image.shape == (209, 7)
    np.testing.assert_array_equal(A1.image.image, image_session.values["A1"].T)
    np.testing.assert_array_equal(result.image.image, image_session.values["dW2"])
    peak = np.abs(image_session.values["dW2"]).max()
    assert tuple(result.image.levels) == (-peak, peak)  # centred at 0
    assert view.panels[3].isHidden()


def test_hover_reads_the_cell_under_the_mouse(qtbot, image_session, wait_idle):
    view = make_view(qtbot, image_session)
    view.show()
    qtbot.waitExposed(view)
    run_to(image_session, wait_idle, "dW2")
    A1T = image_session.values["A1"].T
    assert view.value_at(1, 3, 5) == f"A[1]ᵀ[3, 5] = {float(A1T[3, 5])!r}"
    panel = view.panels[1]
    panel.mouse_moved(panel.scene_pos_of(150, 4))  # what the scene's sigMouseMoved delivers
    assert view.hover_label.text() == f"A[1]ᵀ[150, 4] = {float(A1T[150, 4])!r}"
    result = view.panels[2]
    result.mouse_moved(result.scene_pos_of(4, 6))
    assert view.hover_label.text() == f"dW[2][4, 6] = {float(image_session.values['dW2'][4, 6])!r}"
    image_session.step()  # the mouse stays on cell [4, 6]: it now reads db[2], which has no column 6
    wait_idle(image_session)
    assert view.hover_label.text() == HOVER_HINT
    view.panels[0].mouse_moved(view.panels[0].scene_pos_of(4, 100))
    image_session.step()  # dA[1] = W[2]ᵀ·dZ[2]: panel 0 is now W[2]ᵀ (7×5), so [4, 100] is outside
    wait_idle(image_session)
    assert view.hover_label.text() == HOVER_HINT
    view.panels[1].mouse_moved(view.panels[1].scene_pos_of(4, 100))
    assert view.hover_label.text() == f"dZ[2][4, 100] = {float(image_session.values['dZ2'][4, 100])!r}"
    image_session.step()  # dZ[1] = dA[1] * relu'(Z[1]): the same cell of the new panel 1, Z[1]
    wait_idle(image_session)
    assert view.hover_label.text() == f"Z[1][4, 100] = {float(image_session.values['Z1'][4, 100])!r}"


def test_stats_match_numpy(qtbot, image_session, wait_idle):
    view = make_view(qtbot, image_session)
    run_to(image_session, wait_idle, "dW2")
    dW2 = image_session.values["dW2"]
    stats = view.result_stats()
    assert stats.min == dW2.min() and stats.max == dW2.max()
    assert stats.mean == pytest.approx(dW2.mean(), rel=1e-12)
    assert stats.norm == pytest.approx(np.linalg.norm(dW2), rel=1e-12)
    assert stats.nonfinite == 0
    assert table_row(view, "dW[2]")[1:] == [
        "5×7", f"{dW2.min():.5g}", f"{dW2.max():.5g}", f"{stats.mean:.5g}", f"{stats.norm:.5g}", "0"]
    assert table_row(view, "A[1]ᵀ")[1] == "209×7"


def test_nan_cells_are_counted_and_marked(qtbot, make_session, wait_idle):
    session = make_session(small_dataset(nan_at=(2, 3)))
    view = make_view(qtbot, session)
    session.step()  # Z[1] = W[1]·A[0] + b[1]: column 3 of Z[1] is NaN
    wait_idle(session)
    assert session.record.key == "Z1"
    result = view.panels[3]
    assert result.stats().nonfinite == 7
    assert table_row(view, "Z[1]")[-1] == "7"
    assert "7 NaN/Inf" in view.info_label.text()
    marked = result.marked
    magenta = np.array(QColor(NONFINITE).getRgb(), dtype=np.uint8)
    assert (marked[:, 3] == magenta).all()
    assert (marked[:, [0, 1, 2, 4]][..., 3] == 0).all()  # the other cells are not marked
    assert np.isfinite(result.image.image).all()  # NaN drawn as 0 under the mark
    A0 = view.panels[1]
    assert A0.stats().nonfinite == 1 and (A0.marked[2, 3] == magenta).all()
    assert view.value_at(3, 0, 3) == "Z[1][0, 3] = nan"


def test_cost_is_shown_as_a_number(qtbot, make_session, wait_idle):
    session = make_session(small_dataset())
    view = make_view(qtbot, session)
    run_to(session, wait_idle, "J")
    result = view.panels[2]
    assert result.title_label.text() == "= J  1×1"
    J = float(session.values["J"][0, 0])
    assert result.pages.currentWidget() is result.scalar_label
    assert result.scalar_label.toolTip() == f"J = {J!r}"  # every digit; the label as many as fit
    assert float(result.scalar_text().replace("−", "-")) == pytest.approx(J, rel=1e-3)


def test_update_without_kept_old_value_shows_a_note(qtbot, make_session, wait_idle):
    session = make_session(small_dataset())
    session.stepper.history_budget = 0  # nothing kept for stepping back
    view = make_view(qtbot, session)
    run_to(session, wait_idle, "W1")
    assert view.equation_label.text() == "W[1] = W[1] − α·dW[1]"
    old, dW1, new = view.panels[:3]
    assert old.matrix is None and "not kept" in old.note.text()
    assert dW1.image.image.shape == (7, 4) and new.title_label.text() == "= W[1]  7×4"
    assert [row[0] for row in (table_row(view, "dW[1]"), table_row(view, "W[1]"))] == ["dW[1]", "W[1]"]


def test_picture_of_a_row_of_W1(qtbot, image_session, wait_idle):
    view = make_view(qtbot, image_session)
    run_to(image_session, wait_idle, "Z1")
    assert not view.picture_toggle.isHidden()
    assert [view.picture_choice.itemData(i) for i in range(view.picture_choice.count())] == ["W1", "A0"]
    view.show_picture("W1", 3)
    image = view.picture.image.image
    assert image.shape == (64, 64, 3)
    w = image_session.values["W1"][3].reshape(64, 64, 3)
    np.testing.assert_allclose(image, 0.5 + 0.5 * w / np.abs(w).max())
    assert view.picture.title_label.text() == "W[1] row 3"
    view.show_picture("A0", 5)  # the sixth training picture, as loaded
    x = image_session.values["A0"][:, 5].reshape(64, 64, 3)
    np.testing.assert_allclose(view.picture.image.image, (x - x.min()) / (x.max() - x.min()))
    view.panels[0].clicked.emit(2, 40)  # a cell of W[1]: not the matrix pictured, nothing changes
    assert view.picture_index.value() == 5
    view.panels[1].clicked.emit(0, 17)  # a cell in column 17 of A[0] shows that picture
    assert view.picture_index.value() == 17
    x = image_session.values["A0"][:, 17].reshape(64, 64, 3)
    np.testing.assert_allclose(view.picture.image.image, (x - x.min()) / (x.max() - x.min()))


def test_no_picture_controls_for_tabular_data(qtbot, make_session, wait_idle):
    session = make_session(small_dataset())
    view = make_view(qtbot, session)
    run_to(session, wait_idle, "Z1")
    assert view.picture_toggle.isHidden() and view.picture.isHidden()
    with pytest.raises(ValueError):
        view.show_picture("W1", 0)


def test_huge_operand_is_drawn_block_averaged_but_read_exactly(qtbot, image_session, wait_idle):
    view = make_view(qtbot, image_session)
    run_to(image_session, wait_idle, "Z1")
    X = image_session.values["A0"]
    panel = view.panels[1]
    assert panel.title_label.text() == "A[0]  12288×209"
    assert panel.image.image.shape == (MAX_DRAWN, 209)
    np.testing.assert_allclose(panel.image.image[0], X[:12].mean(axis=0))
    assert view.value_at(1, 12287, 208) == f"A[0][12287, 208] = {float(X[12287, 208])!r}"
    bounds = panel.image.mapRectToParent(panel.image.boundingRect())
    assert (bounds.left(), bounds.top(), bounds.width(), bounds.height()) == (-0.5, -0.5, 209, 12288)


def test_network_change_and_next_steps_reuse_the_panels(qtbot, make_session, wait_idle):
    session = make_session(small_dataset())
    view = make_view(qtbot, session)
    panels = list(view.panels)
    session.step()
    wait_idle(session)
    session.step()
    wait_idle(session)
    assert view.equation_label.text() == "A[1] = relu(Z[1])"
    assert view.panels == panels
    vb = view.panels[1].plot.getViewBox()
    vb.setXRange(2, 4, padding=0)  # the user zooms into A[1]
    assert session.step_back()
    session.step()  # a new A[1]: shown whole again
    wait_idle(session)
    assert vb.viewRange()[0] == pytest.approx([-0.5, 9.5])
    session.reset()
    wait_idle(session)
    assert view.hint_label.text().startswith("Press Step (F10)")


def test_block_reduce_keeps_the_last_short_block():
    a = np.arange(10.0).reshape(10, 1)
    np.testing.assert_allclose(block_reduce(a, limit=4), [[1.0], [4.0], [7.0], [9.0]])
    mask = np.zeros((1, 9), bool)
    mask[0, 8] = True
    assert block_reduce(mask, limit=3, ufunc=np.logical_or).tolist() == [[False, False, True]]


def test_nice_step():
    from nnviz.views.heatmap import nice_step

    assert [nice_step(x) for x in (1.0, 1.3, 3.0, 7.0, 42.0, 1000.0)] == [1.0, 2.0, 5.0, 10.0, 50.0, 1000.0]


def test_keeps_up_with_a_run_and_shows_the_last_operation(qtbot, make_session, wait_idle):
    session = make_session(small_dataset())
    view = make_view(qtbot, session)
    seen = []
    session.stepped.connect(lambda: seen.append(view.equation_label.text()))
    session.run()
    qtbot.waitUntil(lambda: session.iteration >= 3, timeout=5000)
    session.pause()
    wait_idle(session)
    assert seen and view.equation_label.text() == session.record.equation
    assert view.panels[len(view.panel_keys) - 1].matrix is not None  # the result is always shown
    assert view.result_stats().max == session.record.value.max()


def _shown_text(table, row: int, column: int) -> tuple[str, int]:
    """What the stats table paints in a cell (its delegate's text) and the room the cell has."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    option.rect = table.visualItemRect(table.item(row, column))
    option.font = table.font()
    option.fontMetrics = QFontMetrics(table.font())
    option.widget = table
    table.itemDelegate().initStyleOption(option, table.model().index(row, column))
    return option.text, option.rect.width()


def test_narrow_stats_show_fewer_digits_instead_of_cutting_them(qtbot, image_session, wait_idle):
    from PySide6.QtGui import QFontMetrics

    view = make_view(qtbot, image_session)
    view.resize(420, 700)  # narrower than the inspector between the docks at 1280×720
    view.show()
    run_to(image_session, wait_idle, "dW2")
    table, metrics = view.stats_table, QFontMetrics(view.stats_table.font())
    qtbot.waitUntil(lambda: table.rowCount() >= 1)
    cut = 0
    for row in range(table.rowCount()):
        for column in range(2, 6):
            item = table.item(row, column)
            text, room = _shown_text(table, row, column)
            exact = item.data(0x0100)  # Qt.UserRole: the number, every digit in the tooltip
            cut += metrics.horizontalAdvance(item.text()) > room - 6  # what "…" would have cut
            assert metrics.horizontalAdvance(text) <= room, (text, room)
            assert float(text.replace("−", "-")) == pytest.approx(exact, rel=0.06)
    assert cut  # the table is narrow enough that the 5 digits did not all fit


def test_the_hover_line_fits_a_narrow_inspector(qtbot, image_session, wait_idle):
    from PySide6.QtGui import QFontMetrics

    view = make_view(qtbot, image_session)
    view.resize(480, 700)
    view.show()
    run_to(image_session, wait_idle, "Z1")
    label = view.hover_label
    assert label.text() == HOVER_HINT
    qtbot.waitUntil(lambda: QFontMetrics(label.font()).horizontalAdvance(label.text()) <= label.width())
    assert label.font().pointSizeF() < label.property("points")  # the hint, in a smaller font
    for width in range(440, 640, 17):  # hinted fonts do not shrink in proportion: every width fits
        view.resize(width, 700)
        qtbot.waitUntil(lambda: label.width() < width)
        assert QFontMetrics(label.font()).horizontalAdvance(label.text()) <= label.width(), width
    view.resize(480, 700)
    view.hover(len(view.panel_keys) - 1, 0, 0)
    assert label.text().startswith("Z[1][0, 0] = ")
    assert label.font().pointSizeF() == label.property("points")  # a short value at full size
    view.resize(1200, 700)
    view.hover(0, -1, -1)
    qtbot.waitUntil(lambda: label.font().pointSizeF() == label.property("points"))  # room again
