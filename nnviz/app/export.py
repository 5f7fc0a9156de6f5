"""Exports from the window: a view, plot or heatmap as PNG/SVG, the history as CSV, the network as a numpy script."""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QPoint, QRect, QSize, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from ..atomic import WriteError, atomic_writer, write_bytes
from ..engine import shape_text
from ..engine.export import history_csv_chunks, network_script, prediction_arrays
from ..views.heatmap import HeatmapPanel

log = logging.getLogger(__name__)

IMAGE_FILTERS = "PNG image (*.png);;SVG image (*.svg)"
CSV_FILTER = "CSV file (*.csv)"
SCRIPT_FILTER = "Python script (*.py)"
SLIDE_WIDTH = 1920  # px: a heatmap or plot exported as PNG is drawn this wide, fit for a full-HD slide
MAX_SCALE = 8.0
EXPORT_PANEL_WIDTH = 360  # px: a heatmap is exported at least this wide, so it keeps its colour bar


@dataclass
class ImageTarget:
    """Something the user can export as a picture.

    SVG always comes from Qt's QSvgGenerator painting the widget: pyqtgraph's SVGExporter
    fails on the paths Qt 6.11 writes (pyqtgraph issue #3485)."""

    name: str
    widget: QWidget
    stem: str = "nnviz"  # default file name without the suffix
    slide: bool = False  # a heatmap or plot: exported as PNG at slide resolution, not at its size on screen


def slide_scale(widget: QWidget, width: int = SLIDE_WIDTH) -> float:
    """How much to enlarge ``widget`` so its picture is about ``width`` pixels wide (never smaller, at most 8×)."""
    return min(MAX_SCALE, max(1.0, width / max(1, widget.width())))


def rendered(widget: QWidget, scale: float) -> QImage:
    """The widget painted at ``scale`` times its size: text and lines drawn at that resolution, not stretched."""
    size = widget.size() * scale
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)  # heatmap cells stay sharp squares
    painter.scale(scale, scale)
    QWidget.render(widget, painter, QPoint(0, 0))  # QWidget's: a plot (QGraphicsView) overrides render()
    painter.end()
    return image


def png_bytes(widget: QWidget, scale: float = 1.0) -> bytes:
    """The widget as shown, at the screen's pixel ratio (``scale`` 1), or painted ``scale`` times larger."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    picture = widget.grab() if scale == 1.0 else rendered(widget, scale)
    if not picture.save(buffer, "PNG"):
        raise OSError("the picture could not be encoded as PNG")
    buffer.close()
    return bytes(data.data())


def svg_bytes(widget: QWidget, title: str) -> bytes:
    """The widget painted into an SVG document (text and lines as vectors, heatmaps as embedded images)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(widget.size())
    generator.setViewBox(QRect(QPoint(0, 0), widget.size()))
    generator.setResolution(widget.logicalDpiX())
    generator.setTitle(title)
    generator.setDescription("Exported by nnviz")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError("the SVG document could not be started")
    QWidget.render(widget, painter, QPoint(0, 0))  # QWidget's: a plot (QGraphicsView) overrides render()
    painter.end()
    buffer.close()
    return bytes(data.data())


def _suffixes(filters: str) -> list[str]:
    """'PNG image (*.png);;SVG image (*.svg)' -> ['.png', '.svg']."""
    return [part.split(")")[0].lower() for part in filters.split("(*")[1:]]


class Exports(QObject):
    """The File ▸ Export actions; each asks for a file, then writes it atomically or says why it could not."""

    _written = Signal(str, str, object)  # from the history's export thread: path, message, error or None

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.exporting = 0  # history exports still being written
        self._written.connect(self._history_written)
        self.actionExportImage = self._action("actionExportImage", "Export &Image…", self.export_image,
                                              "Ctrl+E", "Save a view, a plot or a heatmap as PNG or SVG")
        self.actionExportHistory = self._action("actionExportHistory", "Export Training &History (CSV)…",
                                                self.export_history, None,
                                                "Save J and ‖dW[l]‖ of every completed iteration as CSV")
        self.actionExportCode = self._action("actionExportCode", "Export Network as &Python…", self.export_code,
                                             None, "Save the network as a numpy script that predicts as nnviz does")

    def _action(self, name: str, text: str, slot, shortcut: str | None, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    # -- what can be exported ------------------------------------------------------------
    def image_targets(self) -> list[ImageTarget]:
        """The window, its views, both plots, and each heatmap the inspector shows now (by its title)."""
        w = self.window
        targets = [ImageTarget("Whole window", w, stem="nnviz-window")]
        for name, widget, stem in (("Network diagram", w.diagram, "nnviz-network"),
                                   ("Matrix inspector", w.inspector, "nnviz-inspector"),
                                   ("Data preview", w.preview, "nnviz-data")):
            if widget.isVisible():
                targets.append(ImageTarget(name, widget, stem=stem))
        for name, plot, stem in (("Cost plot", w.plots.cost_plot, "nnviz-cost"),
                                 ("Gradient-norm plot", w.plots.grad_plot, "nnviz-gradient-norms")):
            if plot.isVisible():
                targets.append(ImageTarget(name, plot, stem, slide=True))
        inspector = w.inspector
        for panel in inspector.panels[:len(inspector.panel_keys)]:
            if panel.matrix is not None and panel.isVisible():
                key = re.sub(r"[^A-Za-z0-9]", "", panel.symbol.replace("ᵀ", "T"))  # A[1]ᵀ -> A1T
                targets.append(ImageTarget(f"Heatmap {panel.symbol} ({shape_text(panel.matrix.shape)})", panel,
                                           stem=f"nnviz-{key}", slide=True))
        return targets

    def image_bytes(self, target: ImageTarget, svg: bool) -> bytes:
        widget = target.widget
        if not isinstance(widget, HeatmapPanel) or not widget.compact:
            if svg:
                return svg_bytes(widget, f"nnviz — {target.name}")
            return png_bytes(widget, slide_scale(widget) if target.slide else 1.0)
        # a heatmap narrow enough to have dropped its colour bar (a projector): a copy wide enough for one
        copy = widget.replica(QSize(max(widget.width(), EXPORT_PANEL_WIDTH),
                                    max(widget.height(), EXPORT_PANEL_WIDTH * widget.height() // max(1, widget.width()))))
        try:
            return svg_bytes(copy, f"nnviz — {target.name}") if svg else png_bytes(copy, slide_scale(copy))
        finally:
            copy.close()
            copy.deleteLater()

    def network_title(self) -> str:
        """'12288-7-5-1 (relu, relu, sigmoid), trained 250 iterations with α = 0.0075 on demo:images'."""
        s = self.session
        spec = s.spec
        sizes = "-".join(str(n) for n in spec.sizes)
        activations = ", ".join(spec.activation(l) for l in range(1, spec.L + 1))
        iterations = f"{s.iteration} iteration{'' if s.iteration == 1 else 's'}"
        updated = [op.symbol for op in s.plan[:s.position] if op.phase == "update"]
        if updated:  # stepped part-way through the updates: say which parameters are one step further
            iterations += f" (and {', '.join(updated)} of iteration {s.iteration})"
        data = s.dataset.source or s.dataset.name
        return f"{sizes} ({activations}), trained {iterations} with α = {s.design.learning_rate:g} on {data}"

    def parameters(self) -> dict:
        """W[l], b[l] (γ, β and running averages with batch norm) as training has them now (a run's latest
        snapshot, taken at the end of an iteration)."""
        return prediction_arrays(self.session.spec, self.session.values)

    # -- writing ------------------------------------------------------------------------------
    def save_image(self, target: ImageTarget, path: str) -> bool:
        """PNG or SVG by the suffix; False (and a message) when it could not be written."""
        svg = Path(path).suffix.lower() == ".svg"
        return self._write(path, lambda: self.image_bytes(target, svg), f"Exported {target.name} to {path}")

    def save_history(self, path: str) -> None:
        """The CSV of the history as it is now, written on a thread of its own (a long run's history
        is millions of rows: seconds of formatting); the status bar says when it is written or why not."""
        rows = self.session.history.rows()  # Run may go on appending: these rows, copied
        costs, norms = rows.costs.copy(), rows.grad_norms.copy()
        numbers = None if rows.numbered is None else rows.numbered.copy()
        kept = rows.describe(" of J and ‖dW[l]‖")
        self.exporting += 1
        self.window.statusBar().showMessage(f"Exporting {kept} to {path}…")

        def write() -> None:
            error = None
            try:
                with atomic_writer(path) as file:
                    for chunk in history_csv_chunks(costs, norms, numbers):
                        file.write(chunk.encode("utf-8"))
            except OSError as err:
                error = err
            try:
                self._written.emit(path, f"Exported {kept} to {path}", error)
            except RuntimeError:  # the window was closed meanwhile: no one to tell
                log.info("history export to %s finished after its window closed (%s)", path, error or "written")

        threading.Thread(target=write, name="nnviz history export", daemon=True).start()

    def _history_written(self, path: str, done: str, err: OSError | None) -> None:
        self.exporting -= 1
        if err is None:
            self.window.statusBar().showMessage(done, 8000)
            return
        log.info("export to %s failed: %s", path, err)
        self.window.show_error("Could not export", str(err) if isinstance(err, WriteError) else f"{path}: {err}")

    def save_code(self, path: str) -> bool:
        title = self.network_title()
        return self._write(path, lambda: network_script(self.session.spec, self.parameters(), title,
                                                        Path(path).name).encode("utf-8"),
                           f"Exported {title} to {path}")

    def _write(self, path: str, make, done: str) -> bool:
        try:
            write_bytes(path, make())
        except OSError as err:
            log.info("export to %s failed: %s", path, err)
            self.window.show_error("Could not export", str(err) if isinstance(err, WriteError) else f"{path}: {err}")
            return False
        self.window.statusBar().showMessage(done, 8000)
        return True

    # -- asking --------------------------------------------------------------------------------
    def _ask_path(self, caption: str, name: str, filters: str) -> str:
        """A file name from the save dialog (with the chosen filter's suffix when none was typed), '' on cancel."""
        folder = self.window.last_folder("export")
        path, chosen = QFileDialog.getSaveFileName(self.window, caption, str(Path(folder) / name), filters)
        if not path:
            return ""
        if Path(path).suffix.lower() not in _suffixes(filters):
            path += (_suffixes(chosen) or _suffixes(filters))[0]
        self.window.remember_folder(path, "export")
        return path

    def export_image(self) -> None:
        targets = self.image_targets()
        names = [t.name for t in targets]
        name, ok = QInputDialog.getItem(self.window, "Export Image", "What to export:", names, 0, False)
        if not ok or name not in names:
            return
        target = targets[names.index(name)]
        path = self._ask_path("Export Image", f"{target.stem}.png", IMAGE_FILTERS)
        if path:
            self.save_image(target, path)

    def export_history(self) -> None:
        path = self._ask_path("Export Training History", "nnviz-history.csv", CSV_FILTER)
        if path:
            self.save_history(path)

    def export_code(self) -> None:
        path = self._ask_path("Export Network as Python", "nnviz_network.py", SCRIPT_FILTER)
        if path:
            self.save_code(path)


def install_export(window) -> Exports:
    """Add actionExportImage (Ctrl+E), actionExportHistory and actionExportCode to File ▸ Export."""
    exports = Exports(window)
    menu = window.menus["export"]
    for action in (exports.actionExportImage, exports.actionExportHistory, exports.actionExportCode):
        menu.addAction(action)
    return exports
