"""Render vector colour glyphs (COLR v0/v1, OpenType-SVG) to RGBA arrays.

Both renderers are optional extras, imported only when a vector font is extracted:

* COLR: ``blackrenderer`` with its Skia backend (``pip install 'blackrenderer[skia]'``), the
  fontTools authors' reference renderer for COLRv0 and COLRv1.
* SVG: ``resvg-py`` (``pip install resvg-py``), bindings to the resvg SVG renderer.

Each glyph is drawn into a ``size`` x ``size`` square: one em maps to ``size`` pixels and
the glyph's box is centred, shrunk only if it would not fit. That matches how bitmap emoji
fonts fill their strikes, so vector and bitmap extractions are comparable.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import numpy as np

from emoji_alpha.errors import EmojiAlphaError

COLR_EXTRA = "blackrenderer[skia]"
SVG_EXTRA = "resvg-py"


def colour_glyph_names(font, source: str) -> list[str]:
    """Names of the glyphs that have colour data in the ``COLR`` or ``SVG `` table, by glyph id."""
    order = font.getGlyphOrder()
    names: set[str] = set()
    if source == "COLR":
        colr = font["COLR"]
        if colr.version == 0:
            names.update(colr.ColorLayers)
        else:
            table = colr.table
            if table.BaseGlyphRecordArray is not None:
                names.update(r.BaseGlyph for r in table.BaseGlyphRecordArray.BaseGlyphRecord)
            if table.BaseGlyphList is not None:
                names.update(r.BaseGlyph for r in table.BaseGlyphList.BaseGlyphPaintRecord)
    elif source == "SVG":
        for doc in font["SVG "].docList:
            names.update(order[gid] for gid in range(doc.startGlyphID, doc.endGlyphID + 1) if gid < len(order))
    ids = {name: gid for gid, name in enumerate(order)}
    return sorted(names, key=lambda name: ids.get(name, -1))


def render_glyphs(path: Path, font, source: str, names: list[str], size: int, face: int = 0) -> dict[str, np.ndarray]:
    """Render ``names`` to straight-alpha RGBA uint8 arrays of ``size`` x ``size``; ``face``
    is the font's index in a ``.ttc`` collection."""
    if source == "COLR":
        return _render_colr(path, names, size, face)
    if source == "SVG":
        return _render_svg(font, names, size)
    raise ValueError(f"not a vector colour source: {source}")


def _fit(bounds: tuple[float, float, float, float] | None, upem: int, size: int) -> tuple[float, float, float]:
    """Scale and pixel offset (dx, dy, y-up) that centre ``bounds`` in a size x size square."""
    scale = size / upem
    if bounds is None:
        return scale, 0.0, 0.0
    x_min, y_min, x_max, y_max = bounds
    extent = max(x_max - x_min, y_max - y_min)
    if extent * scale > size:  # wider or taller than the em: shrink to fit, never crop
        scale = size / extent
    dx = size / 2 - (x_min + x_max) / 2 * scale
    dy = size / 2 - (y_min + y_max) / 2 * scale
    return scale, dx, dy


def _render_colr(path: Path, names: list[str], size: int, face: int = 0) -> dict[str, np.ndarray]:
    try:
        from blackrenderer.backends import getSurfaceClass
        from blackrenderer.font import BlackRendererFont
    except ImportError:
        raise EmojiAlphaError(
            f"{path}: COLR colour font; rendering it needs the optional renderer: "
            f"pip install '{COLR_EXTRA}'"
        ) from None
    surface_class = getSurfaceClass("skia")
    if surface_class is None:
        raise EmojiAlphaError(f"{path}: COLR rendering needs skia-python: pip install '{COLR_EXTRA}'")
    from PIL import Image

    font = BlackRendererFont(str(path), fontNumber=face)
    palette = font.getPalette(0)
    out: dict[str, np.ndarray] = {}
    with tempfile.TemporaryDirectory() as tmp:
        png_path = Path(tmp) / "glyph.png"
        for name in names:
            scale, dx, dy = _fit(font.getGlyphBounds(name), font.unitsPerEm, size)
            surface = surface_class()
            # blackrenderer canvases are y-up in pixel units over the given box.
            with surface.canvas((0, 0, size, size)) as canvas:
                canvas.translate(dx, dy)
                canvas.scale(scale)
                font.drawGlyph(name, canvas, palette=palette)
            # saveImage is the backend's public way out; Skia writes unpremultiplied PNG.
            surface.saveImage(png_path)
            with Image.open(png_path) as im:
                out[name] = np.asarray(im.convert("RGBA")).copy()
    return out


_GLYPH_ID_RE = re.compile(r"^glyph(\d+)$")


def _render_svg(font, names: list[str], size: int) -> dict[str, np.ndarray]:
    try:
        import resvg_py
    except ImportError:
        raise EmojiAlphaError(
            f"OpenType-SVG colour font; rendering it needs the optional renderer: pip install {SVG_EXTRA}"
        ) from None
    import xml.etree.ElementTree as ET

    from PIL import Image

    order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    docs = {}
    for doc in font["SVG "].docList:
        for gid in range(doc.startGlyphID, doc.endGlyphID + 1):
            docs[gid] = doc.data
    upem = font["head"].unitsPerEm
    ascent = font["hhea"].ascent
    metrics = font["hmtx"].metrics
    out: dict[str, np.ndarray] = {}
    for name in names:
        gid = order[name]
        try:
            root = ET.fromstring(docs[gid])
        except ET.ParseError as exc:
            raise EmojiAlphaError(f"SVG glyph {name!r}: malformed SVG document ({exc})") from None
        # A document may hold many glyphs: drop every other glyph element so only ours draws.
        for parent in root.iter():
            for child in list(parent):
                match = _GLYPH_ID_RE.match(child.get("id", ""))
                if match and int(match.group(1)) != gid:
                    parent.remove(child)
        # OpenType-SVG puts the glyph origin at (0, 0) with y down and the baseline at y=0;
        # show one em from the ascender down, centred horizontally on the advance.
        advance = metrics.get(name, (upem, 0))[0]
        x0 = (advance - upem) / 2
        root.set("viewBox", f"{x0} {-ascent} {upem} {upem}")
        for attr in ("width", "height", "x", "y"):
            root.attrib.pop(attr, None)
        svg = ET.tostring(root, encoding="unicode")
        try:
            png = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=size, height=size, skip_system_fonts=True))
        except ValueError as exc:
            raise EmojiAlphaError(f"SVG glyph {name!r}: cannot render ({exc})") from None
        with Image.open(io.BytesIO(png)) as im:
            out[name] = np.asarray(im.convert("RGBA")).copy()
    return out
