"""Edit ▸ Preferences: the step-back memory budget, when a run pauses by itself (NaN/Inf, ‖dW[l]‖ limits), the theme."""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QDoubleValidator, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMainWindow, QSpinBox,
    QVBoxLayout, QWidget,
)

from ..data.memory import available_memory
from ..engine import plan_shapes
from ..session import Session
from ..views import appearance as looks
from ..views.style import VERDICT_TEXT
from ..views.theme import COLORMAPS, THEMES, Appearance
from .settings import app_settings

log = logging.getLogger(__name__)

PREFERENCES_VERSION = 1
GROUP = "preferences"
MAX_BUDGET_MB = 65_536
MB = 2 ** 20


@dataclass(frozen=True)
class Preferences:
    """What the dialog edits; a limit that is off keeps its value for the next time it is switched on."""

    history_mb: int = 256
    pause_on_nonfinite: bool = True
    pause_above_on: bool = False
    pause_above: float = 1e3  # ‖dW[l]‖ above this: exploding gradients
    pause_below_on: bool = False
    pause_below: float = 1e-7  # ‖dW[l]‖ below this: vanishing gradients
    theme: str = "light"  # a key of views.theme.THEMES
    colormap: str = "diverging"  # one of views.theme.COLORMAPS

    def appearance(self) -> Appearance:
        """The everyday appearance these preferences choose."""
        return Appearance(theme=self.theme, colormap=self.colormap)

    @classmethod
    def read(cls, ignored: list[str] | None = None) -> "Preferences":
        """The saved preferences; a missing or damaged value falls back to its default (its key is
        added to ``ignored``)."""
        settings, default = _settings(), cls()
        settings.beginGroup(GROUP)
        try:
            values = {}
            for name, value in default.__dict__.items():
                raw = settings.value(_key(name), value)
                try:
                    values[name] = _parse(raw, type(value))
                except (TypeError, ValueError):
                    log.warning("ignoring the saved preference %s = %r", name, raw)
                    values[name] = value
                    if ignored is not None:
                        ignored.append(f"{_key(name)} = {raw!r}")
            return cls(**values)
        finally:
            settings.endGroup()

    def write(self) -> None:
        settings = _settings()
        settings.beginGroup(GROUP)
        settings.setValue("version", PREFERENCES_VERSION)
        for name, value in self.__dict__.items():
            settings.setValue(_key(name), value)
        settings.endGroup()

    def following(self, session: Session) -> "Preferences":
        """These preferences with what ``session`` does now (its limits may have been set elsewhere)."""
        high, low = session.grad_norm_high, session.grad_norm_low
        return replace(self, history_mb=round(session.history_budget / MB),
                       pause_on_nonfinite=session.break_on_nonfinite,
                       pause_above_on=high is not None, pause_above=self.pause_above if high is None else high,
                       pause_below_on=low is not None, pause_below=self.pause_below if low is None else low)

    def apply(self, session: Session) -> None:
        session.break_on_nonfinite = self.pause_on_nonfinite
        session.set_gradient_limits(self.pause_below if self.pause_below_on else None,
                                    self.pause_above if self.pause_above_on else None)
        session.set_history_budget(self.history_mb * MB)


_settings = app_settings


def _key(name: str) -> str:
    """history_mb → historyMb: the window's settings are camelCase too."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _parse(raw, kind: type):
    """An ini value (often a string) as ``kind``; ValueError when it is not one."""
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() not in ("true", "false"):
            raise ValueError(raw)
        return str(raw).lower() == "true"
    value = kind(raw)
    if kind is str:
        if value not in THEMES and value not in COLORMAPS:
            raise ValueError(raw)
        return value
    if kind is float and not (math.isfinite(value) and value > 0):
        raise ValueError(raw)
    if kind is int and not 0 <= value <= MAX_BUDGET_MB:
        raise ValueError(raw)
    return value


def budget_limit_mb() -> int:
    """The largest step-back budget that can be kept: the memory available now (MAX_BUDGET_MB if unknown)."""
    available = available_memory()
    return MAX_BUDGET_MB if available is None else max(0, min(MAX_BUDGET_MB, available // MB))


def history_reach(session: Session, budget_bytes: int) -> tuple[int, float]:
    """(operations, iterations) of ``session``'s network that ``budget_bytes`` of step-back history holds.

    Each operation keeps the array it replaces, so an iteration keeps one array of every
    operation's result shape (float64)."""
    shapes = session.plan_shapes()
    plan = session.plan
    per_iteration = sum(int(np.prod(shapes[op.key])) * 8 for op in plan)
    if per_iteration == 0:
        return 0, 0.0
    return int(budget_bytes * len(plan) / per_iteration), budget_bytes / per_iteration


class PreferencesDialog(QDialog):
    """The form; ``preferences()`` reads it (None with a message when a value is not usable).

    Public: ``budget`` (MB spin box), ``reach_label``, ``pause_nonfinite``, ``pause_above_box``,
    ``pause_above_edit``, ``pause_below_box``, ``pause_below_edit``, ``theme_box``, ``colormap_box``,
    ``error_label``, ``buttons``.
    """

    def __init__(self, session: Session, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.session = session
        self._build()
        self.show_preferences(preferences)

    def _build(self) -> None:
        self.budget = QSpinBox(self)
        self.budget.setObjectName("historyBudget")
        self.budget.setRange(0, MAX_BUDGET_MB)
        self.budget.setSingleStep(64)
        self.budget.setSuffix(" MB")
        self.budget.setSpecialValueText("off (no step back)")
        self.budget.valueChanged.connect(self._show_reach)
        self.budget.setMaximumWidth(self.budget.fontMetrics().horizontalAdvance("off (no step back)") + 40)
        self.reach_label = QLabel(self)
        self.pause_nonfinite = QCheckBox("Pause when an array contains NaN or Inf", self)
        self.pause_above_box = QCheckBox("Pause when ‖dW[l]‖ exceeds", self)
        self.pause_above_edit = self._number_edit("pauseAbove", self.pause_above_box)
        self.pause_below_box = QCheckBox("Pause when ‖dW[l]‖ falls below", self)
        self.pause_below_edit = self._number_edit("pauseBelow", self.pause_below_box)
        self.theme_box = QComboBox(self)
        self.theme_box.setObjectName("themeChoice")
        for name, theme in THEMES.items():
            self.theme_box.addItem(theme.title, name)
        self.colormap_box = QComboBox(self)
        self.colormap_box.setObjectName("colormapChoice")
        for name in COLORMAPS:
            self.colormap_box.addItem("blue–white–red" if name == "diverging" else "colour-blind safe (blue–yellow)",
                                      name)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(f"color: {VERDICT_TEXT['wrong']};")
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Step-back memory:", self.budget)
        form.addRow("", self.reach_label)
        form.addRow(self.pause_nonfinite)
        form.addRow(self._row(self.pause_above_box, self.pause_above_edit, "(exploding gradients)"))
        form.addRow(self._row(self.pause_below_box, self.pause_below_edit, "(vanishing gradients)"))
        form.addRow("Theme:", self.theme_box)
        form.addRow("Matrix colours:", self.colormap_box)
        note = QLabel("‖dW[l]‖ is checked for every layer at the end of each iteration; "
                      "the status bar says which layer paused the run.", self)
        note.setWordWrap(True)
        looks.mute(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                        | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            lambda: self.show_preferences(Preferences()))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _number_edit(self, name: str, switch: QCheckBox) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        validator = QDoubleValidator(0.0, 1e300, 12, edit)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        edit.setValidator(validator)
        edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("0.000000001") + 16)
        switch.toggled.connect(edit.setEnabled)
        return edit

    @staticmethod
    def _row(switch: QCheckBox, edit: QLineEdit, why: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(switch)
        row.addWidget(edit)
        row.addWidget(QLabel(why))
        row.addStretch(1)
        return row

    def show_preferences(self, p: Preferences) -> None:
        self.budget.setValue(p.history_mb)
        self.pause_nonfinite.setChecked(p.pause_on_nonfinite)
        for box, edit, on, value in ((self.pause_above_box, self.pause_above_edit, p.pause_above_on, p.pause_above),
                                     (self.pause_below_box, self.pause_below_edit, p.pause_below_on, p.pause_below)):
            box.setChecked(on)
            edit.setEnabled(on)
            edit.setText(f"{value:g}".replace("e-0", "e-").replace("e+0", "e"))
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(p.theme)))
        self.colormap_box.setCurrentIndex(max(0, self.colormap_box.findData(p.colormap)))
        self.error_label.clear()
        self._show_reach()

    def _show_reach(self) -> None:
        budget = self.budget.value() * MB
        if budget == 0:
            self.reach_label.setText("Step Back is off: no earlier operation is kept.")
            return
        operations, iterations = history_reach(self.session, budget)
        self.reach_label.setText(f"≈ {operations:,} operations ({iterations:,.0f} iterations) of this network")

    def preferences(self) -> Preferences | None:
        """What the form says, or None (with the reason shown) when a threshold is not a positive number."""
        values, default = {}, Preferences()
        for name, label, box, edit in (("pause_above", "The upper limit", self.pause_above_box, self.pause_above_edit),
                                       ("pause_below", "The lower limit", self.pause_below_box, self.pause_below_edit)):
            try:
                values[name] = _parse(edit.text().replace(",", "."), float)
            except ValueError:
                if not box.isChecked():  # a limit that is off: its text does not matter
                    values[name] = getattr(default, name)
                    continue
                self.error_label.setText(f"{label} must be a positive number, like 1e3 or 1e-7.")
                return None
        p = Preferences(self.budget.value(), self.pause_nonfinite.isChecked(), self.pause_above_box.isChecked(),
                        values["pause_above"], self.pause_below_box.isChecked(), values["pause_below"],
                        self.theme_box.currentData(), self.colormap_box.currentData())
        if p.pause_above_on and p.pause_below_on and p.pause_below >= p.pause_above:
            self.error_label.setText("The lower limit must be below the upper one.")
            return None
        most = budget_limit_mb()
        if p.history_mb > most:
            self.error_label.setText(f"The step-back memory ({p.history_mb:,} MB) is more than this computer has "
                                     f"available ({most:,} MB): choose at most {most:,} MB.")
            return None
        return p

    def accept(self) -> None:
        if self.preferences() is not None:
            super().accept()


class PreferencesController(QObject):
    """Edit ▸ Preferences…: opens the dialog; OK applies to the session and saves (QSettings, "preferences/")."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: PreferencesDialog | None = None
        action = QAction("&Preferences…", window)
        action.setObjectName("actionPreferences")
        action.setShortcut(QKeySequence(QKeySequence.StandardKey.Preferences))
        if action.shortcut().isEmpty():  # no platform standard (Linux, Windows)
            action.setShortcut(QKeySequence("Ctrl+,"))
        action.setMenuRole(QAction.MenuRole.PreferencesRole)
        action.setStatusTip("Step-back memory and when a run pauses by itself")
        action.triggered.connect(self.open)
        window.menus["edit"].addAction(action)
        self.action = action
        ignored: list[str] = []
        self.preferences = Preferences.read(ignored)
        notes = getattr(window, "settings_notes", [])
        if ignored:
            notes.append(f"Damaged preferences fell back to their defaults: {', '.join(ignored)}.")
        most = budget_limit_mb()
        if self.preferences.history_mb > most:
            notes.append(f"The step-back memory is capped at {most:,} MB: the saved {self.preferences.history_mb:,} MB "
                         "is more than this computer has available (Preferences).")
            self.preferences = replace(self.preferences, history_mb=most)
        self.preferences.apply(window.session)
        self._apply_appearance(self.preferences)

    def open(self) -> PreferencesDialog:
        """Show the dialog (window-modal, without blocking) on what the session does now."""
        if self.dialog is None:
            self.dialog = PreferencesDialog(self.window.session, self.preferences, self.window)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.accepted.connect(self._accepted)
        self.dialog.show_preferences(self.preferences.following(self.window.session))
        self.dialog.open()
        return self.dialog

    def _accepted(self) -> None:
        p = self.dialog.preferences()
        if p is not None:
            self.apply(p)

    def apply(self, preferences: Preferences) -> None:
        """Use ``preferences`` now and from the next start on."""
        preferences.apply(self.window.session)
        preferences.write()
        self.preferences = preferences
        self._apply_appearance(preferences)
        self.window.statusBar().showMessage("Preferences saved", 4000)


    def _apply_appearance(self, preferences: Preferences) -> None:
        """The theme and colour map for every view (in presentation mode: for after it too)."""
        presentation = getattr(self.window, "presentation", None)
        if presentation is not None and presentation.active:
            presentation.set_theme(preferences.appearance())
        else:
            looks.appearance_model().set(preferences.appearance())


def install_preferences(window: QMainWindow) -> PreferencesController:
    """Add Edit ▸ Preferences… and apply the saved preferences to ``window.session``; returns the controller."""
    return PreferencesController(window)
