"""The Dataset: X (n_x, m) and Y (n_y, m) in the notes' column convention."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dataset:
    """Training data, one example per column, as the notes write it.

    X: (n_x, m) float64.  Y: (n_y, m) float64 -- a 0/1 row for two classes,
    one-hot rows for more classes, real values for regression.
    X_test / Y_test: the same for an optional test split (m_test columns).
    class_names: one name per class ("non-cat", "cat"), empty for regression.
    example_shape: the shape of one example before flattening, e.g. (64, 64, 3),
    so a column of X (or a row of W[1]) can be shown as the picture it is;
    (n_x,) for tabular data.
    source: where it came from: a path, or "demo:images" for a built-in set.
    feature_names: the name of each row of X where the file gives one (a CSV header), else empty.
    """

    X: np.ndarray
    Y: np.ndarray
    X_test: np.ndarray | None = None
    Y_test: np.ndarray | None = None
    class_names: list[str] = field(default_factory=list)
    example_shape: tuple[int, ...] = ()
    source: str = ""
    name: str = ""
    feature_names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.example_shape:
            self.example_shape = (self.X.shape[0],)
        if not self.name:
            self.name = self.source

    @property
    def n_x(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_y(self) -> int:
        return int(self.Y.shape[0])

    @property
    def m(self) -> int:
        return int(self.X.shape[1])

    @property
    def m_test(self) -> int:
        return 0 if self.X_test is None else int(self.X_test.shape[1])

    @property
    def is_image(self) -> bool:
        """True when a column of X is a picture (height, width, channels)."""
        return len(self.example_shape) == 3

    @property
    def task(self) -> str:
        """'binary' (Y is one 0/1 row), 'multiclass' (one-hot rows) or 'regression'."""
        if self.class_names and self.n_y == 1:
            return "binary"
        if self.class_names:
            return "multiclass"
        if self.n_y == 1 and np.isin(self.Y, (0.0, 1.0)).all():
            return "binary"
        return "regression"

    def default_output(self) -> str:
        """The output layer the labels ask for: sigmoid, softmax or linear."""
        return {"binary": "sigmoid", "multiclass": "softmax"}.get(self.task, "linear")
