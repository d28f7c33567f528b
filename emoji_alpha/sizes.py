"""Parsing output sizes: ``2000`` (longer side), ``2000x1500`` (width x height), or a scale."""

from __future__ import annotations

import re

from emoji_alpha.errors import EmojiAlphaError

#: Longest output side we accept; far beyond what an emoji needs, stops typos like 2000000.
MAX_SIDE = 32768


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
        if not scale > 0:
            raise EmojiAlphaError(f"--scale must be positive, got {scale}")
        out = (round(in_h * scale), round(in_w * scale))
    else:
        text = size.strip().lower()
        match = re.fullmatch(r"(\d+)(?:x(\d+))?", text)
        if not match:
            raise EmojiAlphaError(f"--size must look like 2000 or 2000x1500 (width x height), got {size!r}")
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
