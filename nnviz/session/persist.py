"""Session files (.nnviz): design, data or its source, every array, history and the current step.

A session file is a NumPy .npz archive (read with allow_pickle=False: it never runs
code) holding a JSON "meta" entry with a "version" key, and arrays under
"values/<key>", "data/<X|Y|X_test|Y_test>" and "history/<cost|grad_norms>".
Writes are atomic: a temporary file beside the target, then a rename.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import __version__
from ..data import Dataset
from ..engine.history import History
from .design import Design

FORMAT = "nnviz-session"
VERSION = 2  # 2: optimisers, mini-batches and regularisation in the design, their state in values/
EMBED_LIMIT = 256 * 1024 * 1024  # data up to this size travels inside the file
SUFFIX = ".nnviz"


class SessionFileError(Exception):
    """A session file cannot be read; the message names the file and says why."""


@dataclass
class SessionState:
    """What a session file holds."""

    design: Design
    dataset: Dataset
    values: dict[str, np.ndarray]  # everything the stepper holds except A0 and Y
    iteration: int
    position: int
    history: History
    data_embedded: bool = True


def _dataset_meta(dataset: Dataset, embedded: bool) -> dict:
    return {
        "source": dataset.source,
        "name": dataset.name,
        "class_names": list(dataset.class_names),
        "example_shape": list(dataset.example_shape),
        "embedded": embedded,
    }


def save_session(path: str | os.PathLike, state: SessionState) -> Path:
    """Write ``state`` to ``path`` atomically and return the path written."""
    path = Path(path)
    d = state.dataset
    data = {"X": d.X, "Y": d.Y}
    if d.X_test is not None:
        data.update(X_test=d.X_test, Y_test=d.Y_test)
    embed = sum(a.nbytes for a in data.values()) <= EMBED_LIMIT or not d.source or d.source.startswith("demo:")
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "saved_by": f"nnviz {__version__}",
        "design": state.design.to_dict(),
        "dataset": _dataset_meta(d, embed),
        "iteration": state.iteration,
        "position": state.position,
    }
    arrays = {"meta": np.array(json.dumps(meta))}
    arrays.update({f"values/{k}": v for k, v in state.values.items() if k not in ("A0", "Y")})
    arrays.update({f"history/{k}": v for k, v in state.history.to_arrays().items()})
    if embed:
        arrays.update({f"data/{k}": v for k, v in data.items()})
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _read(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    if not path.is_file():
        raise SessionFileError(f"{path.name}: no such file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "meta" not in archive.files:
                raise SessionFileError(f"{path.name} is not an nnviz session (it has no 'meta' entry)")
            meta = json.loads(str(archive["meta"]))
            arrays = {k: archive[k] for k in archive.files if k != "meta"}
    except SessionFileError:
        raise
    except (OSError, ValueError, TypeError, AttributeError, zipfile.BadZipFile, EOFError, json.JSONDecodeError) as err:
        raise SessionFileError(f"{path.name} is not a readable nnviz session file ({type(err).__name__})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SessionFileError(f"{path.name} is not an nnviz session file")
    version = meta.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SessionFileError(
            f"{path.name} was saved by a newer nnviz (session version {version}); this nnviz reads version "
            f"{VERSION} — update nnviz to open it"
        )
    return meta, arrays


def _dataset(path: Path, meta: dict, arrays: dict[str, np.ndarray]) -> Dataset:
    info = meta.get("dataset", {})
    if info.get("embedded"):
        try:
            X, Y = arrays["data/X"], arrays["data/Y"]
        except KeyError:
            raise SessionFileError(f"{path.name} is damaged: its data arrays are missing") from None
        return Dataset(X=X, Y=Y, X_test=arrays.get("data/X_test"), Y_test=arrays.get("data/Y_test"),
                       class_names=list(info.get("class_names", [])),
                       example_shape=tuple(info.get("example_shape", ())), source=info.get("source", ""),
                       name=info.get("name", ""))
    from ..data import DataError, load_dataset

    source = info.get("source", "")
    try:
        return load_dataset(source)
    except DataError as err:
        raise SessionFileError(f"{path.name} uses the data file {source}, which could not be loaded: {err}") from None


def load_session(path: str | os.PathLike) -> SessionState:
    """Read a session file; SessionFileError with a one-line message if it is damaged or foreign."""
    path = Path(path)
    meta, arrays = _read(path)
    try:
        design = Design.from_dict(meta["design"])
        iteration, position = int(meta["iteration"]), int(meta["position"])
        history = History.from_arrays(arrays["history/cost"], arrays["history/grad_norms"])
    except (KeyError, TypeError, ValueError) as err:
        raise SessionFileError(f"{path.name} is damaged: {err}") from None
    dataset = _dataset(path, meta, arrays)
    values = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("values/")}
    return SessionState(design, dataset, values, iteration, position, history,
                        bool(meta.get("dataset", {}).get("embedded")))
