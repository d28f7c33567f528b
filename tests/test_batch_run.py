"""run_batch and `emoji-alpha enlarge ... -o FOLDER`: inputs, filters, failures, resume, workers."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest
from PIL import Image

import batchkit
import fontkit
from emoji_alpha.batch.run import run_batch
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.options import EnlargeOptions, LiifConfig

LANCZOS = EnlargeOptions(method="lanczos")


def test_folder_with_bad_inputs_records_failures_and_goes_on(tmp_path):
    good = batchkit.make_folder(tmp_path / "in", 3)
    (tmp_path / "in" / "glyph-uFFFD.png").write_bytes(good[0].read_bytes()[:60])  # cut short
    batchkit.huge_png(tmp_path / "in" / "glyph-huge.png")
    out = tmp_path / "out"
    summary = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    assert (summary.total, summary.done, summary.failed, summary.skipped) == (5, 3, 2, 0)
    reasons = dict(summary.failures)
    assert "truncated or corrupt" in reasons["glyph-uFFFD.png"]
    assert "too large" in reasons["glyph-huge.png"]
    found = batchkit.assert_outputs_match_manifest(out)
    for path in good:
        row = found[path.name]
        assert row["status"] == "done" and row["size"] == "32x32" and row["method"] == "lanczos"
        assert row["codepoints"] == path.stem[len("glyph-u"):]
        assert row["source"] == str(path) and row["version"] and row["started_at"] <= row["finished_at"]
        assert "total" in json.loads(row["seconds"])
        with Image.open(out / path.name) as im:
            assert im.size == (32, 32) and im.mode == "RGBA"
    assert found["glyph-huge.png"]["status"] == "failed"
    assert not (out / "glyph-huge.png").exists()


def test_resume_skips_done_redoes_changed_and_force(tmp_path):
    batchkit.make_folder(tmp_path / "in", 3)
    out = tmp_path / "out"
    first = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    assert first.done == 3
    before = batchkit.rows(out)
    again = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    assert (again.done, again.skipped) == (0, 3)
    assert batchkit.rows(out)["glyph-u1F343.png"]["finished_at"] == before["glyph-u1F343.png"]["finished_at"]
    # An output that no longer matches its recorded sha256 is redone; so is a missing one.
    (out / "glyph-u1F343.png").write_bytes(b"changed")
    (out / "glyph-u1F600.png").unlink()
    again = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    assert (again.done, again.skipped) == (2, 1)
    batchkit.assert_outputs_match_manifest(out)
    # Other settings (size, solver options) redo everything; so does force.
    assert run_batch([tmp_path / "in"], out, size="24", options=LANCZOS, show_progress=False).done == 3
    assert batchkit.rows(out)["glyph-u2764.png"]["size"] == "24x24"
    assert run_batch([tmp_path / "in"], out, size="24", options=LANCZOS, force=True, show_progress=False).done == 3
    # A row left 'running' by a killed run is redone.
    connection = sqlite3.connect(out / "emoji-alpha.sqlite")
    with connection:
        connection.execute("UPDATE glyphs SET status = 'running' WHERE name = 'glyph-u2764.png'")
    connection.close()
    again = run_batch([tmp_path / "in"], out, size="24", options=LANCZOS, show_progress=False)
    assert (again.done, again.skipped) == (1, 2)


def test_font_input_only_and_limit(tmp_path):
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16, 20))
    out = tmp_path / "out"
    summary = run_batch([font], out, size="32", options=LANCZOS, only="u1F343,u2764", show_progress=False)
    assert summary.done == 2
    assert sorted(p.name for p in out.glob("*.png")) == ["glyph-u1F343.png", "glyph-u2764.png"]
    assert (out / "source" / "s" / "glyph-u1F343.png").exists()  # extracted sources are kept for resume
    row = batchkit.rows(out)["glyph-u1F343.png"]
    assert row["codepoints"] == "1F343" and row["size"] == "32x32"
    summary = run_batch([font], out, size="32", options=LANCZOS, limit=3, show_progress=False)
    assert summary.total == 3
    with pytest.raises(EmojiAlphaError, match="no colour glyph for --only u1F999"):
        run_batch([font], out, size="32", options=LANCZOS, only="u1F999", show_progress=False)


def test_folder_only_matches_codepoints_and_names(tmp_path):
    batchkit.make_folder(tmp_path / "in", 4)
    out = tmp_path / "out"
    summary = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, only=["1F600", "glyph-u2764.png"],
                        show_progress=False)
    assert summary.done == 2
    with pytest.raises(EmojiAlphaError, match="no input glyph for --only u1F999"):
        run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, only="u1F999", show_progress=False)


def test_glyph_over_the_memory_budget_fails_before_running(tmp_path):
    batchkit.make_folder(tmp_path / "in", 1)
    summary = run_batch([tmp_path / "in"], tmp_path / "out", size="6000", liif=LiifConfig(memory_limit=1 << 30),
                        show_progress=False)
    assert summary.failed == 1 and "over the memory limit" in summary.failures[0][1]
    assert summary.executor == ""  # nothing was started


@pytest.mark.parametrize("image_format, suffix", [("webp", ".webp"), ("tiff", ".tiff")])
def test_outputs_in_another_format_hold_the_png_pixels(tmp_path, image_format, suffix):
    """--format webp / tiff: lossless, so each file decodes to what the PNG batch writes; the
    manifest names the files, a rerun resumes, a font's glyphs are renamed alike."""
    from emoji_alpha.images import read_image

    batchkit.make_folder(tmp_path / "in", 2)
    png = run_batch([tmp_path / "in"], tmp_path / "png", size="32", options=LANCZOS, show_progress=False)
    other = run_batch([tmp_path / "in"], tmp_path / "other", size="32", options=LANCZOS, image_format=image_format,
                      show_progress=False)
    assert png.ok and other.ok and other.done == 2
    found = batchkit.assert_outputs_match_manifest(tmp_path / "other")
    assert sorted(found) == sorted(path.stem + suffix for path in (tmp_path / "png").glob("*.png"))
    assert not list((tmp_path / "other").glob("*.png"))
    for path in (tmp_path / "png").glob("*.png"):
        assert np.array_equal(read_image(tmp_path / "other" / (path.stem + suffix)).rgba, read_image(path).rgba)
    again = run_batch([tmp_path / "in"], tmp_path / "other", size="32", options=LANCZOS, image_format=image_format,
                      show_progress=False)
    assert (again.skipped, again.done) == (2, 0)
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,))
    run_batch([font], tmp_path / "font", size="32", options=LANCZOS, image_format=image_format, only="u1F343",
              show_progress=False)
    assert (tmp_path / "font" / f"glyph-u1F343{suffix}").is_file()
    assert (tmp_path / "font" / "source" / "s" / "glyph-u1F343.png").is_file()  # the extracted source stays PNG


def test_a_webp_batch_fails_glyphs_over_the_webp_side_before_running(tmp_path):
    batchkit.make_folder(tmp_path / "in", 1)
    summary = run_batch([tmp_path / "in"], tmp_path / "out", size="20000", options=LANCZOS, image_format="webp",
                        show_progress=False)
    assert summary.failed == 1 and summary.executor == ""  # nothing was started
    assert "WebP holds at most 16383 px a side, the output is 20000x20000" in summary.failures[0][1]


def test_jpeg_or_an_unknown_format_is_refused_for_a_batch(tmp_path):
    batchkit.make_folder(tmp_path / "in", 1)
    for image_format, message in (("jpeg", "JPEG cannot store"), ("gif", "unknown --format 'gif'")):
        with pytest.raises(EmojiAlphaError, match=message):
            run_batch([tmp_path / "in"], tmp_path / "out", size="32", options=LANCZOS, image_format=image_format,
                      show_progress=False)
        assert not (tmp_path / "out").exists()


def test_a_folder_of_other_image_formats_gives_pngs(tmp_path):
    """A folder's WebP, TIFF and JPEG files are enlarged as one such file is; outputs are PNGs."""
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(batchkit.glyph(1)).save(folder / "glyph-u1F343.webp", lossless=True)
    Image.fromarray(batchkit.glyph(2)).save(folder / "glyph-u2764.tiff")
    Image.fromarray(batchkit.card(16)).save(folder / "card.jpg")
    (folder / "notes.txt").write_text("not an image")
    summary = run_batch([folder], tmp_path / "out", size="32", options=LANCZOS, show_progress=False)
    assert (summary.total, summary.done, summary.failed) == (3, 3, 0)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == ["card.png", "glyph-u1F343.png",
                                                                          "glyph-u2764.png"]
    assert batchkit.rows(tmp_path / "out")["glyph-u1F343.png"]["codepoints"] == "1F343"
    (folder / "glyph-u1F343.png").write_bytes((tmp_path / "out" / "glyph-u1F343.png").read_bytes())
    with pytest.raises(EmojiAlphaError, match="both write glyph-u1F343.png"):
        run_batch([folder], tmp_path / "out2", size="64", options=LANCZOS, show_progress=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    with pytest.raises(EmojiAlphaError, match=r"no images in this folder \(a folder's .png, .webp"):
        run_batch([empty], tmp_path / "out3", size="64", options=LANCZOS, show_progress=False)


def test_a_size_that_shrinks_only_some_glyphs_fails_those(tmp_path):
    small = batchkit.make_folder(tmp_path / "in", 2, size=16)
    Image.fromarray(batchkit.glyph(5, size=40)).save(tmp_path / "in" / "glyph-u1F9CA.png")
    out = tmp_path / "out"
    summary = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    assert (summary.done, summary.failed) == (2, 1)
    assert "output 32x32 is smaller than the input 40x40 (emoji-alpha only enlarges)" in dict(summary.failures)[
        "glyph-u1F9CA.png"]
    assert not (out / "glyph-u1F9CA.png").exists()
    assert sorted(p.name for p in out.glob("*.png")) == sorted(p.name for p in small)


def test_a_size_that_shrinks_every_glyph_is_one_error_and_leaves_nothing(tmp_path):
    batchkit.make_folder(tmp_path / "in", 3, size=16)
    for size, scale in (("4", None), (None, 0.5)):
        with pytest.raises(EmojiAlphaError, match="all 3 glyphs of the batch: output .* is smaller than the input 16x16"):
            run_batch([tmp_path / "in"], tmp_path / "new" / "out", size=size, scale=scale, options=LANCZOS,
                      show_progress=False)
        assert not (tmp_path / "new" / "out").exists()


def test_user_errors(tmp_path):
    batchkit.make_folder(tmp_path / "in", 1)
    with pytest.raises(EmojiAlphaError, match="no such file"):
        run_batch([tmp_path / "missing"], tmp_path / "out", size="32")
    with pytest.raises(EmojiAlphaError, match="--size"):
        run_batch([tmp_path / "in"], tmp_path / "out", size="big")
    (tmp_path / "file").write_text("x")
    with pytest.raises(EmojiAlphaError, match="not a folder"):
        run_batch([tmp_path / "in"], tmp_path / "file", size="32")
    with pytest.raises(EmojiAlphaError, match="overwrite the input"):
        run_batch([tmp_path / "in"], tmp_path / "in", size="32", options=LANCZOS)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "glyph-u1F343.png").write_bytes((tmp_path / "in" / "glyph-u1F343.png").read_bytes())
    with pytest.raises(EmojiAlphaError, match="both write glyph-u1F343.png"):
        run_batch([tmp_path / "in", tmp_path / "other"], tmp_path / "out", size="32", options=LANCZOS)


def test_process_pool_two_workers(tmp_path):
    batchkit.make_folder(tmp_path / "in", 4)
    (tmp_path / "in" / "glyph-bad.png").write_text("not a png")
    out = tmp_path / "out"
    summary = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, workers=2, show_progress=False)
    assert summary.workers == 2 and "2 worker processes" in summary.executor
    assert (summary.done, summary.failed) == (4, 1)
    found = batchkit.assert_outputs_match_manifest(out)
    assert len({row["worker"] for row in found.values() if row["status"] == "done"}) >= 1
    import os
    assert all(not row["worker"].endswith(f":{os.getpid()}") for row in found.values())
    # The same glyphs in one process give the same bytes.
    inline = run_batch([tmp_path / "in"], tmp_path / "inline", size="32", options=LANCZOS, show_progress=False)
    assert inline.done == 4
    for name in ("glyph-u1F343.png", "glyph-u2764.png"):
        assert (out / name).read_bytes() == (tmp_path / "inline" / name).read_bytes()


def test_liif_solve_records_loss_and_consistency(tmp_path, official_weights):
    batchkit.make_folder(tmp_path / "in", 1)
    out = tmp_path / "out"
    summary = run_batch([tmp_path / "in"], out, size="32", liif=LiifConfig(threads=1), show_progress=False)
    assert summary.done == 1, summary.failures
    row = batchkit.rows(out)["glyph-u1F343.png"]
    from emoji_alpha.liif.weights import resolve, sha256_file

    assert row["weights_sha256"] == sha256_file(resolve(None))  # the default: emoji-trained
    assert row["loss"] is not None and row["consistency_alpha_mae"] is not None
    assert row["backgrounds"] == "0,64,192,255" and row["passes"] == 0
    seconds = json.loads(row["seconds"])
    assert {"liif", "solve", "total"} <= set(seconds)
    with Image.open(out / "glyph-u1F343.png") as im:
        alpha = np.asarray(im)[..., 3]
    assert alpha.min() == 0 and alpha.max() == 255 and ((alpha > 0) & (alpha < 255)).any()


def test_a_worker_that_dies_fails_only_its_glyph(tmp_path, monkeypatch):
    from emoji_alpha.batch import executors

    batchkit.make_folder(tmp_path / "in", 5)
    monkeypatch.setattr(executors, "process_glyph", batchkit.crash_on_1F600)
    summary = run_batch([tmp_path / "in"], tmp_path / "out", size="32", options=LANCZOS, workers=2,
                        show_progress=False)
    assert (summary.done, summary.failed) == (4, 1)
    assert summary.failures[0][0] == "glyph-u1F600.png" and "worker process died" in summary.failures[0][1]
    batchkit.assert_outputs_match_manifest(tmp_path / "out")


def test_one_batch_per_folder_at_a_time(tmp_path):
    from emoji_alpha.batch.run import _lock

    batchkit.make_folder(tmp_path / "in", 1)
    (tmp_path / "out").mkdir()
    with _lock(tmp_path / "out"):
        with pytest.raises(EmojiAlphaError, match="another batch is running"):
            run_batch([tmp_path / "in"], tmp_path / "out", size="32", options=LANCZOS, show_progress=False)
    assert run_batch([tmp_path / "in"], tmp_path / "out", size="32", options=LANCZOS, show_progress=False).done == 1
