"""Premultiplied box downsampling: every stored size is the exact area average of one render.

The render is premultiplied first (averaging straight colour would let transparent pixels'
colour bleed in) and averaged with :func:`emoji_alpha.resample.area_resize`. When the render
side N is a whole multiple m of a size n, each output pixel is the plain mean of an m x m
block of render pixels; and since a mean of block means over equal blocks is the mean over
their union, averaging a stored size down again by a whole factor (640 -> 160, 256 -> 64)
gives the smaller stored size exactly, up to storage rounding: area(HR) = LR, the relation
the benchmark's pairs stand on.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from emoji_alpha.resample import area_resize


def box_average(image: np.ndarray, size: int) -> np.ndarray:
    """An H x W x C image area-averaged to ``size`` x ``size``."""
    return area_resize(image, (size, size))


def box_sizes(premul: np.ndarray, sizes: Iterable[int]) -> dict[int, np.ndarray]:
    """A premultiplied render at every size, by size."""
    return {size: box_average(premul, size) for size in sizes}


def check_whole_multiples(render_size: int, sizes: Iterable[int]) -> None:
    """Refuse a render size that is not a whole multiple of every size (the means would mix
    partial pixels, and area(HR) = LR would no longer hold exactly)."""
    sizes = tuple(sizes)
    if any(render_size % s for s in sizes):
        raise ValueError(f"render size {render_size} must be a whole multiple of every size {sizes}")
