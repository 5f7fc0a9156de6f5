"""Debug ▸ Misconception Mode: the operation shown, replayed with a classic mistake injected."""
from __future__ import annotations

import numpy as np


def _run_to(qtbot, window, key):
    s = window.session
    s.run_through(next(op.index for op in s.plan if op.key == key))
    qtbot.waitUntil(lambda: not s.busy, timeout=20_000)


def test_a_transposed_W_shows_the_numpy_error_a_student_would_see(qtbot, default_window):
    window = default_window
    window.misconception.action.trigger()
    view = window.misconception.view
    assert window.misconception.dock.isVisible()
    _run_to(qtbot, window, "Z1")
    view.show_mistake("z_transposed_W")
    text = view.outcome_label.text()
    assert "shapes (12288,7) and (12288,209) not aligned" in text and "ValueError" in text
    assert view.panels[1].note.text() == "no result: numpy raised an error"


def test_db_without_keepdims_says_its_shape_and_the_broadcast(qtbot, default_window):
    window = default_window
    view = window.misconception.view
    _run_to(qtbot, window, "db1")
    view.show_mistake("db_no_keepdims")
    text = view.outcome_label.text()
    assert "of shape (7,) where 7×1 belongs" in text and "broadcasts to 7×7" in text


def test_the_wrong_numbers_stand_beside_the_right_ones(qtbot, default_window):
    window = default_window
    s = window.session
    window.misconception.action.trigger()  # a closed dock follows the session when it is shown
    view = window.misconception.view
    _run_to(qtbot, window, "dZ2")
    choices = [view.choice.itemData(i) for i in range(1, view.choice.count())]
    assert choices[:2] == ["no_g_prime", "g_prime_of_A"] and "update_sign" not in choices
    view.show_mistake("no_g_prime")
    right, wrong = view.panels
    np.testing.assert_array_equal(right.matrix, s.values["dZ2"])
    np.testing.assert_array_equal(wrong.matrix, s.values["dA2"])  # dZ[2] = dA[2]: g'(Z[2]) left out
    assert "dZ[2] = dA[2]: the factor g'(Z[2]) is missing" in view.outcome_label.text()
    # an update replays from the parameter it overwrote (kept by step-back history)
    _run_to(qtbot, window, "W1")
    view.show_mistake("update_sign")
    old = s.stepper.replaced_value("W1")
    np.testing.assert_allclose(wrong.matrix, old + s.design.learning_rate * s.values["dW1"])
    np.testing.assert_array_equal(right.matrix, s.values["W1"])


def test_the_numpy_error_is_in_the_themes_colour(qtbot, default_window):
    from nnviz.views.appearance import appearance_model
    from nnviz.views.theme import DARK, LIGHT, Appearance

    window = default_window
    window.misconception.action.trigger()
    view = window.misconception.view
    _run_to(qtbot, window, "Z1")
    view.show_mistake("z_transposed_W")
    try:
        for theme in (DARK, LIGHT):
            appearance_model().set(Appearance(theme=theme.name))
            text = view.outcome_label.text()
            assert f"color:{theme.verdict('wrong')};" in text and "ValueError" in text, theme.name
    finally:
        appearance_model().set(Appearance())
