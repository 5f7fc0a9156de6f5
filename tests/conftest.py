"""Shared test set-up: Qt offscreen (no display needed), the course data folder."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_configure(config):
    """BLAS as the window runs it (the cores less one: nnviz/session/snapshot.py): on a loaded
    2-core machine a pool of 2 spinning threads makes a 1-second gradient check take 20."""
    try:
        from nnviz.session.snapshot import limit_blas_threads, window_blas_threads
    except ImportError:  # engine-only environments (no Qt): BLAS keeps its default
        return
    limit_blas_threads(window_blas_threads())

COURSE_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "catvnoncat"


@pytest.fixture
def course_data() -> Path:
    """The course's real HDF5 files; the test skips where they are absent (a fresh clone)."""
    if not (COURSE_DATA / "train_catvnoncat.h5").is_file():
        pytest.skip(f"course data not found at {COURSE_DATA}")
    return COURSE_DATA


@pytest.fixture
def course2_mat() -> Path:
    """The course 2 regularisation data (MATLAB v5); the test skips where it or scipy is absent."""
    pytest.importorskip("scipy.io")
    path = COURSE_DATA.parent / "course2" / "data.mat"
    if not path.is_file():
        pytest.skip(f"course 2 data not found at {path}")
    return path


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch):
    """QSettings go to a fresh temporary folder: tests never see or touch a user's settings."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # engine-only environments
        yield
        return
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture
def make_session(qtbot):
    """Sessions that are closed (worker thread stopped) after the test."""
    from nnviz.session import Session

    made = []

    def make(dataset=None, design=None):
        session = Session(dataset=dataset, design=design)
        made.append(session)
        return session

    yield make
    for session in made:
        session.close()


@pytest.fixture
def wait_idle(qtbot):
    """wait_idle(session): let the session's worker finish its job (the event loop keeps running)."""
    def wait(session, timeout: int = 10_000) -> None:
        qtbot.waitUntil(lambda: not session.busy, timeout=timeout)

    return wait


@pytest.fixture(autouse=True)
def answered_questions(monkeypatch):
    """Modal questions (e.g. "save before you quit?") would block a test: answer Discard and record them.

    A test that checks the question sets ``answered_questions.answer`` and reads ``.asked``."""
    try:
        from PySide6.QtWidgets import QMessageBox
    except ImportError:
        yield None
        return

    class Answers:
        answer = QMessageBox.StandardButton.Discard
        asked: list[str] = []

    answers = Answers()
    answers.asked = []

    def question(parent, title, text, *args, **kwargs):
        answers.asked.append(text)
        return answers.answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    yield answers


@pytest.fixture
def default_window(qtbot):
    """The window as ``nnviz`` opens it (the notes' network on the image demo), shown; closed after."""
    from nnviz.app import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.discard_and_close()


@pytest.fixture(autouse=True)
def everyday_appearance():
    """Every test starts (and leaves) in the light theme at the platform's text size."""
    from nnviz.views.appearance import appearance_model
    from nnviz.views.theme import Appearance

    appearance_model().set(Appearance())
    yield
    appearance_model().set(Appearance())


_exit_status = [0]


def pytest_sessionfinish(session, exitstatus):
    _exit_status[0] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave without the interpreter's teardown once a Qt application ran: with hundreds of windows
    built and closed, pyqtgraph and Qt objects destroyed at interpreter exit crashed the process
    (exit 139) after every test had passed and pytest had printed its summary.  The exit status
    is pytest's own."""
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status[0])
