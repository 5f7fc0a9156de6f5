"""Following one example j: its column outlined in every matrix, its picture framed or its point ringed in Data."""
from __future__ import annotations

from PySide6.QtCore import Qt

from nnviz.data import load_demo


def run_to(session, wait_idle, key: str) -> None:
    session.run_through(next(op.index for op in session.plan if op.key == key))
    wait_idle(session)


def test_clicking_a_picture_follows_it_through_the_forward_and_backward_passes(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    window.resize(1600, 1000)
    window.docks["dataDock"].raise_()
    qtbot.wait(20)
    pictures = window.preview.pictures
    qtbot.mouseClick(pictures, Qt.MouseButton.LeftButton, pos=pictures.tile_rect(5).center().toPoint())
    assert session.followed_example == 5
    assert window.preview.followed_shown() == 5
    inspector = window.inspector
    run_to(session, wait_idle, "Z1")  # W[1] A[0] b[1] = Z[1]: column 5 of A[0] and of Z[1]
    assert [p.followed_outline.shown for p in inspector.panels] == [None, (None, 5), None, (None, 5)]
    run_to(session, wait_idle, "dW1")  # dZ[1] · A[0]ᵀ = dW[1]: column 5 of dZ[1], row 5 of A[0]ᵀ, not dW[1]
    assert [p.followed_outline.shown for p in inspector.panels[:3]] == [(None, 5), (5, None), None]
    # a click on a column of a matrix of examples follows that example instead
    inspector._cell_clicked(0, 2, 17)
    assert session.followed_example == 17
    assert inspector.panels[0].followed_outline.shown == (None, 17)
    assert window.preview.followed_shown() is None  # only the first 16 pictures are shown
    g = window.diagram.layout_geometry()
    run_to(session, wait_idle, "A2")
    window.diagram.editor.mouse_moved(g.centres[2][0])
    assert f"A[2][0,17] = {float(session.values['A2'][0, 17])!r}" in window.diagram.editor.hover_card


def test_clicking_a_point_of_2d_data_follows_it(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    session.set_dataset(load_demo("xor"))
    wait_idle(session)
    preview = window.preview
    assert preview.mode == "scatter"
    spots = preview.points[1].points()
    preview._point_clicked(preview.points[1], [spots[3]])  # what sigClicked delivers for the fourth point of class 1
    j = int(spots[3].data())
    assert session.followed_example == j
    assert preview.followed_shown() == j
    x, y = preview.followed_point.data[0]["x"], preview.followed_point.data[0]["y"]
    assert (x, y) == (session.dataset.X[0, j], session.dataset.X[1, j])
    session.follow_example(None)
    assert preview.followed_shown() is None
