"""Bad input and bad circumstances in batches (issue #18): zero-sized glyphs, a full disk,
damaged manifests, rows left 'running' by a killed batch. One test per bad input."""

from __future__ import annotations

import errno
import sqlite3
import sys

import pytest

import batchkit
import fontkit
from emoji_alpha.batch.run import run_batch
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.pipeline import SolveOptions

LANCZOS = SolveOptions(method="lanczos")
ZERO_SIZES = [(0, 0), (0, 16), (16, 0)]


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """`emoji-alpha ARGS` in this process, through the real entry point (one-line errors,
    exit codes), so monkeypatched failures reach it: (exit code, stdout, stderr)."""
    from emoji_alpha.cli import main

    monkeypatch.setattr(sys, "argv", ["emoji-alpha", *map(str, args)])
    monkeypatch.setenv("COLUMNS", "200")
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- a zero-sized glyph fails alone ---------------------------------------------------------

@pytest.mark.parametrize("width, height", ZERO_SIZES)
def test_zero_sized_png_in_a_folder_fails_alone(tmp_path, width, height):
    good = batchkit.make_folder(tmp_path / "in", 3)
    (tmp_path / "in" / "glyph-u1F9CA.png").write_bytes(batchkit.zero_sized_png(width, height))
    out = tmp_path / "out"
    summary = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    assert (summary.done, summary.failed) == (3, 1)
    found = batchkit.assert_outputs_match_manifest(out)
    row = found["glyph-u1F9CA.png"]
    assert row["status"] == "failed" and "zero-sized" in row["error"] and f"{width}x{height}" in row["error"]
    assert all(found[path.name]["status"] == "done" for path in good)
    assert not (out / "glyph-u1F9CA.png").exists()


@pytest.mark.parametrize("width, height", ZERO_SIZES)
def test_zero_sized_glyph_in_a_font_fails_alone(tmp_path, width, height):
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,),
                              graphics={"u2764": ("png ", batchkit.zero_sized_png(width, height))})
    out = tmp_path / "out"
    summary = run_batch([font], out, size="32", options=LANCZOS, show_progress=False)
    assert summary.failed == 1 and summary.done == summary.total - 1 > 0
    row = batchkit.rows(out)["glyph-u2764.png"]
    assert row["status"] == "failed" and "zero-sized" in row["error"]


def test_zero_sized_png_alone_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    source = tmp_path / "zero.png"
    source.write_bytes(batchkit.zero_sized_png())
    code, _out, err = run_main(monkeypatch, capsys, "enlarge", source, "-o", tmp_path / "big.png", "--size", "32")
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and "zero-sized" in err
    assert not (tmp_path / "big.png").exists()
