"""`extract` on awkward and damaged fonts (issue #18): sbix JPEG/TIFF glyphs, glyphs that do
not decode, WOFF2 without brotli, damaged tables. One test per bad input."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import batchkit
import clikit
import fontkit
from emoji_alpha.batch.run import run_batch
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.fonts.extract import SkippedGlyph, extract_glyphs
from emoji_alpha.options import EnlargeOptions

COLOUR = (200, 30, 90)


def encoded(fmt: str, mode: str = "RGB", size: int = 16) -> bytes:
    """A one-colour image in ``fmt``; RGBA ones get a half-transparent right half."""
    image = Image.new(mode, (size, size), COLOUR + ((255,) if mode == "RGBA" else ()))
    if mode == "RGBA":
        image.paste(Image.new("RGBA", (size // 2, size), COLOUR + (128,)), (size // 2, 0))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _rgba(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.format == "PNG" and im.mode == "RGBA"
        return np.asarray(im)


# -- JPEG and TIFF glyphs become RGBA PNGs -----------------------------------------------------

DECODABLE = {
    "jpeg": ("jpg ", lambda: encoded("JPEG")),
    "tiff-rgba": ("tiff", lambda: encoded("TIFF", "RGBA")),
    "tiff-rgb": ("tiff", lambda: encoded("TIFF")),
    "png-marked-jpeg": ("png ", lambda: encoded("JPEG")),  # a mislabelled glyph still decodes
}


@pytest.mark.parametrize("kind", sorted(DECODABLE))
def test_sbix_jpeg_and_tiff_glyphs_become_rgba_pngs(tmp_path, kind):
    graphic_type, make = DECODABLE[kind]
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,), graphics={"u2764": (graphic_type, make())})
    records = extract_glyphs(font, tmp_path / "out")
    record = next(r for r in records if r.file == "glyph-u2764.png")
    assert (record.width, record.height) == (16, 16)
    pixels = _rgba(tmp_path / "out" / "glyph-u2764.png")
    assert pixels.shape == (16, 16, 4)
    if kind == "tiff-rgba":  # lossless, with its alpha
        assert tuple(pixels[4, 2]) == COLOUR + (255,) and tuple(pixels[4, 12]) == COLOUR + (128,)
    else:  # JPEG is lossy and has no alpha: opaque, near the colour
        assert (pixels[..., 3] == 255).all()
        assert np.abs(pixels[..., :3].astype(int) - COLOUR).max() <= 8
    assert len(records) == 11  # the other glyphs as before


# -- glyphs that do not decode are skipped, one warning each ------------------------------------

UNDECODABLE = {
    "jpeg-garbage": ("jpg ", b"\xff\xd8\xff\xe0 this is no JPEG"),
    "tiff-garbage": ("tiff", b"II*\x00 this is no TIFF"),
    "png-marked-garbage": ("png ", b"neither PNG nor anything else"),
    "jpeg-cut-short": ("jpg ", encoded("JPEG")[:40]),
}


@pytest.mark.parametrize("kind", sorted(UNDECODABLE))
def test_undecodable_glyph_is_skipped_with_one_warning(tmp_path, kind):
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,), graphics={"u2764": UNDECODABLE[kind]})
    skipped: list[SkippedGlyph] = []
    records = extract_glyphs(font, tmp_path / "out", on_skip=skipped.append)
    assert [g.glyph_name for g in skipped] == ["u2764"] and skipped[0].file == "glyph-u2764.png"
    assert "\n" not in skipped[0].message("s.ttf") and "u2764" in skipped[0].message("s.ttf")
    assert len(records) == 10 and not (tmp_path / "out" / "glyph-u2764.png").exists()
    with warnings.catch_warnings(record=True) as caught:  # without on_skip: a warning
        warnings.simplefilter("always")
        extract_glyphs(font, tmp_path / "again")
    assert len(caught) == 1 and "u2764" in str(caught[0].message)


def test_extract_command_warns_in_one_line_and_goes_on(tmp_path, monkeypatch, capsys):
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,), graphics={"u2764": UNDECODABLE["jpeg-garbage"]})
    code, out, err = clikit.run_main(monkeypatch, capsys, "extract", font, "-o", tmp_path / "out")
    assert code == 0, err
    assert [line for line in err.splitlines() if line.strip()] == [
        line for line in err.splitlines() if line.startswith("warning:")] and err.count("warning:") == 1
    assert "u2764" in err and "10 glyphs" in out and "1 skipped" in out


def test_font_whose_glyphs_all_fail_to_decode_is_one_error(tmp_path, monkeypatch, capsys):
    graphics = {name: ("jpg ", b"no") for name in fontkit.SBIX_GLYPHS}
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,), graphics=graphics)
    code, _out, err = clikit.run_main(monkeypatch, capsys, "extract", font, "-o", tmp_path / "out")
    assert code == 2 and "could be decoded" in clikit.last_line_error(err)


def test_undecodable_font_glyph_fails_alone_in_a_batch(tmp_path):
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,), graphics={"u2764": UNDECODABLE["tiff-garbage"]})
    out = tmp_path / "out"
    summary = run_batch([font], out, size="32", options=EnlargeOptions(method="lanczos"), show_progress=False)
    assert summary.failed == 1 and summary.done == 10
    row = batchkit.rows(out)["glyph-u2764.png"]
    assert row["status"] == "failed" and "u2764" in row["error"] and "tiff" in row["error"]


# -- WOFF2 ----------------------------------------------------------------------------------------

def test_woff2_without_brotli_names_what_to_install(tmp_path, monkeypatch, capsys):
    from fontTools.ttLib import woff2

    monkeypatch.setattr(woff2, "haveBrotli", False)
    font = tmp_path / "s.woff2"
    font.write_bytes(b"wOF2" + bytes(60))
    for args in (("extract", font, "-o", tmp_path / "glyphs"), ("enlarge", font, "-o", tmp_path / "out", "--size", "32")):
        code, _out, err = clikit.run_main(monkeypatch, capsys, *args)
        line = clikit.last_line_error(err)
        assert code == 2 and "WOFF2" in line and "pip install brotli" in line
        assert err.count("\n") == 1  # not fontTools' own log line as well


def test_woff2_extracts_with_brotli(tmp_path):
    pytest.importorskip("brotli")
    from fontTools.ttLib import TTFont

    font = TTFont(fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,)))
    font.flavor = "woff2"
    font.save(tmp_path / "s.woff2")
    assert len(extract_glyphs(tmp_path / "s.woff2", tmp_path / "out")) == 11


# -- damaged fonts: one line each -------------------------------------------------------------------

def _table_span(path: Path, tag: str) -> tuple[int, int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    try:
        entry = font.reader.tables[tag]
        return entry.offset, entry.length
    finally:
        font.close()


def _fill_table(path: Path, tag: str, byte: bytes) -> Path:
    offset, length = _table_span(path, tag)
    data = bytearray(path.read_bytes())
    data[offset:offset + length] = byte * length
    path.write_bytes(bytes(data))
    return path


def _woff(path: Path) -> Path:
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    font.flavor = "woff"
    target = path.with_suffix(".woff")
    font.save(target)
    return target


def _damaged(kind: str, tmp_path: Path) -> Path:
    sbix = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,))
    if kind == "sbix-table":
        return _fill_table(sbix, "sbix", b"\xff")
    if kind == "cmap-table":
        return _fill_table(sbix, "cmap", b"\xff")
    if kind == "post-table":
        return _fill_table(sbix, "post", b"\x7f")
    if kind == "gsub-table":
        return _fill_table(sbix, "GSUB", b"\xff")
    if kind == "cbdt-table":
        return _fill_table(fontkit.build_cbdt(tmp_path / "c.ttf"), "CBDT", b"\xff")
    if kind == "cblc-table":
        return _fill_table(fontkit.build_cbdt(tmp_path / "c.ttf"), "CBLC", b"\xff")
    if kind == "colr-table":
        return _fill_table(fontkit.build_colr(tmp_path / "c.ttf", 1), "COLR", b"\xff")
    if kind == "cpal-table":
        return _fill_table(fontkit.build_colr(tmp_path / "c.ttf", 1), "CPAL", b"\x00")
    if kind == "svg-table":
        return _fill_table(fontkit.build_svg(tmp_path / "v.ttf"), "SVG ", b"\xff")
    if kind == "maxp-table":
        return _fill_table(fontkit.build_svg(tmp_path / "v.ttf"), "maxp", b"\x7f")
    if kind == "woff-cut-short":
        woff = _woff(sbix)
        woff.write_bytes(woff.read_bytes()[: len(woff.read_bytes()) // 2])
        return woff
    if kind == "woff-scrambled":
        woff = _woff(sbix)
        data = bytearray(woff.read_bytes())
        data[200:260] = bytes(range(60))
        woff.write_bytes(bytes(data))
        return woff
    if kind == "otto-garbage":
        (tmp_path / "g.otf").write_bytes(b"OTTO" + bytes(range(256)) * 4)
        return tmp_path / "g.otf"
    if kind == "ttc-garbage":
        (tmp_path / "g.ttc").write_bytes(b"ttcf" + b"\xff" * 100)
        return tmp_path / "g.ttc"
    raise AssertionError(kind)


DAMAGED = ["sbix-table", "cmap-table", "post-table", "gsub-table", "cbdt-table", "cblc-table", "colr-table",
           "cpal-table", "svg-table", "maxp-table", "woff-cut-short", "woff-scrambled", "otto-garbage", "ttc-garbage"]


@pytest.mark.parametrize("kind", DAMAGED)
def test_damaged_font_is_one_line(tmp_path, monkeypatch, capsys, kind):
    if kind.startswith(("colr", "cpal")):
        pytest.importorskip("blackrenderer")
    if kind.startswith(("svg", "maxp")):
        pytest.importorskip("resvg_py")
    font = _damaged(kind, tmp_path)
    with pytest.raises(EmojiAlphaError) as info:
        extract_glyphs(font, tmp_path / "direct")
    assert "\n" not in str(info.value) and str(font) in str(info.value)
    code, _out, err = clikit.run_main(monkeypatch, capsys, "extract", font, "-o", tmp_path / "out")
    assert code == 2 and str(font) in clikit.last_line_error(err)
    assert err.count("\n") == 1, err  # no stray log lines from fontTools either
