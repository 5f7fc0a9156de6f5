"""Shared test set-up: Qt offscreen (no display needed), the course data folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

COURSE_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "catvnoncat"


@pytest.fixture
def course_data() -> Path:
    """The course's real HDF5 files; the test skips where they are absent (a fresh clone)."""
    if not (COURSE_DATA / "train_catvnoncat.h5").is_file():
        pytest.skip(f"course data not found at {COURSE_DATA}")
    return COURSE_DATA
