"""View ▸ Training Health: the health log of the run (recorded on the worker at the end of every
iteration while the panel is open, of every 10th and at most ten a second otherwise), drawn at a
bounded rate while the panel is shown; clicking the histogram strip steps back to that iteration."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from ..engine.health import HealthLog
from ..views.throttle import RunThrottle
from .docks import build_when_shown, tabbed_dock, toggle_action

if TYPE_CHECKING:
    from ..views.health import HealthView

REFRESH_MS = 500  # twice a second while training runs
HIDDEN_STRIDE = 10  # with the panel closed, every 10th iteration is recorded ...
HIDDEN_INTERVAL = 0.1  # ... and at most ten a second (a 2-D demo runs thousands of iterations a second)


class TrainingHealth(QObject):
    """Owns the HealthLog of the current network (``log``) and the dock that draws it."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.log = HealthLog(self.session.spec)
        self._view: HealthView | None = None
        self.dock = tabbed_dock(window, "healthDock", "Training Health", None)
        build_when_shown(self.dock, lambda: self.view)
        self.action = toggle_action(self.dock, "actionTrainingHealth", "Training &Health",
                                    "Update ratios with the 1e-3 band, dead and saturated units, histograms over time")
        window.view_menu.addAction(self.action)
        self.session.iteration_watchers.append(self.after_iteration)
        self.session.network_changed.connect(self._network_changed)
        self._throttle = RunThrottle(self.session, self._refresh, REFRESH_MS, self)
        self.session.history_changed.connect(self._throttle.request)
        self.recording_all = False  # every iteration while the panel is open, every 10th otherwise
        self._recorded_at = -HIDDEN_INTERVAL  # when the worker last recorded with the panel closed
        self.dock.visibilityChanged.connect(self._visibility)

    @property
    def view(self) -> HealthView:
        """The dock's HealthView, made the first time the panel is shown or the view is asked for."""
        if self._view is None:
            from ..views.health import HealthView  # not at start: the panel starts closed

            self._view = HealthView()
            self._view.scrub_requested.connect(self.scrub)
            self._view.set_log(self.log)
            self.dock.setWidget(self._view)
        return self._view

    def _visibility(self, visible: bool) -> None:
        self.recording_all = self.dock.isVisible()
        if self.recording_all:
            self.session.watch_iterations_now()
            self._refresh()

    def after_iteration(self, values: dict) -> int | None:
        """On the worker: the end of an iteration adds its row (the arrays are never changed in place);
        returns how many iterations until the next one it records (None: the next)."""
        stepper = self.session.stepper
        finished = stepper.iteration - 1
        if self.recording_all:
            self.log.record(finished, values, stepper.learning_rate)
            return None
        off = finished % HIDDEN_STRIDE
        if off:  # after a step back: wait for the next multiple
            return HIDDEN_STRIDE - off
        now = time.monotonic()
        if now - self._recorded_at >= HIDDEN_INTERVAL:
            self._recorded_at = now
            self.log.record(finished, values, stepper.learning_rate)
        return HIDDEN_STRIDE

    def _refresh(self) -> None:
        if not self.dock.isVisible():  # drawn when the panel is shown again
            return
        s = self.session
        if not s.busy:
            self.log.truncate(s.stepper.iteration)  # after a step back
        self.view.refresh()

    def _network_changed(self) -> None:
        self.log = HealthLog(self.session.spec)
        if self._view is not None:
            self._view.set_log(self.log)

    def scrub(self, iteration: int) -> None:
        """Go to the end of ``iteration`` (its values as recorded) when step-back history reaches it."""
        s = self.session
        if iteration + 1 >= s.stepper.iteration:
            return
        if not s.step_back_to(iteration + 1):
            self.window.statusBar().showMessage(
                f"Step back does not reach iteration {iteration}: the history keeps "
                f"{s.stepper.history_length} operations (Preferences sets how many)", 8000)


def install_health(window: QMainWindow) -> TrainingHealth:
    """Add View ▸ Training Health and its dock to ``window``; returns the controller."""
    return TrainingHealth(window)
