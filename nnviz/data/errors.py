"""The one error type every loader raises: a one-line message a user can act on, with a structured fix
that each front end words its own way (the command line as a flag, the window as a control)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

FIX = "{fix}"  # where a message's fix is worded


@dataclass(frozen=True)
class Fix:
    """What the user can change to put a problem right: set ``setting`` (``"output"``) to ``value``
    (``"linear"``), or, with no value, choose ``setting`` (``"label_column"``) themselves."""

    setting: str
    value: str | None = None

    def plain(self) -> str:
        """A wording of no front end in particular, for logs: ``output linear``, ``choose the label column``."""
        name = self.setting.replace("_", " ")
        return f"{name} {self.value}" if self.value else f"choose the {name}"


FixWording = Callable[[Fix], str]


class FixableError(Exception):
    """An error whose message may leave ``{fix}`` for the front end to word (``worded``);
    ``str(err)`` words it plainly."""

    def __init__(self, message: str, fix: Fix | None = None) -> None:
        super().__init__(message)
        self.message, self.fix = message, fix

    def worded(self, word: FixWording | None = None) -> str:
        """The message with its fix worded by ``word`` (plainly without one)."""
        if self.fix is None:
            return self.message
        return self.message.replace(FIX, (word or Fix.plain)(self.fix))

    def __str__(self) -> str:
        return self.worded()


def worded(err: BaseException, word: FixWording | None = None) -> str:
    """Any error's one line, its fix worded by ``word`` when it carries one."""
    return err.worded(word) if isinstance(err, FixableError) else str(err)


class DataError(FixableError):
    """A dataset could not be loaded or does not fit the network.

    ``str(err)`` is a single human-readable line that names the file and, where it
    applies, the line, column or key, and says what was expected; ``fix`` says what to change.
    """
