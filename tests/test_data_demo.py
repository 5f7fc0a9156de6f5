"""Built-in demo sets: the notes' shapes, determinism, speed, parameters and what the pictures show."""
from __future__ import annotations

import time

import numpy as np
import pytest

from nnviz.data import DEMO_NAMES, DataError, load_dataset, load_demo
from nnviz.data.scenes import SIZE


def test_names_start_with_images():
    assert DEMO_NAMES[0] == "images"
    assert set(DEMO_NAMES) == {"images", "xor", "circles", "moons", "spiral", "gaussians"}


def test_image_demo_has_the_notes_shapes():
    ds = load_demo("images")
    assert ds.X.shape == (12288, 209) and ds.Y.shape == (1, 209)
    assert ds.X_test.shape == (12288, 50) and ds.Y_test.shape == (1, 50)
    assert ds.example_shape == (64, 64, 3) and ds.is_image
    assert ds.class_names == ["no sun", "sun"] and ds.default_output() == "sigmoid"
    for A in (ds.X, ds.X_test):
        assert A.dtype == np.float64 and A.flags["C_CONTIGUOUS"]
        assert A.min() >= 0 and A.max() <= 1
        np.testing.assert_array_equal(np.round(A * 255), A * 255)  # 8-bit levels, like /255 data
    assert set(np.unique(ds.Y)) == {0.0, 1.0}
    assert 80 <= ds.Y.sum() <= 130 and 15 <= ds.Y_test.sum() <= 35
    assert ds.source == ds.name == "demo:images"


def test_image_demo_is_deterministic_by_seed():
    a, b, c = load_demo("images"), load_demo("images"), load_demo("images", seed=1)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.Y_test, b.Y_test)
    assert not np.array_equal(a.X, c.X)


def test_image_demo_is_fast():
    load_demo("images")
    best = min(_timed(lambda: load_demo("images")) for _ in range(3))
    assert best < 0.5


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _yellowness(ds) -> np.ndarray:
    """How much of each picture is bright and yellow (red and green high, blue low)."""
    pics = ds.X.T.reshape(ds.m, SIZE, SIZE, 3)
    r, g, b = pics[..., 0], pics[..., 1], pics[..., 2]
    return ((r > 0.85) & (g > 0.6) & (b < 0.75) & (r - b > 0.3)).sum(axis=(1, 2))


def test_sun_pictures_have_a_sun_and_the_others_do_not():
    ds = load_demo("images")
    sunny = _yellowness(ds)
    y = ds.Y[0] == 1
    assert np.median(sunny[y]) > 30  # a disc of several dozen pixels
    assert np.median(sunny[~y]) < 3
    assert (sunny[y] > 5).mean() > 0.9


def test_pictures_vary():
    ds = load_demo("images")
    pics = ds.X.T.reshape(ds.m, -1)
    assert np.std(pics.mean(axis=1)) > 0.02  # brightness differs from picture to picture
    assert len({tuple(np.round(p[:30], 2)) for p in pics}) == ds.m


@pytest.mark.parametrize("name", DEMO_NAMES[1:])
def test_2d_demos(name):
    ds = load_demo(name)
    assert ds.X.shape == (2, 300) and ds.Y.shape == (1, 300)
    assert ds.X_test.shape == (2, 100) and ds.Y_test.shape == (1, 100)
    assert ds.example_shape == (2,) and len(ds.class_names) == 2
    assert set(np.unique(ds.Y)) == {0.0, 1.0} and 100 < ds.Y.sum() < 200
    assert np.abs(ds.X).max() < 3
    np.testing.assert_array_equal(ds.X, load_demo(name).X)
    assert not np.array_equal(ds.X, load_demo(name, seed=5).X)


def test_2d_labels_follow_the_shapes_without_noise():
    xor = load_demo("xor", noise=0.0)
    np.testing.assert_array_equal(xor.Y[0], xor.X[0] * xor.X[1] > 0)
    circles = load_demo("circles", noise=0.0)
    radius = np.hypot(*circles.X)
    np.testing.assert_array_equal(circles.Y[0], radius < 0.6)
    gaussians = load_demo("gaussians", noise=0.0)
    np.testing.assert_array_equal(gaussians.X[0], np.where(gaussians.Y[0] == 1, 0.5, -0.5))


def test_parameters_through_load_dataset():
    ds = load_dataset("demo:spiral?m=400&noise=0.2&seed=3")
    assert ds.m == 400 and ds.m_test == 133
    assert ds.source == "demo:spiral?m=400&noise=0.2&seed=3" and ds.name == "demo:spiral"
    np.testing.assert_array_equal(ds.X, load_demo("spiral", m=400, noise=0.2, seed=3).X)
    small = load_dataset("demo:images?m=20")
    assert small.X.shape == (12288, 20) and small.m_test == 50


def test_standardize_applies_to_demos():
    ds = load_dataset("demo:moons", standardize=True)
    np.testing.assert_allclose(ds.X.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(ds.X.std(axis=1), 1)


@pytest.mark.parametrize("source,expected", [
    ("demo:nothing", "no such demo set; expected one of images, xor"),
    ("demo:xor?m=0", "m=0 is out of range"),
    ("demo:xor?m=ten", "m='ten' is not a number"),
    ("demo:xor?noise=-1", "noise=-1.0 is out of range"),
    ("demo:xor?noise=nan", "noise=nan is out of range"),
    ("demo:xor?seed=-2", "seed=-2"),
    ("demo:xor?colour=red", "unknown parameter 'colour'"),
    ("demo:images?m=100000", "m=100000 is out of range"),
])
def test_bad_demo_requests(source, expected):
    with pytest.raises(DataError, match=expected.replace("?", r"\?").replace("(", r"\(")):
        load_dataset(source)
