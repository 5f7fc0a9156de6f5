"""Compare someone's backprop with nnviz's, array by array in plan order, and locate the first bug.

The reference is the Stepper itself, started from the trace's own parameters: the same plan the
window and ``train`` run, never a second implementation.  Each array the trace holds gets a
verdict (exact, close, different, missing, wrong shape); the first difference is the earliest
operation whose inputs agree but whose output does not, and the classic mistakes
(``mistakes.MISTAKES``) are tried on it to say what it looks like.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from .mistakes import Context, Mistake, mistakes_for
from .network import NetworkSpec
from .plan import shape_text, symbol
from .stepper import Stepper, quiet
from .trace import Trace, TraceError, TraceIteration

Array = np.ndarray

EXACT, CLOSE, DIFFERENT, MISSING, WRONG_SHAPE = "exact", "close", "different", "missing", "wrong shape"
COURSE, NNVIZ, EITHER = "course", "nnviz", "either"
CONVENTIONS = {
    COURSE: "the course's (1/m in dW and db, none in dA and dZ)",
    NNVIZ: "nnviz's (1/m in dA[L], so in every dA and dZ)",
    EITHER: "no dA or dZ to tell the convention by (dW and db are the same in both)",
}
DEFAULT_TOLERANCE = 1e-6
FLOAT32_TOLERANCE = 1e-4


def _scaled(key: str) -> bool:
    """dA and dZ carry the 1/m in nnviz's convention and not in the course's."""
    return key.startswith(("dA", "dZ"))


def close(theirs: Array, ours: Array, tolerance: float) -> bool:
    """|theirs − ours| ≤ tolerance·(|ours| + max|ours|) everywhere (NaN where both have NaN)."""
    if theirs.shape != ours.shape:
        return False
    with quiet():
        scale = float(np.nanmax(np.abs(ours))) if ours.size and np.isfinite(ours).any() else 0.0
        return bool(np.allclose(theirs, ours, rtol=tolerance, atol=tolerance * scale, equal_nan=True))


@dataclass(frozen=True)
class ArrayComparison:
    """One array of the trace beside nnviz's: both as the trace's convention has them."""

    iteration: int
    index: int  # the operation's place in the plan
    key: str
    verdict: str
    theirs: Array | None
    ours: Array

    @property
    def symbol(self) -> str:
        return symbol(self.key)

    @property
    def matches(self) -> bool:
        return self.verdict in (EXACT, CLOSE)

    @property
    def differs(self) -> bool:
        return self.verdict in (DIFFERENT, WRONG_SHAPE)

    @property
    def their_shape(self) -> str:
        return "—" if self.theirs is None else shape_text(self.theirs.shape)

    @property
    def our_shape(self) -> str:
        return shape_text(self.ours.shape)

    @property
    def difference(self) -> Array | None:
        """theirs − ours (None when there is nothing to subtract)."""
        if self.theirs is None or self.theirs.shape != self.ours.shape:
            return None
        with quiet():
            return self.theirs - self.ours

    @property
    def max_abs(self) -> float | None:
        diff = self.difference
        if diff is None:
            return None
        return float(np.nanmax(np.abs(diff))) if diff.size else 0.0

    @property
    def max_rel(self) -> float | None:
        """max |theirs − ours| / max |ours|."""
        diff = self.max_abs
        if diff is None:
            return None
        with quiet():
            scale = float(np.nanmax(np.abs(self.ours))) if self.ours.size else 0.0
        return diff / scale if scale > 0 else (0.0 if diff == 0 else math.inf)

    def differing_cells(self, tolerance: float) -> Array | None:
        """A boolean mask of the cells outside the tolerance (same shape only)."""
        if self.theirs is None or self.theirs.shape != self.ours.shape:
            return None
        with quiet():
            scale = float(np.nanmax(np.abs(self.ours))) if self.ours.size else 0.0
            ok = np.isclose(self.theirs, self.ours, rtol=tolerance, atol=tolerance * scale, equal_nan=True)
        return ~ok


@dataclass(frozen=True)
class MistakeMatch:
    """The classic mistake that explains the first difference exactly."""

    mistake: Mistake
    key: str  # where it was injected (may be an array the trace does not hold)
    text: str  # what the code did, in the notes' notation
    explains: int  # how many of the trace's arrays from the first difference on it reproduces
    alternatives: tuple["MistakeMatch", ...] = ()  # others that explain just as much (arrays the trace lacks)

    @property
    def name(self) -> str:
        return self.mistake.name

    @property
    def symbol(self) -> str:
        return symbol(self.key)


@dataclass
class CompareReport:
    """The outcome of a comparison: every row, the convention, the first difference and its mistake."""

    spec: NetworkSpec
    learning_rate: float
    m: int
    tolerance: float
    convention: str
    rows: list[ArrayComparison] = field(default_factory=list)
    mistake: MistakeMatch | None = None
    notes: list[str] = field(default_factory=list)  # iterations or arrays not compared, and why
    inputs: list[str] = field(default_factory=list)  # how the first difference's operands compare
    stopped_early: bool = False

    @property
    def compared(self) -> list[ArrayComparison]:
        return [row for row in self.rows if row.verdict != MISSING]

    @property
    def first(self) -> ArrayComparison | None:
        return next((row for row in self.rows if row.differs), None)

    @property
    def first_difference(self) -> str | None:
        """The symbol of the first array that differs, e.g. 'dW[2]'; None when all match."""
        first = self.first
        return None if first is None else first.symbol

    @property
    def all_match(self) -> bool:
        return self.first is None and bool(self.compared)

    @property
    def iterations(self) -> list[int]:
        return sorted({row.iteration for row in self.rows})

    def rows_of(self, iteration: int) -> list[ArrayComparison]:
        return [row for row in self.rows if row.iteration == iteration]

    def summary(self) -> str:
        """The last line: 'first difference: dW[2] (looks like: …)' or 'all N arrays match'."""
        first = self.first
        if first is None:
            n = len(self.compared)
            return f"all {n} arrays match" if n > 1 else "the 1 array matches" if n else "nothing to compare"
        where = f"{first.symbol}" + (f" in iteration {first.iteration}" if len(self.iterations) > 1 or first.iteration else "")
        if self.mistake is None:
            return f"first difference: {where} (no classic mistake explains it)"
        return f"first difference: {where} (looks like: {self.mistake.text})"

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        acts = ", ".join(self.spec.activation(l) for l in range(1, self.spec.L + 1))
        out = [
            f"nnviz's reference: network {self.spec} ({acts}), α = {self.learning_rate:g}, m = {self.m}",
            f"convention: {CONVENTIONS[self.convention]}",
            f"close: within {self.tolerance:g}·(|ours| + max|ours|)",
        ]
        first = self.first
        shown = first.iteration if first else (self.iterations[0] if self.iterations else None)
        quiet_iterations = [i for i in self.iterations if i != shown]
        for iteration in self.iterations:
            if iteration != shown:
                continue
            rows = self.rows_of(iteration)
            out.append("")
            out.append(f"iteration {iteration}")
            out.append(f"  {'array':<8} {'theirs':>12} {'ours':>12} {'max |diff|':>11} {'max rel':>9}  verdict")
            for row in rows:
                diff = "" if row.max_abs is None else f"{row.max_abs:.3g}"
                rel = "" if row.max_rel is None else f"{row.max_rel:.2g}"
                mark = "   ← first difference" if row is first else ""
                out.append(f"  {row.symbol:<8} {row.their_shape:>12} {row.our_shape:>12} {diff:>11} {rel:>9}  "
                           f"{row.verdict}{mark}")
        if quiet_iterations:
            n = sum(len([r for r in self.rows_of(i) if r.verdict != MISSING]) for i in quiet_iterations)
            out.append("")
            out.append(f"{_ranges(quiet_iterations)}: all {n} arrays match")
        if self.stopped_early:
            out.append("(later iterations were not compared: they start from the parameters the first "
                       "difference changed)")
        for note in self.notes:
            out.append(f"note: {note}")
        for line in self.inputs:
            out.append(line)
        if self.mistake is not None:
            for other in self.mistake.alternatives:
                out.append(f"or, just as well: {other.text}")
        out.append(self.summary())
        return out


def _ranges(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"iteration {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"iterations {numbers[0]}–{numbers[-1]}"
    return "iterations " + ", ".join(map(str, numbers))


# -- the reference ---------------------------------------------------------------


def reference(spec: NetworkSpec, params: dict[str, Array], X: Array, Y: Array,
              learning_rate: float) -> tuple[Stepper, dict[str, Array]]:
    """One iteration of the plan from ``params``: every result by its key (W1: after the update)."""
    stepper = Stepper(spec, params, X, Y, learning_rate=learning_rate)
    ours: dict[str, Array] = {}
    stepper.run_iteration(lambda op, value: ours.__setitem__(op.key, value))
    return stepper, ours


def _their_arrays(trace: Trace, iteration: TraceIteration) -> dict[str, Array]:
    arrays = {}
    for key, source in iteration.results.items():
        value = trace.read(source)
        if key == "J" and value.size == 1:
            value = value.reshape(1, 1)  # the course's cost is np.squeeze'd to a number
        arrays[key] = value
    return arrays


def detect_convention(theirs: dict[str, Array], ours: dict[str, Array], m: int, tolerance: float,
                      order: Iterable[str]) -> str:
    """COURSE when their dA and dZ are m times nnviz's, NNVIZ when they are the same, EITHER without any."""
    keys = [k for k in order if _scaled(k) and k in theirs and theirs[k].shape == ours[k].shape]
    if not keys or m == 1:
        return EITHER if not keys else NNVIZ
    for key in keys:
        if close(theirs[key], ours[key], tolerance):
            return NNVIZ
        if close(theirs[key], ours[key] * m, tolerance):
            return COURSE
    # none agrees: the scale of the first one says which convention the (buggy) code meant
    with quiet():
        t, o = float(np.linalg.norm(theirs[keys[0]])), float(np.linalg.norm(ours[keys[0]]))
    if t == 0 or o == 0 or not (math.isfinite(t) and math.isfinite(o)):
        return NNVIZ
    return COURSE if abs(math.log(t / (o * m))) < abs(math.log(t / o)) else NNVIZ


def _verdict(theirs: Array | None, ours: Array, tolerance: float) -> str:
    if theirs is None:
        return MISSING
    if theirs.shape != ours.shape:
        return WRONG_SHAPE
    if np.array_equal(theirs, ours, equal_nan=True):
        return EXACT
    return CLOSE if close(theirs, ours, tolerance) else DIFFERENT


# -- the classifier --------------------------------------------------------------


def _candidate_positions(plan, theirs: dict[str, Array], first: int) -> list[int]:
    """The first difference's operation and the operations before it whose results the trace lacks."""
    positions = [first]
    j = first - 1
    while j >= 0 and plan[j].key not in theirs:
        positions.append(j)
        j -= 1
    return positions


def classify(spec: NetworkSpec, params: dict[str, Array], X: Array, Y: Array, learning_rate: float,
             theirs: dict[str, Array], first: int, tolerance: float) -> MistakeMatch | None:
    """The classic mistake that reproduces the trace from operation ``first`` on (``theirs`` in nnviz's
    convention).  Each candidate is injected into the plan at one operation and the plan runs on; the
    one that reproduces the most of the trace's later arrays wins, the most specific on a tie."""
    probe = Stepper(spec, params, X, Y, learning_rate=learning_rate, history_bytes=1 << 62)
    plan = probe.plan
    found: list[tuple[tuple, MistakeMatch]] = []
    for j in sorted(_candidate_positions(plan, theirs, first)):
        distance = first - j
        if probe.position != j:
            probe.run_to(j, at_least_one=False)
        before = dict(probe.values)
        op = plan[j]
        right = probe.step().value
        ctx = Context(op.key, spec, before, right, learning_rate, theirs.get(op.key))
        for order, mistake in enumerate(mistakes_for(ctx)):
            try:
                with quiet():
                    wrong = np.asarray(mistake.wrong(ctx))
            except (ValueError, TypeError, KeyError, IndexError, ArithmeticError):
                continue
            if wrong.shape == right.shape and close(wrong, right, tolerance):
                continue  # the same numbers: this mistake changes nothing here
            explains = _replay(probe, j, wrong, right, theirs, tolerance)
            if explains == 0:
                continue
            found.append(((explains, -distance, -order),
                          MistakeMatch(mistake, op.key, _text(mistake, ctx, op.key, theirs), explains)))
    if not found:
        return None
    found.sort(key=lambda item: item[0], reverse=True)
    best = found[0][1]
    others = tuple(match for _, match in found[1:] if match.explains == best.explains and match.key != best.key)
    return MistakeMatch(best.mistake, best.key, best.text, best.explains, others[:3])


def _text(mistake: Mistake, ctx: Context, key: str, theirs: dict[str, Array]) -> str:
    text = mistake.explain(ctx)
    if key not in theirs:
        text += f" ({symbol(key)} is not in the trace)"
    return text


def _replay(probe: Stepper, j: int, wrong: Array, right: Array, theirs: dict[str, Array],
            tolerance: float) -> int:
    """Run the plan on from operation j with ``wrong`` in its place; count the trace's arrays it
    reproduces in a row (0 when it does not reproduce the first one the trace holds)."""
    plan = probe.plan
    key = plan[j].key
    probe.values[key] = wrong
    count, steps = 0, 0
    if key in theirs:
        if not _same(theirs[key], wrong, tolerance):
            probe.values[key] = right
            return 0
        count = 1
    try:
        for op in plan[j + 1:]:
            value = probe.step().value
            steps += 1
            if op.key in theirs:
                if not _same(theirs[op.key], value, tolerance):
                    break
                count += 1
    except (ValueError, TypeError, IndexError, ArithmeticError):
        pass  # the wrong shape stops the plan where it would stop their code
    for _ in range(steps):
        probe.step_back()
    probe.values[key] = right
    return count


def _same(theirs: Array, value: Array, tolerance: float) -> bool:
    return theirs.shape == value.shape and close(theirs, value, tolerance)


# -- the comparison --------------------------------------------------------------


def compare_trace(
    trace: Trace, spec: NetworkSpec, X: Array, Y: Array, learning_rate: float = 0.0075,
    tolerance: float | None = None, progress: Callable[[int, int], None] | None = None,
) -> CompareReport:
    """Compare every array of every comparable iteration of ``trace`` with the plan's.

    Iterations whose starting parameters the trace lacks are noted and skipped; comparing stops
    after the first iteration with a difference.  ``tolerance`` defaults to 1e-6 (1e-4 when the
    trace holds float32 arrays).  ``progress(done, total)`` is called after each iteration.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m = int(Y.shape[1])
    report: CompareReport | None = None
    notes: list[str] = []
    comparable = [it for it in trace.iterations if it.start]
    for it in trace.iterations:
        if not it.start:
            notes.append(f"iteration {it.number} is not compared: the parameters it starts from are not in "
                         "the trace")
    if not comparable:
        raise TraceError(
            f"{trace.where} holds no iteration with the parameters it starts from; add W1, b1, … "
            "(or, for nnviz's --trace, at least two iterations)")
    for done, it in enumerate(comparable, start=1):
        params = trace.parameters(it)
        try:
            stepper, ours = reference(spec, params, X, Y, learning_rate)
        except ValueError as err:
            raise TraceError(f"{trace.where}, iteration {it.number}: {err}") from None
        theirs = _their_arrays(trace, it)
        order = [op.key for op in stepper.plan]
        if report is None:
            tol = tolerance if tolerance is not None else _default_tolerance(theirs.values())
            convention = detect_convention(theirs, ours, m, tol, order)
            report = CompareReport(spec, learning_rate, m, tol, convention)
        factor = m if report.convention == COURSE else 1
        for op in stepper.plan:
            ours_here = ours[op.key] * factor if factor != 1 and _scaled(op.key) else ours[op.key]
            verdict = _verdict(theirs.get(op.key), ours_here, report.tolerance)
            report.rows.append(ArrayComparison(it.number, op.index, op.key, verdict, theirs.get(op.key), ours_here))
        if progress:
            progress(done, len(comparable))
        first = report.first
        if first is not None:
            theirs_n = {k: (v / factor if factor != 1 and _scaled(k) else v) for k, v in theirs.items()}
            report.mistake = classify(spec, params, X, Y, learning_rate, theirs_n, first.index, report.tolerance)
            report.inputs = _inputs_line(stepper.plan[first.index], report.rows_of(it.number))
            report.stopped_early = done < len(comparable)
            break
    if not report.compared:
        raise TraceError(f"{trace.where} holds the parameters but no results to compare (Z1, A1, …, dW1, db1)")
    for source, why in trace.skipped.items():
        notes.append(f"{source} is not compared ({why})")
    report.notes = notes
    return report


def _inputs_line(op, rows: list[ArrayComparison]) -> list[str]:
    """'inputs of dW[2]: dZ[2] not in the trace, A[1] exact'."""
    by_key = {row.key: row for row in rows}
    parts = []
    for key in op.operands:
        row = by_key.get(key)
        if row is None or row.index >= op.index:
            parts.append(f"{symbol(key)} given")
        elif row.verdict == MISSING:
            parts.append(f"{symbol(key)} not in the trace")
        else:
            parts.append(f"{symbol(key)} {row.verdict}")
    return [f"inputs of {symbol(op.key)}: " + ", ".join(parts)] if parts else []


def _default_tolerance(arrays: Iterable[Array]) -> float:
    single = any(a.dtype.kind == "f" and a.dtype.itemsize < 8 for a in arrays)
    return FLOAT32_TOLERANCE if single else DEFAULT_TOLERANCE
