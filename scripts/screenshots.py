"""Screenshots of nnviz's main states for the README, taken from the real window.

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshots.py [--out docs] [--only NAME]

Each state is reached the way a user reaches it (actions, the session's methods),
then the whole window is grabbed.  Windows are closed before exit.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from nnviz.app import MainWindow


def grab_screen(app: QApplication, window: MainWindow, name: str):
    """The window, or the whole screen when a dialog is open over it."""
    dialog = getattr(window.gradient_check, "dialog", None)
    if name == "gradcheck" and dialog is not None and dialog.isVisible():
        return app.primaryScreen().grabWindow(0)
    return window.grab()


def settle(app: QApplication, window: MainWindow, timeout: float = 30.0) -> None:
    """Let the worker finish and the window repaint."""
    import time

    end = time.monotonic() + timeout
    while window.session.busy and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


def run_to(app, window, key: str) -> None:
    s = window.session
    s.run_through(next(op.index for op in s.plan if op.key == key))
    settle(app, window)


def state_dW2(app, window) -> None:
    run_to(app, window, "dW2")


def state_forward(app, window) -> None:
    run_to(app, window, "Z1")


def state_training(app, window) -> None:
    s = window.session
    for _ in range(60):
        s.run_iteration()
        settle(app, window)
    run_to(app, window, "dW1")


def state_xor(app, window) -> None:
    s = window.session
    s.open_dataset("demo:xor")
    settle(app, window)
    s.set_design(s.design.edit(hidden=(8, 8), activations=("tanh", "tanh"), learning_rate=0.3, init="xavier"))
    settle(app, window)
    s.run()
    import time

    end = time.monotonic() + 4
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    s.pause()
    settle(app, window)
    run_to(app, window, "dW2")


def state_nan(app, window) -> None:
    """A learning rate far too large: Run pauses at the first operation that makes NaN or Inf."""
    s = window.session
    s.set_design(s.design.edit(activations=("leaky_relu", "leaky_relu"), learning_rate=5.0))
    settle(app, window)
    s.run()
    settle(app, window)


def state_presentation(app, window) -> None:
    state_training(app, window)
    run_to(app, window, "dW2")
    window.presentation.enter()
    settle(app, window)


def state_gradcheck(app, window) -> None:
    for _ in range(5):
        window.session.run_iteration()
        settle(app, window)
    dialog = window.gradient_check.open()
    dialog.start()
    import time

    end = time.monotonic() + 60
    while dialog.running and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    settle(app, window)


def state_design(app, window) -> None:
    """Designing on the diagram: a unit added to layer 1 with its "+", a layer inserted, the glow caught."""
    import time

    editor = window.diagram.editor
    editor.add_buttons[1].click()
    settle(app, window)
    editor.insert_buttons[2].click()
    settle(app, window, timeout=30)
    run_to(app, window, "Z2")
    editor.add_buttons[2].click()  # the glow fades over a second: grab it early
    end = time.monotonic() + 5
    while window.session.busy and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    for _ in range(3):
        app.processEvents()
    g = window.diagram.layout_geometry()
    editor.mouse_moved(g.centres[2][1])


def state_provenance(app, window) -> None:
    """Where a cell comes from: Z[2][2,5] hovered, its row of W[2] and column of A[1] outlined."""
    run_to(app, window, "Z2")
    window.inspector.hover(3, 2, 5)
    window.inspector._cell_clicked(3, 2, 5)
    settle(app, window)


def state_teach_presentation(app, window) -> None:
    """Presentation mode while teaching: Z[2][2,5]'s provenance, example 5 followed, a unit added on the diagram."""
    window.diagram.editor.add_buttons[2].click()
    settle(app, window)
    window.session.follow_example(5)
    window.presentation.enter()
    settle(app, window)
    state_provenance(app, window)


def state_compare(app, window) -> None:
    """A course-style trace of the default network whose dW[1] forgot the 1/m, compared (File ▸ Compare With Trace…)."""
    import tempfile
    import time

    import numpy as np

    from nnviz.engine import Stepper

    s = window.session
    stepper = Stepper(s.spec, s.stepper.parameters, s.dataset.X, s.dataset.Y, s.design.learning_rate)
    start = dict(stepper.parameters)
    stepper.run_backward()
    m = s.m
    grads = {k: v * (m if k.startswith(("dA", "dZ")) else 1) for k, v in stepper.values.items()
             if k.startswith(("dA", "dW", "db"))}
    grads["dW1"] = grads["dW1"] * m  # the course's dW = (1/m)·dZ·A[l-1]ᵀ without its 1/m
    path = Path(tempfile.mkdtemp()) / "my_backprop.npz"
    np.savez(path, AL=stepper.values[f"A{s.spec.L}"], **{f"parameters/{k}": v for k, v in start.items()},
             **{f"grads/{k}": v for k, v in grads.items()})
    window.comparison.compare_file(str(path))
    end = time.monotonic() + 60
    while (window.comparison.thread.isRunning() or not window.comparison.action.isEnabled()) and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    settle(app, window)


def state_misconception(app, window) -> None:
    """Debug ▸ Misconception Mode at Z[1], with the notes' template slip Z = Wᵀ·A injected."""
    run_to(app, window, "Z1")
    window.misconception.action.trigger()
    window.misconception.view.show_mistake("z_transposed_W")
    settle(app, window)


STATES: dict[str, Callable] = {
    "forward": state_forward,
    "dW2": state_dW2,
    "training": state_training,
    "xor": state_xor,
    "nan": state_nan,
    "presentation": state_presentation,
    "gradcheck": state_gradcheck,
    "design": state_design,
    "provenance": state_provenance,
    "teach-presentation": state_teach_presentation,
    "compare": state_compare,
    "misconception": state_misconception,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--sizes", nargs="*", default=["1600x1000", "1280x720"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(out / ".settings-tmp"))
    for name, reach in STATES.items():
        if args.only and name not in args.only:
            continue
        for size in args.sizes:
            w, h = (int(v) for v in size.split("x"))
            window = MainWindow()
            window.resize(w, h)
            window.show()
            settle(app, window)
            reach(app, window)
            path = out / f"{name}-{w}x{h}.png"
            grab_screen(app, window, name).save(str(path))
            print(path)
            if window.presentation.active:
                window.presentation.leave()
            window.discard_and_close()
            window.deleteLater()
            app.processEvents()
    import shutil

    shutil.rmtree(out / ".settings-tmp", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
