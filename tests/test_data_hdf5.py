"""HDF5: the course layout, plain X/Y, damaged files, and the real cat/non-cat files where present."""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from nnviz.data import companion_test_file, describe, load_dataset

from data_helpers import error_of

COURSE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "catvnoncat"
TRAIN, TEST = COURSE / "train_catvnoncat.h5", COURSE / "test_catvnoncat.h5"
needs_course = pytest.mark.skipif(not TRAIN.exists() or not TEST.exists(),
                                  reason="course files not in ../shared/data/catvnoncat")


def course_like(path, m=7, prefix="train", size=4):
    """A small file with the course's keys: {prefix}_set_x (m, s, s, 3) uint8, …"""
    rng = np.random.default_rng(m)
    pictures = rng.integers(0, 256, (m, size, size, 3), dtype=np.uint8)
    labels = rng.integers(0, 2, m)
    with h5py.File(path, "w") as f:
        f[f"{prefix}_set_x"] = pictures
        f[f"{prefix}_set_y"] = labels
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    return pictures, labels


def test_course_layout_round_trip(tmp_path):
    pictures, labels = course_like(tmp_path / "train_small.h5")
    ds = load_dataset(tmp_path / "train_small.h5")
    np.testing.assert_array_equal(ds.X, pictures.reshape(7, -1).T / 255)
    np.testing.assert_array_equal(ds.Y, labels.reshape(1, -1))
    assert ds.class_names == ["non-cat", "cat"] and ds.example_shape == (4, 4, 3)


def test_course_test_file_alone_and_as_test_split(tmp_path):
    course_like(tmp_path / "train_small.h5")
    test_pictures, _ = course_like(tmp_path / "test_small.h5", m=3, prefix="test")
    alone = load_dataset(tmp_path / "test_small.h5")
    assert alone.m == 3
    ds = load_dataset(tmp_path / "train_small.h5", test=tmp_path / "test_small.h5")
    np.testing.assert_array_equal(ds.X_test, test_pictures.reshape(3, -1).T / 255)
    assert companion_test_file(tmp_path / "train_small.h5") == tmp_path / "test_small.h5"


def test_both_splits_in_one_file(tmp_path):
    path = tmp_path / "both.h5"
    with h5py.File(path, "w") as f:
        f["train_set_x"] = np.zeros((5, 2, 2, 3), dtype=np.uint8)
        f["train_set_y"] = np.array([0, 1, 0, 1, 1])
        f["test_set_x"] = np.zeros((2, 2, 2, 3), dtype=np.uint8)
        f["test_set_y"] = np.array([[1, 0]])
    ds = load_dataset(path)
    assert ds.X_test.shape == (12, 2) and ds.Y_test.shape == (1, 2)


def test_plain_x_y_datasets_and_string_classes(tmp_path):
    path = tmp_path / "plain.hdf5"
    with h5py.File(path, "w") as f:
        f["X"] = np.arange(8.0).reshape(4, 2)  # (m, n_x)
        f.create_dataset("Y", data=["b", "a", "c", "a"], dtype=h5py.string_dtype())
    ds = load_dataset(path)
    np.testing.assert_array_equal(ds.X, np.arange(8.0).reshape(4, 2).T)
    assert ds.class_names == ["a", "b", "c"]


def test_missing_keys_and_groups(tmp_path):
    path = tmp_path / "odd.h5"
    with h5py.File(path, "w") as f:
        f.create_group("train")
        f["pixels"] = np.zeros((2, 2))
    message = error_of(path)
    assert "no features array" in message and "found: pixels" in message


def test_fake_and_truncated_hdf5(tmp_path):
    fake = tmp_path / "fake.h5"
    fake.write_bytes(b"not hdf5 at all" * 100)
    assert "is not a readable HDF5 file" in error_of(fake)
    course_like(tmp_path / "whole.h5", m=200, size=16)
    data = (tmp_path / "whole.h5").read_bytes()
    for cut in (len(data) // 2, 100, len(data) - 10):
        broken = tmp_path / f"cut{cut}.h5"
        broken.write_bytes(data[:cut])
        message = error_of(broken)
        assert "HDF5" in message or "truncated" in message


def test_compound_dataset_is_refused(tmp_path):
    path = tmp_path / "records.h5"
    with h5py.File(path, "w") as f:
        f["X"] = np.zeros(3, dtype=[("a", "f8"), ("b", "i4")])
        f["Y"] = np.zeros(3)
    assert "holds records" in error_of(path)


def test_huge_hdf5_dataset_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("train_set_x", shape=(100_000, 64, 64, 3), dtype="u1")  # not allocated
        f.create_dataset("train_set_y", shape=(100_000,), dtype="i8")
    message = error_of(path, memory_limit=2 * 10**9)
    assert "X (100000 × 64 × 64 × 3) would need 11.1 GB as float64" in message
    assert "only 2.0 GB of memory is available" in message


@needs_course
def test_course_files_have_the_notes_shapes():
    ds = load_dataset(TRAIN, test=TEST)
    assert ds.X.shape == (12288, 209) and ds.Y.shape == (1, 209)
    assert ds.X_test.shape == (12288, 50) and ds.Y_test.shape == (1, 50)
    assert int(ds.Y.sum()) == 72 and int(ds.Y_test.sum()) == 33
    assert ds.class_names == ["non-cat", "cat"] and ds.example_shape == (64, 64, 3)
    with h5py.File(TRAIN, "r") as f:
        expected = np.array(f["train_set_x"]).reshape(209, -1).T / 255
    np.testing.assert_array_equal(ds.X, expected)
    assert ds.X.flags["C_CONTIGUOUS"]
    text = describe(ds)
    assert text.splitlines()[:4] == ["X: (12288, 209)", "Y: (1, 209)", "X_test: (12288, 50)",
                                     "Y_test: (1, 50)"]
    assert "non-cat 137, cat 72" in text


@needs_course
def test_course_companion_and_truncated_copy(tmp_path):
    assert companion_test_file(TRAIN) == TEST
    data = TRAIN.read_bytes()
    broken = tmp_path / "train_catvnoncat.h5"
    broken.write_bytes(data[: len(data) // 2])
    message = error_of(broken)
    assert message.startswith(str(broken))
