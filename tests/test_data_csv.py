"""CSV / TSV / whitespace tables: round trips, headers, label columns and every bad-input message."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import load_dataset

from data_helpers import error_of


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_round_trip_numeric_binary(tmp_path):
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    labels = rng.integers(0, 2, 40)
    rows = [",".join(repr(float(v)) for v in row) + f",{y}" for row, y in zip(features, labels)]
    ds = load_dataset(write(tmp_path, "\n".join(rows) + "\n"))
    assert ds.X.shape == (3, 40) and ds.Y.shape == (1, 40)
    assert ds.X.flags["C_CONTIGUOUS"] and ds.X.dtype == np.float64
    np.testing.assert_array_equal(ds.X, features.T)
    np.testing.assert_array_equal(ds.Y[0], labels)
    assert ds.task == "binary" and ds.default_output() == "sigmoid"
    assert ds.class_names == ["0", "1"]
    assert ds.example_shape == (3,) and ds.name == "data.csv"


def test_header_detected_and_string_labels_become_classes(tmp_path):
    text = "sepal,petal,species\n1,2,setosa\n3,4,virginica\n5,6,versicolor\n7,8,setosa\n"
    ds = load_dataset(write(tmp_path, text))
    assert ds.class_names == ["setosa", "versicolor", "virginica"]
    assert ds.Y.shape == (3, 4)
    np.testing.assert_array_equal(ds.Y.argmax(axis=0), [0, 2, 1, 0])
    np.testing.assert_array_equal(ds.X, [[1, 3, 5, 7], [2, 4, 6, 8]])
    assert ds.default_output() == "softmax"


def test_two_string_classes_give_one_binary_row(tmp_path):
    ds = load_dataset(write(tmp_path, "x,label\n1,dog\n2,cat\n3,dog\n"))
    assert ds.class_names == ["cat", "dog"]
    np.testing.assert_array_equal(ds.Y, [[1, 0, 1]])


def test_integer_labels_with_more_classes_are_one_hot(tmp_path):
    ds = load_dataset(write(tmp_path, "1,0\n2,1\n3,2\n4,1\n"))
    assert ds.Y.shape == (3, 4) and ds.class_names == ["0", "1", "2"]
    np.testing.assert_array_equal(ds.Y.argmax(axis=0), [0, 1, 2, 1])


def test_real_valued_labels_are_regression(tmp_path):
    ds = load_dataset(write(tmp_path, "1,0.5\n2,1.5\n3,2.25\n"))
    assert ds.task == "regression" and ds.class_names == []
    np.testing.assert_array_equal(ds.Y, [[0.5, 1.5, 2.25]])
    assert ds.default_output() == "linear"


def test_label_column_by_name_and_by_index(tmp_path):
    path = write(tmp_path, "y,a,b\n1,10,20\n0,11,21\n")
    by_name = load_dataset(path, label_column="y")
    by_index = load_dataset(path, label_column=0)
    by_text_index = load_dataset(path, label_column="0")
    by_negative = load_dataset(path, label_column=-3)
    for ds in (by_name, by_index, by_text_index, by_negative):
        np.testing.assert_array_equal(ds.X, [[10, 11], [20, 21]])
        np.testing.assert_array_equal(ds.Y, [[1, 0]])


def test_middle_label_column_keeps_feature_order(tmp_path):
    ds = load_dataset(write(tmp_path, "1,0,3,4\n5,1,7,8\n"), label_column=1)
    np.testing.assert_array_equal(ds.X, [[1, 5], [3, 7], [4, 8]])


def test_unknown_label_column_name_lists_the_header(tmp_path):
    message = error_of(write(tmp_path, "a,b,c\n1,2,0\n"), label_column="species")
    assert "no column named 'species'" in message and "a, b, c" in message


def test_label_column_index_out_of_range(tmp_path):
    message = error_of(write(tmp_path, "1,2,0\n"), label_column=5)
    assert "label column 5 does not exist" in message and "3 columns" in message


@pytest.mark.parametrize("name,text,delimiter", [
    ("data.tsv", "a\tb\tl\n1\t2\t0\n3\t4\t1\n", "tab"),
    ("data.csv", "a;b;l\n1,5;2;0\n3;4,5;1\n", "semicolon"),
    ("data.txt", "1 2  0\n3   4 1\n", "whitespace"),
    ("data.csv", "1\t2\t0\n3\t4\t1\n", "tab in .csv"),
])
def test_delimiters(tmp_path, name, text, delimiter):
    if delimiter == "semicolon":  # decimal commas with semicolons are not read as numbers
        assert "use a dot as the decimal separator" in error_of(write(tmp_path, text, name))
        text = text.replace(",", ".")
    ds = load_dataset(write(tmp_path, text, name))
    assert ds.X.shape == (2, 2)
    np.testing.assert_array_equal(ds.Y, [[0, 1]])


def test_quoted_cells_blank_lines_comments_and_crlf(tmp_path):
    text = '# exported\r\n"a","b","label"\r\n\r\n"1","2","yes"\r\n# note\r\n3,4,no\r\n\r\n'
    ds = load_dataset(write(tmp_path, text))
    np.testing.assert_array_equal(ds.X, [[1, 3], [2, 4]])
    assert ds.class_names == ["no", "yes"]


def test_utf8_bom_and_latin1_headers(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffa,b,l\n1,2,0\n".encode("utf-8"))
    assert load_dataset(path).X.shape == (2, 1)
    path = tmp_path / "latin.csv"
    path.write_bytes("größe,wert,klasse\n1,2,ja\n3,4,nein\n".encode("latin-1"))
    assert load_dataset(path).class_names == ["ja", "nein"]


def test_non_numeric_cell_names_line_and_column(tmp_path, monkeypatch):
    rows = ["a,b,c"] + [f"{i},{i},{i % 2}" for i in range(5)] + ["1,ten,0"]
    write(tmp_path, "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)  # messages name the file as the user gave it
    message = error_of("data.csv")
    assert message == "data.csv line 7, column 2: 'ten' is not a number"


def test_empty_cell(tmp_path):
    message = error_of(write(tmp_path, "1,2,0\n3,,1\n"))
    assert "line 2, column 2: the cell is empty" in message


def test_ragged_rows(tmp_path, monkeypatch):
    rows = ["1,2,3,4,0"] * 11 + ["1,2,0"]
    write(tmp_path, "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    message = error_of("data.csv")
    assert message == "data.csv line 12: 3 columns, expected 5"


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "NaN"])
def test_nan_and_inf_features(tmp_path, value):
    message = error_of(write(tmp_path, f"a,b,l\n1,2,0\n3,{value},1\n"))
    assert "data.csv line 3, column 2" in message and "not a finite number" in message


def test_nan_label(tmp_path):
    message = error_of(write(tmp_path, "1,2,0\n3,4,nan\n"))
    assert "line 2, column 3" in message and "finite" in message


def test_non_numeric_label_among_numbers(tmp_path):
    message = error_of(write(tmp_path, "1,0\n2,1\n3,0\n4,one\n"))
    assert "line 4, column 2: label 'one' is not a number" in message


@pytest.mark.parametrize("text,expected", [
    ("", "is empty"),
    ("\n\n  \n", "is empty"),
    ("# only a comment\n", "holds no rows"),
    ("a,b,label\n", "has a header row but no data rows"),
    ("1\n2\n3\n", "single column"),
    ("label\nyes\nno\n", "single column"),
])
def test_empty_header_only_and_single_column(tmp_path, text, expected):
    message = error_of(write(tmp_path, text))
    assert expected in message and message.startswith(str(tmp_path / "data.csv"))


def test_binary_garbage_with_csv_extension(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 8)
    assert "does not look like a text file" in error_of(path)


def test_invalid_utf8_later_in_the_file_names_the_line(tmp_path):
    path = tmp_path / "data.csv"
    body = b"1,2,0\n" * 20000 + b"1,\xff\xfe,0\n"
    path.write_bytes(body)
    message = error_of(path)
    assert "line 20001" in message


def test_fast_and_validating_paths_agree(tmp_path):
    rng = np.random.default_rng(3)
    features = np.round(rng.normal(size=(200, 4)), 6)
    labels = rng.integers(0, 3, 200)
    rows = [",".join(f"{v:.6f}" for v in row) + f",{y}" for row, y in zip(features, labels)]
    fast = load_dataset(write(tmp_path, "\n".join(rows) + "\n", "fast.csv"))
    quoted = [",".join(f'"{v:.6f}"' for v in row) + f",{y}" for row, y in zip(features, labels)]
    slow = load_dataset(write(tmp_path, "\n".join(quoted) + "\n", "slow.csv"))
    np.testing.assert_array_equal(fast.X, slow.X)
    np.testing.assert_array_equal(fast.Y, slow.Y)
    np.testing.assert_array_equal(fast.X, features.T)


def test_test_split_uses_training_classes(tmp_path):
    train = write(tmp_path, "1,a\n2,b\n3,c\n", "train.csv")
    test = write(tmp_path, "4,c\n5,a\n", "test.csv")
    ds = load_dataset(train, test=test)
    assert ds.class_names == ["a", "b", "c"] and ds.Y_test.shape == (3, 2)
    np.testing.assert_array_equal(ds.Y_test.argmax(axis=0), [2, 0])


def test_test_split_with_unknown_class(tmp_path):
    train = write(tmp_path, "1,a\n2,b\n", "train.csv")
    test = write(tmp_path, "4,a\n5,z\n", "test.csv")
    message = error_of(train, test=test)
    assert message.startswith(f"{test} line 2, column 2: label 'z' is not one of the training classes")


def test_test_split_with_other_feature_count(tmp_path):
    train = write(tmp_path, "1,2,0\n3,4,1\n", "train.csv")
    test = write(tmp_path, "1,0\n", "test.csv")
    assert "has 1 features per example but the training data has 2" in error_of(train, test=test)


def test_standardize_uses_training_statistics(tmp_path):
    train = write(tmp_path, "1,5,0\n3,5,1\n", "train.csv")
    test = write(tmp_path, "5,6,1\n", "test.csv")
    ds = load_dataset(train, test=test, standardize=True)
    np.testing.assert_allclose(ds.X, [[-1, 1], [0, 0]])  # constant feature: centred, not divided
    np.testing.assert_allclose(ds.X_test, [[3], [1]])


def test_scale_true_divides_tabular_data(tmp_path):
    path = write(tmp_path, "255,0,1\n51,0,0\n")
    np.testing.assert_allclose(load_dataset(path, scale=True).X, [[1.0, 0.2], [0, 0]])
    np.testing.assert_allclose(load_dataset(path).X, [[255, 51], [0, 0]])


@pytest.mark.parametrize("delimiter,suffix", [(",", ".csv"), ("\t", ".tsv"), (";", ".csv"), (" ", ".txt")])
def test_fast_reader_is_bit_identical_to_numpy_loadtxt(tmp_path, delimiter, suffix):
    """The fast path (pandas' C reader) gives exactly the floats numpy.loadtxt and float() give."""
    from nnviz.data.tabular import _read_with_numpy, _read_with_pandas, layout_of

    rng = np.random.default_rng(7)
    values = rng.standard_normal((300, 6)) * 10.0 ** rng.integers(-300, 300, (300, 6))
    values[0, 0], values[1, 1], values[2, 2] = -0.0, 5e-324, 1.7976931348623157e308
    labels = rng.integers(0, 2, 300)
    lines = ["# exported by a test", delimiter.join(["a", "b", "c", "d", "e", "f", "label"])]
    lines += [delimiter.join([*(repr(float(v)) for v in row), str(y)]) for row, y in zip(values, labels)]
    path = tmp_path / f"exact{suffix}"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    layout = layout_of(path.read_bytes()[:65536], suffix, str(path), None)
    fast, slow = _read_with_pandas(path, layout), _read_with_numpy(path, layout)
    assert fast.shape == slow.shape == (300, 7)
    assert fast.tobytes() == slow.tobytes()
    data = load_dataset(path)
    assert data.X.tobytes() == np.ascontiguousarray(values.T).tobytes()
    assert np.array_equal(data.Y[0], labels)
