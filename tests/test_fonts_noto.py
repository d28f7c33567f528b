"""Whole-font extraction of Debian's Noto Color Emoji (CBDT), once per session."""

from __future__ import annotations

import re
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


def test_one_glyph_for_two_flags_keeps_both_names(noto_out, tmp_path: Path) -> None:
    out, records, _ = noto_out
    [flag] = [r for r in records if "1F1FA 1F1F8" in r.sequences.split(", ")]
    assert flag.sequences.split(", ")[:2] == ["1F1FA 1F1F2", "1F1FA 1F1F8"]  # UM and US: one glyph in Noto
    with sqlite3.connect(out / "glyphs.sqlite") as db:
        (listed,) = db.execute("SELECT sequences FROM glyphs WHERE file = ?", (flag.file,)).fetchone()
    db.close()
    assert "1F1FA 1F1F8" in listed.split(", ")
    [us] = extract_glyphs(NOTO, tmp_path / "us", only=["u1F1FA_u1F1F8"])
    assert us.file == "glyph-u1F1FA_u1F1F8.png" and us.codepoints == "1F1FA 1F1F8"
    assert (tmp_path / "us" / us.file).read_bytes() == (out / flag.file).read_bytes()
    # No file carries a sequence and a glyph-name suffix at once.
    assert not [r.file for r in records if re.search(r"_u[0-9A-F]{4,6}\.[0-5MW]", r.file)]


def test_glyph_naming_keeps_noto_glyph_names(tmp_path: Path) -> None:
    records = extract_glyphs(NOTO, tmp_path / "out", naming="glyph", only=["u1F1EF_u1F1F5", "u1F44B_u1F3FB"])
    assert [r.file for r in records] == [f"glyph-{r.glyph_name}.png" for r in records]
    # The flag's glyph is called uFE4E5: its codepoints are the flag's, not the private-use one its name spells.
    assert sorted(r.codepoints for r in records) == ["1F1EF 1F1F5", "1F44B 1F3FB"]
