"""Metrics on small hand-computed cases; every expected number is worked out in a comment."""

from __future__ import annotations

import math

import numpy as np
import pytest

from emoji_alpha import metrics
from emoji_alpha.metrics import (
    PSNR_CAP_DB,
    alpha_gradient_error,
    alpha_mae,
    alpha_rmse,
    any_background_error,
    any_background_psnr,
    composite_psnrs,
    edge_alpha_mae,
    edge_band,
    evaluate,
    fringe,
    premultiplied_psnr,
)


def rgba(height: int, width: int, colour=(0.0, 0.0, 0.0), alpha: float = 1.0) -> np.ndarray:
    img = np.empty((height, width, 4), np.float32)
    img[..., :3] = colour
    img[..., 3] = alpha
    return img


def random_glyph(rng: np.random.Generator, size: int = 24) -> np.ndarray:
    """Straight RGBA with transparent, opaque and soft regions."""
    img = rng.random((size, size, 4)).astype(np.float32)
    img[: size // 3, :, 3] = 0.0
    img[-size // 3 :, :, 3] = 1.0
    return img


def test_perfect_prediction_scores_zero_error_and_capped_psnr() -> None:
    truth = random_glyph(np.random.default_rng(0))
    result = evaluate(truth.copy(), truth)
    for key in ("alpha_mae", "alpha_rmse", "edge_alpha_mae", "alpha_gradient_error", "fringe"):
        assert result[key] == 0.0, key
    for key, value in result.items():
        if "psnr" in key:
            assert value == PSNR_CAP_DB, key


def test_constant_alpha_offset() -> None:
    # alpha 0.5 everywhere, prediction 10 levels higher: MAE = RMSE = 10, no gradient change.
    truth = rgba(6, 6, alpha=0.5)
    pred = rgba(6, 6, alpha=0.5 + 10 / 255)
    assert alpha_mae(pred, truth) == pytest.approx(10.0, abs=1e-4)
    assert alpha_rmse(pred, truth) == pytest.approx(10.0, abs=1e-4)
    assert alpha_gradient_error(pred, truth) == pytest.approx(0.0, abs=1e-6)


def test_mae_and_rmse_differ_for_uneven_errors() -> None:
    # Half the pixels off by 0.2: MAE = 0.1 * 255 = 25.5, RMSE = sqrt(0.5 * 0.04) * 255.
    truth = rgba(4, 4, alpha=0.5)
    pred = truth.copy()
    pred[:2, :, 3] += 0.2
    assert alpha_mae(pred, truth) == pytest.approx(25.5, abs=1e-3)
    assert alpha_rmse(pred, truth) == pytest.approx(math.sqrt(0.02) * 255, abs=1e-3)


def test_fringe_only_counts_truly_transparent_pixels() -> None:
    # Left half transparent in truth; prediction leaves alpha 0.1 there -> 25.5 levels.
    # The right half (opaque truth) is predicted badly but must not count.
    truth = rgba(4, 8, alpha=1.0)
    truth[:, :4, 3] = 0.0
    pred = truth.copy()
    pred[:, :4, 3] = 0.1
    pred[:, 4:, 3] = 0.5
    assert fringe(pred, truth) == pytest.approx(25.5, abs=1e-3)
    assert math.isnan(fringe(pred, rgba(4, 8, alpha=1.0)))


def test_edge_band_is_soft_pixels_dilated_by_two() -> None:
    # One soft column at x=5 of 11: the radius-2 disk widens it to columns 3..7.
    truth = rgba(5, 11, alpha=0.0)
    truth[:, 6:, 3] = 1.0
    truth[:, 5, 3] = 0.5
    band = edge_band(truth[..., 3])
    assert band.all(axis=0).tolist() == [False] * 3 + [True] * 5 + [False] * 3
    assert not band[:, :3].any() and not band[:, 8:].any()

    far = truth.copy()
    far[:, 0, 3] = 0.2  # outside the band: edge MAE ignores it
    assert edge_alpha_mae(far, truth) == 0.0
    near = truth.copy()
    near[:, 7, 3] = 0.8  # inside the band: error 0.2 on 1 column of 5 -> 0.2*255/5 = 10.2
    assert edge_alpha_mae(near, truth) == pytest.approx(10.2, abs=1e-3)


def test_edge_mae_is_nan_without_soft_pixels() -> None:
    truth = rgba(4, 4, alpha=1.0)
    truth[:, :2, 3] = 0.0
    assert math.isnan(edge_alpha_mae(truth, truth))


def test_gradient_error_of_a_step_edge() -> None:
    # Truth: alpha 0 for x < 4, 1 for x >= 4 (8 x 8). Sobel/8 gives |grad| = 0.5 in columns
    # 3 and 4 (central difference 1/2), 0 elsewhere. A flat prediction misses all of it:
    # mean |grad| difference = 0.5 * 2 / 8 = 0.125 -> 31.875 levels.
    truth = rgba(8, 8, alpha=0.0)
    truth[:, 4:, 3] = 1.0
    flat = rgba(8, 8, alpha=0.0)
    assert alpha_gradient_error(flat, truth) == pytest.approx(31.875, abs=1e-4)
    # Same edge moved by one pixel: gradient magnitudes match away from it, differ at
    # columns 3 and 5 (0.5 each) -> also 31.875. The metric sees shape, not position.
    shifted = rgba(8, 8, alpha=0.0)
    shifted[:, 5:, 3] = 1.0
    assert alpha_gradient_error(shifted, truth) == pytest.approx(31.875, abs=1e-4)


def test_sobel_magnitude_of_a_ramp_is_its_slope() -> None:
    ramp = np.tile(np.arange(10, dtype=np.float64) * 0.03, (6, 1))
    assert metrics.sobel_magnitude(ramp)[:, 1:-1] == pytest.approx(np.full((6, 8), 0.03))


def test_premultiplied_psnr_known_error_and_ignores_invisible_colour() -> None:
    # Opaque black vs opaque 0.1 grey: MSE 0.01 -> 20 dB.
    assert premultiplied_psnr(rgba(4, 4, (0.1, 0.1, 0.1)), rgba(4, 4)) == pytest.approx(20.0, abs=1e-4)
    # Any straight colour under alpha 0 is invisible: identical premultiplied data.
    rng = np.random.default_rng(1)
    a = rgba(4, 4, alpha=0.0)
    b = a.copy()
    b[..., :3] = rng.random((4, 4, 3))
    assert premultiplied_psnr(b, a) == PSNR_CAP_DB
    # Half-transparent colour counts half: straight 0.2 at alpha 0.5 -> P error 0.1 -> 20 dB.
    assert premultiplied_psnr(rgba(4, 4, (0.2,) * 3, 0.5), rgba(4, 4, alpha=0.5)) == pytest.approx(20.0, abs=1e-4)


def test_composite_psnrs_of_a_pure_alpha_error() -> None:
    # Truth fully transparent; prediction alpha 0.1 with black colour (P = 0).
    # dC = dP - dA*bg = -0.1*bg: black exact, white 0.1 -> 20 dB, grey 0.05 -> 26.02 dB,
    # red/green/blue one channel of three -> MSE 0.01/3, yellow two of three -> 0.02/3,
    # checker half the pixels -> MSE 0.005 -> 23.01 dB.
    truth = rgba(16, 16, alpha=0.0)
    pred = rgba(16, 16, alpha=0.1)
    got = composite_psnrs(pred, truth)
    assert got["black"] == PSNR_CAP_DB
    assert got["white"] == pytest.approx(20.0, abs=1e-4)
    assert got["grey"] == pytest.approx(20 + 20 * math.log10(2), abs=1e-4)
    for name in ("red", "green", "blue"):
        assert got[name] == pytest.approx(10 * math.log10(300), abs=1e-4)
    assert got["yellow"] == pytest.approx(10 * math.log10(150), abs=1e-4)
    assert got["checker"] == pytest.approx(10 * math.log10(200), abs=1e-4)
    result = evaluate(pred, truth)
    assert result["composite_psnr_worst"] == pytest.approx(20.0, abs=1e-4)
    assert result["composite_psnr_mean"] == pytest.approx(np.mean(list(got.values())))
    # Worst over all backgrounds is the white one here: |dP - dA| = 0.1.
    assert result["any_bg_psnr"] == pytest.approx(20.0, abs=1e-4)


def test_checkerboard_layout() -> None:
    board = metrics.checkerboard(16, 24)
    assert board[0, 0, 0] == 0.0 and board[0, 8, 0] == 1.0 and board[8, 0, 0] == 1.0 and board[8, 8, 0] == 0.0
    assert board[7, 7, 0] == 0.0 and board.mean() == pytest.approx(0.5)


@pytest.mark.parametrize("seed", range(5))
def test_any_background_psnr_lower_bounds_every_composite(seed: int) -> None:
    rng = np.random.default_rng(seed)
    truth = random_glyph(rng)
    pred = np.clip(truth + rng.normal(0, 0.1, truth.shape), 0, 1).astype(np.float32)
    bound = any_background_psnr(pred, truth)
    pred_p = metrics.premultiply(pred).astype(np.float64)
    true_p = metrics.premultiply(truth).astype(np.float64)

    def composite_psnr(bg: np.ndarray) -> float:
        diff = metrics.composite_over(pred_p, bg) - metrics.composite_over(true_p, bg)
        return metrics.psnr_from_mse(float(np.mean(diff**2)))

    for _ in range(50):  # random uniform colours and random per-pixel background images
        assert composite_psnr(rng.random(3)) >= bound - 1e-9
        assert composite_psnr(rng.random(truth.shape[:2] + (3,))) >= bound - 1e-9
    for value in composite_psnrs(pred, truth).values():
        assert value >= bound - 1e-9

    # The bound is tight: choosing bg = 0 or 1 per pixel/channel, whichever is worse,
    # reproduces the any-background error map exactly.
    d_p = pred_p[..., :3] - true_p[..., :3]
    d_a = pred_p[..., 3:] - true_p[..., 3:]
    worst_bg = (np.abs(d_p - d_a) > np.abs(d_p)).astype(np.float64)
    assert composite_psnr(worst_bg) == pytest.approx(bound, abs=1e-6)
    assert np.allclose(np.abs(d_p - d_a * worst_bg), any_background_error(pred, truth))


def test_shape_checks() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        alpha_mae(rgba(4, 4), rgba(4, 5))
    with pytest.raises(ValueError, match="RGBA"):
        alpha_mae(np.zeros((4, 4, 3), np.float32), np.zeros((4, 4, 3), np.float32))


def test_evaluate_keys_and_types() -> None:
    rng = np.random.default_rng(3)
    truth = random_glyph(rng)
    pred = np.clip(truth + 0.05, 0, 1).astype(np.float32)
    result = evaluate(pred, truth)
    expected = {
        "alpha_mae", "alpha_rmse", "edge_alpha_mae", "alpha_gradient_error", "fringe",
        "psnr_premul", "any_bg_psnr", "composite_psnr_worst", "composite_psnr_mean",
    } | {f"composite_psnr_{name}" for name in metrics.BACKGROUNDS}
    assert set(result) == expected
    assert all(isinstance(v, float) for v in result.values())
    assert result["any_bg_psnr"] <= result["composite_psnr_worst"] <= result["composite_psnr_mean"]
    # Fringe on a +0.05 offset: mean predicted alpha where truth is 0 = 0.05 -> 12.75 levels.
    assert result["fringe"] == pytest.approx(12.75, abs=1e-3)
