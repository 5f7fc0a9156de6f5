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


def _reason(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:160] if text else type(err).__name__


def _open_error(where: str, err: BaseException) -> DataError:
    """Why h5py could not open the file, in words a user can act on."""
    reason = _reason(err)
    cut = re.search(r"truncated file: eof = (\d+).*stored_eof = (\d+)", reason)
    if cut:
        have, full = (format_size(int(n)) for n in cut.groups())
        return DataError(f"{where}: is not a readable HDF5 file: it is truncated (it holds "
                         f"{have} of its {full}); copy or download it again")
    if "signature not found" in reason:
        return DataError(f"{where}: is not a readable HDF5 file (no HDF5 signature); expected a "
                         "file saved with h5py or another HDF5 library")
    return DataError(f"{where}: is not a readable HDF5 file ({reason}); the file may be damaged")


class H5File:
    """The top-level datasets of an open HDF5 file, shapes known before reading."""

    def __init__(self, path: Path, where: str) -> None:
        import h5py  # imported here: only HDF5 users pay for it

        self.where = where
        self._h5py = h5py
        self._file = None
        try:
            self._file = h5py.File(path, "r")
            self._datasets = {k: v for k, v in self._file.items() if isinstance(v, h5py.Dataset)}
        except (OSError, ValueError, KeyError, RuntimeError) as err:
            self.close()
            raise _open_error(where, err) from err

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def keys(self) -> list[str]:
        return list(self._datasets)

    def name(self, key: str) -> str:
        return f"{self.where} key '{key}'"

    def shape(self, key: str) -> tuple[int, ...]:
        shape = self._datasets[key].shape
        if shape is None:  # an empty (null dataspace) dataset
            raise DataError(f"{self.name(key)}: holds no data")
        return tuple(int(n) for n in shape)

    def dtype(self, key: str) -> np.dtype:
        return self._datasets[key].dtype

    def read(self, key: str) -> np.ndarray:
        dataset = self._datasets[key]
        try:
            if self._h5py.check_string_dtype(dataset.dtype) is not None:
                return np.asarray(dataset.asstr()[()], dtype=str).reshape(self.shape(key))
            return np.asarray(dataset[()])
        except MemoryError as err:
            raise DataError(f"{self.name(key)}: not enough memory to read it") from err
        except (OSError, ValueError, TypeError, KeyError, RuntimeError, UnicodeDecodeError) as err:
            raise DataError(f"{self.name(key)}: cannot be read ({_reason(err)}); the file may be "
                            "truncated or damaged") from err


def load_hdf5(path: Path, where: str, opts: LoadOptions) -> Dataset:
    """An HDF5 file -> Dataset (raw X dtype; uint8 course images stay uint8 here)."""
    h5 = H5File(path, where)
    try:
        return load_arrays(h5, str(path), opts)
    finally:
        h5.close()
