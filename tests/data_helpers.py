"""Helpers shared by the data tests."""
from __future__ import annotations

import pytest

from nnviz.data import DataError, load_dataset


def error_of(path, **kwargs) -> str:
    """The one-line message load_dataset raises for ``path`` (the test fails if it loads)."""
    with pytest.raises(DataError) as info:
        load_dataset(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message
