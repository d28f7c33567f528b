"""Backgrounds on demand: the split of levels, the completed stack, the pipeline and the options
(a bad --on-demand from the command line: test_bad_input.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import CountingUpscaler

from emoji_alpha.composite import flatten, footprint_masks
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.options import EnlargeOptions
from emoji_alpha.pipeline import enlarge_rgba
from emoji_alpha.solve import solve_exact
from emoji_alpha.solve.on_demand import base_fit, complete_on_demand, split_levels

LEVELS = np.array([0, 64, 192, 255], np.float32) / 255


def test_split_levels():
    assert split_levels(LEVELS, (64 / 255, 192 / 255)) == ([0, 3], [1, 2])
    assert split_levels(LEVELS, (192.2 / 255,)) == ([0, 1, 3], [2])  # within half a level
    assert split_levels(LEVELS, ()) == ([0, 1, 2, 3], [])
    assert split_levels(LEVELS, (128 / 255,)) == ([0, 1, 2, 3], [])  # not a background: ignored
    with pytest.raises(EmojiAlphaError, match="two other"):
        split_levels(LEVELS, (0.0, 64 / 255, 192 / 255))


def noisy_band_stack(count: int = 500, seed: int = 0) -> np.ndarray:
    """Composites of random premultiplied pixels over LEVELS, with LIIF-like noise on some."""
    rng = np.random.default_rng(seed)
    alpha = rng.uniform(0, 1, count).astype(np.float32)
    premul = rng.uniform(0, 1, (count, 3)).astype(np.float32) * alpha[:, None]
    rgba = np.concatenate([premul, alpha[:, None]], 1)[None]  # 1 x N x 4
    stack = flatten(rgba, LEVELS)[:, 0]  # K x N x 3
    noisy = rng.random(count) < 0.4
    stack[:, noisy] += rng.normal(0, 4 / 255, (len(LEVELS), int(noisy.sum()), 3)).astype(np.float32)
    return stack


@pytest.mark.parametrize("threshold", [0.0, 0.25, 1.0, np.inf])
def test_completed_stack_decodes_where_the_fit_disagrees_and_re_solves_to_the_base_fit(threshold):
    full = noisy_band_stack()
    base, extra = [0, 3], [1, 2]
    premul, alpha, rms = base_fit(full[base], LEVELS[base])
    calls = []

    def decode(index):
        calls.append(index)
        return full[extra][:, index]

    band = full.copy()
    band[extra] = np.nan  # must all be filled
    decoded = complete_on_demand(band, LEVELS, base, extra, threshold, decode, backend="numba")
    assert np.isfinite(band).all()
    assert (decoded == (rms > threshold)).all()
    assert sum(c.size for c in calls) == decoded.sum()  # decoded once, only where needed
    if threshold in (0.25, 1.0):
        assert 0 < decoded.mean() < 1
    assert np.array_equal(band[:, decoded], full[:, decoded])
    # where nothing was decoded, the full solve returns the base fit (the fill adds zero loss there)
    p4, a4 = solve_exact(band, LEVELS, backend="numba")
    keep = ~decoded
    np.testing.assert_allclose(a4[keep], alpha[keep], atol=2e-5)
    np.testing.assert_allclose(p4[keep], premul[keep], atol=2e-5)


def glyph(size: int = 24, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size] / size
    alpha = np.clip(1.6 - 4.0 * np.hypot(yy - 0.5, xx - 0.5), 0, 1).astype(np.float32)
    colour = rng.uniform(0.1, 0.9, (1, 1, 3)).astype(np.float32) * np.ones((size, size, 1), np.float32)
    colour[..., 0] = np.linspace(0, 1, size)[None, :]
    return np.concatenate([colour * alpha[..., None], alpha[..., None]], -1)


def test_pipeline_decodes_the_extra_backgrounds_only_on_demand(upscaler):
    premul_lr = glyph()
    size = (72, 72)
    counting = CountingUpscaler(upscaler)
    options = EnlargeOptions()
    result = enlarge_rgba(premul_lr, size, counting, options)
    calls = [(batch, pixels.size) for batch, pixels in counting.calls]
    transparent, opaque = footprint_masks(premul_lr[..., 3], size, 0)
    band = int((~(transparent | opaque)).sum())
    fraction = result.report.on_demand_fraction
    assert 0 < fraction < 1
    # base levels over the band, the opaque fill, then the two on-demand levels where needed
    assert calls == [(2, band), (1, int(opaque.sum())), (2, round(fraction * band))]
    # on demand everywhere (threshold 0) is decoding every level everywhere
    everywhere = enlarge_rgba(premul_lr, size, upscaler, dataclasses.replace(options, on_demand_residual=0.0))
    full = enlarge_rgba(premul_lr, size, upscaler, dataclasses.replace(options, on_demand=()))
    assert full.report.on_demand_fraction is None
    np.testing.assert_allclose(everywhere.premul, full.premul, atol=2e-4)  # float rounding (0.05 levels)
    assert (result.premul[transparent] == 0).all() and (result.premul[opaque, 3] == 1).all()


def test_on_demand_options():
    from emoji_alpha.options import build_options

    assert build_options(on_demand="none").on_demand == ()
    assert build_options(on_demand="192", on_demand_residual=1).on_demand == pytest.approx((192 / 255,))
    assert build_options(on_demand="192", on_demand_residual=1).on_demand_residual == 1.0
    assert build_options(backgrounds="0,128,255").on_demand == ()  # explicit levels: all decoded everywhere
    assert build_options(backgrounds="0,128,255,200", on_demand="128").on_demand == pytest.approx((128 / 255,))
    for flags, message in ((dict(on_demand="100"), "among the backgrounds"), (dict(on_demand="0,64,192"), "two other"),
                           (dict(on_demand="x"), "--on-demand must be")):
        with pytest.raises(EmojiAlphaError, match=message):
            build_options(**flags)
