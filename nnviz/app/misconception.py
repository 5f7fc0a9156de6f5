"""Debug ▸ Misconception Mode: replay the operation shown with a classic mistake injected, for a lecture.

Beside the plan's result: the mistaken one, or the numpy error a student's code would raise
("shapes (12288,7) and (12288,209) not aligned"), with what the code did in the notes' notation.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

from ..engine import shape_text
from ..engine.stepper import quiet
from ..views.heatmap import HeatmapPanel
from ..views.throttle import RunThrottle
from ..views import appearance as looks
from ..views.style import mono_font
from .docks import build_when_shown, tabbed_dock, toggle_action

if TYPE_CHECKING:  # the mistakes are imported when the dock is first opened, not at start
    from ..engine.mistakes import Context, Mistake

PROMPT = "Step to an operation, then choose a mistake to see what it does."


def replay(ctx: Context, mistake: Mistake) -> tuple[np.ndarray | None, str]:
    """(the mistaken result or None, what happened in words): the numpy error when it raises one."""
    try:
        with quiet():
            wrong = np.asarray(mistake.wrong(ctx))
    except (ValueError, TypeError, IndexError, KeyError, ArithmeticError) as err:
        return None, f"{type(err).__name__}: {err}"
    text = mistake.explain(ctx)
    if wrong.shape != ctx.right.shape:
        shown = (shape_text(wrong.shape) if wrong.ndim == 2 else f"of shape {wrong.shape}" if wrong.ndim
                 else "a single number")
        text += f" — the result is {shown} where {shape_text(ctx.right.shape)} belongs"
    else:
        with quiet():
            diff = float(np.nanmax(np.abs(wrong - ctx.right))) if wrong.size else 0.0
        text += f" — max |difference| {diff:.3g}" if diff else " — here it happens to give the same numbers"
    return wrong, text


class MisconceptionView(QWidget):
    """A mistake chooser for ``session.record``, the right and the wrong result, and what happened.

    Public: ``choice`` (QComboBox, "misconceptionChoice"), ``outcome_label``, ``panels`` (right, wrong),
    ``context`` (the Context of the operation shown), ``show_mistake(name)``.
    """

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("misconception")
        self.session = session
        self.context: Context | None = None
        self._mistakes: list[Mistake] = []
        self.choice = QComboBox()
        self.choice.setObjectName("misconceptionChoice")
        self.choice.currentIndexChanged.connect(self._chosen)
        self.operation_label = QLabel()
        self.operation_label.setFont(mono_font(12))
        self.outcome_label = QLabel(PROMPT)
        self.outcome_label.setObjectName("misconceptionOutcome")
        self.outcome_label.setWordWrap(True)
        self.outcome_label.setTextFormat(Qt.TextFormat.RichText)
        self.outcome_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.panels = [HeatmapPanel(self), HeatmapPanel(self)]
        top = QHBoxLayout()
        top.addWidget(QLabel("Inject:"))
        top.addWidget(self.choice, 1)
        top.addWidget(self.operation_label)
        heatmaps = QHBoxLayout()
        for panel in self.panels:
            heatmaps.addWidget(panel, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.outcome_label)
        layout.addLayout(heatmaps, 1)
        self._follow = RunThrottle(session, self.follow_session, 0, self, unseen=self)  # not while its dock is closed
        session.stepped.connect(self._follow.request)
        session.busy_changed.connect(lambda busy: self.choice.setEnabled(not busy))
        self.choice.setEnabled(not session.busy)
        self.follow_session()
        looks.appearance_model().changed.connect(self._restyle)  # numpy's error in the theme's colour

    def _restyle(self, _appearance) -> None:
        if self.context is not None:
            self._chosen(self.choice.currentIndex())

    def _context(self) -> Context | None:
        from ..engine.mistakes import Context

        s = self.session
        record = s.record
        if record is None or s.busy:
            return None
        values = dict(s.values)
        if record.key in record.op.operands:  # an update reads what it overwrites
            old = s.stepper.replaced_value(record.key)
            if old is None:
                return None
            values[record.key] = old
        return Context(record.key, s.spec, values, record.value, s.design.learning_rate)

    def follow_session(self) -> None:
        from ..engine.mistakes import mistakes_for

        if self.session.busy:
            return
        self.context = self._context()
        record = self.session.record
        self.operation_label.setText(record.equation if record else "")
        self._mistakes = mistakes_for(self.context) if self.context else []
        # update mistakes that need a trace (a fitted α) do not apply here
        self._mistakes = [m for m in self._mistakes if m.name != "update_alpha"]
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItem("(none: the plan's result)")
        for mistake in self._mistakes:
            self.choice.addItem(mistake.title, mistake.name)
        self.choice.blockSignals(False)
        if record is not None and self.context is None and not self.session.busy:
            self.outcome_label.setText(f"{html.escape(record.symbol)}: the value before the update is not kept "
                                       "(Preferences ▸ step-back memory)")
        else:
            self.outcome_label.setText(PROMPT if record is None else
                                       f"Choose a mistake to replay {html.escape(record.equation)} with it.")
        self._show(None)

    def show_mistake(self, name: str) -> None:
        """Choose the mistake called ``name`` (see ``nnviz.engine.mistakes.MISTAKES``)."""
        self._follow.catch_up()  # the operation shown now, also while the dock is closed
        index = self.choice.findData(name)
        if index < 0:
            raise KeyError(f"{name} does not apply to this operation")
        self.choice.setCurrentIndex(index)

    def _chosen(self, index: int) -> None:
        mistake = self._mistakes[index - 1] if index > 0 else None
        self._show(mistake)

    def _show(self, mistake: Mistake | None) -> None:
        right, wrong_panel = self.panels
        ctx = self.context
        if ctx is None:
            for panel in self.panels:
                panel.set_note("", "")
            return
        right.set_matrix(self.session.record.symbol, ctx.right, lead="right ")
        if mistake is None:
            wrong_panel.set_note("with the mistake", "—")
            return
        wrong, text = replay(ctx, mistake)
        if wrong is None:
            self.outcome_label.setText(f"<b>{html.escape(mistake.title, quote=False)}</b>: the student's code stops with<br>"
                                       f"<span style='color:{looks.appearance_model().current.colors.verdict('wrong')};"
                                       f" font-family:monospace'>"
                                       f"{html.escape(text, quote=False)}</span>")
            wrong_panel.set_note("with the mistake", "no result: numpy raised an error")
            return
        self.outcome_label.setText(f"<b>{html.escape(mistake.title, quote=False)}</b>: {html.escape(text, quote=False)}")
        shown = wrong.reshape(1, 1) if wrong.ndim == 0 else wrong
        wrong_panel.set_matrix(self.session.record.symbol, shown, lead="with the mistake ")


class Misconception(QObject):
    """The dock and its action (Debug ▸ Misconception Mode)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.session = window.session
        self._view: MisconceptionView | None = None
        self.dock = tabbed_dock(window, "misconceptionDock", "Misconception", None)
        build_when_shown(self.dock, lambda: self.view)
        self.action = toggle_action(self.dock, "actionMisconception", "&Misconception Mode",
                                    "Replay the operation shown with a classic mistake injected: the wrong numbers "
                                    "or the numpy error")
        window.menus["debug"].addAction(self.action)

    @property
    def view(self) -> MisconceptionView:
        """The dock's view, made the first time the dock is shown or the view is asked for."""
        if self._view is None:
            self._view = MisconceptionView(self.session)
            self.dock.setWidget(self._view)
        return self._view


def install_misconception(window: QMainWindow) -> Misconception:
    """Add Debug ▸ Misconception Mode and its dock to ``window``; returns the controller."""
    return Misconception(window)
