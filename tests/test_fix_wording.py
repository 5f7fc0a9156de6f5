"""A data error's fix is worded by the front end: the command line as a flag, the window as its control."""
from __future__ import annotations

from nnviz.app import MainWindow
from nnviz.cli import main
from nnviz.data import load_dataset
from nnviz.session import Design, Session
from nnviz.session import persist

LINEAR = "choose Output: linear · squared error in the Design panel"


def _csv(path, labels) -> str:
    path.write_text("".join(f"{i % 3},{(i * 7) % 5},{y}\n" for i, y in enumerate(labels)))
    return str(path)


def test_the_command_line_words_the_fix_as_its_flag(tmp_path, capsys):
    data = _csv(tmp_path / "real.csv", [0.5 * i for i in range(12)])
    assert main(["train", data, "--output", "sigmoid", "--iterations", "1"]) == 2
    err = capsys.readouterr().err
    assert err == ("error: real.csv: labels take values other than 0 and 1 (e.g. 0.5); a sigmoid output needs "
                   "0/1 labels: relabel the two classes as 0 and 1, or use a linear output (--output linear) "
                   "for real-valued targets\n")
    names = _csv(tmp_path / "names.csv", [f"n{i}" for i in range(1001)])
    assert main(["info", names]) == 2
    assert capsys.readouterr().err.endswith("(is the label column right? choose it with --label-column)\n")


def test_the_designer_names_the_output_control_on_real_valued_data(qtbot, wait_idle, tmp_path):
    window = MainWindow(Session(load_dataset(_csv(tmp_path / "real.csv", [0.5 * i for i in range(12)])),
                                Design(hidden=(3,), activations=("relu",), output="linear")))
    qtbot.addWidget(window)
    wait_idle(window.session)
    combo = window.designer.output_combo
    sigmoid = combo.model().item(combo.findData("sigmoid"))
    assert not sigmoid.isEnabled()
    assert sigmoid.toolTip().endswith(f"use a linear output ({LINEAR}) for real-valued targets")
    assert "--" not in sigmoid.toolTip()
    assert combo.itemText(combo.findData("linear")) in LINEAR  # the wording is the combo's own text
    window.close()


def test_opening_data_in_the_window_names_the_load_option_not_the_flag(qtbot, wait_idle, tmp_path):
    window = MainWindow(Session(load_dataset("demo:xor"), Design(hidden=(3,), activations=("relu",))))
    qtbot.addWidget(window)
    window.session.open_dataset(_csv(tmp_path / "names.csv", [f"n{i}" for i in range(1001)]))
    wait_idle(window.session)
    qtbot.waitUntil(lambda: window.error_box is not None)
    line = window.statusBar().currentMessage()
    assert line.startswith("Could not open the dataset: ") and "names.csv: the label column has 1001" in line
    assert line.endswith("(is the label column right? choose it in Label column of the Data panel's Load options)")
    assert "--label-column" not in line and "--label-column" not in window.error_box.text()
    window.error_box.close()
    window.close()


def test_a_session_whose_data_no_longer_fits_names_the_output_control(qtbot, wait_idle, tmp_path, monkeypatch):
    data = tmp_path / "d.csv"
    _csv(data, [i % 2 for i in range(12)])
    window = MainWindow(Session(load_dataset(str(data)), Design(hidden=(3,), activations=("relu",))))
    qtbot.addWidget(window)
    s = window.session
    wait_idle(s)
    assert s.design.output == "sigmoid"
    monkeypatch.setattr(persist, "EMBED_LIMIT", 0)  # the file names its data instead of holding it
    path = tmp_path / "s.nnviz"
    s.save(str(path))
    wait_idle(s)
    _csv(data, [0.5 * i for i in range(12)])  # the data file changed: real values now
    window.session.open_session(str(path))
    wait_idle(s)
    qtbot.waitUntil(lambda: window.error_box is not None)
    line = window.statusBar().currentMessage()
    assert line.startswith("Could not open the session: ") and "the sigmoid output does not fit its labels" in line
    assert f"use a linear output ({LINEAR})" in line and "--output" not in line
    window.error_box.close()
    window.close()
