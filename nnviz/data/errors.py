"""The one error type every loader raises: a one-line message a user can act on."""
from __future__ import annotations


class DataError(Exception):
    """A dataset could not be loaded or does not fit the network.

    ``str(err)`` is a single human-readable line that names the file and, where it
    applies, the line, column or key, and says what was expected.
    """
