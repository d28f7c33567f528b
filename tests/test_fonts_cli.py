"""``emoji-alpha extract`` and ``match`` from the command line, and ``match`` itself."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

import clikit
import fontkit
from emoji_alpha.fonts.match import match_folders


def test_extract_command(tmp_path: Path, monkeypatch, capsys) -> None:
    font = fontkit.build_sbix(tmp_path / "s.ttf")
    code, out, err = clikit.run_main(monkeypatch, capsys, "extract", font, "-o", tmp_path / "out", "--strike", "64",
                                     "--only", "u1F343,u1F44B_u1F3FC")
    assert code == 0, out + err
    assert "2 glyphs" in out + err
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == ["glyph-u1F343.png", "glyph-u1F44B_u1F3FC.png"]
    with Image.open(tmp_path / "out" / "glyph-u1F343.png") as im:
        assert im.size == (64, 64)


@pytest.mark.parametrize(("naming", "files"), [
    ([], ["glyph-u1F44B.png", "glyph-u1F44B_u1F3FC.png"]),
    (["--naming", "sequence"], ["glyph-u1F44B.png", "glyph-u1F44B_u1F3FC.png"]),
    (["--naming", "glyph"], ["glyph-u1F44B.0.png", "glyph-u1F44B.3.png"]),
])
def test_extract_naming_option(tmp_path: Path, monkeypatch, capsys, naming: list[str], files: list[str]) -> None:
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(32,))
    code, out, err = clikit.run_main(monkeypatch, capsys, "extract", font, "-o", tmp_path / "out", "--only",
                                     "u1F44B,u1F44B.3", *naming)
    assert code == 0, out + err
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == files


def test_extract_flag_by_either_sequence_and_collections(tmp_path: Path) -> None:
    flags = fontkit.build_flags(tmp_path / "f.ttf")
    proc = clikit.run("extract", str(flags), "-o", str(tmp_path / "out"), "--only", "u1F1FA_u1F1F8")
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (tmp_path / "out").glob("*.png")] == ["glyph-u1F1FA_u1F1F8.png"]
    collection = fontkit.build_collection(tmp_path / "two.ttc", [flags, fontkit.build_sbix(tmp_path / "s.ttf", strikes=(32,))])
    proc = clikit.run("extract", str(collection), "-o", str(tmp_path / "ttc"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"2 glyphs from two.ttc face 0 (sbix, 32) -> {tmp_path / 'ttc' / 'face-0'}",
                                        f"11 glyphs from two.ttc face 1 (sbix, 32) -> {tmp_path / 'ttc' / 'face-1'}"]


def test_match_by_name_then_phash(tmp_path: Path, monkeypatch, capsys) -> None:
    font = fontkit.build_sbix(tmp_path / "s.ttf")
    ours, ref = tmp_path / "ours", tmp_path / "ref"
    assert clikit.run("extract", str(font), "-o", str(ours)).returncode == 0
    ref.mkdir()
    # Same codepoints under Noto's and Twemoji's naming.
    shutil.copy(ours / "glyph-u1F343.png", ref / "emoji_u1f343.png")
    shutil.copy(ours / "glyph-u1F468_u200D_u1F469_u200D_u1F467.png", ref / "1f468-200d-1f469-200d-1f467.png")
    # A picture without a codepoint name: found by perceptual hash (a real drawing, so phash has detail).
    art = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    for x in range(160):
        for y in range(160):
            if (x // 20 + y // 40) % 2:
                art.putpixel((x, y), (200, 30, 30, 255))
    art.save(ours / "glyph-orphan_glyph.png")
    art.resize((120, 120)).save(ref / "mystery.png")
    # Nothing like this in our folder (our glyphs are flat squares and the checkerboard).
    stripes = Image.new("RGBA", (64, 64), (255, 255, 255, 255))
    for x in range(64):
        for y in range(0, 64, 16):
            for dy in range(8):
                stripes.putpixel((x, (y + dy + x // 4) % 64), (0, 0, 0, 255))
    stripes.save(ref / "blank.png")

    result = match_folders(ours, ref)
    pairs = {(p.file, p.ref, p.method) for p in result.pairs}
    assert ("glyph-u1F343.png", "emoji_u1f343.png", "name") in pairs
    assert ("glyph-u1F468_u200D_u1F469_u200D_u1F467.png", "1f468-200d-1f469-200d-1f467.png", "name") in pairs
    assert ("glyph-orphan_glyph.png", "mystery.png", "phash") in pairs
    (tmp_path / "webp").mkdir()  # a batch's WebP outputs pair the same way
    Image.open(ours / "glyph-u1F343.png").save(tmp_path / "webp" / "glyph-u1F343.webp", lossless=True)
    assert [(p.file, p.ref, p.method) for p in match_folders(tmp_path / "webp", ref).pairs] == [
        ("glyph-u1F343.webp", "emoji_u1f343.png", "name")]
    assert result.unmatched_ref == ["blank.png"]
    assert "glyph-u1F469.png" in result.unmatched

    proc = clikit.run("match", str(ours), str(ref), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["unmatched_ref"] == ["blank.png"] and len(data["pairs"]) == len(result.pairs)
    code, out, err = clikit.run_main(monkeypatch, capsys, "match", ours, ref)
    assert code == 0 and "mystery.png" in out + err and "unmatched" in out + err


def test_match_uses_every_sequence_in_the_glyph_table(tmp_path: Path) -> None:
    ours, ref = tmp_path / "ours", tmp_path / "ref"
    assert clikit.run("extract", str(fontkit.build_flags(tmp_path / "f.ttf")), "-o", str(ours)).returncode == 0
    assert clikit.run("extract", str(fontkit.build_sbix(tmp_path / "s.ttf", strikes=(32,))), "-o",
                      str(tmp_path / "apple"), "--naming", "glyph", "--only", "u1F44B,u1F44B.3").returncode == 0
    ref.mkdir()
    flag = Image.open(ours / "glyph-u1F1FA_u1F1F2.png")
    flag.save(ref / "1f1fa-1f1f8.png")  # Twemoji names: the US flag and the US Outlying Islands' flag
    flag.save(ref / "1f1fa-1f1f2.png")
    hand = Image.open(tmp_path / "apple" / "glyph-u1F44B.3.png")
    hand.save(ref / "1f44b-1f3fc.png")
    result = match_folders(ours, ref, use_hash=False)
    assert {(p.file, p.ref, p.method) for p in result.pairs} == {
        ("glyph-u1F1FA_u1F1F2.png", "1f1fa-1f1f2.png", "name"), ("glyph-u1F1FA_u1F1F2.png", "1f1fa-1f1f8.png", "name")}
    # glyph-named files pair by the sequence in their table, not by the name read as codepoints
    result = match_folders(tmp_path / "apple", ref, use_hash=False)
    assert [(p.file, p.ref) for p in result.pairs] == [("glyph-u1F44B.3.png", "1f44b-1f3fc.png")]
    assert result.unmatched == ["glyph-u1F44B.0.png"]
    connection = sqlite3.connect(tmp_path / "apple" / "glyphs.sqlite")
    with connection:  # a row edited by hand into nonsense: that file falls back to its name
        connection.execute("UPDATE glyphs SET sequences = 'not hex' WHERE file = 'glyph-u1F44B.3.png'")
    connection.close()
    result = match_folders(tmp_path / "apple", ref, use_hash=False)
    assert result.pairs == [] and "glyph-u1F44B.3.png" in result.unmatched
    (tmp_path / "apple" / "glyphs.sqlite").write_bytes(b"not a database" * 20)  # unreadable: names alone
    result = match_folders(tmp_path / "apple", ref, use_hash=False)
    assert result.pairs == [] and sorted(result.unmatched) == ["glyph-u1F44B.0.png", "glyph-u1F44B.3.png"]
