"""Which axis holds the examples when the shapes alone cannot say: the labels' own evidence."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from nnviz.data import load_dataset


def one_hot(classes, k):
    return np.eye(k)[classes]


@pytest.mark.parametrize("m,k", [(30, 4), (4, 3), (12, 12 // 2)])
def test_npz_rows_examples_with_one_hot_columns_and_n_x_equal_n_y(tmp_path, m, k):
    """X (m, n_x) and one-hot Y (n_y, m) with n_x = n_y: X's examples are its rows."""
    rng = np.random.default_rng(m)
    X = rng.normal(size=(m, k))
    classes = np.arange(m) % k
    rng.shuffle(classes)
    np.savez(tmp_path / "d.npz", X=X, Y=one_hot(classes, k).T)
    ds = load_dataset(tmp_path / "d.npz")
    assert ds.X.shape == (k, m) and ds.Y.shape == (k, m)
    np.testing.assert_array_equal(ds.X, X.T)
    np.testing.assert_array_equal(ds.Y.argmax(axis=0), classes)


def test_one_hot_rows_orient_the_other_way(tmp_path):
    """X (n_x, m) and one-hot Y (m, n_y) with n_x = n_y (an HDF5 file this time)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 20))
    classes = np.arange(20) % 3
    with h5py.File(tmp_path / "d.h5", "w") as f:
        f["X"], f["Y"] = X, one_hot(classes, 3)
    ds = load_dataset(tmp_path / "d.h5")
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.Y.argmax(axis=0), classes)


def test_without_one_hot_evidence_the_notes_orientation_still_wins(tmp_path):
    """Real-valued Y (2, 5) and X (5, 2): nothing proves either way, so X is (n_x, m) as given."""
    X = np.arange(10.0).reshape(5, 2)
    Y = np.linspace(0, 1, 10).reshape(2, 5) + 0.05
    np.savez(tmp_path / "r.npz", X=X, Y=Y)
    ds = load_dataset(tmp_path / "r.npz")
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.Y, Y.T)


def test_square_one_hot_labels_keep_the_notes_orientation(tmp_path):
    X = np.arange(12.0).reshape(4, 3)  # (n_x, m) with m = 3
    Y = np.eye(3)  # one-hot both ways: no evidence
    np.savez(tmp_path / "s.npz", X=X, Y=Y)
    ds = load_dataset(tmp_path / "s.npz")
    np.testing.assert_array_equal(ds.X, X)
