"""MATLAB .mat files: v5 through scipy.io, v7.3 through h5py, written in the tests as MATLAB
lays them out (rows are examples), and the course 2 data.mat where it is present."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest

from nnviz.cli import main
from nnviz.data import FILE_FILTERS, describe, load_dataset

from data_helpers import error_of

sio = pytest.importorskip("scipy.io")
ROOT = Path(__file__).resolve().parents[1]


def ex4_like(path, m=5000, n_x=400):
    """The classic backprop exercise's ex4data1.mat layout: X (5000, 400), y (5000, 1) in 1..10
    (10 stands for the digit 0), saved compressed as MATLAB's save does."""
    rng = np.random.default_rng(4)
    X = rng.random((m, n_x))
    y = (np.arange(m) // (m // 10) + 1).reshape(m, 1).astype(np.float64)
    sio.savemat(path, {"X": X, "y": y}, do_compression=True)
    return X, y


def mat73(path, arrays: dict, classes: dict | None = None):
    """A MATLAB v7.3 file: HDF5 behind a 512-byte MATLAB header, every array stored transposed
    (MATLAB is column-major) with its MATLAB_class attribute."""
    classes = classes or {}
    with h5py.File(path, "w", userblock_size=512) as f:
        for key, value in arrays.items():
            value = np.asarray(value)
            f[key] = value.T
            f[key].attrs["MATLAB_class"] = np.bytes_(classes.get(key, "double"))
    text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Tue Dec  1 10:00:00 2026 HDF5 schema 1.00 ."
    header = text.ljust(116, b" ") + b"\0" * 8 + struct.pack("<H", 0x0200) + b"IM"
    with open(path, "r+b") as fh:
        fh.write(header)


def test_course2_data_mat_loads_as_the_course_uses_it(course2_mat):
    raw = sio.loadmat(course2_mat, mat_dtype=True)  # y is class double, stored as uint8
    ds = load_dataset(course2_mat)
    assert (ds.X.shape, ds.Y.shape, ds.X_test.shape, ds.Y_test.shape) == (
        (2, 211), (1, 211), (2, 200), (1, 200))
    assert ds.X.tobytes() == np.ascontiguousarray(raw["X"].T).tobytes()  # train_X = data['X'].T
    assert ds.Y.tobytes() == np.ascontiguousarray(raw["y"].T).tobytes()
    assert ds.X_test.tobytes() == np.ascontiguousarray(raw["Xval"].T).tobytes()
    assert ds.Y_test.tobytes() == np.ascontiguousarray(raw["yval"].T).tobytes()
    assert ds.task == "binary" and ds.default_output() == "sigmoid"


def test_nnviz_info_on_course2_data_mat(course2_mat, capsys):
    assert main(["info", str(course2_mat)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == ["X: (2, 211)", "Y: (1, 211)", "X_test: (2, 200)", "Y_test: (1, 200)"]
    assert "classes: 0 105, 1 106" in out


def test_ex4data1_layout_gives_ten_one_hot_classes(tmp_path):
    X, y = ex4_like(tmp_path / "ex4data1.mat")
    ds = load_dataset(tmp_path / "ex4data1.mat")
    assert ds.X.shape == (400, 5000) and ds.Y.shape == (10, 5000)
    assert ds.X.tobytes() == np.ascontiguousarray(X.T).tobytes()
    assert ds.class_names == [str(k) for k in range(1, 11)]
    np.testing.assert_array_equal(ds.Y.argmax(axis=0) + 1, y[:, 0])
    assert ds.default_output() == "softmax"


def test_v73_file_through_h5py_gives_the_same_dataset_as_v5(tmp_path):
    rng = np.random.default_rng(7)
    arrays = {"X": rng.normal(size=(30, 3)), "y": (rng.random((30, 1)) > 0.5) * 1.0,
              "Xval": rng.normal(size=(8, 3)), "yval": np.ones((8, 1))}
    mat73(tmp_path / "new.mat", arrays)
    sio.savemat(tmp_path / "old.mat", arrays)
    new, old = load_dataset(tmp_path / "new.mat"), load_dataset(tmp_path / "old.mat")
    for name in ("X", "Y", "X_test", "Y_test"):
        assert getattr(new, name).tobytes() == getattr(old, name).tobytes(), name
    assert new.X.shape == (3, 30)


def test_v73_needs_no_scipy_and_v5_names_the_extra_without_it(tmp_path, monkeypatch):
    mat73(tmp_path / "new.mat", {"X": np.ones((4, 2)), "y": np.array([[0], [1], [1], [0]])})
    sio.savemat(tmp_path / "old.mat", {"X": np.ones((4, 2)), "y": np.array([[0], [1], [1], [0]])})
    monkeypatch.setitem(sys.modules, "scipy", None)  # as if scipy were not installed
    monkeypatch.setitem(sys.modules, "scipy.io", None)
    assert load_dataset(tmp_path / "new.mat").m == 4
    assert error_of(tmp_path / "old.mat") == (f"{tmp_path / 'old.mat'}: reading MATLAB .mat files "
                                              "(v5) needs scipy: pip install 'nnviz[mat]'")


def test_matlab_objects_are_refused_without_being_built(tmp_path, monkeypatch):
    from scipy.io.matlab import MatlabObject

    obj = MatlabObject(np.zeros((1, 1), dtype=[("a", "O")]), "evil")
    obj[0, 0]["a"] = np.ones((1, 1))
    sio.savemat(tmp_path / "obj.mat", {"X": np.ones((4, 2)), "y": obj})
    calls = []
    real = sio.loadmat
    monkeypatch.setattr(sio, "loadmat", lambda *a, **k: calls.append(k) or real(*a, **k))
    message = error_of(tmp_path / "obj.mat")
    assert message == (f"{tmp_path / 'obj.mat'} key 'y': is a MATLAB object; nnviz never loads "
                       "MATLAB objects or function handles — save plain numeric matrices")
    assert calls == []  # refused from the listing: nothing was read


def test_double_stored_as_bytes_is_not_divided_by_255(tmp_path):
    """MATLAB saves a double matrix of small whole numbers with uint8 storage; it is still class
    double, so nnviz reads it as numbers, not as 8-bit pixels to divide by 255."""
    path = tmp_path / "counts.mat"
    sio.savemat(path, {"X": np.array([[3, 200], [7, 9], [0, 1]], dtype=np.uint8), "y": np.ones((3, 1))})
    data = bytearray(path.read_bytes())
    _, size = struct.unpack_from("<II", data, 128)
    assert data[128 + 16] == 9  # the first variable, X: mxUINT8_CLASS
    data[128 + 16] = 6  # -> mxDOUBLE_CLASS, the data left as miUINT8 as MATLAB writes it
    path.write_bytes(bytes(data))
    assert sio.whosmat(path)[0] == ("X", (3, 2), "double")
    np.testing.assert_array_equal(load_dataset(path).X, [[3, 7, 0], [200, 9, 1]])


def test_uint8_class_pictures_are_scaled_like_every_format(tmp_path):
    pictures = np.arange(5 * 2 * 2 * 3, dtype=np.uint8).reshape(5, 2, 2, 3)
    sio.savemat(tmp_path / "p.mat", {"X": pictures, "y": np.array([[0], [1], [0], [1], [1]])})
    ds = load_dataset(tmp_path / "p.mat")
    assert ds.example_shape == (2, 2, 3)
    np.testing.assert_array_equal(ds.X, pictures.reshape(5, -1).T / 255)


def function_handle_file(path):
    """A v5 file whose 'y' is a function handle (mxFUNCTION_CLASS), as MATLAB saves @sin."""
    sio.savemat(path, {"X": np.ones((4, 2)), "y": {"f": np.ones((1, 1))}})
    data = bytearray(path.read_bytes())
    at = 128
    while at < len(data):  # each variable: miMATRIX tag, then the array-flags sub-element
        _, size = struct.unpack_from("<II", data, at)
        if data[at + 16] == 2:  # mxSTRUCT_CLASS -> mxFUNCTION_CLASS
            data[at + 16] = 16
        at += 8 + size
    path.write_bytes(bytes(data))


def test_function_handles_are_refused(tmp_path):
    function_handle_file(tmp_path / "fh.mat")
    assert "key 'y': is a MATLAB function handle; nnviz never loads" in error_of(tmp_path / "fh.mat")


def test_v73_function_handles_objects_and_cells_are_refused(tmp_path):
    for cls, words in (("function_handle", "is a MATLAB function handle"),
                       ("cell", "is a MATLAB cell array"), ("myPackage.Model", "of MATLAB class")):
        path = tmp_path / f"{cls}.mat"
        mat73(path, {"X": np.ones((4, 2)), "y": np.ones((4, 1))}, {"y": cls})
        assert words in error_of(path), cls


@pytest.mark.parametrize("value,words", [
    (np.array([[1, "a"]], dtype=object), "is a MATLAB cell array; expected a numeric matrix"),
    ({"a": 1}, "is a MATLAB struct; expected a numeric matrix"),
])
def test_cells_and_structs_as_features_are_refused(tmp_path, value, words):
    sio.savemat(tmp_path / "c.mat", {"X": value, "y": np.ones((4, 1))})
    assert error_of(tmp_path / "c.mat") == f"{tmp_path / 'c.mat'} key 'X': {words}"


def test_sparse_and_complex_matrices_get_a_message(tmp_path):
    import scipy.sparse

    sio.savemat(tmp_path / "s.mat", {"X": scipy.sparse.eye(4, format="csc"), "y": np.ones((4, 1))})
    assert "key 'X': is a sparse matrix (save it with full(X))" in error_of(tmp_path / "s.mat")
    sio.savemat(tmp_path / "c.mat", {"X": np.ones((4, 2)) * 1j, "y": np.ones((4, 1))})
    assert "key 'X': holds complex numbers; expected real numbers" in error_of(tmp_path / "c.mat")


def test_memory_is_checked_before_reading(tmp_path, monkeypatch):
    ex4_like(tmp_path / "ex4data1.mat")
    monkeypatch.setattr(sio, "loadmat", lambda *a, **k: pytest.fail("read before the check"))
    message = error_of(tmp_path / "ex4data1.mat", memory_limit=1_000_000)
    assert message.startswith(f"{tmp_path / 'ex4data1.mat'}: X (5000 × 400) would need ")


def test_char_labels_are_class_names(tmp_path):
    names = np.array(["cat   ", "dog   ", "cat   ", "mouse "])  # a MATLAB char matrix pads rows
    sio.savemat(tmp_path / "n.mat", {"X": np.arange(8.0).reshape(4, 2), "y": names})
    ds = load_dataset(tmp_path / "n.mat")
    assert ds.class_names == ["cat", "dog", "mouse"]
    np.testing.assert_array_equal(ds.Y.argmax(axis=0), [0, 1, 0, 2])


@pytest.mark.parametrize("cut", [60, 200, 400])
def test_damaged_files_get_one_line(tmp_path, cut):
    ex4_like(tmp_path / "whole.mat", m=50, n_x=20)
    (tmp_path / "cut.mat").write_bytes((tmp_path / "whole.mat").read_bytes()[:cut])
    message = error_of(tmp_path / "cut.mat")
    assert message.startswith(str(tmp_path / "cut.mat"))


def test_extensionless_mat_file_and_the_file_dialog_filter(tmp_path):
    ex4_like(tmp_path / "digits", m=20, n_x=4)
    assert load_dataset(tmp_path / "digits").X.shape == (4, 20)
    assert "*.mat" in FILE_FILTERS.split(";;")[0] and "MATLAB (*.mat)" in FILE_FILTERS


def test_describe_a_mat_file(tmp_path):
    ex4_like(tmp_path / "ex4data1.mat", m=100, n_x=5)
    assert "classes: 1 10, 2 10, 3 10" in describe(load_dataset(tmp_path / "ex4data1.mat"))


def _open_in_window(window, path, monkeypatch, qtbot, wait_idle):
    from PySide6.QtWidgets import QFileDialog

    seen = {}

    def fake_dialog(parent, caption, directory, filters):
        seen["filters"] = filters
        return str(path), "MATLAB (*.mat)"

    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake_dialog)
    with qtbot.waitSignal(window.session.dataset_changed, timeout=10_000):
        window.actionOpenDataset.trigger()
    wait_idle(window.session)
    assert "MATLAB (*.mat)" in seen["filters"].split(";;")
    return window.session.dataset


def test_the_window_opens_a_mat_file_from_its_dialog(default_window, monkeypatch, qtbot, wait_idle,
                                                      tmp_path):
    ex4_like(tmp_path / "ex4data1.mat", m=200, n_x=16)
    ds = _open_in_window(default_window, tmp_path / "ex4data1.mat", monkeypatch, qtbot, wait_idle)
    assert ds.X.shape == (16, 200) and ds.Y.shape == (10, 200)
    assert default_window.session.spec.sizes[0] == 16 and default_window.session.spec.sizes[-1] == 10
    assert default_window.recent_files()[0] == str(tmp_path / "ex4data1.mat")


def test_the_window_opens_course2_data_mat(default_window, monkeypatch, qtbot, wait_idle, course2_mat):
    ds = _open_in_window(default_window, course2_mat, monkeypatch, qtbot, wait_idle)
    assert (ds.X.shape, ds.X_test.shape) == ((2, 211), (2, 200))
    assert default_window.session.spec.sizes[0] == 2


def _patch_data_type(path, compressed: bool):
    """Give the second variable's data a data type that does not exist (75), in place."""
    data = bytearray(path.read_bytes())
    _, size = struct.unpack_from("<II", data, 128)
    second = 128 + 8 + size
    if not compressed:
        data[second + 48] = 75  # tag 8, flags 16, dims 16, name (small) 8, then the data tag
        path.write_bytes(bytes(data))
        return
    _, csize = struct.unpack_from("<II", data, second)
    inner = bytearray(zlib.decompress(bytes(data[second + 8:second + 8 + csize])))
    inner[48] = 75
    packed = zlib.compress(bytes(inner))
    path.write_bytes(bytes(data[:second]) + struct.pack("<II", 15, len(packed)) + packed)


@pytest.mark.parametrize("compressed", [False, True])
def test_a_damaged_data_type_is_refused_instead_of_crashing(tmp_path, compressed):
    """scipy's C reader trusts a matrix's data type; a damaged one used to kill the process."""
    path = tmp_path / "damaged.mat"
    sio.savemat(path, {"X": np.ones((4, 2)), "y": np.ones((4, 1))}, do_compression=compressed)
    _patch_data_type(path, compressed)
    code = ("import sys\nfrom nnviz.data import load_dataset, DataError\n"
            "try:\n    load_dataset(sys.argv[1])\nexcept DataError as err:\n    print(err)\n")
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert run.returncode == 0, run.stderr[-500:]
    assert run.stdout == (f"{path} key 'y': is damaged (its MATLAB data header does not hold "
                          "together); save it again\n")


def test_a_compressed_variable_nobody_asked_for_is_never_inflated(tmp_path):
    """A 64 MB matrix of zeros compresses to ~60 KB; scipy's own listing and loadmat inflate
    every variable they pass. nnviz inflates only the first bytes of each and the one it reads."""
    import tracemalloc

    path = tmp_path / "bomb.mat"
    sio.savemat(path, {"junk": np.zeros((4000, 2000)), "X": np.ones((6, 2)),
                       "y": np.array([[0], [1], [1], [0], [1], [0]])}, do_compression=True)
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        ds = load_dataset(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ds.X.shape == (2, 6) and peak < 8_000_000  # the junk alone is 64 MB


def test_a_compressed_matrix_declaring_more_bytes_than_it_needs_is_refused(tmp_path):
    path = tmp_path / "long.mat"
    sio.savemat(path, {"X": np.ones((4, 2)), "y": np.ones((4, 1))}, do_compression=True)
    data = bytearray(path.read_bytes())
    _, csize = struct.unpack_from("<II", data, 128)
    inner = bytearray(zlib.decompress(bytes(data[136:136 + csize])))
    struct.pack_into("<I", inner, 4, 1 << 30)  # the matrix claims 1 GB
    inner += bytes(1 << 20)  # and the stream goes on
    packed = zlib.compress(bytes(inner))
    path.write_bytes(bytes(data[:128]) + struct.pack("<II", 15, len(packed)) + packed
                     + bytes(data[136 + csize:]))
    assert error_of(path) == (f"{path} key 'X': is damaged (its MATLAB data header does not hold "
                              "together); save it again")
