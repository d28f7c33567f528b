"""Glyph extraction from synthetic sbix, CBDT, COLR and SVG fonts, and the error cases."""

from __future__ import annotations

import hashlib
import io
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import fontkit
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.fonts.extract import extract_glyphs


def _rgba(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.mode == "RGBA"
        return np.asarray(im)


def test_sbix_largest_strike_exact_bytes_dupe_and_names(tmp_path: Path) -> None:
    font = fontkit.build_sbix(tmp_path / "s.ttf")
    out = tmp_path / "out"
    records = extract_glyphs(font, out)
    files = {r.file for r in records}
    assert files == {
        "glyph-u1F343.png", "glyph-u1F468.png", "glyph-u1F469.png", "glyph-u1F467.png",
        "glyph-u1F468_u200D_u1F469_u200D_u1F467.png", "glyph-u1F44B.png", "glyph-u1F3FC.png",
        "glyph-u1F44B_u1F3FC.png", "glyph-u2764.png", "glyph-leaf.alt.png", "glyph-orphan_glyph.png",
    }  # space, ZWJ, VS16 and .notdef are empty and skipped
    assert all(r.strike == 160 and r.width == 160 and r.source == "sbix" for r in records)
    # PNG bytes are exactly those stored in the font.
    index = fontkit.SBIX_GLYPHS.index("u1F343")
    assert (out / "glyph-u1F343.png").read_bytes() == fontkit.png(160, fontkit.colour_of(index, 160))
    # The dupe resolves to the leaf's image.
    assert (out / "glyph-leaf.alt.png").read_bytes() == (out / "glyph-u1F343.png").read_bytes()
    family = next(r for r in records if r.file.startswith("glyph-u1F468_"))
    assert family.codepoints == "1F468 200D 1F469 200D 1F467"
    assert family.glyph_name == "u1F468_u200D_u1F469_u200D_u1F467"


# Apple's glyph names, as `--naming glyph` writes them, and the codepoint names of the default.
NAMES = {
    "sequence": {"u1F44B.0": "glyph-u1F44B.png", "u1F44B.3": "glyph-u1F44B_u1F3FC.png", "u2764": "glyph-u2764.png",
                 "u1F468_u200D_u1F469_u200D_u1F467": "glyph-u1F468_u200D_u1F469_u200D_u1F467.png",
                 "leaf.alt": "glyph-leaf.alt.png", "orphan glyph": "glyph-orphan_glyph.png"},
    "glyph": {"u1F44B.0": "glyph-u1F44B.0.png", "u1F44B.3": "glyph-u1F44B.3.png", "u2764": "glyph-u2764.png",
              "u1F468_u200D_u1F469_u200D_u1F467": "glyph-u1F468_u200D_u1F469_u200D_u1F467.png",
              "leaf.alt": "glyph-leaf.alt.png", "orphan glyph": "glyph-orphan_glyph.png"},
}


@pytest.mark.parametrize("mode", ["sequence", "glyph"])
def test_files_are_named_one_way_never_both(tmp_path: Path, mode: str) -> None:
    records = extract_glyphs(fontkit.build_sbix(tmp_path / "s.ttf"), tmp_path / "out", naming=mode, strike=32)
    files = {r.glyph_name: r.file for r in records}
    assert {name: files[name] for name in NAMES[mode]} == NAMES[mode]
    mixed = re.compile(r"^glyph-u[0-9A-F]{4,6}(_u[0-9A-F]{4,6})+\.[0-5MW]")  # a sequence with a variant suffix
    assert not [f for f in files.values() if mixed.match(f)]
    hand = next(r for r in records if r.glyph_name == "u1F44B.3")
    assert hand.codepoints == "1F44B 1F3FC"  # the same codepoints whichever name the file has
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == sorted(files.values())


def test_unknown_naming_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(EmojiAlphaError, match="--naming apple: choose sequence or glyph"):
        extract_glyphs(fontkit.build_sbix(tmp_path / "s.ttf"), tmp_path / "out", naming="apple")


def test_every_sequence_of_a_glyph_is_recorded(tmp_path: Path) -> None:
    font = fontkit.build_flags(tmp_path / "f.ttf")
    records = {r.glyph_name: r for r in extract_glyphs(font, tmp_path / "out")}
    assert records["flag_us"].file == "glyph-u1F1FA_u1F1F2.png"  # one file per glyph
    assert records["flag_us"].sequences == "1F1FA 1F1F2, 1F1FA 1F1F8"
    assert records["flag_jp"].sequences == "1F1EF 1F1F5"
    with sqlite3.connect(tmp_path / "out" / "glyphs.sqlite") as db:
        rows = dict(db.execute("SELECT file, sequences FROM glyphs").fetchall())
    db.close()
    assert rows["glyph-u1F1FA_u1F1F2.png"] == "1F1FA 1F1F2, 1F1FA 1F1F8"


@pytest.mark.parametrize(("only", "files"), [
    (["u1F1FA_u1F1F8"], ["glyph-u1F1FA_u1F1F8.png"]),  # named by the sequence asked for
    (["1F1FA-1F1F2"], ["glyph-u1F1FA_u1F1F2.png"]),
    (["u1F1FA_u1F1F8", "u1F1FA_u1F1F2"], ["glyph-u1F1FA_u1F1F2.png", "glyph-u1F1FA_u1F1F8.png"]),
    (["flag_us"], ["glyph-u1F1FA_u1F1F2.png"]),
])
def test_only_accepts_any_sequence_of_a_glyph(tmp_path: Path, only: list[str], files: list[str]) -> None:
    out = tmp_path / "out"
    records = extract_glyphs(fontkit.build_flags(tmp_path / "f.ttf"), out, only=only)
    assert sorted(r.file for r in records) == files
    assert sorted(p.name for p in out.glob("*.png")) == files
    by_file = {r.file: r for r in records}
    if "glyph-u1F1FA_u1F1F8.png" in by_file:
        assert by_file["glyph-u1F1FA_u1F1F8.png"].codepoints == "1F1FA 1F1F8"
        assert by_file["glyph-u1F1FA_u1F1F8.png"].sequences == "1F1FA 1F1F2, 1F1FA 1F1F8"


def test_only_by_another_sequence_keeps_glyph_naming(tmp_path: Path) -> None:
    records = extract_glyphs(fontkit.build_flags(tmp_path / "f.ttf"), tmp_path / "out", only=["u1F1FA_u1F1F8"],
                             naming="glyph")
    assert [r.file for r in records] == ["glyph-flag_us.png"]


def test_older_glyph_table_gains_the_new_columns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    old_columns = ("file TEXT PRIMARY KEY, codepoints TEXT NOT NULL, glyph_name TEXT NOT NULL, glyph_id INTEGER NOT NULL, "
                   "font TEXT NOT NULL, source TEXT NOT NULL, strike INTEGER NOT NULL, width INTEGER NOT NULL, "
                   "height INTEGER NOT NULL, sha256 TEXT NOT NULL, bearing_x INTEGER, bearing_y INTEGER, advance INTEGER")
    connection = sqlite3.connect(out / "glyphs.sqlite")
    with connection:
        connection.execute(f"CREATE TABLE glyphs ({old_columns})")
    connection.close()
    extract_glyphs(fontkit.build_flags(tmp_path / "f.ttf"), out)
    with sqlite3.connect(out / "glyphs.sqlite") as db:
        rows = db.execute("SELECT file, sequences, face FROM glyphs ORDER BY file").fetchall()
    db.close()
    assert rows == [("glyph-u1F1EF_u1F1F5.png", "1F1EF 1F1F5", 0), ("glyph-u1F1FA_u1F1F2.png", "1F1FA 1F1F2, 1F1FA 1F1F8", 0)]


def test_older_glyph_table_reads_as_it_stands(tmp_path: Path) -> None:
    """The glyph table's reader: a table from before the sequences column gives each file its
    codepoints, a hand-edited row falls back to the file's name, and nothing is migrated."""
    from emoji_alpha.fonts.glyph_table import read_sequences

    connection = sqlite3.connect(tmp_path / "glyphs.sqlite")
    with connection:
        connection.execute("CREATE TABLE glyphs (file TEXT PRIMARY KEY, codepoints TEXT NOT NULL, glyph_name TEXT)")
        connection.executemany("INSERT INTO glyphs VALUES (?, ?, ?)", [("glyph-u1F343.png", "1F343", "u1F343"),
                                                                       ("glyph-u2764.png", "2764 FE0F", "u2764"),
                                                                       ("glyph-odd.png", "not hex", "odd")])
    connection.close()
    before = (tmp_path / "glyphs.sqlite").read_bytes()
    assert read_sequences(tmp_path) == {"glyph-u1F343.png": [(0x1F343,)], "glyph-u2764.png": [(0x2764,)]}
    assert (tmp_path / "glyphs.sqlite").read_bytes() == before and len(list(tmp_path.iterdir())) == 1
    assert read_sequences(tmp_path / "nowhere") == {}


def test_every_face_of_a_collection_is_extracted(tmp_path: Path) -> None:
    sbix = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(32,))
    plain = fontkit.build_plain(tmp_path / "plain.ttf")
    cbdt = fontkit.build_cbdt(tmp_path / "c.ttf")
    collection = fontkit.build_collection(tmp_path / "all.ttc", [sbix, plain, cbdt])
    out = tmp_path / "out"
    records = extract_glyphs(collection, out)
    assert sorted(p.name for p in out.iterdir()) == ["face-0", "face-2"]  # the plain face has no colour glyphs
    by_face = {face: [r for r in records if r.face == face] for face in (0, 2)}
    assert len(by_face[0]) == 11 and len(by_face[2]) == 8 and len(records) == 19
    assert all(r.file.startswith(f"face-{r.face}/") and r.font == "all.ttc" for r in records)
    assert {r.source for r in by_face[0]} == {"sbix"} and {r.source for r in by_face[2]} == {"CBDT"}
    for face, face_records in by_face.items():
        folder = out / f"face-{face}"
        assert sorted(p.name for p in folder.glob("*.png")) == sorted(r.file.split("/", 1)[1] for r in face_records)
        with sqlite3.connect(folder / "glyphs.sqlite") as db:
            rows = db.execute("SELECT file, face FROM glyphs").fetchall()
        db.close()
        assert sorted(rows) == sorted((r.file.split("/", 1)[1], face) for r in face_records)
    extract_glyphs(sbix, tmp_path / "alone", only=["u1F343"])  # a face comes out as its font alone would
    assert (out / "face-0" / "glyph-u1F343.png").read_bytes() == (tmp_path / "alone" / "glyph-u1F343.png").read_bytes()


def test_collection_only_and_one_face_collections(tmp_path: Path) -> None:
    sbix = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(32,))
    cbdt = fontkit.build_cbdt(tmp_path / "c.ttf")
    both = fontkit.build_collection(tmp_path / "both.ttc", [sbix, cbdt])
    records = extract_glyphs(both, tmp_path / "out", only=["u1F343", "u1F600"])
    assert sorted(r.file for r in records) == ["face-0/glyph-u1F343.png", "face-1/glyph-u1F600.png"]
    with pytest.raises(EmojiAlphaError, match="no colour glyph for --only u1F999$"):
        extract_glyphs(both, tmp_path / "out", only=["u1F343", "u1F999"])
    twice = fontkit.build_collection(tmp_path / "twice.ttc", [sbix, sbix])
    records = extract_glyphs(twice, tmp_path / "twice", only=["face-1/glyph-u1F343.png", "face-0/u2764"])
    assert [r.file for r in records] == ["face-0/glyph-u2764.png", "face-1/glyph-u1F343.png"]  # that face only
    one = fontkit.build_collection(tmp_path / "one.ttc", [sbix])
    records = extract_glyphs(one, tmp_path / "one", only=["u1F343"])
    assert [r.file for r in records] == ["glyph-u1F343.png"]  # one face: no subfolder
    plain = fontkit.build_collection(tmp_path / "plain.ttc", [fontkit.build_plain(tmp_path / "p.ttf")] * 2)
    with pytest.raises(EmojiAlphaError, match="no colour glyphs .* any of its 2 faces"):
        extract_glyphs(plain, tmp_path / "none")


def test_colr_face_of_a_collection_renders_its_own_glyphs(tmp_path: Path) -> None:
    pytest.importorskip("blackrenderer")
    pytest.importorskip("skia")
    svg = fontkit.build_svg(tmp_path / "svg.ttf")
    colr = fontkit.build_colr(tmp_path / "colr.ttf", version=1)
    collection = fontkit.build_collection(tmp_path / "vector.ttc", [svg, colr])
    records = extract_glyphs(collection, tmp_path / "out", only=["u1F534"], size=32)
    assert [r.file for r in records] == ["face-1/glyph-u1F534.png"]
    assert tuple(_rgba(tmp_path / "out" / "face-1" / "glyph-u1F534.png")[16, 16]) == (255, 0, 0, 255)


def test_sbix_strike_option(tmp_path: Path) -> None:
    font = fontkit.build_sbix(tmp_path / "s.ttf")
    records = extract_glyphs(font, tmp_path / "out", strike=32, only=["u1F343"])
    assert [(r.file, r.strike, r.width) for r in records] == [("glyph-u1F343.png", 32, 32)]
    with pytest.raises(EmojiAlphaError, match="available: 32, 64, 160"):
        extract_glyphs(font, tmp_path / "out", strike=48)


def test_only_accepts_several_spellings_and_rejects_unknown(tmp_path: Path) -> None:
    font = fontkit.build_sbix(tmp_path / "s.ttf")
    records = extract_glyphs(
        font, tmp_path / "o", only=["glyph-u1F467.png", "1F468-200D-1F469-200D-1F467", "u1F44B_u1F3FC", "leaf.alt"]
    )
    assert sorted(r.glyph_name for r in records) == sorted(
        ["u1F467", "u1F468_u200D_u1F469_u200D_u1F467", "u1F44B.3", "leaf.alt"]
    )
    assert sorted(p.name for p in (tmp_path / "o").glob("*.png")) == sorted(r.file for r in records)
    with pytest.raises(EmojiAlphaError, match="u1F999"):
        extract_glyphs(font, tmp_path / "o2", only=["u1F343", "u1F999"])
    with pytest.raises(EmojiAlphaError, match="--only: no glyph given"):
        extract_glyphs(font, tmp_path / "o3", only=["", " "])  # `--only ,` names nothing


def test_rerun_is_safe_and_database_is_complete(tmp_path: Path) -> None:
    font = fontkit.build_sbix(tmp_path / "s.ttf")
    out = tmp_path / "out"
    first = extract_glyphs(font, out)
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}
    second = extract_glyphs(font, out)
    assert first == second
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")} == mtimes  # untouched
    assert not list(out.glob(".*.tmp"))
    with sqlite3.connect(out / "glyphs.sqlite") as db:
        rows = db.execute("SELECT file, codepoints, glyph_name, font, strike, width, height, sha256 FROM glyphs").fetchall()
    db.close()
    assert len(rows) == len(first)
    for file, _cps, _name, font_name, strike, width, height, sha in rows:
        data = (out / file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        assert font_name == "s.ttf" and strike == 160 and (width, height) == (160, 160)


def test_cbdt_formats_17_18_19_metrics_and_rgba(tmp_path: Path) -> None:
    font = fontkit.build_cbdt(tmp_path / "c.ttf")
    records = {r.glyph_name: r for r in extract_glyphs(font, tmp_path / "out")}
    assert set(records) == set(fontkit.CBDT_GLYPHS[2:])
    assert records["flag_jp"].file == "glyph-u1F1EF_u1F1F5.png"
    assert records["keycap_hash"].file == "glyph-u0023_u20E3.png"
    assert all(r.strike == 109 and r.source == "CBDT" for r in records.values())
    # Format 17 (small metrics), 18 (big metrics), 19 (metrics from the CBLC subtable).
    assert (records["u1F1EF"].bearing_x, records["u1F1EF"].advance) == (1, 138)
    assert (records["u1F600"].bearing_x, records["u1F600"].advance) == (2, 140)
    assert (records["u1F603"].bearing_x, records["u1F603"].bearing_y, records["u1F603"].advance) == (2, 122, 140)
    # Palette PNGs (format 17 here) come out as 8-bit RGBA with the same pixels.
    ids = {n: i for i, n in enumerate(fontkit.CBDT_GLYPHS)}
    pixels = _rgba(tmp_path / "out" / "glyph-u1F1EF.png")
    with Image.open(io.BytesIO(fontkit.png(136, fontkit.colour_of(ids["u1F1EF"], 109), mode="P"))) as im:
        expected = np.asarray(im.convert("RGBA"))
    assert np.array_equal(pixels, expected)
    assert pixels[0, 0, 3] == 0 and pixels[60, 60, 3] == 255


def test_cbdt_small_strike(tmp_path: Path) -> None:
    font = fontkit.build_cbdt(tmp_path / "c.ttf")
    records = extract_glyphs(font, tmp_path / "out", strike=20)
    assert len(records) == 8 and all(r.width == 20 and r.strike == 20 for r in records)


@pytest.mark.parametrize("version", [0, 1])
def test_colr_rendered_or_clear_message(tmp_path: Path, version: int) -> None:
    font = fontkit.build_colr(tmp_path / "c.ttf", version=version)
    try:
        import blackrenderer  # noqa: F401
        import skia  # noqa: F401
    except ImportError:
        with pytest.raises(EmojiAlphaError, match="blackrenderer"):
            extract_glyphs(font, tmp_path / "out")
        return
    records = extract_glyphs(font, tmp_path / "out", size=64)
    assert [r.file for r in records] == ["glyph-u1F534.png", "glyph-u1F535.png"]
    red = _rgba(tmp_path / "out" / "glyph-u1F534.png")
    blue = _rgba(tmp_path / "out" / "glyph-u1F535.png")
    assert red.shape == (64, 64, 4)
    assert tuple(red[32, 32]) == (255, 0, 0, 255) and tuple(blue[32, 32]) == (0, 0, 255, 255)
    assert red[1, 32, 3] == 0  # the square leaves a transparent margin


def test_svg_rendered_or_clear_message(tmp_path: Path) -> None:
    font = fontkit.build_svg(tmp_path / "s.ttf")
    try:
        import resvg_py  # noqa: F401
    except ImportError:
        with pytest.raises(EmojiAlphaError, match="resvg-py"):
            extract_glyphs(font, tmp_path / "out")
        return
    records = extract_glyphs(font, tmp_path / "out", size=50)
    assert [r.file for r in records] == ["glyph-u1F7E9.png", "glyph-u1F7E8.png"]
    green = _rgba(tmp_path / "out" / "glyph-u1F7E9.png")
    yellow = _rgba(tmp_path / "out" / "glyph-u1F7E8.png")
    assert tuple(green[25, 25]) == (0, 255, 0, 255)  # only its own glyph from the shared doc
    assert tuple(yellow[25, 25]) == (255, 255, 0, 255)
    assert green[25, 2, 3] == 0 and green[25, 47, 3] == 0


def test_not_a_font(tmp_path: Path) -> None:
    bogus = tmp_path / "x.ttf"
    bogus.write_bytes(b"hello, I am not a font" * 10)
    with pytest.raises(EmojiAlphaError, match="not a font"):
        extract_glyphs(bogus, tmp_path / "out")
    with pytest.raises(EmojiAlphaError, match="no such file"):
        extract_glyphs(tmp_path / "missing.ttf", tmp_path / "out")


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_truncated_font(tmp_path: Path, keep: float) -> None:
    data = fontkit.build_sbix(tmp_path / "s.ttf").read_bytes()
    cut = tmp_path / "cut.ttf"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(EmojiAlphaError, match="truncated"):
        extract_glyphs(cut, tmp_path / "out")


def test_truncated_header(tmp_path: Path) -> None:
    data = fontkit.build_sbix(tmp_path / "s.ttf").read_bytes()
    cut = tmp_path / "cut.ttf"
    cut.write_bytes(data[:30])
    with pytest.raises(EmojiAlphaError, match="cut.ttf"):
        extract_glyphs(cut, tmp_path / "out")


def test_font_without_colour_glyphs(tmp_path: Path) -> None:
    font = fontkit.build_plain(tmp_path / "plain.ttf")
    with pytest.raises(EmojiAlphaError, match="no colour glyphs"):
        extract_glyphs(font, tmp_path / "out")
    assert not (tmp_path / "out").exists()
