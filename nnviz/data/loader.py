"""load_dataset: pick a loader by extension or content, add the test split, scale and check."""
from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import re
import zipfile
from pathlib import Path

import numpy as np

from nnviz.data.dataset import Dataset
from nnviz.data.demo import parse_demo
from nnviz.data.errors import DataError
from nnviz.data.labels import match_rows
from nnviz.data.options import LoadOptions
from nnviz.data.stats import row_blocks, row_mean_std

log = logging.getLogger(__name__)

FILE_FILTERS = ("All data files (*.csv *.tsv *.txt *.npz *.npy *.h5 *.hdf5 *.mat);;"
                "CSV / TSV (*.csv *.tsv *.txt);;NumPy (*.npz *.npy);;HDF5 (*.h5 *.hdf5);;"
                "MATLAB (*.mat);;All files (*)")
FORMATS = {".csv": "table", ".tsv": "table", ".txt": "table", ".npz": "npz", ".npy": "npy",
           ".h5": "hdf5", ".hdf5": "hdf5", ".he5": "hdf5", ".mat": "mat"}
SUPPORTED = ("CSV/TSV (.csv .tsv .txt), NumPy (.npz .npy), HDF5 (.h5 .hdf5), MATLAB (.mat) "
             "and image folders (one subfolder per class)")
SIGNATURES = ((b"\x89HDF\r\n\x1a\n", "hdf5"), (b"PK\x03\x04", "npz"), (b"PK\x05\x06", "npz"),
              (b"\x93NUMPY", "npy"), (b"MATLAB ", "mat"))
# each format's reader, imported when a file of that format is opened (not at start)
READERS = {"table": ("nnviz.data.tabular", "load_table"), "npz": ("nnviz.data.npy", "load_npz"),
           "npy": ("nnviz.data.npy", "load_npy"), "hdf5": ("nnviz.data.hdf5", "load_hdf5"),
           "mat": ("nnviz.data.matlab", "load_mat")}
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".ods", ".numbers")


def _holds_npy(path: Path) -> bool:
    """True for a zip archive with .npy members (an .npz under another name)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.endswith(".npy") for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _sniff(path: Path, where: str) -> str:
    """The format of a file whose extension says nothing, from its first bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as err:
        raise DataError(f"{where}: cannot be read ({err.strerror or err})") from err
    for signature, kind in SIGNATURES:
        if head.startswith(signature) and (kind != "npz" or _holds_npy(path)):
            return kind
    if path.suffix == "" and b"\0" not in head:
        return "table"
    what = f"file type '{path.suffix}'" if path.suffix else "file type (no extension)"
    hint = "; save the sheet as CSV" if path.suffix.lower() in SPREADSHEET_SUFFIXES else ""
    raise DataError(f"{where}: unsupported {what}; nnviz reads {SUPPORTED}{hint}")


def _kind(path: Path, where: str) -> str:
    suffix = path.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if suffix in PICTURE_SUFFIXES:
        raise DataError(f"{where}: is a single picture; nnviz reads image folders: choose the "
                        "folder that holds one subfolder per class")
    return _sniff(path, where)


def _read_file(path: Path, where: str, opts: LoadOptions) -> Dataset:
    """One data file -> raw Dataset (X may still be uint8)."""
    module, name = READERS[_kind(path, where)]
    return getattr(importlib.import_module(module), name)(path, where, opts)


def read_source(source: str | os.PathLike, opts: LoadOptions) -> Dataset:
    """A path, folder or 'demo:NAME' -> raw Dataset, before scaling and checks."""
    if isinstance(source, str) and source.startswith("demo:"):
        return parse_demo(source)
    where = os.fspath(source)
    if isinstance(where, bytes) or not where.strip():
        # Path("") is the current folder: never load whatever happens to be there
        raise DataError(f"no data file given ({where!r}); choose a data file, an image folder "
                        "or a demo:NAME set")
    path = Path(source)
    try:
        if not path.exists():
            raise DataError(f"{where}: no such file or folder")
        if path.is_dir():
            from nnviz.data.images import load_images

            return load_images(path, where, opts)
        if not path.is_file():
            raise DataError(f"{where}: is not a regular file")
        if path.stat().st_size == 0:
            raise DataError(f"{where}: is empty (0 bytes)")
    except OSError as err:
        raise DataError(f"{where}: cannot be read ({err.strerror or err})") from err
    return _read_file(path, where, opts)


def _test_split(test: str | os.PathLike, train: Dataset, opts: LoadOptions) -> tuple:
    """Load `test` with the training classes -> (X_test (n_x, m_test), Y_test (n_y, m_test))."""
    where = os.fspath(test)
    split = read_source(test, dataclasses.replace(opts, classes=list(train.class_names)))
    if split.n_x != train.n_x:
        shapes = ""
        if split.example_shape != train.example_shape:
            shapes = f" ({split.example_shape} vs {train.example_shape})"
        raise DataError(f"{where}: the test data has {split.n_x} features per example but the "
                        f"training data has {train.n_x}{shapes}")
    if train.X_test is not None:
        log.info("%s replaces the test split stored with the training data", where)
    return split.X, match_rows(split.Y, train.n_y, where)


def _as_float(X: np.ndarray, divide: bool, where: str) -> np.ndarray:
    """Any numeric X -> float64 C-contiguous, divided by 255 when asked."""
    try:
        X = np.asarray(X, dtype=np.float64, order="C")
    except MemoryError as err:
        raise DataError(f"{where}: not enough memory for X as float64") from err
    if divide:
        X /= 255.0
    return X


def _standardize(X: np.ndarray, X_test: np.ndarray | None) -> None:
    """(X - mean) / std per feature row with the training statistics, in place; std 0 -> 1."""
    mean, std = row_mean_std(X)  # in blocks: no temporary the size of X
    std[std == 0] = 1.0
    for A in (X, X_test):
        if A is not None:
            A -= mean
            A /= std


def _check(ds: Dataset, where: str) -> None:
    """The promises every returned Dataset keeps (the loaders have already said what is wrong)."""
    if ds.X.ndim != 2 or ds.n_x < 1 or ds.m < 1:
        raise DataError(f"{where}: X has shape {ds.X.shape}; expected at least one feature and "
                        "one example")
    if ds.Y.ndim != 2 or ds.Y.shape[1] != ds.m:
        raise DataError(f"{where}: Y has shape {ds.Y.shape}; expected (n_y, {ds.m})")
    for name, A in (("X", ds.X), ("Y", ds.Y), ("X_test", ds.X_test), ("Y_test", ds.Y_test)):
        if A is not None and not all(np.isfinite(A[rows]).all() for rows in row_blocks(A)):
            raise DataError(f"{where}: {name} contains NaN or infinite values")


def finish(ds: Dataset, *, scale: bool | None, standardize: bool, where: str) -> Dataset:
    """Raw Dataset -> float64 C-contiguous arrays, scaled and standardised as asked, checked."""
    divide = ds.X.dtype == np.uint8 if scale is None else bool(scale)
    ds.X = _as_float(ds.X, divide, where)
    ds.Y = np.array(ds.Y, dtype=np.float64, order="C")
    if ds.X_test is not None and ds.Y_test is not None:
        ds.X_test = _as_float(ds.X_test, divide, where)
        ds.Y_test = np.array(ds.Y_test, dtype=np.float64, order="C")
    if standardize:
        _standardize(ds.X, ds.X_test)
    _check(ds, where)
    return ds


def load_dataset(
    source: str | os.PathLike,
    *,
    test: str | os.PathLike | None = None,
    label_column: str | int | None = None,
    image_size: int = 64,
    scale: bool | None = None,
    standardize: bool = False,
    memory_limit: int | None = None,
) -> Dataset:
    """Load a data file, an image folder or a built-in 'demo:NAME' set.

    Returns X (n_x, m) and Y (n_y, m) float64, one example per column, plus
    X_test (n_x, m_test) / Y_test (n_y, m_test) from `test` or from the file itself.
    scale=None divides uint8 (image) data by 255, True always divides, False never.
    standardize=True makes every feature row mean 0, std 1 with the training statistics.
    Raises DataError (one line naming the file and what was expected) for bad input.
    """
    opts = LoadOptions(label_column=label_column, image_size=image_size, memory_limit=memory_limit)
    ds = read_source(source, opts)
    if test is not None:
        ds.X_test, ds.Y_test = _test_split(test, ds, opts)
    ds = finish(ds, scale=scale, standardize=standardize, where=os.fspath(source))
    if not ds.source.startswith("demo:"):
        ds.name = Path(ds.source).name or ds.source
    return ds


def _same_case(word: str, new: str) -> str:
    if word.isupper():
        return new.upper()
    return new.capitalize() if word[0].isupper() else new


def companion_test_file(path: str | os.PathLike) -> Path | None:
    """The test file beside a training file: train_X.h5 -> test_X.h5, a_train.csv -> a_test.csv,
    X.npy -> X_test.npy, a train/ folder -> test/; None when there is none."""
    if isinstance(path, str) and path.startswith("demo:"):
        return None
    path = Path(path)
    name = path.name
    candidates = [re.sub(r"(?i)(?<![a-z])train(?![a-z])", lambda m: _same_case(m.group(), "test"),
                         name)]
    if path.suffix.lower() == ".npy" and path.stem in ("X", "x"):
        candidates.append(f"{path.stem}_test.npy")
    for candidate in candidates:
        other = path.with_name(candidate)
        if candidate != name and other.exists():
            return other
    return None
