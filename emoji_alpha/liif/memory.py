"""Memory arithmetic for LIIF, without importing torch (batch planning uses it)."""

from __future__ import annotations

import os

#: Bytes per output pixel per image at the peak: the float32 RGB result, a float32 temporary
#: while converting to 8 bits, and the 8-bit copy handed to the PNG encoder.
_RESULT_BYTES = 3 * 4 * 2 + 3


def default_memory_limit() -> int:
    """80% of physical memory, in bytes."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.8)
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def estimate_memory(in_size: tuple[int, int], out_size: tuple[int, int], batch: int, chunk_size: int) -> int:
    """Peak bytes of ``Upscaler.enlarge_many`` for ``batch`` images: the per-input-pixel
    table, the result and one chunk's activations (4 neighbours x 256 wide, a few live buffers)."""
    table = batch * in_size[0] * in_size[1] * 256 * 4 * 3  # encoder activations too
    result = batch * out_size[0] * out_size[1] * _RESULT_BYTES
    chunk = batch * 4 * chunk_size * 256 * 4 * 3
    return table + result + chunk
