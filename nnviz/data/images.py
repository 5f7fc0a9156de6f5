"""Image folders: one subfolder per class, pictures read with Qt's QImage and flattened like the notes."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from nnviz.data.dataset import Dataset
from nnviz.data.errors import DataError
from nnviz.data.labels import labels_to_Y
from nnviz.data.memory import FLOAT64, check_fits
from nnviz.data.options import LoadOptions

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
MAX_IMAGE_SIZE = 1024


def _images_in(folder: Path) -> list[Path]:
    """The picture files directly inside `folder`, sorted by name."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file())


def scan(folder: Path, where: str) -> list[tuple[str, list[Path]]]:
    """(class name, its image files) for every subfolder that holds images, sorted by name."""
    try:
        subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        groups = [(sub.name, _images_in(sub)) for sub in subfolders]
        loose = _images_in(folder)
    except OSError as err:
        raise DataError(f"{where}: cannot be read ({err.strerror or err})") from err
    for name, files in groups:
        if not files:
            log.warning("%s: class folder '%s' holds no images; skipping it", where, name)
    groups = [(name, files) for name, files in groups if files]
    if not groups and loose:
        raise DataError(f"{where}: holds images but no class subfolders; put each class's images "
                        "in a subfolder of its own (e.g. cats/, dogs/)")
    if not groups:
        raise DataError(f"{where}: holds no images; expected one subfolder per class with PNG, "
                        "JPEG or BMP files in it")
    return groups


def check_size(image_size: Any, where: str) -> int:
    """The requested side length as an int in 1..MAX_IMAGE_SIZE, or DataError."""
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)):
        raise DataError(f"{where}: image size {image_size!r} must be a whole number of pixels")
    if not 1 <= int(image_size) <= MAX_IMAGE_SIZE:
        raise DataError(f"{where}: image size {image_size} is out of range; expected 1 to "
                        f"{MAX_IMAGE_SIZE} pixels")
    return int(image_size)


def _qt() -> Any:
    """PySide6.QtGui and QtCore, imported only when an image folder is loaded."""
    try:
        from PySide6 import QtCore, QtGui
    except ImportError as err:
        raise DataError(f"reading image folders needs PySide6 ({err})") from err
    return QtGui, QtCore


def _unreadable(path: Path, QtGui: Any) -> DataError:
    """Why Qt could not decode a picture: too large for its allocation limit, damaged, or no
    picture at all (the header says which)."""
    reader = QtGui.QImageReader(str(path))
    size = reader.size()
    if reader.canRead() and size.isValid():
        width, height = size.width(), size.height()
        limit = QtGui.QImageReader.allocationLimit()  # megabytes; 0 means none
        if limit and width * height * 4 > limit * 2**20:
            return DataError(f"{path}: is {width}×{height} pixels, too large to read (over "
                             f"{limit} MB once decoded); scale it down, e.g. to "
                             f"{MAX_IMAGE_SIZE}×{MAX_IMAGE_SIZE} or less")
        return DataError(f"{path}: is a damaged picture ({width}×{height} pixels, but its data "
                         "cannot be decoded); save it again")
    return DataError(f"{path}: is not a readable image; expected a PNG, JPEG or BMP picture")


def read_image(path: Path, size: int, qt: Any) -> np.ndarray:
    """One picture file -> (size, size, 3) uint8 RGB, scaled smoothly (aspect not kept)."""
    QtGui, QtCore = qt
    image = QtGui.QImage(str(path))
    if image.isNull():
        raise _unreadable(path, QtGui)
    if image.width() != size or image.height() != size:
        image = image.scaled(size, size, QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
                             QtCore.Qt.TransformationMode.SmoothTransformation)
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    stride = image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * size)
    return raw.reshape(size, stride)[:, : size * 3].reshape(size, size, 3).copy()


def load_images(folder: Path, where: str, opts: LoadOptions) -> Dataset:
    """An image folder -> Dataset: X (size·size·3, m) uint8 (scaled later), Y from the folder names.

    Columns are flattened in C order of (height, width, 3), the same as the course's
    train_set_x.reshape(m, -1).T; two classes give one 0/1 row, more give one-hot rows.
    """
    size = check_size(opts.image_size, where)
    groups = scan(folder, where)
    if opts.classes is None and len(groups) < 2:
        raise DataError(f"{where}: only one class folder with images ('{groups[0][0]}'); expected "
                        "one subfolder per class, at least two")
    if opts.classes:
        for name, _ in groups:
            if name not in opts.classes:
                raise DataError(f"{where}: class folder '{name}' is not one of the training "
                                f"classes ({', '.join(opts.classes)})")
    files = [(name, path) for name, paths in groups for path in paths]
    m = len(files)
    check_fits(where, m * size * size * 3 * (1 + FLOAT64), limit=opts.memory_limit,
               what=f"X ({m} images of {size}×{size}×3)")
    qt = _qt()
    try:
        pixels = np.empty((m, size, size, 3), dtype=np.uint8)
    except MemoryError as err:
        raise DataError(f"{where}: not enough memory for {m} images") from err
    for i, (_, path) in enumerate(files):
        pixels[i] = read_image(path, size, qt)
    labels = np.array([name for name, _ in files], dtype=str)
    Y, class_names = labels_to_Y(labels, where, classes=opts.classes,
                                 locate=lambda i: f"({files[i][1].name})")
    log.info("%s: %d images in %d classes, %d×%d×3", where, m, len(groups), size, size)
    return Dataset(X=pixels.reshape(m, -1).T, Y=Y, class_names=class_names,
                   example_shape=(size, size, 3), source=str(folder))
