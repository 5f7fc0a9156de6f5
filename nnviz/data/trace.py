"""Trace files: an .npz of arrays by name, read header first and never unpickled."""
from __future__ import annotations

from pathlib import Path

from nnviz.data.errors import DataError
from nnviz.data.npy import NpzFile


def open_trace(path: str | Path) -> NpzFile:
    """The arrays of a trace file, each read when asked for (pickled or truncated ones are refused
    with a one-line DataError); the caller closes it."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    archive = NpzFile(path, path.name)
    if not archive.keys():
        archive.close()
        raise DataError(f"{path.name}: holds no arrays; a trace is an .npz of arrays by name (W1, dW1, …)")
    return archive
