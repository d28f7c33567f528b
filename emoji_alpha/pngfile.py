"""The PNG file format, byte by byte: its signature, its header (read without decoding), its
chunks, and the two encoders that write PNG bytes themselves: 8-bit RGBA fast by hand (font
extraction) and exact 16-bit through pypng (kept stacks, datasets).

Every module that looks inside PNG bytes or writes them by hand goes through this one.
Decoding a PNG into a float image, and encoding a result through Pillow (PNG, WebP, TIFF,
JPEG alike), is :mod:`emoji_alpha.images`' job. Named ``pngfile``, not ``png``, so that
``import png`` (pypng) means one thing everywhere.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import NamedTuple

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: IHDR colour types.
GREY, RGB, PALETTE, GREY_ALPHA, RGBA = 0, 2, 3, 4, 6


class Header(NamedTuple):
    """What a PNG's IHDR chunk states (the first chunk of every PNG)."""

    width: int
    height: int
    bit_depth: int
    colour_type: int

    @property
    def size(self) -> tuple[int, int]:
        """(height, width), the order of numpy's shapes."""
        return self.height, self.width


def read_header(data: bytes) -> Header | None:
    """The IHDR of PNG bytes (only their first 26 are needed), without decoding; None if they
    do not start like a PNG. Bit depth and colour type are 0 when the bytes stop before them."""
    if len(data) < 24 or data[:8] != SIGNATURE or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return Header(width, height, data[24] if len(data) > 24 else 0, data[25] if len(data) > 25 else 0)


def is_rgba8(data: bytes) -> bool:
    """Whether the bytes are an 8-bit RGBA PNG (by its header)."""
    header = read_header(data)
    return header is not None and len(data) > 25 and header.bit_depth == 8 and header.colour_type == RGBA


def is_rgb16(data: bytes) -> bool:
    """Whether the bytes are a 16-bit RGB or RGBA PNG, by the bit depth and colour type where
    its header keeps them (Pillow would decode only their high bytes)."""
    return data[:8] == SIGNATURE and len(data) > 26 and data[24] == 16 and data[25] in (RGB, RGBA)


def chunk(tag: bytes, payload: bytes) -> bytes:
    """One PNG chunk: length, tag, payload, CRC of tag and payload."""
    return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload))


def encode_rgba8(rgba: np.ndarray) -> bytes:
    """An H x W x 4 uint8 array as an 8-bit RGBA PNG, quickly.

    Filter type 0 (none) on every row: emoji art is flat colour, which zlib compresses
    better unfiltered than after Pillow's adaptive filters (smaller files here), level 3 is
    within 20 % of level 6 at under half the time, and
    zlib releases the GIL so worker threads encode in parallel.
    """
    height, width = rgba.shape[:2]
    raw = np.zeros((height, 1 + width * 4), np.uint8)
    raw[:, 1:] = np.ascontiguousarray(rgba, dtype=np.uint8).reshape(height, width * 4)
    header = struct.pack(">IIBBBBB", width, height, 8, RGBA, 0, 0, 0)
    return SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), 3)) + chunk(b"IEND", b"")


def encode_png16(image: np.ndarray) -> bytes:
    """An H x W x {3,4} float [0, 1] image as a 16-bit RGB or RGBA PNG (pypng, zlib level 6,
    no timestamp): exact to within 1/131070, and the same bytes for the same image.

    Levels are ``rint(image * 65535)`` computed in the image's own precision: float32 for the
    kept stack; give float64 for levels rounded from the exact product."""
    import png

    data = np.clip(np.rint(image * 65535.0), 0, 65535).astype(np.uint16)
    height, width, planes = data.shape
    buffer = io.BytesIO()
    png.Writer(width, height, greyscale=False, alpha=planes == 4, bitdepth=16, compression=6).write(
        buffer, data.reshape(height, width * planes).tolist())
    return buffer.getvalue()
