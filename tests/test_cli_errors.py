"""The command line and the settings file: every mistake a user can make is one line, status 2, nothing left behind."""
from __future__ import annotations

import errno
import os
import subprocess
import time
import sys
from pathlib import Path

import pytest

from nnviz import atomic
from nnviz.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _one_error(capsys, *args) -> str:
    assert main(list(args)) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def test_seeds_the_generators_cannot_take(capsys):
    assert _one_error(capsys, "train", "demo:xor", "--seed", "-1") == (
        "error: argument --seed: expected 0 or more, got '-1' (see nnviz train --help)")
    assert _one_error(capsys, "train", "demo:xor", "--rng", "legacy", "--seed", str(2**32)) == (
        "error: --seed 4294967296: the legacy generator takes seeds from 0 to 4294967295 (2**32 − 1), got 4294967296")
    assert main(["train", "demo:xor", "--rng", "legacy", "--seed", str(2**32 - 1), "--iterations", "1"]) == 0


def test_a_network_that_does_not_fit_in_memory_is_priced_not_allocated(capsys):
    err = _one_error(capsys, "train", "demo:images", "--hidden", str(10**8))
    assert err.startswith("error: --hidden 100000000: the 12288-100000000-1 network on 209 examples would need 30.2 TB")
    assert "of memory is available" in err


@pytest.mark.parametrize("where,expected", [
    ("missing/trace.npz", "the folder {tmp}/missing does not exist"),
    ("", "that is a folder: choose a file name"),
])
def test_trace_to_a_missing_folder_or_a_folder(tmp_path, capsys, where, expected):
    target = tmp_path / where if where else tmp_path
    err = _one_error(capsys, "train", "demo:xor", "--iterations", "3", "--trace", str(target))
    assert err == f"error: --trace {target}: {expected.format(tmp=tmp_path)}"
    assert list(tmp_path.iterdir()) == []  # no .part, no trace


def test_trace_to_a_read_only_place(tmp_path, capsys, monkeypatch):
    place = tmp_path / "ro"
    place.mkdir()
    if os.geteuid() == 0:  # root may write anywhere: the file system's answer is simulated
        real = os.open
        monkeypatch.setattr(atomic.os, "open", lambda p, *a, **k: (_ for _ in ()).throw(
            OSError(errno.EROFS, "Read-only file system")) if Path(p).parent == place else real(p, *a, **k))
        expected = "the place is read-only: choose a folder you can write to"
    else:
        place.chmod(0o555)
        expected = "permission denied: choose a folder you can write to"
    err = _one_error(capsys, "train", "demo:xor", "--iterations", "3", "--trace", str(place / "t.npz"))
    assert err == f"error: --trace {place / 't.npz'}: {expected}"
    assert list(place.iterdir()) == []


def test_a_trace_that_works_replaces_the_old_one_whole(tmp_path, capsys):
    import numpy as np

    trace = tmp_path / "t.npz"
    trace.write_bytes(b"an old trace")
    assert main(["train", "demo:xor", "--iterations", "2", "--trace", str(trace)]) == 0
    with np.load(trace) as arrays:
        assert "1/dW1" in arrays.files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.npz"]


def test_in_a_subprocess_exit_status_2_and_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nnviz", "train", "demo:xor", "--trace", str(tmp_path / "a" / "t.npz")],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"error: --trace {tmp_path / 'a' / 't.npz'}: the folder {tmp_path / 'a'} does not exist\n"


# -- the settings file ----------------------------------------------------------------------------------------
def test_a_damaged_settings_file_starts_with_defaults_and_says_so(qtbot, isolated_settings):
    from nnviz.app import MainWindow

    ini = Path(isolated_settings) / "nnviz" / "nnviz.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text("[General]\nsettingsVersion=abc\ngeometry=rubbish\nrecentFiles=/data/3.csv\n"
                   "[preferences]\nhistoryMb=lots\n")
    window = MainWindow()
    qtbot.addWidget(window)
    message = window.statusBar().currentMessage()
    assert f"The settings file {ini} is damaged (settingsVersion = 'abc')" in message
    assert "nnviz started with the default layout" in message
    assert "Damaged preferences fell back to their defaults: historyMb = 'lots'." in message
    assert window.session.history_budget == 256 * 2**20 and window.recent_files() == ["/data/3.csv"]
    window.discard_and_close()  # writes good settings
    again = MainWindow()
    qtbot.addWidget(again)
    assert "damaged" not in again.statusBar().currentMessage()
    again.discard_and_close()


def test_a_step_back_budget_beyond_the_machines_memory_is_capped_or_refused(qtbot, monkeypatch):
    from PySide6.QtWidgets import QDialogButtonBox

    from nnviz.app import MainWindow
    from nnviz.app import preferences as prefs
    from nnviz.app.settings import app_settings

    monkeypatch.setattr(prefs, "available_memory", lambda: 24 * 2**30)  # a 24 GB machine
    settings = app_settings()
    settings.setValue("preferences/historyMb", 65_536)  # 64 GB saved earlier
    settings.sync()
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.session.history_budget == 24 * 2**30
    assert ("The step-back memory is capped at 24,576 MB: the saved 65,536 MB is more than this computer has "
            "available (Preferences).") in window.statusBar().currentMessage()
    dialog = window.preferences.open()
    dialog.budget.setValue(65_536)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.error_label.text() == (
        "The step-back memory (65,536 MB) is more than this computer has available (24,576 MB): "
        "choose at most 24,576 MB.")
    assert window.session.history_budget == 24 * 2**30
    dialog.reject()
    window.discard_and_close()


def test_the_app_starts_on_a_damaged_settings_file_and_quits_cleanly(tmp_path):
    """`nnviz` itself (a subprocess, offscreen): it used to die on settingsVersion=abc."""
    import signal
    import threading

    ini = tmp_path / "nnviz" / "nnviz.ini"
    ini.parent.mkdir()
    ini.write_text("[General]\nsettingsVersion=abc\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    app = subprocess.Popen([sys.executable, "-m", "nnviz"], env=env, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    shown, lines = threading.Event(), []

    def read() -> None:
        for line in app.stderr:
            lines.append(line)
            if "propagateSizeHints" in line:  # the offscreen platform's note when the window is shown
                shown.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 60
    while not shown.wait(0.2) and app.poll() is None and time.monotonic() < deadline:
        pass
    assert shown.is_set(), "".join(lines)  # it died on the settings file (the bug) or never showed
    time.sleep(1.0)  # the Ctrl+C handler is installed right after show()
    app.send_signal(signal.SIGINT)  # Ctrl+C closes the window (nothing unsaved: no question)
    assert app.wait(30) == 0, "".join(lines)
    assert "Traceback" not in "".join(lines)
    assert "settingsVersion=1" in ini.read_text()  # good settings written on the way out
