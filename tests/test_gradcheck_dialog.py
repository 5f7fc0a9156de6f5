"""Debug ▸ Gradient Check: the dialog's rows, subsets, colours, Cancel and a responsive window."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence

from nnviz.app import MainWindow
from nnviz.app import gradcheck
from nnviz.data import Dataset
from nnviz.engine import GradCheckRow
from nnviz.session import Design, Session
from nnviz.views.style import VERDICT_TINTS


def _toy_session() -> Session:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3, 40))
    data = Dataset(X=X, Y=(X[:1] * X[1:2] > 0).astype(float), class_names=["a", "b"], source="toy", name="toy")
    return Session(data, Design(hidden=(4, 3), activations=("tanh", "relu"), learning_rate=0.1))


@pytest.fixture
def make_window(qtbot):
    made = []

    def make(session: Session | None = None):
        window = MainWindow(session)
        qtbot.addWidget(window)
        controller = window.gradient_check
        made.append(controller)
        return window, controller

    yield make
    for controller in made:
        controller.close()


def _run(qtbot, dialog, timeout: int = 20_000) -> str:
    with qtbot.waitSignal(dialog.check_finished, timeout=timeout) as blocker:
        assert dialog.start()
    return blocker.args[0]


def _column(dialog, c: int) -> list[str]:
    return [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount())]


def test_small_correct_network_passes_every_block_in_green(make_window, qtbot):
    window, controller = make_window(_toy_session())
    action = window.findChild(type(controller.action), "actionGradientCheck")
    assert action in window.menus["debug"].actions()
    assert action.shortcut() == QKeySequence("Ctrl+G")
    action.trigger()
    dialog = controller.dialog
    assert dialog.objectName() == "gradientCheckDialog" and dialog.isVisible()
    assert dialog.table.objectName() == "gradientCheckTable"
    assert _run(qtbot, dialog) == "done"
    assert _column(dialog, 0) == ["W[1]", "b[1]", "W[2]", "b[2]", "W[3]", "b[3]"]
    assert _column(dialog, 1) == ["4×3", "4×1", "3×4", "3×1", "1×3", "1×1"]
    assert _column(dialog, 2)[0] == "12 of 12"  # small blocks are checked whole
    assert all(row.relative_difference < 1e-7 for row in dialog.rows)
    assert [float(text) for text in _column(dialog, 3)] == pytest.approx(
        [row.relative_difference for row in dialog.rows], rel=0.05)
    assert set(_column(dialog, 4)) == {"pass"}
    for r in range(dialog.table.rowCount()):
        assert dialog.table.item(r, 3).background().color().name() == VERDICT_TINTS["ok"]
    assert "Every block passes" in dialog.status_label.text()
    assert dialog.progress.value() == dialog.progress.maximum() == sum(r.checked for r in dialog.rows)
    assert dialog.elapsed_label.text().endswith(" s")
    assert dialog.check_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_default_network_checks_a_random_subset_of_W1_and_says_so(make_window, qtbot):
    window, controller = make_window()
    dialog = controller.open()
    dialog.per_block.setValue(50)
    assert _column(dialog, 2)[0] == "random 50 of 86,016"  # the plan is shown before the check
    assert _run(qtbot, dialog) == "done"
    w1 = dialog.rows[0]
    assert (w1.key, w1.checked, w1.total, w1.subset) == ("W1", 50, 86016, True)
    assert not any(row.subset for row in dialog.rows[1:])
    assert _column(dialog, 2) == ["random 50 of 86,016", "7 of 7", "35 of 35", "5 of 5", "5 of 5", "1 of 1"]
    status = dialog.status_label.text()
    assert "W[1] has 86,016 entries: 50 chosen at random were checked" in status
    assert "iteration 0, before Z[1]" in status
    assert all(row.relative_difference < 1e-7 for row in dialog.rows)


def test_cancel_stops_the_thread_quickly_and_the_window_keeps_running(make_window, qtbot):
    window, controller = make_window()
    dialog = controller.open()  # 400 + 53 entries: about 1.5 s on the default network
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    assert dialog.start() and dialog.running
    qtbot.waitUntil(lambda: dialog.progress.value() >= 64, timeout=10_000)
    assert len(ticks) >= 5  # the GUI thread's timer kept firing while the check ran
    with qtbot.waitSignal(dialog.check_finished, timeout=2000) as blocker:
        started = time.monotonic()
        dialog.cancel_button.click()
    timer.stop()
    assert blocker.args == ["cancelled"]
    assert dialog.worker.wait(1000)
    assert time.monotonic() - started < 1.0
    status = dialog.status_label.text()
    assert "Cancelled after" in status and "of 453 entries" in status
    done = int(status.split("Cancelled after ")[1].split(" of")[0].replace(",", ""))
    assert 64 <= done < 453
    assert dialog.rows == [] and not dialog.running and dialog.check_button.isEnabled()


def test_refuses_to_start_while_training_runs(make_window, qtbot, wait_idle):
    window, controller = make_window(_toy_session())
    dialog = controller.open()
    window.session.run()
    assert window.session.busy
    assert not dialog.start()
    assert "Pause training first" in dialog.status_label.text() and dialog.worker is None
    window.session.pause()
    wait_idle(window.session)
    assert _run(qtbot, dialog) == "done"


def test_a_wrong_block_is_red_and_named(make_window, qtbot, monkeypatch):
    def fake_check(spec, params, X, Y, **options):
        return [GradCheckRow(key, 3e-3 if key == "W2" else 2e-9 if key != "b1" else 4e-6, a.size, a.size, 0.1)
                for key, a in params.items()]

    monkeypatch.setattr(gradcheck, "gradient_check", fake_check)
    window, controller = make_window(_toy_session())
    dialog = controller.open()
    assert _run(qtbot, dialog) == "done"
    assert _column(dialog, 3)[:3] == ["2.0e-09", "4.0e-06", "3.0e-03"]
    assert _column(dialog, 4)[:3] == ["pass", "suspicious", "wrong"]
    colours = [dialog.table.item(r, 0).background().color().name() for r in range(3)]
    assert colours == [VERDICT_TINTS["ok"], VERDICT_TINTS["suspicious"], VERDICT_TINTS["wrong"]]
    assert "W[2]: more than 1e-5" in dialog.status_label.text()


def test_a_failing_check_gives_a_message_not_a_crash(make_window, qtbot, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("X has 3 rows but the network's input layer has 4 units")

    monkeypatch.setattr(gradcheck, "gradient_check", broken)
    window, controller = make_window(_toy_session())
    dialog = controller.open()
    assert _run(qtbot, dialog) == "failed"
    assert "input layer has 4 units" in dialog.status_label.text()
    assert window.error_box is not None and "input layer" in window.error_box.text()
    window.error_box.close()


def test_closing_the_dialog_or_the_window_stops_a_check(make_window, qtbot):
    window, controller = make_window()
    dialog = controller.open()
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 16, timeout=10_000)
    dialog.close()
    assert not dialog.worker.isRunning()
    assert dialog.start()
    worker = dialog.worker
    qtbot.waitUntil(lambda: dialog.progress.value() >= 16, timeout=10_000)
    window.close()
    assert not worker.isRunning()


def test_a_new_network_cancels_the_check_and_shows_its_blocks(make_window, qtbot):
    window, controller = make_window()
    dialog = controller.open()
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 16, timeout=10_000)
    window.session.set_design(Design(hidden=(3,), activations=("relu",)))
    assert not dialog.running and not dialog.worker.isRunning()
    assert "The network changed" in dialog.status_label.text() and "Cancelled after" in dialog.status_label.text()
    assert _column(dialog, 0) == ["W[1]", "b[1]", "W[2]", "b[2]"]
    assert _column(dialog, 1)[0] == "3×12288" and _column(dialog, 2)[0] == "random 400 of 36,864"


def test_overflowed_parameters_are_reported_as_not_finite_not_as_a_bug(make_window, qtbot):
    window, controller = make_window(_toy_session())
    session = window.session
    session.stepper.values["W2"] = np.full((3, 4), 1e300)  # Z[2] overflows to ±Inf, J and the differences to NaN
    dialog = controller.open()
    assert _run(qtbot, dialog) == "done"
    assert "not finite" in _column(dialog, 4)
    assert "overflow" in dialog.status_label.text() and "has a bug" not in dialog.status_label.text()
