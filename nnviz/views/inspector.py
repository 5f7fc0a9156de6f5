"""The matrix inspector: the current operation's equation, shape algebra, and every matrix as a heatmap."""
from __future__ import annotations

import logging
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QSizePolicy, QSpinBox, QStyle,
    QStyledItemDelegate, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..engine import Kind, StepRecord, shape_text, symbol
from ..engine.batches import columns_text
from ..engine.numbers import number_text, worked_equation
from ..session import Session
from . import appearance as looks
from .heatmap import (HINT_HEIGHT, SCALAR_POINTS, TITLE_POINTS, FixedHintGraphics, HeatmapPanel, MatrixStats,
                      PreparedCache, prepare_large, prepared_in)
from .matrixcopy import MatrixCopy
from .provenance import CellProvenance
from .settle import SettleBeforePaint
from .style import NONFINITE, mono_font, restyle
from .theme import Appearance
from .throttle import RunThrottle

log = logging.getLogger(__name__)

MAX_PANELS = 4  # Z[l] = W[l]·A[l-1] + b[l]: three operands and the result
RUNNING_REFRESH_MS = 0  # while training runs: every snapshot at once (the session sends at most 4 a second)
STATS_COLUMNS = ("matrix", "shape", "min", "max", "mean", "‖·‖", "NaN/Inf")
ROW_HEIGHT = 22  # stats table rows
ROOMY_HEIGHT = 480  # below this the stats table may scroll so the heatmaps keep some height
SCALAR_MARGIN = 8  # px of room around a line of 1×1 values (a Step of them only needs no more)
NARROW_PANEL_WIDTH = 110  # a column like b[1] still needs room for its title, indexes and colour bar
HOVER_HINT = "Hover a cell to read its value · double-click: the whole matrix"
EXAMPLE_KEY = re.compile(r"^(d?[AZ]\d+|Y)$")  # matrices with one column per example


class FittedNumbers(QStyledItemDelegate):
    """The stats table's numbers at 5 significant digits, fewer when the column is too narrow for
    them (never cut off with "…"); the item keeps its text and the tooltip every digit."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        value = index.data(Qt.ItemDataRole.UserRole)
        if not isinstance(value, float) or option.text == "—":
            return
        style = option.widget.style() if option.widget is not None else None
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, option, option.widget) + 1) if style else 6
        room = option.rect.width() - margin - 1  # Qt elides on the fractional width
        key = option.font.key()
        if key != getattr(self, "_font_key", None):
            self._font_key, self._metrics = key, QFontMetricsF(option.font)
        metrics = self._metrics
        for digits in (5, 4, 3, 2):
            option.text = number_text(value, digits)
            if metrics.horizontalAdvance(option.text) <= room:
                return


class PicturePanel(QWidget):
    """A row of W[1] or a column of X shown as the (h, w, c) picture it is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel(self)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setWordWrap(True)
        self.graphics = FixedHintGraphics(self)
        SettleBeforePaint(self.graphics)  # a child of the view: kept as long as it
        self.view = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.graphics, 1)
        looks.connect(self, self.apply_appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        self.graphics.setBackground(appearance.colors.plot_background)
        self.title_label.setFont(mono_font(appearance.points(11)))

    def set_picture(self, title: str, picture: np.ndarray) -> None:
        """``picture`` is (h, w, c) in 0..1 (c = 1 is shown grey)."""
        if picture.shape[2] == 1:
            picture = picture[:, :, 0]
        self.title_label.setText(title)
        self.image.setImage(picture, autoLevels=False, levels=(0.0, 1.0))
        self.view.autoRange(padding=0.0)


def picture_of(vector: np.ndarray, example_shape: tuple[int, ...], signed: bool) -> np.ndarray:
    """An n_x vector as an (h, w, c) picture in 0..1: the course flattens in C order.

    Data (``signed`` False) is stretched from its min to its max; weights and
    gradients keep 0 at mid grey, so red/blue tints show the sign per channel.
    """
    img = np.nan_to_num(vector.reshape(example_shape), nan=0.0, posinf=0.0, neginf=0.0)
    if signed:
        peak = float(np.abs(img).max()) or 1.0
        return 0.5 + 0.5 * img / peak
    low, high = float(img.min()), float(img.max())
    return (img - low) / (high - low) if high > low else np.zeros_like(img)


class InspectorView(QWidget):
    """For ``session.record``: equation, shape algebra, operand and result heatmaps, hover, stats.

    Public: ``equation_label``, ``shapes_label``, ``info_label``, ``hint_label``,
    ``hover_label``, ``stats_table`` ("inspectorStats"), ``panels`` (HeatmapPanel,
    each with ``.plot``), ``picture`` (PicturePanel), ``value_at``, ``hover``,
    ``show_picture``, ``shapes_text``.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("matrixInspector")
        self.session = session
        self.panel_keys: list[tuple[str, bool]] = []  # (key, transposed) per visible panel
        self.parameter_shown: str | None = None  # W[l] or b[l] shown alone after a click on the diagram
        self._bottom_height = 5 * ROW_HEIGHT
        self._bottom_key: tuple | None = None  # what the stats table's height was chosen for (_size_bottom)
        self._hovered: tuple[int, int, int] | None = None  # (panel, row, col) under the mouse
        self._numbers_shown = True  # View ▸ Numbers in Cells, for the heatmaps made later too
        self._build()
        self.matrix_copy = MatrixCopy(self)  # actionCopy, Ctrl+C
        # the heatmaps are repainted with each refresh, and a run needs the CPU
        self._throttle = RunThrottle(session, self.refresh, RUNNING_REFRESH_MS, self)
        # large matrices are scanned and averaged where the state is made (the worker), not here
        ahead = PreparedCache(6)  # X, W[1] before and after its update, dW[1]: prepared once each
        session.derive("prepared", lambda state: prepare_large(
            [a for _, a in state.operands] + [state.record.value if state.record else None], ahead))
        session.stepped.connect(self._throttle.request)
        session.network_changed.connect(self._network_changed)
        session.example_followed.connect(lambda j: self.show_followed())
        self.appearance = looks.connect(self, self.apply_appearance)

    def apply_appearance(self, appearance: Appearance) -> None:
        """Header text at the appearance's size, in its phase colours; refreshed at once."""
        self.appearance = appearance
        for label in (self.equation_label, self.shapes_label, self.info_label, self.hint_label, self.hover_label):
            font = QFont(label.font())
            font.setPointSizeF(appearance.points(label.property("base_points")))
            label.setFont(font)
            label.setProperty("points", font.pointSizeF())
        restyle(self.hint_label, f"color: {appearance.colors.muted};")
        self.fit_provenance()
        self.refresh()

    def set_stats_visible(self, visible: bool) -> None:
        """Show or hide the stats table (presentation mode gives its height to the heatmaps)."""
        self.bottom.setVisible(visible)

    def stats_visible(self) -> bool:
        return not self.bottom.isHidden()

    def phase_color(self, phase: str) -> str:
        """The colour the header writes ``phase`` in (the appearance's)."""
        return self.appearance.colors.phase(phase)

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.body = QWidget(self)  # everything but the header; hidden before the first step
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self._build_panels(), 1)
        body.addWidget(self._build_bottom())
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(self._build_header())
        layout.addWidget(self.hint_label, 1)
        layout.addWidget(self.body, 1)
        self.body.installEventFilter(self)

    def _build_header(self) -> QVBoxLayout:
        self.equation_label = self._label(20)
        self.info_label = self._label(11)
        self.info_label.setTextFormat(Qt.TextFormat.RichText)
        self.shapes_label = self._label(14, mono=True)
        self.worked_label = self._label(14, mono=True)  # a 1×1 update with its numbers
        self.worked_label.setObjectName("workedEquation")
        self.worked_label.hide()
        self.hint_label = self._label(16)
        self.hint_label.setWordWrap(True)
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        header = QVBoxLayout()
        header.setSpacing(2)
        for label in (self.equation_label, self.worked_label, self.shapes_label, self.info_label):
            header.addWidget(label)
        return header

    def _label(self, points: float, mono: bool = False) -> QLabel:
        label = QLabel(self)
        if mono:
            label.setFont(mono_font(points))
        else:
            font = label.font()
            font.setPointSizeF(points)
            label.setFont(font)
        label.setProperty("points", points)
        label.setProperty("base_points", points)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        return label

    def _fit(self, label: QLabel, width: int) -> None:
        """Shrink a one-line label's font (down to 60 %) until its text fits ``width`` pixels."""
        font = label.font()
        points = label.property("points")
        font.setPointSizeF(points)
        natural = QFontMetrics(font).horizontalAdvance(label.text())
        if natural > width > 0:
            size = max(0.6, width / natural) * points
            for _ in range(4):  # text does not shrink in proportion to its font (hinted advances): measure again
                font.setPointSizeF(size)
                shown = QFontMetrics(font).horizontalAdvance(label.text())
                if shown <= width or size <= 0.6 * points:
                    break
                size = max(0.6 * points, 0.99 * size * width / shown)
        label.setFont(font)

    def _text_width(self) -> int:
        """The width the one-line labels (equation, shapes, hover) are fitted to."""
        return self.contentsRect().width() - 24

    def _fit_header(self) -> None:
        width = self._text_width()
        self._fit(self.equation_label, width)
        self._fit(self.shapes_label, width)
        self._fit(self.hover_label, width)
        self.worked_label.setProperty("points", self.shapes_label.property("points"))  # grows with it (presentation)
        self._fit(self.worked_label, width)
        self.fit_provenance()

    def fit_provenance(self) -> None:
        """The provenance line: its hint on one line like the hover line's (at 1280×720 it had wrapped
        onto a second line the heatmaps needed); a cell's terms wrap, larger in presentation mode but
        not so large they push the heatmaps out."""
        label = self.provenance.label
        if self.provenance.current is None:
            label.setProperty("points", self.hover_label.property("points"))
            self._fit(label, self._text_width())
        else:
            label.setFont(mono_font(min(14.0, self.appearance.points(label.property("base_points")))))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_header()
        self._size_bottom()

    def _show_hover(self, text: str) -> None:
        """The hovered cell's value, or the hint, on one line that fits (a smaller font when it must)."""
        self.hover_label.setText(text)
        self._fit(self.hover_label, self._text_width())

    def _even_scalars(self) -> None:
        """Scalars side by side (b[3], db[3], the new b[3]) at one size: the largest at which all of them fit."""
        shown = [p for p in self.made_panels()[:len(self.panel_keys)] if p.scalar is not None and not p.isHidden()]
        if len(shown) < 2:
            for panel in shown:
                panel.set_scalar_points(SCALAR_POINTS)
            return
        for panel in shown:
            panel.set_scalar_points(SCALAR_POINTS)
        points = min(panel.scalar_fit for panel in shown)
        for panel in shown:
            panel.set_scalar_points(points)

    def _table_height(self, rows: int) -> int:
        table = self.stats_table
        return table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + ROW_HEIGHT * max(rows, 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.body and event.type() == QEvent.Type.Resize:
            self._size_bottom()  # the header took a line more or less, or the body was first laid out
        return False

    def _heatmaps_need(self, scalars_only: bool = False) -> int:
        """The height the panel area asks for whatever the Step shows: a one-line title, a heatmap's
        HINT_HEIGHT (a large number's line when the Step shows 1×1 values only), the hover line and the
        provenance line (a Step's own hints vary with its titles)."""
        area = self.panel_area.layout()
        title = QFontMetrics(mono_font(self.appearance.points(TITLE_POINTS))).height() + 4
        body = QFontMetrics(mono_font(self.appearance.points(SCALAR_POINTS))).height() + SCALAR_MARGIN if scalars_only \
            else HINT_HEIGHT
        lines = [label for label in (self.hover_label, self.provenance.label) if not label.isHidden()]
        # a wrapping label's size hint is its height at a narrow width (88 px for the provenance hint's one line)
        heights = [label.heightForWidth(max(label.width(), 1)) if label.hasHeightForWidth() else label.sizeHint().height()
                   for label in lines]
        return title + 2 + body + sum(heights) + area.spacing() * len(lines) + self.body.layout().spacing()

    def _scalars_only(self) -> bool:
        """Whether the Step shows 1×1 values only (the update of b[L]: the worked equation's numbers)."""
        shown = [p for p in self.made_panels()[:len(self.panel_keys)] if not p.isHidden()]
        return bool(shown) and all(p.scalar is not None for p in shown)

    def _size_bottom(self) -> None:
        """The stats table has room for the most rows a Step shows, unless the view is so short the
        heatmaps need the room: then for as many whole rows as leave the heatmaps the height they ask
        for, the result's at least (a row cut in half, as the layout would leave it, reads as a
        mistake on a projector).  Its height changes with the view's, not with each Step -- except on
        a Step of 1×1 values only, which need a line of large numbers, not a heatmap's height."""
        height = self._bottom_height
        controls = self.session.dataset.is_image  # "Show as picture" is offered on some Steps: room kept on all
        scalars = self._scalars_only()
        key = (self.height(), height, self.session.plan, controls, self.body.height(), scalars)
        if key == self._bottom_key:  # the same view, plan and header: the heatmaps stay where they were
            return
        self._bottom_key = key
        if self.height() < ROOMY_HEIGHT:
            room = self.body.height() - self._heatmaps_need(scalars)
            rows = max(1, (room - self._table_height(0) + ROW_HEIGHT) // ROW_HEIGHT)
            least = self.picture_controls_height if controls else 0
            height = min(height, max(self._table_height(rows), least))
        self.bottom.setFixedHeight(height)

    def _build_panels(self) -> QWidget:
        # shared: X appears in Z[1] and (transposed) in dW[1]
        self.cache = PreparedCache(ready=lambda a: prepared_in(self.session.derived.get("prepared"), a))
        self._panels: list[HeatmapPanel] = []  # made on demand: none is shown before the first step
        self._warming = False
        self.picture = PicturePanel(self)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.picture, 2)
        self.hover_label = self._label(12, mono=True)
        self.hover_label.setText(HOVER_HINT)
        self.provenance = CellProvenance(self)
        area = QWidget(self)
        layout = QVBoxLayout(area)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row, 1)
        layout.addWidget(self.hover_label)
        layout.addWidget(self.provenance.label)
        self._panel_row = row
        self.panel_area = area
        return area

    @property
    def panels(self) -> list[HeatmapPanel]:
        """The MAX_PANELS heatmaps, made the first time they are needed: the window paints its first
        state (no operation performed yet) without them and makes them right after (``paintEvent``)."""
        while len(self._panels) < MAX_PANELS:
            self._add_panel()
        return self._panels

    def made_panels(self) -> list[HeatmapPanel]:
        """The heatmaps made so far (without making the others)."""
        return self._panels

    def _add_panel(self) -> None:
        i = len(self._panels)
        panel = HeatmapPanel(self, self.cache)
        panel.hovered.connect(lambda r, c: self.hover(i, r, c))
        panel.clicked.connect(lambda r, c: self._cell_clicked(i, r, c))
        panel.scalar_resized.connect(self._even_scalars)  # laid out after the step chose their size
        panel.set_numbers_shown(self._numbers_shown)
        panel.hide()  # shown by the operation that needs it
        self._panel_row.insertWidget(i, panel, 3)
        self._panels.append(panel)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._warming and len(self._panels) < MAX_PANELS:  # once the first state is on screen
            self._warming = True
            QTimer.singleShot(0, self, self._warm_up)

    def _warm_up(self) -> None:
        """Make the heatmaps one per pass of the event loop (~20 ms each), so the first step finds them."""
        if len(self._panels) < MAX_PANELS:
            self._add_panel()
            QTimer.singleShot(0, self, self._warm_up)

    def _build_bottom(self) -> QWidget:
        self.stats_table = QTableWidget(0, len(STATS_COLUMNS), self)
        self.stats_table.setObjectName("inspectorStats")
        self.stats_table.setHorizontalHeaderLabels(STATS_COLUMNS)
        self.stats_table.verticalHeader().hide()
        self.stats_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stats_table.setFont(mono_font())
        header = self.stats_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.stats_table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.stats_table.setMinimumHeight(0)  # the bottom's height is chosen for whole rows (_size_bottom)
        self.stats_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stats_table.setItemDelegate(FittedNumbers(self.stats_table))
        self.picture_toggle = QCheckBox("Show as picture", self)
        self.picture_choice = QComboBox(self)
        self.picture_index = QSpinBox(self)
        self.picture_index.setPrefix("index ")
        self.picture_toggle.toggled.connect(self._update_picture)
        self.picture_choice.currentIndexChanged.connect(self._picture_choice_changed)
        self.picture_index.valueChanged.connect(self._update_picture)
        self.picture_controls = [self.picture_toggle, self.picture_choice, self.picture_index]
        controls = QVBoxLayout()
        for widget in self.picture_controls:
            controls.addWidget(widget)
        controls.addStretch(1)
        self.picture_controls_height = controls.sizeHint().height()
        bottom = self.bottom = QWidget(self)
        layout = QHBoxLayout(bottom)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stats_table, 1, Qt.AlignmentFlag.AlignTop)  # as tall as its rows, at the top
        layout.addLayout(controls)
        return bottom

    # -- following the session -----------------------------------------------------------
    def _network_changed(self) -> None:
        for panel in self.made_panels():
            panel.set_note("", "")
        self.cache.clear()
        self.picture_toggle.setChecked(False)

    def refresh(self) -> None:
        self.parameter_shown = None
        record = self.session.record
        if record is None:
            self._show_empty()
            return
        self._show_header(record)
        self._show_panels(record)
        self._even_scalars()
        self._show_stats(record)
        self._offer_pictures(record)
        self.provenance.refresh()
        self.show_followed()
        if self._hovered is not None:  # the mouse has not moved: read the same cell of the new matrix
            self.hover(*self._hovered)

    def _show_empty(self) -> None:
        op = self.session.next_op
        shapes = self.session.plan_shapes()
        algebra = op.shape_algebra([shapes[k] for k in op.operands], shapes[op.key], named=True)
        self.equation_label.setText(f"Next: {op.equation}")
        restyle(self.equation_label, f"color: {self.phase_color('ready')};")
        self.shapes_label.setText(algebra)
        self.info_label.setText(f"iteration {self.session.shown_iteration} · ready")
        self.worked_label.hide()
        self._fit_header()
        self.hint_label.setText(f"Press Step (F10) to perform {op.equation}")
        self.hint_label.show()
        self.body.hide()
        self.panel_keys = []
        for panel in self.made_panels():
            panel.hide()
        self.picture.hide()
        self.stats_table.setRowCount(0)
        self._hovered = None
        self._show_hover(HOVER_HINT)
        self.provenance.clear()
        for widget in self.picture_controls:
            widget.hide()

    def _show_header(self, record: StepRecord) -> None:
        color = self.phase_color(record.phase)
        self.equation_label.setText(record.equation)
        restyle(self.equation_label, f"color: {color};")
        self.shapes_label.setText(record.shape_algebra(named=True))
        info = f"iteration {record.iteration} · <b style='color:{color}'>{record.phase}</b> · layer {record.layer}"
        if record.op.kind == Kind.BATCH:  # which examples this mini-batch took
            info += " · " + columns_text(self.session.stepper.context.columns_of(record.iteration))
        if record.nonfinite:
            info += f" · <b style='color:{NONFINITE}'>{record.nonfinite} NaN/Inf in {record.symbol}</b>"
        self.info_label.setText(info)
        worked = self.worked_text(record)
        self.worked_label.setText(worked or "")
        restyle(self.worked_label, f"color: {color};")
        self.worked_label.setVisible(bool(worked))
        self._fit_header()
        self.hint_label.hide()
        self.body.show()

    def worked_text(self, record: StepRecord) -> str | None:
        """'b[3] = 0.09209 − 0.0075 × 0.0125 = 0.09201' for an operation on 1×1 matrices whose
        operands are all kept (an update's old value needs the step-back history); else None."""
        if record.value.size != 1:
            return None
        pairs = self.session.operands(record)
        if not pairs or any(a is None or a.size != 1 for _, a in pairs):
            return None
        context = getattr(self.session.stepper, "context", self.session.stepper.learning_rate)
        try:  # the numbers shown must give the result: not so once α was changed after the update ran
            again = record.op.compute(dict(pairs), context)
        except Exception:  # an operation that reads more than its operands: no worked equation
            return None
        if not np.array_equal(again, record.value):
            return None
        return worked_equation(record.symbol, record.op.form, [float(a.flat[0]) for _, a in pairs],
                               self._alpha(), float(record.value.flat[0]))

    def _alpha(self) -> float:
        """α of the update shown (with decay, the epoch's α); a wrong one only hides the worked equation."""
        stepper = self.session.stepper
        context = getattr(stepper, "context", None)
        return float(getattr(context, "alpha", stepper.learning_rate))

    def _show_panels(self, record: StepRecord) -> None:
        op = record.op
        shown: list[tuple[str, np.ndarray | None, bool, str]] = []
        for i, (key, array) in enumerate(self.session.operands(record)):
            transposed = i < len(op.transposed) and op.transposed[i]
            shown.append((key, array, transposed, ""))
        shown = shown[:MAX_PANELS - 1] + [(record.key, record.value, False, "= ")]
        self.panel_keys = [(key, transposed) for key, _, transposed, _ in shown]
        for i, (panel, (key, array, transposed, lead)) in enumerate(zip(self.panels, shown)):
            name = symbol(key) + ("ᵀ" if transposed else "")
            if array is None:
                panel.set_note(name, "old value not kept\n(step back does not reach it)", lead)
            else:
                panel.set_matrix(name, array, transposed, lead)
            narrow = array is not None and array.ndim == 2 and array.shape[0 if transposed else 1] == 1  # a column
            if self._panel_row.stretch(i) != (1 if narrow else 3):
                self._panel_row.setStretch(i, 1 if narrow else 3)
                panel.setMinimumWidth(NARROW_PANEL_WIDTH if narrow else 0)
            if panel.isHidden():
                panel.show()
        for panel in self.panels[len(shown):]:
            panel.hide()

    def _show_stats(self, record: StepRecord) -> None:
        panels = self.panels[:len(self.panel_keys)]
        if self.session.running:  # operands change 20×/s; the result is what matters then
            panels = panels[-1:]
        # the result first: when the view is short and the table scrolls, its row stays in view
        rows = [(p, p.stats()) for p in reversed(panels) if p.matrix is not None]
        table = self.stats_table
        table.setRowCount(len(rows))
        table.setMaximumHeight(self._table_height(len(rows)))
        # room for the most rows any operation of the plan shows: the heatmaps keep their height as you step
        most = max(min(len(op.operands), MAX_PANELS - 1) + 1 for op in self.session.plan)
        self._bottom_height = max(self._table_height(most), self.picture_controls_height)
        self._size_bottom()
        names = [panel.symbol for panel, _ in rows]
        for r, (panel, stats) in enumerate(rows):
            numbers = (stats.min, stats.max, stats.mean, stats.norm)
            name = panel.symbol
            if names.count(name) > 1:  # an update: W[1] before and after
                name += " (new)" if r == 0 else " (old)"
            none_finite = stats.nonfinite == panel.matrix.size  # J = inf: no min or mean to give, not "nan"
            shown = ["—" if none_finite else f"{x:.5g}" for x in numbers]
            cells = [name, shape_text(panel.matrix.shape), *shown, str(stats.nonfinite)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 2 <= c < 6:
                    item.setData(Qt.ItemDataRole.UserRole, numbers[c - 2])
                    item.setToolTip("no finite entries" if none_finite else repr(numbers[c - 2]))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 6 and stats.nonfinite:
                    item.setForeground(QColor(NONFINITE))
                table.setItem(r, c, item)
        # now, not from the view's zero timer after the window has painted: the table paints once a Step
        table.doItemsLayout()

    def result_stats(self) -> MatrixStats | None:
        """Summary numbers of the result shown (None before the first step)."""
        return self.panels[len(self.panel_keys) - 1].stats() if self.panel_keys else None

    # -- reading cells -------------------------------------------------------------------
    def value_at(self, panel_index: int, row: int, col: int) -> str:
        """'A[1]ᵀ[3, 5] = 0.012345678901234': a cell of panel ``panel_index`` as displayed."""
        return self.panels[panel_index].value_at(row, col)

    def hover(self, panel_index: int, row: int, col: int) -> None:
        """Show a cell's value under the panels ((-1, -1): the mouse left the matrix)."""
        matrix = self.panels[panel_index].matrix if panel_index < len(self.panel_keys) else None
        inside = matrix is not None and 0 <= row < matrix.shape[0] and 0 <= col < matrix.shape[1]
        self._hovered = (panel_index, row, col) if inside else None
        self._show_hover(self.value_at(panel_index, row, col) if inside else HOVER_HINT)
        self.provenance.hovered(panel_index, row, col, inside)

    def followed_axis(self, panel_index: int) -> int | None:
        """1 when the columns of panel ``panel_index`` are the examples (A[l], Z[l], dZ[l], Y), 0 when its
        rows are (A[l-1]ᵀ in dW[l]), None otherwise."""
        if panel_index >= len(self.panel_keys) or self.parameter_shown is not None:
            return None
        key, transposed = self.panel_keys[panel_index]
        matrix = self.panels[panel_index].matrix
        if matrix is None or not EXAMPLE_KEY.match(key):
            return None
        axis = 0 if transposed else 1
        return axis if matrix.shape[axis] == self.session.m else None

    def show_followed(self) -> None:
        """Outline the followed example's column (row, in a transposed operand) in every matrix shown."""
        j = self.session.followed_example
        for i, panel in enumerate(self.panels):
            axis = self.followed_axis(i) if j is not None else None
            if axis is None:
                panel.clear_outline(followed=True)
            elif axis == 1:
                panel.outline(None, j, followed=True)
            else:
                panel.outline(j, None, followed=True)

    def show_parameter(self, key: str, row: int, col: int) -> None:
        """W[l] or b[l] alone with cell [row, col] outlined (a click on the network diagram); the next
        operation shows the operation again."""
        array = self.session.values.get(key)
        if array is None or not (0 <= row < array.shape[0] and 0 <= col < array.shape[1]):
            return
        self.hint_label.hide()
        self.body.show()
        self.panel_keys = [(key, False)]
        panel = self.panels[0]
        panel.set_matrix(symbol(key), array)
        panel.show()
        for other in self.panels[1:]:
            other.hide()
        self.parameter_shown = key
        self.equation_label.setText(f"{symbol(key)}  {shape_text(array.shape)}  (clicked on the network)")
        restyle(self.equation_label, f"color: {self.phase_color('ready')};")
        self.shapes_label.setText(f"{symbol(key)}[{row}, {col}] = {float(array[row, col])!r}")
        self._fit_header()
        self.provenance.clear("")
        panel.outline(row, col)
        self._hovered = (0, row, col)
        self._show_hover(self.value_at(0, row, col))

    def set_numbers_shown(self, on: bool) -> None:
        """Numbers in the cells of every heatmap big enough for them (View ▸ Numbers in Cells)."""
        self._numbers_shown = on
        for panel in self.made_panels():
            panel.set_numbers_shown(on)

    def shapes_text(self) -> str:
        return self.shapes_label.text()

    # -- pictures --------------------------------------------------------------------------
    def _picture_axis(self, key: str) -> int | None:
        """1 when rows of ``key`` are pictures (W[1]), 0 when columns are (A[0]), else None."""
        dataset = self.session.dataset
        array = self.session.values.get(key)
        if not dataset.is_image or array is None or array.ndim != 2:
            return None
        for axis in (1, 0):
            if array.shape[axis] == dataset.n_x:
                return axis
        return None

    def _offer_pictures(self, record: StepRecord) -> None:
        keys = list(dict.fromkeys([record.key, *record.op.operands]))
        keys = [k for k in keys if self._picture_axis(k) is not None]
        current = self.picture_choice.currentData()
        self.picture_choice.blockSignals(True)
        self.picture_choice.clear()
        for key in keys:
            what = "row" if self._picture_axis(key) == 1 else "column"
            self.picture_choice.addItem(f"{what} of {symbol(key)}", key)
        if current in keys:
            self.picture_choice.setCurrentIndex(keys.index(current))
        self.picture_choice.blockSignals(False)
        for widget in self.picture_controls:
            widget.setVisible(bool(keys))
        self._picture_choice_changed()

    def _picture_choice_changed(self) -> None:
        key = self.picture_choice.currentData()
        axis = None if key is None else self._picture_axis(key)
        if axis is not None:
            count = self.session.values[key].shape[1 - axis]
            self.picture_index.blockSignals(True)
            self.picture_index.setRange(0, count - 1)
            self.picture_index.blockSignals(False)
        self._update_picture()

    def _update_picture(self) -> None:
        key = self.picture_choice.currentData()
        axis = None if key is None else self._picture_axis(key)
        if not self.picture_toggle.isChecked() or axis is None or self.picture_toggle.isHidden():
            self.picture.hide()
            return
        array, index = self.session.values[key], self.picture_index.value()
        vector = array[index, :] if axis == 1 else array[:, index]
        what = f"{symbol(key)} {'row' if axis == 1 else 'column'} {index}"
        shape = self.session.dataset.example_shape
        self.picture.set_picture(what, picture_of(vector, shape, key != "A0"))
        self.picture.setToolTip(f"{what} reshaped to {shape_text(shape)} (C order, as the course flattens)")
        self.picture.show()

    def show_picture(self, key: str, index: int) -> None:
        """Show row/column ``index`` of ``key`` ('W1', 'dW1', 'A0') as a picture."""
        position = self.picture_choice.findData(key)
        if position < 0:
            raise ValueError(f"{symbol(key)} is not shown as a picture here")
        self.picture_choice.setCurrentIndex(position)
        self.picture_index.setValue(index)
        self.picture_toggle.setChecked(True)
        self._update_picture()

    def _cell_clicked(self, panel_index: int, row: int, col: int) -> None:
        """Clicking a cell of a matrix of examples follows that example; in picture mode, clicking a cell of
        the pictured matrix shows that row/column."""
        self.provenance.clicked(panel_index, row, col)
        axis = self.followed_axis(panel_index)
        if axis is not None:
            self.session.follow_example(col if axis == 1 else row)
        key, transposed = self.panel_keys[panel_index]
        if not self.picture_toggle.isChecked() or key != self.picture_choice.currentData():
            return
        axis = self._picture_axis(key)
        along_rows = (axis == 1) != transposed
        self.picture_index.setValue(row if along_rows else col)
