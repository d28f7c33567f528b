"""`emoji-alpha report`: thumbnails, comparison grids and the HTML gallery of an output folder."""

from __future__ import annotations

import html
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reportkit import FakeUpscaler, build_outdir, create_manifest

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.report import parse_grids, write_report
from emoji_alpha.report.records import load_records, normalise_codepoints


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    rows = build_outdir(out)
    return out, rows


@pytest.fixture
def outdir(built, tmp_path):
    """A fresh copy per test, so reports do not see each other's files."""
    out = tmp_path / "out"
    shutil.copytree(built[0], out)
    return out


def test_full_report_with_manifest(outdir):
    fake = FakeUpscaler()
    summary = write_report(outdir, only=["u1F4A8"], compare=["lanczos", "twobg"], zoom=(30, 20, 24, 24), grids="all",
                           upscaler_factory=lambda: fake, panel=96, thumb_size=64, jobs=1)
    assert summary.glyphs == 4 and summary.failed == 1
    assert summary.thumbs_written == 3
    assert sorted(p.name for p in summary.grids) == ['glyph-a&b "q" <x>.png', "glyph-u1F4A8.png", "glyph-u1F9CA.png"]
    for path in summary.grids:
        with Image.open(path) as grid:
            assert grid.mode == "RGB"
            # rows: LIIF, LIIF zoom, result, result zoom, passes, passes zoom, 2 x (lanczos, lanczos zoom)
            assert grid.width <= 8 * (96 + 6) and grid.height > 8 * 96
            pixels = np.asarray(grid, np.float32)
            assert pixels.std() > 20
    thumbs = sorted((outdir / "report" / "thumbs").iterdir())
    assert len(thumbs) == 3
    for thumb in thumbs:
        with Image.open(thumb) as image:
            assert image.mode == "RGBA" and max(image.size) <= 64
    # peers cached for the next run; stackless glyphs were enlarged at panel size (and the zoom crop)
    assert len(list((outdir / "report" / "cache").rglob("*.png"))) == 6
    assert fake.calls > 0
    page = summary.index.read_text()
    assert "glyph-a&amp;b &quot;q&quot; &lt;x&gt;" in page
    assert 'src="report/thumbs/glyph-a%26b%20%22q%22%20%3Cx%3E.png"' in page
    assert 'href="report/grids/glyph-u1F9CA.png"' in page
    assert "cannot read image &lt;broken&gt;" in page
    assert 'data-loss="' in page and 'data-cons="' in page
    for button in ("checker", "black", "white", "grey", "custom"):
        assert f'data-bg="{button}"' in page


def test_odd_names_are_escaped(outdir):
    summary = write_report(outdir, grids="none", upscaler_factory=FakeUpscaler, jobs=1)
    page = summary.index.read_text()
    body = page.split("<main>")[1].split("</main>")[0]
    assert '&quot;q&quot;' in body and ' "q" ' not in body
    assert "<x>" not in body and "&lt;x&gt;" in body
    assert 'a&b' not in body  # every & escaped
    hrefs = [part.split('"')[0] for part in body.split('src="')[1:]]
    assert all(" " not in h and "<" not in h and '"' not in h for h in hrefs)
    for href in hrefs:  # every link resolves to a file
        from urllib.parse import unquote

        assert (outdir / unquote(html.unescape(href))).is_file()


def test_stackless_grid_recomputes_liif_and_pass_masks(outdir):
    fake = FakeUpscaler()
    summary = write_report(outdir, only=["glyph-u1F4A8"], grids="none", upscaler_factory=lambda: fake, panel=64, jobs=1)
    assert [p.name for p in summary.grids] == ["glyph-u1F4A8.png"]
    assert fake.calls == 1  # preview stack only (no zoom, no compare)
    assert not summary.notes or all("u1F4A8" not in n for n in summary.notes)


def test_default_grids_are_the_worst_by_loss(outdir, built):
    rows = built[1]
    worst = max((r for r in rows.values() if r.get("loss") is not None), key=lambda r: r["loss"])
    summary = write_report(outdir, grids="1 worst", upscaler_factory=FakeUpscaler, panel=64, jobs=1)
    assert [p.stem for p in summary.grids] == [Path(worst["name"]).stem]
    assert parse_grids("50 worst") == ("worst", 50) and parse_grids("7") == ("worst", 7)
    assert parse_grids("all") == ("all", 0) and parse_grids("none") == ("none", 0) and parse_grids(0) == ("none", 0)
    with pytest.raises(EmojiAlphaError, match="--grids"):
        parse_grids("worst ten")


def test_thumbnails_are_cached_and_premultiplied(outdir):
    first = write_report(outdir, grids="none", thumb_size=32, jobs=1)
    second = write_report(outdir, grids="none", thumb_size=32, jobs=1)
    assert first.thumbs_written == 3 and second.thumbs_written == 0 and second.thumbs_cached == 3
    third = write_report(outdir, grids="none", thumb_size=48, jobs=1)
    assert third.thumbs_written == 3  # another size rebuilds


def test_thumbnail_has_no_dark_fringe(tmp_path):
    from emoji_alpha.report.gallery import make_thumbnail

    rgba = np.zeros((64, 64, 4), np.uint8)  # white disc; transparent pixels are black
    yy, xx = np.mgrid[:64, :64]
    rgba[(yy - 32) ** 2 + (xx - 32) ** 2 < 20**2] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "glyph-disc.png")
    assert make_thumbnail(tmp_path / "glyph-disc.png", tmp_path / "thumb.png", 16)
    thumb = np.asarray(Image.open(tmp_path / "thumb.png"))
    soft = (thumb[..., 3] > 0) & (thumb[..., 3] < 255)
    assert soft.any() and thumb[soft][:, :3].min() >= 250


def test_without_manifest_lists_glyph_files(outdir):
    (outdir / "emoji-alpha.sqlite").unlink()
    summary = write_report(outdir, grids="all", upscaler_factory=FakeUpscaler, panel=64, jobs=1)
    assert summary.glyphs == 3 and summary.failed == 0
    assert len(summary.grids) == 3  # no losses known: "all" still works


@pytest.mark.parametrize("columns", [{"name": "TEXT"}, {"name": "TEXT", "status": "TEXT", "loss": "TEXT"}])
def test_manifest_with_missing_columns(outdir, columns):
    (outdir / "emoji-alpha.sqlite").unlink()
    create_manifest(outdir / "emoji-alpha.sqlite", [{"name": "glyph-u1F9CA.png", "status": "done", "loss": "n/a"}], columns)
    records = load_records(outdir)
    assert len(records) == 3 and all(r.loss is None for r in records)
    summary = write_report(outdir, grids="3 worst", jobs=1)
    assert summary.glyphs == 3 and summary.grids == []  # no losses: nothing ranks as worst


def test_manifest_without_table_or_corrupt(outdir):
    (outdir / "emoji-alpha.sqlite").unlink()
    sqlite3.connect(outdir / "emoji-alpha.sqlite").execute("CREATE TABLE other (x)").connection.close()
    notes: list[str] = []
    assert len(load_records(outdir, notes)) == 3 and "no glyphs table" in notes[0]
    (outdir / "emoji-alpha.sqlite").write_bytes(b"not a database at all" * 10)
    notes = []
    assert len(load_records(outdir, notes)) == 3 and "listing glyph-*.png" in notes[0]


def test_user_errors(tmp_path, outdir):
    with pytest.raises(EmojiAlphaError, match="no such folder"):
        write_report(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmojiAlphaError, match="no glyphs"):
        write_report(tmp_path / "empty")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(EmojiAlphaError, match="not a folder"):
        write_report(tmp_path / "file.txt")
    with pytest.raises(EmojiAlphaError, match="--only u1F999"):
        write_report(outdir, only=["u1F999"])
    with pytest.raises(EmojiAlphaError, match="unknown method"):
        write_report(outdir, compare=["bicubic"])
    with pytest.raises(EmojiAlphaError, match="--zoom"):
        write_report(outdir, zoom="1,2,3")


def test_codepoint_names():
    assert normalise_codepoints("U+1F343") == normalise_codepoints("u1F343") == normalise_codepoints("1f343") == "u1f343"
    assert normalise_codepoints("1F3F3 FE0F") == normalise_codepoints("u1F3F3_uFE0F") == "u1f3f3_ufe0f"


def test_cli_report(outdir):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "emoji_alpha", "report", *args], capture_output=True, text=True,
                              timeout=120)

    done = run(str(outdir), "--grids", "none", "--thumb-size", "32", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and "index.html" in done.stdout
    bad = run(str(outdir / "nope"))
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [f"error: {outdir / 'nope'}: no such folder"]
    bad = run(str(outdir), "--zoom", "a,b,c,d")
    assert bad.returncode == 2 and bad.stderr.startswith("error: --zoom")
