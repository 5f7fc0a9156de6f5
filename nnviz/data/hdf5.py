"""HDF5 files (.h5/.hdf5): the course's train_set_x/train_set_y layout and plain X/Y datasets."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np

from nnviz.data.arrays import load_arrays
from nnviz.data.dataset import Dataset
from nnviz.data.errors import DataError
from nnviz.data.memory import format_size
from nnviz.data.options import LoadOptions

log = logging.getLogger(__name__)

SIGNATURE = b"\x89HDF\r\n\x1a\n"


def reason(err: BaseException) -> str:
    """The first line of a library's error message (at most 160 characters), for a message."""
    text = str(err).strip()
    return text.splitlines()[0][:160] if text else type(err).__name__


def _open_error(where: str, err: BaseException) -> DataError:
    """Why h5py could not open the file, in words a user can act on."""
    why = reason(err)
    cut = re.search(r"truncated file: eof = (\d+).*stored_eof = (\d+)", why)
    if cut:
        have, full = (format_size(int(n)) for n in cut.groups())
        return DataError(f"{where}: is not a readable HDF5 file: it is truncated (it holds "
                         f"{have} of its {full}); copy or download it again")
    if "signature not found" in why:
        return DataError(f"{where}: is not a readable HDF5 file (no HDF5 signature); expected a "
                         "file saved with h5py or another HDF5 library")
    return DataError(f"{where}: is not a readable HDF5 file ({why}); the file may be damaged")


def _reselect(h5s, selection, space):
    """`selection` (an HDF5 dataspace selection) made on `space`'s extent instead of its own."""
    kind = selection.get_select_type()
    if kind == h5s.SEL_NONE:
        space.select_none()
    elif kind == h5s.SEL_POINTS:
        space.select_elements(selection.get_select_elem_pointlist())
    elif kind == h5s.SEL_HYPERSLABS and selection.is_regular_hyperslab():
        start, stride, count, block = selection.get_regular_hyperslab()
        space.select_hyperslab(start, count, stride, block)
    elif kind == h5s.SEL_HYPERSLABS:
        space.select_none()
        for low, high in selection.get_select_hyper_blocklist():
            space.select_hyperslab(tuple(low), (1,) * len(low), block=tuple(high - low + 1),
                                   op=h5s.SELECT_OR)
    return space  # SEL_ALL: a new space selects all of itself


MAX_LINK_HOPS = 16
#: what h5py raises on a damaged file; translated at this boundary
H5_ERRORS = (OSError, ValueError, TypeError, KeyError, RuntimeError, UnicodeDecodeError)
BESIDE = "nnviz reads only the file you chose and files in its folder"


class _Files:
    """The HDF5 files one load may read: the chosen file, and the files its links and virtual
    datasets name, opened by nnviz itself (never by HDF5's own search, which also looks in the
    current folder and in HDF5_EXT_PREFIX / HDF5_VDS_PREFIX) and only inside the chosen
    file's folder."""

    def __init__(self, h5py, path: Path, where: str) -> None:
        self.h5py = h5py
        self.where = where
        self.chosen = path.resolve()
        self.root = self.chosen.parent
        self._open: dict[Path, object] = {}

    def open(self, path: Path):
        path = path.resolve()
        if path not in self._open:
            self._open[path] = self.h5py.File(path, "r")
        return self._open[path]

    def beside(self, name: str, owner: Path, what: str):
        """The open file that `name` (as written in `owner`) means, or DataError."""
        if name == ".":
            return self.open(owner)
        target = Path(name)
        target = (target if target.is_absolute() else owner.resolve().parent / target).resolve()
        if not target.is_relative_to(self.root):
            raise DataError(f"{what} reads another file, {name}, outside the folder of "
                            f"{self.where}; {BESIDE}")
        if not target.is_file():
            raise DataError(f"{what} reads {name}, which does not exist beside the file; copy it "
                            "there or save the data inside the file")
        try:
            return self.open(target)
        except (OSError, ValueError, RuntimeError) as err:
            raise DataError(f"{what} reads {name}, which is not a readable HDF5 file "
                            f"({reason(err)})") from err

    def close(self) -> None:
        for file in self._open.values():
            file.close()
        self._open.clear()


class H5File:
    """The top-level datasets of an open HDF5 file, shapes known before reading.

    Links are followed by nnviz (soft links inside a file, external links to files in the
    chosen file's folder); a dangling link is named when its key is wanted.  Data kept in
    other files is refused (external raw storage) or read only when every source is present
    in the folder (virtual datasets)."""

    def __init__(self, path: Path, where: str) -> None:
        import h5py  # imported here: only HDF5 users pay for it

        self.where = where
        self._h5py = h5py
        self._files = _Files(h5py, path, where)
        self._datasets: dict[str, object] = {}
        self._broken: dict[str, DataError] = {}
        try:
            self._file = self._files.open(path)
            for key in self._file.keys():
                self._add(key)
        except (OSError, ValueError, KeyError, RuntimeError) as err:
            self.close()
            raise _open_error(where, err) from err
        except DataError:
            self.close()
            raise

    def _add(self, key: str | bytes) -> None:
        if isinstance(key, bytes):  # h5py gives names that are not UTF-8 as bytes
            key = key.decode("utf-8", "replace")
            self._broken[key] = DataError(f"{self.name(key)}: its name is not UTF-8 text; the "
                                          "file may be damaged")
            return
        try:
            found = self._follow(self._file, "/" + key, self.name(key))
        except DataError as err:
            self._broken[key] = err
            log.warning("%s", err)
            return
        if isinstance(found, self._h5py.Dataset):
            self._datasets[key] = found

    def _follow(self, file, path: str, what: str):
        """The object at `path` in `file`, following links one name at a time, or DataError."""
        h5py = self._h5py
        for hop in range(MAX_LINK_HOPS):
            node = file["/"]
            parts = [part for part in path.split("/") if part]
            for i, part in enumerate(parts):
                link = node.get(part, getlink=True)
                if link is None and hop == 0:
                    raise DataError(f"{what}: is listed in {Path(file.filename).name} but cannot "
                                    "be found there; the file may be damaged")
                if link is None:
                    raise DataError(f"{what}: is a link to '{path}', which does not exist in "
                                    f"{Path(file.filename).name}")
                if isinstance(link, h5py.SoftLink):
                    rest = "/".join(parts[i + 1:])
                    target = link.path if link.path.startswith("/") else f"{node.name}/{link.path}"
                    path = target + ("/" + rest if rest else "")
                    break
                if isinstance(link, h5py.ExternalLink):
                    rest = "/".join(parts[i + 1:])
                    file = self._files.beside(link.filename, Path(file.filename),
                                              f"{what}: is a link to {link.filename}:{link.path} that")
                    path = link.path + ("/" + rest if rest else "")
                    break
                node = node[part]  # a hard link: the object itself
            else:
                return node
        raise DataError(f"{what}: its links go round in circles (more than {MAX_LINK_HOPS} hops)")

    def close(self) -> None:
        self._files.close()

    def keys(self) -> list[str]:
        return list(self._datasets) + list(self._broken)

    def name(self, key: str) -> str:
        return f"{self.where} key '{key}'"

    def _dataset(self, key: str):
        if key in self._broken:
            raise self._broken[key]
        return self._datasets[key]

    def _damaged(self, key: str, err: BaseException) -> DataError:
        return DataError(f"{self.name(key)}: cannot be read ({reason(err)}); the file may be "
                         "truncated or damaged")

    def shape(self, key: str) -> tuple[int, ...]:
        try:
            shape = self._dataset(key).shape
        except H5_ERRORS as err:
            raise self._damaged(key, err) from err
        if shape is None:  # an empty (null dataspace) dataset
            raise DataError(f"{self.name(key)}: holds no data")
        return tuple(int(n) for n in shape)

    def dtype(self, key: str) -> np.dtype:
        try:
            return self._dataset(key).dtype
        except H5_ERRORS as err:  # e.g. a damaged float type numpy cannot represent
            raise self._damaged(key, err) from err

    def read(self, key: str) -> np.ndarray:
        dataset = self._dataset(key)
        try:
            if dataset.external:
                files = ", ".join(str(entry[0]) for entry in dataset.external)
                raise DataError(f"{self.name(key)}: keeps its data in another file ({files}); "
                                f"{BESIDE}: save the array inside the HDF5 file")
            if dataset.is_virtual:
                return self._read_virtual(key, dataset)
            if self._h5py.check_string_dtype(dataset.dtype) is not None:
                return np.asarray(dataset.asstr()[()], dtype=str).reshape(self.shape(key))
            return np.asarray(dataset[()])
        except MemoryError as err:
            raise DataError(f"{self.name(key)}: not enough memory to read it") from err
        except H5_ERRORS as err:
            raise self._damaged(key, err) from err

    def _read_virtual(self, key: str, dataset) -> np.ndarray:
        """A virtual dataset, its sources opened and read by nnviz: every source file must be in
        the chosen file's folder and every source dataset present, else DataError naming it."""
        what = f"{self.name(key)}: is a virtual dataset that"
        if dataset.dtype.kind not in "biuf":
            raise DataError(f"{what} holds {dataset.dtype}; expected numbers")
        owner = Path(dataset.file.filename)
        mapped = []
        for source in dataset.virtual_sources():
            if "%" in source.file_name or "%" in source.dset_name:
                raise DataError(f"{what} names its sources by a pattern ({source.file_name}); "
                                "save the array inside the file")
            file = self._files.beside(source.file_name, owner, what)
            shown = f"{source.file_name}:{source.dset_name}"
            try:
                found = self._follow(file, source.dset_name, f"{what} reads {shown}; it")
            except DataError as err:
                raise DataError(f"{what} reads {shown}, which does not exist") from err
            if not isinstance(found, self._h5py.Dataset):
                raise DataError(f"{what} reads {shown}, which is not a dataset")
            if found.is_virtual or found.external:
                raise DataError(f"{what} reads {shown}, whose data is in further files; "
                                "save the array inside the file")
            # the stored selections carry an extent of their own (the smallest that holds them,
            # or none for "all"): HDF5 applies them to the datasets' real extents, so does nnviz
            h5s = self._h5py.h5s
            selection = _reselect(h5s, source.src_space, found.id.get_space())
            region = _reselect(h5s, source.vspace, h5s.create_simple(dataset.shape))
            if region.get_select_npoints() != selection.get_select_npoints():
                raise DataError(f"{what} maps {shown} onto a region of another size")
            mapped.append((found, region, selection))
        out = np.full(dataset.shape, dataset.fillvalue, dtype=dataset.dtype)
        for found, region, selection in mapped:
            found.id.read(region, selection, out)
        return out


def load_hdf5(path: Path, where: str, opts: LoadOptions) -> Dataset:
    """An HDF5 file -> Dataset (raw X dtype; uint8 course images stay uint8 here)."""
    h5 = H5File(path, where)
    try:
        return load_arrays(h5, str(path), opts)
    finally:
        h5.close()
