"""PNG in and out in every flavour, premultiplied-alpha helpers, exact area resampling.

Internally every image is float32 in [0, 1], H x W x C. Straight alpha is what PNG files
store; all resampling and compositing happens on *premultiplied* colour, because averaging
straight colour lets the colour of transparent pixels (often black) bleed into edges as dark
fringes.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emoji_alpha.errors import EmojiAlphaError, write_failure

#: Largest input we accept, in pixels: emoji are small, this stops decompression bombs.
MAX_INPUT_PIXELS = 64 * 1024 * 1024


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image: straight-alpha RGBA float32 in [0, 1] (alpha 1 where the file has none)."""

    rgba: np.ndarray
    has_alpha: bool
    source_mode: str

    @property
    def size(self) -> tuple[int, int]:
        """(height, width)."""
        return self.rgba.shape[0], self.rgba.shape[1]


def read_image(path: str | os.PathLike) -> LoadedImage:
    """Decode any PNG flavour (RGB, RGBA, palette + tRNS, L, LA, 16-bit) or other Pillow image.

    16-bit RGB(A) PNGs are decoded at full precision with pypng (Pillow would keep only the
    high byte). Raises :class:`EmojiAlphaError` with a one-line reason for anything unreadable.
    """
    path = Path(path)
    data = read_input_bytes(path, "an image file")
    if not data:
        raise EmojiAlphaError(f"{path}: empty file")
    return decode_image(data, name=str(path))


def read_input_bytes(path: Path, expected: str) -> bytes:
    """The bytes of an input file, or a one-line error if it is missing or a folder."""
    if not path.exists():
        raise EmojiAlphaError(f"{path}: no such file")
    if path.is_dir():
        raise EmojiAlphaError(f"{path}: is a folder, expected {expected}")
    return path.read_bytes()


def decode_image(data: bytes, *, name: str = "<bytes>") -> LoadedImage:
    """Decode image bytes; see :func:`read_image`."""
    from PIL import Image

    header = png_header_size(data)
    if header is not None and 0 in header:  # Pillow would only say "cannot identify image file"
        raise EmojiAlphaError(f"{name}: zero-sized image (its header says {header[1]}x{header[0]})")
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 26 and data[24] == 16 and data[25] in (2, 6):
        return _decode_png16(data, name)
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            # Pillow decodes a PNG cut inside or after its image data without complaint;
            # verify() checks every chunk's CRC and that IEND is present.
            with Image.open(io.BytesIO(data)) as im:
                im.verify()
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            if width * height > MAX_INPUT_PIXELS:
                raise EmojiAlphaError(f"{name}: {width}x{height} is too large an input image")
            im.load()
            return _from_pil(im, name)
    except EmojiAlphaError:
        raise
    except Image.DecompressionBombError:
        raise EmojiAlphaError(f"{name}: image is too large to decode safely") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "cannot identify image file" in reason:
            reason = "not an image"
        elif "truncated" in reason.lower() or "EOF" in reason or "broken" in reason.lower():
            reason = "truncated or corrupt file"
        raise EmojiAlphaError(f"{name}: cannot read image ({reason})") from None


def png_header_size(data: bytes) -> tuple[int, int] | None:
    """(height, width) as a PNG's IHDR states it, without decoding; None if not a PNG."""
    import struct

    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return (height, width)


def _from_pil(im, name: str) -> LoadedImage:
    mode = im.mode
    width, height = im.size
    if width == 0 or height == 0:
        raise EmojiAlphaError(f"{name}: zero-sized image")
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        mode in ("P", "L", "RGB") and "transparency" in im.info
    )
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        grey = np.asarray(im, dtype=np.float64)
        scale = 65535.0 if mode.startswith("I;16") or grey.max(initial=0) > 255 else 255.0
        grey = np.clip(grey / scale, 0.0, 1.0).astype(np.float32)
        rgba = np.concatenate([np.repeat(grey[..., None], 3, axis=2), np.ones_like(grey)[..., None]], axis=2)
        return LoadedImage(rgba, False, mode)
    if mode == "F":
        grey = np.clip(np.asarray(im, dtype=np.float32), 0.0, 1.0)
        rgba = np.concatenate([np.repeat(grey[..., None], 3, axis=2), np.ones_like(grey)[..., None]], axis=2)
        return LoadedImage(rgba, False, mode)
    converted = im.convert("RGBA")
    rgba = np.asarray(converted, dtype=np.float32) / 255.0
    return LoadedImage(np.ascontiguousarray(rgba), has_alpha, mode)


def _decode_png16(data: bytes, name: str) -> LoadedImage:
    import png  # pypng: exact 16-bit decoding, which Pillow truncates to 8 bits

    try:
        width, height, rows, info = png.Reader(bytes=data).asDirect()
        if width * height > MAX_INPUT_PIXELS:
            raise EmojiAlphaError(f"{name}: {width}x{height} is too large an input image")
        if width == 0 or height == 0:
            raise EmojiAlphaError(f"{name}: zero-sized image")
        planes = info["planes"]
        arr = np.vstack([np.asarray(row, dtype=np.float32) for row in rows]).reshape(height, width, planes)
    except EmojiAlphaError:
        raise
    except (png.Error, ValueError, EOFError) as exc:
        raise EmojiAlphaError(f"{name}: cannot read image ({str(exc).splitlines()[0]})") from None
    arr /= float(2 ** info["bitdepth"] - 1)
    has_alpha = planes == 4
    if not has_alpha:
        arr = np.concatenate([arr, np.ones((height, width, 1), np.float32)], axis=2)
    return LoadedImage(np.ascontiguousarray(arr, dtype=np.float32), has_alpha, "RGBA;16" if has_alpha else "RGB;16")


def premultiply(rgba: np.ndarray) -> np.ndarray:
    """Straight RGBA -> premultiplied RGBA: (r*a, g*a, b*a, a)."""
    out = np.empty_like(rgba, dtype=np.float32)
    alpha = rgba[..., 3:4]
    out[..., :3] = rgba[..., :3] * alpha
    out[..., 3:] = alpha
    return out


def unpremultiply(premul: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA -> straight RGBA; colour is 0 where alpha is 0.

    Colour is clipped to [0, 1] because P <= a may be violated by rounding.
    """
    out = np.zeros_like(premul, dtype=np.float32)
    alpha = premul[..., 3:4]
    np.divide(premul[..., :3], alpha, out=out[..., :3], where=alpha > 0)
    np.clip(out[..., :3], 0.0, 1.0, out=out[..., :3])
    out[..., 3:] = alpha
    return out


def composite_over(premul: np.ndarray, background: float | np.ndarray) -> np.ndarray:
    """Flatten premultiplied RGBA over a background: P + (1 - a) * bg (exact, no rounding)."""
    background = np.asarray(background, dtype=np.float32)
    return premul[..., :3] + (1.0 - premul[..., 3:4]) * background


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float [0, 1] -> uint8, rounding to nearest (alpha 0 and 1 stay exactly 0 and 255)."""
    return np.clip(np.rint(np.asarray(image, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)


def write_png(path: str | os.PathLike, image: np.ndarray) -> Path:
    """Write an H x W x {1,3,4} float [0, 1] (or uint8) image as an 8-bit PNG, atomically.

    RGBA input is taken as *straight* alpha (what PNG stores). The file appears complete
    or not at all: a temp file in the same folder is renamed over the target.
    """
    return write_bytes_atomic(path, encode_png(image))


def encode_png(image: np.ndarray) -> bytes:
    """The 8-bit PNG bytes :func:`write_png` writes (straight alpha for RGBA)."""
    from PIL import Image

    array = image if image.dtype == np.uint8 else to_uint8(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    mode = {2: "L", 3: "RGB", 4: "RGBA"}[array.ndim if array.ndim == 2 else array.shape[2]]
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array), mode=mode).save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write bytes to ``path`` via a temp file in the same folder and ``os.replace``.

    A write that fails (disk full, read-only folder) leaves no temp file behind and raises
    :class:`EmojiAlphaError` (:class:`DiskFullError` when the disk is full)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise write_failure(path, exc) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        with os.fdopen(fd, "wb") as handle:
            _write_and_sync(handle, data)
        os.replace(tmp_name, path)
    except BaseException as exc:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise write_failure(path, exc) from None
        raise
    return path


def _write_and_sync(handle, data: bytes) -> None:
    """Where a full disk shows up: the write, the flush or the fsync (tests make it fail here)."""
    handle.write(data)
    handle.flush()
    os.fsync(handle.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def area_weights(n_in: int, n_out: int) -> np.ndarray:
    """Exact box-filter matrix (n_out x n_in): row i averages input cells under output cell i.

    Output cell i spans [i, i+1) * n_in / n_out in input units; each weight is the overlap
    length, rows sum to 1. Works for any ratio, up or down.
    """
    edges = np.arange(n_out + 1, dtype=np.float64) * (n_in / n_out)
    lo, hi = edges[:-1, None], edges[1:, None]
    cells = np.arange(n_in, dtype=np.float64)[None, :]
    overlap = np.clip(np.minimum(hi, cells + 1) - np.maximum(lo, cells), 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def area_resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Exact area (box) resampling of an H x W x C float image to ``size`` = (height, width).

    Apply it to *premultiplied* data: averaging straight colour makes dark fringes.
    """
    height, width = size
    rows = area_weights(image.shape[0], height)
    cols = area_weights(image.shape[1], width)
    out = np.einsum("ij,jkc,lk->ilc", rows, image.astype(np.float64), cols, optimize=True)
    return out.astype(np.float32)
