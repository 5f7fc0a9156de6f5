"""Keyed array files (.npz, .npy pairs, HDF5) -> Dataset: key lookup, orientation, labels."""
from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from nnviz.data.dataset import Dataset
from nnviz.data.errors import DataError
from nnviz.data.labels import is_one_hot, labels_to_Y, match_rows, matrix_to_Y
from nnviz.data.memory import FLOAT64, check_fits, shape_text
from nnviz.data.options import LoadOptions

log = logging.getLogger(__name__)

X_KEYS = ("X", "x", "features", "train_set_x", "X_train", "x_train", "train_x", "data")
Y_KEYS = ("Y", "y", "labels", "train_set_y", "Y_train", "y_train", "train_y", "targets", "target")
X_TEST_KEYS = ("X_test", "x_test", "test_set_x", "test_x", "Xval", "X_val", "xval", "x_val")
Y_TEST_KEYS = ("Y_test", "y_test", "test_set_y", "test_y", "yval", "Yval", "y_val", "Y_val")
NAME_KEYS = ("list_classes", "class_names", "classes")

_KIND_WORDS = {"U": "text", "S": "text", "O": "text or Python objects", "c": "complex numbers",
               "V": "records", "M": "dates", "m": "time spans"}


class ArrayFile(Protocol):
    """A file of named arrays whose shapes can be read before their data."""

    where: str

    def keys(self) -> list[str]: ...

    def name(self, key: str) -> str: ...

    def shape(self, key: str) -> tuple[int, ...]: ...

    def dtype(self, key: str) -> np.dtype: ...

    def read(self, key: str) -> np.ndarray: ...


def _first(keys: Sequence[str], wanted: Sequence[str]) -> str | None:
    return next((k for k in wanted if k in keys), None)


def _expected(wanted: Sequence[str]) -> str:
    return ", ".join(wanted[:3]) + " or " + wanted[3]


def _found(keys: Sequence[str]) -> str:
    return ", ".join(keys) if keys else "no arrays"


def pick_keys(where: str, keys: list[str]) -> tuple[str, str, str | None, str | None]:
    """Choose (X key, Y key, X_test key or None, Y_test key or None) among `keys`."""
    x_key, y_key = _first(keys, X_KEYS), _first(keys, Y_KEYS)
    xt_key, yt_key = _first(keys, X_TEST_KEYS), _first(keys, Y_TEST_KEYS)
    if x_key is None and xt_key is not None:
        log.info("%s: only a test split (%s); loading it as the data", where, xt_key)
        x_key, y_key, xt_key, yt_key = xt_key, yt_key, None, None
    if x_key is None:
        raise DataError(f"{where}: no features array; expected a key named "
                        f"{_expected(X_KEYS)} (found: {_found(keys)})")
    if y_key is None:
        raise DataError(f"{where}: no labels array for '{x_key}'; expected a key named "
                        f"{_expected(Y_KEYS)} (found: {_found(keys)})")
    if (xt_key is None) != (yt_key is None):
        log.warning("%s: test split incomplete (%s / %s); ignoring it", where, xt_key, yt_key)
        xt_key = yt_key = None
    return x_key, y_key, xt_key, yt_key


def check_numeric(name: str, dtype: np.dtype, *, text_ok: bool = False) -> None:
    """Refuse arrays that are not plain numbers (text allowed for labels)."""
    if dtype.kind in "biuf" or (text_ok and dtype.kind in "USO"):
        return
    what = _KIND_WORDS.get(dtype.kind, str(dtype))
    raise DataError(f"{name}: holds {what} ({dtype}); expected numbers")


def check_memory(file: ArrayFile, keys: Sequence[str], limit: int | None) -> None:
    """Refuse before reading when the arrays and their float64 copies would not fit."""
    need = 0
    for key in keys:
        size = math.prod(int(n) for n in file.shape(key))
        need += size * (file.dtype(key).itemsize + FLOAT64)
    x_key = keys[0]
    check_fits(file.where, need, limit=limit, what=f"X ({shape_text(file.shape(x_key))})")


def _example_counts(y_name: str, Y: np.ndarray) -> list[int]:
    """The possible example counts m of a labels array, preferred first."""
    if Y.ndim == 1:
        return [Y.shape[0]]
    if Y.ndim == 2:
        a, b = Y.shape
        return [b] if a == 1 else [a] if b == 1 else [b, a]
    raise DataError(f"{y_name}: labels have shape {Y.shape}; "
                    "expected (m,), (1, m), (n_y, m) or (m, n_y)")


def _one_hot_count(Y: np.ndarray) -> int | None:
    """The example count that one-hot labels (n_y, m) or (m, n_y) prove, or None.

    Columns that each hold a single 1 make Y (n_y, m); rows that do make it (m, n_y).
    Only one of the two being true is evidence; square or ambiguous labels are not."""
    if Y.ndim != 2 or min(Y.shape) < 2 or Y.dtype.kind not in "biuf":
        return None
    columns, rows = is_one_hot(Y), is_one_hot(Y.T)
    if columns != rows:
        return Y.shape[1] if columns else Y.shape[0]
    return None


def _example_axis(X: np.ndarray, counts: list[int]) -> tuple[int, np.ndarray, tuple[int, ...]] | None:
    """(m, X (n_x, m), example shape) for the first way X fits one of `counts`, or None."""
    if X.ndim == 1 and X.shape[0] in counts:
        return X.shape[0], X.reshape(1, -1), (1,)
    if X.ndim == 2 and X.shape[1] in counts:
        return X.shape[1], X, (X.shape[0],)
    if X.ndim == 2 and X.shape[0] in counts:
        return X.shape[0], X.T, (X.shape[1],)
    if X.ndim >= 3 and X.shape[0] in counts:
        m = X.shape[0]
        shape = tuple(X.shape[1:]) + ((1,) if X.ndim == 3 else ())
        return m, X.reshape(m, math.prod(X.shape[1:])).T, shape
    return None


def orient(
    file: ArrayFile, X: np.ndarray, Y: np.ndarray, x_key: str, y_key: str
) -> tuple[np.ndarray, tuple[int, ...], np.ndarray]:
    """Raw X and Y -> (X (n_x, m), example shape, Y (n_y, m)), X still in its dtype.

    The axis of X whose length is Y's example count is the example axis.  One-hot labels
    say which of their axes counts examples; otherwise, when both axes of a 2-D X match,
    the notes' (n_x, m) wins.  Arrays with 3 or more axes are images (m, h, w[, c]) and
    are flattened as X = arr.reshape(m, -1).T.
    """
    counts = _example_counts(file.name(y_key), Y)
    if X.ndim == 0:
        raise DataError(f"{file.name(x_key)}: is a single number; expected an array (n_x, m)")
    proved = _one_hot_count(Y)
    found = _example_axis(X, [proved]) if proved is not None else None
    found = found or _example_axis(X, counts)
    if found is None:
        hint = ("; put the examples on the first axis (m, height, width, channels)"
                if X.ndim >= 3 and X.shape[-1] in counts else "")
        raise DataError(f"{file.where}: X ('{x_key}') has shape {X.shape} but Y ('{y_key}') has "
                        f"{counts[0]} examples; one axis of X must have Y's example count{hint}")
    m, Xc, shape = found
    if Y.ndim == 1:
        Yc = Y.reshape(1, -1)
    else:
        Yc = Y if Y.shape[1] == m else Y.T
    return Xc, shape, Yc


def check_finite(name: str, X: np.ndarray) -> None:
    """Raise DataError naming the first NaN/Inf in X (n_x, m)."""
    if X.dtype.kind != "f":
        return
    finite = np.isfinite(X)
    if finite.all():
        return
    feature, example = (int(v) for v in np.argwhere(~finite)[0])
    raise DataError(f"{name}: {X[feature, example]} at example {example + 1}, "
                    f"feature {feature + 1}; expected finite numbers")


def build_split(
    file: ArrayFile, keys: tuple[str, str], names: list[str] | None, classes: list[str] | None,
) -> tuple[np.ndarray, tuple[int, ...], np.ndarray, list[str]]:
    """Read X and Y -> (X (n_x, m) raw dtype, example shape, Y (n_y, m) float64, class names)."""
    x_key, y_key = keys
    X, Y = file.read(x_key), file.read(y_key)
    Xc, shape, Yc = orient(file, X, Y, x_key, y_key)
    if Xc.shape[1] == 0:
        raise DataError(f"{file.name(x_key)}: zero examples (shape {X.shape}); "
                        "expected at least one")
    if Xc.shape[0] == 0:
        raise DataError(f"{file.name(x_key)}: no features (shape {X.shape}); "
                        "expected at least one per example")
    check_finite(file.name(x_key), Xc)
    label_where = file.name(y_key)
    if Yc.shape[0] == 1:
        Yf, class_names = labels_to_Y(Yc[0], label_where, names=names, classes=classes)
    else:
        Yf, class_names = matrix_to_Y(Yc, label_where, names=names, classes=classes)
    return Xc, shape, Yf, class_names


def _class_names(file: ArrayFile, keys: list[str]) -> list[str] | None:
    """Class names stored beside the arrays (the course's list_classes), if any."""
    key = _first(keys, NAME_KEYS)
    if key is None:
        return None
    try:
        kind = file.dtype(key).kind
    except DataError as err:  # e.g. names kept in a MATLAB cell array
        log.warning("%s; ignoring the class names", err)
        return None
    if kind not in "USO" or len(file.shape(key)) != 1:
        log.warning("%s: '%s' is not a list of names; ignoring it", file.where, key)
        return None
    raw = file.read(key)
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in raw.tolist()]


def load_arrays(file: ArrayFile, source: str, opts: LoadOptions) -> Dataset:
    """Read the training (and test) arrays of a keyed file into a Dataset (raw X dtype)."""
    keys = file.keys()
    x_key, y_key, xt_key, yt_key = pick_keys(file.where, keys)
    if opts.classes is not None:  # this file is itself a test split: its main arrays are wanted
        xt_key = yt_key = None
    wanted = [k for k in (x_key, y_key, xt_key, yt_key) if k is not None]
    for key in wanted:
        check_numeric(file.name(key), file.dtype(key), text_ok=key in (y_key, yt_key))
    check_memory(file, wanted, opts.memory_limit)
    names = _class_names(file, keys)
    X, shape, Y, class_names = build_split(file, (x_key, y_key), names, opts.classes)
    dataset = Dataset(X=X, Y=Y, class_names=class_names, example_shape=shape, source=source)
    if xt_key and yt_key:
        Xt, _, Yt, _ = build_split(file, (xt_key, yt_key), names, class_names)
        if Xt.shape[0] != X.shape[0]:
            raise DataError(f"{file.where}: '{xt_key}' has {Xt.shape[0]} features per example "
                            f"but '{x_key}' has {X.shape[0]}")
        dataset.X_test, dataset.Y_test = Xt, match_rows(Yt, Y.shape[0], file.where)
    return dataset
