"""Lecture scenarios: the file format, and every shipped scenario opens and plays to its end in the window."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.resources import resource_files
from nnviz.session.scenario import ScenarioError, read_scenario

SHIPPED = resource_files("scenarios", ".nnscenario")


def _write(tmp_path, content, name="lesson.nnscenario"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def _scenario(**changes) -> dict:
    return {"format": "nnviz-scenario", "version": 1, "title": "XOR in three beats", "data": "demo:xor",
            "design": {"hidden": [4], "activations": ["tanh"], "learning_rate": 0.5},
            "steps": [{"say": "Four tanh units.", "notes": "Start slowly."},
                      {"prompt": "What shape is Z[1]?", "do": "step", "reveal": "4×300"},
                      {"do": "iterations", "count": 3, "say": "Three iterations."}], **changes}


def _play_to_end(w, qtbot, timeout=60_000) -> list[str]:
    """Press PageDown until Next is disabled; the texts shown on the way."""
    sc = w.scenarios
    qtbot.waitUntil(lambda: sc.player.ready and sc.actionNext.isEnabled(), timeout=timeout)
    shown = []
    while sc.actionNext.isEnabled():
        before = sc.player.index
        qtbot.keyClick(w, Qt.Key.Key_PageDown)
        assert sc.player.index == before + 1
        qtbot.waitUntil(lambda: not sc.player.busy(), timeout=timeout)
        shown.append(sc.view.text_label.text())
    return shown


def test_shipped_scenarios_are_there():
    names = {p.stem for p in SHIPPED}
    assert {"notes-forward-backward", "zeros-vs-he", "diverging-learning-rate", "dying-relus",
            "vanishing-gradients", "adam-vs-gradient-descent"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_opens_and_plays_to_its_end(default_window, qtbot, path):
    w = default_window
    failures = []
    w.scenarios.player.failed.connect(failures.append)
    action = w.findChild(type(w.scenarios.actionOpen), f"actionScenario_{path.stem}")
    assert action is not None  # File ▸ Lecture Scenarios lists it
    action.trigger()
    assert not w.docks["scenarioDock"].isHidden()
    shown = _play_to_end(w, qtbot)
    scenario = read_scenario(path)
    assert len(shown) == len(scenario.beats) and not failures, failures
    assert w.scenarios.player.at_end() and not w.scenarios.actionNext.isEnabled()
    assert "The end of the scenario" in shown[-1]
    if path.stem == "zeros-vs-he":  # the lesson itself, checked in the numbers shown
        W1 = w.session.values["W1"]
        assert np.ptp(W1, axis=0).max() > 0.01  # He: the rows differ
    if path.stem == "diverging-learning-rate":
        assert w.scenarios.player.stopped  # paused at the first NaN or Inf
    if path.stem == "dying-relus":
        assert not np.any(w.session.values["dZ2"])
    if path.stem == "adam-vs-gradient-descent":  # what the reveal says
        assert w.session.design.optimizer == "adam" and w.session.history.costs[299] < 0.05


def test_predict_then_reveal_and_previous_goes_back_exactly(default_window, qtbot, tmp_path):
    w = default_window
    sc = w.scenarios
    assert sc.actionNext.shortcut().toString() == "PgDown" and sc.actionPrevious.shortcut().toString() == "PgUp"
    assert sc.open_file(_write(tmp_path, _scenario()))
    qtbot.waitUntil(lambda: sc.player.ready, timeout=30_000)
    assert "XOR in three beats" in sc.view.title_label.text() and not sc.actionPrevious.isEnabled()
    start = {k: v.copy() for k, v in w.session.values.items()}
    sc.actionNext.trigger()  # "Four tanh units."
    qtbot.waitUntil(lambda: not sc.player.busy())
    assert "Four tanh units." in sc.view.text_label.text() and "Start slowly." in sc.view.notes_label.text()
    sc.actionNext.trigger()  # the prompt: nothing happens yet
    qtbot.waitUntil(lambda: not sc.player.busy())
    assert "Predict: What shape is Z[1]?" in sc.view.text_label.text() and w.session.record is None
    sc.actionNext.trigger()  # the reveal performs the step
    qtbot.waitUntil(lambda: not sc.player.busy())
    assert "4×300" in sc.view.text_label.text() and w.session.record.key == "Z1"
    sc.actionNext.trigger()
    qtbot.waitUntil(lambda: not sc.player.busy(), timeout=30_000)
    assert w.session.iteration == 3 and not sc.actionNext.isEnabled() and sc.player.at_end()
    after_two = None
    for _ in range(4):
        sc.actionPrevious.trigger()
        if sc.player.index == 2:
            after_two = w.session.record.key
    assert sc.player.index == -1 and after_two == "Z1"
    assert w.session.iteration == 0 and w.session.record is None
    for key, value in start.items():
        assert np.array_equal(w.session.values[key], value), key  # the start, exactly


@pytest.mark.parametrize("content, message", [
    ("not json", "not a scenario (JSON error"),
    ({"format": "other", "version": 1, "steps": []}, "not an nnviz scenario"),
    (_scenario(version=99), "made by a newer nnviz"),
    (_scenario(steps=[{"do": "fly"}]), "unknown action 'fly'"),
    (_scenario(steps=[{"do": "iterations", "count": 0}]), "needs a whole \"count\""),
    (_scenario(steps=[{"do": "design", "changes": {"wings": 2}}]), "the design has no wings"),
    (_scenario(design={"hidden": [4], "activations": []}), "the design cannot be built"),
    (_scenario(steps=[]), "has no steps"),
])
def test_a_bad_scenario_says_what_is_wrong(tmp_path, content, message):
    with pytest.raises(ScenarioError, match=None) as caught:
        read_scenario(_write(tmp_path, content))
    assert message in str(caught.value) and "lesson.nnscenario" in str(caught.value)


def test_opening_a_bad_scenario_in_the_window_changes_nothing(default_window, tmp_path):
    w = default_window
    design = w.session.design
    assert not w.scenarios.open_file(_write(tmp_path, _scenario(steps=[{"do": "fly"}])))
    assert "unknown action" in w.statusBar().currentMessage()
    assert w.session.design == design and w.docks["scenarioDock"].isHidden()


def test_the_scenario_stays_on_screen_in_presentation_mode(default_window, qtbot, tmp_path):
    w = default_window
    w.scenarios.open_file(_write(tmp_path, _scenario()))
    qtbot.waitUntil(lambda: w.scenarios.player.ready, timeout=30_000)
    w.presentation.enter()
    assert not w.docks["scenarioDock"].isHidden() and not w.docks["stepsDock"].isVisible()
    w.presentation.leave()
