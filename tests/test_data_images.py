"""Image folders: real PNG/JPEG/BMP files read with QImage, flattened like the course, and bad folders."""
from __future__ import annotations

import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

from nnviz.data import load_dataset  # noqa: E402

from data_helpers import error_of  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def save_solid(path, rgb, size=(12, 8)):
    path.parent.mkdir(parents=True, exist_ok=True)
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    image.fill(QColor(*rgb))
    assert image.save(str(path))


def save_pixels(path, pixels: np.ndarray):
    """Save an (h, w, 3) uint8 array losslessly as PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    h, w, _ = pixels.shape
    data = np.ascontiguousarray(pixels)
    image = QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    assert image.save(str(path))


def test_two_classes_from_png_jpeg_bmp(tmp_path):
    for i, ext in enumerate(("png", "jpg", "bmp")):
        save_solid(tmp_path / "cats" / f"c{i}.{ext}", (200, 30, 40))
        save_solid(tmp_path / "dogs" / f"d{i}.{ext.upper()}", (10, 200, 40))
    ds = load_dataset(tmp_path, image_size=8)
    assert ds.X.shape == (8 * 8 * 3, 6) and ds.example_shape == (8, 8, 3) and ds.is_image
    assert ds.class_names == ["cats", "dogs"]
    np.testing.assert_array_equal(ds.Y, [[0, 0, 0, 1, 1, 1]])
    red = ds.X[:, :3].reshape(8, 8, 3, 3)
    np.testing.assert_allclose(red[:, :, 0, :].mean(axis=(0, 1)), [200 / 255] * 3, atol=3 / 255)
    assert 0 <= ds.X.min() and ds.X.max() <= 1 and ds.X.flags["C_CONTIGUOUS"]


def test_pixels_flatten_like_the_course_reshape(tmp_path):
    rng = np.random.default_rng(0)
    pictures = rng.integers(0, 256, (4, 6, 6, 3), dtype=np.uint8)
    for i, pixels in enumerate(pictures):
        save_pixels(tmp_path / ("a" if i < 2 else "b") / f"{i}.png", pixels)
    ds = load_dataset(tmp_path, image_size=6)
    np.testing.assert_array_equal(ds.X, pictures.reshape(4, -1).T / 255)
    unscaled = load_dataset(tmp_path, image_size=6, scale=False)
    np.testing.assert_array_equal(unscaled.X, pictures.reshape(4, -1).T)


def test_odd_widths_respect_bytes_per_line(tmp_path):
    pixels = np.random.default_rng(1).integers(0, 256, (5, 5, 3), dtype=np.uint8)
    save_pixels(tmp_path / "a" / "x.png", pixels)
    save_pixels(tmp_path / "b" / "y.png", pixels[::-1])
    ds = load_dataset(tmp_path, image_size=5)  # 15 bytes a row, padded to 16 by Qt
    np.testing.assert_array_equal(ds.X[:, 0], pixels.reshape(-1) / 255)


def test_three_classes_are_one_hot(tmp_path):
    for name in ("ant", "bee", "cow"):
        save_solid(tmp_path / name / "1.png", (1, 2, 3))
    ds = load_dataset(tmp_path, image_size=4)
    assert ds.Y.shape == (3, 3) and ds.class_names == ["ant", "bee", "cow"]


def test_test_folder_with_fewer_classes(tmp_path):
    for name in ("ant", "bee", "cow"):
        save_solid(tmp_path / "train" / name / "1.png", (1, 2, 3))
    save_solid(tmp_path / "test" / "cow" / "1.png", (1, 2, 3))
    ds = load_dataset(tmp_path / "train", test=tmp_path / "test", image_size=4)
    np.testing.assert_array_equal(ds.Y_test, [[0], [0], [1]])
    save_solid(tmp_path / "test" / "dog" / "1.png", (1, 2, 3))
    assert "class folder 'dog' is not one of the training classes" in error_of(
        tmp_path / "train", test=tmp_path / "test", image_size=4)


def test_unreadable_image_is_named(tmp_path):
    save_solid(tmp_path / "a" / "fine.png", (1, 2, 3))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "broken.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(100))
    message = error_of(tmp_path)
    assert "broken.jpg: is not a readable image" in message


@pytest.mark.parametrize("layout,expected", [
    ({}, "holds no images"),
    ({"a/notes.txt": b"hi"}, "holds no images"),
    ({"loose.png": None}, "holds images but no class subfolders"),
    ({"only/1.png": None}, "only one class folder"),
])
def test_folders_without_usable_images(tmp_path, layout, expected):
    for name, content in layout.items():
        path = tmp_path / name
        if content is None:
            save_solid(path, (1, 2, 3))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    assert expected in error_of(tmp_path)


@pytest.mark.parametrize("size", [0, -3, 5000, 2.5, "64"])
def test_bad_image_size(tmp_path, size):
    save_solid(tmp_path / "a" / "1.png", (1, 2, 3))
    save_solid(tmp_path / "b" / "1.png", (1, 2, 3))
    assert "image size" in error_of(tmp_path, image_size=size)


def test_memory_estimate_counts_images(tmp_path):
    save_solid(tmp_path / "a" / "1.png", (1, 2, 3))
    save_solid(tmp_path / "b" / "1.png", (1, 2, 3))
    message = error_of(tmp_path, image_size=1000, memory_limit=10**6)
    assert "X (2 images of 1000×1000×3) would need 54.0 MB" in message


def test_single_picture_file_points_to_folders(tmp_path):
    save_solid(tmp_path / "cat.png", (1, 2, 3))
    assert "is a single picture" in error_of(tmp_path / "cat.png")


def test_images_load_without_a_qapplication_and_without_display(tmp_path):
    for name in ("a", "b"):
        save_solid(tmp_path / name / "1.jpg", (50, 100, 150))
    code = ("import sys; from nnviz.data import load_dataset; "
            f"d = load_dataset({str(tmp_path)!r}, image_size=4); "
            "from PySide6.QtCore import QCoreApplication; "
            "assert QCoreApplication.instance() is None; print(d.X.shape)")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(48, 2)"
