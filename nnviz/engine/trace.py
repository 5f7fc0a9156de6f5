"""Traces: the arrays someone else's backprop computed, by name, aligned with nnviz's plan.

Three layouts are understood (all may carry X and Y, or A0 for X):

- nnviz's own ``train --trace``: ``"<iteration>/<key>"`` (``0/Z1``, ``0/dW2``, ``3/W1``); in
  iteration k, ``k/W1`` is W[1] after k's update, so iteration k starts from k−1's parameters;
- flat keys for one iteration: ``W1``, ``b1`` (the parameters it starts from), ``Z1``, ``A1``,
  …, ``J`` (or ``cost``), ``AL``, ``dA2``, ``dZ2``, ``dW2``, ``db2``, …, and the parameters after
  the update as ``updated/W1``;
- the course's: ``parameters/W1``, ``grads/dW1`` (``dA0``, ``dA1``, …), ``caches/Z1`` — or, from
  Python, the course's own objects (see ``course_arrays``).

A trace is read lazily through anything with ``keys()`` and ``read(key)`` (an .npz reader or a
dict), so a long trace of many iterations never sits in memory at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

import numpy as np

from .network import NetworkSpec

Array = np.ndarray

_PLAN_KEY = re.compile(r"^(Z|A|dA|dZ|dW|db|W|b)(\d+)$")
_ITERATION_KEY = re.compile(r"^(\d+)/(.+)$")
_START_GROUPS = ("parameters/",)
_RESULT_GROUPS = ("grads/", "caches/", "cache/", "forward/", "backward/")
_UPDATED_GROUPS = ("updated/", "new_parameters/")
_X_KEYS = ("X", "A0")


class TraceError(Exception):
    """A trace cannot be compared; ``str(err)`` is one line saying what is wrong and what to do."""


class ArraySource(Protocol):
    """Named arrays read one at a time (an .npz reader, or a dict through ``DictSource``)."""

    def keys(self) -> list[str]: ...

    def read(self, key: str) -> Array: ...


class DictSource:
    """A dict of arrays (or numbers) as an ``ArraySource``."""

    def __init__(self, arrays: Mapping[str, Any], where: str = "the trace") -> None:
        self.where = where
        self._arrays = dict(arrays)

    def keys(self) -> list[str]:
        return list(self._arrays)

    def read(self, key: str) -> Array:
        return np.asarray(self._arrays[key])


def _as_array(value: Any, name: str) -> Array:
    """A numeric numpy array of a value someone passed in (a torch tensor works too)."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TraceError(f"{name} holds {array.dtype} values; a trace holds numbers only")
    return array


def _flat_cache(caches: Sequence[Any]) -> bool:
    """True for a flat (Z1, A1, W1, b1, Z2, …) tuple of arrays rather than a list of per-layer caches."""
    return (len(caches) >= 4 and len(caches) % 4 == 0
            and all(hasattr(c, "shape") and not isinstance(c, tuple) for c in caches))


def course_arrays(
    parameters: Mapping[str, Any] | None = None,
    caches: Sequence[Any] | Mapping[str, Any] | None = None,
    grads: Mapping[str, Any] | None = None,
    updated: Mapping[str, Any] | None = None,
    **arrays: Any,
) -> dict[str, Array]:
    """The course's objects as one flat dict of trace keys.

    ``caches`` is the course's list with one ``((A_prev, W, b), Z)`` per layer (what
    ``L_model_forward`` returns), the later notebooks' flat ``(Z1, A1, W1, b1, Z2, …)``, or a
    dict of named arrays (``Z1``, ``A1``, …).
    ``grads`` holds ``dA0``, ``dW1``, ``db1``, … as ``L_model_backward`` returns them;
    ``updated`` the parameters after ``update_parameters``; ``arrays`` anything else
    by its name (``AL``, ``cost``, ``Z1``, ``X``, ``Y``).
    """
    out: dict[str, Array] = {}
    for key, value in (parameters or {}).items():
        out[f"parameters/{key}"] = _as_array(value, f"parameters['{key}']")
    if isinstance(caches, Mapping):
        for key, value in caches.items():
            out[f"caches/{key}"] = _as_array(value, f"caches['{key}']")
    elif caches is not None and _flat_cache(caches):
        # the course's later notebooks: cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, …)
        for l in range(1, len(caches) // 4 + 1):
            Z, A = caches[4 * (l - 1)], caches[4 * (l - 1) + 1]
            out[f"caches/Z{l}"] = _as_array(Z, f"cache Z{l}")
            out[f"caches/A{l}"] = _as_array(A, f"cache A{l}")
    elif caches is not None:
        for l, cache in enumerate(caches, start=1):
            try:
                (A_prev, _W, _b), Z = cache
            except (TypeError, ValueError):
                raise TraceError(
                    f"caches[{l - 1}] is not the course's ((A_prev, W, b), Z); pass caches as that list "
                    "or as a dict of named arrays (Z1, A1, …)"
                ) from None
            out[f"caches/A{l - 1}"] = _as_array(A_prev, f"caches[{l - 1}] A_prev")
            out[f"caches/Z{l}"] = _as_array(Z, f"caches[{l - 1}] Z")
    for key, value in (grads or {}).items():
        out[f"grads/{key}"] = _as_array(value, f"grads['{key}']")
    for key, value in (updated or {}).items():
        out[f"updated/{key}"] = _as_array(value, f"updated['{key}']")
    for key, value in arrays.items():
        if value is not None:
            out[key] = _as_array(value, key)
    return out


@dataclass
class TraceIteration:
    """One iteration of a trace: where its starting parameters and its results are found.

    ``start`` maps W1, b1, … to source keys (empty when the trace does not hold them);
    ``results`` maps plan keys (Z1, A1, J, dA2, …, and W1 for the parameter after the update)
    to source keys.
    """

    number: int
    start: dict[str, str] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)


@dataclass
class Trace:
    """A parsed trace: its iterations in order, where X and Y are, and keys it cannot compare."""

    source: ArraySource
    where: str
    layout: str  # "nnviz", "course" or "flat"
    iterations: list[TraceIteration]
    x_key: str | None = None
    y_key: str | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # source key -> why it is not compared

    def read(self, key: str) -> Array:
        try:
            return _as_array(self.source.read(key), f"{self.where} key '{key}'")
        except TraceError:
            raise
        except (KeyError, ValueError, TypeError, OSError) as err:
            raise TraceError(f"{self.where} key '{key}' cannot be read ({err})") from None

    def shape(self, key: str) -> tuple[int, ...]:
        """The shape of a source array (from its header when the source can tell without reading it)."""
        shape = getattr(self.source, "shape", None)
        return tuple(shape(key)) if callable(shape) else tuple(np.shape(self.source.read(key)))

    def parameters(self, iteration: TraceIteration) -> dict[str, Array] | None:
        """W1, b1, … that ``iteration`` starts from, as float64 (None when the trace lacks them)."""
        if not iteration.start:
            return None
        return {k: np.asarray(self.read(v), dtype=np.float64) for k, v in iteration.start.items()}

    def sizes(self) -> tuple[int, ...]:
        """The layer sizes n[0], …, n[L] that the shapes of the W[l] imply (checked)."""
        it = next((i for i in self.iterations if i.start), None)
        names = it.start if it else next(
            ({k: v for k, v in i.results.items() if k[0] in "Wb"} for i in self.iterations
             if any(k.startswith("W") for k in i.results)), {})
        if not any(k.startswith("W") for k in names):
            raise TraceError(
                f"{self.where} holds no weights: expected W1, b1, … (flat), parameters/W1 (the course's) "
                "or 0/W1 (nnviz's --trace)")
        shapes = {k: self.shape(v) for k, v in names.items()}
        L = 0
        while f"W{L + 1}" in shapes:
            L += 1
        sizes: list[int] = []
        for l in range(1, L + 1):
            W, b = shapes[f"W{l}"], shapes.get(f"b{l}")
            if len(W) != 2:
                raise TraceError(f"{self.where}: W{l} has shape {W}; W[{l}] must be a matrix n[{l}]×n[{l - 1}]")
            if sizes and W[1] != sizes[-1]:
                raise TraceError(
                    f"{self.where}: W{l} is {W[0]}×{W[1]} but layer {l - 1} has {sizes[-1]} units; "
                    f"W[{l}] must be n[{l}]×n[{l - 1}] ({W[0]}×{sizes[-1]})")
            if not sizes:
                sizes.append(W[1])
            if b is None:
                raise TraceError(f"{self.where}: W{l} has no b{l} beside it; every layer needs both")
            if b != (W[0], 1):
                raise TraceError(
                    f"{self.where}: b{l} has shape {b}; b[{l}] must be a column of {W[0]} rows ({W[0]}, 1)")
            sizes.append(W[0])
        extra = sorted(k for k in shapes if _PLAN_KEY.match(k) and int(_PLAN_KEY.match(k).group(2)) > L)
        if extra:
            raise TraceError(f"{self.where}: {extra[0]} has no W{int(_PLAN_KEY.match(extra[0]).group(2)) - 1} "
                             "before it; the layers must be numbered 1, 2, … without gaps")
        return tuple(sizes)


def _plan_key(name: str, L_hint: int | None = None) -> str | None:
    """The plan key a trace name stands for ('cost' -> 'J'; 'AL' stays 'AL' until L is known)."""
    if name in ("J", "cost"):
        return "J"
    if name == "AL":
        return "AL"
    return name if _PLAN_KEY.match(name) else None


def _resolve(results: dict[str, str], L: int, skipped: dict[str, str]) -> dict[str, str]:
    """Map aliases to plan keys once L is known and drop what the plan does not compute."""
    out: dict[str, str] = {}
    for key, source in results.items():
        if key == "AL":
            key = f"A{L}"
        match = _PLAN_KEY.match(key)
        layer = int(match.group(2)) if match else None
        if key == "A0":
            continue  # X, the input
        if key == "dA0":
            skipped[source] = "nnviz does not compute dA[0]: nothing uses it, and the notes skip it"
            continue
        if layer is not None and layer > L:
            skipped[source] = f"the network has {L} layers"
            continue
        if key in out:
            continue  # the first name given wins (e.g. AL and A3)
        out[key] = source
    return out


def parse_trace(source: ArraySource, where: str = "the trace") -> Trace:
    """Work out a trace's layout and align its names with the plan's keys (nothing is read yet)."""
    keys = list(source.keys())
    if not keys:
        raise TraceError(f"{where} holds no arrays")
    skipped: dict[str, str] = {}
    x_key = next((k for k in _X_KEYS if k in keys), None)
    y_key = "Y" if "Y" in keys else None
    numbered: dict[int, dict[str, str]] = {}
    start: dict[str, str] = {}
    results: dict[str, str] = {}
    layout = "flat"
    for key in keys:
        if key in ("X", "Y"):
            continue
        match = _ITERATION_KEY.match(key)
        if match:
            layout = "nnviz"
            name = _plan_key(match.group(2))
            if name is None:
                skipped[key] = "not an array of nnviz's plan"
            else:
                numbered.setdefault(int(match.group(1)), {})[name] = key
            continue
        group, _, name = key.rpartition("/")
        group += "/" if group else ""
        plan_key = _plan_key(name)
        if group and group not in _START_GROUPS + _RESULT_GROUPS + _UPDATED_GROUPS:
            skipped[key] = f"'{group}' is not a group nnviz knows (parameters/, grads/, caches/, updated/)"
            continue
        if group in _START_GROUPS + _RESULT_GROUPS + _UPDATED_GROUPS and layout == "flat":
            layout = "course"
        if plan_key is None:
            skipped[key] = "not an array of nnviz's plan"
        elif group in _UPDATED_GROUPS:
            if plan_key[0] in "Wb":
                results[plan_key] = key
            else:
                skipped[key] = "only W and b are updated"
        elif plan_key[0] in "Wb" and group not in _RESULT_GROUPS:
            start[plan_key] = key
        elif plan_key[0] in "Wb":
            skipped[key] = "W and b belong in parameters/"
        elif plan_key == "A0" and x_key is None:
            x_key = key
        else:
            results.setdefault(plan_key, key)
    if numbered:
        iterations = []
        for number in sorted(numbered):
            previous = numbered.get(number - 1, {})
            it_start = {k: v for k, v in previous.items() if k[0] in "Wb"}
            if number == min(numbered) and start:
                it_start = dict(start)
            iterations.append(TraceIteration(number, it_start, dict(numbered[number])))
        for key in results:
            skipped[results[key]] = "a trace of numbered iterations keeps every array under its iteration"
    else:
        iterations = [TraceIteration(0, start, results)]
    trace = Trace(source, where, layout, iterations, x_key, y_key, skipped)
    L = len(trace.sizes()) - 1
    for it in trace.iterations:
        it.results = _resolve(it.results, L, skipped)
        if it.start and set(it.start) != {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}:
            it.start = {}
    return trace


def spec_from_trace(trace: Trace, Y: Array, hidden: Sequence[str] | str = "relu", output: str | None = None,
                    hidden_sizes: Sequence[int] | None = None) -> NetworkSpec:
    """The design the trace's shapes imply; activations as given, the output from the labels by default."""
    sizes = trace.sizes()
    if hidden_sizes is not None and tuple(hidden_sizes) != sizes[1:-1]:
        raise TraceError(
            f"the trace's weights make the network {'-'.join(map(str, sizes))}, not hidden layers "
            f"{','.join(map(str, hidden_sizes)) or '(none)'}; leave the hidden sizes out or match them")
    if Y.shape[0] != sizes[-1]:
        raise TraceError(f"Y has {Y.shape[0]} rows but the trace's output layer W{len(sizes) - 1} has "
                         f"{sizes[-1]} units")
    out = output or output_for(Y)
    acts = [hidden] * (len(sizes) - 2) if isinstance(hidden, str) else list(hidden)
    if len(acts) == 1 and len(sizes) - 2 > 1:
        acts = acts * (len(sizes) - 2)
    try:
        return NetworkSpec(sizes, tuple(acts), out)
    except ValueError as err:
        raise TraceError(str(err)) from None


def output_for(Y: Array) -> str:
    """The output layer labels ask for: sigmoid for one 0/1 row, softmax for one-hot columns, else linear."""
    binary = np.isin(Y, (0.0, 1.0)).all()
    if Y.shape[0] == 1 and binary:
        return "sigmoid"
    if Y.shape[0] > 1 and binary and np.all(Y.sum(axis=0) == 1):
        return "softmax"
    return "linear"
