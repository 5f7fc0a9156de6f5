"""The network diagram: columns, weight lines by sign and size, the highlight of the current operation."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QFont, QImage

from nnviz.views import style
from nnviz.views.diagram import DiagramView, drawn_units


@pytest.fixture
def view(qtbot, make_session):
    session = make_session()
    widget = DiagramView(session)
    qtbot.addWidget(widget)
    widget.resize(1400, 260)
    return widget


def run_to(session, wait_idle, key: str, phase: str) -> None:
    """Run until the operation that computes ``key`` in ``phase`` has been performed."""
    index = next(op.index for op in session.plan if op.key == key and op.phase == phase)
    session.run_through(index)
    wait_idle(session)
    assert session.record.key == key


def test_columns_of_the_default_network(view):
    columns = view.layer_columns()
    assert [total for _, _, total, _ in columns] == [12288, 7, 5, 1]
    assert [drawn for _, drawn, _, _ in columns] == [8, 7, 5, 1]
    assert None in drawn_units(12288) and drawn_units(12288)[-1] == 12287
    assert columns[0][3] == "A[0] · input · 12288"
    assert columns[1][3] == "A[1] · relu · 7"
    assert columns[3][3] == "A[3] · σ · 1"
    assert view.sublabel(0) == "64×64×3 image"
    assert view.sublabel(2) == "b[2] 5×1"
    assert view.weight_labels() == ["W[1] 7×12288", "W[2] 5×7", "W[3] 1×5"]


def test_connections_follow_the_sign_and_size_of_the_weights(view):
    W2 = view.session.values["W2"]
    pens = view.connection_pens(2)
    assert len(pens) == 5 * 7
    for i, j, colour, _ in pens:
        expected = style.POSITIVE if W2[i, j] > 0 else style.NEGATIVE
        assert colour.name() == QColor(expected).name()
    by_size = sorted(pens, key=lambda p: abs(W2[p[0], p[1]]))
    widths = [width for *_, width in by_size]
    assert widths == sorted(widths) and widths[-1] > 3 * widths[0]
    # only the drawn units of the 12288 inputs are connected: 7 × 8 lines, not 7 × 12288
    assert {j for _, j, _, _ in view.connection_pens(1)} == {0, 1, 2, 3, 4, 5, 12286, 12287}


def test_highlight_follows_the_operation(view, wait_idle):
    session = view.session
    assert view.highlight() == ("ready", set(), set())
    assert view.caption().startswith("Ready · next: Z[1] = W[1]·A[0] + b[1]")
    run_to(session, wait_idle, "Z2", "forward")
    assert view.highlight() == ("forward", {2}, {2})
    assert view.caption() == "Z[2] = W[2]·A[1] + b[2]   5×209"
    run_to(session, wait_idle, "dW2", "backward")
    assert view.highlight() == ("backward", {2}, {2})
    assert view.caption() == "dW[2] = dZ[2]·A[1]ᵀ   5×7"
    run_to(session, wait_idle, "dA1", "backward")  # dA[1] = W[2]ᵀ·dZ[2] lands in column 1
    assert view.highlight() == ("backward", {1}, {2})
    run_to(session, wait_idle, "W1", "update")
    assert view.highlight() == ("update", set(), {1})
    assert "W[1] = W[1] − α·dW[1]" in view.caption()


def test_weights_redrawn_after_an_update(view, wait_idle):
    before = view.connection_pens(3)
    run_to(view.session, wait_idle, "W3", "update")
    W3 = view.session.values["W3"]
    after = view.connection_pens(3)
    top = np.abs(W3).max()
    assert [w for *_, w in after] != [w for *_, w in before]
    i, j, _, width = max(after, key=lambda p: p[3])
    assert abs(W3[i, j]) == top


def test_design_change_rebuilds_the_columns(view, wait_idle):
    session = view.session
    session.set_design(session.design.with_layer(0, units=3, activation="tanh"))
    wait_idle(session)
    assert [total for _, _, total, _ in view.layer_columns()] == [12288, 3, 7, 5, 1]
    assert view.layer_columns()[1][3] == "A[1] · tanh · 3"
    assert view.weight_labels()[:2] == ["W[1] 3×12288", "W[2] 7×3"]
    assert len(view.connection_pens(1)) == 3 * 8


def test_bigger_font_scales_the_drawing(view):
    widths = [w for *_, w in view.connection_pens(2)]
    font = QFont(view.font())
    font.setPointSizeF(2 * max(11.0, font.pointSizeF()))
    view.setFont(font)
    bigger = [w for *_, w in view.connection_pens(2)]
    assert all(b > 1.5 * w for b, w in zip(bigger, widths))


def _pixels(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    return data.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width(), 2::-1].astype(int)


def test_paint_draws_red_and_blue_weights_and_the_highlight(view, wait_idle):
    run_to(view.session, wait_idle, "dW2", "backward")
    rgb = _pixels(view)
    assert rgb.shape[:2] == (260, 1400)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    assert np.count_nonzero((r > b + 60) & (r > g + 60)) > 200  # red lines: w > 0
    assert np.count_nonzero((b > r + 60) & (b > g + 20)) > 200  # blue lines: w < 0
    orange = QColor(style.PHASE_COLORS["backward"])
    exact = (r == orange.red()) & (g == orange.green()) & (b == orange.blue())
    assert np.count_nonzero(exact) > 100  # the halo, the arrow and the caption


def test_no_operation_highlighted_while_running(view, qtbot, wait_idle):
    session = view.session
    session.run()
    qtbot.waitUntil(lambda: session.iteration >= 2, timeout=10_000)
    assert view.highlight() == ("running", set(), set())
    assert view.caption().startswith("Training… iteration ")
    session.pause()
    wait_idle(session)
    assert view.highlight()[0] == session.record.phase == "update"


def test_zero_weights_are_thin_grey_lines(qtbot, make_session):
    from nnviz.session.design import Design

    widget = DiagramView(make_session(design=Design(init="zeros")))
    qtbot.addWidget(widget)
    widget.resize(1400, 260)
    pens = widget.connection_pens(2)
    assert {colour.name() for *_, colour, _ in pens} == {"#9a9a9a"}
    assert len({width for *_, width in pens}) == 1


def test_a_short_widget_draws_fewer_units(view):
    assert [drawn for _, drawn, _, _ in view.layer_columns()] == [8, 7, 5, 1]
    view.resize(1400, 150)
    drawn = [d for _, d, _, _ in view.layer_columns()]
    assert drawn[0] < 8 and drawn[1] < 7
    assert len(view.connection_pens(1)) == drawn[0] * drawn[1]


def _line_pixel(view, l: int) -> tuple[np.ndarray, QColor]:
    """The painted colour at 40 % along W[l]'s widest translucent line, and that line's pen colour."""
    rgb = _pixels(view)  # painted at the widget's size: the geometry is that size's
    g = view.layout_geometry()
    i, j, colour, _ = max((pen for pen in view.connection_pens(l) if pen[2].alphaF() < 0.95), key=lambda pen: pen[3])
    a, b = g.centres[l - 1][j], g.centres[l][i]
    x, y = a.x() + 0.4 * (b.x() - a.x()), a.y() + 0.4 * (b.y() - a.y())
    return rgb[round(y), round(x)], colour


def test_weight_lines_show_their_translucent_colour_over_the_background_and_a_highlighted_band(view, wait_idle):
    from nnviz.views.diagram import over

    base = view.palette().base().color()
    pixel, colour = _line_pixel(view, 3)  # nothing highlighted before the first step
    assert 0 < colour.alphaF() < 1  # a translucent pen, drawn opaque (14× faster)
    expected = over(colour, base)
    assert np.abs(pixel - [expected.red(), expected.green(), expected.blue()]).max() <= 3
    run_to(view.session, wait_idle, "Z3", "forward")  # W[3]'s band is tinted
    assert 3 in view.highlight()[2]
    pixel, colour = _line_pixel(view, 3)
    expected = over(colour, over(view._band_tint("forward"), base))
    assert np.abs(pixel - [expected.red(), expected.green(), expected.blue()]).max() <= 3
    assert np.abs(pixel - [over(colour, base).red(), over(colour, base).green(), over(colour, base).blue()]).max() > 3
