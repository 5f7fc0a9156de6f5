"""Turn raw labels into Y (n_y, m), and check that Y fits the network's output layer."""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np

from nnviz.data.dataset import Dataset
from nnviz.data.errors import DataError, Fix

log = logging.getLogger(__name__)

#: integer labels with more distinct values than this are real-valued targets
MAX_INT_CLASSES = 100
#: more distinct class names than this is almost surely the wrong column
MAX_NAMED_CLASSES = 1000

OUTPUTS = ("sigmoid", "softmax", "linear")

Locate = Callable[[int], str]


def example_locator(i: int) -> str:
    """The default way to point at example i (0-based) in a message."""
    return f"example {i + 1}"


def encode(index: np.ndarray, n_classes: int) -> np.ndarray:
    """Class indices (m,) -> Y: one 0/1 row (1, m) for ≤ 2 classes, else one-hot (k, m)."""
    m = index.shape[0]
    if n_classes <= 2:
        return index.astype(np.float64).reshape(1, m)
    Y = np.zeros((n_classes, m), dtype=np.float64)
    Y[index, np.arange(m)] = 1.0
    return Y


def _strings(labels: np.ndarray) -> np.ndarray:
    """Bytes or str labels (m,) -> stripped str array (m,)."""
    if labels.dtype.kind == "S":
        labels = np.char.decode(labels, "utf-8", errors="replace")
    elif labels.dtype.kind == "O":
        labels = np.array(
            [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in labels],
            dtype=str,
        )
    return np.char.strip(labels.astype(str))


def _check_finite(values: np.ndarray, where: str, locate: Locate) -> None:
    """Raise DataError naming the first NaN or infinite label."""
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{where} {locate(i)}: label is {values[i]}; expected a finite number")


def _align(
    own: Sequence[str],
    index: np.ndarray,
    classes: Sequence[str],
    where: str,
    locate: Locate,
    ints: np.ndarray | None = None,
) -> np.ndarray:
    """Map indices into `own` class names onto indices into the training `classes`."""
    position = {name: i for i, name in enumerate(classes)}
    mapping = np.array([position.get(name, -1) for name in own], dtype=np.int64)
    mapped = mapping[index] if len(own) else index
    if (mapped >= 0).all():
        return mapped
    if ints is not None and ints.min() >= 0 and ints.max() < len(classes):
        return ints  # plain class numbers 0..k-1 where the training file had names
    i = int(np.argmax(mapped < 0))
    raise DataError(
        f"{where} {locate(i)}: label '{own[index[i]]}' is not one of the training "
        f"classes ({', '.join(classes)})"
    )


def _from_names(
    names: np.ndarray, where: str, classes: Sequence[str] | None, locate: Locate
) -> tuple[np.ndarray, list[str]]:
    """String labels (m,) -> Y and the class names (sorted, or the training ones)."""
    if classes == []:
        raise DataError(
            f"{where}: labels are class names (e.g. '{names[0]}') but the training "
            "labels are numbers"
        )
    own, index = np.unique(names, return_inverse=True)
    own = [str(n) for n in own]
    if classes is None and len(own) > MAX_NAMED_CLASSES:
        raise DataError(
            f"{where}: the label column has {len(own)} different values; expected class "
            "names (is the label column right? {fix})", Fix("label_column")
        )
    if "" in own:
        i = int(np.argmax(names == ""))
        raise DataError(f"{where} {locate(i)}: the label is empty; expected a class name")
    if classes is not None:
        return encode(_align(own, index, classes, where, locate), len(classes)), list(classes)
    if len(own) == 1:
        log.warning("%s: every label is '%s': only one class", where, own[0])
    return encode(index, len(own)), own


def labels_to_Y(
    labels: np.ndarray,
    where: str,
    *,
    names: Sequence[str] | None = None,
    classes: Sequence[str] | None = None,
    locate: Locate = example_locator,
) -> tuple[np.ndarray, list[str]]:
    """One label per example (m,) -> (Y (n_y, m) float64, class names).

    Class names or integer labels become classes: 0/1 and any two classes give one
    0/1 row, more classes give one-hot rows.  Non-integer numbers give a real-valued
    row (regression, no class names).  `names` are class names stored in the file
    (e.g. the course's list_classes) for labels 0..k-1.  `classes` are the training
    classes a test split must use ([] when the training labels are real values).
    """
    labels = np.asarray(labels).reshape(-1)
    if labels.dtype.kind in "USO":
        return _from_names(_strings(labels), where, classes, locate)
    if labels.dtype.kind not in "biuf":
        raise DataError(f"{where}: labels have type {labels.dtype}; expected numbers or class names")
    values = labels.astype(np.float64)
    _check_finite(values, where, locate)
    integral = bool(np.all(values == np.round(values))) and np.abs(values).max(initial=0) < 2**53
    if classes == [] or (classes is None and not integral):
        return values.reshape(1, -1), []
    if not integral:
        i = int(np.argmax(values != np.round(values)))
        raise DataError(
            f"{where} {locate(i)}: label {values[i]:g} is not a class number; the "
            f"training classes are {', '.join(classes or [])}"
        )
    ints = values.astype(np.int64)
    own, index = _int_classes(ints, names)
    if own is None:
        return values.reshape(1, -1), []
    if classes is not None:
        ints_fallback = None if names else ints
        index = _align(own, index, classes, where, locate, ints_fallback)
        return encode(index, len(classes)), list(classes)
    return encode(index, len(own)), own


def _int_classes(
    ints: np.ndarray, names: Sequence[str] | None
) -> tuple[list[str] | None, np.ndarray]:
    """Integer labels -> (class names, index per example); names None means 'not classes'."""
    if names and ints.min(initial=0) >= 0 and ints.max(initial=0) < len(names):
        return [str(n) for n in names], ints
    if names:
        log.warning("class names %s do not match labels %s..%s; ignoring them",
                    list(names), ints.min(), ints.max())
    uniq, index = np.unique(ints, return_inverse=True)
    if set(uniq.tolist()) <= {0, 1}:
        return ["0", "1"], ints
    if not 2 <= len(uniq) <= MAX_INT_CLASSES:
        return None, index
    if len(uniq) == 2:
        log.info("labels %d/%d stand for classes 0/1", uniq[0], uniq[1])
    return [str(u) for u in uniq.tolist()], index


def is_one_hot(Y: np.ndarray) -> bool:
    """True when every column of Y (n_y, m) holds a single 1 and zeros."""
    return bool(np.isin(Y, (0.0, 1.0)).all() and (Y.sum(axis=0) == 1).all())


def matrix_to_Y(
    Y: np.ndarray,
    where: str,
    *,
    names: Sequence[str] | None = None,
    classes: Sequence[str] | None = None,
    locate: Locate = example_locator,
) -> tuple[np.ndarray, list[str]]:
    """Labels with several rows (n_y, m), n_y ≥ 2 -> (Y float64, class names).

    One-hot columns are classes (named by `names` or `classes` when the counts
    agree, else '0', '1', …); anything else is a real-valued target.
    """
    if Y.dtype.kind not in "biuf":
        raise DataError(f"{where}: labels with {Y.shape[0]} rows must be numbers, not {Y.dtype}")
    Y = Y.astype(np.float64)
    bad = ~np.isfinite(Y)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise DataError(f"{where} {locate(col)}, row {row + 1} of Y: {Y[row, col]} is not finite")
    n_y = Y.shape[0]
    if classes == [] or (classes is None and not is_one_hot(Y)):
        return Y, []
    if classes is not None:
        if not is_one_hot(Y):
            raise DataError(f"{where}: labels are not one-hot, but the training labels are classes")
        if len(classes) != n_y:
            raise DataError(
                f"{where}: labels have {n_y} one-hot rows but the training data has "
                f"{len(classes)} classes"
            )
        return Y, list(classes)
    if names and len(names) == n_y:
        return Y, [str(n) for n in names]
    return Y, [str(i) for i in range(n_y)]


def match_rows(Y: np.ndarray, n_y: int, where: str) -> np.ndarray:
    """Test labels (k, m) -> the training layout (n_y, m).

    A 0/1 row and two one-hot rows say the same thing, so either becomes the other.
    """
    if Y.shape[0] == n_y:
        return Y
    if n_y == 2 and Y.shape[0] == 1 and np.isin(Y, (0.0, 1.0)).all():
        return np.vstack([1.0 - Y, Y])
    if n_y == 1 and Y.shape[0] == 2 and is_one_hot(Y):
        return Y[1:2].copy()
    raise DataError(f"{where}: test labels have {Y.shape[0]} rows but the training labels "
                    f"have {n_y}")


def _name(dataset: Dataset) -> str:
    return dataset.name or dataset.source or "the dataset"


def _sigmoid_problem(Y: np.ndarray, class_names: list[str]) -> tuple[str, Fix] | None:
    """Why Y does not fit a sigmoid output and the output that would, or None when it fits."""
    n_y = Y.shape[0]
    if n_y > 1 and is_one_hot(Y):
        names = f" ({', '.join(class_names)})" if class_names else ""
        return (f"labels have {n_y} classes{names}; a sigmoid output needs one row of "
                "0/1 labels: use a softmax output ({fix})", Fix("output", "softmax"))
    if n_y > 1:
        return (f"labels have {n_y} rows of real values; a sigmoid output needs one row "
                "of 0/1 labels: use a linear output ({fix})", Fix("output", "linear"))
    off = ~np.isin(Y, (0.0, 1.0))
    if off.any():
        value = Y.reshape(-1)[int(np.argmax(off.reshape(-1)))]
        return (f"labels take values other than 0 and 1 (e.g. {value:g}); a sigmoid output "
                "needs 0/1 labels: relabel the two classes as 0 and 1, or use a linear "
                "output ({fix}) for real-valued targets", Fix("output", "linear"))
    return None


def _softmax_problem(Y: np.ndarray) -> tuple[str, Fix] | None:
    """Why Y does not fit a softmax output and the output that would, or None when it fits."""
    if Y.shape[0] >= 2 and is_one_hot(Y):
        return None
    if Y.shape[0] == 1 and np.isin(Y, (0.0, 1.0)).all():
        return ("labels are one row of 0/1 values (two classes); a softmax output needs "
                "one-hot labels with a row per class: use a sigmoid output ({fix})", Fix("output", "sigmoid"))
    return ("labels are not one-hot classes (each column a single 1 and zeros); "
            "use a linear output ({fix}) for real-valued targets", Fix("output", "linear"))


def check_output_fits(dataset: Dataset, output: str) -> None:
    """Raise DataError when Y (and Y_test) does not fit this output layer.

    'sigmoid' needs one row of 0/1 labels; 'softmax' needs one-hot columns with
    n_y ≥ 2; 'linear' takes any finite values.  The error's ``fix`` names the output that fits.
    """
    if output not in OUTPUTS:
        raise DataError(f"unknown output '{output}'; expected one of {', '.join(OUTPUTS)}")
    for label, Y in (("labels", dataset.Y), ("test labels", dataset.Y_test)):
        if Y is None:
            continue
        Y = np.asarray(Y, dtype=np.float64)
        if not np.isfinite(Y).all():
            raise DataError(f"{_name(dataset)}: {label} contain NaN or infinite values")
        if output == "sigmoid":
            problem = _sigmoid_problem(Y, dataset.class_names)
        elif output == "softmax":
            problem = _softmax_problem(Y)
        else:
            problem = None
        if problem:
            prefix = "" if label == "labels" else "test "
            text, fix = problem
            raise DataError(f"{_name(dataset)}: {prefix}{text}", fix)
