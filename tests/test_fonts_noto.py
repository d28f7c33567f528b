"""Whole-font extraction of Debian's Noto Color Emoji (CBDT), once per session."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from emoji_alpha.fonts.extract import extract_glyphs

NOTO = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
pytestmark = pytest.mark.skipif(
    not NOTO.exists(), reason=f"{NOTO} missing: apt-get install fonts-noto-color-emoji"
)


@pytest.fixture(scope="module")
def noto_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, float]:
    out = tmp_path_factory.mktemp("noto")
    start = time.perf_counter()
    records = extract_glyphs(NOTO, out)
    return out, records, time.perf_counter() - start


def test_whole_font_is_fast_and_complete(noto_out) -> None:
    out, records, seconds = noto_out
    assert len(records) > 3000
    assert seconds < 60, f"whole-Noto extraction took {seconds:.1f}s"  # seconds, not minutes
    files = {p.name for p in out.glob("*.png")}
    assert len(files) == len(records)  # names never collide
    for name in (
        "glyph-u1F600.png",  # grinning face
        "glyph-u1F1EF_u1F1F5.png",  # flag: Japan
        "glyph-u1F468_u200D_u1F469_u200D_u1F467.png",  # ZWJ family
        "glyph-u0023_u20E3.png",  # keycap
        "glyph-u1F44B_u1F3FD.png",  # skin tone
        "glyph-u2764.png",  # VS16 dropped
    ):
        assert name in files, name
    with sqlite3.connect(out / "glyphs.sqlite") as db:
        (count,) = db.execute("SELECT COUNT(*) FROM glyphs WHERE source = 'CBDT' AND strike = 109").fetchone()
    db.close()
    assert count == len(records)


def test_outputs_are_rgba(noto_out) -> None:
    from PIL import Image

    out, _records, _ = noto_out
    with Image.open(out / "glyph-u1F600.png") as im:
        assert im.mode == "RGBA" and im.size == (136, 128)
        assert im.getpixel((0, 0))[3] == 0 and im.getpixel((68, 64))[3] == 255
