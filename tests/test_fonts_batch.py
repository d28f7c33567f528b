"""Font glyphs through `emoji-alpha enlarge FONT -o DIR`: --naming, every sequence in --only,
every face of a collection (lanczos: no LIIF, tiny sizes)."""

from __future__ import annotations

from pathlib import Path

import pytest

import batchkit
import clikit
import fontkit
from emoji_alpha.batch.run import run_batch
from emoji_alpha.options import EnlargeOptions

LANCZOS = EnlargeOptions(method="lanczos")


@pytest.mark.parametrize(("naming", "files"), [
    (None, ["glyph-u1F44B.png", "glyph-u1F44B_u1F3FC.png"]),
    ("glyph", ["glyph-u1F44B.0.png", "glyph-u1F44B.3.png"]),
])
def test_batch_names_font_glyphs_as_asked(tmp_path: Path, naming: str | None, files: list[str]) -> None:
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,))
    out = tmp_path / "out"
    summary = run_batch([font], out, size="24", options=LANCZOS, only="u1F44B,u1F44B_u1F3FC", naming=naming,
                        show_progress=False)
    assert summary.done == 2
    assert sorted(p.name for p in out.glob("*.png")) == files
    assert sorted(p.name for p in (out / "source" / "s").glob("*.png")) == files


@pytest.mark.parametrize(("inputs", "expected"), [
    (1, ["glyph-u1F1FA_u1F1F8.png"]),  # one font: the extractor names the file by the sequence asked for
    (2, ["glyph-u1F1FA_u1F1F2.png"]),  # with other inputs: the glyph's own file, found by its other sequence
])
def test_batch_only_accepts_any_sequence_of_a_glyph(tmp_path: Path, inputs: int, expected: list[str]) -> None:
    sources = [fontkit.build_flags(tmp_path / "f.ttf", strikes=(16,))]
    if inputs == 2:
        sources.append(batchkit.make_folder(tmp_path / "in", 1)[0])
    out = tmp_path / "out"
    summary = run_batch(sources, out, size="24", options=LANCZOS, only="u1F1FA_u1F1F8", show_progress=False)
    assert summary.done == 1
    assert sorted(p.name for p in out.glob("*.png")) == expected


def test_batch_enlarges_every_face_of_a_collection(tmp_path: Path) -> None:
    faces = [fontkit.build_flags(tmp_path / "f.ttf", strikes=(16,)), fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,))]
    collection = fontkit.build_collection(tmp_path / "both.ttc", faces)
    out = tmp_path / "out"
    summary = run_batch([collection], out, size="20", options=LANCZOS, show_progress=False)
    assert summary.done == 13 and summary.failed == 0
    assert sorted(p.name for p in (out / "face-0").glob("*.png")) == ["glyph-u1F1EF_u1F1F5.png", "glyph-u1F1FA_u1F1F2.png"]
    assert len(list((out / "face-1").glob("*.png"))) == 11
    assert (out / "source" / "both" / "face-1" / "glyph-u1F343.png").is_file()
    rows = batchkit.rows(out)
    assert rows["face-1/glyph-u1F343.png"]["status"] == "done"
    again = run_batch([collection], out, size="20", options=LANCZOS, show_progress=False)
    assert (again.done, again.skipped) == (0, 13)  # resumes like any batch


def test_naming_is_for_batches(tmp_path: Path) -> None:
    [source] = batchkit.make_folder(tmp_path / "in", 1)
    result = clikit.run("enlarge", source, "-o", tmp_path / "big.png", "--size", "32", "--naming", "glyph")
    assert result.returncode == 2 and "are for batches" in result.stderr
