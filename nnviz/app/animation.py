"""Animations for slides: a range of operations rendered offscreen, one frame per operation, as GIF, APNG or MP4.

The frames are the diagram, the inspector and the training plots of a copy of the session
(the user's session and window are never touched), at a slide's resolution.
"""
from __future__ import annotations

import io
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..session import Session
from ..session.persist import SessionFileError, SessionState, load_session
from ..views import appearance as looks
from ..views.diagram import DiagramView
from ..views.inspector import InspectorView
from ..views.plots import PlotsView
from ..atomic import write_bytes

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1920, 1080)
FORMATS = {".gif": "GIF", ".png": "APNG", ".apng": "APNG", ".mp4": "MP4"}
EXTRAS = {"GIF": ("PIL", "Pillow", "animate"), "APNG": ("PIL", "Pillow", "animate"),
          "MP4": ("imageio_ffmpeg", "imageio and imageio-ffmpeg", "mp4")}
MP4_FPS = 10  # an MP4 shows each operation for round(seconds × this) frames
SHARES = (28, 52, 20)  # of the slide's height: diagram, inspector, plots


class AnimationError(Exception):
    """The animation cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class AnimationRange:
    """From the next time ``start`` is performed to the next ``end`` after it, ``iterations`` iterations later."""

    start: str  # a plan key: Z1, J, dW2
    end: str
    iterations: int = 0


def check_range(state: SessionState, r: AnimationRange, flag_from: str = "--from", flag_to: str = "--to") -> None:
    """AnimationError when a key is not an operation of the session's network."""
    from ..engine import build_plan

    keys = [op.key for op in build_plan(state.design.spec(state.dataset.n_x, state.dataset.n_y))]
    for flag, key in ((flag_from, r.start), (flag_to, r.end)):
        if key not in keys:
            raise AnimationError(f"{flag} {key} is not an operation of this network; use one of {', '.join(keys)}")
    if r.iterations < 0:
        raise AnimationError("--iterations must be 0 or more")


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise AnimationError(f"{path}: the file must end in .gif, .png (animated PNG) or .mp4")
    return FORMATS[suffix]


def check_encoder(kind: str) -> None:
    """AnimationError naming the optional extra when the encoder's library is missing."""
    module, libraries, extra = EXTRAS[kind]
    try:
        __import__(module)
        if kind == "MP4":
            __import__("imageio")
    except ImportError:
        raise AnimationError(f"{kind} needs {libraries}: pip install 'nnviz[{extra}]'") from None


class Encoder:
    """Collects RGB frames (h, w, 3) uint8 and writes them at ``close()``."""

    def __init__(self, path: str | Path, seconds_per_step: float) -> None:
        self.path, self.kind = Path(path), format_of(path)
        check_encoder(self.kind)
        self.seconds = seconds_per_step
        self.frames = 0
        self._images: list = []
        self._writer = None
        if self.kind == "MP4":  # a scratch file beside the target; the target is written whole at the end
            import imageio.v2 as imageio

            handle, temporary = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".part.mp4", dir=self.path.parent)
            os.close(handle)
            self._temporary = Path(temporary)
            self._writer = imageio.get_writer(str(self._temporary), format="FFMPEG", fps=MP4_FPS, codec="libx264",
                                              quality=8, macro_block_size=2, pixelformat="yuv420p")

    def add(self, rgb: np.ndarray) -> None:
        self.frames += 1
        if self._writer is not None:
            for _ in range(max(1, round(self.seconds * MP4_FPS))):
                self._writer.append_data(rgb)
            return
        from PIL import Image

        image = Image.fromarray(rgb, "RGB")
        # GIF: 256 colours a frame, chosen now so a long animation keeps one byte a pixel in memory
        self._images.append(image.quantize(256, method=Image.Quantize.MEDIANCUT) if self.kind == "GIF" else image)

    def close(self) -> Path:
        """Write the file (atomically) and return its path."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            try:  # the encoder's scratch file, then nnviz's one atomic writer (permissions, symlinks)
                write_bytes(self.path, self._temporary.read_bytes())
            finally:
                self._temporary.unlink(missing_ok=True)
            return self.path
        if not self._images:
            raise AnimationError("no frames to write")
        first, rest = self._images[0], self._images[1:]
        options = {"save_all": True, "append_images": rest, "duration": round(1000 * self.seconds), "loop": 0}
        data = io.BytesIO()
        first.save(data, format="PNG" if self.kind == "APNG" else "GIF", **options)
        write_bytes(self.path, data.getvalue())
        self._images = []
        return self.path

    def abandon(self) -> None:
        """Stop without leaving a half-written file behind."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._temporary.unlink(missing_ok=True)
        self._images = []


class Slide(QWidget):
    """The diagram over the inspector over the training plots, on ``session``."""

    def __init__(self, session: Session, size: tuple[int, int]) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)  # painted and laid out, never on screen
        self.diagram = DiagramView(session, self)
        self.inspector = InspectorView(session, self)
        self.plots = PlotsView(session, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        for widget, share in zip((self.diagram, self.inspector, self.plots), SHARES):
            layout.addWidget(widget, share)
        self.inspector.set_stats_visible(False)  # the heatmaps take the room on a slide
        self.setFixedSize(*size)
        self.setAutoFillBackground(True)
        self._platform = QPalette(self.palette())
        looks.connect(self, self.apply_appearance)

    def apply_appearance(self, appearance) -> None:
        self.setPalette(looks.palette_for(appearance.colors, self._platform))

    def frame(self) -> np.ndarray:
        """What the slide shows now, RGB (h, w, 3) uint8."""
        image = self.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        w, h = image.width(), image.height()
        rows = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * h).reshape(h, image.bytesPerLine())
        return rows[:, :3 * w].reshape(h, w, 3).copy()


class AnimationRenderer(QObject):
    """Steps a copy of ``state`` through ``r`` on its own worker, one frame per operation, into ``encoder``.

    ``progress(done, total)`` after each frame; ``finished(path)`` or ``failed(message)`` at the end."""

    progress = Signal(int, int)
    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, state: SessionState, r: AnimationRange, encoder: Encoder,
                 size: tuple[int, int] = DEFAULT_SIZE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        check_range(state, r)
        self.range, self.encoder = r, encoder
        self.session = Session(state.dataset, state.design, parent=self)
        self.session.restore(state)
        self.session.break_on_nonfinite = False  # a diverging run is a lesson too: keep rendering
        self.slide = Slide(self.session, size)
        self.total = self._count()
        self.done = 0
        self._cancelled = False
        self._end_iteration: int | None = None
        self.session.error.connect(lambda title, text: self._fail(f"{title}: {text}"))

    def _count(self) -> int:
        """Frames the range takes: from the start key's next occurrence through the end key's."""
        plan, s = self.session.plan, self.session
        keys = [op.key for op in plan]
        start = keys.index(self.range.start)
        end = keys.index(self.range.end)
        span = (end - start) % len(plan) + 1
        return span + self.range.iterations * len(plan)

    def start(self) -> None:
        """Run to the start key, then step and grab until the end key; returns at once."""
        index = next(op.index for op in self.session.plan if op.key == self.range.start)
        self.slide.show()
        self.session.run_through(index)
        self._wait()

    def cancel(self) -> None:
        self._cancelled = True

    def _wait(self) -> None:
        if self._cancelled:
            self.encoder.abandon()
            self.failed.emit("cancelled")
            return
        if self.session.busy:
            QTimer.singleShot(5, self._wait)
            return
        QTimer.singleShot(0, self._grab)  # after the views' refresh of the last step

    def _grab(self) -> None:
        s = self.session
        try:
            self.encoder.add(self.slide.frame())
        except Exception as err:  # a full disk, an encoder that gave up
            self._fail(f"could not write {self.encoder.path}: {err}")
            return
        self.done += 1
        self.progress.emit(self.done, self.total)
        if self.done >= self.total:
            self._finish()
            return
        s.step()
        self._wait()

    def _finish(self) -> None:
        try:
            path = self.encoder.close()
        except Exception as err:
            self._fail(f"could not write {self.encoder.path}: {err}")
            return
        self._close()
        self.finished.emit(str(path))

    def _fail(self, message: str) -> None:
        if self._cancelled:
            return
        self._cancelled = True
        self.encoder.abandon()
        self._close()
        self.failed.emit(message)

    def _close(self) -> None:
        self.slide.close()
        self.slide.deleteLater()
        self.session.close()


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' → (1920, 1080); AnimationError otherwise."""
    try:
        w, h = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise AnimationError(f"--size takes WIDTHxHEIGHT in pixels, e.g. 1920x1080; got {text!r}") from None
    if not (320 <= w <= 7680 and 240 <= h <= 4320):
        raise AnimationError(f"--size {text}: from 320x240 to 7680x4320 pixels")
    return w + w % 2, h + h % 2  # even: MP4's colour subsampling needs it


def run_command(path: str, start: str, end: str, out: str, size: str = "1920x1080", seconds: float = 1.0,
                iterations: int = 0, quiet: bool = False) -> int:
    """``nnviz animate``: render offscreen (no display needed) and write ``out``; AnimationError when it cannot."""
    import os
    import sys

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    kind = format_of(out)
    check_encoder(kind)
    dimensions = parse_size(size)
    if not seconds > 0:
        raise AnimationError("--seconds-per-step must be a positive number")
    if not Path(out).parent.is_dir():
        raise AnimationError(f"{out}: the folder {Path(out).parent} does not exist")
    try:
        state = load_session(path)
    except (SessionFileError, OSError) as err:
        raise AnimationError(str(err)) from None
    r = AnimationRange(start, end, iterations)
    check_range(state, r)
    app = QApplication.instance()
    if app is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # frames are rendered, never shown
        app = QApplication(sys.argv[:1])
    renderer = AnimationRenderer(state, r, Encoder(out, seconds), dimensions)
    outcome: dict[str, str] = {}
    loop = QEventLoop()
    renderer.finished.connect(lambda written: (outcome.setdefault("path", written), loop.quit()))
    renderer.failed.connect(lambda message: (outcome.setdefault("error", message), loop.quit()))
    quiet = quiet or not sys.stderr.isatty()
    if not quiet:
        renderer.progress.connect(lambda done, total: print(f"\rframe {done}/{total}", end="", file=sys.stderr))
    QTimer.singleShot(0, renderer.start)
    loop.exec()
    if not quiet:
        print(file=sys.stderr)
    frames = renderer.done
    renderer.deleteLater()
    app.processEvents()
    if "error" in outcome:
        raise AnimationError(outcome["error"])
    print(f"wrote {outcome['path']}: {frames} frames of {dimensions[0]}×{dimensions[1]} ({kind})")
    return 0
