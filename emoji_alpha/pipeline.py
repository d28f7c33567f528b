"""One image through the pipeline: read -> (flatten over backgrounds) -> LIIF -> (solve) -> write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import LoadedImage, read_image, write_png
from emoji_alpha.progress import progress_bar
from emoji_alpha.sizes import output_size


@dataclass
class EnlargeResult:
    image: np.ndarray  # straight RGB(A) float32
    size: tuple[int, int]
    info: dict = field(default_factory=dict)


def enlarge_rgb(loaded: LoadedImage, size: tuple[int, int], upscaler) -> EnlargeResult:
    """Opaque input: one LIIF enlargement of the colour."""
    rgb = loaded.rgba[..., :3]
    with progress_bar("LIIF", size[0] * size[1]) as advance:
        out = upscaler.enlarge(rgb, size, progress=advance)
    return EnlargeResult(out, size)


def default_output_path(source: Path, size: tuple[int, int]) -> Path:
    return source.with_name(f"{source.stem}-{size[1]}x{size[0]}.png")


def enlarge_file(source: Path, output: Path | None, *, size: str | None, scale: float | None,
                 upscaler_factory) -> tuple[Path, EnlargeResult]:
    """Read ``source``, enlarge it, write the PNG atomically; returns (path, result).

    ``upscaler_factory()`` builds the LIIF upscaler lazily, after the input has been checked,
    so bad input fails fast without loading torch.
    """
    loaded = read_image(source)
    out_size = output_size(loaded.size, size, scale)
    output = output or default_output_path(source, out_size)
    if output.resolve() == source.resolve():
        raise EmojiAlphaError(f"refusing to overwrite the input {source}; choose another --output")
    if output.suffix.lower() != ".png":
        raise EmojiAlphaError(f"output {output} must be a .png file")
    upscaler = upscaler_factory()
    upscaler.check_memory(loaded.size, out_size)
    if loaded.has_alpha:
        raise EmojiAlphaError(f"{source} has an alpha channel; RGBA enlargement needs the alpha solver (not built yet)")
    result = enlarge_rgb(loaded, out_size, upscaler)
    write_png(output, result.image)
    return output, result
