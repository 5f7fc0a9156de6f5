"""The settings every format loader receives from load_dataset."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadOptions:
    """What the user asked for, passed down to the format loaders.

    classes: None to work the classes out from the labels; a list of names when
    loading a test split that must use the training data's classes (same order);
    an empty list when the training labels are real values (regression).
    """

    label_column: str | int | None = None
    image_size: int = 64
    memory_limit: int | None = None
    classes: list[str] | None = None
