"""Lecture scenarios (.nnscenario): a starting network and data, then a script of beats to play with Next/Previous.

A scenario is a JSON file (it never runs code) with a "version" key::

    {"format": "nnviz-scenario", "version": 1, "title": "Zeros against He initialisation",
     "data": "demo:moons", "design": {"hidden": [8], "activations": ["tanh"], "init": "zeros"},
     "steps": [{"say": "Every W[1] starts at 0.", "notes": "Ask why."},
               {"prompt": "Predict: after 20 iterations, how do the rows of W[1] differ?",
                "do": "iterations", "count": 20, "reveal": "They are identical: …"}]}

``data`` is a demo (``demo:NAME``) or a file path relative to the scenario; ``session`` (a
.nnviz file, relative too) may replace ``data`` and ``design``.  Each step may perform one
action ("do"): step, forward, backward, iteration, iterations (count), run_to (key),
design (changes to the design), reset.  A step with a "prompt" takes two beats: the
prompt first ("predict"), then on Next the action and the "reveal".
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .design import Design

FORMAT = "nnviz-scenario"
VERSION = 1
SUFFIX = ".nnscenario"
ACTIONS = ("step", "forward", "backward", "iteration", "iterations", "run_to", "design", "reset")
MAX_BYTES = 1 << 20  # a script, not data: larger files are refused before they are read
MAX_ITERATIONS = 100_000


class ScenarioError(Exception):
    """A scenario file cannot be used; the message names the file and says what to fix."""


@dataclass(frozen=True)
class Beat:
    """What one press of Next shows (and does): a prompt to think about, or an action with its text."""

    text: str  # shown on screen
    notes: str = ""  # for the lecturer
    action: str = ""  # one of ACTIONS, '' for none
    argument: object = None  # the count, key or design changes of the action
    prompt: bool = False  # True: "predict" — the next beat reveals


@dataclass(frozen=True)
class Scenario:
    title: str
    path: Path
    beats: tuple[Beat, ...]
    design: Design | None = None
    data: str | None = None  # demo:NAME or an absolute path
    session: Path | None = None  # a .nnviz file to start from
    description: str = ""
    extras: dict = field(default_factory=dict)


def _fail(path: Path, what: str) -> ScenarioError:
    return ScenarioError(f"{path.name}: {what}")


def _action(path: Path, number: int, step: dict) -> tuple[str, object]:
    action = step.get("do", "")
    if action == "":
        return "", None
    if action not in ACTIONS:
        raise _fail(path, f"step {number}: unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    if action == "iterations":
        count = step.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_ITERATIONS:
            raise _fail(path, f"step {number}: \"iterations\" needs a whole \"count\" from 1 to {MAX_ITERATIONS}")
        return action, count
    if action == "run_to":
        key = step.get("key")
        if not isinstance(key, str) or not key:
            raise _fail(path, f"step {number}: \"run_to\" needs the \"key\" of an operation, e.g. \"dW2\"")
        return action, key
    if action == "design":
        changes = step.get("changes")
        if not isinstance(changes, dict) or not changes:
            raise _fail(path, f"step {number}: \"design\" needs \"changes\", e.g. {{\"init\": \"he\"}}")
        unknown = set(changes) - set(Design.__dataclass_fields__)
        if unknown:
            raise _fail(path, f"step {number}: the design has no {', '.join(sorted(unknown))}")
        return action, dict(changes)
    return action, None


def _beats(path: Path, steps: list) -> tuple[Beat, ...]:
    beats: list[Beat] = []
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            raise _fail(path, f"step {number} is not an object")
        action, argument = _action(path, number, step)
        notes = str(step.get("notes", ""))
        prompt = step.get("prompt")
        if prompt:
            beats.append(Beat(f"Predict: {prompt}" if not str(prompt).lower().startswith("predict") else str(prompt),
                              notes, prompt=True))
            beats.append(Beat(str(step.get("reveal", step.get("say", ""))), notes, action, argument))
        else:
            beats.append(Beat(str(step.get("say", "")), notes, action, argument))
    if not beats:
        raise _fail(path, "the scenario has no steps")
    return tuple(beats)


def _design(path: Path, data: object) -> Design | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise _fail(path, "\"design\" must be an object")
    unknown = set(data) - set(Design.__dataclass_fields__)
    if unknown:
        raise _fail(path, f"the design has no {', '.join(sorted(unknown))}")
    try:
        return Design.from_dict({**Design().to_dict(), **data})
    except (TypeError, ValueError) as err:
        raise _fail(path, f"the design cannot be built: {err}") from None


def read_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; ScenarioError with the file's name and the reason otherwise."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _fail(path, f"larger than {MAX_BYTES // 1024} KB: not a scenario")
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise _fail(path, f"cannot be read ({err})") from None
    except json.JSONDecodeError as err:
        raise _fail(path, f"not a scenario (JSON error at line {err.lineno}: {err.msg})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _fail(path, f"not an nnviz scenario (no \"format\": \"{FORMAT}\")")
    version = meta.get("version")
    if not isinstance(version, int) or version < 1:
        raise _fail(path, "has no version")
    if version > VERSION:
        raise _fail(path, f"made by a newer nnviz (scenario version {version}; this one reads {VERSION})")
    steps = meta.get("steps")
    if not isinstance(steps, list):
        raise _fail(path, "\"steps\" must be a list")
    session = meta.get("session")
    data = meta.get("data")
    if session is not None and (data is not None or meta.get("design") is not None):
        raise _fail(path, "give either \"session\" or \"data\" and \"design\", not both")
    if isinstance(data, str) and not data.startswith("demo:"):
        data = str((path.parent / data).resolve())
    return Scenario(
        title=str(meta.get("title") or path.stem), path=path, beats=_beats(path, steps),
        design=_design(path, meta.get("design")), data=data,
        session=(path.parent / session).resolve() if isinstance(session, str) else None,
        description=str(meta.get("description", "")),
    )
