"""nnviz animate and File ▸ Export ▸ Animation: files read back, frame counts and sizes checked."""
from __future__ import annotations

import builtins

import pytest

from nnviz import cli
from nnviz.data import load_demo
from nnviz.session import Session
from nnviz.session.design import Design
from nnviz.session.persist import save_session

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def xor_session(tmp_path, qtbot):
    """A saved 2-4-1 network on XOR (17 operations an iteration), at its first step."""
    session = Session(load_demo("xor"), Design(hidden=(4,), activations=("tanh",), learning_rate=0.5))
    path = tmp_path / "xor.nnviz"
    save_session(path, session.snapshot())
    session.close()
    return path


def _frames(path) -> tuple[int, tuple[int, int], str]:
    with Image.open(path) as image:
        return image.n_frames, image.size, image.format


def test_a_forward_pass_as_gif(xor_session, tmp_path, capsys):
    out = tmp_path / "forward.gif"
    code = cli.main(["animate", str(xor_session), "--from", "Z1", "--to", "J", "--size", "640x360",
                     "--seconds-per-step", "0.5", "--out", str(out)])
    assert code == 0
    assert _frames(out) == (5, (640, 360), "GIF")  # Z1, A1, Z2, A2, J
    with Image.open(out) as image:
        assert image.info["duration"] == 500
        image.seek(4)
        last = image.convert("RGB")
        image.seek(0)
        first = image.convert("RGB")
    assert first.tobytes() != last.tobytes()  # the frames show different operations
    assert "5 frames of 640×360" in capsys.readouterr().out


def test_iterations_later_as_animated_png(xor_session, tmp_path):
    out = tmp_path / "training.png"
    assert cli.main(["animate", str(xor_session), "--from", "W2", "--to", "b2", "--iterations", "2",
                     "--size", "480x270", "--out", str(out)]) == 0
    assert _frames(out) == (2 + 2 * 17, (480, 270), "PNG")


def test_mp4(xor_session, tmp_path):
    imageio = pytest.importorskip("imageio.v2")
    pytest.importorskip("imageio_ffmpeg")
    out = tmp_path / "backward.mp4"
    assert cli.main(["animate", str(xor_session), "--from", "dA2", "--to", "db1", "--size", "640x360",
                     "--seconds-per-step", "0.2", "--out", str(out)]) == 0
    reader = imageio.get_reader(str(out))
    try:
        assert reader.count_frames() == 8 * 2  # 8 operations, each 0.2 s at 10 frames a second
        assert tuple(reader.get_meta_data()["size"]) == (640, 360)
    finally:
        reader.close()
    assert not list(tmp_path.glob(".*part*"))  # the temporary file was renamed


@pytest.mark.parametrize("arguments, message", [
    (["--from", "Q7", "--to", "J"], "--from Q7 is not an operation of this network"),
    (["--from", "Z1", "--to", "dW9"], "--to dW9 is not an operation"),
    (["--from", "Z1", "--to", "J", "--size", "big"], "--size takes WIDTHxHEIGHT"),
    (["--from", "Z1", "--to", "J", "--size", "10x10"], "from 320x240"),
])
def test_bad_input_exits_2_with_one_error_line(xor_session, tmp_path, capsys, arguments, message):
    out = tmp_path / "a.gif"
    assert cli.main(["animate", str(xor_session), *arguments, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert not out.exists()


def test_bad_files_exit_2(tmp_path, capsys, xor_session):
    cases = [([str(tmp_path / "missing.nnviz"), "--out", str(tmp_path / "a.gif")], "missing.nnviz"),
             ([str(xor_session), "--out", str(tmp_path / "a.avi")], "must end in .gif, .png"),
             ([str(xor_session), "--out", str(tmp_path / "no" / "a.gif")], "does not exist")]
    broken = tmp_path / "broken.nnviz"
    broken.write_bytes(b"not a session")
    cases.append(([str(broken), "--out", str(tmp_path / "b.gif")], "broken.nnviz"))
    for arguments, message in cases:
        assert cli.main(["animate", *arguments[:1], "--from", "Z1", "--to", "J", *arguments[1:]]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err


def test_a_missing_encoder_names_the_extra(xor_session, tmp_path, capsys, monkeypatch):
    real_import = builtins.__import__

    def without(name, *args, **kwargs):
        if name.split(".")[0] in ("PIL", "imageio_ffmpeg"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without)
    assert cli.main(["animate", str(xor_session), "--from", "Z1", "--to", "J", "--out", str(tmp_path / "a.gif")]) == 2
    assert "pip install 'nnviz[animate]'" in capsys.readouterr().err
    assert cli.main(["animate", str(xor_session), "--from", "Z1", "--to", "J", "--out", str(tmp_path / "a.mp4")]) == 2
    assert "pip install 'nnviz[mp4]'" in capsys.readouterr().err


def test_export_animation_from_the_window(default_window, wait_idle, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = default_window
    w.open_source("demo:xor")
    wait_idle(w.session)
    before = (w.session.iteration, w.session.position)
    action = w.findChild(type(w.animation_export.action), "actionExportAnimation")
    assert action in w.menus["export"].actions()
    out = tmp_path / "window.gif"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    dialog = w.animation_export.open()
    dialog.start_box.setCurrentIndex(dialog.start_box.findData("Z1"))
    dialog.end_box.setCurrentIndex(dialog.end_box.findData("A1"))
    dialog.size_box.setCurrentText("1024x768")
    assert dialog.frame_count() == 2
    dialog.accept()
    assert w.animation_export.progress is not None  # the progress dialog while it renders
    qtbot.waitUntil(lambda: w.animation_export.renderer is None, timeout=30_000)
    assert "Saved" in w.animation_export.last_message
    assert _frames(out) == (2, (1024, 768), "GIF")
    assert (w.session.iteration, w.session.position) == before  # the window's own session did not move
