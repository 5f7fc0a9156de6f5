"""Session files (.nnviz): design, data or its source, every array, history and the current step.

A session file is a NumPy .npz archive holding a JSON "meta" entry with a "version" key, and
arrays under "values/<key>", "data/<X|Y|X_test|Y_test>" and "history/<cost|grad_norms>".
Writes go through nnviz's one atomic writer.

Reading is all or nothing and never trusts the file: the meta entry and every array's
header (shape, dtype) are read and checked against what the design needs, and every
member's declared size against those shapes and the memory available, before a single
array is inflated; arrays are read without pickles (no code runs).  Any problem is one
SessionFileError line naming the file.  ``read_state`` and ``check_state`` are pure
functions (no Qt), safe on any thread.  What each group of arrays must hold is declared
in ``ARRAY_GROUPS``: a new kind of saved array is one more row there.
"""
from __future__ import annotations

import json
import math
import numbers
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np

from .. import __version__
from ..atomic import atomic_writer
from ..data import DataError, Dataset, check_output_fits
from ..data.errors import FixableError
from ..data.memory import available_memory, format_size
from ..engine import NetworkSpec, Training, build_plan, plan_shapes
from ..engine.plan import initial_state
from ..engine.history import History
from ..engine.limits import DATA_KEYS, network_bytes
from .design import Design

FORMAT = "nnviz-session"
VERSION = 3  # 2: optimisers, mini-batches and regularisation in the design, their state in values/
# 3: history/iteration numbers the history's rows: a long run's thinned history, or one that starts at a
# trace's iteration taken over (written only then: otherwise 2)
UNTHINNED_VERSION = 2  # what a file without history/iteration says: older nnviz opens it
EMBED_LIMIT = 256 * 1024 * 1024  # data up to this size travels inside the file
SUFFIX = ".nnviz"
META_LIMIT = 1 << 20  # the JSON meta entry is a few kB; more is not a session file
MAX_ITERATION = 10**12
READABLE_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what np.savez and savez_compressed write


class SessionFileError(FixableError):
    """A session file cannot be read; the message names the file and says why (and ``fix`` what to change)."""


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


# -- writing -----------------------------------------------------------------------------------
def _dataset_meta(dataset: Dataset, embedded: bool) -> dict:
    return {
        "source": dataset.source,
        "name": dataset.name,
        "class_names": list(dataset.class_names),
        "example_shape": list(dataset.example_shape),
        "embedded": embedded,
    }


def save_session(path: str | os.PathLike, state: SessionState) -> Path:
    """Write ``state`` to ``path`` atomically and return the path written (WriteError naming it on failure)."""
    path = Path(path)
    d = state.dataset
    data = {"X": d.X, "Y": d.Y}
    if d.X_test is not None:
        data.update(X_test=d.X_test, Y_test=d.Y_test)
    embed = sum(a.nbytes for a in data.values()) <= EMBED_LIMIT or not d.source or d.source.startswith("demo:")
    history = state.history.to_arrays()
    if "iteration" not in history and len(history["cost"]) != state.iteration:  # none yet of a trace's iteration
        history["iteration"] = state.history.iterations.copy()
    meta = {
        "format": FORMAT,
        "version": VERSION if "iteration" in history else UNTHINNED_VERSION,
        "saved_by": f"nnviz {__version__}",
        "design": state.design.to_dict(),
        "dataset": _dataset_meta(d, embed),
        "iteration": state.iteration,
        "position": state.position,
    }
    arrays = {"meta": np.array(json.dumps(meta))}
    arrays.update({f"values/{k}": v for k, v in state.values.items() if k not in DATA_KEYS})
    arrays.update({f"history/{k}": v for k, v in history.items()})
    if embed:
        arrays.update({f"data/{k}": v for k, v in data.items()})
    with atomic_writer(path) as handle:
        np.savez(handle, **arrays)
    return path


# -- what a file must hold ------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """What the design and the data say every array must be."""

    spec: NetworkSpec
    m: int
    iteration: int
    position: int
    training: Training = field(default_factory=Training)
    history_rows: int | None = None  # rows of a numbered history (history/iteration); None: one per iteration

    @cached_property
    def plan(self):
        return build_plan(self.spec, self.training, self.m)

    def columns(self, iteration: int) -> int:
        """Columns of the mini-batch of ``iteration`` (m in full batch; the last batch of an epoch is smaller)."""
        batches = self.training.batches(self.m)
        if batches == 1:
            return self.m
        size = int(self.training.batch_size)
        return min(size, self.m - (iteration % batches) * size)

    @property
    def rows(self) -> int:
        """Rows of the history: one per completed iteration unless they are numbered (a long run's thinned
        history, or one that starts at a trace's iteration taken over)."""
        return self.iteration if self.history_rows is None else self.history_rows

    @classmethod
    def checked(cls, name: str, spec: NetworkSpec, m: int, iteration: int, position: int,
                training: Training, history_rows: int | None = None) -> "Layout":
        layout = cls(spec, m, iteration, position, training, history_rows)
        if history_rows is not None and history_rows > iteration:
            raise SessionFileError(f"{name}: its history has {history_rows} rows, more than its {iteration} "
                                   "completed iterations")
        if not 0 <= position < len(layout.plan):
            raise SessionFileError(f"{name}: its position {position} is not a step of the {spec} network")
        return layout


@dataclass(frozen=True)
class ArrayGroup:
    """One group of saved arrays ("values/W1" is in group "values"): the shape each key must have,
    which keys must be there, and which dtype kinds are accepted (read as float64)."""

    name: str
    shapes: Callable[[Layout], dict[str, tuple[int, ...]]]
    required: Callable[[Layout], set[str]]
    kinds: str = "f"


def _value_shapes(layout: Layout) -> dict[str, tuple[int, ...]]:
    """Parameters and optimiser state by their shapes; every result by its operation's shape rule on the
    columns of its mini-batch: this iteration's before the position, the previous iteration's after it."""
    shapes = plan_shapes(layout.spec, layout.m, layout.training)
    now, before = layout.columns(layout.iteration), layout.columns(max(layout.iteration - 1, 0))
    for op in layout.plan:
        shapes[op.key] = op.result_shape(now if op.index < layout.position else before)
    return {k: v for k, v in shapes.items() if k not in DATA_KEYS}


def _values_required(layout: Layout) -> set[str]:
    """The parameters and the optimiser's state, and every array the operations already performed in
    this iteration made (the next operations read them)."""
    params = set(layout.spec.parameter_names) | set(initial_state(layout.spec, layout.training))
    return (params | {op.key for op in layout.plan[:layout.position]}) - set(DATA_KEYS)


ARRAY_GROUPS: tuple[ArrayGroup, ...] = (
    ArrayGroup("values", _value_shapes, _values_required),
    ArrayGroup("history", lambda g: {"cost": (g.rows,), "grad_norms": (g.rows, g.spec.L)}
               | ({"iteration": (g.rows,)} if g.history_rows is not None else {}),
               lambda g: {"cost", "grad_norms"} | ({"iteration"} if g.history_rows is not None else set())),
)
DATA_GROUP = "data"  # X, Y (and X_test, Y_test) set n_x, n_y and m: checked first, on their own


def shape_text(shape: tuple[int, ...]) -> str:
    """(6, 2) -> '6×2', (90,) -> '90', () -> 'a single number': the shape exactly as the file has it."""
    return "×".join(str(n) for n in shape) or "a single number"


def _where(path: Path) -> str:
    return path.name or str(path)


# -- reading the archive without inflating it -------------------------------------------------------
@dataclass
class _Member:
    info: zipfile.ZipInfo
    shape: tuple[int, ...] = ()
    dtype: np.dtype = field(default_factory=lambda: np.dtype(float))

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _members(path: Path, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    name, found = _where(path), {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        if not info.filename.endswith(".npy"):
            raise SessionFileError(f"{name}: it holds {info.filename!r}, which is not an array")
        key = info.filename[:-4]
        if key in found:
            raise SessionFileError(f"{name}: it holds {key} twice")
        if info.flag_bits & 0x1:
            raise SessionFileError(f"{name}: encrypted; nnviz session files never are")
        if info.compress_type not in READABLE_COMPRESSION:
            raise SessionFileError(f"{name}: {key} is compressed with a method nnviz does not read "
                                   "(sessions use none or deflate)")
        found[key] = info
    return found


def _header(path: Path, archive: zipfile.ZipFile, key: str, info: zipfile.ZipInfo) -> _Member:
    """The array's shape and dtype from its .npy header, and a check that the size the archive
    declares is exactly what that shape needs (a member that would inflate to more is refused)."""
    name = _where(path)
    try:
        with archive.open(info) as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
            else:
                raise ValueError(f"array format version {version}")
            offset = handle.tell()
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, SyntaxError, RecursionError) as err:
        raise SessionFileError(f"{name}: {key} is not a readable array ({_why(err)})") from None
    member = _Member(info, tuple(int(n) for n in shape), dtype)
    if dtype.hasobject or dtype.kind not in "biuf":
        kind = {"U": "text", "S": "bytes", "O": "Python objects", "c": "complex numbers", "V": "records",
                "M": "dates", "m": "time spans"}.get(dtype.kind, str(dtype))
        raise SessionFileError(f"{name}: {key} holds {kind}, not real numbers")
    if info.file_size != offset + member.nbytes:
        raise SessionFileError(
            f"{name}: {key} declares {format_size(info.file_size)} but a {shape_text(member.shape)} "
            f"{dtype} array is {format_size(offset + member.nbytes)}")
    return member


def _read_meta(path: Path, archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> dict:
    name = _where(path)
    info = members.get("meta")
    if info is None:
        raise SessionFileError(f"{name}: not an nnviz session file (it has no 'meta' entry)")
    if info.file_size > META_LIMIT:
        raise SessionFileError(f"{name}: not an nnviz session file (its 'meta' entry is {format_size(info.file_size)})")
    try:
        with archive.open(info) as handle:
            text = np.lib.format.read_array(handle, allow_pickle=False)
        meta = json.loads(str(text[()]) if text.ndim == 0 else "")
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, RecursionError, SyntaxError, TypeError,
            IndexError, UnicodeError) as err:
        raise SessionFileError(f"{name}: not an nnviz session file (its 'meta' entry is not readable: "
                               f"{type(err).__name__})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SessionFileError(f"{name}: not an nnviz session file")
    if "version" not in meta:
        raise SessionFileError(f"{name}: not an nnviz session file (it has no version)")
    version = meta["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SessionFileError(f"{name}: its session version {version!r} is not a whole number of 1 or more")
    if version > VERSION:
        raise SessionFileError(
            f"{name}: saved by a newer nnviz (session version {version}); this nnviz reads version "
            f"{VERSION} — update nnviz to open it"
        )
    return meta


def _whole(name: str, meta: dict, key: str, low: int, high: int) -> int:
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SessionFileError(f"{name}: its {key} {value!r} is not a whole number")
    if not low <= value < high:
        raise SessionFileError(f"{name}: its {key} {value} is not between {low} and {high - 1}")
    return int(value)


# -- the dataset ----------------------------------------------------------------------------------------
def _data_shapes(name: str, headers: dict[str, _Member]) -> None:
    """X (n_x, m), Y (n_y, m), and a test split that matches them, as headers say: before reading any."""
    for key in ("X", "Y"):
        if key not in headers:
            raise SessionFileError(f"{name}: its data has no {key}")
    if ("X_test" in headers) != ("Y_test" in headers):
        raise SessionFileError(f"{name}: its test split needs both X_test and Y_test")
    for key, member in headers.items():
        if len(member.shape) != 2 or 0 in member.shape:
            dims = len(member.shape)
            raise SessionFileError(f"{name}: {key} has {dims} dimension{'s' * (dims != 1)} "
                                   f"({shape_text(member.shape)}); it must be n × m, "
                                   "one example per column")
    X, Y = headers["X"].shape, headers["Y"].shape
    if Y[1] != X[1]:
        raise SessionFileError(f"{name}: Y has {Y[1]} columns but X has {X[1]}: one label column per example")
    if "X_test" in headers:
        Xt, Yt = headers["X_test"].shape, headers["Y_test"].shape
        if Xt[0] != X[0] or Yt[0] != Y[0] or Xt[1] != Yt[1]:
            raise SessionFileError(f"{name}: the test split ({shape_text(Xt)}, {shape_text(Yt)}) "
                                   f"does not match X {shape_text(X)} and Y {shape_text(Y)}")


def _dataset_info(name: str, meta: dict, n_x: int) -> dict:
    info = meta.get("dataset", {})
    if not isinstance(info, dict):
        raise SessionFileError(f"{name}: its dataset description is not a table")
    classes, example = info.get("class_names", []), info.get("example_shape", [n_x])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise SessionFileError(f"{name}: its class names are not a list of names")
    if (not isinstance(example, list) or not example
            or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in example)
            or math.prod(example) != n_x):
        raise SessionFileError(f"{name}: the example shape {example!r} does not fit X's {n_x} rows")
    for key in ("source", "name"):
        if not isinstance(info.get(key, ""), str):
            raise SessionFileError(f"{name}: the dataset's {key} is not text")
    return info


def _external_dataset(name: str, info: dict) -> Dataset:
    from ..data import load_dataset

    source = info.get("source", "")
    if not source:
        raise SessionFileError(f"{name}: its data is neither inside it nor named")
    try:
        return load_dataset(source)
    except DataError as err:
        raise SessionFileError(f"{name}: uses the data file {source}, which could not be loaded: {err.message}",
                               err.fix) from None


# -- checking a state (pure: any thread) ---------------------------------------------------------------
def check_state(state: SessionState, name: str = "the session") -> None:
    """SessionFileError when ``state`` does not make a network nnviz can train: the design on this data,
    the output on these labels, every array's shape and dtype, the step and the history.  Cheap (it
    reads Y, not X): ``Session.restore`` runs it again on whatever thread restores."""
    d = state.dataset
    try:
        spec = state.design.spec(d.n_x, d.n_y)
    except ValueError as err:
        raise SessionFileError(f"{name}: the design does not fit its data: {err}") from None
    try:
        check_output_fits(d, state.design.output)
    except DataError as err:
        raise SessionFileError(f"{name}: the {state.design.output} output does not fit its labels: {err.message}",
                               err.fix) from None
    rows = state.history.rows()
    # rows for some of the iterations: a long run's thinned history, or none (a trace's iteration taken over)
    layout = Layout.checked(name, spec, d.m, state.iteration, state.position, state.design.training(),
                            len(rows.costs) if rows.thinned or not len(rows.costs) else None)
    if rows.last_iteration >= state.iteration:
        raise SessionFileError(f"{name}: its history goes to iteration {rows.last_iteration}, but only "
                               f"{state.iteration} iterations are completed")
    history = {"cost": rows.costs, "grad_norms": rows.grad_norms} | (
        {"iteration": rows.iterations} if layout.history_rows is not None else {})
    for group, arrays in zip(ARRAY_GROUPS, (state.values, history)):
        _check_group(name, group, layout, {k: (tuple(a.shape), a.dtype) for k, a in arrays.items()})


def _check_group(name: str, group: ArrayGroup, layout: Layout, found: dict[str, tuple[tuple, np.dtype]]) -> None:
    expected = group.shapes(layout)
    for key, (shape, dtype) in found.items():
        if key not in expected:
            raise SessionFileError(f"{name}: {group.name}/{key} is not an array of the "
                                   f"{layout.spec} network")
        if shape != expected[key]:
            raise SessionFileError(f"{name}: {group.name}/{key} is {shape_text(shape)}"
                                   f", but the {layout.spec} network on {layout.m} examples needs "
                                   f"{shape_text(expected[key])}")
        if dtype.kind not in group.kinds:
            raise SessionFileError(f"{name}: {group.name}/{key} holds {dtype}, not float64")
    missing = sorted(group.required(layout) - found.keys())
    if missing:
        raise SessionFileError(f"{name}: it has no {', '.join(f'{group.name}/{k}' for k in missing)}")


def _check_memory(name: str, headers: dict[str, _Member], spec: NetworkSpec, m: int) -> None:
    """Refuse before inflating when the data and history (as float64) and the network's working set
    (which the saved values become part of) do not fit in the memory available now."""
    need = sum(math.prod(h.shape) * 8 for key, h in headers.items() if not key.startswith("values/"))
    need += network_bytes(spec, m)
    available = available_memory()
    if available is not None and need > available:
        raise SessionFileError(f"{name}: needs {format_size(need)} of memory to open, but only "
                               f"{format_size(available)} is available: close other programs or use a smaller "
                               "network or dataset")


def _read_array(name: str, archive: zipfile.ZipFile, key: str, member: _Member) -> np.ndarray:
    try:
        with archive.open(member.info) as handle:
            array = np.lib.format.read_array(handle, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:  # a bad CRC, a truncated member
        raise SessionFileError(f"{name}: {key} could not be read ({_why(err)})") from None
    return np.ascontiguousarray(array, dtype=np.float64)


def _starts_like_a_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _why(err: Exception) -> str:
    """An archive's complaint in a user's words."""
    text = str(err)
    return "its checksum does not match" if "CRC" in text else text


def read_state(path: str | os.PathLike) -> SessionState:
    """Read and check a session file completely; SessionFileError with one line if anything is wrong.
    Pure (no Qt): run it on a worker thread."""
    path = Path(path)
    name = _where(path)
    if not path.is_file():
        raise SessionFileError(f"{name}: no such file" if not path.exists() else f"{name}: not a file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        if isinstance(err, OSError) and err.strerror:
            reason = err.strerror
        elif _starts_like_a_zip(path):
            reason = "damaged or cut short (its archive is incomplete): save the session again if you can"
        else:
            reason = "not an nnviz session file"
        raise SessionFileError(f"{name}: {reason}") from None
    with archive:
        return _read_archive(path, archive)


def _read_archive(path: Path, archive: zipfile.ZipFile) -> SessionState:
    name = _where(path)
    members = _members(path, archive)
    meta = _read_meta(path, archive, members)
    try:
        design = Design.from_dict(meta.get("design"))
    except ValueError as err:
        raise SessionFileError(f"{name}: {err}") from None
    iteration = _whole(name, meta, "iteration", 0, MAX_ITERATION)
    position = _whole(name, meta, "position", 0, MAX_ITERATION)
    groups = {group.name: {} for group in ARRAY_GROUPS} | {DATA_GROUP: {}}
    for key, info in members.items():
        if key == "meta":
            continue
        group, _, rest = key.partition("/")
        if group not in groups or not rest:
            raise SessionFileError(f"{name}: it holds {key!r}, which nnviz does not know")
        groups[group][rest] = _header(path, archive, key, info)
    info = meta.get("dataset", {})
    if not isinstance(info, dict):
        raise SessionFileError(f"{name}: its dataset description is not a table")
    embedded = info.get("embedded") is True
    data = groups[DATA_GROUP]
    if embedded:
        _data_shapes(name, data)
        n_x, n_y, m = data["X"].shape[0], data["Y"].shape[0], data["X"].shape[1]
    elif data:
        raise SessionFileError(f"{name}: it holds data but says its data is elsewhere")
    else:
        dataset = _external_dataset(name, info)
        n_x, n_y, m = dataset.n_x, dataset.n_y, dataset.m
    info = _dataset_info(name, meta, n_x)
    try:
        spec = design.spec(n_x, n_y)
    except ValueError as err:
        raise SessionFileError(f"{name}: the design does not fit its data: {err}") from None
    numbered = groups["history"].get("iteration")
    layout = Layout.checked(name, spec, m, iteration, position, design.training(),
                            numbered.shape[0] if numbered is not None and len(numbered.shape) == 1 else None)
    for group in ARRAY_GROUPS:
        _check_group(name, group, layout, {k: (h.shape, h.dtype) for k, h in groups[group.name].items()})
    everything = {f"{g}/{k}": h for g, headers in groups.items() for k, h in headers.items()}
    _check_memory(name, everything, spec, m)
    arrays = {key: _read_array(name, archive, key, member) for key, member in everything.items()}
    if embedded:
        take = {k: arrays.get(f"data/{k}") for k in ("X", "Y", "X_test", "Y_test")}
        dataset = Dataset(**take, class_names=list(info.get("class_names", [])),
                          example_shape=tuple(info.get("example_shape", (n_x,))), source=info.get("source", ""),
                          name=info.get("name", ""))
    try:
        history = History.from_arrays(arrays["history/cost"], arrays["history/grad_norms"], arrays.get("history/iteration"))
    except ValueError as err:
        raise SessionFileError(f"{name}: {err}") from None
    values = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("values/")}
    for key in ("X", "X_test"):
        array = arrays.get(f"data/{key}")
        # a finite sum means no NaN or Inf (they propagate); only an overflowing sum needs the full look
        if array is not None and not np.isfinite(array.sum()) and not np.isfinite(array).all():
            raise SessionFileError(f"{name}: its {key} contains NaN or infinite values")
    state = SessionState(design, dataset, values, iteration, position, history, embedded)
    check_state(state, name)  # what needs the numbers: labels that fit the output
    return state


def load_session(path: str | os.PathLike) -> SessionState:
    """Read a session file; SessionFileError with a one-line message if it is damaged or foreign."""
    return read_state(path)
