"""`emoji-alpha report`: thumbnails, comparison grids and the HTML gallery of an output folder."""

from __future__ import annotations

import html
import shutil
import sqlite3
from pathlib import Path

import clikit
import numpy as np
import pytest
from PIL import Image
from reportkit import FakeUpscaler, build_outdir, create_manifest

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.report import parse_grids, write_report
from emoji_alpha.report.records import OutputGlyph, load_records, select_only


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
    """--only spells codepoints any common way; the manifest's codepoints, else the file name,
    say which glyph has them; a folder in front limits an item to that folder."""
    records = [OutputGlyph("glyph-u1F343.png", None, codepoints="1F343"), OutputGlyph("glyph-u1F3F3.png", None),
               OutputGlyph("face-1/glyph-u1F343.png", None)]
    for token in ("U+1F343", "u1F343", "1f343", "glyph-u1F343.png", " u1F343 "):
        assert select_only(records, [token]) == [records[0], records[2]]
    for token in ("1F3F3 FE0F", "u1F3F3_uFE0F", "glyph-u1F3F3"):
        assert select_only(records, [token]) == [records[1]]
    assert select_only(records, ["face-1/u1F343"]) == select_only(records, ["face-1/glyph-u1F343.png"]) == [records[2]]
    assert select_only(records, ["", " "]) == []


def test_cli_report(outdir):
    done = clikit.run("report", outdir, "--grids", "none", "--thumb-size", "32", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and "index.html" in done.stdout  # bad flags and folders: test_bad_input.py


def _cards(page: str) -> dict[str, str]:
    body = page.split("<main>")[1].split("</main>")[0]
    return {html.unescape(card.split('data-name="')[1].split('"')[0]): card for card in body.split("<figure")[1:]}


def test_gallery_links_each_enlarged_png(outdir):
    from urllib.parse import unquote

    summary = write_report(outdir, only=["u1F4A8"], grids="none", upscaler_factory=FakeUpscaler, panel=64, jobs=1)
    cards = _cards(summary.index.read_text())
    for name, card in cards.items():
        hrefs = [unquote(html.unescape(h.split('"')[0])) for h in card.split('href="')[1:]]
        if name == "glyph-u1F343.png":  # failed: no file to link
            assert hrefs == []
            continue
        assert hrefs[0] == name  # the thumbnail opens the enlarged PNG itself
        assert 'class="png-link"' in card and "PNG 96x96" in card
        assert all((outdir / href).is_file() for href in hrefs)
    grid_links = {name for name, card in cards.items() if 'class="grid-link"' in card}
    assert grid_links == {"glyph-u1F4A8.png"}
    assert 'href="report/grids/glyph-u1F4A8.png"' in cards["glyph-u1F4A8.png"]


def test_glyphs_in_subfolders_keep_them_in_the_report(outdir):
    """A font collection's faces (face-1/glyph-...) must not overwrite each other's thumbnails or grids."""
    (outdir / "face-1").mkdir()
    shutil.copy(outdir / "glyph-u1F4A8.png", outdir / "face-1" / "glyph-u1F9CA.png")  # same name as a face-0 glyph
    connection = sqlite3.connect(outdir / "emoji-alpha.sqlite")
    with connection:
        connection.execute("INSERT INTO glyphs (name, status, loss) VALUES ('face-1/glyph-u1F9CA.png', 'done', 1.0)")
    connection.close()
    summary = write_report(outdir, only=["face-1/glyph-u1F9CA"], grids="none", upscaler_factory=FakeUpscaler,
                           panel=64, thumb_size=32, jobs=1)
    assert [p.relative_to(outdir).as_posix() for p in summary.grids] == ["report/grids/face-1/glyph-u1F9CA.png"]
    thumbs = {p.relative_to(outdir / "report" / "thumbs").as_posix() for p in (outdir / "report" / "thumbs").rglob("*.png")}
    assert {"glyph-u1F9CA.png", "face-1/glyph-u1F9CA.png"} <= thumbs
    card = _cards(summary.index.read_text())["face-1/glyph-u1F9CA.png"]
    assert 'href="face-1/glyph-u1F9CA.png"' in card and 'src="report/thumbs/face-1/glyph-u1F9CA.png"' in card


@pytest.mark.parametrize("zoom", [None, (20, 20, 30, 30)])
@pytest.mark.parametrize("compare", [(), ("lanczos",)])
def test_opaque_glyph_grid_shows_one_enlargement(tmp_path, zoom, compare):
    from emoji_alpha.report import grid

    out = tmp_path / "out"
    build_outdir(out, size=96, odd_name=False, opaque=True)
    [record] = [r for r in load_records(out) if r.name == "glyph-u1F600.png"]
    fake = FakeUpscaler()
    src = grid.gather(record, out, panel=64, zoom=zoom, get_upscaler=lambda: fake)
    assert src.opaque and src.input is not None
    assert fake.calls == 0  # nothing re-enlarged: the output is the one LIIF enlargement
    assert src.backgrounds == [] and src.loss is None and src.passes == []
    title, rows = grid.layout(src, panel=64, zoom=zoom, compare=compare, cache_dir=tmp_path / "cache")
    views = 1 if zoom is None else 2
    assert len(rows) == views * (1 + len(compare))
    for row_title, panels in rows[:views]:
        assert row_title.startswith("opaque input: one LIIF enlargement")
        assert [p.label for p in panels] == ["input", "result (LIIF)"]
    for row_title, panels in rows[views:]:
        assert [p.label for p in panels] == ["lanczos"]  # a peer's result alone: no alpha, no composites
    labels = " ".join(p.label for _, panels in rows for p in panels)
    assert "alpha" not in labels and "loss" not in labels and "over" not in labels
    assert "opaque (RGB)" in title[0] and "method" not in title[0]
    image = grid.build_grid(src, panel=64, zoom=zoom, compare=compare, cache_dir=tmp_path / "cache")
    assert image.mode == "RGB" and image.width <= 6 + 4 * (64 + 6)


def test_report_of_an_opaque_glyph_end_to_end(tmp_path):
    out = tmp_path / "out"
    build_outdir(out, size=64, odd_name=False, opaque=True)
    summary = write_report(out, only=["u1F600"], grids="none", upscaler_factory=FakeUpscaler, panel=64, jobs=1)
    assert [p.name for p in summary.grids] == ["glyph-u1F600.png"] and not summary.notes
    assert 'href="glyph-u1F600.png"' in _cards(summary.index.read_text())["glyph-u1F600.png"]


def test_heat_scale_rises_in_lightness():
    from emoji_alpha.report.grid import heat

    ramp = heat(np.linspace(0, 1, 50, dtype=np.float32)[:, None, None])[:, 0]
    lightness = ramp @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    assert np.all(np.diff(lightness) > 0)
    assert np.allclose(ramp[0], (0, 0, 4 / 255)) and np.allclose(ramp[-1], (252 / 255, 1, 164 / 255))


@pytest.mark.parametrize("panel", [32, 96, 256])
def test_loss_map_has_a_labelled_colour_bar(outdir, panel):
    from emoji_alpha.report import grid

    [record] = [r for r in load_records(outdir) if r.name == "glyph-u1F9CA.png"]  # kept stack and debug maps
    src = grid.gather(record, outdir, panel=panel, zoom=None, get_upscaler=FakeUpscaler)
    _, rows = grid.layout(src, panel=panel, zoom=None)
    [loss_panel] = [p for _, panels in rows for p in panels if p.bar]
    assert loss_panel.label == "loss map (debug)"
    assert [label for _, label in loss_panel.bar] == ["0", "2", "4", "6", "8+"]
    assert [fraction for fraction, _ in loss_panel.bar] == [0, 0.25, 0.5, 0.75, 1.0]
    [result_title] = [t for t, panels in rows if loss_panel in panels]
    assert "sqrt(L) per pixel, in 8-bit levels" in result_title
    assert max(loss_panel.image.shape[:2]) == panel - grid.bar_width(panel)
    # The map is drawn in the bar's colours: light where the debug map is white (8+ levels).
    debug = np.asarray(Image.open(outdir / "debug" / "glyph-u1F9CA" / "loss.png").convert("L"), np.float32) / 255
    assert np.allclose(grid.heat(debug[..., None]).max(axis=(0, 1)), loss_panel.image.reshape(-1, 3).max(axis=0), atol=0.05)
    # The drawn bar: its top is the scale's top colour, its bottom the scale's bottom colour.
    image = np.asarray(grid.render_rows([], [("r", [loss_panel])], panel), np.float32) / 255
    h = loss_panel.image.shape[0]
    x = grid.PAD + panel - grid.bar_width(panel) + 3 + 4
    y0 = 18 + grid.LABEL_H + (panel - h) // 2 + 8
    assert np.allclose(image[y0, x], grid.heat(np.ones((1, 1, 1), np.float32))[0, 0], atol=0.02)
    assert np.allclose(image[y0 + h - 1, x], grid.heat(np.zeros((1, 1, 1), np.float32))[0, 0], atol=0.02)
