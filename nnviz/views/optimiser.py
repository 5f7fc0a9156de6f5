"""The optimiser and regularisation form: optimiser and its β's and ε, mini-batches, their seed and epochs,
decay, λ, keep_prob and batch norm per hidden layer and the dropout seed, the initial scale of 'normal'."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHeaderView, QLabel, QSpinBox, QTableWidget,
    QVBoxLayout, QWidget,
)

from ..engine import OPTIMIZERS
from ..session import Session
from .fields import ScientificSpinBox, UndoPassesThrough
from . import appearance as looks

# which fields each optimiser reads (the table in engine.optimizers declares them)
_FIELDS = ("beta", "beta1", "beta2", "epsilon")


def _seed_spin(name: str, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(0, 2**31 - 1)  # within every generator's seeds (legacy: below 2**32, with room for S + e + 1)
    spin.setKeyboardTracking(False)
    spin.setToolTip(tip)
    return spin


def _spin(name: str, low: float, high: float, decimals: int, step: float, special: str = "") -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setObjectName(name)
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setKeyboardTracking(False)
    if special:
        spin.setSpecialValueText(special)
    return spin


class OptimiserView(QWidget):
    """Edits the optimiser and regularisation part of the session's Design (undoable, like the designer)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.optimizer_combo = QComboBox()
        self.optimizer_combo.setObjectName("optimizer")
        for name, optimizer in OPTIMIZERS.items():
            self.optimizer_combo.addItem(name, name)
            self.optimizer_combo.setItemData(self.optimizer_combo.count() - 1, optimizer.title,
                                             Qt.ItemDataRole.ToolTipRole)
        self.beta_spin = _spin("beta", 0.0, 0.9999, 4, 0.01)
        self.beta1_spin = _spin("beta1", 0.0, 0.9999, 4, 0.01)
        self.beta2_spin = _spin("beta2", 0.0, 0.9999, 4, 0.001)
        self.epsilon_spin = ScientificSpinBox(1e-15, 1.0)
        self.epsilon_spin.setObjectName("epsilon")
        self.epsilon_spin.setKeyboardTracking(False)
        self.batch_spin = QSpinBox()
        self.batch_spin.setObjectName("batchSize")
        self.batch_spin.setRange(0, 1_000_000)
        self.batch_spin.setSpecialValueText("full batch (all m)")
        self.batch_spin.setKeyboardTracking(False)
        self.batch_note = QLabel()
        self.batch_note.setObjectName("batchNote")
        looks.mute(self.batch_note)
        self.batch_seed_spin = _seed_spin("batchSeed", "Seed of the epochs' permutations into mini-batches "
                                          "(the CLI's --batch-seed; legacy generator: epoch e uses S + e + 1)")
        self.dropout_seed_spin = _seed_spin("dropoutSeed", "Seed of the dropout masks D[l]")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("epochs")
        self.epochs_spin.setRange(0, 10_000_000)
        self.epochs_spin.setSpecialValueText("until paused")
        self.epochs_spin.setKeyboardTracking(False)
        self.epochs_spin.setToolTip("Run stops when this many epochs are done")
        self.decay_spin = _spin("lrDecay", 0.0, 1000.0, 4, 0.1, "off")
        self.interval_spin = QSpinBox()
        self.interval_spin.setObjectName("decayInterval")
        self.interval_spin.setRange(0, 1_000_000)
        self.interval_spin.setSpecialValueText("every epoch")
        self.interval_spin.setKeyboardTracking(False)
        self.l2_spin = _spin("l2", 0.0, 1000.0, 4, 0.1, "off")
        self.scale_spin = _spin("initScale", 0.0, 1000.0, 4, 1.0, "1 (default)")
        self.layers = QTableWidget(0, 2)
        self.layers.setObjectName("regularisationLayers")
        self.layers.setHorizontalHeaderLabels(["keep_prob", "BN"])
        self.layers.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.layers.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.layers.verticalHeader().setDefaultSectionSize(30)

        box = QGroupBox("Optimiser and regularisation")
        form = QFormLayout(box)
        form.addRow("Optimiser", self.optimizer_combo)
        form.addRow("β (momentum)", self.beta_spin)
        form.addRow("β₁ (Adam)", self.beta1_spin)
        form.addRow("β₂ (RMSprop, Adam)", self.beta2_spin)
        form.addRow("ε", self.epsilon_spin)
        form.addRow("Mini-batch size", self.batch_spin)
        form.addRow(self.batch_note)
        form.addRow("Mini-batch seed", self.batch_seed_spin)
        form.addRow("Epochs (Run stops after)", self.epochs_spin)
        form.addRow("Decay rate of α", self.decay_spin)
        form.addRow("Decay interval (epochs)", self.interval_spin)
        form.addRow("L2 λ", self.l2_spin)
        form.addRow("Scale of 'normal' init", self.scale_spin)
        note = QLabel("Per hidden layer: dropout keeps each unit with probability keep_prob (1: no dropout); "
                      "BN: batch normalisation")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(self.layers)
        form.addRow("Dropout seed", self.dropout_seed_spin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)

        self.optimizer_combo.currentIndexChanged.connect(
            lambda: self._apply(optimizer=self.optimizer_combo.currentData()))
        for spin, field in ((self.beta_spin, "beta"), (self.beta1_spin, "beta1"), (self.beta2_spin, "beta2"),
                            (self.epsilon_spin, "epsilon"), (self.l2_spin, "l2"), (self.decay_spin, "lr_decay")):
            spin.valueChanged.connect(lambda value, field=field: self._apply(**{field: float(value)}))
        self.batch_spin.valueChanged.connect(lambda value: self._apply(batch_size=value or None))
        self.interval_spin.valueChanged.connect(lambda value: self._apply(decay_interval=value or None))
        self.epochs_spin.valueChanged.connect(lambda value: self._apply(epochs=value or None))
        self.batch_seed_spin.valueChanged.connect(lambda value: self._apply(batch_seed=value))
        self.dropout_seed_spin.valueChanged.connect(lambda value: self._apply(dropout_seed=value))
        self.scale_spin.valueChanged.connect(lambda value: self._apply(init_scale=value or None))
        session.design_changed.connect(self.refresh)
        session.dataset_changed.connect(self.refresh)
        self.undo_keys = UndoPassesThrough(self)
        self.refresh()

    # -- model -> widgets (signals blocked: no echo) ---------------------------------
    def refresh(self) -> None:
        d, m = self.session.design, self.session.dataset.m
        widgets = (self.optimizer_combo, self.beta_spin, self.beta1_spin, self.beta2_spin, self.epsilon_spin,
                   self.batch_spin, self.decay_spin, self.interval_spin, self.l2_spin, self.scale_spin,
                   self.epochs_spin, self.batch_seed_spin, self.dropout_seed_spin)
        for w in widgets:
            w.blockSignals(True)
        self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(d.optimizer))
        for spin, value in ((self.beta_spin, d.beta), (self.beta1_spin, d.beta1), (self.beta2_spin, d.beta2),
                            (self.epsilon_spin, d.epsilon), (self.decay_spin, d.lr_decay), (self.l2_spin, d.l2),
                            (self.scale_spin, d.init_scale or 0.0)):
            spin.setValue(value)
        self.batch_spin.setMaximum(m)
        self.batch_spin.setValue(d.batch_size if d.batch_size and d.batch_size < m else 0)
        self.interval_spin.setValue(d.decay_interval or 0)
        self.epochs_spin.setValue(d.epochs or 0)
        self.batch_seed_spin.setValue(d.batch_seed)
        self.dropout_seed_spin.setValue(d.dropout_seed)
        for w in widgets:
            w.blockSignals(False)
        reads = OPTIMIZERS[d.optimizer].hyperparameters
        for spin, field in zip((self.beta_spin, self.beta1_spin, self.beta2_spin, self.epsilon_spin), _FIELDS):
            spin.setEnabled(field in reads)
        self.interval_spin.setEnabled(d.lr_decay > 0)
        self.scale_spin.setEnabled(d.init == "normal")
        training = d.training()
        T = training.batches(m)
        self.batch_seed_spin.setEnabled(T > 1)  # the seeds only matter where there is something to draw
        self.dropout_seed_spin.setEnabled(bool(d.keep_prob))
        if T > 1:
            last = m - (T - 1) * training.batch_size
            self.batch_note.setText(f"{T} batches an epoch ({m} = {T - 1}·{training.batch_size} + {last})"
                                    if last != training.batch_size else f"{T} batches of {last} an epoch")
        else:
            self.batch_note.setText(f"one batch of all {m} examples")
        self._layer_rows()

    def _layer_rows(self) -> None:
        d = self.session.design
        n = len(d.hidden)
        keep = d.keep_prob or (1.0,) * n
        norm = d.batch_norm or (False,) * n
        self.layers.setRowCount(n)
        self.layers.setVerticalHeaderLabels([f"layer {i + 1}" for i in range(n)])
        for row in range(n):
            spin = _spin(f"keepProb{row + 1}", 0.05, 1.0, 2, 0.01)
            spin.setValue(keep[row])
            spin.valueChanged.connect(lambda value, row=row: self._edit(self.session.design.with_keep_prob(row, value)))
            check = QCheckBox()
            check.setObjectName(f"batchNorm{row + 1}")
            check.setChecked(norm[row])
            check.toggled.connect(lambda on, row=row: self._edit(self.session.design.with_batch_norm(row, on)))
            self.layers.setCellWidget(row, 0, spin)
            self.layers.setCellWidget(row, 1, check)
        self.layers.setFixedHeight(32 + 30 * max(1, n))

    # -- widgets -> model --------------------------------------------------------------
    def _apply(self, **changes) -> None:
        try:
            design = self.session.design.edit(**changes)
        except ValueError as err:
            self.session.message.emit(f"Not applied: {err}")
            self.refresh()
            return
        self._edit(design)

    def _edit(self, design) -> None:
        self.session.edit_design(design)
