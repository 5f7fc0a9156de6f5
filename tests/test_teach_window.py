"""Qt conventions: Help ▸ Keyboard Shortcuts and About, File ▸ New, drop a file to open it, dialogs start where the last one was."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog

from nnviz import __version__


def drop(window, path) -> bool:
    """Drag ``path`` over the window and drop it, as a file manager does; returns whether the drag was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    accepted = enter.isAccepted()
    if accepted:
        QApplication.sendEvent(window, QDropEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                                                  Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    return accepted


def test_help_menu_lists_shortcuts_and_about(qtbot, default_window):
    window = default_window
    help_actions = [a.objectName() for a in window.menus["help"].actions()]
    assert "actionKeyboardShortcuts" in help_actions and "actionAbout" in help_actions
    rows = dict(window.teaching.shortcut_rows())
    assert rows["Step"] == "F10" and rows["Run"] == "F5"
    assert "Copy value or matrix (in the inspector)" in rows
    window.actionKeyboardShortcuts.trigger()
    dialog = window.teaching.dialog
    assert dialog.objectName() == "shortcutsDialog" and dialog.isVisible()
    assert "F10" in dialog.text() and "Numbers in Cells" in dialog.text()
    dialog.close()
    window.actionAbout.trigger()
    assert window.teaching.dialog.objectName() == "aboutDialog" and __version__ in window.teaching.dialog.text()
    window.teaching.dialog.close()


def test_file_new_asks_about_unsaved_training_then_starts_over(qtbot, default_window, wait_idle, answered_questions):
    window, session = default_window, default_window.session
    window.open_source("demo:xor")
    wait_idle(session)
    session.edit_design(session.design.edit(hidden=(3,), activations=("tanh",)))
    wait_idle(session)
    session.run_iteration()
    wait_idle(session)
    file_actions = [a.objectName() for a in window.menus["file"].actions()]
    assert file_actions[0] == "actionNew"
    answered_questions.answer = answered_questions.answer.Cancel
    window.actionNew.trigger()
    assert len(answered_questions.asked) == 1 and session.iteration == 1 and session.dataset.name != "demo:images"
    answered_questions.answer = answered_questions.answer.Discard
    window.actionNew.trigger()
    qtbot.waitUntil(lambda: session.dataset.n_x == 12288 and session.design.hidden == (7, 5) and not session.busy,
                    timeout=20_000)
    assert session.iteration == 0 and session.spec.sizes == (12288, 7, 5, 1)


def test_dropping_a_dataset_an_image_folder_or_a_session_opens_it(qtbot, default_window, wait_idle, tmp_path):
    window, session = default_window, default_window.session
    rng = np.random.default_rng(0)
    table = np.column_stack([rng.normal(size=(30, 3)), rng.integers(0, 2, 30)])
    csv = tmp_path / "points.csv"
    np.savetxt(csv, table, delimiter=",", header="a,b,c,y", comments="")
    assert drop(window, csv)
    qtbot.waitUntil(lambda: session.dataset.n_x == 3 and not session.busy, timeout=20_000)
    assert session.dataset.m == 30
    for cls, colour in (("red", (220, 20, 20)), ("green", (20, 200, 20))):
        (tmp_path / "pics" / cls).mkdir(parents=True)
        for i in range(3):
            image = QImage(8, 6, QImage.Format.Format_RGB32)
            image.fill(QColor(*colour))
            assert image.save(str(tmp_path / "pics" / cls / f"{i}.png"))
    assert drop(window, tmp_path / "pics")
    qtbot.waitUntil(lambda: session.dataset.is_image and session.dataset.m == 6 and not session.busy, timeout=20_000)
    assert session.dataset.class_names == ["green", "red"]
    saved = tmp_path / "run.nnviz"
    session.run_iteration()
    wait_idle(session)
    session.save(str(saved))
    wait_idle(session)
    session.run_iteration()
    wait_idle(session)
    assert session.iteration == 2
    assert drop(window, saved)
    qtbot.waitUntil(lambda: session.iteration == 1 and not session.busy, timeout=20_000)
    other = tmp_path / "notes.docx"
    other.write_text("not data")
    assert drop(window, other)
    assert "drop a data file" in window.statusBar().currentMessage()
    assert session.iteration == 1  # nothing was opened


def test_dialogs_start_in_the_folder_last_used(qtbot, default_window, wait_idle, tmp_path, monkeypatch):
    window, session = default_window, default_window.session
    starts = []

    def fake_open(parent, caption, start, filters="", *args, **kwargs):
        starts.append(start)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_open))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_open))
    data = tmp_path / "somewhere" / "d.csv"
    data.parent.mkdir()
    np.savetxt(data, np.column_stack([np.arange(6.0), np.arange(6) % 2]), delimiter=",")
    window.open_source(str(data))
    wait_idle(session)
    window.open_dataset()
    assert starts[-1] == str(data.parent)
    window.session_files.open()  # nothing about sessions yet: the folder last used for anything
    assert starts[-1] == str(data.parent)
    window.exports._ask_path("Export", "x.png", "PNG image (*.png)")
    assert starts[-1].startswith(str(data.parent))
