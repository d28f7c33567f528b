"""Memory arithmetic for LIIF, without importing torch (batch planning uses it)."""

from __future__ import annotations

import math
import os

#: Bytes per output pixel per image at the peak: the float32 RGB result, a float32 temporary
#: while converting to 8 bits, and the 8-bit copy handed to the PNG encoder.
_RESULT_BYTES = 3 * 4 * 2 + 3

#: Resident bytes of the process before any image: Python, torch and the loaded model.
_BASE_BYTES = 400 << 20

#: Output pixels decoded per LIIF chunk unless ``--chunk-size`` says otherwise (the
#: Upscaler's count over all the images of a batch; the engine's per image).
DEFAULT_CHUNK = 16384

#: Most MLP rows (pixels x neighbours x images) the engine decodes in one chunk on a CPU:
#: bounds the chunk's memory whatever chunk size is asked for, and keeps the operands near
#: the caches.
MAX_CHUNK_ROWS = 16384

#: The same cap on a GPU, where it only bounds memory (1 GiB per activation buffer): small
#: chunks would leave the GPU waiting on kernel launches.
MAX_CHUNK_ROWS_GPU = 1 << 20


def max_chunk_rows(device_type: str) -> int:
    """The chunk cap in MLP rows for a torch device type ("cpu", "cuda", ...)."""
    return MAX_CHUNK_ROWS if device_type == "cpu" else MAX_CHUNK_ROWS_GPU


#: Width of the decoding MLP's hidden layers.
_WIDTH = 256


def memory_limit_bytes(gib: float | None) -> int | None:
    """A memory budget given in GiB (``--memory-limit``), in bytes; None keeps the default.
    0, negatives, nan and inf are refused (0 used to mean the default without a word)."""
    from emoji_alpha.errors import EmojiAlphaError

    if gib is None:
        return None
    if not (math.isfinite(gib) and gib > 0):
        raise EmojiAlphaError(f"--memory-limit must be a positive number of GiB, got {gib}")
    return max(1, int(gib * 2**30))


def default_memory_limit() -> int:
    """80% of physical memory, in bytes."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.8)
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def chunk_pixels(chunk_size: int, batch: int, n_neigh: int = 4, max_rows: int = MAX_CHUNK_ROWS) -> int:
    """Pixels per image actually decoded per chunk for a requested ``chunk_size``."""
    return max(1, min(int(chunk_size), max_rows // (n_neigh * max(1, batch))))


def estimate_memory(in_size: tuple[int, int], out_size: tuple[int, int], batch: int, chunk_size: int) -> int:
    """Peak bytes for enlarging ``batch`` images of ``in_size`` to ``out_size``: the loaded
    library and model, the encoder's activations, the per-input-pixel table (conv output, its
    row-major copy and the query's embedding table), the result, and one chunk's buffers. The
    chunk is capped by the engine, so its share is bounded whatever ``chunk_size`` is."""
    h, w = in_size
    out_h, out_w = out_size
    encoder = batch * h * w * 64 * 4 * 4  # a few live 64-channel maps
    table = batch * h * w * _WIDTH * 4 * 3 + 2 * (out_h + out_w) * _WIDTH * 4 * 2
    result = batch * out_h * out_w * _RESULT_BYTES
    rows = 4 * batch * chunk_pixels(max(1, chunk_size // batch), batch)
    chunk = rows * (_WIDTH * 4 * 4 + 3 * 8 * 2)
    return _BASE_BYTES + encoder + table + result + chunk
