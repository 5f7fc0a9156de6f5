"""File ▸ Export ▸ Animation…: choose a range of operations and a file; a progress dialog while it renders."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QLabel, QProgressDialog,
    QSpinBox, QVBoxLayout, QWidget,
)

from .actions import make_action
from .settings import app_settings

if TYPE_CHECKING:  # the renderer is imported when an animation is exported, not at start
    from .animation import AnimationRange, AnimationRenderer

log = logging.getLogger(__name__)

SIZES = ("1920x1080", "1280x720", "3840x2160", "1024x768")
FILTERS = "Animated GIF (*.gif);;Animated PNG (*.png);;MP4 video (*.mp4)"


class AnimationDialog(QDialog):
    """From, to, how many more iterations, frame size and seconds per operation.

    Public: ``start_box``, ``end_box``, ``iterations``, ``size_box``, ``seconds``, ``frames_label``, ``buttons``."""

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("animationDialog")
        self.setWindowTitle("Export Animation")
        self.session = session
        self.frames_label = QLabel(self)
        keys = [(op.key, f"{op.symbol}   ({op.equation})") for op in session.plan]
        self.start_box, self.end_box = QComboBox(self), QComboBox(self)
        for box in (self.start_box, self.end_box):
            for key, text in keys:
                box.addItem(text, key)
        self.start_box.setCurrentIndex(session.position)  # from the next operation on
        last_forward = max((op.index for op in session.plan if op.phase in ("forward", "cost")), default=0)
        self.end_box.setCurrentIndex(last_forward)  # a forward pass
        self.iterations = QSpinBox(self)
        self.iterations.setRange(0, 10_000)
        self.size_box = QComboBox(self)
        self.size_box.addItems(SIZES)
        self.seconds = QDoubleSpinBox(self)
        self.seconds.setRange(0.05, 30.0)
        self.seconds.setSingleStep(0.25)
        self.seconds.setValue(1.0)
        self.seconds.setSuffix(" s")
        form = QFormLayout()
        form.addRow("From:", self.start_box)
        form.addRow("To:", self.end_box)
        form.addRow("Iterations later:", self.iterations)
        form.addRow("Frame size:", self.size_box)
        form.addRow("Each operation shown:", self.seconds)
        form.addRow("", self.frames_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for box in (self.start_box, self.end_box):
            box.currentIndexChanged.connect(self._show_frames)
        self.iterations.valueChanged.connect(self._show_frames)
        self._show_frames()

    def animation_range(self) -> AnimationRange:
        from .animation import AnimationRange

        return AnimationRange(self.start_box.currentData(), self.end_box.currentData(), self.iterations.value())

    def frame_count(self) -> int:
        n = len(self.session.plan)
        return (self.end_box.currentIndex() - self.start_box.currentIndex()) % n + 1 + self.iterations.value() * n

    def _show_frames(self) -> None:
        self.frames_label.setText(f"{self.frame_count():,} frames, one per operation")


class AnimationExport(QObject):
    """actionExportAnimation: the dialog, a file, then the renderer on a copy of the session."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.renderer: AnimationRenderer | None = None
        self.progress: QProgressDialog | None = None
        self.action = make_action(window, "actionExportAnimation", "&Animation (GIF, PNG, MP4)…", self.open,
                                  tip="Render a range of operations as an animation for slides")

    def open(self) -> AnimationDialog:
        dialog = AnimationDialog(self.window.session, self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self._chosen(dialog))
        dialog.open()
        self.dialog = dialog
        return dialog

    def _chosen(self, dialog: AnimationDialog) -> None:
        settings = app_settings()
        folder = settings.value("export/lastDirectory", str(Path.home()))
        path, _ = QFileDialog.getSaveFileName(self.window, "Export Animation", str(Path(folder) / "nnviz.gif"),
                                              FILTERS)
        if not path:
            return
        settings.setValue("export/lastDirectory", str(Path(path).parent))
        w, h = (int(v) for v in dialog.size_box.currentText().split("x"))
        self.start(path, dialog.animation_range(), (w, h), dialog.seconds.value())

    def start(self, path: str, r: AnimationRange, size: tuple[int, int], seconds: float) -> bool:
        """Render ``r`` into ``path``; False (with the reason in the status bar) when it cannot start."""
        from .animation import AnimationError, AnimationRenderer, Encoder, check_encoder, format_of

        if self.renderer is not None:
            self._say("An animation is being rendered already")
            return False
        if self.window.session.busy:
            self._say("Pause training first: the animation starts from the step shown")
            return False
        try:
            check_encoder(format_of(path))
            renderer = AnimationRenderer(self.window.session.snapshot(), r, Encoder(path, seconds), size, self)
        except (AnimationError, OSError) as err:
            self._say(f"Cannot export the animation: {err}")
            return False
        self.renderer = renderer
        self.progress = QProgressDialog("Rendering the animation…", "Cancel", 0, renderer.total, self.window)
        self.progress.setObjectName("animationProgress")
        self.progress.setWindowTitle("Export Animation")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.canceled.connect(renderer.cancel)
        renderer.progress.connect(self._progressed)
        renderer.finished.connect(lambda written: self._ended(f"Saved {written} ({renderer.done} frames)"))
        renderer.failed.connect(lambda message: self._ended(f"Animation not saved: {message}"))
        renderer.start()
        return True

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setValue(done)
            self.progress.setLabelText(f"Rendering frame {done} of {total}…")

    def _ended(self, message: str) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        if self.renderer is not None:
            self.renderer.deleteLater()
            self.renderer = None
        self._say(message)

    def _say(self, message: str) -> None:
        self.last_message = message
        self.window.statusBar().showMessage(message, 10000)


def install_animation_export(window) -> AnimationExport:
    """Add actionExportAnimation to File ▸ Export."""
    export = AnimationExport(window)
    window.menus["export"].addAction(export.action)
    return export
