"""Flattening a glyph over grey backgrounds, and the edge band where alpha is in doubt.

Everything here is exact premultiplied maths: the composite of premultiplied colour P and
alpha a over a grey level b is P + (1 - a) b, per channel.
"""

from __future__ import annotations

import numpy as np

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import composite_over


def parse_backgrounds(text: str, flag: str = "--backgrounds") -> np.ndarray:
    """``"0,128,255"`` (8-bit grey levels) -> float32 levels in [0, 1], in the given order."""
    try:
        levels = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise EmojiAlphaError(f"{flag} must be comma-separated grey levels 0..255, got {text!r}") from None
    if not levels:
        raise EmojiAlphaError(f"{flag} needs at least one grey level")
    if any(not 0 <= level <= 255 for level in levels):
        raise EmojiAlphaError(f"background levels must be within 0..255, got {text!r}")
    if len(set(levels)) != len(levels):
        raise EmojiAlphaError(f"background levels must be distinct, got {text!r}")
    return np.asarray(levels, dtype=np.float32) / 255.0


def format_backgrounds(levels) -> str:
    """Levels in [0, 1] as ``parse_backgrounds`` reads them: ``"0,64,192,255"``."""
    return ",".join(f"{round(float(level) * 255.0, 3):g}" for level in levels)


def middle_level(levels) -> int:
    """Index of the middle grey among ``levels`` (in any order; the upper median of an even
    count): the composite whose enlargement fills the opaque pixels, the same for every level,
    so a background's bleed into colours next to the edge is the smallest it can be."""
    order = np.argsort(np.asarray(levels, np.float64), kind="stable")
    return int(order[len(order) // 2])


def flatten(premul: np.ndarray, backgrounds: np.ndarray) -> np.ndarray:
    """K composites (K x H x W x 3, or K x N x 3 for N pixels) of premultiplied RGBA over grey
    levels ``backgrounds``: :func:`emoji_alpha.images.composite_over`, one per level."""
    return composite_over(premul, backgrounds, stacked=True)


def footprint_masks(alpha: np.ndarray, out_size: tuple[int, int], margin: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Output pixels whose alpha the input already decides: (transparent, opaque) masks.

    An input pixel with alpha 0 is transparent over its whole area, and one with alpha 1 is
    opaque over its whole area. An output pixel whose footprint (the input pixels it
    overlaps, grown by ``margin`` input pixels) holds only alpha-0 pixels is therefore exactly
    transparent, and one holding only alpha-1 pixels exactly opaque. Everything else is the
    edge band, where LIIF over several backgrounds and the solver are needed.
    """
    zero = np.pad(alpha <= 0.0, margin, constant_values=True)
    one = np.pad(alpha >= 1.0, margin, constant_values=False)
    r0, r1, c0, c1 = _footprints(alpha.shape, out_size)
    # Padded coordinates: input pixel j sits at j + margin, so the grown box is [r0, r1 + 2m).
    transparent = _box_all(zero, r0, r1 + 2 * margin, c0, c1 + 2 * margin)
    opaque = _box_all(one, r0, r1 + 2 * margin, c0, c1 + 2 * margin)
    return transparent, opaque


def faint_mask(alpha: np.ndarray, out_size: tuple[int, int], threshold: float) -> np.ndarray:
    """Output pixels whose footprint holds only input alpha in (0, ``threshold``] (and 0):
    the faint tails of shadows and glows. Their whole area averages at most ``threshold``
    alpha, so the pipeline may take them from a smooth enlargement instead of K LIIF ones."""
    if threshold <= 0:
        return np.zeros(out_size, bool)
    bounds = _footprints(alpha.shape, out_size)
    return _box_all(alpha <= threshold, *bounds) & ~_box_all(alpha <= 0.0, *bounds)


def _footprints(in_shape: tuple[int, int], out_size: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """Input boxes under each output row and column: output row i covers input rows
    floor(i h/H) .. ceil((i+1) h/H) - 1; returns (r0, r1, c0, c1), ends exclusive."""
    (h, w), (out_h, out_w) = in_shape, out_size
    rows, cols = np.arange(out_h), np.arange(out_w)
    return ((rows * h) // out_h, -((-(rows + 1) * h) // out_h),  # floor, ceil
            (cols * w) // out_w, -((-(cols + 1) * w) // out_w))


def _box_all(mask: np.ndarray, r0: np.ndarray, r1: np.ndarray, c0: np.ndarray, c1: np.ndarray) -> np.ndarray:
    """For every (row box, column box) pair: are all mask pixels in it True? (integral image)"""
    integral = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), dtype=np.int64)
    integral[1:, 1:] = np.cumsum(np.cumsum(mask, axis=0), axis=1)
    count = (integral[r1][:, c1] - integral[r0][:, c1] - integral[r1][:, c0] + integral[r0][:, c0])
    area = (r1 - r0)[:, None] * (c1 - c0)[None, :]
    return count == area
