"""Estimate how much memory a dataset needs and refuse files that would not fit."""
from __future__ import annotations

import logging
import math
import os
from pathlib import Path

from nnviz.data.errors import DataError

log = logging.getLogger(__name__)

FLOAT64 = 8

_CGROUP_FILES = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),  # cgroup v2
    (
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",  # cgroup v1
        "/sys/fs/cgroup/memory/memory.usage_in_bytes",
    ),
)


def format_size(nbytes: float) -> str:
    """A byte count as a short human string: '512 B', '3.4 MB', '38.1 GB'."""
    size = float(nbytes)
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size < 1000 or unit == "PB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _meminfo_available() -> int | None:
    """MemAvailable from /proc/meminfo in bytes, or None where there is no such file."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_available() -> int | None:
    """What a container's memory limit still allows, or None without a limit."""
    for limit_file, usage_file in _CGROUP_FILES:
        try:
            limit_text = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit_text == "max" or not limit_text.isdigit():
            return None
        limit = int(limit_text)
        if limit >= 1 << 60:  # cgroup v1 spells "no limit" as a huge number
            return None
        return max(limit - usage, 0)
    return None


def _sysconf_available() -> int | None:
    """Free physical pages times page size, where os.sysconf knows them."""
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def available_memory() -> int | None:
    """Bytes that can be allocated without swapping, or None when unknown."""
    found = _meminfo_available()
    if found is None:
        found = _sysconf_available()
    container = _cgroup_available()
    if container is not None:
        found = container if found is None else min(found, container)
    return found


def float64_bytes(shape: tuple[int, ...]) -> int:
    """Bytes a float64 array of this shape needs (Python ints: no overflow)."""
    return math.prod(int(n) for n in shape) * FLOAT64


def check_fits(where: str, need: int, *, what: str = "the data", limit: int | None = None) -> None:
    """Raise DataError when `need` bytes exceed `limit` (or the memory available now).

    `what` names the arrays in the message, e.g. "X (1000000 × 5000)".
    """
    available = limit if limit is not None else available_memory()
    if available is None:
        log.debug("available memory unknown; not checking %s", where)
        return
    if need > available:
        raise DataError(
            f"{where}: {what} would need {format_size(need)} as float64, "
            f"but only {format_size(available)} of memory is available"
        )


def shape_text(shape: tuple[int, ...]) -> str:
    """(12288, 209) -> '12288 × 209' for messages."""
    return " × ".join(str(int(n)) for n in shape)
