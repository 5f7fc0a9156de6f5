"""DataPreviewView: pictures with their classes, 2-D points over a live decision boundary, or a table."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import Dataset, load_demo
from nnviz.engine import predict
from nnviz.views.preview import GRID, THUMBNAILS, DataPreviewView, picture_strip
from qt_helpers import shown


def make_view(qtbot, session):
    return shown(qtbot, DataPreviewView(session), 380, 350)


def params(session):
    return {key: session.values[key] for l in range(1, session.spec.L + 1) for key in (f"W{l}", f"b{l}")}


def test_image_demo_shows_pictures_with_their_class_names(qtbot, make_session):
    session = make_session()
    view = make_view(qtbot, session)
    dataset = session.dataset
    assert view.objectName() == "dataPreview" and view.mode == "images"
    assert view.thumbnail_count() == THUMBNAILS and view.boundary_image() is None
    names = [text for text, _ in view.pictures.captions]
    assert names == [f"{j}: {dataset.class_names[int(dataset.Y[0, j])]}" for j in range(THUMBNAILS)]
    header = view.header.text()
    assert "X 12288×209 · Y 1×209 · test 50" in header and "64×64×3" in header
    for k, name in enumerate(dataset.class_names):
        assert f"{name} {int(np.sum(dataset.Y[0] == k))}" in header


def test_a_picture_is_its_column_of_x_reshaped_in_c_order():
    rng = np.random.default_rng(0)
    pictures = rng.random((5, 4, 3, 7))  # 7 pictures 5×4×3
    pictures[0, 0, :2, 0] = 0.0, 1.0  # the full range, so 0–255 data rescales to the same picture
    X = np.moveaxis(pictures, -1, 0).reshape(7, -1).T  # the course's flattening: reshape(m, -1).T
    strip = picture_strip(X, (5, 4, 3), 3)
    assert strip.shape == (5, 12, 3) and strip.dtype == np.uint8
    for j in range(3):
        np.testing.assert_array_equal(strip[:, 4 * j:4 * j + 4], np.round(pictures[..., j] * 255))
    scaled = picture_strip(X * 255, (5, 4, 3), 1)  # 0–255 values are rescaled for display
    np.testing.assert_array_equal(scaled, strip[:, :4])


def test_two_dimensional_data_is_a_scatter_over_the_networks_boundary(qtbot, make_session, wait_idle):
    session = make_session()
    view = make_view(qtbot, session)
    session.open_dataset("demo:xor")
    wait_idle(session)
    assert view.mode == "scatter" and view.thumbnail_count() == 0
    assert view.point_count() == session.m == 300
    image = view.boundary_image()
    assert image.shape == (GRID, GRID)
    expected = predict(session.spec, params(session), view.grid_points())[0].reshape(GRID, GRID)
    np.testing.assert_array_equal(image, expected)
    np.testing.assert_array_equal(view.boundary.image, image)  # what is drawn is what the network says


def test_the_axes_show_the_data_as_it_is(qtbot, make_session, wait_idle):
    session = make_session()
    view = make_view(qtbot, session)
    session.open_dataset("demo:moons")  # x₂ within about −0.6…1.1
    wait_idle(session)
    qtbot.wait(50)
    item = view.scatter_plot.getPlotItem()
    item.getViewBox().setRange(xRange=(-0.7, 0.7), yRange=(-0.6, 0.6), padding=0)  # zoomed in on the moons
    qtbot.wait(20)
    low, high = item.getViewBox().viewRange()[1]
    assert -1 < low < high < 1
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        assert axis.autoSIPrefixScale == 1.0, side  # not ticks 500…1000 labelled "(x0.001)"
        assert "x0.0" not in axis.labelString() and "×" not in axis.labelString()
        strings = axis.tickStrings([low, high], axis.autoSIPrefixScale, (high - low) / 4)
        assert all(abs(float(t.replace("−", "-"))) < 1 for t in strings)


def test_the_boundary_follows_training(qtbot, make_session, wait_idle):
    session = make_session(dataset=load_demo("xor"))
    view = make_view(qtbot, session)
    qtbot.waitUntil(lambda: view.boundary_image() is not None)
    before, updates = view.boundary_image().copy(), view.boundary_updates
    for _ in range(5):
        session.run_iteration()
        wait_idle(session)
    qtbot.waitUntil(lambda: view.boundary_updates > updates, timeout=2000)
    qtbot.wait(150)  # a recomputation held back by the rate limit comes at most 0.1 s later
    assert not np.array_equal(view.boundary_image(), before)
    expected = predict(session.spec, params(session), view.grid_points())[0].reshape(GRID, GRID)
    np.testing.assert_array_equal(view.boundary_image(), expected)


def test_no_recomputation_while_the_parameters_stay_the_same(qtbot, make_session, wait_idle):
    session = make_session(dataset=load_demo("circles"))
    view = make_view(qtbot, session)
    qtbot.wait(150)
    updates = view.boundary_updates
    for _ in range(3):  # forward operations: W and b are the same arrays
        session.step()
        wait_idle(session)
    qtbot.wait(150)
    assert session.record.phase == "forward"
    assert view.boundary_updates == updates


def test_recomputation_is_rate_limited_while_running(qtbot, make_session, wait_idle):
    session = make_session(dataset=load_demo("moons"))
    view = make_view(qtbot, session)
    updates = view.boundary_updates
    session.run()
    qtbot.wait(400)
    session.pause()
    wait_idle(session)
    qtbot.wait(150)
    assert session.iteration > 20
    assert 1 <= view.boundary_updates - updates <= 7  # at most 10 per second, and the last state shown


def test_softmax_boundary_colours_the_winning_class(qtbot, make_session):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 60))
    classes = np.arange(60) % 3
    Y = np.eye(3)[classes].T
    session = make_session(dataset=Dataset(X=X, Y=Y, class_names=["a", "b", "c"], name="three"))
    view = make_view(qtbot, session)
    assert session.spec.output == "softmax" and view.mode == "scatter"
    qtbot.waitUntil(lambda: view.boundary_image() is not None)  # asked for once the view has settled
    image = view.boundary_image()
    assert image.shape == (GRID, GRID, 4) and image.dtype == np.uint8
    A = predict(session.spec, params(session), view.grid_points())
    winners = A.argmax(axis=0).reshape(GRID, GRID)
    assert len(view.points) == 3 and view.point_count() == 60
    for k in range(3):
        color = np.array(view.points[k].opts["brush"].color().getRgb()[:3])
        assert (image[winners == k][:, :3] == color).all()


@pytest.mark.parametrize("one_hot", [False, True])
def test_other_data_is_a_table(qtbot, make_session, one_hot):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 20))
    labels = (np.arange(20) % 2)
    Y = np.eye(2)[labels].T if one_hot else labels[None, :].astype(float)
    session = make_session(dataset=Dataset(X=X, Y=Y, class_names=["no", "yes"], name="table"))
    view = make_view(qtbot, session)
    assert view.mode == "table" and view.thumbnail_count() == 0 and view.boundary_image() is None
    table = view.table
    assert table.rowCount() == 5 + 1 and table.columnCount() == 8 + 1  # the last says "+12 more"
    assert table.horizontalHeaderItem(8).text() == "+12 more"
    assert table.item(2, 3).text() == f"{X[2, 3]:.4g}"
    assert table.item(2, 3).toolTip() == f"X[2, 3] = {float(X[2, 3])!r}"
    assert [table.item(5, j).text() for j in range(4)] == ["no", "yes", "no", "yes"]
    assert "X 5×20" in view.header.text()


def test_a_short_data_panel_draws_fewer_pictures_rather_than_pictures_under_their_badges(qtbot, make_session):
    """16 pictures in a 220 px panel would be 33 px each, hidden by their '✓ 0.50' badges: the
    panel draws the first ones that fit at LEAST_PICTURE or more, and a tall panel draws all 16."""
    from PySide6.QtGui import QImage

    from nnviz.views.preview import LEAST_PICTURE

    session = make_session()
    view = make_view(qtbot, session)
    mosaic = view.pictures
    mosaic.set_verdicts([(True, "0.50")] * THUMBNAILS)
    for height, expect_all in ((900, True), (180, False)):
        mosaic.setFixedSize(320, height)
        qtbot.wait(20)
        shown = mosaic.shown()
        assert (shown == THUMBNAILS) == expect_all, (height, shown)
        assert shown >= 1
        for i in range(shown):
            rect = mosaic.tile_rect(i)
            assert rect.height() >= LEAST_PICTURE and rect.bottom() <= height, (height, i, rect)
        image = QImage(mosaic.grab().toImage())
        assert not image.isNull()
        last = mosaic.tile_rect(shown - 1)  # the last picture drawn is a picture, not background
        colours = {image.pixel(int(last.center().x()) + dx, int(last.bottom()) - 4) for dx in range(-10, 10)}
        assert len(colours) > 1
        if not expect_all:  # where picture `shown` would go, a click picks nothing
            assert mosaic.picture_at(mosaic.tile_rect(shown).center()) is None


def test_new_two_dimensional_data_is_derived_after_the_view_settles(qtbot, make_session, wait_idle, monkeypatch):
    """Showing new data moves the scatter's view several times in one event; each move asked for the
    boundary (and with it every view's derived state, in place on a small network) at once: three
    times in the event that installed the data.  Now it is asked for once the view has settled."""
    session = make_session()
    view = make_view(qtbot, session)
    wait_idle(session)
    calls = []
    rederive = session.rederive
    monkeypatch.setattr(session, "rederive", lambda: (calls.append(1), rederive()))
    view._grid_moved.timeout.disconnect()
    view._grid_moved.timeout.connect(session.rederive)
    session.open_dataset("demo:xor")  # installed in place: the event a user's click would be
    assert calls == []
    wait_idle(session)
    qtbot.waitUntil(lambda: view.boundary_image() is not None and view.boundary_image().shape == (GRID, GRID))
    qtbot.wait(50)
    assert 1 <= len(calls) <= 2  # the first layout of the scatter may move the view once more
    expected = predict(session.spec, params(session), view.grid_points())[0].reshape(GRID, GRID)
    np.testing.assert_array_equal(view.boundary_image(), expected)
