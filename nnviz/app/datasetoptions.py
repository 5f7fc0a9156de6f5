"""How a dataset is read, as the command line's --standardize, --label-column and --image-size offer it:
a small panel under the data preview, remembered per file type, applied when a file of that type is opened."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QSizePolicy, QSpinBox,
    QToolButton, QVBoxLayout, QWidget,
)

from ..data.loader import FORMATS
from ..views import appearance as looks
from .settings import app_settings

log = logging.getLogger(__name__)

KIND_NAMES = {"table": "CSV/TSV files", "npz": "NumPy files", "npy": "NumPy files", "hdf5": "HDF5 files",
              "mat": "MATLAB files", "folder": "image folders", "other": "other files"}
IMAGE_SIZES = (4, 1024)  # N×N pictures of an image folder
DEFAULT_IMAGE_SIZE = 64  # as the command line's --image-size
PREFIX = "datasetOptions"  # settings group: datasetOptions/<kind>/<option>


def kind_of(source: str) -> str | None:
    """The file type a source's options are kept for: 'table', 'npz', ..., 'folder'; None for a demo."""
    if source.startswith("demo:"):
        return None
    path = Path(source)
    if path.is_dir():
        return "folder"
    return FORMATS.get(path.suffix.lower(), "other")


@dataclass(frozen=True)
class OpenOptions:
    """What the user asked for when reading files of one type."""

    standardize: bool = False
    label_column: str = ""  # a header name or a 0-based index ('-1' the last); '' for the last column
    image_size: int = DEFAULT_IMAGE_SIZE

    def loader_arguments(self, kind: str) -> dict:
        """Keyword arguments of load_dataset for a file of ``kind`` (only the options that type has)."""
        arguments: dict = {"standardize": self.standardize}
        column = self.label_column.strip()
        if kind == "table" and column:
            arguments["label_column"] = int(column) if column.lstrip("-").isdigit() else column
        if kind == "folder":
            arguments["image_size"] = self.image_size
        return arguments

    def summary(self, kind: str) -> str:
        parts = ["standardised" if self.standardize else "as stored"]
        if kind == "table":
            parts.append(f"label column {self.label_column.strip()!r}" if self.label_column.strip() else "label: last column")
        if kind == "folder":
            parts.append(f"{self.image_size}×{self.image_size} pictures")
        return ", ".join(parts)


class DatasetOptions(QObject):
    """The options panel (``panel``) and its memory: one OpenOptions per file type in the window's settings."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.kind: str | None = None  # the type the panel shows now
        self._asked: dict[str, OpenOptions] = {}  # the options each source was last opened with
        self._last_asked: str | None = None  # the source opened last (it may have failed)
        self.pending: str | None = None  # a file that could not be opened: Reload tries it again
        self._build()
        self.session.dataset_changed.connect(self.follow_dataset)
        self.session.error.connect(self._failed)
        self.follow_dataset()

    # -- memory ----------------------------------------------------------------------------------
    def options(self, kind: str) -> OpenOptions:
        settings = app_settings()
        key = f"{PREFIX}/{kind}"
        try:
            size = int(settings.value(f"{key}/imageSize", DEFAULT_IMAGE_SIZE))
        except (TypeError, ValueError):
            size = DEFAULT_IMAGE_SIZE  # a damaged value: the default, not a crash
        return OpenOptions(standardize=settings.value(f"{key}/standardize", False, type=bool),
                           label_column=str(settings.value(f"{key}/labelColumn", "") or ""),
                           image_size=min(max(size, IMAGE_SIZES[0]), IMAGE_SIZES[1]))

    def remember(self, kind: str, options: OpenOptions) -> None:
        settings = app_settings()
        key = f"{PREFIX}/{kind}"
        settings.setValue(f"{key}/standardize", options.standardize)
        settings.setValue(f"{key}/labelColumn", options.label_column)
        settings.setValue(f"{key}/imageSize", options.image_size)

    def arguments_for(self, source: str) -> dict:
        """load_dataset's keyword arguments for ``source``, from what was chosen for its file type."""
        kind = kind_of(source)
        if kind is None:
            return {}
        options = self.options(kind)
        self._asked[source] = options
        self._last_asked = source
        return options.loader_arguments(kind)

    # -- the panel -----------------------------------------------------------------------------
    def _build(self) -> None:
        panel = self.panel = QWidget()
        panel.setObjectName("datasetOptions")
        self.toggle = QToolButton(panel)
        self.toggle.setObjectName("datasetOptionsToggle")
        self.toggle.setCheckable(True)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setText("Load options")
        self.toggle.toggled.connect(self._expand)
        self.summary = QLabel(panel)  # what the current file type is read with, beside the toggle
        self.summary.setObjectName("datasetOptionsSummary")
        self.summary.setWordWrap(True)
        looks.mute(self.summary)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.body = QWidget(panel)
        self.standardize_box = QCheckBox("Standardise features (mean 0, std 1)", self.body)
        self.standardize_box.setObjectName("standardize")
        self.label_edit = QLineEdit(self.body)
        self.label_edit.setObjectName("labelColumn")
        self.label_edit.setPlaceholderText("last column")
        self.label_edit.setToolTip("The label column: a header name, or its index (0 the first, -1 the last)")
        self.size_spin = QSpinBox(self.body)
        self.size_spin.setObjectName("imageSize")
        self.size_spin.setRange(*IMAGE_SIZES)
        self.size_spin.setSuffix(" px")
        self.size_spin.setToolTip("Pictures of an image folder are resized to N×N")
        self.reload_button = QPushButton("Reload", self.body)
        self.reload_button.setToolTip("Read the current file again with these options")
        self.reload_button.setObjectName("reloadDataset")
        self.reload_button.clicked.connect(self.reload)
        form = QFormLayout(self.body)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow(self.standardize_box)
        form.addRow("Label column", self.label_edit)
        form.addRow("Image size N×N", self.size_spin)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reload_button)
        form.addRow(buttons)
        self.note = QLabel(self.body)
        self.note.setWordWrap(True)
        looks.mute(self.note)
        form.addRow(self.note)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        header = QHBoxLayout()
        header.addWidget(self.toggle)
        header.addWidget(self.summary, 1)
        layout.addLayout(header)
        # the open options scroll when the Data dock is short (1280×720) instead of losing their last lines
        self.body_area = QScrollArea(panel)
        self.body_area.setObjectName("datasetOptionsArea")
        self.body_area.setWidgetResizable(True)
        self.body_area.setFrameShape(QFrame.Shape.NoFrame)
        self.body_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_area.setWidget(self.body)
        layout.addWidget(self.body_area)
        self.body_area.hide()
        self.standardize_box.toggled.connect(self._edited)
        self.label_edit.editingFinished.connect(self._edited)
        self.size_spin.valueChanged.connect(self._edited)

    def _expand(self, expanded: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body_area.setVisible(expanded)

    def follow_dataset(self) -> None:
        """Show the options of the current dataset's file type (those it was read with)."""
        self.pending = None
        self.kind = kind_of(self.session.dataset.source or "demo:")
        self._show()

    def _failed(self, title: str, message: str) -> None:
        """A file that could not be opened: its options open, ready to change and Reload."""
        source = self._last_asked
        if title != "Could not open the dataset" or source is None or kind_of(source) is None:
            return
        self.pending, self.kind = source, kind_of(source)
        self._show()
        self.toggle.setChecked(True)

    def target(self) -> str:
        """The file the panel's Reload reads: one that just failed to open, else the current dataset's."""
        return self.pending or self.session.dataset.source

    def _show(self) -> None:
        kind = self.kind
        if kind is None:
            self.summary.setText("for the files you open (a demo has none)")
            self.body.setEnabled(False)
            return
        self.body.setEnabled(True)
        options = self.options(kind)
        for widget in (self.standardize_box, self.label_edit, self.size_spin):
            widget.blockSignals(True)
        self.standardize_box.setChecked(options.standardize)
        self.label_edit.setText(options.label_column)
        self.size_spin.setValue(options.image_size)
        for widget in (self.standardize_box, self.label_edit, self.size_spin):
            widget.blockSignals(False)
        self.label_edit.setEnabled(kind == "table")
        self.size_spin.setEnabled(kind == "folder")
        self.summary.setText(f"{KIND_NAMES[kind]}: {options.summary(kind)}")
        source = self.target()
        read_with = self._asked.get(source, OpenOptions())
        if self.pending:
            self.note.setText(f"{Path(source).name} could not be opened with these options: change them and "
                              "Reload, or open another file.")
            looks.tone(self.note, "wrong")
        elif read_with.loader_arguments(kind) != options.loader_arguments(kind):
            self.note.setText(f"{Path(source).name} was read with other options: Reload to apply these.")
            looks.tone(self.note, "suspicious")
        else:
            self.note.setText(f"Remembered for {KIND_NAMES[kind]}; used whenever you open one.")
            looks.tone(self.note, None)

    def current(self) -> OpenOptions:
        return OpenOptions(self.standardize_box.isChecked(), self.label_edit.text().strip(), self.size_spin.value())

    def _edited(self) -> None:
        if self.kind is not None:
            self.remember(self.kind, self.current())
            self._show()

    def reload(self) -> None:
        """Read the file again with the options shown (the session keeps its data if that fails)."""
        source = self.target()
        if self.kind is None or not source:
            return
        self._edited()
        if self.pending or self.window.session_files.confirm_discard("reload the data"):
            self.window.open_source(source)


def install_dataset_options(window) -> DatasetOptions:
    """Put the load-options panel under the data preview, in the Data dock."""
    options = DatasetOptions(window)
    dock = window.docks["dataDock"]
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(dock.widget(), 1)
    layout.addWidget(options.panel)
    dock.setWidget(holder)
    return options
