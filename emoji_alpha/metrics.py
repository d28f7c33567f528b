"""Quality metrics for an enlarged RGBA glyph against its ground truth.

Inputs are straight-alpha RGBA float arrays in [0, 1], H x W x 4 (what :func:`read_image`
returns). Everything is converted to *premultiplied* colour first, because that is the
quantity that composites linearly: over a background ``bg`` a pixel shows ``P + (1 - a) bg``
(see :func:`emoji_alpha.images.composite_over`). Straight colour where alpha is ~0 is
invisible and must not be scored.

Notation used in the docstrings, per pixel and colour channel:

* ``a_p, a_t``: predicted and true alpha; ``dA = a_p - a_t``.
* ``P_p, P_t``: predicted and true premultiplied colour; ``dP = P_p - P_t``.

Alpha metrics are reported in 8-bit *levels* (the error times 255), so "1.0" means one
PNG alpha step. PSNR values are in dB with peak 1, capped at :data:`PSNR_CAP_DB` so that a
perfect prediction gives a finite number that can be averaged over a benchmark.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from emoji_alpha import images
from emoji_alpha.images import composite_over, premultiply

#: PSNR of an exact prediction. 8-bit quantisation alone already limits PSNR to ~59 dB,
#: so 100 dB means "identical"; a cap (instead of inf) keeps means over glyphs finite.
PSNR_CAP_DB = 100.0

#: 8-bit levels per unit: alpha errors are reported as error * LEVELS.
LEVELS = 255.0

#: Half-width in pixels of the band around soft true-alpha pixels used by edge_alpha_mae.
EDGE_DILATION_PX = 2

#: Size in pixels of one square of the black/white checkerboard background.
CHECKER_PX = 8

#: The fixed backgrounds of :func:`composite_psnrs`, as RGB triples; "checker" is special.
BACKGROUNDS: dict[str, tuple[float, float, float] | None] = {
    "black": (0.0, 0.0, 0.0),
    "white": (1.0, 1.0, 1.0),
    "grey": (0.5, 0.5, 0.5),
    "red": (1.0, 0.0, 0.0),
    "green": (0.0, 1.0, 0.0),
    "blue": (0.0, 0.0, 1.0),
    "yellow": (1.0, 1.0, 0.0),
    "checker": None,
}


# --------------------------------------------------------------------------------------------
# helpers


def _check_pair(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate shapes and return both images premultiplied, as float64 (sums stay exact)."""
    pred = np.asarray(pred_rgba)
    true = np.asarray(true_rgba)
    if pred.ndim != 3 or pred.shape[2] != 4:
        raise ValueError(f"prediction must be H x W x 4 RGBA, got shape {pred.shape}")
    if true.shape != pred.shape:
        raise ValueError(f"prediction {pred.shape} and truth {true.shape} differ in shape")
    return premultiply(pred).astype(np.float64), premultiply(true).astype(np.float64)


def psnr_from_mse(mse: float) -> float:
    """PSNR = 10 log10(1 / MSE) in dB for peak 1, capped at :data:`PSNR_CAP_DB`."""
    if mse <= 10.0 ** (-PSNR_CAP_DB / 10.0):
        return PSNR_CAP_DB
    return float(min(PSNR_CAP_DB, 10.0 * math.log10(1.0 / mse)))


def checkerboard(height: int, width: int, cell: int = CHECKER_PX) -> np.ndarray:
    """H x W x 3 black/white checkerboard: white where (y // cell + x // cell) is odd.

    The top-left square is black.
    """
    return np.repeat(images.checkerboard(height, width, cell, first=0.0, second=1.0), 3, axis=2)


def background_image(name: str, height: int, width: int) -> np.ndarray:
    """The named background of :data:`BACKGROUNDS` as an array broadcastable to H x W x 3."""
    if name not in BACKGROUNDS:
        raise ValueError(f"unknown background {name!r}; known: {', '.join(BACKGROUNDS)}")
    colour = BACKGROUNDS[name]
    if colour is None:
        return checkerboard(height, width)
    return np.asarray(colour, dtype=np.float32)


# --------------------------------------------------------------------------------------------
# alpha metrics


def alpha_mae(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> float:
    """Mean absolute alpha error in 8-bit levels: 255 * mean(|a_p - a_t|)."""
    pred, true = _check_pair(pred_rgba, true_rgba)
    return float(np.mean(np.abs(pred[..., 3] - true[..., 3])) * LEVELS)


def alpha_rmse(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> float:
    """Root-mean-square alpha error in 8-bit levels: 255 * sqrt(mean((a_p - a_t)^2))."""
    pred, true = _check_pair(pred_rgba, true_rgba)
    return float(np.sqrt(np.mean((pred[..., 3] - true[..., 3]) ** 2)) * LEVELS)


def edge_band(true_alpha: np.ndarray, dilation_px: int = EDGE_DILATION_PX) -> np.ndarray:
    """Boolean mask of pixels within ``dilation_px`` (Euclidean) of a soft true-alpha pixel.

    Soft means 0 < a_t < 1 strictly: anti-aliased edges and genuinely translucent areas.
    The dilation (a disk of radius ``dilation_px``) also catches predicted edges that sit a
    pixel or two away from the true one.
    """
    soft = (true_alpha > 0.0) & (true_alpha < 1.0)
    if dilation_px <= 0:
        return soft
    r = dilation_px
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    disk = (yy * yy + xx * xx) <= r * r
    return ndimage.binary_dilation(soft, structure=disk)


def edge_alpha_mae(pred_rgba: np.ndarray, true_rgba: np.ndarray, dilation_px: int = EDGE_DILATION_PX) -> float:
    """Alpha MAE in levels restricted to :func:`edge_band` of the true alpha.

    255 * mean over the band of |a_p - a_t|; NaN when the truth has no soft pixel at all
    (a hard-edged or empty glyph has no edge band to score).
    """
    pred, true = _check_pair(pred_rgba, true_rgba)
    band = edge_band(true[..., 3], dilation_px)
    if not band.any():
        return float("nan")
    return float(np.mean(np.abs(pred[..., 3][band] - true[..., 3][band])) * LEVELS)


def sobel_magnitude(alpha: np.ndarray) -> np.ndarray:
    """Gradient magnitude of a 2-D array with the Sobel operator, in units per pixel.

    g_x = sobel_x / 8, g_y = sobel_y / 8, |g| = sqrt(g_x^2 + g_y^2). The 3x3 Sobel kernel
    [1 2 1]^T [-1 0 1] sums to 8 times the slope of a linear ramp, hence the 1/8, so a ramp
    rising by s per pixel has magnitude s. Borders replicate the edge pixel ("nearest").
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    gx = ndimage.sobel(alpha, axis=1, mode="nearest") / 8.0
    gy = ndimage.sobel(alpha, axis=0, mode="nearest") / 8.0
    return np.hypot(gx, gy)


def alpha_gradient_error(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> float:
    """Mean absolute difference of alpha gradient magnitudes, in levels per pixel.

    255 * mean(| |grad a_p| - |grad a_t| |) with :func:`sobel_magnitude`. Blurry edges
    (too-low gradients) and ringing or noise (spurious gradients) both raise it, while a
    constant alpha offset does not.
    """
    pred, true = _check_pair(pred_rgba, true_rgba)
    diff = sobel_magnitude(pred[..., 3]) - sobel_magnitude(true[..., 3])
    return float(np.mean(np.abs(diff)) * LEVELS)


def fringe(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> float:
    """Mean predicted alpha where the true alpha is exactly 0, in levels.

    255 * mean_{a_t = 0}(a_p): the haze or halo a prediction leaves in areas that must be
    fully transparent. NaN when the truth has no transparent pixel.
    """
    pred, true = _check_pair(pred_rgba, true_rgba)
    clear = true[..., 3] == 0.0
    if not clear.any():
        return float("nan")
    return float(np.mean(pred[..., 3][clear]) * LEVELS)


# --------------------------------------------------------------------------------------------
# colour metrics


def premultiplied_psnr(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> float:
    """PSNR (dB, peak 1) of premultiplied RGB: 10 log10(1 / mean(dP^2)) over pixels and channels."""
    pred, true = _check_pair(pred_rgba, true_rgba)
    return psnr_from_mse(float(np.mean((pred[..., :3] - true[..., :3]) ** 2)))


def composite_psnrs(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> dict[str, float]:
    """PSNR of the prediction flattened over each background of :data:`BACKGROUNDS`.

    Over background bg both images show C = P + (1 - a) bg, so the displayed error is
    dC = dP - dA * bg; PSNR = 10 log10(1 / mean(dC^2)) over pixels and RGB channels.
    """
    pred, true = _check_pair(pred_rgba, true_rgba)
    height, width = pred.shape[:2]
    out: dict[str, float] = {}
    for name in BACKGROUNDS:
        bg = background_image(name, height, width).astype(np.float64)
        diff = composite_over(pred, bg) - composite_over(true, bg)
        out[name] = psnr_from_mse(float(np.mean(diff**2)))
    return out


def any_background_error(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> np.ndarray:
    """Worst composite error over every background, per pixel and channel (H x W x 3).

    The composite error dC(bg) = dP - dA * bg is linear in the background level bg, so on
    bg in [0, 1] its absolute value peaks at an end point: max(|dP|, |dP - dA|) (bg = 0 and
    bg = 1). This holds independently for every pixel and channel, so it bounds the error
    over any background image whatsoever, not just uniform ones.
    """
    pred, true = _check_pair(pred_rgba, true_rgba)
    d_p = pred[..., :3] - true[..., :3]
    d_a = pred[..., 3:4] - true[..., 3:4]
    return np.maximum(np.abs(d_p), np.abs(d_p - d_a))


def any_background_psnr(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> float:
    """PSNR of :func:`any_background_error`: 10 log10(1 / mean(max(|dP|, |dP - dA|)^2)).

    Since every composite error is bounded pixel-wise by that map, this is a lower bound on
    the composite PSNR over *any* background image with values in [0, 1].
    """
    err = any_background_error(pred_rgba, true_rgba)
    return psnr_from_mse(float(np.mean(err**2)))


# --------------------------------------------------------------------------------------------


def evaluate(pred_rgba: np.ndarray, true_rgba: np.ndarray) -> dict[str, float]:
    """All metrics for one prediction; keys and units:

    * ``alpha_mae``, ``alpha_rmse``, ``edge_alpha_mae``, ``alpha_gradient_error``,
      ``fringe``: 8-bit levels (NaN where the truth lacks the region, see each function).
    * ``psnr_premul``: premultiplied-RGB PSNR, dB.
    * ``composite_psnr_<bg>`` for each of :data:`BACKGROUNDS`, plus ``composite_psnr_worst``
      (minimum) and ``composite_psnr_mean`` (mean of the dB values), dB.
    * ``any_bg_psnr``: worst-case-over-all-backgrounds PSNR, dB (<= every composite PSNR).
    """
    composites = composite_psnrs(pred_rgba, true_rgba)
    result: dict[str, float] = {
        "alpha_mae": alpha_mae(pred_rgba, true_rgba),
        "alpha_rmse": alpha_rmse(pred_rgba, true_rgba),
        "edge_alpha_mae": edge_alpha_mae(pred_rgba, true_rgba),
        "alpha_gradient_error": alpha_gradient_error(pred_rgba, true_rgba),
        "fringe": fringe(pred_rgba, true_rgba),
        "psnr_premul": premultiplied_psnr(pred_rgba, true_rgba),
        "any_bg_psnr": any_background_psnr(pred_rgba, true_rgba),
        "composite_psnr_worst": min(composites.values()),
        "composite_psnr_mean": float(np.mean(list(composites.values()))),
    }
    for name, value in composites.items():
        result[f"composite_psnr_{name}"] = value
    return result
