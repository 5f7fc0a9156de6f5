"""MATLAB .mat files: v4/v5/v7 through scipy.io.loadmat, v7.3 (HDF5) through h5py; data only.

MATLAB keeps one example per row (X (m, n_x), y (m, 1)); the shared orientation rules
(nnviz.data.arrays.orient) turn that into the notes' columns.  Variables are listed with
their class and shape before anything is read (memory is checked from those), and only
plain numeric, logical or char matrices are read: MATLAB objects, function handles and
opaque classes are refused by their class, never constructed."""
from __future__ import annotations

import io
import logging
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.data.arrays import load_arrays
from nnviz.data.dataset import Dataset
from nnviz.data.errors import DataError
from nnviz.data.hdf5 import H5_ERRORS, H5File, reason as _reason
from nnviz.data.options import LoadOptions

log = logging.getLogger(__name__)

EXTRA = "pip install 'nnviz[mat]'"
NUMERIC = {"double": np.float64, "single": np.float32, "logical": np.bool_,
           "int8": np.int8, "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16,
           "int32": np.int32, "uint32": np.uint32, "int64": np.int64, "uint64": np.uint64}
CODE_CLASSES = {"object": "a MATLAB object", "function": "a MATLAB function handle",
                "function_handle": "a MATLAB function handle",
                "opaque": "a MATLAB object (opaque class)"}
OTHER_CLASSES = {"cell": "a MATLAB cell array", "struct": "a MATLAB struct",
                 "sparse": "a sparse matrix (save it with full(X))"}
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _refusal(name: str, matlab_class: str) -> DataError:
    """Why a variable of this MATLAB class is not read."""
    if matlab_class in CODE_CLASSES:
        return DataError(f"{name}: is {CODE_CLASSES[matlab_class]}; nnviz never loads MATLAB "
                         "objects or function handles — save plain numeric matrices")
    what = OTHER_CLASSES.get(matlab_class, f"of MATLAB class '{matlab_class}'")
    return DataError(f"{name}: is {what}; expected a numeric matrix")


def _dtype(name: str, matlab_class: str) -> np.dtype:
    if matlab_class in NUMERIC:
        return np.dtype(NUMERIC[matlab_class])
    if matlab_class == "char":
        return np.dtype("U1")
    raise _refusal(name, matlab_class)


def is_hdf5_mat(path: Path) -> bool:
    """True for a v7.3 .mat file: an HDF5 file behind MATLAB's 512-byte header."""
    with open(path, "rb") as fh:
        head = fh.read(520)
    return head.startswith(b"MATLAB 7.3") or head[512:520] == HDF5_SIGNATURE or \
        head.startswith(HDF5_SIGNATURE)


# MATLAB v5 data types (mi*) of a numeric or char matrix's data, with their sizes in bytes
_MI_SIZES = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4}
_MI_CHAR_TEXT = (16, 17, 18)  # miUTF8, miUTF16, miUTF32: a char's bytes vary
_MX_CLASSES = {1: "cell", 2: "struct", 3: "object", 4: "char", 5: "sparse", 6: "double",
               7: "single", 8: "int8", 9: "uint8", 10: "int16", 11: "uint16", 12: "int32",
               13: "uint32", 14: "int64", 15: "uint64", 16: "function", 17: "opaque"}
_HEAD_BYTES = 64 * 1024  # a matrix's flags, dimensions, name and data tag lie in its first bytes


def _tag(data: bytes, at: int, order: str) -> tuple[int, int, int]:
    """(data type, byte count, offset of the data) of the v5 tag at `at` (small or full form)."""
    first, second = struct.unpack_from(order + "II", data, at)
    if first >> 16:  # small data element: type and size in one word, the data in the next
        return first & 0xFFFF, first >> 16, at + 4
    return first, second, at + 8


def _after(at: int, data_at: int, size: int) -> int:
    """Where the element after a small (data in the tag) or full one begins."""
    return data_at + (4 if data_at == at + 4 else (size + 7) // 8 * 8)


@dataclass
class _Variable:
    """One variable of a v5 file, from the first bytes of its element."""

    offset: int  # of its tag in the file
    size: int  # bytes after the tag (compressed bytes for miCOMPRESSED)
    compressed: bool
    shape: tuple[int, ...]
    matlab_class: str
    inner: int = 0  # the matrix element's bytes once inflated (tag included)
    problem: str = ""  # why its data is not read, worded after the key's name


def _parse(head: bytes, order: str) -> tuple[str, _Variable]:
    """(name, variable without its place) of a miMATRIX element's first bytes."""
    kind, inner, at = _tag(head, 0, order)
    if kind != 14:
        raise ValueError(f"element type {kind}")
    kind, size, data_at = _tag(head, at, order)  # array flags: miUINT32 × 2
    if kind != 6 or size != 8:
        raise ValueError("array flags")
    flags, = struct.unpack_from(order + "I", head, data_at)
    number = flags & 0xFF
    matlab_class = _MX_CLASSES.get(number, f"unknown ({number})")
    if matlab_class in NUMERIC and flags & 0x200:
        matlab_class = "logical"
    at = _after(at, data_at, size)
    dims: tuple[int, ...] = (1, 1)
    if number != 17:  # an opaque object has no dimensions
        kind, size, data_at = _tag(head, at, order)
        if kind != 5 or size % 4 or size < 8:
            raise ValueError("dimensions")
        dims = tuple(struct.unpack_from(order + f"{size // 4}i", head, data_at))
        at = _after(at, data_at, size)
    kind, size, data_at = _tag(head, at, order)  # the name: miINT8
    if kind != 1:
        raise ValueError("name")
    name = head[data_at:data_at + size].decode("utf-8", "replace")
    at = _after(at, data_at, size)
    variable = _Variable(0, 0, False, dims, matlab_class, inner=inner + 8)
    if matlab_class in NUMERIC or matlab_class == "char":
        variable.problem = _data_problem(head, at, order, flags, dims, inner)
    return name, variable


def _data_problem(head: bytes, at: int, order: str, flags: int, dims: tuple[int, ...],
                  inner: int) -> str:
    """Why a numeric or char matrix's data cannot be handed to scipy ('' when it can): scipy's
    C reader trusts the data type and crashes the process on a damaged one."""
    if flags & 0x800:
        return "holds complex numbers; expected real numbers"
    damaged = "is damaged (its MATLAB data header does not hold together); save it again"
    kind, size, data_at = _tag(head, at, order)
    count = math.prod(max(n, 0) for n in dims)
    if kind not in _MI_SIZES or (kind not in _MI_CHAR_TEXT and size != count * _MI_SIZES[kind]):
        return damaged
    if inner > _after(at, data_at, size) + 8:
        return damaged  # more bytes than the matrix needs: inflating them could be a bomb
    return ""


def _v5_header(path: Path) -> bytes | None:
    """The 128-byte header of a v5/v7 file, None for a v4 file (no header)."""
    with open(path, "rb") as fh:
        header = fh.read(128)
    return header if len(header) == 128 and header[126:128] in (b"IM", b"MI") else None


def list_v5(path: Path, header: bytes, where: str) -> dict[str, _Variable]:
    """Every variable's class, shape and place, inflating at most the first 64 KB of each
    (scipy.io.whosmat inflates whole variables: a 300 KB file can hold 300 MB of zeros)."""
    order = "<" if header[126:128] == b"IM" else ">"
    found: dict[str, _Variable] = {}
    total = path.stat().st_size
    with open(path, "rb") as fh:
        offset = 128
        while offset + 8 <= total:
            fh.seek(offset)
            tag = fh.read(8)
            kind, size = struct.unpack(order + "II", tag)
            if offset + 8 + size > total:
                raise DataError(f"{where}: is truncated or damaged (variable {len(found) + 1} "
                                "runs past the end of the file); copy or save it again")
            head = fh.read(min(size, _HEAD_BYTES))
            try:
                if kind == 15:  # miCOMPRESSED: only the first bytes are inflated
                    head = zlib.decompressobj().decompress(head, _HEAD_BYTES)
                else:
                    head = tag + head
                name, variable = _parse(head, order)
            except (ValueError, struct.error, zlib.error) as err:
                raise DataError(f"{where}: is damaged (variable {len(found) + 1} has a MATLAB "
                                f"header that does not hold together: {err}); save it again") from err
            variable.offset, variable.size, variable.compressed = offset, size, kind == 15
            found[name] = variable
            offset += 8 + size
    return found


def _scipy_io(where: str):
    try:
        import scipy.io  # optional: only .mat v5 users need it
    except ImportError as err:
        raise DataError(f"{where}: reading MATLAB .mat files (v5) needs scipy: {EXTRA}") from err
    return scipy.io


class MatFile:
    """The variables of a v4/v5/v7 .mat file, classes and shapes listed before any data is
    read; each variable is handed to scipy.io.loadmat alone, already inflated and checked."""

    #: what a damaged or fake .mat file can make scipy raise; translated at this boundary
    _ERRORS = (ValueError, TypeError, OSError, EOFError, KeyError, IndexError, AttributeError,
               NotImplementedError, zlib.error, UnicodeDecodeError, OverflowError, struct.error)

    def __init__(self, path: Path, where: str) -> None:
        self.where = where
        self._path = path
        self._io = _scipy_io(where)
        self._v5: dict[str, _Variable] = {}
        try:
            self._header = _v5_header(path)
            if self._header is not None:
                self._v5 = list_v5(path, self._header, where)
                listed = [(name, v.shape, v.matlab_class) for name, v in self._v5.items()]
            else:  # v4: no compression, read by scipy in Python
                listed = self._io.whosmat(path)
        except MemoryError as err:
            raise DataError(f"{where}: not enough memory to list its variables") from err
        except self._ERRORS + (self._io.matlab.MatReadError,) as err:
            raise DataError(f"{where}: is not a readable MATLAB .mat file ({_reason(err)}); "
                            "expected a file saved with MATLAB's save or scipy.io.savemat") from err
        self._vars = {name: (tuple(int(n) for n in shape), cls) for name, shape, cls in listed}

    def close(self) -> None:
        """Nothing stays open between reads."""

    def keys(self) -> list[str]:
        return list(self._vars)

    def name(self, key: str) -> str:
        return f"{self.where} key '{key}'"

    def shape(self, key: str) -> tuple[int, ...]:
        return self._vars[key][0]

    def dtype(self, key: str) -> np.dtype:
        return _dtype(self.name(key), self._vars[key][1])

    def _alone(self, key: str):
        """A v5 file in memory that holds only `key`, inflated: scipy reads nothing else (it
        would inflate every variable it skips) and no compressed stream beyond the matrix."""
        variable = self._v5[key]
        if variable.problem:
            raise DataError(f"{self.name(key)}: {variable.problem}")
        with open(self._path, "rb") as fh:
            fh.seek(variable.offset)
            element = fh.read(8 + variable.size)
        if variable.compressed:
            inflate = zlib.decompressobj()
            element = inflate.decompress(element[8:], variable.inner)
            if len(element) < variable.inner:
                raise DataError(f"{self.name(key)}: is truncated or damaged (its compressed "
                                "data ends early); copy or save the file again")
        header = self._header[:116] + b"\0" * 8 + self._header[124:]  # no subsystem data
        return io.BytesIO(header + element)

    def read(self, key: str) -> np.ndarray:
        shape, matlab_class = self._vars[key]
        _dtype(self.name(key), matlab_class)  # refuse objects and handles before reading
        try:
            source = self._alone(key) if self._header is not None else self._path
            value = self._io.loadmat(source, variable_names=[key], squeeze_me=False,
                                     chars_as_strings=True, mat_dtype=False,
                                     verify_compressed_data_integrity=True)[key]
        except MemoryError as err:
            raise DataError(f"{self.name(key)}: not enough memory to read it") from err
        except self._ERRORS + (self._io.matlab.MatReadError, ) as err:
            raise DataError(f"{self.name(key)}: cannot be read ({_reason(err)}); the file may be "
                            "truncated or damaged") from err
        if type(value) is np.ndarray and value.dtype.kind == "c":
            raise DataError(f"{self.name(key)}: holds complex numbers; expected real numbers")
        if type(value) is not np.ndarray or value.dtype.kind not in "biufU":
            raise _refusal(self.name(key), matlab_class)  # whatever the listing said, data only
        if value.dtype.kind == "U":  # a char matrix (m, width): one string per row
            return np.char.strip(value.reshape(-1))
        # MATLAB may store a double matrix of small whole numbers as bytes: the class decides
        # (else nnviz would take it for 8-bit pixels and divide it by 255)
        return value.astype(NUMERIC[matlab_class], copy=False)


class MatH5File(H5File):
    """A v7.3 .mat file through h5py, shown in MATLAB's shapes: MATLAB writes column-major,
    so h5py sees every array transposed; each is transposed back (a view, no copy)."""

    def _attr(self, key: str, name: str, default):
        try:
            return self._dataset(key).attrs.get(name, default)
        except H5_ERRORS as err:
            raise self._damaged(key, err) from err

    def _class(self, key: str) -> str:
        raw = self._attr(key, "MATLAB_class", b"double")
        return raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)

    def keys(self) -> list[str]:
        return [key for key in super().keys() if not key.startswith("#")]

    def shape(self, key: str) -> tuple[int, ...]:
        if self._attr(key, "MATLAB_empty", 0):
            raise DataError(f"{self.name(key)}: holds no data (an empty MATLAB matrix)")
        return tuple(reversed(super().shape(key)))

    def dtype(self, key: str) -> np.dtype:
        cls = _dtype(self.name(key), self._class(key))
        return cls if cls.kind == "U" else super().dtype(key)

    def read(self, key: str) -> np.ndarray:
        self.dtype(key)  # refuse objects, handles and cells (HDF5 references) first
        codes = super().read(key).T
        if self._class(key) == "char":  # UTF-16 code units, one string per row
            return np.array(["".join(map(chr, row)).strip() for row in np.atleast_2d(codes)])
        return codes


def load_mat(path: Path, where: str, opts: LoadOptions) -> Dataset:
    """A MATLAB .mat file -> Dataset (rows are examples, as MATLAB keeps them)."""
    try:
        hdf5 = is_hdf5_mat(path)
    except OSError as err:
        raise DataError(f"{where}: cannot be read ({err.strerror or err})") from err
    file = MatH5File(path, where) if hdf5 else MatFile(path, where)
    log.info("%s: MATLAB %s file", where, "v7.3 (HDF5)" if hdf5 else "v5")
    try:
        return load_arrays(file, str(path), opts)
    finally:
        file.close()
