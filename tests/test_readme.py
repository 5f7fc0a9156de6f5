"""The README's Python example runs as written (on the course files, fewer iterations)."""
from __future__ import annotations

import os
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_python_api_example_runs(course_data, tmp_path, capsys):
    code = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    code = code.replace("stepper.train(2500,", "stepper.train(3,")  # the same calls, a shorter run
    for name in ("train_catvnoncat.h5", "test_catvnoncat.h5"):
        (tmp_path / name).symlink_to(course_data / name)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert namespace["record"].shape_algebra() == "W[1] (7×12288) · A[0] (12288×209) + b[1] (7×1) → 7×209"
    assert namespace["stepper"].iteration == 3  # the first iteration finished by train, then two more
    assert [r.symbol for r in namespace["rows"]] == ["W[1]", "b[1]", "W[2]", "b[2]", "W[3]", "b[3]"]
    assert all(r.relative_difference < 1e-7 for r in namespace["rows"])
