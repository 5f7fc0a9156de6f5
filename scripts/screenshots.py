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

from PySide6.QtCore import QSettings, Qt
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


def state_dark(app, window) -> None:
    from nnviz.views.appearance import appearance_model
    from nnviz.views.theme import Appearance

    appearance_model().set(Appearance(theme="dark"))
    state_training(app, window)
    run_to(app, window, "dW2")


def state_highcontrast(app, window) -> None:
    from nnviz.views.appearance import appearance_model
    from nnviz.views.theme import Appearance

    appearance_model().set(Appearance(theme="high-contrast", colormap="colour-blind safe"))
    state_training(app, window)
    run_to(app, window, "dW2")


def state_boundary(app, window) -> None:
    """Presentation mode on the Data tab: the points of XOR over the decision boundary."""
    state_xor(app, window)
    window.presentation.enter()
    settle(app, window)
    window.presentation.show_data()
    settle(app, window)



def _course_moons(app, window, **design) -> None:
    """The optimisation lesson's moons, 2-5-2-1, He init with the legacy generator, seed 3."""
    s = window.session
    s.open_dataset("demo:course-moons")
    settle(app, window)
    s.set_design(s.design.edit(**{"hidden": (5, 2), "activations": ("relu", "relu"), "init": "he", "rng": "legacy",
                                  "seed": 3, **design}))
    settle(app, window)


def state_adam(app, window) -> None:
    """Adam's bias correction v^corr_dW[1] = v_dW[1]/(1 − β₁ᵗ) at t = 3, mini-batch 3 of 5."""
    _course_moons(app, window, optimizer="adam", batch_size=64, learning_rate=0.0007)
    for _ in range(2):
        window.session.run_iteration()
        settle(app, window)
    run_to(app, window, "vhatdW1")


def state_dropout(app, window) -> None:
    """A dropout mask D[1] on the regularisation lesson's layout (keep_prob 0.86)."""
    _course_moons(app, window, hidden=(20, 3), activations=("relu", "relu"), init="lecun", learning_rate=0.3,
                  keep_prob=(0.86, 0.86))
    run_to(app, window, "Ad1")


def state_update_b3(app, window) -> None:
    """A 1×1 update: each number fitted to its box and the update worked out with its numbers."""
    for _ in range(3):
        window.session.run_iteration()
        settle(app, window)
    run_to(app, window, "b3")


def state_load_options(app, window) -> None:
    """A CSV with a header: the table names its features, the load options are open, a real diagnostics warning."""
    import tempfile

    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4)) * [0.8, 0.4, 1.7, 0.7] + [5.8, 3.0, 3.7, 1.2]
    names = ("setosa", "versicolor", "virginica")
    rows = ["sepal_length,sepal_width,petal_length,petal_width,species"]
    rows += [",".join(f"{v:.1f}" for v in x) + f",{names[k // 50]}" for k, x in enumerate(X)]
    path = Path(tempfile.mkdtemp()) / "flowers.csv"
    path.write_text("\n".join(rows) + "\n")
    window.open_source(str(path))
    settle(app, window)
    window.dataset_options.toggle.setChecked(True)
    window.session.set_learning_rate(50.0)
    window.session.run_backward()
    settle(app, window)


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


def state_health(app, window) -> None:
    """View ▸ Training Health after 80 iterations of the default network, the A[1] strip chosen."""
    s = window.session
    window.health.action.trigger()
    for _ in range(80):
        s.run_iteration()
        settle(app, window, timeout=30.0)
    view = window.health.view
    view.strip_choice.setCurrentIndex(view.strip_choice.findData("A1"))
    window.health._refresh()
    h = window.height()
    window.health.dock.raise_()
    window.resizeDocks([window.health.dock], [int(0.42 * h)], Qt.Orientation.Vertical)
    settle(app, window)



def state_compare_runs(app, window) -> None:
    """Compare Runs: zeros against He on the moons, 30 iterations in, W[1] of both and each row − row 0."""
    from nnviz.data import load_demo
    from nnviz.session.design import Design

    s = window.session
    s.set_dataset(load_demo("moons"))
    s.set_design(Design(hidden=(8,), activations=("sigmoid",), init="he", learning_rate=1.0))
    settle(app, window)
    comparison = window.compare_runs.start({"init": "zeros"})
    for _ in range(30):
        s.run_iteration()
        settle(app, window)
    run_to(app, window, "dW1")
    import time

    end = time.monotonic() + 10
    while not comparison.follower.in_step() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    view = comparison.view
    view.matrix_box.setCurrentIndex(view.matrix_box.findData("W1"))
    view.mode_box.setCurrentIndex(1)
    window.docks["compareDock"].raise_()
    settle(app, window)


def state_scenario(app, window) -> None:
    """The zeros-vs-He lesson in presentation mode, at its first "predict" prompt."""
    from nnviz.resources import resource_path

    window.scenarios.open_file(resource_path("scenarios/zeros-vs-he.nnscenario"))
    player = window.scenarios.player
    import time

    end = time.monotonic() + 20
    while not player.can_next() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    window.presentation.enter()
    settle(app, window)
    for _ in range(2):  # the title, then the first beat: the prompt is next
        player.next()
        settle(app, window)


STATES: dict[str, Callable] = {
    "adam": state_adam,
    "dropout": state_dropout,
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
    "health": state_health,
    "update-b3": state_update_b3,
    "load-options": state_load_options,
    "dark": state_dark,
    "highcontrast": state_highcontrast,
    "boundary": state_boundary,
    "compare-runs": state_compare_runs,
    "scenario": state_scenario,
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
            window.dispose()
            from nnviz.views.appearance import appearance_model
            from nnviz.views.theme import Appearance

            appearance_model().set(Appearance())  # the next state in the everyday appearance
    import shutil

    shutil.rmtree(out / ".settings-tmp", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
