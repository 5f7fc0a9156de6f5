"""NumPy files: .npz archives and X.npy / Y.npy pairs, read without ever unpickling."""
from __future__ import annotations

import logging
import math
import re
import tokenize
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from nnviz.data.arrays import load_arrays
from nnviz.data.dataset import Dataset
from nnviz.data.errors import DataError
from nnviz.data.memory import format_size
from nnviz.data.options import LoadOptions

log = logging.getLogger(__name__)

PICKLED = ("contains Python objects (pickled data); nnviz never loads pickled data "
           "— save plain numeric arrays")

# what reading a damaged zip member or .npy can raise; translated at this boundary
_READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error,
                NotImplementedError, RuntimeError)
# numpy parses the header text as a Python literal: a damaged one fails in the tokenizer
_HEADER_ERRORS = _READ_ERRORS + (SyntaxError, tokenize.TokenError, TypeError, KeyError,
                                 RecursionError, MemoryError)

_X_TO_Y = {"X": ("Y", "y"), "x": ("y", "Y"), "features": ("labels", "targets"),
           "inputs": ("targets", "labels")}
_Y_TO_X = {"Y": ("X", "x"), "y": ("x", "X"), "labels": ("features",),
           "targets": ("features", "inputs")}


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:160]


def _translate(err: BaseException, name: str) -> DataError:
    """A low-level read failure -> DataError naming the file or key."""
    if isinstance(err, MemoryError):
        return DataError(f"{name}: not enough memory to read it")
    if isinstance(err, ValueError) and "allow_pickle" in str(err):
        return DataError(f"{name}: {PICKLED}")
    return DataError(f"{name}: is not a readable NumPy array ({_reason(err)})")


def read_header(fp: BinaryIO, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """The (shape, dtype) an .npy stream's header promises, without reading the data."""
    try:
        major, minor = np.lib.format.read_magic(fp)
        if (major, minor) == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
        else:  # 2.0 and 3.0 share a layout; 3.0 only allows UTF-8 field names
            shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
    except _HEADER_ERRORS as err:
        if "magic string" in str(err):
            raise DataError(f"{name}: is not a NumPy .npy array (it does not start with the "
                            ".npy signature)") from err
        raise DataError(f"{name}: is not a NumPy .npy array ({_reason(err)})") from err
    if dtype.hasobject:
        raise DataError(f"{name}: {PICKLED}")
    return tuple(int(n) for n in shape), dtype


def _check_size(name: str, shape: tuple[int, ...], dtype: np.dtype, have: int) -> None:
    """Refuse data shorter than its header promises (a truncated or fake file)."""
    promised = math.prod(shape) * dtype.itemsize
    if have < promised:
        raise DataError(f"{name}: is truncated or damaged (its header promises "
                        f"{format_size(promised)} of data, the file holds {format_size(have)})")


def read_data(fp: BinaryIO, name: str) -> np.ndarray:
    """Read one .npy stream with allow_pickle=False, translating every failure."""
    try:
        return np.lib.format.read_array(fp, allow_pickle=False)
    except MemoryError as err:
        raise _translate(err, name) from err
    except _READ_ERRORS as err:
        raise _translate(err, name) from err


class _Arrays:
    """Arrays by key, each an .npy stream whose header is read (and pickled data refused) before
    any of its data; subclasses say how to open a key and how many data bytes it holds."""

    def __init__(self, where: str) -> None:
        self.where = where
        self._headers: dict[str, tuple[tuple[int, ...], np.dtype, int]] = {}

    def name(self, key: str) -> str:
        raise NotImplementedError

    def _open(self, key: str) -> BinaryIO:
        raise NotImplementedError

    def _data_bytes(self, key: str, offset: int) -> int:
        """Bytes after the header (at ``offset``) that the key's stream holds."""
        raise NotImplementedError

    def _head(self, key: str) -> tuple[tuple[int, ...], np.dtype, int]:
        if key not in self._headers:
            with self._open(key) as fp:
                shape, dtype = read_header(fp, self.name(key))
                have = self._data_bytes(key, fp.tell())
            self._headers[key] = shape, dtype, have
        return self._headers[key]

    def shape(self, key: str) -> tuple[int, ...]:
        return self._head(key)[0]

    def dtype(self, key: str) -> np.dtype:
        return self._head(key)[1]

    def read(self, key: str) -> np.ndarray:
        shape, dtype, have = self._head(key)  # refuses pickled data before reading any
        _check_size(self.name(key), shape, dtype, have)
        with self._open(key) as fp:
            return read_data(fp, self.name(key))


class NpzFile(_Arrays):
    """The arrays of an .npz archive (a zip of .npy members), headers read first."""

    def __init__(self, path: Path, where: str) -> None:
        super().__init__(where)
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except _READ_ERRORS as err:
            raise DataError(f"{where}: is not a readable .npz file ({_reason(err)}); expected "
                            "arrays saved with numpy.savez") from err
        self._infos = {(i.filename[:-4] if i.filename.endswith(".npy") else i.filename): i
                       for i in infos if not i.is_dir()}

    def close(self) -> None:
        self._zip.close()

    def keys(self) -> list[str]:
        return list(self._infos)

    def name(self, key: str) -> str:
        return f"{self.where} key '{key}'"

    def _open(self, key: str) -> BinaryIO:
        try:
            return self._zip.open(self._infos[key])
        except _READ_ERRORS as err:
            raise DataError(f"{self.name(key)}: cannot be read ({_reason(err)})") from err

    def _data_bytes(self, key: str, offset: int) -> int:
        return self._infos[key].file_size - offset


class NpyFiles(_Arrays):
    """Separate .npy files standing in for the keys of one archive: {'X': X.npy, 'Y': Y.npy}."""

    def __init__(self, paths: dict[str, Path], where: str) -> None:
        super().__init__(where)
        self._paths = paths

    def keys(self) -> list[str]:
        return list(self._paths)

    def name(self, key: str) -> str:
        return str(self._paths[key])

    def _open(self, key: str) -> BinaryIO:
        try:
            return open(self._paths[key], "rb")
        except OSError as err:
            raise DataError(f"{self.name(key)}: cannot be read ({_reason(err)})") from err

    def _data_bytes(self, key: str, offset: int) -> int:
        try:
            return self._paths[key].stat().st_size - offset
        except OSError as err:
            raise DataError(f"{self.name(key)}: cannot be read ({_reason(err)})") from err

    def close(self) -> None:
        """Nothing stays open between reads."""


def _swap_token(path: Path, table: dict[str, tuple[str, ...]]) -> Path | None:
    """X.npy -> Y.npy, train_x.npy -> train_y.npy …: the first partner that exists."""
    tokens = re.split(r"([_\-. ])", path.stem)
    for i in reversed(range(len(tokens))):
        for other in table.get(tokens[i], ()):
            candidate = path.with_name("".join(tokens[:i] + [other] + tokens[i + 1:]) + path.suffix)
            if candidate.is_file():
                return candidate
    return None


def npy_pair(path: Path, where: str) -> tuple[Path, Path]:
    """The (features, labels) .npy files for either one of them, or DataError."""
    y_path = _swap_token(path, _X_TO_Y)
    if y_path is not None:
        return path, y_path
    x_path = _swap_token(path, _Y_TO_X)
    if x_path is not None:
        return x_path, path
    raise DataError(f"{where}: a .npy file holds one array, so nnviz looks for the labels in a "
                    "Y.npy beside X.npy (or save both in one archive: numpy.savez('data.npz', "
                    "X=X, Y=Y))")


def load_npz(path: Path, where: str, opts: LoadOptions) -> Dataset:
    """An .npz archive -> Dataset (raw X dtype; see arrays.KEYS for the names looked up)."""
    archive = NpzFile(path, where)
    try:
        return load_arrays(archive, str(path), opts)
    finally:
        archive.close()


def load_npy(path: Path, where: str, opts: LoadOptions) -> Dataset:
    """An X.npy with its Y.npy beside it (either may be given) -> Dataset."""
    NpyFiles({"X": path}, where).shape("X")  # is it an .npy at all, and not pickled?
    x_path, y_path = npy_pair(path, where)
    log.info("reading features from %s and labels from %s", x_path.name, y_path.name)
    files = NpyFiles({"X": x_path, "Y": y_path}, str(x_path) if x_path != path else where)
    return load_arrays(files, str(path), opts)
