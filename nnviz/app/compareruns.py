"""File ▸ Compare Runs: a second run on the same data with one thing changed, in lockstep with the first.

Run B follows run A to the same iteration and operation whatever moved A (Step, a pass, Run,
Step Back, the step list); the Comparison dock overlays both costs and shows a matrix in A, in
B and their difference.  A large network's run B is built on its session's worker, and large
matrices (A − B of a 4096×12288 W[1]) are computed and prepared there too: the dock says
"computing…" meanwhile.
"""
from __future__ import annotations

import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QDockWidget, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSpinBox, QStackedWidget, QVBoxLayout, QWidget,
)

from ..engine import HIDDEN_ACTIVATIONS, INITS, symbol
from ..engine.optimizers import OPTIMIZERS
from ..session import Session
from ..session.session import is_light
from ..views import appearance as looks
from ..views.heatmap import HeatmapPanel, PreparedCache, prepare_large, prepared_in
from ..views.peaks import PeakSeries
from ..views.plots import draw_peaks, style_legend
from ..views.settle import SettleBeforePaint
from ..views.theme import Appearance
from .actions import make_action

log = logging.getLogger(__name__)

MODES = ("A − B", "each row − row 0")  # what the third heatmap shows
FOLLOW_MS = 5  # how often B looks whether it can take its next step towards A
FOLLOW_STEPS = 8  # B steps this many iterations behind a paused A one by one; more, it runs to A
IN_PLACE_CELLS = 1_000_000  # matrices up to this size are compared on the window's thread (a few ms)
PENDING = "computing…"
COMPARISON_SHARE = 0.25  # of the window's height, the Comparison dock's when it opens below the inspector


def describe_change(changes: dict) -> str:
    names = {"init": "initialisation", "seed": "seed", "learning_rate": "α", "activations": "hidden activation",
             "optimizer": "optimiser", "l2": "λ"}
    parts = []
    for key, value in changes.items():
        shown = value[0] if key == "activations" else value
        parts.append(f"{names.get(key, key)} = {shown}")
    return ", ".join(parts)


class Follower(QObject):
    """Moves ``b`` to the iteration and operation of ``a``: forward by whole iterations then to the
    operation, back by Step Back.  ``caught_up`` when they match; ``stuck(reason)`` when B cannot."""

    caught_up = Signal()
    stuck = Signal(str)

    def __init__(self, a: Session, b: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.a, self.b = a, b
        self.note = ""
        self.waiting = False  # run B's network is not made yet: it does not move
        self._timer = QTimer(self)
        self._timer.setInterval(FOLLOW_MS)
        self._timer.timeout.connect(self._tick)
        a.stepped.connect(self.follow)
        a.history_changed.connect(self.follow)

    def in_step(self) -> bool:
        """At the same operation; with different plans (optimisers), at the same completed iteration."""
        if len(self.a.plan) != len(self.b.plan):
            return self.b.iteration == self.a.iteration and self.b.position == 0
        return (self.b.iteration, self.b.position) == (self.a.iteration, self.a.position)

    def _follow_iterations(self) -> None:
        a, b = self.a, self.b
        if self.in_step():
            if not a.busy:
                self._timer.stop()
                self.caught_up.emit()
            return
        if b.iteration > a.iteration or (b.iteration == a.iteration and b.position > 0 and a.position == 0):
            if not b.step_back():
                self._timer.stop()
                self.stuck.emit("run B keeps no earlier step to go back to (Preferences sets how many)")
        elif b.iteration < a.iteration:
            self._catch_up()
        elif not a.busy:  # A is inside an iteration B has not started: B waits at its start
            self._timer.stop()
            self.caught_up.emit()

    def follow(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        a, b = self.a, self.b
        if b.busy or self.waiting:
            return
        if len(a.plan) != len(b.plan):  # another optimiser: other operations; step by whole iterations
            self._follow_iterations()
            return
        target, mine = (a.iteration, a.position), (b.iteration, b.position)
        if mine == target:
            if not a.busy:  # A may be running on: keep following while it does
                self._timer.stop()
                self.caught_up.emit()
            return
        if mine > target:
            if not b.step_back():
                self._timer.stop()
                self.stuck.emit("run B keeps no earlier step to go back to (Preferences sets how many)")
            return
        if b.iteration < a.iteration:
            self._catch_up()
        else:
            b.run_through(a.position - 1)

    def _catch_up(self) -> None:
        """While A runs, or far behind it, B trains to A's iteration as Run trains, in one job: one
        iteration a tick, with B's views shown after each, had B follow xor's A at 190 iterations a
        second while A ran 6,600.  A few iterations behind a paused A (Finish Iteration pressed
        again and again), B steps them, keeping its whole step-back history as A keeps its own."""
        gap = self.a.iteration - self.b.iteration
        if self.a.running or gap > FOLLOW_STEPS:
            self.b.run(iterations=gap)
        else:
            self.b.run_iteration()


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if np.isfinite(value) else None


class CompareDialog(QDialog):
    """What run B changes: one of initialisation, seed, α, hidden activation, optimiser, λ (``changes()``)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare Runs")
        design = session.design
        self.what = QComboBox(self)
        self.values = QStackedWidget(self)
        self.init_box = QComboBox(self)
        self.init_box.addItems([name for name in INITS if name != design.init])
        self.seed_box = QSpinBox(self)
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setValue(design.seed + 1)
        self.alpha_edit = QLineEdit(f"{design.learning_rate * 10:g}", self)
        validator = QDoubleValidator(1e-12, 1e6, 12, self.alpha_edit)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.alpha_edit.setValidator(validator)
        self.activation_box = QComboBox(self)
        self.activation_box.addItems(HIDDEN_ACTIVATIONS)
        self.choices = [("init", "Initialisation", self.init_box), ("seed", "Seed", self.seed_box),
                        ("learning_rate", "Learning rate α", self.alpha_edit)]
        if design.hidden:
            self.choices.append(("activations", "Hidden activation (every layer)", self.activation_box))
        if hasattr(design, "optimizer"):
            self.optimizer_box = QComboBox(self)
            self.optimizer_box.addItems([name for name in OPTIMIZERS if name != design.optimizer])
            self.choices.append(("optimizer", "Optimiser", self.optimizer_box))
        if hasattr(design, "l2"):
            self.l2_edit = QLineEdit(f"{design.l2 or 0.7:g}", self)
            self.choices.append(("l2", "L2 regularisation λ", self.l2_edit))
        for _, title, widget in self.choices:
            self.what.addItem(title)
            self.values.addWidget(widget)
        self.what.currentIndexChanged.connect(self.values.setCurrentIndex)
        self.error_label = QLabel(self)
        form = QFormLayout()
        form.addRow("Run B changes:", self.what)
        form.addRow("to:", self.values)
        note = QLabel("Same data; everything else as run A. B steps with A, operation by operation.", self)
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.session = session

    def choose(self, key: str, value) -> None:
        """Select ``key`` and set its value (for scripts and tests)."""
        index = [k for k, _, _ in self.choices].index(key)
        self.what.setCurrentIndex(index)
        widget = self.choices[index][2]
        if isinstance(widget, QComboBox):
            widget.setCurrentText(str(value))
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        else:
            widget.setText(str(value))

    def changes(self) -> dict | None:
        key, _, widget = self.choices[self.what.currentIndex()]
        if key == "init":
            return {"init": self.init_box.currentText()}
        if key == "seed":
            return {"seed": self.seed_box.value()}
        if key == "activations":
            return {"activations": (self.activation_box.currentText(),) * len(self.session.design.hidden)}
        if key == "optimizer":
            return {"optimizer": self.optimizer_box.currentText()}
        if key == "l2":
            value = _number(self.l2_edit.text())
            if value is None or value < 0:
                self.error_label.setText("λ must be 0 or a positive number, like 0.7.")
                return None
            return {"l2": value}
        alpha = _number(self.alpha_edit.text())
        if alpha is None or not alpha > 0:
            self.error_label.setText("α must be a positive number, like 0.5 or 1e-3.")
            return None
        return {"learning_rate": alpha}

    def accept(self) -> None:
        if self.changes() is not None:
            super().accept()


class ComparisonView(QWidget):
    """Both costs on one plot; a matrix in A, in B, and A − B (or each row minus row 0); ``made`` once
    its panels are."""

    made = Signal()

    def __init__(self, comparison: "Comparison", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparisonView")
        self.comparison = comparison
        self.header = QLabel(self)
        self.header.setObjectName("comparisonHeader")
        self.header.setWordWrap(True)
        self.matrix_box = QComboBox(self)
        self.matrix_box.setObjectName("comparisonMatrix")
        self.mode_box = QComboBox(self)
        self.mode_box.addItems(MODES)
        self.close_button = QPushButton("Close Comparison", self)
        # large matrices arrive prepared from run B's worker (``_prepared``); small ones are prepared here
        self._prepared: tuple[tuple, tuple[np.ndarray, np.ndarray, np.ndarray], dict] | None = None
        self._asked: tuple | None = None  # the request on the worker now
        # made one per turn of the event loop (each is a pyqtgraph plot: ~40 ms), then filled
        self.panels: list[HeatmapPanel] = []
        self._panel_timer = QTimer(self)
        self._panel_timer.setInterval(1)  # not 0: the window's other timers get their turn between panels
        self._panel_timer.timeout.connect(self._add_panel)
        self._fills: list[tuple] = []  # (panel, title, matrix, lead) still to show
        self._fill_timer = QTimer(self)
        self._fill_timer.setSingleShot(True)
        self._fill_timer.setInterval(1)
        self._fill_timer.timeout.connect(self._fill_next)
        self.cost_plot = pg.PlotWidget()
        self.cost_plot.setObjectName("comparisonCost")
        SettleBeforePaint(self.cost_plot)  # a child of the plot: kept as long as it
        self.cost_plot.setMenuEnabled(False)
        self.cost_plot.hideButtons()
        self.cost_plot.setLabel("bottom", "iteration")
        self.cost_plot.setLabel("left", "cost J")
        self.cost_plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self.legend = self.cost_plot.addLegend(offset=(4, -4))  # bottom left: costs fall to the right
        self.curves = [self.cost_plot.plot(name="J of A", connect="finite"),
                       self.cost_plot.plot(name="J of B", connect="finite")]
        self.peaks = [PeakSeries(), PeakSeries()]  # the runs' costs, a few points per pixel however long
        view = self.cost_plot.getPlotItem().vb
        view.sigXRangeChanged.connect(self._draw_costs_zoomed)
        view.sigResized.connect(self._draw_costs)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Matrix:", self))
        controls.addWidget(self.matrix_box)
        controls.addWidget(QLabel("Third:", self))
        controls.addWidget(self.mode_box)
        controls.addStretch(1)
        controls.addWidget(self.close_button)
        row = QHBoxLayout()
        row.addWidget(self.cost_plot, 3)
        self._row = row
        self._panel_timer.start()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addLayout(controls)
        layout.addLayout(row, 1)
        self.matrix_box.currentIndexChanged.connect(lambda: self.refresh())
        self.mode_box.currentIndexChanged.connect(lambda: self.refresh())
        self.appearance = looks.connect(self, self.apply_appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        self.appearance = appearance
        colors = appearance.colors
        self.cost_plot.setBackground(colors.plot_background)
        for side in ("left", "bottom"):
            axis = self.cost_plot.getPlotItem().getAxis(side)
            axis.setPen(pg.mkPen(colors.plot_foreground))
            axis.setTextPen(pg.mkPen(colors.plot_foreground))
        width = appearance.line_width(2.0)
        self.curves[0].setPen(pg.mkPen(colors.phase("cost"), width=width))
        self.curves[1].setPen(pg.mkPen(colors.phase("backward"), width=width, style=Qt.PenStyle.DashLine))
        style_legend(self.legend, colors.plot_foreground)

    def fill_matrices(self) -> None:
        """Parameters first, then every array both runs hold now (same keys: same plan)."""
        a, b = self.comparison.a, self.comparison.b
        keys = [k for k in a.values if k in b.values and k not in ("A0", "Y")]
        params = [k for k in keys if k[0] in "Wb" and k[1:].isdigit()]
        ordered = sorted(params, key=lambda k: (int(k[1:]), k[0] != "W")) + sorted(set(keys) - set(params))
        current = self.matrix_box.currentData()
        self.matrix_box.blockSignals(True)
        self.matrix_box.clear()
        for key in ordered:
            self.matrix_box.addItem(symbol(key), key)
        self.matrix_box.setCurrentIndex(max(0, self.matrix_box.findData(current or "W1")))
        self.matrix_box.blockSignals(False)

    def refresh(self) -> None:
        a, b = self.comparison.a, self.comparison.b
        key = self.matrix_box.currentData()
        if key is None or key not in a.values or key not in b.values:
            self.fill_matrices()
            key = self.matrix_box.currentData()
        if key is not None and key in a.values and key in b.values:
            self._show_matrices(key)
        for peaks, s in zip(self.peaks, (a, b)):
            rows = s.history.rows()
            peaks.update(rows.costs, (s.history, rows.generation), rows.numbered)
        self._draw_costs()
        c = self.comparison
        state = "in step" if c.follower.in_step() else "catching up…"
        if b.spec.sizes != c.a.spec.sizes:  # the one-unit stand-in while run B's network is made
            state = "building run B…"
        self.header.setText(f"Run B: {describe_change(c.changes)} (A: {c.original}) · same data · "
                            f"B at iteration {b.iteration}, next {b.next_op.symbol} · {state}"
                            + (f" · {c.follower.note}" if c.follower.note else ""))

    def _draw_costs(self, *_) -> None:
        view = self.cost_plot.getPlotItem().vb
        for curve, peaks in zip(self.curves, self.peaks):
            draw_peaks(curve, peaks, view)

    def _draw_costs_zoomed(self, *_) -> None:
        """Zoomed or panned by the user: the points of the iterations visible now."""
        if not self.cost_plot.getPlotItem().vb.autoRangeEnabled()[0]:
            self._draw_costs()

    def _add_panel(self) -> None:
        cache = PreparedCache(2, ready=lambda a: prepared_in(self._prepared[2] if self._prepared else None, a))
        panel = HeatmapPanel(self, cache)
        panel.set_note("", PENDING)  # until all three are made and filled
        self._row.insertWidget(len(self.panels), panel, 2)
        self.panels.append(panel)
        if len(self.panels) == 3:
            self._panel_timer.stop()
            self.refresh()
            self.made.emit()

    def _show_matrices(self, key: str) -> None:
        if len(self.panels) < 3:  # the panels are still being made: they are filled once they are
            return
        a, b = self.comparison.a, self.comparison.b
        name, rows = symbol(key), self.mode_box.currentIndex() == 1
        A, B = a.values[key], b.values[key]
        third = (f"{name}[i,:] − {name}[0,:]", "B: ") if rows else (name, "A − B: ")
        if A.shape != B.shape:  # run B's network is still being built
            for panel, (title, lead) in zip(self.panels, ((name, "A: "), (name, "B: "), third)):
                panel.set_note(title, PENDING, lead)
            return
        request = (key, rows, A, B)
        if A.size <= IN_PLACE_CELLS:
            self._fills = []
            A, B, third_matrix = difference_matrices(A, B, rows)
        elif self._prepared is not None and _same(self._prepared[0], request):
            A, B, third_matrix = self._prepared[1]
        else:
            self._fills = []
            for panel, (title, lead) in zip(self.panels, ((name, "A: "), (name, "B: "), third)):
                panel.set_note(title, PENDING, lead)
            self._ask(request)
            return
        fills = [(self.panels[0], name, A, "A: "), (self.panels[1], name, B, "B: "),
                 (self.panels[2], third[0], third_matrix, third[1])]
        if A.size <= IN_PLACE_CELLS:
            for panel, title, matrix, lead in fills:
                panel.set_matrix(title, matrix, lead=lead)
            return
        self._fills = fills  # large heatmaps: one is drawn per turn of the event loop
        self._fill_next()

    def _fill_next(self) -> None:
        if self._fills:
            panel, title, matrix, lead = self._fills.pop(0)
            panel.set_matrix(title, matrix, lead=lead)
        if self._fills:
            self._fill_timer.start()

    def _ask(self, request: tuple) -> None:
        """A, B and the third matrix of ``request``, prepared on run B's worker, then shown."""
        if self._asked is not None:  # one at a time: when it arrives, the refresh asks for what is shown then
            return
        self._asked = request
        _, rows, A, B = request
        cache = PreparedCache(3)

        def prepare() -> tuple:
            matrices = difference_matrices(A, B, rows)
            return matrices, prepare_large(matrices, cache)

        def arrived(result: tuple) -> None:
            self._asked = None
            self._prepared = (request, *result)
            self.refresh()

        self.comparison.b.in_background(prepare, arrived)

    def difference(self) -> np.ndarray | None:
        """The third heatmap's matrix as shown (None until the panels are made)."""
        return self.panels[2].matrix if len(self.panels) == 3 else None


def difference_matrices(A: np.ndarray, B: np.ndarray, rows: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A, B, A − B), or (A, B, each row of B minus its row 0) when ``rows``."""
    if rows:
        return A, B, B - B[:1]
    with np.errstate(all="ignore"):
        return A, B, A - B


def _same(request: tuple, other: tuple) -> bool:
    """The same key and mode of the same arrays (arrays are never changed in place)."""
    return request[:2] == other[:2] and request[2] is other[2] and request[3] is other[3]


class Comparison(QObject):
    """Run B = a copy of ``window.session``'s network and data with ``changes``; it follows run A."""

    def __init__(self, window, changes: dict) -> None:
        super().__init__(window)
        self.window, self.a, self.changes = window, window.session, dict(changes)
        self.original = describe_change({k: getattr(self.a.design, k) for k in changes})
        design = self.a.design.edit(**changes)
        if is_light(design.spec(self.a.dataset.n_x, self.a.dataset.n_y), self.a.dataset.m):
            self.b = Session(self.a.dataset, design, parent=self)
        else:  # a one-unit network now, the real one on B's worker (4096×12288 takes seconds to initialise)
            self.b = Session(self.a.dataset, design.edit(hidden=(1,) * len(design.hidden)), parent=self)
        self.b.break_on_nonfinite = False  # a diverging B is a result to watch, not a reason to stop A
        self.b.set_history_budget(self.a.history_budget)
        self.follower = Follower(self.a, self.b, self)
        self.view = ComparisonView(self)
        if self.b.design != design:  # made after the view's panels: the two would compete for the cores
            self.follower.waiting = True
            self.view.made.connect(lambda: self._make_b(design))
        self.follower.caught_up.connect(self.view.refresh)
        self.follower.stuck.connect(self._stuck)
        self.b.stepped.connect(self._b_stepped)
        self.a.stepped.connect(self.view.refresh)
        self.a.network_changed.connect(self._a_rebuilt)
        self.view.fill_matrices()
        self.view.refresh()
        self.follower.follow()

    def _make_b(self, design) -> None:
        self.b.set_design(design)
        self.follower.waiting = False

    def _b_stepped(self) -> None:
        if not self.a.running:
            self.view.refresh()

    def _stuck(self, reason: str) -> None:
        self.follower.note = reason
        self.window.statusBar().showMessage(f"Compare Runs: {reason}", 10000)
        self.view.refresh()

    def _a_rebuilt(self) -> None:
        """A new network or data for A (or a Reset): B starts over with the same one change."""
        self.follower.note = ""
        if self.b.dataset is not self.a.dataset:
            self.b.set_dataset(self.a.dataset)
        self.b.set_design(self.a.design.edit(**self.changes))
        self.b.reset()
        self.view.fill_matrices()
        self.follower.follow()

    def close(self) -> None:
        self.follower.stop()
        for signal, slot in ((self.a.stepped, self.view.refresh), (self.a.network_changed, self._a_rebuilt),
                             (self.a.stepped, self.follower.follow), (self.a.history_changed, self.follower.follow)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self.b.close()


class CompareRuns(QObject):
    """actionCompareRuns (File menu) and the "compareDock"."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.comparison: Comparison | None = None
        self.dialog: CompareDialog | None = None
        self.dock = QDockWidget("Comparison", window)
        self.dock.setObjectName("compareDock")
        self.action = make_action(window, "actionCompareRuns", "&Compare Runs…", self.open,
                                  tip="A second run on the same data with one thing changed, stepping with this one")

    def open(self) -> CompareDialog:
        self.dialog = CompareDialog(self.window.session, self.window)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.accepted.connect(lambda: self.start(self.dialog.changes()))
        self.dialog.open()
        return self.dialog

    def start(self, changes: dict) -> Comparison:
        """Compare the window's run with one whose design has ``changes`` (e.g. {"init": "zeros"})."""
        self.close()
        self.comparison = Comparison(self.window, changes)
        self.comparison.view.close_button.clicked.connect(self.close)
        self.dock.setWidget(self.comparison.view)
        self.dock.setProperty("keepInPresentation", "tab")
        plots = self.window.docks.get("plotsDock")
        if plots is not None and not plots.isHidden() and self.dock not in self.window.tabifiedDockWidgets(plots):
            self.window.tabifyDockWidget(plots, self.dock)  # a tab beside the plots: its own plot has both costs
        self.dock.show()
        self.dock.raise_()
        QTimer.singleShot(0, self, self._fit_height)  # once the layout has placed the dock
        return self.comparison

    def _fit_height(self) -> None:
        """Below the inspector, the comparison as tall as the training plots' first place (a quarter of
        the window): left at its size hint it took a third, squeezing the inspector's heatmaps to 30 px."""
        window = self.window
        if self.comparison is None or self.dock.isFloating() or \
                window.dockWidgetArea(self.dock) != Qt.DockWidgetArea.BottomDockWidgetArea:
            return
        window.resizeDocks([self.dock], [int(COMPARISON_SHARE * window.height())], Qt.Orientation.Vertical)

    def close(self) -> None:
        if self.comparison is None:
            return
        self.comparison.close()
        self.dock.setProperty("keepInPresentation", "")
        self.dock.hide()
        self.comparison.view.deleteLater()
        self.comparison.deleteLater()
        self.comparison = None


def install_compare_runs(window) -> CompareRuns:
    """File ▸ Compare Runs…; the Comparison dock as a tab beside the training plots."""
    compare = CompareRuns(window)
    file_menu = window.menus["file"]
    anchor = next((a for a in file_menu.actions() if a.menu() is window.menus.get("export")), None)
    file_menu.insertAction(anchor, compare.action)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, compare.dock)
    compare.dock.hide()
    window.docks["compareDock"] = compare.dock
    return compare
