"""Comparing someone's backprop with nnviz's: traces from an independent course-style implementation
(written here, in plain numpy), each classic mistake injected one at a time."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz import compare
from nnviz.engine.trace import TraceError

ALPHA = 0.05


# -- an independent implementation, as a course student writes it -------------------


def _g(name, Z):
    if name == "relu":
        return np.maximum(0, Z)
    if name == "tanh":
        return np.tanh(Z)
    return 1 / (1 + np.exp(-Z))


def _g_prime(name, Z):
    if name == "relu":
        return (Z > 0).astype(float)
    if name == "tanh":
        return 1 - np.tanh(Z) ** 2
    s = 1 / (1 + np.exp(-Z))
    return s * (1 - s)


def student(params, X, Y, acts, mistake=None, at=None, convention="course"):
    """One iteration of gradient descent; ``mistake`` injected at array ``at`` (e.g. 'dW2').

    Returns (caches, AL, cost, grads, updated, flat) where ``flat`` holds every array by its name."""
    L = len(acts)
    m = Y.shape[1]
    flat = {}
    caches = []
    A = X
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        A_prev = A
        if at == f"Z{l}" and mistake == "z_transposed_W":
            Z = np.dot(W.T, A_prev) + b
        elif at == f"Z{l}" and mistake == "z_without_b":
            Z = np.dot(W, A_prev)
        else:
            Z = np.dot(W, A_prev) + b
        A = _g(acts[l - 1], Z)
        caches.append(((A_prev, W, b), Z))
        flat[f"Z{l}"], flat[f"A{l}"] = Z, A
    AL = A
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    if at == "J" and mistake == "factor_m":
        cost = cost * m
    flat["J"] = cost
    scale = 1.0 if convention == "course" else 1.0 / m  # nnviz puts the 1/m into dA[L]
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)) * scale
    if at == f"dA{L}" and mistake == "sign":
        dA = -dA
    flat[f"dA{L}"] = dA
    grads = {}
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        A_l = flat[f"A{l}"]
        if at == f"dZ{l}" and mistake == "no_g_prime":
            dZ = dA
        elif at == f"dZ{l}" and mistake == "g_prime_of_A":
            dZ = dA * _g_prime(acts[l - 1], A_l)
        else:
            dZ = dA * _g_prime(acts[l - 1], Z)
        k = 1.0 / m if convention == "course" else 1.0
        if at == f"dW{l}" and mistake == "factor_m":
            dW = np.dot(dZ, A_prev.T) * k * m
        elif at == f"dW{l}" and mistake == "factor_1/m":
            dW = np.dot(dZ, A_prev.T) * k / m
        elif at == f"dW{l}" and mistake == "transpose":
            dW = np.dot(A_prev, dZ.T) * k
        elif at == f"dW{l}" and mistake == "wrong_layer_A":
            dW = np.dot(dZ, A_l.T) * k
        elif at == f"dW{l}" and mistake == "sign":
            dW = -np.dot(dZ, A_prev.T) * k
        else:
            dW = np.dot(dZ, A_prev.T) * k
        if at == f"db{l}" and mistake == "db_no_axis":
            db = np.sum(dZ) * k
        elif at == f"db{l}" and mistake == "db_no_keepdims":
            db = np.sum(dZ, axis=1) * k
        elif at == f"db{l}" and mistake == "mean_for_sum":
            db = np.mean(dZ, axis=1, keepdims=True) * k
        else:
            db = np.sum(dZ, axis=1, keepdims=True) * k
        if at == f"dA{l - 1}" and mistake == "dA_without_transpose":
            dA = np.dot(W, dZ)
        else:
            dA = np.dot(W.T, dZ)
        flat[f"dZ{l}"], flat[f"dW{l}"], flat[f"db{l}"] = dZ, dW, db
        if l > 1:
            flat[f"dA{l - 1}"] = dA
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = dA, dW, db
    updated = {}
    for l in range(1, L + 1):
        for p in "Wb":
            old, grad = params[f"{p}{l}"], grads[f"d{p}{l}"]
            if at == f"{p}{l}" and mistake == "update_sign":
                new = old + ALPHA * grad
            elif at == f"{p}{l}" and mistake == "update_no_alpha":
                new = old - grad
            else:
                new = old - ALPHA * grad
            updated[f"{p}{l}"] = new
    return caches, AL, cost, grads, updated, flat


@pytest.fixture
def problem():
    """A 4-4-4-1 network on 10 examples: square hidden layers, so Wᵀ and the wrong layer's A fit."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((4, 10))
    Y = (rng.random((1, 10)) > 0.5).astype(float)
    params = {}
    for l, (n, n_prev) in enumerate([(4, 4), (4, 4), (1, 4)], start=1):
        params[f"W{l}"] = rng.standard_normal((n, n_prev)) * 0.8
        params[f"b{l}"] = rng.standard_normal((n, 1)) * 0.1
    return params, X, Y


def _compare_course(params, X, Y, acts, **student_kwargs):
    caches, AL, cost, grads, updated, _ = student(params, X, Y, acts, **student_kwargs)
    return compare(params, X, Y, caches=caches, grads=grads, AL=AL, cost=cost, updated=updated,
                   activation=acts[0], learning_rate=ALPHA)


def _compare_flat(params, X, Y, acts, convention="course", **student_kwargs):
    *_, updated, flat = student(params, X, Y, acts, convention=convention, **student_kwargs)
    trace = {**params, **flat, **{f"updated/{k}": v for k, v in updated.items()}, "X": X, "Y": Y}
    return compare(trace=trace, activation=acts[0], learning_rate=ALPHA)


# -- a correct implementation matches ----------------------------------------------


@pytest.mark.parametrize("convention", ["course", "nnviz"])
def test_a_correct_trace_matches_entirely_in_both_conventions(problem, convention):
    params, X, Y = problem
    report = _compare_flat(params, X, Y, ["relu", "relu", "sigmoid"], convention=convention)
    assert report.convention == convention
    assert report.first_difference is None and report.all_match
    assert len(report.compared) == 25  # every operation of the plan
    assert {row.verdict for row in report.compared} <= {"exact", "close"}
    assert str(report).splitlines()[-1] == "all 25 arrays match"


def test_the_course_layout_matches_and_names_what_it_does_not_compare(problem):
    params, X, Y = problem
    report = _compare_course(params, X, Y, ["relu", "relu", "sigmoid"])
    assert report.all_match and report.convention == "course"
    missing = {row.symbol for row in report.rows if row.verdict == "missing"}
    assert missing == {"dA[3]", "dZ[3]", "dZ[2]", "dZ[1]"}  # the course keeps none of these
    assert any("dA0" in note and "does not compute dA[0]" in note for note in report.notes)


# -- each classic mistake, injected one at a time --------------------------------

MISTAKES = [
    # (mistake, where injected, hidden activation, first array that differs in a full trace)
    ("z_transposed_W", "Z2", "relu"),
    ("z_without_b", "Z1", "relu"),
    ("factor_m", "J", "relu"),
    ("sign", "dA3", "relu"),
    ("no_g_prime", "dZ2", "relu"),
    ("no_g_prime", "dZ3", "relu"),
    ("g_prime_of_A", "dZ2", "tanh"),
    ("g_prime_of_A", "dZ1", "sigmoid"),
    ("factor_m", "dW2", "relu"),
    ("factor_1/m", "dW1", "relu"),
    ("transpose", "dW3", "relu"),
    ("wrong_layer_A", "dW2", "relu"),
    ("sign", "dW1", "relu"),
    ("db_no_axis", "db2", "relu"),
    ("db_no_keepdims", "db1", "relu"),
    ("mean_for_sum", "db3", "relu"),
    ("dA_without_transpose", "dA1", "relu"),
    ("update_sign", "W2", "relu"),
    ("update_no_alpha", "b1", "relu"),
]


def _symbol(key):
    from nnviz.engine import symbol

    return symbol(key)


@pytest.mark.parametrize("convention", ["course", "nnviz"])
@pytest.mark.parametrize("mistake, at, act", MISTAKES)
def test_a_full_trace_names_the_injected_mistake_where_it_was_made(problem, mistake, at, act, convention):
    params, X, Y = problem
    acts = [act, act, "sigmoid"]
    report = _compare_flat(params, X, Y, acts, convention=convention, mistake=mistake, at=at)
    assert report.first_difference == _symbol(at)
    assert report.mistake is not None, str(report)
    assert (report.mistake.name, report.mistake.key) == (mistake, at), str(report)
    assert report.convention == convention
    last = str(report).splitlines()[-1]
    assert last == f"first difference: {_symbol(at)} (looks like: {report.mistake.text})"


@pytest.mark.parametrize("mistake, at, act", MISTAKES)
def test_the_course_layout_finds_mistakes_in_arrays_it_does_not_keep(problem, mistake, at, act):
    params, X, Y = problem
    report = _compare_course(params, X, Y, [act, act, "sigmoid"], mistake=mistake, at=at)
    assert report.mistake is not None, str(report)
    named = [(report.mistake.name, report.mistake.key)]
    # a sign in dA[3] or in dZ[3] gives the same dW[3] onwards: when the trace holds neither, both are said
    named += [(m.name, m.key) for m in report.mistake.alternatives]
    assert (mistake, at) in named, str(report)
    assert len(named) == (2 if at == "dA3" else 1), str(report)
    if at.startswith(("dZ", "dA3")):  # not kept by the course: the first array it changes is reported
        l = int(at[-1])
        assert report.first_difference == f"dW[{l}]"
        match = next(m for m in (report.mistake, *report.mistake.alternatives) if m.key == at)
        assert f"{_symbol(at)} is not in the trace" in match.text
    else:
        assert report.first_difference == _symbol(at)


def test_the_first_difference_is_located_not_its_consequences(problem):
    params, X, Y = problem
    report = _compare_flat(params, X, Y, ["relu", "relu", "sigmoid"], mistake="no_g_prime", at="dZ2")
    verdicts = {row.key: row.verdict for row in report.rows}
    # everything after dZ[2] that depends on it differs too; the report points at dZ[2]
    assert verdicts["dW2"] == verdicts["dW1"] == verdicts["W1"] == "different"
    assert verdicts["dW3"] in ("exact", "close") and verdicts["dZ3"] in ("exact", "close")
    assert report.first_difference == "dZ[2]"
    assert report.inputs[0] in ("inputs of dZ[2]: dA[2] exact, Z[2] exact", "inputs of dZ[2]: dA[2] close, Z[2] exact")


def test_another_learning_rate_is_named_with_the_one_the_code_used(problem):
    params, X, Y = problem
    *_, updated, flat = student(params, X, Y, ["relu", "relu", "sigmoid"])
    trace = {**params, **flat, **{f"updated/{k}": v for k, v in updated.items()}, "X": X, "Y": Y}
    report = compare(trace=trace, learning_rate=0.0075)
    assert report.first_difference == "W[1]"
    assert report.mistake.name == "update_alpha"
    assert "--lr 0.05" in report.mistake.text


# -- bad traces get one line -------------------------------------------------------


def test_bad_traces_get_one_line_messages(problem, tmp_path):
    params, X, Y = problem
    with pytest.raises(TraceError, match=r"b2 has shape \(4,\); b\[2\] must be a column"):
        compare({**params, "b2": params["b2"].ravel()}, X, Y, grads={})
    with pytest.raises(TraceError, match="W2 has no b2 beside it"):
        compare({k: v for k, v in params.items() if k != "b2"}, X, Y)
    with pytest.raises(TraceError, match="holds no weights"):
        compare(trace={"dW1": np.zeros((4, 4)), "X": X, "Y": Y})
    with pytest.raises(TraceError, match="X and Y are needed"):
        compare(params)
    with pytest.raises(TraceError, match=r"W2 is 4×3 but layer 1 has 4 units"):
        compare({**params, "W2": np.zeros((4, 3))}, X, Y)
    with pytest.raises(TraceError, match="holds <U"):
        compare(params, X, Y, grads={"dW1": np.array(["a"])})


def test_a_pickled_trace_file_is_refused_before_it_is_read(tmp_path, problem):
    from nnviz.data import DataError

    params, X, Y = problem
    path = tmp_path / "evil.npz"
    np.savez(path, X=X, Y=Y, W1=np.array([{"a": 1}], dtype=object), **{k: v for k, v in params.items() if k != "W1"})
    with pytest.raises(DataError, match="pickled"):
        compare(trace=path)


def test_comparing_from_python_never_loads_qt(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, numpy as np\n"
        "from nnviz import compare\n"
        "rng = np.random.default_rng(0)\n"
        "X, Y = rng.standard_normal((3, 8)), (rng.random((1, 8)) > 0.5).astype(float)\n"
        "p = {'W1': rng.standard_normal((2, 3)), 'b1': np.zeros((2, 1)), 'W2': rng.standard_normal((1, 2)),"
        " 'b2': np.zeros((1, 1))}\n"
        "report = compare(p, X, Y, Z1=p['W1'] @ X)\n"
        "print(report.summary(), [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))])\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "the 1 array matches []"


def test_the_later_notebooks_flat_cache_tuple(problem):
    params, X, Y = problem
    acts = ["relu", "relu", "sigmoid"]
    caches, AL, cost, grads, updated, flat = student(params, X, Y, acts)
    cache = tuple(a for l in range(1, 4) for a in (flat[f"Z{l}"], flat[f"A{l}"], params[f"W{l}"], params[f"b{l}"]))
    report = compare(params, X, Y, caches=cache, grads=grads, learning_rate=ALPHA)
    assert report.all_match
    assert {r.key for r in report.compared} >= {"Z1", "A1", "Z3", "A3", "dW1", "db3"}
    caches, AL, cost, grads, updated, flat = student(params, X, Y, acts, mistake="transpose", at="dW3")
    cache = tuple(a for l in range(1, 4) for a in (flat[f"Z{l}"], flat[f"A{l}"], params[f"W{l}"], params[f"b{l}"]))
    report = compare(params, X, Y, caches=cache, grads=grads, learning_rate=ALPHA)
    assert report.first_difference == "dW[3]" and report.first.verdict == "wrong shape"
    assert report.mistake.name == "transpose" and "4×1 for 1×4" in report.mistake.text
