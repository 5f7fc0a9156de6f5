"""View ▸ Training Health: the health log of the run, recorded on the worker at the end of an iteration
-- while the panel is open, every iteration stepped and, while Run trains, as often as recording takes
at most RUN_SHARE of the time; with the panel closed every 10th iteration and at most ten a second --
drawn at a bounded rate while the panel is shown; clicking the histogram strip steps back to that
iteration."""
from __future__ import annotations

import math
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
# with the panel open, Run records as often as keeps recording within this share of its time: a row
# (histograms of A[l] and dW[l], the diagnostics' counts) took 0.5 ms against xor's 0.1 ms iteration,
# and recording every one had Run train 1,500 iterations a second instead of 9,000
RUN_SHARE = 0.05


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
        self._last_call: tuple[float, int] | None = None  # (when, iteration) of the last call while running
        self._record_seconds = 0.0  # how long the last row took to record
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
        stepper, log = self.session.stepper, self.log
        finished = stepper.iteration - 1
        if self.recording_all:
            return self._record_open(finished, values)
        stride = max(HIDDEN_STRIDE, log.min_gap)
        off = finished % stride
        if off:  # after a step back: wait for the next multiple
            return stride - off
        now = time.monotonic()
        if now - self._recorded_at >= HIDDEN_INTERVAL:
            self._recorded_at = now
            log.record(finished, values, stepper.learning_rate)
        return stride

    def _record_open(self, finished: int, values: dict) -> int | None:
        """The panel is open: every iteration stepped; while running, a row every so many iterations
        that recording takes RUN_SHARE of the time (the iterations' pace measured between calls)."""
        if not self.session.running:
            self._last_call = None
            self._record(finished, values)
            return None
        now = time.perf_counter()
        last, self._last_call = self._last_call, (now, finished)
        self._record(finished, values)
        if last is None or finished <= last[1]:
            return 1  # the next call measures the pace
        iteration_seconds = max(now - last[0] - self._record_seconds, 1e-7) / (finished - last[1])
        return max(self.log.min_gap, math.ceil(self._record_seconds / (RUN_SHARE * iteration_seconds)))

    def _record(self, finished: int, values: dict) -> None:
        start = time.perf_counter()
        self.log.record(finished, values, self.session.stepper.learning_rate)
        self._record_seconds = time.perf_counter() - start

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
