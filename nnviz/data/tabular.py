"""CSV / TSV / whitespace text: one example per row, the labels in one column (the last by default)."""
from __future__ import annotations

import csv
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.data.dataset import Dataset
from nnviz.data.errors import DataError
from nnviz.data.labels import labels_to_Y
from nnviz.data.memory import FLOAT64, check_fits
from nnviz.data.options import LoadOptions

log = logging.getLogger(__name__)

SAMPLE_BYTES = 64 * 1024
SAMPLE_ROWS = 20
#: the sample grows past SAMPLE_BYTES until it holds whole rows (wide tables: pixels as columns)
SAMPLE_ENOUGH = 16 * 1024 * 1024  # stop at this size once two whole lines are in
SAMPLE_MAX = 256 * 1024 * 1024  # a first line longer than this is refused
WIDE_COLUMNS = 1000  # from here on numpy.loadtxt reads faster than pandas
DELIMITERS = ("\t", ";", ",", "|")  # preferred in this order when several fit
_CONTROL = bytes(range(32)).translate(None, b"\t\n\r\f\v") + b"\x7f"


@dataclass(frozen=True)
class Layout:
    """How a text table is laid out, worked out from its first lines."""

    encoding: str
    delimiter: str | None  # None: runs of spaces/tabs
    header: list[str] | None
    first_data: int  # 0-based index of the first line after the header (or of the file)
    n_cols: int
    label: int  # 0-based index of the label column


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _is_skipped(cells: list[str]) -> bool:
    """Blank lines and lines starting with '#' carry no example."""
    return not cells or all(not c.strip() for c in cells) or cells[0].lstrip().startswith("#")


def _split(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    if delimiter not in line and '"' not in line:
        return [line]  # also spares csv its field size limit on a long line of other cells
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return [line]


_UTF_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
             (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _wide_encoding(sample: bytes) -> str | None:
    """'utf-16'/'utf-32' after a byte-order mark, 'utf-16-le'/'-be' for BOM-less UTF-16 text
    (every other byte NUL, as Windows tools write it), None for 8-bit text."""
    for bom, encoding in _UTF_BOMS:
        if sample.startswith(bom):
            return encoding
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4 and even.count(0) <= len(even) // 100 and odd.count(0) >= len(odd) * 9 // 10:
        return "utf-16-le"
    if len(sample) >= 4 and odd.count(0) <= len(odd) // 100 and even.count(0) >= len(even) * 9 // 10:
        return "utf-16-be"
    return None


def _not_text(where: str) -> DataError:
    return DataError(f"{where}: does not look like a text file (it holds binary data); "
                     "expected CSV text with one example per row")


def _encoding(sample: bytes, where: str, complete: bool | None = None) -> str:
    """'utf-8' (or 'utf-8-sig' after a byte-order mark) for UTF-8 text, 'utf-16…'/'utf-32' for
    wide Unicode text, 'latin-1' for other 8-bit text; DataError for binary data.
    `complete`: the sample is the whole file (None: guess from its length)."""
    complete = len(sample) < SAMPLE_BYTES if complete is None else complete
    wide = _wide_encoding(sample)
    if wide is not None:
        text = sample.decode(wide, errors="replace")
        control = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f\v" or c == "\x7f")
        ascii_chars = sum(1 for c in text if c < "\x80")
        if "\0" in text or control > len(text) // 100 or ascii_chars < len(text) // 2:
            raise _not_text(where)  # a table's numbers are ASCII whatever the encoding
        log.info("%s is %s text", where, wide.upper())
        return wide
    control = len(sample) - len(sample.translate(None, _CONTROL))
    if b"\0" in sample or control > len(sample) // 100:
        raise _not_text(where)
    utf8 = "utf-8-sig" if sample.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        sample.decode(utf8)
    except UnicodeDecodeError as err:
        if not complete and err.start >= len(sample) - 3:
            return utf8  # a character cut in two by the end of the sample
        log.warning("%s is not UTF-8; reading it as Latin-1", where)
        return "latin-1"
    return utf8


def _delimiter(lines: list[str], suffix: str) -> str | None:
    """The delimiter that splits the sample rows into equally many (> 1) fields."""
    if suffix == ".tsv":
        return "\t"
    best: tuple[int, str] | None = None
    for delimiter in DELIMITERS:
        counts = {len(_split(line, delimiter)) for line in lines}
        if len(counts) == 1 and counts.pop() > 1:
            return delimiter
        widest = len(_split(lines[0], delimiter))
        if widest > 1 and (best is None or widest > best[0]):
            best = (widest, delimiter)
    if len({len(line.split()) for line in lines}) == 1 and len(lines[0].split()) > 1:
        return None
    return best[1] if best else None


def _label_index(label_column: str | int | None, first: list[str], where: str) -> tuple[int, bool]:
    """(0-based label column, whether it was chosen by a header name)."""
    n = len(first)
    if label_column is None:
        return n - 1, False
    if isinstance(label_column, str):
        name = label_column.strip()
        if name in [c.strip() for c in first]:
            return [c.strip() for c in first].index(name), True
        if not re.fullmatch(r"[+-]?\d+", name):
            shown = ", ".join(c.strip() for c in first[:12]) + (", …" if n > 12 else "")
            raise DataError(f"{where}: no column named '{name}' (the first row has: {shown})")
        label_column = int(name)
    if isinstance(label_column, bool) or not isinstance(label_column, (int, np.integer)):
        raise DataError(f"{where}: label column {label_column!r} must be a column name or index")
    index = int(label_column)
    if not -n <= index < n:
        raise DataError(f"{where}: label column {index} does not exist; the file has {n} columns "
                        f"(0 to {n - 1}, or -1 for the last)")
    return index % n, False


def layout_of(sample: bytes, suffix: str, where: str, label_column: str | int | None,
              complete: bool | None = None) -> Layout:
    """Encoding, delimiter, header and label column from the first bytes of a table.

    `complete`: the sample is the whole file; otherwise its last, cut line is left out
    (None: guess from its length)."""
    complete = len(sample) < SAMPLE_BYTES if complete is None else complete
    encoding = _encoding(sample, where, complete)
    text = sample.decode(encoding, errors="replace")
    if not complete and "\n" in text:
        text = text[: text.rfind("\n")]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = [(i, line) for i, line in enumerate(lines)
                if line.strip() and not line.lstrip().startswith("#")][:SAMPLE_ROWS]
    if not numbered:
        raise DataError(f"{where}: holds no rows (only blank lines or # comments); "
                        "expected one example per row")
    delimiter = _delimiter([line for _, line in numbered], suffix)
    first_index, first_line = numbered[0]
    first = _split(first_line, delimiter)
    if len(first) < 2:
        raise DataError(f"{where}: has a single column, so there are no feature columns; expected "
                        "the features and then a label on each row, separated by commas")
    label, named = _label_index(label_column, first, where)
    features = [c for j, c in enumerate(first) if j != label]
    header = named or not any(_is_number(c) for c in features)
    return Layout(encoding=encoding, delimiter=delimiter,
                  header=[c.strip() for c in first] if header else None,
                  first_data=first_index + 1 if header else 0, n_cols=len(first), label=label)


def read_sample(path: Path, where: str) -> bytes:
    """The first SAMPLE_BYTES of a table, grown until it holds SAMPLE_ROWS whole lines (or two
    whole lines once it reaches SAMPLE_ENOUGH, or the end of the file): a row of a wide table
    can be far longer than SAMPLE_BYTES."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        while True:
            lines = sample.count(b"\n")
            if lines > SAMPLE_ROWS or (lines >= 2 and len(sample) >= SAMPLE_ENOUGH):
                break
            if len(sample) >= SAMPLE_MAX:
                raise DataError(f"{where}: its first line is longer than "
                                f"{SAMPLE_MAX // 2**20} MB; expected one example per line")
            more = fh.read(len(sample))  # doubling: few reads even for very long lines
            if not more:
                break
            sample += more
    return sample


def _check_size(where: str, size: int, sample: bytes, layout: Layout, limit: int | None) -> None:
    """Refuse a table whose float64 copy (estimated from its first rows) would not fit."""
    whole_lines = sample[: sample.rfind(b"\n") + 1]
    if len(sample) == size or not whole_lines:
        rows = len(sample.splitlines())
    else:
        rows = round(size / (len(whole_lines) / whole_lines.count(b"\n")))
    need = rows * layout.n_cols * FLOAT64 * 2 + size * 2  # parsed rows, X, and the text
    check_fits(where, need, limit=limit, what=f"X (about {rows} rows × {layout.n_cols} columns)")


def _fast(path: Path, layout: Layout) -> np.ndarray | None:
    """The whole table (m, n_cols) parsed by a C reader, or None if anything is off.

    pandas' reader parses every float exactly (tests compare it bit for bit with numpy.loadtxt);
    numpy.loadtxt is the fallback without pandas, and the reader for wide tables, where
    pandas' cost per column makes it 1.3-3.4× slower from 1,000 columns on (CPU time)."""
    if layout.n_cols > WIDE_COLUMNS:
        table = _read_with_numpy(path, layout)
    else:
        try:
            table = _read_with_pandas(path, layout)
        except ImportError:
            table = _read_with_numpy(path, layout)
    if table is None or table.shape[0] == 0 or table.shape[1] != layout.n_cols or not np.isfinite(table).all():
        return None
    return table


def _read_with_pandas(path: Path, layout: Layout) -> np.ndarray | None:
    import pandas as pd  # only for tables: the rest of nnviz never pays for its import

    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    try:
        frame = pd.read_csv(path, sep=layout.delimiter or r"\s+", header=None, skiprows=layout.first_data,
                            comment="#", dtype=np.float64, encoding=layout.encoding, na_filter=False,
                            engine="c", skip_blank_lines=True, **exact)
    except (ValueError, OSError, UnicodeError, MemoryError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    return frame.to_numpy(dtype=np.float64, copy=False)


def _read_with_numpy(path: Path, layout: Layout) -> np.ndarray | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = np.loadtxt(path, delimiter=layout.delimiter, skiprows=layout.first_data,
                               comments="#", ndmin=2, dtype=np.float64, encoding=layout.encoding,
                               quotechar='"')
    except (ValueError, OSError, UnicodeError, MemoryError):
        return None
    return table


def _decode(data: bytes, encoding: str, where: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        what = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        raise DataError(f"{where} line {line}: bytes that are not {what} text; save the file "
                        "as UTF-8") from err


def _rows(lines: list[str], layout: Layout) -> Iterator[tuple[int, list[str]]]:
    """(1-based line number, cells) for every line that holds an example."""
    body = lines[layout.first_data:]
    if layout.delimiter is None:
        numbered = ((layout.first_data + k + 1, line.split()) for k, line in enumerate(body))
    else:
        reader = csv.reader(body, delimiter=layout.delimiter)
        numbered = ((layout.first_data + reader.line_num, cells) for cells in reader)
    for number, cells in numbered:
        if not _is_skipped(cells):
            yield number, cells


def _cell_error(where: str, number: int, column: int, cell: str, delimiter: str | None) -> DataError:
    text = cell.strip()
    if not text:
        return DataError(f"{where} line {number}, column {column}: the cell is empty; "
                         "expected a number")
    hint = ""
    if delimiter != "," and _is_number(text.replace(",", ".")):
        hint = " (use a dot as the decimal separator)"
    return DataError(f"{where} line {number}, column {column}: '{text}' is not a number{hint}")


def _slow(path: Path, layout: Layout, where: str) -> tuple[np.ndarray, list[str], list[int]]:
    """Parse row by row: (features (m, n_x), label cells, line numbers), or DataError at the cell."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataError(f"{where}: cannot be read ({err.strerror or err})") from err
    lines = _decode(data, layout.encoding, where).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    n_x, label = layout.n_cols - 1, layout.label
    features = np.empty((max(len(lines) - layout.first_data, 0), n_x), dtype=np.float64)
    labels: list[str] = []
    numbers: list[int] = []
    try:
        for number, cells in _rows(lines, layout):
            if len(cells) != layout.n_cols:
                raise DataError(f"{where} line {number}: {len(cells)} columns, expected {layout.n_cols}")
            values = cells[:label] + cells[label + 1:]
            try:
                features[len(numbers)] = [float(v) for v in values]
            except ValueError:
                column = next(j for j, v in enumerate(values) if not _is_number(v))
                column += 1 if column >= label else 0
                raise _cell_error(where, number, column + 1, cells[column], layout.delimiter) from None
            labels.append(cells[label].strip())
            numbers.append(number)
    except csv.Error as err:
        raise DataError(f"{where}: cannot be read as CSV ({err})") from err
    return features[: len(numbers)], labels, numbers


def _check_rows(features: np.ndarray, numbers: list[int], layout: Layout, where: str) -> None:
    """Refuse a table without examples, or with NaN/Inf features (named by line and column)."""
    if not numbers:
        what = "a header row but no data rows" if layout.header else "no data rows"
        raise DataError(f"{where}: has {what}; expected one example per row")
    bad = ~np.isfinite(features)
    if bad.any():
        row, feature = (int(v) for v in np.argwhere(bad)[0])
        column = feature + (1 if feature >= layout.label else 0)
        raise DataError(f"{where} line {numbers[row]}, column {column + 1}: "
                        f"{features[row, feature]} is not a finite number")


def _label_values(labels: list[str], numbers: list[int], layout: Layout, where: str) -> np.ndarray:
    """Label cells -> floats when they are numbers, else the strings (class names)."""
    numeric = [_is_number(v) for v in labels]
    if all(numeric):
        return np.array([float(v) for v in labels], dtype=np.float64)
    if sum(numeric) > len(labels) // 2:
        i = numeric.index(False)
        what = "the label is empty" if not labels[i] else f"label '{labels[i]}' is not a number"
        raise DataError(f"{where} line {numbers[i]}, column {layout.label + 1}: {what}, "
                        "but the other labels are numbers")
    return np.array(labels, dtype=str)


def _columns(table: np.ndarray, label: int) -> np.ndarray:
    """Rows (m, n_cols) -> X (n_x, m) C-contiguous, leaving out the label column."""
    X = np.empty((table.shape[1] - 1, table.shape[0]), dtype=np.float64)
    X[:label] = table[:, :label].T
    X[label:] = table[:, label + 1:].T
    return X


def _data_line_numbers(path: Path, layout: Layout) -> list[int]:
    """Line numbers of the data rows, recomputed only when a message needs one."""
    text = path.read_bytes().decode(layout.encoding, errors="replace")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [number for number, _ in _rows(lines, layout)]


def load_table(path: Path, where: str, opts: LoadOptions) -> Dataset:
    """A CSV/TSV/text table -> Dataset: X (n_x, m) float64, Y (n_y, m) from the label column."""
    try:
        size = path.stat().st_size
        sample = read_sample(path, where)
    except OSError as err:
        raise DataError(f"{where}: cannot be read ({err.strerror or err})") from err
    if not sample.strip():
        raise DataError(f"{where}: is empty; expected one example per row")
    layout = layout_of(sample, path.suffix.lower(), where, opts.label_column,
                       complete=len(sample) >= size)
    _check_size(where, size, sample, layout, opts.memory_limit)
    try:
        return _load(path, where, layout, opts)
    except MemoryError as err:
        raise DataError(f"{where}: not enough memory to load it") from err


def _load(path: Path, where: str, layout: Layout, opts: LoadOptions) -> Dataset:
    """Parse the table (fast path first) and turn its label column into Y."""
    table = _fast(path, layout)
    if table is not None:
        X, raw = _columns(table, layout.label), table[:, layout.label]
        numbers: list[int] | None = None

        def locate(i: int) -> str:
            lines = _data_line_numbers(path, layout)
            return f"line {lines[i]}, column {layout.label + 1}"
    else:
        features, labels, numbers = _slow(path, layout, where)
        _check_rows(features, numbers, layout, where)
        X, raw = np.ascontiguousarray(features.T), _label_values(labels, numbers, layout, where)

        def locate(i: int) -> str:
            return f"line {numbers[i]}, column {layout.label + 1}"
    Y, class_names = labels_to_Y(raw, where, classes=opts.classes, locate=locate)
    log.info("%s: %d examples, %d features, %s", where, X.shape[1], X.shape[0],
             "fast path" if numbers is None else "validating path")
    names = [c for i, c in enumerate(layout.header) if i != layout.label] if layout.header else []
    return Dataset(X=X, Y=Y, class_names=class_names, example_shape=(X.shape[0],), source=str(path),
                   feature_names=names if len(names) == X.shape[0] else [])
