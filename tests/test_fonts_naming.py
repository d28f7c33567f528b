"""Codepoint naming: cmap + GSUB ligatures, VS16, Apple suffixes, collisions, parsing."""

from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTFont

import fontkit
from emoji_alpha.fonts import naming


def test_sequences_from_cmap_and_ligatures(tmp_path: Path) -> None:
    with TTFont(fontkit.build_sbix(tmp_path / "s.ttf")) as font:
        seqs = naming.codepoint_sequences(font)
    assert seqs["u1F343"] == [(0x1F343,)]
    assert seqs["u1F468_u200D_u1F469_u200D_u1F467"][0] == (0x1F468, 0x200D, 0x1F469, 0x200D, 0x1F467)
    assert seqs["u1F44B.3"] == [(0x1F44B, 0x1F3FC)]
    # U+2764 is reached both alone and with VS16; the bare spelling is preferred.
    assert seqs["u2764"] == [(0x2764,), (0x2764, 0xFE0F)]
    assert "leaf.alt" not in seqs and "orphan glyph" not in seqs


def test_format_drops_vs16() -> None:
    assert naming.format_sequence((0x2764, 0xFE0F)) == "u2764"
    assert naming.format_sequence((0x1F3F3, 0xFE0F, 0x200D, 0x1F308)) == "u1F3F3_u200D_u1F308"
    assert naming.format_sequence((0xFE0F,)) == "uFE0F"  # alone it stays
    assert naming.format_sequence((0x23, 0x20E3)) == "u0023_u20E3"


def test_apple_suffix_kept_only_on_apple_style_names() -> None:
    assert naming.apple_suffix("u1F44B.3") == ".3"
    assert naming.apple_suffix("u1F3C3.2.M") == ".2.M"
    assert naming.apple_suffix("u1F46F_u200D_u2640.W") == ".W"
    assert naming.apple_suffix("one.1") == ""
    assert naming.apple_suffix("u1F600.alt") == ""


def test_stems_unique_and_safe() -> None:
    sequences = {"a": [(0x1F600,)], "b": [(0x1F600, 0xFE0F)], "u1F44B.3": [(0x1F44B, 0x1F3FC)]}
    glyphs = [(5, "a"), (6, "b"), (7, "u1F44B.3"), (8, "glyph-u1F600"), (9, "weird/name:x"),
              (10, "Leaf"), (11, "leaf"), (12, "..")]
    stems = naming.assign_file_stems(glyphs, sequences)
    assert stems["a"] == "glyph-u1F600"
    assert stems["b"] == "glyph-u1F600-g6"  # same name after VS16 removal: never collides
    assert stems["u1F44B.3"] == "glyph-u1F44B_u1F3FC.3"
    assert stems["weird/name:x"] == "glyph-weird_name_x"
    assert stems[".."] == "glyph-gid12"
    lowered = [s.lower() for s in stems.values()]
    assert len(set(lowered)) == len(lowered)  # unique even on case-folding file systems
    assert all("/" not in s for s in stems.values())


def test_parse_codepoints_round_trip_and_foreign_names() -> None:
    seq = (0x1F468, 0x200D, 0x1F469, 0x200D, 0x1F467)
    assert naming.parse_codepoints("glyph-" + naming.format_sequence(seq) + ".png") == seq
    assert naming.parse_codepoints("glyph-u1F44B_u1F3FC.3.png") == (0x1F44B, 0x1F3FC)
    assert naming.parse_codepoints("emoji_u1f468_200d_1f469_200d_1f467.png") == seq
    assert naming.parse_codepoints("1f468-200d-1f469-200d-1f467.png") == seq
    assert naming.parse_codepoints("2764-fe0f.png") == (0x2764,)
    assert naming.parse_codepoints("glyph-cafe.png") is None  # glyph name, not U+CAFE
    assert naming.parse_codepoints("glyph-orphan_glyph.png") is None
    assert naming.parse_codepoints("photo.png") is None
