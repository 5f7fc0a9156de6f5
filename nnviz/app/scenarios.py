"""Lecture scenarios in the window: File ▸ Open Scenario, a Scenario dock, Next/Previous on PageDown/PageUp."""
from __future__ import annotations

import html
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QDockWidget, QFileDialog, QHBoxLayout, QLabel, QMenu, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

from ..resources import resource_files
from .actions import make_action
from ..session.persist import SessionState
from ..session.scenario import SUFFIX, Beat, Scenario, ScenarioError, read_scenario
from ..views import appearance as looks
from ..views.theme import Appearance

log = logging.getLogger(__name__)

FILTER = f"nnviz scenarios (*{SUFFIX})"
TEXT_POINTS, NOTES_POINTS = 15.0, 10.0


class ScenarioPlayer(QObject):
    """Plays a Scenario on ``session``: ``next()`` performs the following beat, ``previous()`` goes back
    to the state after the one before (states are kept: arrays are never changed in place).

    ``index`` is the beat shown (-1: the title, before the first).  ``changed`` after every move."""

    changed = Signal()
    failed = Signal(str)

    def __init__(self, session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.scenario: Scenario | None = None
        self.index = -1
        self.ready = False  # the starting network and data are in place
        self.pending = 0  # session calls still to make for the beat in progress
        self.stopped = ""  # why the last beat's training paused early
        self._states: list[SessionState] = []  # _states[i + 1]: after beat i; _states[0]: the start
        self._poll = QTimer(self)
        self._poll.setInterval(10)
        self._poll.timeout.connect(self._tick)
        self._waiting_for = ""  # "setup", "design", "beat"
        session.paused.connect(self._paused)
        session.error.connect(self._error)
        session.busy_changed.connect(self._busy_changed)  # the next iteration of a beat at once, not at the poll

    def _busy_changed(self, busy: bool) -> None:
        if not busy and self._waiting_for:
            QTimer.singleShot(0, self, self._tick)  # after the session's own handlers of the finished job

    # -- opening -------------------------------------------------------------------------------
    def open(self, scenario: Scenario) -> None:
        """Set up the scenario's network and data (on the worker); ``changed`` when it is ready."""
        self.scenario, self.index, self.ready, self._states = scenario, -1, False, []
        self.stopped = ""
        s = self.session
        if scenario.session is not None:
            s.open_session(str(scenario.session))
            self._wait("setup")
        elif scenario.data is not None:
            s.open_dataset(scenario.data, on_loaded=lambda dataset: self._set_design())
            self._waiting_for = "loading"
        else:
            self._set_design()
        self.changed.emit()

    def _set_design(self) -> None:
        design = self.scenario.design if self.scenario else None
        if design is not None:
            self.session.set_design(design)
        self.session.reset()  # fresh parameters of the scenario's seed, iteration 0
        self._wait("setup")

    def close(self) -> None:
        self._poll.stop()
        self.scenario, self.index, self.ready, self._states = None, -1, False, []
        self.changed.emit()

    # -- moving --------------------------------------------------------------------------------
    @property
    def beats(self) -> tuple[Beat, ...]:
        return self.scenario.beats if self.scenario else ()

    @property
    def beat(self) -> Beat | None:
        return self.beats[self.index] if 0 <= self.index < len(self.beats) else None

    def busy(self) -> bool:
        return bool(self._waiting_for) or self.session.busy

    def can_next(self) -> bool:
        return self.ready and not self.busy() and self.index + 1 < len(self.beats)

    def can_previous(self) -> bool:
        return self.ready and not self.busy() and self.index >= 0

    def at_end(self) -> bool:
        return self.ready and self.index == len(self.beats) - 1 and not self.busy()

    def next(self) -> bool:
        if not self.can_next():
            return False
        self.index += 1
        self.stopped = ""
        beat = self.beats[self.index]
        try:
            self._perform(beat)
        except (ValueError, KeyError) as err:
            self.index -= 1
            self._error("Scenario", f"{self.scenario.path.name}: {err}")
            return False
        self._wait("beat")
        self.changed.emit()
        return True

    def previous(self) -> bool:
        """Back to the state after the beat before, exactly (the title's state before the first)."""
        if not self.can_previous():
            return False
        self.index -= 1
        self.stopped = ""
        self.session.restore(self._states[self.index + 1])
        del self._states[self.index + 2:]
        self.changed.emit()
        return True

    def _perform(self, beat: Beat) -> None:
        s, action, argument = self.session, beat.action, beat.argument
        if action == "step":
            s.step()
        elif action == "forward":
            s.run_forward()
        elif action == "backward":
            s.run_backward()
        elif action == "iteration":
            s.run_iteration()
        elif action == "iterations":
            self.pending = int(argument) - 1
            s.run_iteration()
        elif action == "run_to":
            keys = [op.key for op in s.plan]
            if argument not in keys:
                raise KeyError(f"{argument} is not an operation of this network ({', '.join(keys)})")
            s.run_through(keys.index(argument))
        elif action == "design":
            s.set_design(s.design.edit(**argument))
            s.reset()
        elif action == "reset":
            s.reset()

    # -- waiting for the session -----------------------------------------------------------------
    def _wait(self, what: str) -> None:
        self._waiting_for = what
        self._poll.start()

    def _tick(self) -> None:
        if self._waiting_for in ("", "loading") or self.session.busy:
            return
        if self._waiting_for == "beat" and self.pending > 0 and not self.stopped:
            self.pending -= 1
            self.session.run_iteration()
            return
        self.pending = 0
        what, self._waiting_for = self._waiting_for, ""
        self._poll.stop()
        if what == "setup":
            self.ready = True
            self._states = [self.session.snapshot()]
        elif what == "beat":
            self._states.append(self.session.snapshot())
        self.changed.emit()

    def _paused(self, reason: str) -> None:
        if self._waiting_for == "beat":
            self.stopped = reason

    def _error(self, title: str, message: str) -> None:
        if self.scenario is None:
            return
        self._poll.stop()
        was_ready, self._waiting_for, self.pending = self.ready, "", 0
        if not was_ready:
            self.scenario = None
        self.failed.emit(f"{title}: {message}")
        self.changed.emit()


class ScenarioView(QWidget):
    """The beat on show, large; the lecturer's notes below; Previous and Next."""

    def __init__(self, player: ScenarioPlayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioView")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)  # a strip, never a pane
        self.player = player
        self.title_label = QLabel(self)
        self.title_label.setObjectName("scenarioTitle")
        self.counter_label = QLabel(self)
        self.counter_label.setObjectName("scenarioCounter")
        self.text_label = QLabel(self)
        self.text_label.setObjectName("scenarioText")
        self.notes_label = QLabel(self)
        self.notes_label.setObjectName("scenarioNotes")
        for label in (self.title_label, self.text_label, self.notes_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.previous_button = QPushButton("◀ Previous", self)
        self.next_button = QPushButton("Next ▶", self)
        # one strip, like subtitles: the title on the left, the beat in the middle, the buttons on the right
        left = QVBoxLayout()
        left.addWidget(self.title_label)
        left.addWidget(self.counter_label)
        left.addStretch(1)
        middle = QVBoxLayout()
        middle.addWidget(self.text_label)
        middle.addWidget(self.notes_label)
        buttons = QVBoxLayout()
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.previous_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(left, 1)
        layout.addLayout(middle, 5)
        layout.addLayout(buttons)
        self.appearance = looks.connect(self, self.apply_appearance)

    def minimumSizeHint(self) -> QSize:  # a strip: two lines of the beat at least, the rest as it needs
        return QSize(240, 2 * self.text_label.fontMetrics().height() + 16)

    def sizeHint(self) -> QSize:
        """As tall as the beat's text at the width it has (word-wrapped labels alone ask for a column)."""
        width = max(600, self.text_label.width())
        height = self.text_label.heightForWidth(width) + self.text_label.fontMetrics().height() + 16
        if self.notes_label.text():
            height += self.notes_label.heightForWidth(width)
        return QSize(1000, max(self.minimumSizeHint().height(), height))

    def apply_appearance(self, appearance: Appearance) -> None:
        self.appearance = appearance
        for label, points, bold in ((self.title_label, NOTES_POINTS + 1, True), (self.text_label, TEXT_POINTS, False),
                                    (self.notes_label, NOTES_POINTS, False)):
            font = QFont(label.font())
            font.setPointSizeF(appearance.points(points))
            font.setBold(bold)
            label.setFont(font)
        self.show_beat()

    def show_beat(self) -> None:
        p, colors = self.player, self.appearance.colors
        scenario = p.scenario
        if scenario is None:
            self.title_label.setText("No scenario")
            self.text_label.setText("File ▸ Open Scenario… or File ▸ Lecture Scenarios")
            self.counter_label.clear()
            self.notes_label.clear()
            return
        self.title_label.setText(html.escape(scenario.title))
        self.counter_label.setText(f"{p.index + 1} / {len(p.beats)}")
        beat = p.beat
        if not p.ready:
            text, notes = "Setting up the network and the data…", ""
        elif beat is None:
            text = html.escape(scenario.description or scenario.title) + "<br><i>Next (PageDown) begins.</i>"
            notes = ""
        else:
            text, notes = html.escape(beat.text).replace("\n", "<br>"), beat.notes
            if beat.prompt:
                text = f"<span style='color:{colors.phase('cost')}'><b>{text}</b></span><br><i>Next reveals.</i>"
            if p.stopped:
                text += f"<br><span style='color:{colors.phase('backward')}'>Paused: {html.escape(p.stopped)}</span>"
            if p.at_end():
                text += "<br><i>The end of the scenario.</i>"
        self.text_label.setText(text)
        self.notes_label.setText(f"<span style='color:{colors.muted}'>Notes: {html.escape(notes)}</span>"
                                 if notes else "")


class Scenarios(QObject):
    """actionOpenScenario, the Lecture Scenarios menu, actionScenarioNext (PageDown), actionScenarioPrevious
    (PageUp), actionCloseScenario, and the "scenarioDock"."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.player = ScenarioPlayer(window.session, self)
        self.view = ScenarioView(self.player)
        self.dock = QDockWidget("Scenario", window)
        self.dock.setObjectName("scenarioDock")
        self.dock.setWidget(self.view)
        self.actionOpen = self._action("actionOpenScenario", "Open &Scenario…", self.open, None,
                                       "Open a lecture scenario (.nnscenario)")
        self.actionNext = self._action("actionScenarioNext", "&Next Beat", self.player.next, "PgDown",
                                       "The scenario's next step (a presenter's clicker sends PageDown)")
        self.actionPrevious = self._action("actionScenarioPrevious", "&Previous Beat", self.player.previous,
                                           "PgUp", "Back to the scenario's previous step, exactly")
        self.actionClose = self._action("actionCloseScenario", "&Close Scenario", self.close, None,
                                        "Stop playing the scenario (the network stays as it is)")
        self.view.next_button.clicked.connect(self.actionNext.trigger)
        self.view.previous_button.clicked.connect(self.actionPrevious.trigger)
        self.player.changed.connect(self._changed)
        self.player.failed.connect(lambda message: window.statusBar().showMessage(message, 15000))
        window.session.busy_changed.connect(lambda busy: self._enable())
        self._enable()

    def _action(self, name: str, text: str, slot, shortcut: str | None, tip: str) -> QAction:
        return make_action(self.window, name, text, slot, shortcut, tip)

    def open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open Scenario", str(_shipped_folder()), FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> bool:
        """Read ``path`` and start playing it (asking first about unsaved training); False when it cannot."""
        try:
            scenario = read_scenario(path)
        except ScenarioError as err:
            self.window.statusBar().showMessage(f"Cannot open the scenario: {err}", 15000)
            self.last_error = str(err)
            return False
        if not self.window.session_files.confirm_discard("open a scenario"):
            return False
        self.player.open(scenario)
        self.dock.setProperty("keepInPresentation", "strip")
        diagram = self.window.docks.get("diagramDock")
        if self.dock.isHidden() and diagram is not None and not diagram.isHidden() and not diagram.isFloating():
            # a strip under the diagram, right above the matrices it talks about
            self.window.splitDockWidget(diagram, self.dock, Qt.Orientation.Vertical)
        self.dock.show()
        self.dock.raise_()
        return True

    def close(self) -> None:
        self.player.close()
        self.dock.setProperty("keepInPresentation", "")
        self.dock.hide()

    def _changed(self) -> None:
        self.view.show_beat()
        self._enable()

    def _enable(self) -> None:
        p = self.player
        self.actionNext.setEnabled(p.can_next())
        self.actionPrevious.setEnabled(p.can_previous())
        self.actionClose.setEnabled(p.scenario is not None)
        self.view.next_button.setEnabled(p.can_next())
        self.view.previous_button.setEnabled(p.can_previous())


def _shipped_folder() -> Path:
    shipped = resource_files("scenarios", SUFFIX)
    return shipped[0].parent if shipped else Path.home()


def install_scenarios(window) -> Scenarios:
    """File ▸ Open Scenario… and File ▸ Lecture Scenarios (the shipped ones); Train ▸ Next/Previous Beat;
    the Scenario dock under the diagram, hidden until a scenario is opened."""
    scenarios = Scenarios(window)
    file_menu = window.menus["file"]
    anchor = next((a for a in file_menu.actions() if a.menu() is window.recent_menu), None)
    file_menu.insertAction(anchor, scenarios.actionOpen)
    shipped = QMenu("&Lecture Scenarios", file_menu)
    shipped.setObjectName("menuScenarios")
    file_menu.insertMenu(anchor, shipped)
    for path in resource_files("scenarios", SUFFIX):
        try:
            title = read_scenario(path).title
        except ScenarioError as err:
            log.warning("shipped scenario skipped: %s", err)
            continue
        action = shipped.addAction(title)
        action.setObjectName(f"actionScenario_{path.stem}")
        action.triggered.connect(lambda checked=False, path=path: scenarios.open_file(path))
    train = window.menus["train"]
    train.addSeparator()
    for action in (scenarios.actionNext, scenarios.actionPrevious, scenarios.actionClose):
        train.addAction(action)
    window.addAction(scenarios.actionNext)  # PageDown wherever the focus is
    window.addAction(scenarios.actionPrevious)
    window.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, scenarios.dock, Qt.Orientation.Vertical)
    scenarios.dock.hide()
    window.docks["scenarioDock"] = scenarios.dock
    return scenarios
