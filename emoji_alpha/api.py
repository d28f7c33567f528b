"""The Python API for the main job: ``emoji_alpha.enlarge(image, size=2000) -> PIL image``.

It runs what ``emoji-alpha enlarge`` runs, with the same defaults, so a glyph enlarged here
and on the command line gives the same pixels. The LIIF model is loaded once per
configuration and reused by later calls. :class:`emoji_alpha.liif.Upscaler` stays the
lower-level interface (float arrays in, float arrays out).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Union

from emoji_alpha.errors import EmojiAlphaError

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from emoji_alpha.images import LoadedImage
    from emoji_alpha.liif.upscaler import Upscaler
    from emoji_alpha.options import LiifConfig

#: What :func:`enlarge` takes: a file path, a Pillow image, or a numpy array.
ImageInput = Union[str, "os.PathLike[str]", "Image.Image", "np.ndarray"]
#: An output size: the longer side (2000), ``"2000x1500"``, or (width, height).
SizeInput = Union[int, str, tuple[int, int]]


def enlarge(image: ImageInput, *, size: SizeInput | None = None, scale: float | None = None,
            method: str | None = None, backgrounds: Sequence[float] | str | None = None, passes: int | None = None,
            backproject: int | None = None, bp_kernel: str | None = None, band_margin: int | None = None,
            full: bool = False, faint_alpha: int | None = None, on_demand: Sequence[float] | str | None = None,
            on_demand_residual: float | None = None, fast: bool = False, backend: str | None = None,
            weights: str | os.PathLike[str] | None = None, device: str | None = None, half: bool = False,
            threads: int | None = None, memory_limit: float | None = None, chunk_size: int | None = None,
            progress: bool = False) -> Image.Image:
    """Enlarge one image with LIIF and, for RGBA input, solve its alpha; returns a Pillow
    image (RGBA for input with alpha, RGB for opaque input).

    ``image``: a path (any format Pillow reads, 16-bit PNG at full precision), a Pillow image,
    or a numpy array H x W x 3 or H x W x 4 (straight alpha), uint8 in 0-255 or float in
    [0, 1]; another dtype, shape or range is a ``ValueError``.

    Give exactly one of ``size`` (longer side, ``"WxH"`` or ``(width, height)``) and ``scale``;
    an output smaller than the input is refused. The other keywords are the CLI's options
    (``--backgrounds 0,64,192,255`` is ``backgrounds=(0, 64, 192, 255)``; ``memory_limit`` in
    GiB); None, like a flag not given, keeps the CLI's default (:mod:`emoji_alpha.options`).
    ``progress``: show the progress bars on stderr.

    User errors (a bad size, an unreadable file, an unknown method, a size over the memory
    limit) raise :class:`emoji_alpha.EmojiAlphaError`.
    """
    from PIL import Image as PILImage

    from emoji_alpha.images import to_uint8
    from emoji_alpha.options import from_flags
    from emoji_alpha.pipeline import NO_LIIF, enlarge_loaded, needs_liif
    from emoji_alpha.progress import set_bars_enabled
    from emoji_alpha.sizes import check_enlarges, output_size

    options, liif = from_flags(method=method, backgrounds=_levels(backgrounds, "backgrounds"), passes=passes,
                               backproject=backproject, bp_kernel=bp_kernel, band_margin=band_margin, full=full,
                               backend=backend, faint_alpha=faint_alpha, fast=fast,
                               on_demand=_levels(on_demand, "on_demand"), on_demand_residual=on_demand_residual,
                               weights=weights, device=device, half=half, threads=threads, memory_limit=memory_limit,
                               chunk_size=chunk_size)
    loaded = load_image(image)
    size_text = _size_text(size)
    out_size = output_size(loaded.size, size_text, scale)
    check_enlarges(loaded.size, out_size, size_text, scale)
    upscaler = cached_upscaler(liif) if needs_liif(options, loaded) else NO_LIIF
    previous = set_bars_enabled(progress)
    try:
        result = enlarge_loaded(loaded, out_size, upscaler, options)
    finally:
        set_bars_enabled(previous)
    pixels = to_uint8(result.straight())
    return PILImage.fromarray(pixels, mode="RGBA" if pixels.shape[2] == 4 else "RGB")


def load_image(image: ImageInput) -> LoadedImage:
    """``image`` (path, Pillow image or numpy array; see :func:`enlarge`) decoded."""
    import numpy as np
    from PIL import Image as PILImage

    from emoji_alpha.images import LoadedImage, image_array, loaded_from_pil, read_image

    if isinstance(image, (str, os.PathLike)):
        return read_image(image)
    if isinstance(image, PILImage.Image):
        return loaded_from_pil(image)
    if isinstance(image, np.ndarray):
        rgba = image_array(image, "image")
        has_alpha = rgba.shape[2] == 4
        if not has_alpha:
            rgba = np.concatenate([rgba, np.ones((*rgba.shape[:2], 1), np.float32)], axis=2)
        return LoadedImage(np.ascontiguousarray(rgba), has_alpha, "RGBA" if has_alpha else "RGB")
    raise TypeError(f"image: expected a path, a PIL image or a numpy array, got {type(image).__name__}")


@functools.lru_cache(maxsize=4)
def cached_upscaler(liif: LiifConfig) -> Upscaler:
    """One :class:`Upscaler` per configuration, so repeated calls load the model once."""
    from emoji_alpha.progress import log

    return liif.build(log)


def _size_text(size: SizeInput | None) -> str | None:
    """``size`` in the CLI's spelling: 2000 -> "2000", (2000, 1500) -> "2000x1500"."""
    if size is None or isinstance(size, str):
        return size
    if isinstance(size, bool):
        raise EmojiAlphaError(f"size must be a number of pixels, got {size!r}")
    if isinstance(size, int):
        return str(size)  # output_size reports a negative one
    if isinstance(size, tuple) and len(size) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in size):
        return f"{size[0]}x{size[1]}"
    raise EmojiAlphaError(f"size must be N, 'WxH' or (width, height), got {size!r}")


def _levels(levels: Sequence[float] | str | None, name: str) -> str | None:
    """Grey levels as the CLI's comma-separated text (parsed and checked there)."""
    if levels is None or isinstance(levels, str):
        return levels
    try:
        return ",".join(str(float(level)) for level in levels)
    except (TypeError, ValueError):
        raise EmojiAlphaError(f"{name} must be grey levels 0..255, got {levels!r}") from None
