"""Exports: the training history as CSV, and a trained network as a self-contained numpy script."""
from __future__ import annotations

import base64
import io
import textwrap
from pathlib import Path
from typing import Iterator

import numpy as np

from .history import History
from .network import NetworkSpec

Array = np.ndarray


HISTORY_CSV_ROWS = 4_000  # rows a chunk of the CSV holds: a few milliseconds of C with the GIL held


def _texts(values: Array) -> list[str]:
    """repr of each float64 (the shortest text that reads back as it: 0.30000000000000004, 2e-300,
    nan, inf), made by the list's repr in one call."""
    return repr(values.tolist())[1:-1].split(", ") if len(values) else []


def history_csv_chunks(costs: Array, grad_norms: Array, iterations: Array | None = None) -> Iterator[str]:
    """iteration,cost,norm_dW1,...: the header, then one row per kept iteration (each completed one
    unless a long run's history was thinned: ``iterations``) at full precision, HISTORY_CSV_ROWS rows
    a chunk (a long run's CSV is tens of megabytes)."""
    layers = grad_norms.shape[1] if grad_norms.ndim == 2 else 0
    yield ",".join(["iteration", "cost"] + [f"norm_dW{l}" for l in range(1, layers + 1)]) + "\n"
    n = min(len(costs), len(grad_norms))
    for start in range(0, n, HISTORY_CSV_ROWS):
        stop = min(n, start + HISTORY_CSV_ROWS)
        numbers = range(start, stop) if iterations is None else iterations[start:stop].astype(np.int64).tolist()
        columns = [map(str, numbers), _texts(costs[start:stop]),
                   *(_texts(grad_norms[start:stop, l]) for l in range(layers))]
        yield "\n".join(map(",".join, zip(*columns))) + "\n"


def history_csv(history: History) -> str:
    """The whole CSV of ``history`` (``history_csv_chunks``)."""
    rows = history.rows()
    return "".join(history_csv_chunks(rows.costs, rows.grad_norms, rows.numbered))


_SCRIPT = '''\
#!/usr/bin/env python3
"""{title}

Exported by nnviz. It needs numpy only and reproduces nnviz's predictions digit for digit.

    python {name} X.npy [--out predictions.npy]

X.npy holds examples as columns, shape ({n_x}, m) as in the notes (an (m, {n_x}) array is
transposed for you); the script prints A[{L}] and the predicted classes.  From Python:

    from {module} import predict, load_parameters
    A = predict(X)           # A[{L}], shape ({n_y}, m)
"""
import argparse
import base64
import io

import numpy as np

SIZES = {sizes}
ACTIVATIONS = {activations}  # g[1] .. g[L]
OUTPUT = {output!r}

# W1, b1, ..., W{L}, b{L} (and batch norm's γ, β, μ_run, σ²_run) as an .npz file (float64, exact), base64-encoded
_PARAMETERS = """
{blob}
"""


def load_parameters():
    raw = base64.b64decode("".join(_PARAMETERS.split()))
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        return {{key: data[key] for key in data.files}}


def g(name, Z):
    if name == "relu":
        return np.maximum(Z, 0.0)
    if name == "leaky_relu":
        return np.where(Z > 0, Z, 0.01 * Z)
    if name == "tanh":
        return np.tanh(Z)
    if name == "sigmoid":
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-Z))
    if name == "softmax":
        e = np.exp(Z - Z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)
    return Z


BN_EPSILON = 1e-5


def predict(X, parameters=None):
    """A[L] for the columns of X: Z[l] = W[l]·A[l-1] + b[l], A[l] = g[l](Z[l]).

    A batch-normalised layer has no b[l]: Z̃[l] = γ[l]·(Z[l] − μ_run[l])/√(σ²_run[l] + ε) + β[l]
    with the running averages of training.  Dropout is for training only: none here."""
    parameters = parameters or load_parameters()
    A = X
    for l, name in enumerate(ACTIVATIONS, start=1):
        Z = parameters["W%d" % l] @ A
        if "gamma%d" % l in parameters:
            Zhat = (Z - parameters["murun%d" % l]) / np.sqrt(parameters["varrun%d" % l] + BN_EPSILON)
            Z = parameters["gamma%d" % l] * Zhat + parameters["beta%d" % l]
        else:
            Z = Z + parameters["b%d" % l]
        A = g(name, Z)
    return A


def classes(A):
    if OUTPUT == "sigmoid":
        return (A > 0.5).astype(int)
    if OUTPUT == "softmax":
        return A.argmax(axis=0)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("X", help="a .npy file of examples, shape ({n_x}, m)")
    parser.add_argument("--out", help="save A[L] to this .npy file")
    args = parser.parse_args()
    X = np.load(args.X, allow_pickle=False).astype(float)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.shape[0] != SIZES[0] and X.shape[-1] == SIZES[0]:
        X = X.reshape(X.shape[0], -1).T
    A = predict(X)
    if args.out:
        np.save(args.out, A)
    print("A[%d] =" % len(ACTIVATIONS), A)
    predicted = classes(A)
    if predicted is not None:
        print("classes =", predicted)


if __name__ == "__main__":
    main()
'''


def prediction_arrays(spec: NetworkSpec, values: dict[str, Array]) -> dict[str, Array]:
    """What prediction needs from the stepper's values: W[l], b[l] (γ[l], β[l], μ_run[l], σ²_run[l] with batch norm)."""
    keys = list(spec.parameter_names)
    keys += [f"{run}{l}" for l in range(1, spec.L) if spec.normalised(l) for run in ("murun", "varrun")]
    return {key: values[key] for key in keys}


def network_script(spec: NetworkSpec, params: dict[str, Array], title: str, filename: str = "network.py") -> str:
    """The text of a script that rebuilds the network from embedded parameters and predicts with it
    (``params``: see ``prediction_arrays``)."""
    buffer = io.BytesIO()
    np.savez(buffer, **{k: np.asarray(v, dtype=np.float64) for k, v in params.items()})
    blob = "\n".join(textwrap.wrap(base64.b64encode(buffer.getvalue()).decode("ascii"), 96))
    return _SCRIPT.format(
        title=title,
        name=filename,
        module=Path(filename).stem,
        n_x=spec.sizes[0],
        n_y=spec.sizes[-1],
        L=spec.L,
        sizes=list(spec.sizes),
        activations=[spec.activation(l) for l in range(1, spec.L + 1)],
        output=spec.output,
        blob=blob,
    )
