"""Labels -> Y, the output-layer check, and describe()'s text."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.cli import flag_for
from nnviz.data import DataError, Dataset, Fix, check_output_fits, describe, load_demo, worded
from nnviz.data.labels import labels_to_Y, match_rows, matrix_to_Y


def test_zero_one_labels_stay_one_row():
    Y, names = labels_to_Y(np.array([0, 1, 1, 0]), "f")
    np.testing.assert_array_equal(Y, [[0, 1, 1, 0]])
    assert names == ["0", "1"] and Y.dtype == np.float64


def test_bool_and_float_zero_one():
    for raw in (np.array([True, False]), np.array([1.0, 0.0])):
        Y, names = labels_to_Y(raw, "f")
        np.testing.assert_array_equal(Y, [[1, 0]])


def test_two_other_integers_become_zero_and_one():
    Y, names = labels_to_Y(np.array([-1, 1, 1, -1]), "f")
    np.testing.assert_array_equal(Y, [[0, 1, 1, 0]])
    assert names == ["-1", "1"]


def test_integer_classes_are_one_hot_in_sorted_order():
    Y, names = labels_to_Y(np.array([3, 1, 2, 3]), "f")
    assert names == ["1", "2", "3"]
    np.testing.assert_array_equal(Y, [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]])


def test_many_distinct_integers_are_real_values():
    raw = np.arange(500)
    Y, names = labels_to_Y(raw, "f")
    assert names == [] and Y.shape == (1, 500)


def test_names_from_the_file_index_the_classes():
    Y, names = labels_to_Y(np.array([0, 2, 1]), "f", names=["cat", "dog", "eel"])
    assert names == ["cat", "dog", "eel"] and Y.shape == (3, 3)


def test_test_labels_follow_training_classes():
    Y, names = labels_to_Y(np.array(["b"]), "t", classes=["a", "b"])
    np.testing.assert_array_equal(Y, [[1]])
    Y, names = labels_to_Y(np.array([0, 1]), "t", classes=["non-cat", "cat"])  # plain numbers
    np.testing.assert_array_equal(Y, [[0, 1]])
    with pytest.raises(DataError, match="label 'z' is not one of the training classes"):
        labels_to_Y(np.array(["a", "z"]), "t", classes=["a", "b"])
    with pytest.raises(DataError, match="training labels are numbers"):
        labels_to_Y(np.array(["a"]), "t", classes=[])
    Y, names = labels_to_Y(np.array([0.5, 2.0]), "t", classes=[])
    assert names == [] and Y.tolist() == [[0.5, 2.0]]


def test_matrix_labels():
    one_hot = np.eye(3)[:, [0, 2, 1]]
    Y, names = matrix_to_Y(one_hot, "f")
    assert names == ["0", "1", "2"]
    Y, names = matrix_to_Y(np.array([[0.5, 1.0], [2.0, 3.0]]), "f")
    assert names == []
    with pytest.raises(DataError, match="3 classes"):
        matrix_to_Y(np.eye(2), "t", classes=["a", "b", "c"])


def test_match_rows_converts_between_row_and_two_rows():
    np.testing.assert_array_equal(match_rows(np.array([[0.0, 1.0]]), 2, "t"), [[1, 0], [0, 1]])
    np.testing.assert_array_equal(match_rows(np.array([[1.0, 0.0], [0.0, 1.0]]), 1, "t"), [[0, 1]])
    with pytest.raises(DataError, match="3 rows but the training labels have 1"):
        match_rows(np.eye(3), 1, "t")


def _dataset(Y, names=()):
    Y = np.asarray(Y, dtype=float)
    return Dataset(X=np.ones((2, Y.shape[1])), Y=Y, class_names=list(names), name="d.csv")


@pytest.mark.parametrize("Y,names,output", [
    ([[0, 1, 1]], ["a", "b"], "sigmoid"),
    (np.eye(3), ["a", "b", "c"], "softmax"),
    (np.eye(2), ["a", "b"], "softmax"),
    ([[0.5, 3.0]], [], "linear"),
    (np.eye(3), ["a", "b", "c"], "linear"),
])
def test_outputs_that_fit(Y, names, output):
    check_output_fits(_dataset(Y, names), output)


@pytest.mark.parametrize("Y,names,output,expected", [
    (np.eye(3), ["a", "b", "c"], "sigmoid",
     "d.csv: labels have 3 classes (a, b, c); a sigmoid output needs one row of 0/1 labels: "
     "use a softmax output (--output softmax)"),
    ([[0.5, 3.0]], [], "sigmoid", "use a linear output (--output linear)"),
    ([[0, 1, 1]], ["a", "b"], "softmax", "use a sigmoid output (--output sigmoid)"),
    ([[0.5, 3.0]], [], "softmax", "use a linear output"),
    ([[1.0, 2.0], [3.0, 4.0]], [], "sigmoid", "2 rows of real values"),
    ([[0, 1]], [], "tanh", "unknown output 'tanh'"),
])
def test_outputs_that_do_not_fit_say_what_to_change(Y, names, output, expected):
    with pytest.raises(DataError) as info:
        check_output_fits(_dataset(Y, names), output)
    assert expected in worded(info.value, flag_for)  # as the command line words the fix
    if "--output" in expected:  # the data layer names the output, not the flag
        assert info.value.fix == Fix("output", expected.split("--output ")[1].rstrip(")"))
        assert "--" not in str(info.value)


def test_output_check_covers_the_test_labels():
    ds = _dataset([[0, 1]], ["a", "b"])
    ds.X_test, ds.Y_test = np.ones((2, 1)), np.array([[2.0]])
    with pytest.raises(DataError, match="test labels take values other than 0 and 1"):
        check_output_fits(ds, "sigmoid")


def test_describe_binary_with_test_split():
    text = describe(load_demo("images"))
    lines = text.splitlines()
    assert lines[:4] == ["X: (12288, 209)", "Y: (1, 209)", "X_test: (12288, 50)", "Y_test: (1, 50)"]
    assert "classes: no sun 105, sun 104" in lines
    assert "test classes: no sun 25, sun 25" in lines
    assert any(line.startswith("X values: min 0, max 1") for line in lines)
    assert "task: binary (sigmoid output)" in lines


def test_describe_multiclass_and_regression():
    text = describe(_dataset(np.eye(3)[:, [0, 1, 1]], ["a", "b", "c"]))
    assert text.splitlines()[:2] == ["X: (2, 3)", "Y: (3, 3)"]
    assert "classes: a 1, b 2, c 0" in text and "X_test" not in text
    text = describe(_dataset([[0.5, 1.5]]))
    assert "task: regression (linear output)" in text and "Y values: min 0.5, max 1.5" in text
