"""The layer designer: hidden layers, output, learning rate, initialisation, generator and seed."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QSizePolicy,
    QSpinBox, QTableWidget, QToolButton, QVBoxLayout, QWidget,
)

from ..data import DataError, check_output_fits, worded
from .fixes import control_for
from ..engine import HIDDEN_ACTIVATIONS, INITS, OUTPUTS, RNGS
from ..session import Design, Session
from ..session.design import MAX_UNITS
from .fields import ScientificSpinBox, UndoPassesThrough
from . import appearance as looks

OUTPUT_LABELS = {"sigmoid": "sigmoid · cross-entropy", "softmax": "softmax · cross-entropy",
                 "linear": "linear · squared error"}
MAX_HIDDEN_LAYERS = 12
LEARNING_RATES = (1e-12, 1e4)  # α: typed as 0.0075, 7.5e-3 or 1e-4


class DesignerView(QWidget):
    """Edits the session's Design; every change goes through ``session.edit_design`` (undoable).

    Input and output sizes follow the dataset and are shown, not edited.  Outputs
    that do not fit the labels are disabled, so an impossible design cannot be made.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.input_label = QLabel()
        self.input_label.setObjectName("inputSize")
        self.input_label.setWordWrap(True)
        self.output_label = QLabel()
        self.output_label.setObjectName("outputSize")

        self.table = QTableWidget(0, 2)
        self.table.setObjectName("hiddenLayers")
        self.table.setHorizontalHeaderLabels(["Units", "Activation"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.add_button = QToolButton()
        self.remove_button = QToolButton()
        self.up_button = QToolButton()
        self.down_button = QToolButton()
        for name, text, button, slot, tip in (
            ("addLayer", "+ Add", self.add_button, self._add, "Add a hidden layer after the selected one"),
            ("removeLayer", "− Remove", self.remove_button, self._remove, "Remove the selected hidden layer"),
            ("moveLayerUp", "↑ Up", self.up_button, lambda: self._move(-1), "Move the selected layer towards the input"),
            ("moveLayerDown", "↓ Down", self.down_button, lambda: self._move(+1),
             "Move the selected layer towards the output"),
        ):
            button.setObjectName(name)
            button.setText(text)
            button.setToolTip(tip)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(slot)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)

        self.output_combo = QComboBox()
        self.output_combo.setObjectName("outputActivation")
        for name in OUTPUTS:
            self.output_combo.addItem(OUTPUT_LABELS[name], name)
        self.lr_spin = ScientificSpinBox(*LEARNING_RATES)
        self.lr_spin.setObjectName("learningRate")
        self.lr_spin.setKeyboardTracking(False)
        self.lr_spin.setToolTip("α: a positive number such as 0.0075, 7.5e-3 or 1e-4 (up to 10000)")
        self.lr_note = QLabel()  # why a typed α was refused, until the next accepted one
        self.lr_note.setObjectName("learningRateNote")
        self.lr_note.setWordWrap(True)
        looks.tone(self.lr_note, "wrong")
        self.lr_note.hide()
        self.lr_spin.refused.connect(self._learning_rate_refused)
        self.init_combo = QComboBox()
        self.init_combo.setObjectName("initialisation")
        for name, note in INITS.items():
            self.init_combo.addItem(name, name)
            self.init_combo.setItemData(self.init_combo.count() - 1, note, Qt.ItemDataRole.ToolTipRole)
        self.init_note = QLabel()
        self.init_note.setObjectName("initNote")
        self.init_note.setWordWrap(True)
        looks.mute(self.init_note)
        self.rng_combo = QComboBox()
        self.rng_combo.setObjectName("randomGenerator")
        for name, note in RNGS.items():
            self.rng_combo.addItem(name, name)
            self.rng_combo.setItemData(self.rng_combo.count() - 1, note, Qt.ItemDataRole.ToolTipRole)
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seed")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setKeyboardTracking(False)

        layers = QGroupBox("Layers")
        layers_layout = QVBoxLayout(layers)
        layers_layout.addWidget(self.input_label)
        layers_layout.addWidget(QLabel("Hidden layers"))
        layers_layout.addWidget(self.table, 1)
        layers_layout.addLayout(buttons)
        layers_layout.addWidget(self.output_label)
        layers_layout.addWidget(self.output_combo)
        training = QGroupBox("Training")
        form = QFormLayout(training)
        form.addRow("Learning rate α", self.lr_spin)
        form.addRow(self.lr_note)
        form.addRow("Initialisation", self.init_combo)
        form.addRow(self.init_note)
        form.addRow("Random generator", self.rng_combo)
        form.addRow("Seed", self.seed_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(layers, 1)
        layout.addWidget(training)

        self.output_combo.currentIndexChanged.connect(lambda: self._apply(output=self.output_combo.currentData()))
        self.lr_spin.valueChanged.connect(self._learning_rate)
        self.init_combo.currentIndexChanged.connect(lambda: self._apply(init=self.init_combo.currentData()))
        self.rng_combo.currentIndexChanged.connect(lambda: self._apply(rng=self.rng_combo.currentData()))
        self.seed_spin.valueChanged.connect(lambda value: self._apply(seed=value))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        session.design_changed.connect(self.refresh)
        session.dataset_changed.connect(self.refresh)
        self.undo_keys = UndoPassesThrough(self)  # Ctrl+Z in a field whose edit is done undoes the design edit
        self.refresh()

    def add_section(self, widget: QWidget) -> None:
        """Another part of the design (the optimiser form) below the training settings."""
        self.layout().addWidget(widget)

    # -- model -> widgets (signals blocked: no echo) ---------------------------------
    def refresh(self) -> None:
        design, dataset = self.session.design, self.session.dataset
        shape = "×".join(map(str, dataset.example_shape))
        picture = f" ({shape} image)" if dataset.is_image else ""
        self.input_label.setText(f"Input  n[0] = {dataset.n_x}{picture}")
        self.output_label.setText(f"Output  n[{len(design.hidden) + 1}] = {dataset.n_y}")
        selected = self.selected_layer()
        self.table.blockSignals(True)
        self.table.setRowCount(len(design.hidden))
        self.table.setVerticalHeaderLabels([f"n[{i + 1}]" for i in range(len(design.hidden))])
        for row, (units, activation) in enumerate(zip(design.hidden, design.activations)):
            self._row_widgets(row, units, activation)
        if 0 <= selected < len(design.hidden):
            self.table.selectRow(selected)
        self.table.blockSignals(False)
        for combo, value in ((self.output_combo, design.output), (self.init_combo, design.init),
                             (self.rng_combo, design.rng)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(value))
            combo.blockSignals(False)
        self._enable_fitting_outputs()
        for spin, value in ((self.lr_spin, design.learning_rate), (self.seed_spin, design.seed)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.init_note.setText(INITS[design.init])
        self._update_buttons()
        self.undo_keys.watch(self)  # rows may have brought new spin boxes

    def _row_widgets(self, row: int, units: int, activation: str) -> None:
        spin = self.table.cellWidget(row, 0)
        if not isinstance(spin, QSpinBox):
            spin = QSpinBox()
            spin.setRange(1, MAX_UNITS)
            spin.setKeyboardTracking(False)
            spin.setObjectName(f"units{row + 1}")
            spin.valueChanged.connect(lambda value, spin=spin: self._units(spin, value))
            self.table.setCellWidget(row, 0, spin)
        spin.blockSignals(True)
        spin.setValue(units)
        spin.blockSignals(False)
        combo = self.table.cellWidget(row, 1)
        if not isinstance(combo, QComboBox):
            combo = QComboBox()
            combo.addItems(list(HIDDEN_ACTIVATIONS))
            combo.setObjectName(f"activation{row + 1}")
            combo.currentTextChanged.connect(lambda name, combo=combo: self._activation(combo, name))
            self.table.setCellWidget(row, 1, combo)
        combo.blockSignals(True)
        combo.setCurrentText(activation)
        combo.blockSignals(False)

    def _enable_fitting_outputs(self) -> None:
        model = self.output_combo.model()
        for i in range(self.output_combo.count()):
            try:
                check_output_fits(self.session.dataset, self.output_combo.itemData(i))
                fits, why = True, ""
            except DataError as err:
                fits, why = False, worded(err, control_for)
            item = model.item(i)
            item.setEnabled(fits)
            item.setToolTip(why)

    def _update_buttons(self) -> None:
        row, count = self.selected_layer(), len(self.session.design.hidden)
        self.add_button.setEnabled(count < MAX_HIDDEN_LAYERS)
        self.remove_button.setEnabled(0 <= row < count)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)

    # -- widgets -> model ------------------------------------------------------------------
    def selected_layer(self) -> int:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return rows[0].row() if rows else -1

    def _row_of(self, widget: QWidget, column: int) -> int:
        for row in range(self.table.rowCount()):
            if self.table.cellWidget(row, column) is widget:
                return row
        return -1

    def _set(self, design: Design) -> bool:
        """True when the session took the edit (it may ask first, or refuse and show its design again)."""
        return design == self.session.design or self.session.edit_design(design)

    def _apply(self, **changes) -> None:
        self._set(self.session.design.edit(**changes))

    def _units(self, spin: QSpinBox, value: int) -> None:
        row = self._row_of(spin, 0)
        if row >= 0:
            self._set(self.session.design.with_units(row, value))

    def _activation(self, combo: QComboBox, name: str) -> None:
        row = self._row_of(combo, 1)
        if row >= 0:
            self._set(self.session.design.with_activation(row, name))

    def _learning_rate(self, value: float) -> None:
        self.lr_note.hide()
        self.session.set_learning_rate(value)

    def _learning_rate_refused(self, reason: str) -> None:
        self.lr_note.setText(f"{reason}; α stays {self.lr_spin.textFromValue(self.lr_spin.value())}")
        self.lr_note.show()

    def _add(self) -> None:
        design = self.session.design
        row = self.selected_layer()
        at = row + 1 if row >= 0 else len(design.hidden)
        units = design.hidden[row] if row >= 0 else 4
        if self._set(design.with_layer(at, units, design.activations[row] if row >= 0 else "relu")):
            self.table.selectRow(at)

    def _remove(self) -> None:
        row = self.selected_layer()
        if row >= 0:
            self._set(self.session.design.without_layer(row))

    def _move(self, delta: int) -> None:
        row = self.selected_layer()
        to = row + delta
        if row >= 0 and 0 <= to < len(self.session.design.hidden):
            if self._set(self.session.design.with_layer_moved(row, to)):
                self.table.selectRow(to)
