"""The one atomic file writer: every file nnviz writes (sessions, exports, traces) goes through it.

A reader never sees half a file and a failed or killed save leaves the old file as it was:
the bytes go to a temporary beside the target, are flushed to disk, and replace the target
in one rename.  The temporary's name is short and fixed per target (``.nnviz-<hash>.part``),
so a valid 255-byte file name still works and a temporary left by a crash is reused (and
truncated) by the next save instead of piling up; a lock on it tells a leftover from a save
that another nnviz is making right now.  An existing file keeps its permissions (and owner,
where allowed); writing through a symbolic link updates the file it points to.

Failures raise :class:`WriteError` (an ``OSError``) whose message names the file the user
chose, never the temporary, and says what to do.  Plain Python: usable from every layer.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO, Iterator

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a leftover is simply reused
    fcntl = None

TEMPORARY_SUFFIX = ".part"
_UMASK = os.umask(0)
os.umask(_UMASK)  # read once, on import: changing the umask later would race with other threads

REASONS = {
    errno.ENOSPC: "the disk is full: free some space or choose another place",
    errno.EDQUOT: "the disk quota is used up: free some space or choose another place",
    errno.EACCES: "permission denied: choose a folder you can write to",
    errno.EPERM: "permission denied: choose a folder you can write to",
    errno.EROFS: "the place is read-only: choose a folder you can write to",
    errno.ENAMETOOLONG: "the file name is too long for this file system: choose a shorter name",
    errno.EFBIG: "the file is too large for this file system: choose another place",
    errno.EISDIR: "that is a folder: choose a file name",
    errno.ENOENT: "no file can be created there: choose another folder",
    errno.ENOTDIR: "part of the path is not a folder",
    errno.EIO: "the disk reported an input/output error: choose another place",
}


class WriteError(OSError):
    """A file could not be written: ``str(err)`` is '<the user's path>: <what is wrong and what to do>'."""

    def __init__(self, path: str | os.PathLike, reason: str, code: int | None = None) -> None:
        super().__init__(code, reason)
        self.path = str(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def temporary_name(name: str) -> str:
    """The temporary beside a target called ``name``: short (23 characters), the same on every save."""
    digest = hashlib.sha1(os.fsencode(name)).hexdigest()[:10]
    return f".nnviz-{digest}{TEMPORARY_SUFFIX}"


def _reason(err: OSError) -> str:
    return REASONS.get(err.errno, err.strerror or str(err) or type(err).__name__)


def resolve_target(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` must replace (a link's target); WriteError when it cannot be a file."""
    shown = str(path)
    if not shown:
        raise WriteError(shown, "no file name given")
    try:
        target = Path(path)
        if target.is_symlink():  # update what the link points to, and keep the link
            target = Path(os.path.realpath(target))
        if target.is_dir():
            raise WriteError(shown, "that is a folder: choose a file name", errno.EISDIR)
        parent = target.parent
        if not parent.exists():
            raise WriteError(shown, f"the folder {parent} does not exist", errno.ENOENT)
        if not parent.is_dir():
            raise WriteError(shown, f"{parent} is not a folder", errno.ENOTDIR)
    except WriteError:
        raise
    except OSError as err:  # a name too long to even look at, a folder nobody may enter
        raise WriteError(shown, _reason(err), err.errno) from None
    return target


def _keep_mode(target: Path, temporary: Path) -> None:
    """The new file gets the old one's permissions (and owner where allowed), or those of a new file."""
    try:
        old = os.stat(target)
    except FileNotFoundError:
        os.chmod(temporary, 0o666 & ~_UMASK)  # as an ordinary new file, not the temporary's 0600
        return
    os.chmod(temporary, stat.S_IMODE(old.st_mode))
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):
            os.chown(temporary, old.st_uid, old.st_gid)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _open_temporary(shown: str, temporary: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(temporary, flags, 0o600)
    except OSError as err:
        raise WriteError(shown, _reason(err), err.errno) from None
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise WriteError(shown, "another nnviz is writing this file right now: try again when it is done",
                             errno.EBUSY) from None
    try:
        os.ftruncate(fd, 0)  # a leftover of a crashed or killed save: reused from the start
    except OSError as err:
        os.close(fd)
        raise WriteError(shown, _reason(err), err.errno) from None
    return fd


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """``with atomic_writer(path) as handle:`` write to ``handle`` (binary, seekable); on leaving the block
    normally the file at ``path`` is replaced in one step.  On any error the target is untouched and
    the temporary is gone; an OSError becomes a WriteError naming ``path``."""
    shown = str(path)
    target = resolve_target(path)
    temporary = target.with_name(temporary_name(target.name))
    fd = _open_temporary(shown, temporary)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            _keep_mode(target, temporary)
            os.replace(temporary, target)  # still holding the lock: nobody reuses the temporary mid-rename
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(err, OSError) and not isinstance(err, WriteError):
            raise WriteError(shown, _reason(err), err.errno) from None
        raise
    _sync_folder(target.parent)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_writer``)."""
    with atomic_writer(path) as handle:
        handle.write(data)
