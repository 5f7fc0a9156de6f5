"""Saving: one atomic writer for sessions, exports, traces and CSV history — full disks, long names,
permissions, symbolic links, leftovers of a crash and a save killed half-way."""
from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from nnviz import atomic
from nnviz.atomic import WriteError, atomic_writer, temporary_name, write_bytes

ROOT = Path(__file__).resolve().parents[1]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def _full_disk(monkeypatch, after: int = 0):
    """The disk fills up: the ``after``-th fsync (0: the first) fails with ENOSPC, as on a full disk."""
    calls = []
    real = os.fsync

    def fsync(fd):
        calls.append(fd)
        if len(calls) > after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "notes.csv"
    target.write_bytes(b"old")
    _full_disk(monkeypatch)
    with pytest.raises(WriteError) as caught:
        write_bytes(target, b"new" * 1000)
    assert str(caught.value) == f"{target}: the disk is full: free some space or choose another place"
    assert caught.value.errno == errno.ENOSPC and isinstance(caught.value, OSError)
    assert target.read_bytes() == b"old" and _leftovers(tmp_path) == []


def test_a_failure_while_writing_is_reported_with_the_users_name(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(WriteError) as caught:
        with atomic_writer(target) as handle:
            handle.write(b"half")
            raise OSError(errno.EIO, "I/O error")
    assert str(caught.value).startswith(f"{target}: ") and ".part" not in str(caught.value)
    assert not target.exists() and _leftovers(tmp_path) == []


def test_a_name_of_250_bytes_works(tmp_path):
    name = "é" * 60 + "x" * (250 - 120 - len(".nnviz")) + ".nnviz"  # 250 bytes in UTF-8
    assert len(os.fsencode(name)) == 250
    write_bytes(tmp_path / name, b"session")
    assert (tmp_path / name).read_bytes() == b"session" and len(temporary_name(name)) < 30
    longest = "y" * 255
    write_bytes(tmp_path / longest, b"ok")
    assert (tmp_path / longest).read_bytes() == b"ok"
    with pytest.raises(WriteError, match="the file name is too long for this file system: choose a shorter name"):
        write_bytes(tmp_path / ("z" * 256), b"no")


def test_an_existing_file_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path):
    kept = tmp_path / "shared.nnviz"
    kept.write_bytes(b"old")
    os.chmod(kept, 0o640)
    write_bytes(kept, b"new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_bytes() == b"new"
    fresh = tmp_path / "fresh.nnviz"
    write_bytes(fresh, b"x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~atomic._UMASK  # not the temporary's 0600


def test_saving_through_a_symlink_updates_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "sessions" / "lecture.nnviz"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "current.nnviz"
    link.symlink_to(real)
    write_bytes(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new" and link.read_bytes() == b"new"
    assert _leftovers(real.parent) == [] and _leftovers(tmp_path) == []


def test_a_leftover_temporary_is_reused_and_removed(tmp_path):
    target = tmp_path / "big.nnviz"
    leftover = tmp_path / temporary_name(target.name)
    leftover.write_bytes(b"\0" * 1_000_000)  # what a killed save leaves
    write_bytes(target, b"small")
    assert target.read_bytes() == b"small" and not leftover.exists()


def test_a_folder_or_a_missing_folder_as_target_says_so(tmp_path):
    with pytest.raises(WriteError, match="that is a folder: choose a file name"):
        write_bytes(tmp_path, b"x")
    with pytest.raises(WriteError, match=r"the folder .*nowhere does not exist"):
        write_bytes(tmp_path / "nowhere" / "x.csv", b"x")


def test_a_read_only_place_says_so(tmp_path, monkeypatch):
    place = tmp_path / "ro"
    place.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: the file system's answer is simulated
        real = os.open

        def refuse(path, *args, **kwargs):
            if Path(path).parent == place:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS))
            return real(path, *args, **kwargs)

        monkeypatch.setattr(atomic.os, "open", refuse)
        expected = "the place is read-only: choose a folder you can write to"
    else:
        place.chmod(0o555)
        expected = "permission denied: choose a folder you can write to"
    with pytest.raises(WriteError) as caught:
        write_bytes(place / "x.csv", b"x")
    assert str(caught.value) == f"{place / 'x.csv'}: {expected}"


def test_a_second_writer_of_the_same_file_is_told_to_wait(tmp_path):
    pytest.importorskip("fcntl")
    target = tmp_path / "s.nnviz"
    with atomic_writer(target) as handle:
        handle.write(b"first")
        with pytest.raises(WriteError, match="another nnviz is writing this file right now"):
            write_bytes(target, b"second")
    assert target.read_bytes() == b"first"


# -- a save killed half-way -------------------------------------------------------------------------------
KILLED_SAVE = textwrap.dedent("""
    import sys, time
    import numpy as np
    from nnviz.session import persist

    state = persist.read_state(sys.argv[1])
    real = np.lib.format.write_array
    calls = []

    def slow(*args, **kwargs):
        real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 3:  # a few arrays written, the rest not yet: now the parent kills us
            print("writing", flush=True)
            time.sleep(60)

    np.lib.format.write_array = slow
    persist.save_session(sys.argv[1], state)
""")


def test_a_save_killed_half_way_leaves_the_old_file_intact_and_it_reopens(make_session, wait_idle, tmp_path):
    from nnviz.data import load_demo
    from nnviz.session import Design
    from nnviz.session.persist import read_state

    session = make_session(load_demo("xor"), Design(hidden=(4,), activations=("tanh",), learning_rate=0.5))
    for _ in range(4):
        session.run_iteration()
        wait_idle(session)
    path = tmp_path / "lecture.nnviz"
    session.save(str(path))
    wait_idle(session)
    before = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path)], stdout=subprocess.PIPE, env=env)
    assert child.stdout.readline().strip() == b"writing"
    temporary = tmp_path / temporary_name(path.name)
    assert temporary.exists() and temporary.stat().st_size > 0  # half a file, beside the real one
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    assert path.read_bytes() == before
    state = read_state(path)
    assert state.iteration == 4 and state.values["W1"].tobytes() == session.values["W1"].tobytes()
    session.save(str(path))  # the next save reuses the leftover and leaves nothing behind
    wait_idle(session)
    assert not temporary.exists() and _leftovers(tmp_path) == [] and read_state(path).iteration == 4


# -- every file nnviz writes goes through it ----------------------------------------------------------------
def test_a_session_save_on_a_full_disk_says_so_and_stays_unsaved(qtbot, wait_idle, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    from nnviz.app import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    s = window.session
    s.run_iteration()
    wait_idle(s)
    path = tmp_path / "lecture1.nnviz"
    path.write_bytes(b"an older lecture")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    _full_disk(monkeypatch)
    with qtbot.waitSignal(s.error, timeout=10_000) as blocker:
        window.actionSaveSessionAs.trigger()
    wait_idle(s)
    assert blocker.args == ["Could not save the session",
                            f"{path}: the disk is full: free some space or choose another place"]
    assert path.read_bytes() == b"an older lecture" and _leftovers(tmp_path) == []
    assert s.file_path is None and s.has_unsaved_training and window.windowTitle().startswith("nnviz — untitled")
    window.discard_and_close()


def test_exports_and_csv_history_on_a_full_disk(qtbot, wait_idle, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    from nnviz.app import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.session.run_iteration()
    wait_idle(window.session)
    history = tmp_path / "history.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(history), ""))
    real_fsync = os.fsync
    _full_disk(monkeypatch)
    window.exports.actionExportHistory.trigger()  # written on a thread of its own
    qtbot.waitUntil(lambda: window.exports.exporting == 0, timeout=10_000)
    assert window.error_box.windowTitle() == "Could not export"
    assert window.error_box.text() == f"{history}: the disk is full: free some space or choose another place"
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)  # space again: the same export works
    window.error_box.accept()
    window.exports.actionExportHistory.trigger()
    qtbot.waitUntil(lambda: window.exports.exporting == 0, timeout=10_000)
    assert history.read_text().count("\n") == 2 and _leftovers(tmp_path) == []
    window.discard_and_close()


def test_a_trace_on_a_full_disk_is_one_error_line_and_no_file(tmp_path, monkeypatch, capsys):
    from nnviz.cli import main

    real = np.lib.format.write_array
    written = []

    def fill_up(*args, **kwargs):
        written.append(1)
        if len(written) > 40:  # a few iterations in, the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", fill_up)
    trace = tmp_path / "trace.npz"
    assert main(["train", "demo:xor", "--iterations", "10", "--trace", str(trace)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: --trace {trace}: the disk is full: free some space or choose another place\n"
    assert list(tmp_path.iterdir()) == []
