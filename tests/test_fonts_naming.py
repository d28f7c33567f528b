"""Codepoint naming: cmap + GSUB ligatures, VS16, Apple suffixes, collisions, parsing."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_stems_unique_and_safe() -> None:
    sequences = {"a": [(0x1F600,)], "b": [(0x1F600, 0xFE0F)], "u1F44B.3": [(0x1F44B, 0x1F3FC)]}
    glyphs = [(5, "a"), (6, "b"), (7, "u1F44B.3"), (8, "glyph-u1F600"), (9, "weird/name:x"),
              (10, "Leaf"), (11, "leaf"), (12, "..")]
    stems = naming.assign_file_stems(glyphs, sequences)
    assert stems["a"] == "glyph-u1F600"
    assert stems["b"] == "glyph-u1F600-g6"  # same name after VS16 removal: never collides
    assert stems["u1F44B.3"] == "glyph-u1F44B_u1F3FC"  # the sequence alone, no Apple suffix
    assert stems["weird/name:x"] == "glyph-weird_name_x"
    assert stems[".."] == "glyph-gid12"
    lowered = [s.lower() for s in stems.values()]
    assert len(set(lowered)) == len(lowered)  # unique even on case-folding file systems
    assert all("/" not in s for s in stems.values())


@pytest.mark.parametrize(("mode", "expected"), [
    ("sequence", {"u1F44B.1": "glyph-u1F44B_u1F3FB", "u1F3C3.2.M": "glyph-u1F3C3_u1F3FC_u200D_u2642",
                  "uFE4E6": "glyph-u1F1FA_u1F1F2", "flag.alt": "glyph-u1F1FA_u1F1F8", "cafe": "glyph-cafe"}),
    ("glyph", {"u1F44B.1": "glyph-u1F44B.1", "u1F3C3.2.M": "glyph-u1F3C3.2.M", "uFE4E6": "glyph-uFE4E6",
               "flag.alt": "glyph-flag.alt", "cafe": "glyph-cafe"}),
])
def test_stems_by_sequence_or_by_glyph_name(mode: str, expected: dict[str, str]) -> None:
    sequences = {"u1F44B.1": [(0x1F44B, 0x1F3FB)], "u1F3C3.2.M": [(0x1F3C3, 0x1F3FC, 0x200D, 0x2642, 0xFE0F)],
                 "uFE4E6": [(0x1F1FA, 0x1F1F2), (0x1F1FA, 0x1F1F8)], "flag.alt": [(0x1F1FA, 0x1F1F2), (0x1F1FA, 0x1F1F8)]}
    glyphs = [(1, "u1F44B.1"), (2, "u1F3C3.2.M"), (3, "uFE4E6"), (4, "flag.alt"), (5, "cafe")]
    # A glyph whose best sequence is taken takes its next one before any -g suffix.
    assert naming.assign_file_stems(glyphs, sequences, mode) == expected


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


def test_only_item_names_and_sequences() -> None:
    """The one --only matcher: names (with or without .png and glyph-, any case), glyph names,
    codepoint sequences in any common spelling (VS16 dropped), and a folder that limits it."""
    leaf = (0x1F343,)
    for text in ("u1F343", "U+1F343", "1f343", "glyph-u1F343.png", "GLYPH-U1F343"):
        assert naming.OnlyItem.parse(text).matches(["glyph-u1F343"], [leaf]), text
    for text in ("u1F343", "glyph-u1F343.png", "GLYPH-U1F343"):
        assert naming.OnlyItem.parse(text).matches(["glyph-u1F343"], [None]), text  # by name alone
    assert naming.OnlyItem.parse("1f343").matches(["leaf"], [leaf])  # by sequence alone
    assert naming.OnlyItem.parse("leaf.alt").matches(["leaf.alt", "glyph-leaf.alt"])
    assert naming.OnlyItem.parse("u1F3F3_uFE0F").matches([], [(0x1F3F3,)])
    assert naming.OnlyItem.parse("1F468-200D-1F469").matches([], [(0x1F468, 0x200D, 0x1F469)])
    assert not naming.OnlyItem.parse("u1F344").matches(["glyph-u1F343"], [leaf])
    assert not naming.OnlyItem.parse("glyph-cafe").matches([], [(0xCAFE,)])  # a name, not U+CAFE
    face = naming.OnlyItem.parse("face-1/glyph-u1F343.png")
    assert face.matches(["glyph-u1F343"], [], "face-1") and face.matches([], [leaf], "Face-1")
    assert not face.matches(["glyph-u1F343"], [leaf], "") and not face.matches(["glyph-u1F343"], [leaf], "face-0")
    assert naming.only_items(" u1F343, ,glyph-u2764.png") == ["u1F343", "glyph-u2764.png"]
    assert naming.only_items(["", " "]) is None and naming.only_items(None) is None
    assert naming.parse_codepoint_text("1F3F3 FE0F") == (0x1F3F3,) and naming.parse_codepoint_text("") is None
    assert naming.parse_codepoint_text("1F3F3 zz") is None
