"""The course's own 2-D sets, made exactly as its notebooks make them, without scikit-learn.

The optimisation lesson calls ``np.random.seed(3)`` and then scikit-learn's
``make_moons(n_samples=300, noise=.2)``; the initialisation lesson seeds 1 and 2 and
calls ``make_circles(n_samples=300 | 100, noise=.05)``.  The generators below follow
scikit-learn's recipe draw for draw (the half circles, a shuffle of the indices, then
Gaussian noise, all from the same legacy RandomState), so the points, and with them the
course's printed costs, come out identical.
"""
from __future__ import annotations

import numpy as np

from nnviz.data.dataset import Dataset

COURSE_SETS = ("course-moons", "course-circles")


def _shuffle_and_noise(X: np.ndarray, y: np.ndarray, noise: float, rs: np.random.RandomState):
    indices = np.arange(len(X))
    rs.shuffle(indices)  # sklearn.utils.shuffle(X, y, random_state=rs)
    X, y = X[indices], y[indices]
    X = X + rs.normal(scale=noise, size=X.shape)
    return X, y


def make_moons(n_samples: int, noise: float, rs: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's make_moons(n_samples, shuffle=True, noise, random_state=rs): P (m, 2), y (m,)."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer_x = np.cos(np.linspace(0, np.pi, n_out))
    outer_y = np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return _shuffle_and_noise(X, y, noise, rs)


def make_circles(n_samples: int, noise: float, rs: np.random.RandomState, factor: float = 0.8):
    """scikit-learn's make_circles(n_samples, shuffle=True, noise, random_state=rs, factor=0.8)."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    line_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    line_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.append(np.cos(line_out), np.cos(line_in) * factor),
                   np.append(np.sin(line_out), np.sin(line_in) * factor)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return _shuffle_and_noise(X, y, noise, rs)


def _columns(P: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.ascontiguousarray(P.T, dtype=np.float64), y.astype(np.float64).reshape(1, -1)


def course_set(name: str) -> Dataset:
    """'course-moons': the optimisation lesson's 300 moons (no test split); 'course-circles': the
    initialisation lesson's 300 circles and its 100 test circles."""
    if name == "course-moons":
        X, Y = _columns(*make_moons(300, 0.2, np.random.RandomState(3)))
        return Dataset(X=X, Y=Y, class_names=["red", "blue"], example_shape=(2,), source=f"demo:{name}",
                       name=f"demo:{name}")
    X, Y = _columns(*make_circles(300, 0.05, np.random.RandomState(1)))
    X_test, Y_test = _columns(*make_circles(100, 0.05, np.random.RandomState(2)))
    return Dataset(X=X, Y=Y, X_test=X_test, Y_test=Y_test, class_names=["outer", "inner"], example_shape=(2,),
                   source=f"demo:{name}", name=f"demo:{name}")
