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
from ..session.session import is_light
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

    def __init__(self, session: Session, size: tuple[int, int], at_once: bool = True) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)  # painted and laid out, never on screen
        self.session = session
        self._views = [(DiagramView, "diagram"), (InspectorView, "inspector"), (PlotsView, "plots")]
        self.setLayout(QVBoxLayout())
        self.layout().setContentsMargins(8, 8, 8, 8)
        while at_once and not self.ready:
            self.build_next()
        self.setFixedSize(*size)
        self.setAutoFillBackground(True)
        self._platform = QPalette(self.palette())
        looks.connect(self, self.apply_appearance)

    def apply_appearance(self, appearance) -> None:
        self.setPalette(looks.palette_for(appearance.colors, self._platform))

    @property
    def ready(self) -> bool:
        """All three views are made."""
        return not self._views

    def build_next(self) -> None:
        """Make the next of the diagram, the inspector and the plots (each a frame's work or more:
        the renderer makes one per turn of the event loop)."""
        make, name = self._views.pop(0)
        view = make(self.session, self)
        setattr(self, name, view)
        self.layout().addWidget(view, SHARES[2 - len(self._views)])
        if name == "inspector":
            view.set_stats_visible(False)  # the heatmaps take the room on a slide

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
        design, d = state.design, state.dataset
        self._restore: SessionState | None = None  # still to restore on the copy's worker
        if is_light(design.spec(d.n_x, d.n_y), d.m):
            self.session = Session(d, design, parent=self)
            self.session.restore(state)
        else:  # a one-unit network now; the saved one is made on the copy's worker once the slide's views
            # are (seconds for 4096×12288; the two would compete for the cores)
            self.session = Session(d, design.edit(hidden=(1,) * len(design.hidden)), parent=self)
            self._restore = state
        self.session.break_on_nonfinite = False  # a diverging run is a lesson too: keep rendering
        self.slide = Slide(self.session, size, at_once=False)  # its views are made by ``_wait``
        self.total = self._count(state)
        self.done = 0
        self._cancelled = False
        self._end_iteration: int | None = None
        self._encoding = 0  # frames handed to the worker and not yet encoded
        self._failure: str | None = None  # why rendering stopped (the message of ``failed``)
        self.session.error.connect(lambda title, text: self._fail(f"{title}: {text}"))

    def _count(self, state: SessionState) -> int:
        """Frames the range takes: from the start key's next occurrence through the end key's."""
        from ..engine import build_plan

        plan = build_plan(state.design.spec(state.dataset.n_x, state.dataset.n_y), state.design.training(),
                          state.dataset.m)  # the copy's plan, before its network is made
        keys = [op.key for op in plan]
        start = keys.index(self.range.start)
        end = keys.index(self.range.end)
        span = (end - start) % len(plan) + 1
        return span + self.range.iterations * len(plan)

    def start(self) -> None:
        """Make the slide's views, run to the start key, then step and grab until the end key; returns at once."""
        self._started = False
        self._wait()

    def cancel(self) -> None:
        self._cancelled = True

    def _wait(self) -> None:
        if self._cancelled:
            self._fail("cancelled")
            return
        if not self.slide.ready:
            self.slide.build_next()
            if self.slide.ready:
                self.slide.show()
            QTimer.singleShot(1, self, self._wait)  # a timer, not a posted call: the window's other timers get their turn
            return
        if self._restore is not None:
            state, self._restore = self._restore, None
            self.session.restore_in_background(state)
            QTimer.singleShot(5, self, self._wait)
            return
        if self.session.busy:
            QTimer.singleShot(5, self, self._wait)
            return
        if not self._started:  # the copy is restored: run to the start key
            self._started = True
            self.session.run_through(next(op.index for op in self.session.plan if op.key == self.range.start))
            QTimer.singleShot(5, self, self._wait)
            return
        QTimer.singleShot(0, self, self._grab)  # after the views' refresh of the last step

    def _grab(self) -> None:
        """Paint the frame here (widgets paint on the window's thread); encode it on the copy's worker,
        before its next step (a GIF frame's colours take longer than a frame of the window)."""
        s = self.session
        if self._cancelled:
            return
        self._encode(self.slide.frame())
        self.done += 1
        self.progress.emit(self.done, self.total)
        if self.done >= self.total:
            self._finish()
            return
        s.step()
        self._wait()

    def _encode(self, rgb: np.ndarray) -> None:
        self._encoding += 1

        def encoded(err: Exception | None) -> None:
            self._encoding -= 1
            if err is not None:  # a full disk, an encoder that gave up
                self._fail(f"could not write {self.encoder.path}: {err}")
            elif self._failure is not None:
                self._settle()

        self.session.in_background(lambda: None if self._cancelled else _failure(self.encoder.add, rgb), encoded)

    def _finish(self) -> None:
        """Write the file once every frame is encoded (on the worker, after the last frame)."""
        def written(result) -> None:
            self._encoding -= 1
            if self._cancelled:
                self._settle()
                return
            if isinstance(result, Exception):
                self._fail(f"could not write {self.encoder.path}: {result}")
                return
            self._close()
            self.finished.emit(str(result))

        self._encoding += 1
        self.session.in_background(lambda: None if self._cancelled else _failure(self.encoder.close), written)

    def _fail(self, message: str) -> None:
        if self._failure is not None:
            return
        self._cancelled = True
        self._failure = message
        self._settle()

    def _settle(self) -> None:
        """After a failure or Cancel: once the worker encodes no frame any more, no file is left behind."""
        if self._encoding:
            return  # the frame being encoded calls again
        self.encoder.abandon()
        self._close()
        self.failed.emit(self._failure)

    def _close(self) -> None:
        self.slide.close()
        self.slide.deleteLater()
        self.session.close()


def _failure(call, *args):
    """``call(*args)``'s result, or the exception it raised (for a job whose failure the user is told)."""
    try:
        return call(*args)
    except Exception as err:
        return err


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
    QTimer.singleShot(0, renderer, renderer.start)
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
