"""NumPy .npz / .npy: key lookup, the orientation rule, image arrays, pickles and damaged files."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from nnviz.data import load_dataset

from data_helpers import error_of


def npz(tmp_path, name="data.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("x_key,y_key", [("X", "Y"), ("x", "y"), ("features", "labels"),
                                         ("train_set_x", "train_set_y")])
def test_npz_round_trip_with_each_key_pair(tmp_path, x_key, y_key):
    X = np.arange(12, dtype=float).reshape(3, 4)
    Y = np.array([[0, 1, 1, 0]])
    ds = load_dataset(npz(tmp_path, **{x_key: X, y_key: Y}))
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.Y, Y)
    assert ds.X.flags["C_CONTIGUOUS"] and ds.X.dtype == np.float64


def test_orientation_examples_as_rows(tmp_path):
    X = np.arange(10, dtype=float).reshape(5, 2)  # (m, n_x)
    ds = load_dataset(npz(tmp_path, X=X, Y=np.array([0, 1, 0, 1, 1])))
    np.testing.assert_array_equal(ds.X, X.T)
    assert ds.X.flags["C_CONTIGUOUS"]


def test_orientation_square_x_keeps_the_notes_layout(tmp_path):
    X = np.arange(9, dtype=float).reshape(3, 3)
    ds = load_dataset(npz(tmp_path, X=X, Y=np.array([0, 1, 0])))
    np.testing.assert_array_equal(ds.X, X)  # both axes match: (n_x, m) wins


@pytest.mark.parametrize("Y", [
    np.array([0, 1, 1, 0, 1]),
    np.array([[0, 1, 1, 0, 1]]),
    np.array([[0], [1], [1], [0], [1]]),
])
def test_binary_label_shapes(tmp_path, Y):
    ds = load_dataset(npz(tmp_path, X=np.ones((2, 5)), Y=Y))
    np.testing.assert_array_equal(ds.Y, [[0, 1, 1, 0, 1]])


def test_one_hot_labels_either_way_round(tmp_path):
    labels = np.array([0, 2, 1, 2])
    one_hot = np.eye(3)[labels].T  # (3, 4)
    for Y in (one_hot, one_hot.T):
        ds = load_dataset(npz(tmp_path, X=np.ones((2, 4)), Y=Y))
        np.testing.assert_array_equal(ds.Y, one_hot)
        assert ds.class_names == ["0", "1", "2"] and ds.task == "multiclass"


def test_image_arrays_flatten_like_the_course(tmp_path):
    rng = np.random.default_rng(0)
    pictures = rng.integers(0, 256, (6, 4, 5, 3), dtype=np.uint8)
    ds = load_dataset(npz(tmp_path, train_set_x=pictures, train_set_y=np.array([0, 1, 0, 1, 1, 0]),
                          list_classes=np.array([b"no", b"yes"])))
    assert ds.example_shape == (4, 5, 3) and ds.is_image
    np.testing.assert_array_equal(ds.X, pictures.reshape(6, -1).T / 255)
    assert ds.class_names == ["no", "yes"]


def test_grey_image_arrays_get_one_channel(tmp_path):
    pictures = np.zeros((3, 4, 4), dtype=np.uint8)
    ds = load_dataset(npz(tmp_path, X=pictures, Y=np.array([0, 1, 0])))
    assert ds.example_shape == (4, 4, 1) and ds.X.shape == (16, 3)


def test_scale_false_keeps_uint8_levels(tmp_path):
    pictures = np.full((2, 2, 2, 3), 255, dtype=np.uint8)
    ds = load_dataset(npz(tmp_path, X=pictures, Y=np.array([0, 1])), scale=False)
    assert ds.X.max() == 255.0


def test_test_split_in_the_same_archive(tmp_path):
    path = npz(tmp_path, X=np.ones((2, 4)), Y=np.array([0, 1, 0, 1]),
               X_test=np.zeros((3, 2)), Y_test=np.array([1, 0, 1]))  # test stored as (m, n_x)
    ds = load_dataset(path)
    assert ds.X_test.shape == (2, 3) and ds.Y_test.shape == (1, 3)


def test_string_labels_in_npz(tmp_path):
    ds = load_dataset(npz(tmp_path, X=np.ones((1, 3)), Y=np.array(["b", "a", "c"])))
    assert ds.class_names == ["a", "b", "c"] and ds.Y.shape == (3, 3)


def test_npy_pair(tmp_path):
    np.save(tmp_path / "X.npy", np.arange(6.0).reshape(2, 3))
    np.save(tmp_path / "Y.npy", np.array([1, 0, 1]))
    for chosen in ("X.npy", "Y.npy"):
        ds = load_dataset(tmp_path / chosen)
        np.testing.assert_array_equal(ds.X, [[0, 1, 2], [3, 4, 5]])
        np.testing.assert_array_equal(ds.Y, [[1, 0, 1]])


def test_npy_pair_with_prefix_and_test_pair(tmp_path):
    np.save(tmp_path / "train_x.npy", np.ones((4, 2)))
    np.save(tmp_path / "train_y.npy", np.array([0, 1, 1, 0]))
    np.save(tmp_path / "test_x.npy", np.ones((2, 2)))
    np.save(tmp_path / "test_y.npy", np.array([1, 0]))
    ds = load_dataset(tmp_path / "train_x.npy", test=tmp_path / "test_x.npy")
    assert ds.X.shape == (2, 4) and ds.X_test.shape == (2, 2)


def test_lone_npy_says_where_the_labels_go(tmp_path):
    np.save(tmp_path / "X.npy", np.ones((2, 3)))
    assert "Y.npy beside X.npy" in error_of(tmp_path / "X.npy")


def test_missing_keys_lists_what_was_found(tmp_path):
    message = error_of(npz(tmp_path, inputs=np.ones(3), answers=np.ones(3)))
    assert "no features array" in message and "found: inputs, answers" in message
    message = error_of(npz(tmp_path, "b.npz", X=np.ones((2, 3))))
    assert "no labels array for 'X'" in message and "found: X" in message


def test_example_counts_that_disagree(tmp_path):
    message = error_of(npz(tmp_path, X=np.ones((4, 100)), Y=np.zeros(99)))
    assert "(4, 100)" in message and "99 examples" in message


@pytest.mark.parametrize("X,Y,expected", [
    (np.ones((3, 0)), np.zeros(0), "zero examples"),
    (np.ones((0, 3)), np.zeros(3), "no features"),
    (np.array(["a", "b"]), np.zeros(2), "holds text"),
    (np.ones((2, 2), dtype=complex), np.zeros(2), "complex numbers"),
    (np.array(5.0), np.zeros(1), "single number"),
    (np.ones((2, 2)), np.zeros((2, 2, 2)), "labels have shape"),
])
def test_bad_arrays(tmp_path, X, Y, expected):
    assert expected in error_of(npz(tmp_path, X=X, Y=Y))


def test_nan_in_x_names_example_and_feature(tmp_path):
    X = np.ones((3, 5))
    X[1, 4] = np.nan
    message = error_of(npz(tmp_path, X=X, Y=np.zeros(5)))
    assert "key 'X': nan at example 5, feature 2" in message


def test_inf_in_labels(tmp_path):
    message = error_of(npz(tmp_path, X=np.ones((1, 3)), Y=np.array([0.0, np.inf, 1.0])))
    assert "key 'Y' example 2" in message and "finite" in message


class _Marker:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_pickled_npz_is_refused_without_running_code(tmp_path):
    marker = tmp_path / "code-ran"
    evil = np.empty(1, dtype=object)
    evil[0] = _Marker(marker)
    path = tmp_path / "evil.npz"
    np.savez(path, X=evil, Y=np.array([1]))
    message = error_of(path)
    assert "key 'X': contains Python objects (pickled data); nnviz never loads pickled data" in message
    assert not marker.exists()


def test_pickled_npy_and_raw_pickle_are_refused(tmp_path):
    marker = tmp_path / "code-ran"
    evil = np.empty(1, dtype=object)
    evil[0] = _Marker(marker)
    np.save(tmp_path / "X.npy", evil, allow_pickle=True)
    np.save(tmp_path / "Y.npy", np.array([1]))
    assert "pickled data" in error_of(tmp_path / "X.npy")
    import pickle
    (tmp_path / "raw.npy").write_bytes(pickle.dumps(_Marker(marker)))
    assert "is not a NumPy .npy array" in error_of(tmp_path / "raw.npy")
    assert not marker.exists()


def test_truncated_npz_and_npy(tmp_path):
    path = npz(tmp_path, X=np.ones((50, 40)), Y=np.zeros(40))
    data = path.read_bytes()
    for cut in (len(data) // 2, 30, len(data) - 30):
        broken = tmp_path / f"cut{cut}.npz"
        broken.write_bytes(data[:cut])
        error_of(broken)
    np.save(tmp_path / "X.npy", np.ones((50, 40)))
    np.save(tmp_path / "Y.npy", np.zeros(40))
    whole = (tmp_path / "X.npy").read_bytes()
    (tmp_path / "X.npy").write_bytes(whole[: len(whole) // 2])
    assert "is truncated or damaged" in error_of(tmp_path / "X.npy")


def test_fake_npz(tmp_path):
    path = tmp_path / "fake.npz"
    path.write_bytes(b"this is not a zip archive at all")
    assert "is not a readable .npz file" in error_of(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("X.npy", b"\x93NUMPYgarbage")
        archive.writestr("Y.npy", b"nothing")
    path.write_bytes(buffer.getvalue())
    assert "is not a NumPy .npy array" in error_of(path)


def _header_only_npy(path, shape, dtype="<f8") -> bytes:
    """An .npy file whose header claims `shape` but that holds no data (written if path)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False,
                                                  "shape": shape})
    if path is not None:
        path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_huge_npy_is_refused_before_loading(tmp_path):
    _header_only_npy(tmp_path / "X.npy", (1_000_000, 5000))
    np.save(tmp_path / "Y.npy", np.zeros(1_000_000))
    message = error_of(tmp_path / "X.npy", memory_limit=20 * 10**9)
    assert "X (1000000 × 5000) would need 80.0 GB as float64" in message
    assert "only 20.0 GB of memory is available" in message


def test_huge_npz_member_is_refused_before_loading(tmp_path):
    header = _header_only_npy(None, (200_000, 64, 64, 3), "|u1")
    path = tmp_path / "big.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", header)
        archive.writestr("Y.npy", _header_only_npy(None, (200_000,), "<i8"))
    message = error_of(path, memory_limit=10**9)
    assert "X (200000 × 64 × 64 × 3) would need 22.1 GB as float64" in message
    assert "only 1.0 GB" in message


def test_header_only_npy_within_the_limit_is_truncated(tmp_path):
    _header_only_npy(tmp_path / "X.npy", (10, 10))
    np.save(tmp_path / "Y.npy", np.zeros(10))
    assert "is truncated or damaged" in error_of(tmp_path / "X.npy")
