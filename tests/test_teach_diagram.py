"""Designing on the network diagram: "+"/"−" per hidden layer, "+" between columns, a layer's menu; hover cards; clicks."""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from nnviz.views.diagram import DiagramView


def lines(window) -> list[str]:
    steps = window.step_list
    return [steps.line(i) for i in range(len(window.session.plan))]


def test_plus_on_layer_1_adds_a_unit_the_shapes_follow_and_undo_restores(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    diagram = window.diagram
    assert diagram.objectName() == "networkDiagram"
    editor = diagram.editor
    assert editor.add_buttons[1].toolTip() == "Add a unit to layer 1"
    assert editor.remove_buttons[2].toolTip() == "Remove a unit from layer 2"
    assert set(editor.add_buttons) == {1, 2}  # hidden layers only
    assert "Z[1] = W[1]·A[0] + b[1]   (7×12288)(12288×209) + (7×1) → 7×209" in lines(window)[0] or \
        "7×12288" in lines(window)[0]
    qtbot.mouseClick(editor.add_buttons[1], Qt.MouseButton.LeftButton)
    wait_idle(session)
    assert session.design.hidden == (8, 5)
    assert session.spec.sizes == (12288, 8, 5, 1)
    assert session.values["W1"].shape == (8, 12288) and session.values["W2"].shape == (5, 8)
    assert any("8×12288" in line for line in lines(window))
    assert any("5×8" in line for line in lines(window))
    assert editor.pulsing_column == 1  # the edited column glows while the room looks
    assert window.actionUndo.text() == "&Undo Hidden layers 7-5 → 8-5" or "7-5 → 8-5" in window.actionUndo.text()
    window.actionUndo.trigger()
    wait_idle(session)
    assert session.design.hidden == (7, 5)
    assert session.values["W1"].shape == (7, 12288)
    assert any("7×12288" in line for line in lines(window))
    qtbot.mouseClick(editor.remove_buttons[2], Qt.MouseButton.LeftButton)
    wait_idle(session)
    assert session.design.hidden == (7, 4)


def test_insert_and_remove_a_layer_and_pick_an_activation_from_the_label(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    editor = window.diagram.editor
    assert editor.insert_buttons[2].toolTip() == "Insert a layer between layer 1 and layer 2"
    qtbot.mouseClick(editor.insert_buttons[2], Qt.MouseButton.LeftButton)
    wait_idle(session)
    assert session.design.hidden == (7, 3, 5)
    assert session.spec.L == 4
    assert set(editor.add_buttons) == {1, 2, 3}  # buttons follow the new network
    assert editor.add_buttons[3].toolTip() == "Add a unit to layer 3"
    # a click on layer 2's label opens its menu: pick tanh, then remove the layer
    box = window.diagram.label_boxes()[2]
    qtbot.mouseClick(window.diagram, Qt.MouseButton.LeftButton, pos=box.center().toPoint())
    menu = editor.menu
    assert menu is not None and menu.isVisible()
    checked = [a.text() for a in menu.actions() if a.isCheckable() and a.isChecked()]
    assert checked == ["relu"]
    next(a for a in menu.actions() if a.text() == "tanh").trigger()
    wait_idle(session)
    menu.close()
    assert session.design.activations == ("relu", "tanh", "relu")
    assert "tanh" in window.diagram.layer_columns()[2][3]
    editor.open_layer_menu(2, window.diagram.mapToGlobal(box.center().toPoint()))
    next(a for a in editor.menu.actions() if a.text() == "Remove layer 2").trigger()
    wait_idle(session)
    editor.menu.close()
    assert session.design.hidden == (7, 5)
    window.actionUndo.trigger()
    wait_idle(session)
    assert session.design.hidden == (7, 3, 5)
    assert session.undo_stack.count() == 3  # insert, activation, remove: each its own undoable edit


def test_hover_cards_for_units_and_links_and_clicks_mark_the_cell_in_the_inspector(qtbot, default_window, wait_idle):
    window, session = default_window, default_window.session
    window.resize(1600, 1000)
    qtbot.wait(20)
    diagram, editor = window.diagram, window.diagram.editor
    g = diagram.layout_geometry()
    centre = g.centres[2][3]
    editor.mouse_moved(centre)
    assert editor.hover_card.splitlines()[:2] == ["layer 2, unit 3", f"b[2][3] = {float(session.values['b2'][3, 0])!r}"]
    assert "Z[2] is not computed yet" in editor.hover_card
    session.run_forward()
    wait_idle(session)
    editor.mouse_moved(centre)
    assert f"Z[2][3,0] = {float(session.values['Z2'][3, 0])!r}" in editor.hover_card
    assert f"A[2][3,0] = {float(session.values['A2'][3, 0])!r}" in editor.hover_card
    # a link: a point on the line from unit 1 of layer 1 to unit 3 of layer 2, near unit 1 (clear of crossings)
    a, b = g.centres[1][1], g.centres[2][3]
    on_line = [QPointF(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y())))
               for t in (0.2, 0.25, 0.3, 0.35, 0.4, 0.6, 0.65, 0.7)]  # whole pixels, as a mouse gives
    clear = [p for p in on_line if editor.item_at(p) == ("link", 2, 3, 1)]
    assert len(clear) >= 3  # most of the line picks this link; where it crosses another, the nearer one
    middle = clear[0]
    editor.mouse_moved(middle)
    assert editor.hover_card.splitlines()[0] == f"W[2][3,1] = {float(session.values['W2'][3, 1])!r}"
    assert "dW[2] is not computed yet" in editor.hover_card
    session.run_backward()
    wait_idle(session)
    editor.mouse_moved(middle)
    assert f"dW[2][3,1] = {float(session.values['dW2'][3, 1])!r}" in editor.hover_card
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=middle.toPoint())
    inspector = window.inspector
    assert inspector.parameter_shown == "W2"
    assert inspector.panels[0].matrix.shape == (5, 7)
    assert inspector.panels[0].provenance_outline.shown == (3, 1)
    assert inspector.hover_label.text() == f"W[2][3, 1] = {float(session.values['W2'][3, 1])!r}"
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    assert inspector.parameter_shown == "b2" and inspector.panels[0].provenance_outline.shown == (3, 0)


def test_wide_input_layer_is_still_drawn_as_before(qtbot, make_session):
    session = make_session()
    view = DiagramView(session)
    qtbot.addWidget(view)
    view.resize(1400, 300)
    columns = view.layer_columns()
    assert columns[0][2] == 12288 and columns[0][1] <= 10  # a few circles and "⋮" for 12288 inputs
    assert len(view.connection_pens(1)) == columns[0][1] * 7


def test_edits_slide_the_columns_to_their_new_places_then_settle(qtbot, default_window, wait_idle):
    from nnviz.views.diagram_motion import layer_mapping

    assert layer_mapping((12288, 7, 5, 1), (12288, 8, 5, 1)) == ([0, 1, 2, 3], 1)
    assert layer_mapping((12288, 7, 5, 1), (12288, 7, 3, 5, 1)) == ([0, 1, None, 2, 3], 2)
    assert layer_mapping((12288, 7, 3, 5, 1), (12288, 7, 5, 1)) == ([0, 1, 3, 4], 2)
    assert layer_mapping((12288, 7, 5, 1), (2, 7, 5, 1)) is None  # new data: no slide
    window, session = default_window, default_window.session
    window.resize(1600, 1000)
    qtbot.wait(20)
    diagram, editor = window.diagram, window.diagram.editor
    old = diagram.layout_geometry()
    qtbot.mouseClick(editor.insert_buttons[2], Qt.MouseButton.LeftButton)  # a layer between A[1] and A[2]
    assert editor.moving  # the new network is built at once (the worker is idle): the slide has begun
    target = diagram.layout_geometry()
    shown = editor.paint_geometry(target, progress=0.2)
    assert shown is not target and len(shown.xs) == len(target.xs) == 5
    middle = (old.xs[1] + old.xs[2]) / 2
    assert min(middle, target.xs[2]) - 1 <= shown.xs[2] <= max(middle, target.xs[2]) + 1  # opening from the gap
    assert shown.xs[0] == target.xs[0]  # the input column stays
    assert editor.paint_geometry(target, progress=1.0) is target
    qtbot.waitUntil(lambda: not editor.moving, timeout=5_000)
    assert editor.paint_geometry(target) is target
    window.actionUndo.trigger()  # Undo slides too: the form's and Undo's edits are animated alike
    assert editor.moving and editor.pulsing_column == 2


def test_a_diagram_edit_asks_before_unsaved_training_is_lost(qtbot, default_window, wait_idle, answered_questions):
    window, session = default_window, default_window.session
    session.run_iteration()
    wait_idle(session)
    editor = window.diagram.editor
    answered_questions.answer = answered_questions.answer.Cancel
    qtbot.mouseClick(editor.add_buttons[1], Qt.MouseButton.LeftButton)
    wait_idle(session)
    assert len(answered_questions.asked) == 1
    assert session.design.hidden == (7, 5) and session.iteration == 1  # cancelled: the training stays
    assert editor.pulsing_column is None
    answered_questions.answer = answered_questions.answer.Discard
    qtbot.mouseClick(editor.add_buttons[1], Qt.MouseButton.LeftButton)
    wait_idle(session)
    assert session.design.hidden == (8, 5) and session.iteration == 0
