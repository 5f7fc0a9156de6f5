"""Tables as people save them: wide rows (pixels as columns) and UTF-16 text from Windows tools."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import load_dataset
from nnviz.data import tabular

from data_helpers import error_of


def wide_table(path, rows=20, columns=12_000, quoted=False):
    """rows × columns: columns - 1 pixel intensities (6 decimals) and a 0/1 label; a line is
    about 8 bytes per column, far longer than the 64 KB nnviz first looks at."""
    rng = np.random.default_rng(columns)
    cells = [[f"{v:.6f}" for v in row] for row in rng.random((rows, columns - 1))]
    labels = rng.integers(0, 2, rows)
    cell = '"{}"' if quoted else "{}"
    lines = [",".join([*(cell.format(v) for v in row), str(y)]) for row, y in zip(cells, labels)]
    path.write_text("\n".join(lines) + "\n")
    return np.array([[float(v) for v in row] for row in cells]), labels


@pytest.fixture(params=["pandas", "numpy"])
def reader(request, monkeypatch):
    """Run a test with pandas' reader (also for wide tables, which nnviz gives to numpy for speed)
    and again with numpy.loadtxt alone (as without pandas)."""
    if request.param == "pandas":
        monkeypatch.setattr(tabular, "WIDE_COLUMNS", 10**9)
        monkeypatch.setattr(tabular, "_read_with_numpy", lambda path, layout: pytest.fail("numpy"))
    if request.param == "numpy":
        def no_pandas(path, layout):
            raise ImportError("pandas is not installed")
        monkeypatch.setattr(tabular, "_read_with_pandas", no_pandas)
    return request.param


def test_rows_longer_than_64_kb_are_read(tmp_path, reader):
    path = tmp_path / "pixels.csv"
    pixels, labels = wide_table(path)
    assert len(path.read_bytes().split(b"\n")[0]) > tabular.SAMPLE_BYTES
    ds = load_dataset(path)
    assert ds.X.shape == (11_999, 20) and ds.Y.shape == (1, 20)
    np.testing.assert_array_equal(ds.X, pixels.T)
    np.testing.assert_array_equal(ds.Y[0], labels)


def test_wide_rows_with_a_header_and_the_validating_path(tmp_path, caplog):
    caplog.set_level("INFO", logger="nnviz.data.tabular")
    path = tmp_path / "quoted.csv"
    pixels, labels = wide_table(path, rows=5, columns=20_000, quoted=True)
    header = ",".join(f"p{j}" for j in range(19_999)) + ",label\n"
    named = [line.rsplit(",", 1)[0] + ("," + ("cat" if y else "dog")) for line, y in
             zip(path.read_text().splitlines(), labels)]  # class names: pandas' float reader gives up
    path.write_text(header + "\n".join(named) + "\n")
    ds = load_dataset(path)
    assert "validating path" in caplog.text
    np.testing.assert_array_equal(ds.X, pixels.T)
    assert ds.class_names == ["cat", "dog"]
    np.testing.assert_array_equal(ds.Y[0], 1 - labels)


def test_a_wide_row_with_a_missing_cell_names_its_line(tmp_path):
    path = tmp_path / "ragged.csv"
    wide_table(path, rows=4)
    lines = path.read_text().splitlines()
    lines[2] = lines[2].split(",", 1)[1]  # one cell fewer on line 3
    path.write_text("\n".join(lines) + "\n")
    assert error_of(path) == f"{path} line 3: 11999 columns, expected 12000"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_text_is_read(tmp_path, reader, encoding):
    path = tmp_path / "excel.csv"
    text = "größe,höhe,klasse\r\n1.5,2,katze\r\n3,4.25,hund\r\n-1,0,katze\r\n"
    path.write_bytes(text.encode(encoding))
    ds = load_dataset(path)
    np.testing.assert_array_equal(ds.X, [[1.5, 3, -1], [2, 4.25, 0]])
    assert ds.class_names == ["hund", "katze"]
    np.testing.assert_array_equal(ds.Y, [[1, 0, 1]])


def test_large_utf16_table_matches_its_utf8_copy(tmp_path, reader):
    rng = np.random.default_rng(5)
    values = np.round(rng.normal(size=(3000, 5)), 5)
    text = "".join(",".join(f"{v:.5f}" for v in row) + f",{i % 3}\n" for i, row in enumerate(values))
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    (tmp_path / "b.csv").write_bytes(text.encode("utf-16"))
    a, b = load_dataset(tmp_path / "a.csv"), load_dataset(tmp_path / "b.csv")
    assert a.X.tobytes() == b.X.tobytes() and a.Y.tobytes() == b.Y.tobytes()


def test_binary_is_still_called_binary(tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(b"\xff\xfe" + bytes(range(256)) * 8)
    assert "does not look like a text file" in error_of(path)


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_data_path_does_not_load_the_current_folder(tmp_path, monkeypatch, empty):
    for name in ("cats", "dogs"):  # a folder that would load as an image dataset
        (tmp_path / name).mkdir()
    monkeypatch.chdir(tmp_path)
    assert "no data file given" in error_of(empty)
    train = tmp_path / "train.csv"
    train.write_text("1,2,0\n3,4,1\n")
    assert "no data file given" in error_of(train, test=empty)


def test_the_command_line_refuses_an_empty_data_path(tmp_path, monkeypatch, capsys):
    from nnviz.cli import main

    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["info", ""]) == 2
    assert capsys.readouterr().err.startswith("error: no data file given")
