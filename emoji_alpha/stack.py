"""A kept background stack: the K LIIF enlargements of one glyph, so it can be re-solved.

Layout of a stack folder::

    stack.json          backgrounds (8-bit levels), source, sizes, weights sha256, versions,
                        the sha256 of each image file below
    input.png           the input glyph (16-bit straight RGBA: exact for 8-bit inputs)
    bg-000.png ...      one 16-bit RGB PNG per background, in the order of ``backgrounds``

16-bit PNG keeps each enlargement to within 1/131070 of LIIF's float output (far below any
visible or measurable difference) while staying viewable. Files are written atomically and
stack.json last, so a folder with a valid stack.json is complete. :func:`load_stack`
checks the sidecar (types, ranges, distinct levels) and that the images are the ones it
describes (sizes, and their sha256 where recorded), so a hand-edited or mixed-up folder gives
one clear error instead of a quietly wrong solve.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emoji_alpha import __version__
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import MAX_INPUT_PIXELS, read_image, sha256_file, unpremultiply, write_bytes_atomic
from emoji_alpha.pngfile import encode_png16
from emoji_alpha.sizes import MAX_SIDE

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
    #: sha256 of input.png and each bg-NNN.png as written (empty in stacks of older versions)
    files: dict = field(default_factory=dict, compare=False)


_REQUIRED = ("backgrounds", "source", "in_size", "out_size", "weights_sha256", "band_margin")


def save_stack(folder: Path, stack: np.ndarray, premul_lr: np.ndarray, info: StackInfo) -> Path:
    """Write the K x H x W x 3 ``stack`` and the input glyph into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(info.backgrounds) != stack.shape[0]:
        raise ValueError("one background level per stack image")
    files = {"input.png": encode_png16(unpremultiply(premul_lr))}
    files.update({_bg_name(index): encode_png16(image) for index, image in enumerate(stack)})
    for name, data in files.items():
        write_bytes_atomic(folder / name, data)
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    sidecar = asdict(dataclasses.replace(info, files=hashes))
    write_bytes_atomic(folder / SIDECAR, json.dumps(sidecar, indent=2).encode())
    return folder


def _bg_name(index: int) -> str:
    return f"bg-{index:03d}.png"


def load_stack(folder: Path) -> tuple[np.ndarray, np.ndarray, StackInfo]:
    """(stack K x H x W x 3, input premultiplied RGBA, info); clear errors for bad stacks."""
    from emoji_alpha.images import premultiply

    folder = Path(folder)
    if not folder.is_dir():
        raise EmojiAlphaError(f"{folder}: not a stack folder (make one with `enlarge --keep-stack DIR`)")
    sidecar = folder / SIDECAR
    if not sidecar.exists():
        raise EmojiAlphaError(f"{folder}: missing {SIDECAR}; not a complete stack (re-run `enlarge --keep-stack`)")
    info = read_sidecar(sidecar)
    count = len(info.backgrounds)
    files = sorted(folder.glob("bg-*.png"))
    if len(files) < count:
        raise EmojiAlphaError(f"{folder}: {len(files)} background images for {count} backgrounds in {SIDECAR}")
    images = []
    for index in range(count):
        path = folder / _bg_name(index)
        if not path.exists():
            raise EmojiAlphaError(f"{folder}: missing {path.name}")
        image = read_image(path).rgba[..., :3]
        _check_size(path, image.shape[:2], info.out_size, "out_size")
        images.append(image)
    source = folder / "input.png"
    if not source.exists():
        raise EmojiAlphaError(f"{folder}: missing input.png")
    loaded = read_image(source)
    _check_size(source, loaded.size, info.in_size, "in_size")
    if not loaded.has_alpha:
        raise EmojiAlphaError(f"{source}: no alpha channel, so not the glyph this stack was made from "
                              "(re-run `enlarge --keep-stack`)")
    _check_hashes(folder, info, count)
    return np.stack(images), premultiply(loaded.rgba), info


_REMAKE = "re-run `enlarge --keep-stack` to make the stack again"


def _check_size(path: Path, found: tuple[int, int], recorded: list[int], key: str) -> None:
    if list(found) != list(recorded):
        raise EmojiAlphaError(f"{path}: size {found[1]}x{found[0]} does not match {SIDECAR}'s {key} "
                              f"{recorded[1]}x{recorded[0]}; {_REMAKE}")


def _check_hashes(folder: Path, info: StackInfo, count: int) -> None:
    """Same-sized images swapped or replaced: their sha256 tells (stacks of older versions
    recorded none, and are trusted as before)."""
    for name in ["input.png", *(_bg_name(index) for index in range(count))]:
        recorded = info.files.get(name)
        if recorded is not None and sha256_file(folder / name) != recorded:
            raise EmojiAlphaError(f"{folder / name}: does not match {SIDECAR} (its sha256 differs: the stack's files "
                                  f"were changed or mixed up with another stack's); {_REMAKE}")


def read_sidecar(path: Path) -> StackInfo:
    """``stack.json`` as a :class:`StackInfo`, every field checked: one line naming the first
    problem (unknown keys are ignored, for sidecars of newer versions)."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EmojiAlphaError(f"{path}: unreadable sidecar ({exc})") from None

    def bad(problem: str) -> EmojiAlphaError:
        return EmojiAlphaError(f"{path}: {problem}; {_REMAKE}")

    if not isinstance(raw, dict):
        raise bad(f"must hold a JSON object, not {_kind(raw)}")
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise bad(f"missing {', '.join(repr(key) for key in missing)}")
    levels = raw["backgrounds"]
    if not isinstance(levels, list) or not levels:
        raise bad(f"'backgrounds' must be a non-empty list of grey levels, not {_kind(levels)}")
    for level in levels:
        if not _is_number(level) or not 0 <= level <= 255:
            raise bad(f"'backgrounds' holds {json.dumps(level)}; each level must be a number from 0 to 255")
    for index, level in enumerate(levels):
        if any(math.isclose(level, other, abs_tol=1e-6) for other in levels[:index]):
            raise bad(f"'backgrounds' lists level {json.dumps(level)} twice; each image must be over its own grey")
    for key, most in (("in_size", MAX_INPUT_PIXELS), ("out_size", MAX_SIDE * MAX_SIDE)):
        value = raw[key]
        if (not isinstance(value, list) or len(value) != 2 or not all(_is_int(side) and side >= 1 for side in value)
                or value[0] * value[1] > most):
            raise bad(f"{key!r} must be [height, width] in whole pixels, not {json.dumps(value)}")
    for key in ("source", "weights_sha256"):
        if not isinstance(raw[key], str):
            raise bad(f"{key!r} must be a string, not {_kind(raw[key])}")
    margin = raw["band_margin"]
    if margin is not None and not (_is_int(margin) and margin >= 0):
        raise bad(f"'band_margin' must be null or a whole number of pixels, not {json.dumps(margin)}")
    version = raw.get("version", __version__)
    if not isinstance(version, str):
        raise bad(f"'version' must be a string, not {_kind(version)}")
    files = raw.get("files", {})
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise bad("'files' must map file names to sha256 strings")
    return StackInfo([float(level) for level in levels], raw["source"], list(raw["in_size"]), list(raw["out_size"]),
                     raw["weights_sha256"], margin, version, dict(files))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), json.dumps(value) if _is_number(value) else type(value).__name__)
