"""Tiny glyph folders for the batch tests (16 x 16 RGBA with soft edges)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import numpy as np
from PIL import Image

CODEPOINTS = ["1F343", "1F600", "2764", "1F4A8", "1F9CA", "1FAB0", "1FAE7", "1F468", "1F469", "1F467", "1F44B", "1F3FC"]


def glyph(seed: int, size: int = 16) -> np.ndarray:
    """A disc of one colour with a soft (semi-transparent) rim."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size] + 0.5
    radius = np.hypot(yy - size / 2, xx - size / 2)
    alpha = np.clip((size * 0.4 - radius) / 1.5, 0.0, 1.0)
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., :3] = rng.integers(30, 230, 3)
    rgba[..., 3] = np.rint(alpha * 255)
    return rgba


def card(size: int = 64, seed: int = 7) -> np.ndarray:
    """An opaque RGB test card: blocky-smooth colour (8 x 8 blocks), uint8."""
    rng = np.random.default_rng(seed)
    smooth = np.kron(rng.random((8, 8, 3)), np.ones((size // 8, size // 8, 1)))
    return (smooth * 255).round().astype(np.uint8)


def make_folder(folder: Path, count: int, size: int = 16) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, cp in enumerate(CODEPOINTS[:count]):
        path = folder / f"glyph-u{cp}.png"
        Image.fromarray(glyph(index, size)).save(path)
        paths.append(path)
    return paths


def huge_png(path: Path, width: int = 20000, height: int = 20000) -> Path:
    """A valid, tiny PNG file whose header claims a huge image (a decompression bomb)."""
    import struct
    import zlib

    def chunk(tag: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * (width + 1) * 4)  # a few rows; the header is what matters
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


def zero_sized_png(width: int = 0, height: int = 0) -> bytes:
    """PNG bytes written by hand whose IHDR says ``width`` x ``height`` (0 in one or both)."""
    import struct
    import zlib

    def chunk(tag: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def png16_with_corrupt_deflate() -> bytes:
    """A 16-bit RGBA PNG whose IDAT is not deflate data but has a valid CRC (so pypng gets as far
    as zlib, which raises zlib.error)."""
    import struct
    import zlib

    def chunk(tag: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload))

    header = struct.pack(">IIBBBBB", 4, 4, 16, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"\x78\x9c" + b"\xff" * 40)
            + chunk(b"IEND", b""))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(out: Path) -> dict[str, sqlite3.Row]:
    connection = sqlite3.connect(out / "emoji-alpha.sqlite")
    connection.row_factory = sqlite3.Row
    try:
        return {row["name"]: row for row in connection.execute("SELECT * FROM glyphs")}
    finally:
        connection.close()


def assert_outputs_match_manifest(out: Path) -> dict[str, sqlite3.Row]:
    """Every PNG in ``out`` decodes, and every done row's file has the recorded sha256."""
    found = rows(out)
    for path in out.glob("*.png"):
        with Image.open(path) as im:
            im.load()  # raises on a truncated or corrupt file
    for name, row in found.items():
        if row["status"] == "done":
            assert (out / name).exists(), name
            assert sha256(out / name) == row["output_sha256"], name
    return found


def crash_on_1F600(task):
    """A pool task function whose worker process dies on one glyph (as if OOM-killed)."""
    from emoji_alpha.batch import worker

    if "1F600" in task.name:
        os._exit(9)
    return worker.process_glyph(task)


def disk_full_on_1F600(task):
    """A pool task function: the disk is full when this worker writes one glyph."""
    import errno

    from emoji_alpha import images
    from emoji_alpha.batch import worker

    if "1F600" not in task.name:
        return worker.process_glyph(task)
    real = images._write_and_sync

    def full(handle, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    images._write_and_sync = full
    try:
        return worker.process_glyph(task)
    finally:
        images._write_and_sync = real
