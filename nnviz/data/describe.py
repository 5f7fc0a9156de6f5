"""describe(): the text `nnviz info` prints: shapes, class counts and value ranges."""
from __future__ import annotations

import numpy as np

from nnviz.data.dataset import Dataset
from nnviz.data.stats import summarize


def _shape(A: np.ndarray) -> str:
    return "(" + ", ".join(str(int(n)) for n in A.shape) + ")"


def _range(A: np.ndarray) -> str:
    """'min …, max …, mean …, std …', computed in blocks (data that only just fits stays so)."""
    try:
        s = summarize(A)
    except MemoryError:
        return "skipped (not enough memory left to summarise them)"
    return f"min {s.min:.4g}, max {s.max:.4g}, mean {s.mean:.4g}, std {s.std:.4g}"


def class_counts(Y: np.ndarray, class_names: list[str]) -> list[tuple[str, int]]:
    """(name, number of examples) per class, for a 0/1 row (1, m) or one-hot rows (k, m)."""
    if Y.shape[0] == 1:
        names = list(class_names) + ["0", "1"][len(class_names):]
        ones = int(np.count_nonzero(Y == 1))
        return [(names[0], Y.shape[1] - ones), (names[1], ones)]
    names = class_names if len(class_names) == Y.shape[0] else [str(i) for i in range(Y.shape[0])]
    return [(name, int(n)) for name, n in zip(names, Y.sum(axis=1))]


def _counts_line(label: str, Y: np.ndarray, class_names: list[str]) -> str:
    return f"{label}: " + ", ".join(f"{name} {n}" for name, n in class_counts(Y, class_names))


def describe(dataset: Dataset) -> str:
    """Lines 'X: (n_x, m)', 'Y: (n_y, m)' (and X_test / Y_test), then classes and ranges."""
    ds = dataset
    lines = [f"X: {_shape(ds.X)}", f"Y: {_shape(ds.Y)}"]
    if ds.X_test is not None and ds.Y_test is not None:
        lines += [f"X_test: {_shape(ds.X_test)}", f"Y_test: {_shape(ds.Y_test)}"]
    shape = "×".join(str(n) for n in ds.example_shape)
    lines.append(f"example: {shape}" + (" picture" if ds.is_image else " features"))
    lines.append(f"task: {ds.task} ({ds.default_output()} output)")
    if ds.task != "regression":
        lines.append(_counts_line("classes", ds.Y, ds.class_names))
        if ds.Y_test is not None:
            lines.append(_counts_line("test classes", ds.Y_test, ds.class_names))
    lines.append(f"X values: {_range(ds.X)}")
    if ds.X_test is not None:
        lines.append(f"X_test values: {_range(ds.X_test)}")
    if ds.task == "regression":
        lines.append(f"Y values: {_range(ds.Y)}")
    if ds.source:
        lines.append(f"source: {ds.source}")
    return "\n".join(lines)
