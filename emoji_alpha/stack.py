"""A kept background stack: the K LIIF enlargements of one glyph, so it can be re-solved.

Layout of a stack folder::

    stack.json          backgrounds (8-bit levels), source, sizes, weights sha256, versions
    input.png           the input glyph (16-bit straight RGBA: exact for 8-bit inputs)
    bg-000.png ...      one 16-bit RGB PNG per background, in the order of ``backgrounds``

16-bit PNG keeps each enlargement to within 1/131070 of LIIF's float output (far below any
visible or measurable difference) while staying viewable. Files are written atomically and
stack.json last, so a folder with a valid stack.json is complete.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from emoji_alpha import __version__
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import read_image, unpremultiply, write_bytes_atomic

SIDECAR = "stack.json"


@dataclass
class StackInfo:
    backgrounds: list[float]  # 8-bit grey levels
    source: str
    in_size: list[int]  # [height, width]
    out_size: list[int]
    weights_sha256: str
    band_margin: int | None  # None: LIIF ran on every pixel
    version: str = __version__


def _png16(image: np.ndarray) -> bytes:
    import png

    data = np.clip(np.rint(image * 65535.0), 0, 65535).astype(np.uint16)
    height, width, planes = data.shape
    buffer = io.BytesIO()
    png.Writer(width, height, greyscale=False, alpha=planes == 4, bitdepth=16, compression=6).write(
        buffer, data.reshape(height, width * planes).tolist())
    return buffer.getvalue()


def save_stack(folder: Path, stack: np.ndarray, premul_lr: np.ndarray, info: StackInfo) -> Path:
    """Write the K x H x W x 3 ``stack`` and the input glyph into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(info.backgrounds) != stack.shape[0]:
        raise ValueError("one background level per stack image")
    write_bytes_atomic(folder / "input.png", _png16(unpremultiply(premul_lr)))
    for index, image in enumerate(stack):
        write_bytes_atomic(folder / f"bg-{index:03d}.png", _png16(image))
    write_bytes_atomic(folder / SIDECAR, json.dumps(asdict(info), indent=2).encode())
    return folder


def load_stack(folder: Path) -> tuple[np.ndarray, np.ndarray, StackInfo]:
    """(stack K x H x W x 3, input premultiplied RGBA, info); clear errors for bad stacks."""
    from emoji_alpha.images import premultiply

    folder = Path(folder)
    if not folder.is_dir():
        raise EmojiAlphaError(f"{folder}: not a stack folder (make one with `enlarge --keep-stack DIR`)")
    sidecar = folder / SIDECAR
    if not sidecar.exists():
        raise EmojiAlphaError(f"{folder}: missing {SIDECAR}; not a complete stack (re-run `enlarge --keep-stack`)")
    try:
        info = StackInfo(**json.loads(sidecar.read_text()))
    except (json.JSONDecodeError, TypeError) as exc:
        raise EmojiAlphaError(f"{sidecar}: unreadable sidecar ({exc})") from None
    count = len(info.backgrounds)
    files = sorted(folder.glob("bg-*.png"))
    if len(files) < count:
        raise EmojiAlphaError(f"{folder}: {len(files)} background images for {count} backgrounds in {SIDECAR}")
    images = []
    for index in range(count):
        path = folder / f"bg-{index:03d}.png"
        if not path.exists():
            raise EmojiAlphaError(f"{folder}: missing {path.name}")
        image = read_image(path).rgba[..., :3]
        if list(image.shape[:2]) != list(info.out_size):
            raise EmojiAlphaError(f"{path}: size {image.shape[1]}x{image.shape[0]} does not match the stack's "
                                  f"{info.out_size[1]}x{info.out_size[0]}")
        images.append(image)
    if not (folder / "input.png").exists():
        raise EmojiAlphaError(f"{folder}: missing input.png")
    premul_lr = premultiply(read_image(folder / "input.png").rgba)
    return np.stack(images), premul_lr, info
