"""Property tests: random bytes, truncated files and random shapes give a valid Dataset or a DataError."""
from __future__ import annotations

import io
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from nnviz.data import DataError, Dataset, load_dataset  # noqa: E402

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
EXTENSIONS = (".csv", ".tsv", ".txt", ".npz", ".npy", ".h5", ".hdf5", ".mat", ".dat")


def check(ds: Dataset) -> None:
    """The promises of every Dataset load_dataset returns."""
    assert ds.X.dtype == np.float64 and ds.X.flags["C_CONTIGUOUS"] and ds.X.ndim == 2
    assert ds.m >= 1 and ds.n_x >= 1
    assert ds.Y.dtype == np.float64 and ds.Y.ndim == 2 and ds.Y.shape[1] == ds.m
    assert np.isfinite(ds.X).all() and np.isfinite(ds.Y).all()
    if ds.X_test is not None:
        assert ds.X_test.shape[0] == ds.n_x and ds.Y_test.shape == (ds.n_y, ds.m_test)


def load_or_data_error(path, **kwargs) -> Dataset | None:
    """Load; only a one-line DataError may escape."""
    try:
        ds = load_dataset(path, **kwargs)
    except DataError as err:
        assert str(err) and "\n" not in str(err)
        return None
    check(ds)
    return ds


def _samples() -> dict[str, bytes]:
    """Valid files of every format, as bytes, to cut and damage."""
    files: dict[str, bytes] = {}
    rng = np.random.default_rng(0)
    rows = [",".join(f"{v:.4f}" for v in row) + f",{i % 3}" for i, row in enumerate(rng.normal(size=(60, 5)))]
    files[".csv"] = ("a,b,c,d,e,label\n" + "\n".join(rows) + "\n").encode()
    files[".tsv"] = files[".csv"].replace(b",", b"\t")
    buffer = io.BytesIO()
    np.savez_compressed(buffer, X=rng.normal(size=(5, 60)), Y=rng.integers(0, 2, 60))
    files[".npz"] = buffer.getvalue()
    buffer = io.BytesIO()
    np.save(buffer, rng.normal(size=(60, 5)))
    files[".npy"] = buffer.getvalue()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f["train_set_x"] = rng.integers(0, 256, (20, 8, 8, 3), dtype=np.uint8)
        f["train_set_y"] = rng.integers(0, 2, 20)
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    files[".h5"] = buffer.getvalue()
    try:
        import scipy.io
    except ImportError:
        return files
    buffer = io.BytesIO()  # MATLAB v5, uncompressed: every header byte is exposed to damage
    scipy.io.savemat(buffer, {"X": rng.normal(size=(20, 3)), "y": rng.integers(0, 2, (20, 1)) * 1.0,
                              "Xval": rng.normal(size=(6, 3)), "yval": np.ones((6, 1))})
    files[".mat"] = buffer.getvalue()
    return files


SAMPLES = _samples()


def _write_png(path, seed: int) -> None:
    from PySide6.QtGui import QImage

    pixels = np.random.default_rng(seed).integers(0, 256, (9, 9, 3), dtype=np.uint8)
    image = QImage(pixels.data, 9, 9, 27, QImage.Format.Format_RGB888).copy()
    assert image.save(str(path))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=st.binary(max_size=3000), extension=st.sampled_from(EXTENSIONS))
def test_random_bytes(folder, data, extension):
    path = folder / f"random{extension}"
    path.write_bytes(data)
    if extension == ".npy":
        np.save(folder / "random_y.npy", np.zeros(3))  # the partner exists: the X file is what breaks
        path = folder / "random_x.npy"
        path.write_bytes(data)
    load_or_data_error(path)


@FUZZ
@given(data=st.binary(max_size=2000), start=st.sampled_from([b"", b"\x89HDF\r\n\x1a\n",
                                                              b"PK\x03\x04", b"\x93NUMPY\x01\x00"]))
def test_random_bytes_behind_a_real_signature(folder, data, start):
    for extension in (".h5", ".npz", ".npy", ""):
        path = folder / f"signed{extension}"
        path.write_bytes(start + data)
        load_or_data_error(path)


@FUZZ
@given(extension=st.sampled_from(sorted(SAMPLES)), cut=st.floats(0, 1))
def test_truncated_files(folder, extension, cut):
    whole = SAMPLES[extension]
    path = folder / f"cut{extension}"
    if extension == ".npy":
        np.save(folder / "cut_y.npy", np.zeros(60))
        path = folder / "cut_x.npy"
    path.write_bytes(whole[: int(len(whole) * cut)])
    load_or_data_error(path)


@FUZZ
@given(extension=st.sampled_from(sorted(SAMPLES)), position=st.floats(0, 1), value=st.integers(0, 255))
def test_damaged_files(folder, extension, position, value):
    data = bytearray(SAMPLES[extension])
    data[min(int(len(data) * position), len(data) - 1)] = value
    path = folder / f"damaged{extension}"
    if extension == ".npy":
        np.save(folder / "damaged_y.npy", np.zeros(60))
        path = folder / "damaged_x.npy"
    path.write_bytes(bytes(data))
    load_or_data_error(path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), cut=st.floats(0, 1), seed=st.integers(0, 3))
def test_image_folders_with_random_and_truncated_pictures(folder, data, cut, seed):
    root = folder / f"pictures{seed}"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True, exist_ok=True)
        _write_png(root / name / "good.png", seed)
    (root / "a" / "random.png").write_bytes(data)
    whole = (root / "b" / "good.png").read_bytes()
    (root / "b" / "cut.png").write_bytes(whole[: int(len(whole) * cut)])
    ds = load_or_data_error(root, image_size=5)
    if ds is not None:
        assert ds.example_shape == (5, 5, 3) and 0 <= ds.X.min() and ds.X.max() <= 1


CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 5).map(str),
    st.sampled_from(["", "ten", "NA", '"1"', "1,5", "#", " ", "cat", "dog", "1e400", "\ufeff"]),
)


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=0, max_size=12),
       delimiter=st.sampled_from([",", ";", "\t", " "]), label=st.sampled_from([None, 0, -1, 7, "label"]))
def test_random_tables(folder, rows, delimiter, label):
    path = folder / "table.csv"
    path.write_text("\n".join(delimiter.join(row) for row in rows), encoding="utf-8")
    load_or_data_error(path, label_column=label)


@FUZZ
@given(X=hnp.arrays(st.sampled_from([np.float64, np.float32, np.uint8, np.int32, np.bool_]),
                    hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6)),
       y_shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=6), seed=st.integers(0, 9))
def test_random_shapes_round_trip(folder, X, y_shape, seed):
    Y = np.random.default_rng(seed).integers(0, 2, y_shape)
    path = folder / "shapes.npz"
    np.savez(path, X=X, Y=Y)
    ds = load_or_data_error(path, scale=False)
    if ds is None:
        return
    if X.ndim == 2 and ds.m == X.shape[1]:
        np.testing.assert_array_equal(ds.X, X.astype(np.float64))
    elif X.ndim == 2:
        np.testing.assert_array_equal(ds.X, X.T.astype(np.float64))
    else:
        np.testing.assert_array_equal(ds.X, X.reshape(ds.m, -1).T.astype(np.float64))


@FUZZ
@given(m=st.integers(1, 30), n_x=st.integers(1, 6), classes=st.integers(2, 5), seed=st.integers(0, 99))
def test_csv_round_trip(folder, m, n_x, classes, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m))
    labels = rng.integers(0, classes, m)
    assume(len(np.unique(labels)) == classes)
    path = folder / "round.csv"
    path.write_text("".join(",".join(repr(float(v)) for v in X[:, j]) + f",c{labels[j]}\n" for j in range(m)))
    ds = load_dataset(path)
    np.testing.assert_array_equal(ds.X, X)
    index = ds.Y[0] if classes == 2 else ds.Y.argmax(axis=0)
    np.testing.assert_array_equal(index, labels)


@FUZZ
@given(extension=st.sampled_from([".npy", ".npz", ".h5"]), position=st.integers(0, 160),
       value=st.integers(0, 255))
def test_damaged_headers(folder, extension, position, value):
    """The first bytes hold the signature and the header (shapes, types): damage them there."""
    data = bytearray(SAMPLES[extension])
    data[position] = value
    path = folder / f"header{extension}"
    if extension == ".npy":
        np.save(folder / "header_y.npy", np.zeros(60))
        path = folder / "header_x.npy"
    path.write_bytes(bytes(data))
    load_or_data_error(path)
