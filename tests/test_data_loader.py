"""load_dataset's dispatch, options and promises; companion test files; no Qt on the CLI's path."""
from __future__ import annotations

import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

from nnviz.data import FILE_FILTERS, companion_test_file, load_dataset

from data_helpers import error_of
from nnviz.data.memory import available_memory, format_size

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_missing_file_and_folder(tmp_path):
    assert error_of(tmp_path / "nope.csv") == f"{tmp_path / 'nope.csv'}: no such file or folder"


@pytest.mark.parametrize("name", ["empty.csv", "empty.npz", "empty.h5", "empty.npy", "empty"])
def test_empty_files(tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    assert error_of(tmp_path / name) == f"{tmp_path / name}: is empty (0 bytes)"


def test_unsupported_extension(tmp_path):
    (tmp_path / "data.json").write_text('{"X": [1, 2]}')
    message = error_of(tmp_path / "data.json")
    assert "unsupported file type '.json'" in message and "CSV/TSV" in message


def test_spreadsheets_are_refused_with_a_hint(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "marks.xlsx", "w") as archive:  # an .xlsx is a zip of XML
        archive.writestr("xl/workbook.xml", "<workbook/>")
    message = error_of(tmp_path / "marks.xlsx")
    assert "unsupported file type '.xlsx'" in message and message.endswith("save the sheet as CSV")


def test_npy_without_the_signature(tmp_path):
    (tmp_path / "X.npy").write_bytes(b"not numpy at all")
    assert "does not start with the .npy signature" in error_of(tmp_path / "X.npy")


def test_content_decides_without_a_known_extension(tmp_path):
    np.savez(tmp_path / "a.npz", X=np.ones((2, 3)), Y=np.array([0, 1, 0]))
    (tmp_path / "archive.bin").write_bytes((tmp_path / "a.npz").read_bytes())
    assert load_dataset(tmp_path / "archive.bin").X.shape == (2, 3)
    with h5py.File(tmp_path / "course.dat", "w") as f:
        f["X"], f["Y"] = np.ones((2, 3)), np.array([0, 1, 0])
    assert load_dataset(tmp_path / "course.dat").X.shape == (2, 3)
    (tmp_path / "table").write_text("1,2,0\n3,4,1\n")
    assert load_dataset(tmp_path / "table").X.shape == (2, 2)


def test_mixed_formats_for_train_and_test(tmp_path):
    (tmp_path / "train.csv").write_text("1,2,a\n3,4,b\n5,6,c\n")
    np.savez(tmp_path / "test.npz", X=np.ones((2, 2)), Y=np.array(["c", "a"]))
    ds = load_dataset(tmp_path / "train.csv", test=tmp_path / "test.npz")
    np.testing.assert_array_equal(ds.Y_test, [[0, 1], [0, 0], [1, 0]])


def test_two_row_one_hot_training_labels_and_a_row_of_test_labels(tmp_path):
    np.savez(tmp_path / "train.npz", X=np.ones((2, 3)), Y=np.eye(2)[:, [0, 1, 1]])
    np.savez(tmp_path / "test.npz", X=np.ones((2, 2)), Y=np.array([1, 0]))
    ds = load_dataset(tmp_path / "train.npz", test=tmp_path / "test.npz")
    np.testing.assert_array_equal(ds.Y_test, [[0, 1], [1, 0]])


def test_regression_test_split_stays_real_valued(tmp_path):
    (tmp_path / "train.csv").write_text("1,0.5\n2,1.5\n")
    (tmp_path / "test.csv").write_text("3,0\n4,1\n")
    ds = load_dataset(tmp_path / "train.csv", test=tmp_path / "test.csv")
    assert ds.task == "regression" and ds.Y_test.tolist() == [[0.0, 1.0]]


def test_every_dataset_keeps_its_promises(tmp_path):
    np.savez(tmp_path / "a.npz", X=np.arange(6, dtype=np.int16).reshape(3, 2), Y=np.array([1, 0, 1]),
             X_test=np.ones((1, 2), dtype=np.float32), Y_test=np.array([0]))
    ds = load_dataset(tmp_path / "a.npz")
    for A in (ds.X, ds.Y, ds.X_test, ds.Y_test):
        assert A.dtype == np.float64 and A.ndim == 2 and A.flags["C_CONTIGUOUS"]
        assert np.isfinite(A).all()
    assert ds.n_x == ds.X_test.shape[0] == 2 and ds.m == 3 and ds.m_test == 1
    assert ds.name == "a.npz" and ds.source == str(tmp_path / "a.npz")


def test_large_csv_is_refused_before_parsing(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(("0.5," * 99 + "1\n") * 2000)
    message = error_of(path, memory_limit=1_000_000)
    assert "X (about 2000 rows × 100 columns) would need" in message
    assert "only 1.0 MB of memory is available" in message


def test_memory_helpers():
    assert format_size(512) == "512 B" and format_size(38.1e9) == "38.1 GB"
    available = available_memory()
    assert available is None or available > 0


def test_file_filters_cover_every_format():
    first = FILE_FILTERS.split(";;")[0]
    for pattern in ("*.csv", "*.tsv", "*.txt", "*.npz", "*.npy", "*.h5", "*.hdf5"):
        assert pattern in first
    assert FILE_FILTERS.endswith("All files (*)")


@pytest.mark.parametrize("train,test", [
    ("train_catvnoncat.h5", "test_catvnoncat.h5"),
    ("mnist_train.csv", "mnist_test.csv"),
    ("Train-set.npz", "Test-set.npz"),
    ("X_TRAIN.npy", "X_TEST.npy"),
    ("X.npy", "X_test.npy"),
])
def test_companion_test_file(tmp_path, train, test):
    (tmp_path / train).write_text("x")
    assert companion_test_file(tmp_path / train) is None
    (tmp_path / test).write_text("x")
    assert companion_test_file(tmp_path / train) == tmp_path / test


def test_companion_test_folder_and_no_companion(tmp_path):
    (tmp_path / "train").mkdir()
    (tmp_path / "test").mkdir()
    assert companion_test_file(tmp_path / "train") == tmp_path / "test"
    (tmp_path / "training.csv").write_text("x")
    (tmp_path / "testing.csv").write_text("x")
    assert companion_test_file(tmp_path / "training.csv") is None
    assert companion_test_file("demo:images") is None
    assert companion_test_file(tmp_path / "test") is None


def test_cli_path_imports_neither_qt_nor_h5py_for_other_formats(tmp_path):
    (tmp_path / "d.csv").write_text("1,2,0\n3,4,1\n")
    code = ("import sys; from nnviz.data import load_dataset, describe; "
            f"describe(load_dataset({str(tmp_path / 'd.csv')!r})); describe(load_dataset('demo:images')); "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'h5py', 'pyqtgraph'))]; "
            "print(bad)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
