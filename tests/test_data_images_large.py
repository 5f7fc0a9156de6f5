"""Pictures Qt will not decode: a valid but huge PNG is called too large, a cut one damaged."""
from __future__ import annotations

import os
import struct
import zlib

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QColor, QImage  # noqa: E402

from data_helpers import error_of  # noqa: E402


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def black_png(path, width: int, height: int) -> None:
    """A valid 8-bit greyscale PNG, all black, written without ever holding its pixels (a
    20000×20000 one is 1.7 MB on disk and 400 MB decoded)."""
    total = (width + 1) * height  # each row: filter byte 0, then zeros
    deflate = zlib.compressobj(1)
    block = bytes(1 << 20)
    parts = [deflate.compress(block) for _ in range(total >> 20)]
    parts += [deflate.compress(bytes(total & ((1 << 20) - 1))), deflate.flush()]
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts))
                     + _chunk(b"IEND", b""))


def small_png(path) -> None:
    image = QImage(8, 8, QImage.Format.Format_RGB888)
    image.fill(QColor(200, 10, 10))
    assert image.save(str(path))


def test_a_valid_20000_by_20000_png_is_called_too_large(tmp_path):
    for name in ("cats", "dogs"):
        (tmp_path / name).mkdir()
        small_png(tmp_path / name / "a.png")
    big = tmp_path / "dogs" / "huge.png"
    black_png(big, 20_000, 20_000)
    message = error_of(tmp_path)
    assert message.startswith(f"{big}: is 20000×20000 pixels, too large to read (over ")
    assert message.endswith("; scale it down, e.g. to 1024×1024 or less")


def test_a_cut_png_is_called_damaged(tmp_path):
    for name in ("cats", "dogs"):
        (tmp_path / name).mkdir()
        small_png(tmp_path / name / "a.png")
    whole = tmp_path / "whole.png"
    black_png(whole, 300, 200)
    cut = tmp_path / "dogs" / "cut.png"
    cut.write_bytes(whole.read_bytes()[:60])
    assert error_of(tmp_path) == (f"{cut}: is a damaged picture (300×200 pixels, but its data "
                                  "cannot be decoded); save it again")
