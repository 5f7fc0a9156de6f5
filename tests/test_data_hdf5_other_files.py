"""HDF5 files never make nnviz read files the user did not choose: external raw storage, virtual
datasets, soft and external links, each built with h5py in the test."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from nnviz.data import load_dataset

from data_helpers import error_of

LABELS = np.array([0, 1, 1, 0, 1, 0], dtype=np.int64)


def secret(path):
    """A file of 48 bytes the user never chose (it could be a key, a password file …)."""
    path.write_bytes(bytes(range(48)))
    return path


def test_external_raw_storage_is_refused(tmp_path):
    other = secret(tmp_path / "elsewhere.bin")
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("X", shape=(1, 6), dtype="f8", external=[(str(other), 0, 48)])
        f["Y"] = LABELS
    message = error_of(path)
    assert message == (f"{path} key 'X': keeps its data in another file ({other}); nnviz reads "
                       "only the file you chose and files in its folder: save the array inside "
                       "the HDF5 file")


def test_external_raw_storage_of_the_labels_is_refused_too(tmp_path):
    other = tmp_path / "labels.bin"
    other.write_bytes(LABELS.astype("<i8").tobytes())
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as f:
        f["X"] = np.ones((2, 6))
        f.create_dataset("Y", shape=(6,), dtype="<i8", external=[("labels.bin", 0, 48)])
    assert "key 'Y': keeps its data in another file (labels.bin)" in error_of(path)


def virtual_file(path, sources, shape=(2, 6)):
    """X as a virtual dataset: column block i of X comes from sources[i] (file name, key)."""
    layout = h5py.VirtualLayout(shape=shape, dtype="f8")
    width = shape[1] // len(sources)
    for i, (name, key) in enumerate(sources):
        layout[:, i * width:(i + 1) * width] = h5py.VirtualSource(name, key, shape=(shape[0], width))
    with h5py.File(path, "w") as f:
        f.create_virtual_dataset("X", layout, fillvalue=-7.0)
        f["Y"] = LABELS


def part(path, values):
    with h5py.File(path, "w") as f:
        f["part"] = values


def test_virtual_dataset_with_every_source_beside_it_loads(tmp_path, monkeypatch):
    a, b = np.arange(6.0).reshape(2, 3), -np.arange(6.0).reshape(2, 3)
    (tmp_path / "parts").mkdir()
    part(tmp_path / "a.h5", a)
    part(tmp_path / "parts" / "b.h5", b)
    virtual_file(tmp_path / "v.h5", [("a.h5", "part"), ("parts/b.h5", "part")])
    # files of the same names in the current folder and in HDF5_VDS_PREFIX are not read
    elsewhere = tmp_path.parent / (tmp_path.name + "-cwd")
    (elsewhere / "parts").mkdir(parents=True)
    part(elsewhere / "a.h5", np.full((2, 3), 99.0))
    part(elsewhere / "parts" / "b.h5", np.full((2, 3), 99.0))
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("HDF5_VDS_PREFIX", str(elsewhere) + "/")
    ds = load_dataset(tmp_path / "v.h5")
    np.testing.assert_array_equal(ds.X, np.hstack([a, b]))
    np.testing.assert_array_equal(ds.Y[0], LABELS)


def test_virtual_dataset_inside_one_file_loads(tmp_path):
    path = tmp_path / "self.h5"
    layout = h5py.VirtualLayout(shape=(2, 6), dtype="f8")
    layout[:] = h5py.VirtualSource(".", "raw", shape=(2, 6))
    with h5py.File(path, "w") as f:
        f["raw"] = np.arange(12.0).reshape(2, 6)
        f.create_virtual_dataset("X", layout)
        f["Y"] = LABELS
    np.testing.assert_array_equal(load_dataset(path).X, np.arange(12.0).reshape(2, 6))


def test_virtual_dataset_with_a_missing_source_names_it(tmp_path):
    part(tmp_path / "a.h5", np.zeros((2, 3)))
    virtual_file(tmp_path / "v.h5", [("a.h5", "part"), ("b.h5", "part")])
    message = error_of(tmp_path / "v.h5")
    assert message == (f"{tmp_path / 'v.h5'} key 'X': is a virtual dataset that reads b.h5, which "
                       "does not exist beside the file; copy it there or save the data inside the file")


def test_virtual_dataset_with_a_missing_source_key_names_it(tmp_path):
    part(tmp_path / "a.h5", np.zeros((2, 3)))
    virtual_file(tmp_path / "v.h5", [("a.h5", "part"), ("a.h5", "gone")])
    message = error_of(tmp_path / "v.h5")
    assert "is a virtual dataset that reads a.h5:gone, which does not exist" in message


@pytest.mark.parametrize("where", ["absolute", "parent"])
def test_virtual_dataset_reading_outside_the_folder_is_refused(tmp_path, where):
    (tmp_path / "chosen").mkdir()
    part(tmp_path / "outside.h5", np.zeros((2, 6)))
    name = str(tmp_path / "outside.h5") if where == "absolute" else "../outside.h5"
    virtual_file(tmp_path / "chosen" / "v.h5", [(name, "part")])
    message = error_of(tmp_path / "chosen" / "v.h5")
    assert f"is a virtual dataset that reads another file, {name}, outside the folder of" in message


def test_symlinked_source_pointing_outside_is_refused(tmp_path):
    (tmp_path / "chosen").mkdir()
    part(tmp_path / "outside.h5", np.zeros((2, 6)))
    (tmp_path / "chosen" / "inside.h5").symlink_to(tmp_path / "outside.h5")
    virtual_file(tmp_path / "chosen" / "v.h5", [("inside.h5", "part")])
    assert "reads another file, inside.h5, outside the folder" in error_of(tmp_path / "chosen" / "v.h5")


def test_dangling_soft_link_is_named(tmp_path):
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f["X"] = h5py.SoftLink("/data/features")
        f["Y"] = LABELS
    assert error_of(path) == (f"{path} key 'X': is a link to '/data/features', which does not "
                              "exist in d.h5")


def test_soft_links_inside_the_file_are_followed(tmp_path):
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f["data/features"] = np.ones((3, 6))
        f["X"] = h5py.SoftLink("/data/features")
        f["Y"] = LABELS
    assert load_dataset(path).X.shape == (3, 6)


def test_dangling_external_link_is_named(tmp_path):
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f["X"] = h5py.ExternalLink("features.h5", "/X")
        f["Y"] = LABELS
    message = error_of(path)
    assert message.startswith(f"{path} key 'X': is a link to features.h5:/X that reads "
                              "features.h5, which does not exist beside the file")


def test_external_link_beside_the_file_is_followed_and_outside_refused(tmp_path):
    (tmp_path / "chosen").mkdir()
    with h5py.File(tmp_path / "chosen" / "features.h5", "w") as f:
        f["X"] = np.arange(12.0).reshape(2, 6)
    with h5py.File(tmp_path / "chosen" / "d.h5", "w") as f:
        f["X"] = h5py.ExternalLink("features.h5", "/X")
        f["Y"] = LABELS
    np.testing.assert_array_equal(load_dataset(tmp_path / "chosen" / "d.h5").X,
                                  np.arange(12.0).reshape(2, 6))
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["X"] = h5py.ExternalLink(str(tmp_path / "chosen" / "features.h5"), "/X")
        f["Y"] = LABELS
    (tmp_path / "mine").mkdir()
    (tmp_path / "other.h5").rename(tmp_path / "mine" / "other.h5")
    assert "outside the folder of" in error_of(tmp_path / "mine" / "other.h5")


def test_links_in_a_circle_are_refused(tmp_path):
    path = tmp_path / "loop.h5"
    with h5py.File(path, "w") as f:
        f["X"] = h5py.SoftLink("/Z")
        f["Z"] = h5py.SoftLink("/X")
        f["Y"] = LABELS
    assert "its links go round in circles" in error_of(path)


def test_a_dangling_link_nobody_asked_for_does_not_stop_the_load(tmp_path):
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f["X"] = np.ones((2, 6))
        f["Y"] = LABELS
        f["notes"] = h5py.SoftLink("/gone")
    assert load_dataset(path).m == 6


def test_virtual_dataset_of_sliced_sources_reads_the_same_numbers_as_hdf5(tmp_path):
    """Sources taken in slices (and an unmapped block left at the fill value), read by nnviz,
    give exactly what h5py itself reads from the same virtual dataset."""
    big = np.arange(24.0).reshape(4, 6)
    part(tmp_path / "big.h5", big)
    source = h5py.VirtualSource(tmp_path / "big.h5", "part", shape=(4, 6))
    layout = h5py.VirtualLayout(shape=(2, 9), dtype="f8")
    layout[:, 0:3] = source[1:3, 3:6]
    layout[:, 3:6] = source[::2, 0:6:2]
    with h5py.File(tmp_path / "v.h5", "w") as f:
        f.create_virtual_dataset("X", layout, fillvalue=-1.0)
        f["Y"] = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1])
    with h5py.File(tmp_path / "v.h5") as f:
        expected = f["X"][()]
    assert (expected[:, 6:] == -1).all() and expected[0, 0] == big[1, 3]
    np.testing.assert_array_equal(load_dataset(tmp_path / "v.h5").X, expected)


def test_virtual_dataset_of_irregular_and_point_selections(tmp_path):
    big = np.arange(40.0).reshape(5, 8)
    part(tmp_path / "big.h5", big)
    with h5py.File(tmp_path / "big.h5") as f:
        space = f["part"].id.get_space()
    space.select_hyperslab((0, 0), (1, 1), block=(1, 3))
    space.select_hyperslab((4, 5), (1, 1), block=(1, 3), op=h5py.h5s.SELECT_OR)  # irregular: 6 cells
    layout = h5py.VirtualLayout(shape=(2, 6), dtype="f8")
    source = h5py.VirtualSource(tmp_path / "big.h5", "part", shape=(5, 8))
    source.sel = h5py._hl.selections.Selection(source.shape, spaceid=space)
    layout[0, :] = source
    layout[1, :] = h5py.VirtualSource(tmp_path / "big.h5", "part", shape=(5, 8))[3, 2:8]
    with h5py.File(tmp_path / "v.h5", "w") as f:
        f.create_virtual_dataset("X", layout)
        f["Y"] = LABELS
    with h5py.File(tmp_path / "v.h5") as f:
        expected = f["X"][()]
    np.testing.assert_array_equal(expected[0], [0, 1, 2, 37, 38, 39])
    np.testing.assert_array_equal(load_dataset(tmp_path / "v.h5").X, expected)


@pytest.mark.parametrize("value", [0xFF, ord("K")])
def test_a_damaged_key_name_gets_one_line(tmp_path, value):
    """A byte of a dataset's name overwritten on disk: not UTF-8 (h5py then gives bytes) or
    another letter (the name is listed but its lookup fails)."""
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f["train_set_x"] = np.ones((2, 6))
        f["train_set_y"] = LABELS
    data = bytearray(path.read_bytes())
    at = data.find(b"train_set_x")
    assert at > 0
    data[at + 7] = value
    path.write_bytes(bytes(data))
    message = error_of(path)  # one line, whatever the damage does to the listing
    assert message.startswith(f"{path}: no features array; expected a key named")
    assert "train_s\ufffdt_x" in message or "train_sKt_x" in message
