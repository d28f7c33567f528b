"""Parsing output sizes: ``2000`` (longer side), ``2000x1500`` (width x height), or a scale."""

from __future__ import annotations

import math
import re

from emoji_alpha.errors import EmojiAlphaError

#: Longest output side we accept; far beyond what an emoji needs, stops typos like 2000000.
MAX_SIDE = 32768

#: Digits a side may have: enough for MAX_SIDE, few enough that int() never sees thousands.
_MAX_DIGITS = 9

#: ``--size N`` with N at most this on a larger input reads as an upscaling factor (``-s 4``
#: means x4 in Real-ESRGAN and friends), so the error suggests ``--scale N``.
_FACTOR_HINT_MAX = 16


def output_size(in_size: tuple[int, int], size: str | None = None, scale: float | None = None) -> tuple[int, int]:
    """Output (height, width) for an input of ``in_size`` = (height, width).

    ``size``: ``N`` sets the longer side to N keeping the aspect ratio (so a square emoji
    becomes N x N); ``WxH`` sets both. ``scale``: multiplies both sides. Exactly one is needed.
    """
    if (size is None) == (scale is None):
        raise EmojiAlphaError("give exactly one of --size and --scale")
    in_h, in_w = in_size
    if in_h < 1 or in_w < 1:  # a PNG header may say 0x0: no aspect ratio to keep
        raise EmojiAlphaError(f"zero-sized input image ({in_w}x{in_h})")
    if scale is not None:
        if not (math.isfinite(scale) and scale > 0):  # nan and inf would reach round() below
            raise EmojiAlphaError(f"--scale must be a positive number, got {scale}")
        if max(in_h, in_w) * scale > MAX_SIDE:  # before round(): a huge scale is no int to build
            raise EmojiAlphaError(f"--scale {scale:g} makes a side over {MAX_SIDE} px (at most {MAX_SIDE} px a side)")
        out = (round(in_h * scale), round(in_w * scale))
    else:
        text = size.strip().lower()
        match = re.fullmatch(r"(\d+)(?:x(\d+))?", text)
        if not match:
            raise EmojiAlphaError(f"--size must look like 2000 or 2000x1500 (width x height), got {size!r}")
        if any(group is not None and len(group.lstrip("0")) > _MAX_DIGITS for group in match.groups()):
            raise EmojiAlphaError(f"--size {_abbreviated(size)} is too large (at most {MAX_SIDE} px a side)")
        if match.group(2) is None:
            longer = int(match.group(1))
            if in_h >= in_w:
                out = (longer, round(longer * in_w / in_h))
            else:
                out = (round(longer * in_h / in_w), longer)
        else:
            out = (int(match.group(2)), int(match.group(1)))
    if min(out) < 1:
        raise EmojiAlphaError(f"output size {out[1]}x{out[0]} is empty; use a positive size")
    if max(out) > MAX_SIDE:
        raise EmojiAlphaError(f"output size {out[1]}x{out[0]} is too large (at most {MAX_SIDE} px a side)")
    return out


def check_enlarges(in_size: tuple[int, int], out_size: tuple[int, int], size: str | None = None,
                   scale: float | None = None) -> None:
    """Refuse an output smaller than the input in either dimension: emoji-alpha enlarges.

    ``--size 4`` on a 64 px glyph is almost always ``--scale 4`` typed the Real-ESRGAN way,
    so the message says so."""
    (in_h, in_w), (out_h, out_w) = in_size, out_size
    if out_h >= in_h and out_w >= in_w:
        return
    factor = _factor_typed_as_size(size)
    if factor is not None:
        hint = f"; did you mean --scale {factor}?"
    elif scale is not None:
        hint = "; --scale must be at least 1"
    else:
        hint = f"; use --size {max(in_h, in_w)} or more, or --scale"
    raise EmojiAlphaError(f"output {out_w}x{out_h} is smaller than the input {in_w}x{in_h} "
                          f"(emoji-alpha only enlarges){hint}")


def _factor_typed_as_size(size: str | None) -> int | None:
    """N for ``--size N`` or ``--size NxN`` with a small N (an upscaling factor), else None."""
    match = re.fullmatch(r"(\d{1,2})(?:x(\d{1,2}))?", (size or "").strip().lower())
    if not match or (match.group(2) is not None and match.group(2) != match.group(1)):
        return None
    factor = int(match.group(1))
    return factor if 2 <= factor <= _FACTOR_HINT_MAX else None


def _abbreviated(text: str, keep: int = 12) -> str:
    """A long value cut for an error message (a size of thousands of digits fills the screen)."""
    return text if len(text) <= 2 * keep else f"{text[:keep]}...({len(text)} characters)"
