"""Session files a careless or hostile user could hand nnviz: every one gets one line, and opening is all or nothing.

The files are crafted here, member by member, from a session nnviz really saved."""
from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from nnviz.app import MainWindow
from nnviz.data import Dataset
from nnviz.session import Design, Session
from nnviz.session import persist
from nnviz.session.persist import SessionFileError, read_state


def _toy(m: int = 90, seed: int = 2) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, m))
    return Dataset(X=X, Y=(X[:1] ** 2 + X[1:] ** 2 < 1.2).astype(float), class_names=["out", "in"], source="toy",
                   name="toy")


DESIGN = Design(hidden=(6, 4), activations=("tanh", "tanh"), learning_rate=0.3)


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    array = np.asarray(array)
    np.lib.format.write_array(buffer, array, allow_pickle=array.dtype.hasobject)
    return buffer.getvalue()


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename[:-4]: archive.read(info) for info in archive.infolist()}


def _meta(members: dict[str, bytes]) -> dict:
    return json.loads(str(np.lib.format.read_array(io.BytesIO(members["meta"]))[()]))


def _write(path: Path, members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for key, data in members.items():
            archive.writestr(key + ".npy", data)
    return path


def _craft(good: Path, path: Path, *, meta: dict | None = None, arrays: dict | None = None, drop=(),
           raw_meta: str | None = None) -> Path:
    """A copy of ``good`` with meta entries changed (None deletes), arrays replaced or added, members dropped."""
    members = _members(good)
    info = _meta(members)
    for key, value in (meta or {}).items():
        target, _, leaf = key.rpartition(".")
        where = info[target] if target else info
        if value is None:
            where.pop(leaf, None)
        else:
            where[leaf] = value
    members["meta"] = _npy(np.array(raw_meta if raw_meta is not None else json.dumps(info)))
    for key, value in (arrays or {}).items():
        members[key] = value if isinstance(value, bytes) else _npy(value)
    for key in drop:
        del members[key]
    return _write(path, members)


def _patch_central(path: Path, offset: int, fmt: str, value: int, only: str | None = None) -> Path:
    """Overwrite one field (at ``offset`` of the central-directory entry, two bytes earlier in the
    local header) of every member, or of the member called ``only``."""
    data = bytearray(path.read_bytes())
    for signature, field, name_at, length_at in ((b"PK\x01\x02", offset, 46, 28), (b"PK\x03\x04", offset - 2, 30, 26)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + length_at)[0]
            if only is None or data[at + name_at:at + name_at + length] == only.encode():
                struct.pack_into(fmt, data, at + field, value)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def good(make_session, wait_idle, tmp_path) -> Path:
    """A real session, saved after 3 iterations and 5 operations of the 4th."""
    session = make_session(_toy(), DESIGN)
    for _ in range(3):
        session.run_iteration()
        wait_idle(session)
    session.run_through(4)
    wait_idle(session)
    path = tmp_path / "good.nnviz"
    session.save(str(path))
    wait_idle(session)
    assert session.file_path == str(path)
    return path


def _bad_files(good: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what the message must say)."""
    d = folder
    members = _members(good)
    X = np.lib.format.read_array(io.BytesIO(members["data/X"]))
    Y = np.lib.format.read_array(io.BytesIO(members["data/Y"]))
    W1 = np.lib.format.read_array(io.BytesIO(members["values/W1"]))
    cases = {
        "Y one column more": (_craft(good, d / "ycol.nnviz", arrays={"data/Y": np.hstack([Y, Y[:, :1]])}),
                              "Y has 91 columns but X has 90"),
        "seed -1": (_craft(good, d / "seed-1.nnviz", meta={"design.seed": -1}), "the seed must be 0 or more, got -1"),
        "seed 1.5": (_craft(good, d / "seed15.nnviz", meta={"design.seed": 1.5}),
                     "the seed must be a whole number, got 1.5"),
        "legacy seed 2**32": (_craft(good, d / "legacy.nnviz", meta={"design.rng": "legacy", "design.seed": 2**32}),
                              "the legacy generator takes seeds from 0 to 4294967295"),
        "softmax with one output": (_craft(good, d / "softmax.nnviz", meta={"design.output": "softmax"}),
                                    "a softmax output needs at least 2 units"),
        "1-D X": (_craft(good, d / "x1d.nnviz", arrays={"data/X": X[0]}), "X has 1 dimension (90)"),
        "no arrays at all": (_write(d / "empty.nnviz", {"meta": members["meta"]}), "its data has no X"),
        "no version": (_craft(good, d / "nover.nnviz", meta={"version": None}),
                       "not an nnviz session file (it has no version)"),
        "version 'one'": (_craft(good, d / "verstr.nnviz", meta={"version": "one"}),
                          "its session version 'one' is not a whole number of 1 or more"),
        "version 0": (_craft(good, d / "ver0.nnviz", meta={"version": 0}), "session version 0 is not a whole number"),
        "version -3": (_craft(good, d / "verneg.nnviz", meta={"version": -3}), "session version -3 is not"),
        "version 99": (_craft(good, d / "ver99.nnviz", meta={"version": 99}), "saved by a newer nnviz"),
        "W1 absent": (_craft(good, d / "now1.nnviz", drop=["values/W1"]), "it has no values/W1"),
        "W1 of strings": (_craft(good, d / "w1str.nnviz", arrays={"values/W1": W1.astype(str)}),
                          "values/W1 holds text, not real numbers"),
        "W1 of objects": (_craft(good, d / "w1obj.nnviz", arrays={"values/W1": W1.astype(object)}),
                          "values/W1 holds Python objects"),
        "W1 complex": (_craft(good, d / "w1c.nnviz", arrays={"values/W1": W1 + 1j}),
                       "values/W1 holds complex numbers"),
        "W1 of ints": (_craft(good, d / "w1int.nnviz", arrays={"values/W1": W1.astype(np.int64)}),
                       "values/W1 holds int64, not float64"),
        "W1 wrong shape": (_craft(good, d / "w1shape.nnviz", arrays={"values/W1": W1.T}),
                           "values/W1 is 2×6, but the 2-6-4-1 network on 90 examples needs 6×2"),
        "negative iteration": (_craft(good, d / "itneg.nnviz", meta={"iteration": -1}),
                               "its iteration -1 is not between 0 and"),
        "infinite iteration": (_craft(good, d / "itinf.nnviz", raw_meta=json.dumps(_meta(members)).replace(
            '"iteration": 3', '"iteration": Infinity')), "its iteration inf is not a whole number"),
        "fractional position": (_craft(good, d / "pos.nnviz", meta={"position": 2.5}),
                                "its position 2.5 is not a whole number"),
        "position past the plan": (_craft(good, d / "pos99.nnviz", meta={"position": 99}),
                                   "its position 99 is not a step of the 2-6-4-1 network"),
        "history too short": (_craft(good, d / "hist.nnviz", arrays={"history/cost": np.zeros(2)}),
                              "history/cost is 2, but the 2-6-4-1 network on 90 examples needs 3"),
        "deeply nested meta": (_craft(good, d / "deep.nnviz", raw_meta='{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"),
                               "not an nnviz session file (its 'meta' entry is not readable: RecursionError)"),
        "meta is a list": (_craft(good, d / "metalist.nnviz", raw_meta="[1, 2]"), "not an nnviz session file"),
        "unknown member": (_craft(good, d / "extra.nnviz", arrays={"evil/x": np.zeros(3)}),
                           "it holds 'evil/x', which nnviz does not know"),
        "value of another network": (_craft(good, d / "w9.nnviz", arrays={"values/W9": np.zeros((2, 2))}),
                                     "values/W9 is not an array of the 2-6-4-1 network"),
        "example shape that does not fit": (_craft(good, d / "shape.nnviz", meta={"dataset.example_shape": [64, 64, 3]}),
                                            "the example shape [64, 64, 3] does not fit X's 2 rows"),
        "NaN in X": (_craft(good, d / "nan.nnviz", arrays={"data/X": np.where(X > 1, np.nan, X)}),
                     "its X contains NaN or infinite values"),
        "labels that do not fit sigmoid": (_craft(good, d / "labels.nnviz", arrays={"data/Y": Y * 3}),
                                           "the sigmoid output does not fit its labels"),
        "a text file": (d / "text.nnviz", "text.nnviz: not an nnviz session file"),
        "half a file": (d / "cut.nnviz", "cut.nnviz: damaged or cut short (its archive is incomplete)"),
        "a folder": (d / "folder.nnviz", "folder.nnviz: not a file"),
        "a missing file": (d / "missing.nnviz", "missing.nnviz: no such file"),
    }
    (d / "text.nnviz").write_text("hello, this is not a session")
    (d / "cut.nnviz").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    (d / "folder.nnviz").mkdir()
    encrypted = _patch_central(_craft(good, d / "encrypted.nnviz"), 8, "<H", 1)
    cases["an encrypted member"] = (encrypted, "encrypted.nnviz: encrypted")
    method = _patch_central(_craft(good, d / "method.nnviz"), 10, "<H", 99)
    cases["an unknown compression"] = (method, "is compressed with a method nnviz does not read")
    bad_crc = bytearray(good.read_bytes())
    at = bad_crc.rfind(_members(good)["values/W1"][-16:])  # the last bytes of W1's data
    bad_crc[at] ^= 0xFF
    (d / "crc.nnviz").write_bytes(bytes(bad_crc))
    cases["a flipped byte"] = (d / "crc.nnviz", "values/W1 is not a readable array (its checksum does not match)")
    return cases


def test_every_bad_file_is_refused_with_what_is_wrong(good, tmp_path):
    assert read_state(good).iteration == 3  # the original opens
    for case, (path, expected) in _bad_files(good, tmp_path).items():
        with pytest.raises(SessionFileError) as caught:
            read_state(path)
        message = str(caught.value)
        assert expected in message, (case, message)
        assert message.startswith(f"{path.name}: "), (case, message)
        assert "\n" not in message, case


def test_a_member_declaring_more_than_its_array_is_refused_before_inflating(good, tmp_path, monkeypatch):
    # the header says X is 2×500000000 (8 GB); the member holds a few bytes
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2, 500_000_000)})
    huge = _craft(good, tmp_path / "huge.nnviz", arrays={"data/X": header.getvalue() + b"\0" * 64})
    with pytest.raises(SessionFileError, match=r"data/X declares .* but a 2×500000000 float64 array is 8.0 GB"):
        read_state(huge)
    # the size the archive declares, patched to 4 GB, against what the header says
    declared = _patch_central(_craft(good, tmp_path / "declared.nnviz"), 24, "<I", 0xFFFF_FFF0, only="data/X.npy")
    with pytest.raises(SessionFileError, match=r"data/X declares 4.3 GB but a 2×90 float64 array is 1.6 KB"):
        read_state(declared)
    meta = _patch_central(_craft(good, tmp_path / "meta.nnviz"), 24, "<I", 0xFFFF_FFF0, only="meta.npy")
    with pytest.raises(SessionFileError, match=r"meta.nnviz: not an nnviz session file \(its 'meta' entry is 4.3 GB\)"):
        read_state(meta)


def test_size_is_checked_against_memory_before_anything_is_inflated(tmp_path, monkeypatch):
    """A small file whose X inflates to 98 MB: refused from its headers, nothing read."""
    m = 1000
    state_design = Design(hidden=(7, 5), activations=("relu", "relu"))
    meta = {"format": "nnviz-session", "version": 1, "design": state_design.to_dict(),
            "dataset": {"source": "", "name": "zeros", "class_names": ["a", "b"], "example_shape": [64, 64, 3],
                        "embedded": True}, "iteration": 0, "position": 0}
    spec = state_design.spec(12288, 1)
    members = {"meta": _npy(np.array(json.dumps(meta))), "data/X": _npy(np.zeros((12288, m))),
               "data/Y": _npy(np.zeros((1, m))), "history/cost": _npy(np.zeros(0)),
               "history/grad_norms": _npy(np.zeros((0, 3)))}
    for l in range(1, 4):
        members[f"values/W{l}"] = _npy(np.zeros(spec.weight_shape(l)))
        members[f"values/b{l}"] = _npy(np.zeros((spec.sizes[l], 1)))
    bomb = _write(tmp_path / "bomb.nnviz", members, zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 1_000_000
    read = []
    real = persist._read_array
    monkeypatch.setattr(persist, "_read_array", lambda *a: read.append(a[2]) or real(*a))
    monkeypatch.setattr(persist, "available_memory", lambda: 50_000_000)
    with pytest.raises(SessionFileError, match=r"bomb.nnviz: needs 100.8 MB of memory to open, but only 50.0 MB is available"):
        read_state(bomb)
    assert read == []  # refused from the headers alone
    monkeypatch.setattr(persist, "available_memory", lambda: 8 * 2**30)
    assert read_state(bomb).dataset.X.shape == (12288, m) and "data/X" in read


# -- through the window: all or nothing --------------------------------------------------------------------
def _toy_window(qtbot) -> MainWindow:
    window = MainWindow(Session(_toy(), DESIGN))
    qtbot.addWidget(window)
    return window


def _designer_state(window) -> tuple:
    d = window.designer
    rows = tuple((d.table.cellWidget(r, 0).value(), d.table.cellWidget(r, 1).currentText())
                 for r in range(d.table.rowCount()))
    return (rows, d.output_combo.currentData(), d.init_combo.currentData(), d.rng_combo.currentData(),
            d.seed_spin.value(), d.lr_spin.value(), d.selected_layer())


def window_state(window) -> tuple:
    """Everything a user can see or continue from."""
    s = window.session
    return (window.windowTitle(), s.file_path, s.dataset.name, s.dataset.X.tobytes(), s.design, s.spec,
            s.iteration, s.position, tuple(s.history.costs), s.undo_stack.count(), s.undo_stack.index(),
            {k: v.tobytes() for k, v in s.values.items()}, _designer_state(window),
            window.position_label.text())


def _answer_open(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def test_opening_a_bad_session_in_the_window_changes_nothing(qtbot, wait_idle, monkeypatch, good, tmp_path):
    window = _toy_window(qtbot)
    s = window.session
    for _ in range(2):
        window.actionIteration.trigger()
        wait_idle(s)
    before = window_state(window)
    for case, (path, expected) in _bad_files(good, tmp_path).items():
        _answer_open(monkeypatch, path)
        with qtbot.waitSignal(s.error, timeout=5000) as blocker:
            window.actionOpenSession.trigger()
        wait_idle(s)
        title, message = blocker.args
        assert title == "Could not open the session" and message.startswith(f"{path.name}: ") and expected in message, case
        assert window.statusBar().currentMessage() == f"Could not open the session: {message}"
        assert window_state(window) == before, case
        window.error_box.accept()
    # and the session still trains and saves a file that reopens
    window.actionIteration.trigger()
    wait_idle(s)
    again = tmp_path / "again.nnviz"
    s.save(str(again))
    wait_idle(s)
    assert read_state(again).iteration == 3
    window.discard_and_close()


def test_restore_checks_everything_before_it_changes_anything(make_session, good):
    session = make_session(_toy(), DESIGN)
    before = (session.dataset, session.design, session.values["W1"], session.file_path)
    state = read_state(good)
    state.values["W1"] = state.values["W1"][:, :1]
    with pytest.raises(SessionFileError, match="values/W1 is 6×1"):
        session.restore(state)
    assert (session.dataset, session.design, session.values["W1"], session.file_path) == before


# -- Ctrl+S after the data or the network was replaced ---------------------------------------------------
def _save_dialog(monkeypatch, answers: list) -> list:
    asked = []

    def save(parent, caption, start, filters):
        asked.append(start)
        return (str(answers.pop(0)), "") if answers else ("", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    return asked


@pytest.mark.parametrize("replace", ["demo set", "hidden units", "seed"])
def test_save_after_replacing_data_or_network_asks_for_a_new_name(qtbot, wait_idle, monkeypatch, tmp_path, replace,
                                                                    answered_questions):
    window = _toy_window(qtbot)
    s = window.session
    lecture = tmp_path / "lecture1.nnviz"
    asked = _save_dialog(monkeypatch, [lecture])
    window.actionIteration.trigger()
    wait_idle(s)
    window.actionSaveSessionAs.trigger()
    wait_idle(s)
    assert s.file_path == str(lecture) and "lecture1.nnviz" in window.windowTitle()
    saved = lecture.read_bytes()
    if replace == "demo set":
        window.findChild(type(window.actionQuit), "actionDemo_circles").trigger()
    elif replace == "hidden units":
        window.designer.table.cellWidget(0, 0).setValue(9)
    else:
        window.designer.seed_spin.setValue(5)
    wait_idle(s)
    assert answered_questions.asked == []  # nothing unsaved: no question
    assert s.file_path is None and "lecture1" not in window.windowTitle() and "untitled" in window.windowTitle()
    for _ in range(2):
        window.actionIteration.trigger()
        wait_idle(s)
    assert window.windowTitle().startswith("nnviz — untitled (")
    window.actionSaveSession.trigger()  # Ctrl+S: asks for a name; cancelled here
    wait_idle(s)
    assert len(asked) == 2 and lecture.read_bytes() == saved and s.file_path is None
    window.discard_and_close()


# -- every path that throws training away asks; Cancel leaves everything as it was ------------------------
def _trained_window(qtbot, wait_idle, iterations: int = 3) -> MainWindow:
    window = _toy_window(qtbot)
    for _ in range(iterations):
        window.actionIteration.trigger()
        wait_idle(window.session)
    return window


def _actions(window, monkeypatch, tmp_path) -> dict:
    d = window.designer
    npz = tmp_path / "other.npz"
    rng = np.random.default_rng(5)
    np.savez(npz, X=rng.standard_normal((3, 40)), Y=(rng.random((1, 40)) > 0.5).astype(float))
    return {
        "open a dataset": lambda: (_answer_open(monkeypatch, npz), window.actionOpenDataset.trigger()),
        "pick a demo set": lambda: window.findChild(type(window.actionQuit), "actionDemo_xor").trigger(),
        "units": lambda: d.table.cellWidget(0, 0).setValue(11),
        "add a layer": lambda: (d.table.selectRow(0), d.add_button.click()),
        "remove a layer": lambda: (d.table.selectRow(1), d.remove_button.click()),
        "activation": lambda: d.table.cellWidget(1, 1).setCurrentText("relu"),
        "init": lambda: d.init_combo.setCurrentIndex(d.init_combo.findData("xavier")),
        "generator": lambda: d.rng_combo.setCurrentIndex(d.rng_combo.findData("legacy")),
        "seed": lambda: d.seed_spin.setValue(42),
        "output": lambda: d.output_combo.setCurrentIndex(d.output_combo.findData("linear")),
        "open a session": lambda: (_answer_open(monkeypatch, tmp_path / "other.nnviz"),
                                   window.actionOpenSession.trigger()),
        "reset": lambda: window.actionReset.trigger(),
    }


def test_cancel_on_every_path_that_discards_training_keeps_everything(qtbot, wait_idle, monkeypatch, tmp_path,
                                                                       answered_questions, make_session):
    from PySide6.QtWidgets import QMessageBox

    other = make_session(_toy(70, seed=9), DESIGN)
    other.save(str(tmp_path / "other.nnviz"))
    wait_idle(other)
    window = _trained_window(qtbot, wait_idle, iterations=120)  # Reset asks only after a long run
    s = window.session
    window.designer.table.selectRow(0)
    answered_questions.answer = QMessageBox.StandardButton.Cancel
    before = window_state(window)
    for name, act in _actions(window, monkeypatch, tmp_path).items():
        asked = len(answered_questions.asked)
        act()
        wait_idle(s)
        assert len(answered_questions.asked) == asked + 1, name
        assert "120 iterations of training are not saved" in answered_questions.asked[-1], name
        if name == "add a layer" or name == "remove a layer":
            window.designer.table.selectRow(0)  # the test's own selection for the next edit
        assert window_state(window) == before, name
    window.discard_and_close()


def test_discard_applies_and_save_saves_first(qtbot, wait_idle, monkeypatch, tmp_path, answered_questions):
    from PySide6.QtWidgets import QMessageBox

    window = _trained_window(qtbot, wait_idle)
    s = window.session
    answered_questions.answer = QMessageBox.StandardButton.Discard
    window.designer.table.cellWidget(0, 0).setValue(11)
    wait_idle(s)
    assert s.design.hidden == (11, 4) and s.iteration == 0 and len(answered_questions.asked) == 1
    assert "change the network (Hidden layers 6-4 → 11-4)" in answered_questions.asked[0]
    for _ in range(2):
        window.actionIteration.trigger()
        wait_idle(s)
    # Undo would bring back the old network at iteration 0: it asks too; Save first, then undo
    answered_questions.answer = QMessageBox.StandardButton.Save
    saved = tmp_path / "before-undo.nnviz"
    _save_dialog(monkeypatch, [saved])
    window.actionUndo.trigger()
    wait_idle(s)
    assert "undo Hidden layers 6-4 → 11-4" in answered_questions.asked[-1]
    assert read_state(saved).iteration == 2 and read_state(saved).design.hidden == (11, 4)
    assert s.design.hidden == (6, 4) and s.undo_stack.index() == 0
    window.discard_and_close()


def test_cancelled_undo_keeps_the_trained_network(qtbot, wait_idle, answered_questions):
    from PySide6.QtWidgets import QMessageBox

    window = _toy_window(qtbot)
    s = window.session
    window.designer.seed_spin.setValue(3)  # nothing trained yet: no question
    wait_idle(s)
    assert answered_questions.asked == [] and s.design.seed == 3
    for _ in range(2):
        window.actionIteration.trigger()
        wait_idle(s)
    answered_questions.answer = QMessageBox.StandardButton.Cancel
    before = window_state(window)
    window.actionUndo.trigger()
    wait_idle(s)
    assert len(answered_questions.asked) == 1 and window_state(window) == before
    window.actionRedo.trigger()  # nothing to redo: no question
    assert len(answered_questions.asked) == 1
    window.discard_and_close()


def test_a_network_too_large_for_memory_is_refused_in_the_window(qtbot, wait_idle, monkeypatch):
    import nnviz.data.memory as memory

    window = _toy_window(qtbot)
    s = window.session
    monkeypatch.setattr(memory, "available_memory", lambda: 20_000)
    before = window_state(window)
    with qtbot.waitSignal(s.error, timeout=3000) as blocker:
        window.designer.table.cellWidget(0, 0).setValue(4000)
    assert blocker.args[0] == "Could not change the network"
    assert "the 2-4000-4-1 network: its arrays on 90 examples would need" in blocker.args[1]
    assert "use fewer or smaller layers" in blocker.args[1]
    assert window_state(window) == before
    window.discard_and_close()
