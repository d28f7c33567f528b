"""Images in (every PNG flavour, any Pillow format, standard input) and out (PNG, WebP, TIFF,
JPEG), premultiplied-alpha helpers, atomic writes; resampling is in :mod:`emoji_alpha.resample`.

Internally every image is float32 in [0, 1], H x W x C. Straight alpha is what PNG files
store; all resampling and compositing happens on *premultiplied* colour, because averaging
straight colour lets the colour of transparent pixels (often black) bleed into edges as dark
fringes.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emoji_alpha import pngfile
from emoji_alpha.errors import EmojiAlphaError, write_failure

#: Largest input we accept, in pixels: emoji are small, this stops decompression bombs.
MAX_INPUT_PIXELS = 64 * 1024 * 1024

#: Largest input we read from standard input, in bytes (a pipe has no size to check first).
MAX_STDIN_BYTES = 1 << 30

#: The input and output name that means standard input / standard output.
STDIO = "-"


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


def read_input_image(source: str | os.PathLike) -> LoadedImage:
    """:func:`read_image`, where ``-`` is standard input (an image piped in)."""
    if str(source) == STDIO:
        return decode_image(read_stdin_bytes(), name="<stdin>")
    return read_image(source)


def read_stdin_bytes() -> bytes:
    """Every byte on standard input; a one-line error if there are none (or far too many)."""
    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if not data:
        raise EmojiAlphaError("standard input is empty; pipe an image into it (cat glyph.png | emoji-alpha enlarge - ...)")
    if len(data) > MAX_STDIN_BYTES:
        raise EmojiAlphaError(f"standard input holds over {MAX_STDIN_BYTES >> 20} MiB; that is no emoji")
    return data


def read_input_bytes(path: Path, expected: str) -> bytes:
    """The bytes of an input file, or a one-line error if it is missing, a folder, not a
    regular file (a FIFO would block forever, a device never end) or unreadable."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise EmojiAlphaError(f"{path}: no such file") from None
    except OSError as exc:
        raise EmojiAlphaError(f"{path}: cannot read ({_reason(exc)})") from None
    if stat.S_ISDIR(mode):
        raise EmojiAlphaError(f"{path}: is a folder, expected {expected}")
    if not stat.S_ISREG(mode):
        raise EmojiAlphaError(f"{path}: not a regular file (a pipe or a device?); to read a pipe, give - "
                              f"and redirect it to standard input")
    try:
        return path.read_bytes()
    except OSError as exc:  # permissions, a file that vanished, an I/O error
        raise EmojiAlphaError(f"{path}: cannot read ({_reason(exc)})") from None


def sha256_file(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks (checkpoints are large), as hex;
    a one-line :class:`EmojiAlphaError` if it cannot be read (missing, a folder, no permission)."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise EmojiAlphaError(f"cannot read {path} ({exc.strerror or exc})") from None
    return digest.hexdigest()


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def decode_image(data: bytes, *, name: str = "<bytes>") -> LoadedImage:
    """Decode image bytes; see :func:`read_image`."""
    from PIL import Image

    header = pngfile.read_header(data)
    if header is not None and 0 in header.size:  # Pillow would only say "cannot identify image file"
        raise EmojiAlphaError(f"{name}: zero-sized image (its header says {header.width}x{header.height})")
    if pngfile.is_rgb16(data):
        return _decode_png16(data, name)
    try:
        if data[:8] == pngfile.SIGNATURE:
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
    except MemoryError:
        raise EmojiAlphaError(f"{name}: not enough memory to decode this image") from None
    except Exception as exc:  # noqa: BLE001 - decoders of untrusted bytes raise many types
        # (OSError, SyntaxError, zlib.error, struct.error, IndexError in plugins): all mean the same
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "cannot identify image file" in reason:
            reason = "not an image"
        elif "truncated" in reason.lower() or "EOF" in reason or "broken" in reason.lower():
            reason = "truncated or corrupt file"
        raise EmojiAlphaError(f"{name}: cannot read image ({reason})") from None


def loaded_from_pil(im, name: str = "<PIL image>") -> LoadedImage:
    """A Pillow image (any mode; an animation's current frame) as a :class:`LoadedImage`."""
    width, height = im.size
    if width * height > MAX_INPUT_PIXELS:
        raise EmojiAlphaError(f"{name}: {width}x{height} is too large an input image")
    im.load()
    return _from_pil(im, name)


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
    import zlib

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
    except (png.Error, ValueError, EOFError, zlib.error) as exc:  # zlib.error: corrupt deflate data in IDAT
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EmojiAlphaError(f"{name}: cannot read image ({reason})") from None
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


def composite_over(premul: np.ndarray, background: float | np.ndarray, *, alpha: np.ndarray | None = None,
                   stacked: bool = False) -> np.ndarray:
    """Flatten premultiplied colour over a background: P + (1 - a) b, exact (no rounding), in
    the images' own precision; the one place this formula is written.

    ``premul`` is premultiplied RGBA (``... x 4``), or premultiplied colour (``... x 3``) with
    its ``alpha`` (``...``) given apart. ``background`` is a grey level, a colour or an image
    broadcastable to ``... x 3``, taken as float32; with ``stacked`` it is a sequence of K grey
    levels and the result is their K composites stacked first (``K x ... x 3``), as the
    solver's stacks hold them.
    """
    if alpha is None:
        colour, alpha = premul[..., :3], premul[..., 3:4]
    else:
        colour, alpha = premul, alpha[..., None]
    background = np.asarray(background, dtype=np.float32)
    if stacked:
        background = background.reshape(-1, *(1,) * colour.ndim)
        colour, alpha = colour[None], alpha[None]
    return colour + (1.0 - alpha) * background


def checkerboard(height: int, width: int, cell: int = 8, *, first: float = 0.0, second: float = 1.0) -> np.ndarray:
    """H x W x 1 float32 checkerboard of ``cell`` pixel squares: ``first`` where
    (y // cell + x // cell) is even (the top-left square), ``second`` where it is odd."""
    rows = (np.arange(height) // cell)[:, None]
    cols = (np.arange(width) // cell)[None, :]
    return np.where((rows + cols) % 2 == 0, first, second).astype(np.float32)[..., None]


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


#: Output formats by name, and the suffixes that name them (``-o big.webp``).
IMAGE_FORMATS = ("png", "webp", "tiff", "jpeg")
FORMAT_SUFFIXES = {".png": "png", ".webp": "webp", ".tif": "tiff", ".tiff": "tiff", ".jpg": "jpeg", ".jpeg": "jpeg"}
FORMAT_TITLES = {"png": "PNG", "webp": "WebP", "tiff": "TIFF", "jpeg": "JPEG"}
#: The image files a batch takes from a folder, by suffix: every output format and two more
#: that :func:`read_image` decodes (one file named on the command line may be any image).
INPUT_SUFFIXES = (*FORMAT_SUFFIXES, ".gif", ".bmp")
#: Formats that keep an alpha channel; JPEG has none.
ALPHA_FORMATS = ("png", "webp", "tiff")
#: libwebp's longest side.
WEBP_MAX_SIDE = 16383


def encode_image(image: np.ndarray, image_format: str = "png") -> bytes:
    """An H x W x {3,4} float [0, 1] (or uint8) straight-alpha image as ``image_format`` bytes:
    8-bit PNG, lossless WebP, deflated TIFF (alpha kept in all three) or JPEG (quality 95,
    opaque images only: a transparent one is an :class:`EmojiAlphaError`)."""
    from PIL import Image

    if image_format == "png":
        return encode_png(image)
    array = image if image.dtype == np.uint8 else to_uint8(image)
    if image_format == "jpeg":
        if array.shape[2] == 4 and (array[..., 3] < 255).any():
            raise EmojiAlphaError("the result has transparency, which JPEG cannot store; write .png or .webp")
        array = array[..., :3]
    mode = "RGBA" if array.shape[2] == 4 else "RGB"
    picture = Image.fromarray(np.ascontiguousarray(array), mode=mode)
    buffer = io.BytesIO()
    if image_format == "webp":
        # exact: keep the colour under alpha 0 (ours is 0) so it decodes to what the PNG holds
        picture.save(buffer, format="WEBP", lossless=True, quality=100, method=4, exact=True)
    elif image_format == "tiff":
        picture.save(buffer, format="TIFF", compression="tiff_adobe_deflate")
    elif image_format == "jpeg":
        picture.save(buffer, format="JPEG", quality=95)
    else:
        raise ValueError(f"unknown image format {image_format!r}; choose from {', '.join(IMAGE_FORMATS)}")
    return buffer.getvalue()


def image_array(image: np.ndarray, name: str = "image", channels: tuple[int, ...] = (3, 4)) -> np.ndarray:
    """``image`` as float32 H x W x C in [0, 1], or a ValueError naming what is wrong.

    uint8 is divided by 255; floats must already lie in [0, 1] (a uint8 picture cast to float
    would otherwise be taken as colours up to 255, silently wrong)."""
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] not in channels or 0 in array.shape[:2]:
        wanted = " or ".join(str(c) for c in channels)
        raise ValueError(f"{name}: expected an H x W x {wanted} array, got shape {array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{name}: expected uint8 (0-255) or float (0-1) values, got dtype {array.dtype}")
    check_unit_range(array, name)
    return np.asarray(array, dtype=np.float32)


def check_unit_range(array: np.ndarray, name: str = "image") -> None:
    """A ValueError unless ``array`` is floating point with finite values in [0, 1] (a little
    rounding slack allowed: exact composites land a few ulps past 1)."""
    if not np.issubdtype(array.dtype, np.floating):
        hint = " (divide by 255)" if array.dtype == np.uint8 else ""
        raise ValueError(f"{name}: expected float values in [0, 1], got dtype {array.dtype}{hint}")
    if not array.size:
        return
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: expected values in [0, 1], got nan or inf")
    low, high = float(array.min()), float(array.max())
    if low < -1e-3 or high > 1 + 1e-3:
        raise ValueError(f"{name}: expected values in [0, 1], got values from {low:g} to {high:g}"
                         + (" (looks like 0-255: divide by 255)" if high > 1.5 else ""))


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

