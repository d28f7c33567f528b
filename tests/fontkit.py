"""Build small synthetic colour fonts with fontTools for the font tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

# Glyph order shared by the bitmap test fonts: Apple-style names, a ZWJ family, a skin tone.
SBIX_GLYPHS = [
    ".notdef", "space", "uni200D", "uFE0F", "u1F343", "u1F468", "u1F469", "u1F467",
    "u1F468_u200D_u1F469_u200D_u1F467", "u1F44B.0", "u1F3FC", "u1F44B.3", "u2764",
    "leaf.alt", "orphan glyph",
]
SBIX_CMAP = {
    0x20: "space", 0x200D: "uni200D", 0xFE0F: "uFE0F", 0x1F343: "u1F343", 0x1F468: "u1F468",
    0x1F469: "u1F469", 0x1F467: "u1F467", 0x1F44B: "u1F44B.0", 0x1F3FC: "u1F3FC", 0x2764: "u2764",
}
SBIX_FEA = """
feature ccmp {
    sub u1F468 uni200D u1F469 uni200D u1F467 by u1F468_u200D_u1F469_u200D_u1F467;
    sub u1F44B.0 u1F3FC by u1F44B.3;
    sub u2764 uFE0F by u2764;
} ccmp;
"""


def png(size: int, colour: tuple[int, int, int, int], mode: str = "RGBA") -> bytes:
    """A square PNG of one colour with a transparent 1-pixel border."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (size - 2, size - 2), colour), (1, 1))
    if mode == "P":
        image = image.convert("P")  # palette + transparency, as Noto stores its PNGs
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _base_font(glyph_order: list[str], cmap: dict[int, str], fea: str | None = None, outlines: bool = False):
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(glyph_order)
    fb.setupCharacterMap(cmap)
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(None)
        if outlines and name not in (".notdef", "space"):
            pen.moveTo((100, 0))
            pen.lineTo((100, 800))
            pen.lineTo((900, 800))
            pen.lineTo((900, 0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({name: (1000, 0) for name in glyph_order})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Test Emoji", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    if fea:
        from fontTools.feaLib.builder import addOpenTypeFeaturesFromString

        addOpenTypeFeaturesFromString(fb.font, fea)
    return fb


def colour_of(index: int, ppem: int) -> tuple[int, int, int, int]:
    return ((index * 37) % 256, ppem % 256, (index * 91) % 256, 255)


SBIX_EMPTY = frozenset({".notdef", "space", "uni200D", "uFE0F"})

# One glyph for two flags, as Noto draws the US and the US Outlying Islands; regional
# indicators alone have no picture (as in Apple's and Noto's fonts).
FLAG_GLYPHS = [".notdef", "u1F1EF", "u1F1F2", "u1F1F5", "u1F1F8", "u1F1FA", "flag_jp", "flag_us"]
FLAG_CMAP = {0x1F1EF: "u1F1EF", 0x1F1F2: "u1F1F2", 0x1F1F5: "u1F1F5", 0x1F1F8: "u1F1F8", 0x1F1FA: "u1F1FA"}
FLAG_FEA = """
feature ccmp {
    sub u1F1EF u1F1F5 by flag_jp;
    sub u1F1FA u1F1F8 by flag_us;
    sub u1F1FA u1F1F2 by flag_us;
} ccmp;
"""
FLAG_EMPTY = frozenset({".notdef", "u1F1EF", "u1F1F2", "u1F1F5", "u1F1F8", "u1F1FA"})


def build_sbix(path: Path, strikes: tuple[int, ...] = (32, 64, 160), glyphs: list[str] = SBIX_GLYPHS,
               cmap: dict[int, str] = SBIX_CMAP, fea: str = SBIX_FEA, empty: frozenset[str] = SBIX_EMPTY,
               graphics: dict[str, tuple[str, bytes]] | None = None) -> Path:
    """sbix font: several strikes, a dupe ('leaf.alt' -> u1F343), empty space/ZWJ glyphs.

    ``graphics`` replaces some glyphs' (graphic type, image bytes) in every strike, e.g.
    ``{"u2764": ("jpg ", jpeg_bytes)}``."""
    from fontTools.ttLib import newTable
    from fontTools.ttLib.tables.sbixGlyph import Glyph
    from fontTools.ttLib.tables.sbixStrike import Strike

    fb = _base_font(glyphs, cmap, fea)
    table = newTable("sbix")
    for ppem in strikes:
        strike = Strike(ppem=ppem, resolution=72)
        for index, name in enumerate(glyphs):
            if name in empty:
                continue  # empty: no graphic
            if name == "leaf.alt":
                strike.glyphs[name] = Glyph(glyphName=name, graphicType="dupe", referenceGlyphName="u1F343")
            else:
                kind, data = (graphics or {}).get(name, ("png ", png(ppem, colour_of(index, ppem))))
                strike.glyphs[name] = Glyph(
                    glyphName=name, graphicType=kind, imageData=data, originOffsetX=0, originOffsetY=0,
                )
        table.strikes[ppem] = strike
    fb.font["sbix"] = table
    fb.save(str(path))
    return path


def build_flags(path: Path, strikes: tuple[int, ...] = (32,)) -> Path:
    """sbix font whose one 'flag_us' glyph is reached by two sequences (US and UM)."""
    return build_sbix(path, strikes, FLAG_GLYPHS, FLAG_CMAP, FLAG_FEA, FLAG_EMPTY)


def build_collection(path: Path, faces: list[Path]) -> Path:
    """A .ttc collection of the given fonts, in that order."""
    from fontTools.ttLib import TTCollection, TTFont

    collection = TTCollection()
    collection.fonts = [TTFont(str(face)) for face in faces]
    collection.save(str(path))
    return path


# CBDT font: a flag ligature, a keycap, and formats 17, 18 and 19 in the large strike.
CBDT_GLYPHS = [
    ".notdef", "space", "numbersign", "uni20E3", "u1F1EF", "u1F1F5",  # 17 (small strike: all)
    "u1F600", "keycap_hash",  # 18
    "flag_jp", "u1F603",  # 19 (index format 2 needs consecutive ids)
]
CBDT_CMAP = {0x20: "space", 0x23: "numbersign", 0x20E3: "uni20E3", 0x1F1EF: "u1F1EF",
             0x1F1F5: "u1F1F5", 0x1F600: "u1F600", 0x1F603: "u1F603"}
CBDT_FEA = """
feature ccmp {
    sub numbersign uni20E3 by keycap_hash;
    sub u1F1EF u1F1F5 by flag_jp;
} ccmp;
"""


def _line_metrics(direction: str) -> str:
    fields = ["ascender", "descender", "widthMax", "caretSlopeNumerator", "caretSlopeDenominator",
              "caretOffset", "minOriginSB", "minAdvanceSB", "maxBeforeBL", "minAfterBL", "pad1", "pad2"]
    values = {"ascender": 100, "descender": -28, "widthMax": 136}
    inner = "".join(f'<{f} value="{values.get(f, 0)}"/>' for f in fields)
    return f'<sbitLineMetrics direction="{direction}">{inner}</sbitLineMetrics>'


def _size_table(ppem: int, first: int, last: int) -> str:
    return (f"<bitmapSizeTable>{_line_metrics('hori')}{_line_metrics('vert')}"
            f'<colorRef value="0"/><startGlyphIndex value="{first}"/><endGlyphIndex value="{last}"/>'
            f'<ppemX value="{ppem}"/><ppemY value="{ppem}"/><bitDepth value="32"/><flags value="1"/>'
            "</bitmapSizeTable>")


def _small(w: int, h: int) -> str:
    return (f'<SmallGlyphMetrics><height value="{h}"/><width value="{w}"/><BearingX value="1"/>'
            f'<BearingY value="{h - 5}"/><Advance value="{w + 2}"/></SmallGlyphMetrics>')


def _big(w: int, h: int) -> str:
    return (f'<BigGlyphMetrics><height value="{h}"/><width value="{w}"/><horiBearingX value="2"/>'
            f'<horiBearingY value="{h - 6}"/><horiAdvance value="{w + 4}"/><vertBearingX value="0"/>'
            f'<vertBearingY value="0"/><vertAdvance value="{h}"/></BigGlyphMetrics>')


def build_cbdt(path: Path, small: int = 20, large: int = 109) -> Path:
    """CBDT/CBLC font with a small strike (format 17) and a large one (formats 17, 18, 19)."""
    fb = _base_font(CBDT_GLYPHS, CBDT_CMAP, CBDT_FEA)
    ids = {name: i for i, name in enumerate(CBDT_GLYPHS)}
    colour = list(CBDT_GLYPHS[2:])
    data_xml = []
    cblc_xml = []

    def loc(names: list[str]) -> str:
        return "".join(f'<glyphLoc id="{ids[n]}" name="{n}"/>' for n in names)

    def hexdata(blob: bytes) -> str:
        return f"<rawimagedata>{blob.hex()}</rawimagedata>"

    # Strike 0: everything as format 17, palette PNGs (must come out as RGBA).
    glyphs0 = "".join(
        f'<cbdt_bitmap_format_17 name="{n}">{_small(small, small)}'
        f"{hexdata(png(small, colour_of(ids[n], small), mode='P'))}</cbdt_bitmap_format_17>"
        for n in colour
    )
    data_xml.append(f'<strikedata index="0">{glyphs0}</strikedata>')
    cblc_xml.append(
        f'<strike index="0">{_size_table(small, ids[colour[0]], ids[colour[-1]])}'
        f'<eblc_index_sub_table_1 imageFormat="17" firstGlyphIndex="{ids[colour[0]]}" '
        f'lastGlyphIndex="{ids[colour[-1]]}">{loc(colour)}</eblc_index_sub_table_1></strike>'
    )
    f17, f18, f19 = colour[:4], colour[4:6], colour[6:]
    w, h = large + 27, large + 19
    glyphs1 = "".join(
        f'<cbdt_bitmap_format_17 name="{n}">{_small(w, h)}{hexdata(png(w, colour_of(ids[n], large), mode="P"))}'
        "</cbdt_bitmap_format_17>" for n in f17
    ) + "".join(
        f'<cbdt_bitmap_format_18 name="{n}">{_big(w, h)}{hexdata(png(w, colour_of(ids[n], large)))}'
        "</cbdt_bitmap_format_18>" for n in f18
    ) + "".join(
        f'<cbdt_bitmap_format_19 name="{n}">{hexdata(png(w, colour_of(ids[n], large)))}</cbdt_bitmap_format_19>'
        for n in f19
    )
    image_size = max(len(png(w, colour_of(ids[n], large))) for n in f19) + 4
    data_xml.append(f'<strikedata index="1">{glyphs1}</strikedata>')

    def sub(fmt: int, image_format: int, names: list[str], extra: str = "") -> str:
        return (f'<eblc_index_sub_table_{fmt} imageFormat="{image_format}" firstGlyphIndex="{ids[names[0]]}" '
                f'lastGlyphIndex="{ids[names[-1]]}">{extra}{loc(names)}</eblc_index_sub_table_{fmt}>')

    cblc_xml.append(
        f'<strike index="1">{_size_table(large, ids[colour[0]], ids[colour[-1]])}'
        + sub(1, 17, f17) + sub(1, 18, f18)
        + sub(2, 19, f19, f'<imageSize value="{image_size}"/>{_big(w, h)}')
        + "</strike>"
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><ttFont sfntVersion="\\x00\\x01\\x00\\x00">'
        f'<CBLC><header version="3.0"/>{"".join(cblc_xml)}</CBLC>'
        f'<CBDT><header version="3.0"/>{"".join(data_xml)}</CBDT></ttFont>'
    )
    fb.font.importXML(io.StringIO(xml))
    fb.save(str(path))
    return path


def build_plain(path: Path) -> Path:
    """A valid font with no colour glyphs."""
    fb = _base_font([".notdef", "space", "A"], {0x20: "space", 0x41: "A"}, outlines=True)
    fb.save(str(path))
    return path


def build_colr(path: Path, version: int = 0) -> Path:
    """COLR v0 or v1 font: U+1F534 is a red square, U+1F535 a blue one."""
    from fontTools.colorLib.builder import buildCOLR, buildCPAL

    fb = _base_font([".notdef", "space", "sq", "u1F534", "u1F535"],
                    {0x20: "space", 0x1F534: "u1F534", 0x1F535: "u1F535"}, outlines=True)
    if version == 0:
        layers = {"u1F534": [("sq", 0)], "u1F535": [("sq", 1)]}
    else:
        def solid(index: int) -> dict:
            return {"Format": 10, "Paint": {"Format": 2, "PaletteIndex": index, "Alpha": 1.0}, "Glyph": "sq"}

        layers = {"u1F534": solid(0), "u1F535": solid(1)}
    fb.font["COLR"] = buildCOLR(layers, version=version)
    fb.font["CPAL"] = buildCPAL([[(1.0, 0.0, 0.0, 1.0), (0.0, 0.0, 1.0, 1.0)]])
    fb.save(str(path))
    return path


def build_svg(path: Path) -> Path:
    """OpenType-SVG font: one document holding two glyphs (green and yellow squares)."""
    from fontTools.ttLib import newTable
    from fontTools.ttLib.tables.S_V_G_ import SVGDocument

    fb = _base_font([".notdef", "space", "u1F7E9", "u1F7E8"],
                    {0x20: "space", 0x1F7E9: "u1F7E9", 0x1F7E8: "u1F7E8"}, outlines=True)
    doc = (
        '<svg xmlns="http://www.w3.org/2000/svg">'
        '<g id="glyph2"><rect x="100" y="-800" width="800" height="800" fill="#00ff00"/></g>'
        '<g id="glyph3"><rect x="100" y="-800" width="800" height="800" fill="#ffff00"/></g>'
        "</svg>"
    )
    table = newTable("SVG ")
    table.docList = [SVGDocument(doc, 2, 3, False)]
    fb.font["SVG "] = table
    fb.save(str(path))
    return path
