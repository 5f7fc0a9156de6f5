"""Designing on the diagram: "+"/"−" per hidden layer, "+" between columns, a layer's menu, hover cards, clicks.

Every edit is the form's edit (``Session.edit_design``: undoable, the one path design edits take);
the column that changed is haloed for a moment after the new network is drawn, so a room can follow.
"""
from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QPainter, QPen
from PySide6.QtWidgets import QMenu, QToolButton, QToolTip

from ..engine import HIDDEN_ACTIVATIONS
from ..session.design import MAX_UNITS
from .diagram_motion import between, layer_mapping

if TYPE_CHECKING:
    from .diagram import DiagramView

log = logging.getLogger(__name__)

PULSE_SECONDS = 1.2  # how long the changed column glows after an edit (the slide takes the first 60 %)
PULSE_FRAME_MS = 30
PULSE_COLOR = "#f2b705"
LINK_PICK_PX = 4.0  # a link is under the mouse within this many pixels
NEW_LAYER_UNITS = 3


def _distance_to_segment(p: QPointF, a: QPointF, b: QPointF) -> float:
    dx, dy = b.x() - a.x(), b.y() - a.y()
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / length2))
    return math.hypot(p.x() - a.x() - t * dx, p.y() - a.y() - t * dy)


class DiagramEditor(QObject):
    """Buttons over a DiagramView and what its mouse does; ``parameter_clicked`` (key, row, col) asks the
    inspector to show W[l] or b[l] with a cell marked."""

    parameter_clicked = Signal(str, int, int)

    def __init__(self, view: "DiagramView") -> None:
        super().__init__(view)
        self.view = view
        self.session = view.session
        self.add_buttons: dict[int, QToolButton] = {}  # hidden layer l -> "+"
        self.remove_buttons: dict[int, QToolButton] = {}  # hidden layer l -> "−"
        self.insert_buttons: dict[int, QToolButton] = {}  # k -> "+" between columns k-1 and k (a new layer k)
        self.menu: QMenu | None = None
        self.hover_card = ""  # the text of the card shown now ('' when none)
        self._pulse: tuple[int, float | None] | None = None  # (column, start; None until first drawn) glowing now
        self._pending_pulse: int | None = None  # the column to glow once the edited network is drawn
        self._motion: tuple[object, list[int | None]] | None = None  # (old geometry, layer mapping) sliding now
        self._shown: tuple[tuple[int, ...], tuple[str, ...], object] | None = None  # sizes, activations, geometry
        self._timer = QTimer(self)
        self._timer.setInterval(PULSE_FRAME_MS)
        self._timer.timeout.connect(self._pulse_frame)
        self._place_timer = QTimer(self)  # after a resize or a new font, once the view has its new size
        self._place_timer.setSingleShot(True)
        self._place_timer.timeout.connect(self.place_buttons)
        view.setMouseTracking(True)
        view.installEventFilter(self)
        self.session.network_changed.connect(self._network_changed)
        self.session.busy_changed.connect(self._update_enabled)
        self._rebuild()

    # -- the edits (the form's, through the session's undoable path) ---------------------------
    def add_unit(self, l: int) -> None:
        design = self.session.design
        if design.hidden[l - 1] < MAX_UNITS:
            self._edit(design.with_units(l - 1, design.hidden[l - 1] + 1), l)

    def remove_unit(self, l: int) -> None:
        design = self.session.design
        if design.hidden[l - 1] > 1:
            self._edit(design.with_units(l - 1, design.hidden[l - 1] - 1), l)

    def insert_layer(self, k: int) -> None:
        """A new hidden layer k (between columns k-1 and k) with the activation of its neighbour."""
        design = self.session.design
        activation = design.activations[min(k - 1, len(design.activations) - 1)] if design.activations else "relu"
        self._edit(design.with_layer(k - 1, NEW_LAYER_UNITS, activation), k)

    def remove_layer(self, l: int) -> None:
        self._edit(self.session.design.without_layer(l - 1), max(1, l - 1) if l > 1 else 0)

    def set_activation(self, l: int, name: str) -> None:
        self._edit(self.session.design.with_activation(l - 1, name), l)

    def _edit(self, design, column: int) -> None:
        if design == self.session.design:
            return
        self._pending_pulse = column
        if self.session.edit_design(design) is False:  # refused or cancelled (unsaved training): nothing moves
            self._pending_pulse = None

    # -- buttons ------------------------------------------------------------------------------
    def _button(self, text: str, tip: str, name: str, slot) -> QToolButton:
        button = QToolButton(self.view)
        button.setText(text)
        button.setToolTip(tip)
        button.setObjectName(name)
        button.setAutoRaise(False)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(slot)
        button.show()
        return button

    def _rebuild(self) -> None:
        for button in [*self.add_buttons.values(), *self.remove_buttons.values(), *self.insert_buttons.values()]:
            button.hide()  # at once: deleteLater waits for the event loop
            button.deleteLater()
        L = self.session.spec.L
        self.remove_buttons = {l: self._button("−", f"Remove a unit from layer {l}", f"removeUnit{l}",
                                               lambda checked=False, l=l: self.remove_unit(l)) for l in range(1, L)}
        self.add_buttons = {l: self._button("+", f"Add a unit to layer {l}", f"addUnit{l}",
                                            lambda checked=False, l=l: self.add_unit(l)) for l in range(1, L)}
        self.insert_buttons = {k: self._button("+", f"Insert a layer between layer {k - 1} and layer {k}",
                                               f"insertLayer{k}", lambda checked=False, k=k: self.insert_layer(k))
                               for k in range(1, L + 1)}
        self.place_buttons()
        self._update_enabled()

    def _update_enabled(self) -> None:
        hidden = self.session.design.hidden
        for l, button in self.remove_buttons.items():
            button.setEnabled(l - 1 < len(hidden) and hidden[l - 1] > 1)
        for l, button in self.add_buttons.items():
            button.setEnabled(l - 1 < len(hidden) and hidden[l - 1] < MAX_UNITS)

    def place_buttons(self) -> None:
        """"−" "+" on the W-label row above each hidden column; "+" between columns under the neurons."""
        g = self.view.layout_geometry()
        spec = self.session.spec
        self._shown = (spec.sizes, spec.hidden, g)
        line = self.view.line_height()
        side = max(18, int(1.15 * line))
        size = QSize(side, side)
        for buttons in (self.add_buttons, self.remove_buttons, self.insert_buttons):
            for button in buttons.values():
                button.setFixedSize(size)
                font = button.font()
                font.setPixelSize(int(0.8 * side))
                font.setBold(True)
                button.setFont(font)
        y = int(g.weight_y - side / 2)
        for l, button in self.remove_buttons.items():
            button.move(int(g.xs[l] - side - 1), y)
        for l, button in self.add_buttons.items():
            button.move(int(g.xs[l] + 1), y)
        for k, button in self.insert_buttons.items():
            x = (g.xs[k - 1] + g.xs[k]) / 2
            button.move(int(x - side / 2), int(g.label_y - side - 0.1 * line))

    # -- the changed column glows -----------------------------------------------------------------
    def _network_changed(self) -> None:
        before = self._shown
        if len(self.add_buttons) != self.session.spec.L - 1:
            self._rebuild()
        else:
            self._update_enabled()
            self.place_buttons()
        spec = self.session.spec
        found = layer_mapping(before[0], spec.sizes) if before is not None else None
        column = self._pending_pulse
        if found is not None:  # any edit of the hidden layers (the form's, Undo's): slide, then glow
            mapping, changed = found
            if changed < 0 and before[1] != spec.hidden:  # the same sizes: an activation changed
                changed = next(l for l, (a, b) in enumerate(zip(before[1], spec.hidden), start=1) if a != b)
            if changed >= 0:
                self._motion = (before[2], mapping)
                column = changed if column is None else column
        self._pending_pulse = None
        if column is not None:
            self._pulse = (min(column, spec.L), None)  # the clock starts at the first paint: a room sees it all
            self._timer.start()

    def _pulse_frame(self) -> None:
        if self.pulse_strength() <= 0:
            self._pulse = self._motion = None
            self._timer.stop()
        self.view.update()

    def paint_geometry(self, target, progress: float | None = None):
        """What the diagram draws now: ``target`` (its layout), or a step of the slide towards it
        (``progress`` 0 → 1; by default how far the animation has come)."""
        if self._motion is None or self._pulse is None:
            return target
        old, mapping = self._motion
        if len(mapping) != len(target.centres):
            self._motion = None
            return target
        return between(old, target, mapping, 1.0 - self.pulse_strength() if progress is None else progress)

    @property
    def moving(self) -> bool:
        return self._motion is not None and self._pulse is not None and self.pulse_strength() > 0

    def pulse_strength(self) -> float:
        """1 right after an edit, fading to 0 over PULSE_SECONDS."""
        if self._pulse is None:
            return 0.0
        if self._pulse[1] is None:
            return 1.0
        return max(0.0, 1.0 - (time.monotonic() - self._pulse[1]) / PULSE_SECONDS)

    @property
    def pulsing_column(self) -> int | None:
        return self._pulse[0] if self._pulse is not None else None

    def paint_pulse(self, painter: QPainter) -> None:
        """A halo that grows and fades around the column just edited (the diagram calls this last)."""
        if self._pulse is not None and self._pulse[1] is None:
            self._pulse = (self._pulse[0], time.monotonic())
        strength = self.pulse_strength()
        if self._pulse is None or strength <= 0:
            return
        l = self._pulse[0]
        g = self.paint_geometry(self.view.layout_geometry())
        if l >= len(g.centres) or not g.centres[l]:
            return
        ys = [p.y() for p in g.centres[l].values()]
        grow = (1.0 - strength) * 0.8 * self.view.line_height()
        half = g.radius + 0.4 * self.view.line_height() + grow
        colour = QColor(PULSE_COLOR)
        colour.setAlphaF(strength)
        painter.setPen(QPen(colour, 5.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(g.xs[l] - half, min(ys) - half, 2 * half, max(ys) - min(ys) + 2 * half),
                                half, half)

    # -- the mouse: hover cards, clicks on units, links and labels --------------------------------
    def item_at(self, pos: QPointF) -> tuple[str, int, int, int] | None:
        """('unit', l, i, -1), ('link', l, i, j) for W[l][i,j], ('label', l, -1, -1), or None."""
        g = self.view.layout_geometry()
        for l, centres in enumerate(g.centres):
            for i, centre in centres.items():
                if math.hypot(pos.x() - centre.x(), pos.y() - centre.y()) <= g.radius + 1:
                    return ("unit", l, i, -1)
        for l, box in enumerate(self.view.label_boxes()):
            if box.contains(pos):
                return ("label", l, -1, -1)
        best = None
        for l in range(1, len(g.centres)):
            if not min(g.xs[l - 1], g.xs[l]) < pos.x() < max(g.xs[l - 1], g.xs[l]):
                continue
            for i, right in g.centres[l].items():
                for j, left in g.centres[l - 1].items():
                    d = _distance_to_segment(pos, left, right)
                    if d <= LINK_PICK_PX and (best is None or d < best[0]):
                        best = (d, ("link", l, i, j))
        return best[1] if best else None

    def followed(self) -> int:
        """The example the cards read (the one being followed, else example 0)."""
        j = getattr(self.session, "followed_example", None)
        return int(j) if j is not None and 0 <= j < self.session.m else 0

    def card(self, item: tuple[str, int, int, int]) -> str:
        """The hover card's text for a unit or a link."""
        kind, l, i, j = item
        values = self.session.values
        if kind == "link":
            lines = [f"W[{l}][{i},{j}] = {float(values[f'W{l}'][i, j])!r}",
                     f"from unit {j} of layer {l - 1} to unit {i} of layer {l}"]
            dW = values.get(f"dW{l}")
            lines.append(f"dW[{l}][{i},{j}] = {float(dW[i, j])!r}" if dW is not None else
                         f"dW[{l}] is not computed yet (backward pass)")
            return "\n".join(lines)
        if kind == "label":
            return f"Layer {l}: click to choose its activation" if 0 < l < self.session.spec.L else ""
        example = self.followed()
        if l == 0:
            x = values["A0"]
            return f"input unit {i}\nA[0][{i},{example}] = {float(x[i, example])!r}   (example {example})"
        lines = [f"layer {l}, unit {i}", f"b[{l}][{i}] = {float(values[f'b{l}'][i, 0])!r}"]
        for name in ("Z", "A"):
            array = values.get(f"{name}{l}")
            lines.append(f"{name}[{l}][{i},{example}] = {float(array[i, example])!r}" if array is not None else
                         f"{name}[{l}] is not computed yet (forward pass)")
        lines.append(f"(example {example})")
        return "\n".join(lines)

    def mouse_moved(self, pos: QPointF, global_pos=None) -> None:
        item = self.item_at(pos)
        text = self.card(item) if item is not None else ""
        self.hover_card = text
        if global_pos is not None:
            if text:
                QToolTip.showText(global_pos, text, self.view)
            else:
                QToolTip.hideText()
        cursor = Qt.CursorShape.PointingHandCursor if item is not None and item[0] in ("link", "unit", "label") \
            else Qt.CursorShape.ArrowCursor
        self.view.setCursor(cursor)

    def clicked(self, pos: QPointF) -> None:
        """A link: the inspector shows W[l] with [i, j] marked; a unit: b[l] with [i] marked; a label: its menu."""
        item = self.item_at(pos)
        if item is None:
            return
        kind, l, i, j = item
        if kind == "link":
            self.parameter_clicked.emit(f"W{l}", i, j)
        elif kind == "unit" and l > 0:
            self.parameter_clicked.emit(f"b{l}", i, 0)
        elif kind == "label" and 0 < l < self.session.spec.L:
            self.open_layer_menu(l, self.view.mapToGlobal(pos.toPoint()))

    def open_layer_menu(self, l: int, at) -> QMenu:
        """The activations of hidden layer l (the current one checked), and 'Remove layer l'."""
        menu = QMenu(self.view)
        menu.setObjectName("layerMenu")
        group = QActionGroup(menu)
        current = self.session.design.activations[l - 1]
        for name in HIDDEN_ACTIVATIONS:
            action = QAction(name, menu)
            action.setObjectName(f"activation_{name}")
            action.setCheckable(True)
            action.setChecked(name == current)
            action.triggered.connect(lambda checked=False, name=name: self.set_activation(l, name))
            group.addAction(action)
            menu.addAction(action)
        menu.addSeparator()
        remove = menu.addAction(f"Remove layer {l}")
        remove.setObjectName("removeLayer")
        remove.triggered.connect(lambda: self.remove_layer(l))
        self.menu = menu
        menu.popup(at)
        return menu

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.view:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseMove:
            self.mouse_moved(event.position(), event.globalPosition().toPoint())
        elif kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            self.clicked(event.position())
        elif kind == QEvent.Type.Leave:
            self.hover_card = ""
        elif kind in (QEvent.Type.Resize, QEvent.Type.FontChange):
            self._place_timer.start(0)  # ends with the view, unlike a bare singleShot
        return False
