"""Resampling: exact area resizing, the separable operators against their dense matrices, the Gaussian."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from emoji_alpha.resample import AreaOperator, GaussianBlur, area_resize, area_weights, linear_weights


def test_area_resize_is_block_mean_and_preserves_mass():
    rng = np.random.default_rng(1)
    image = rng.random((8, 12, 4))
    small = area_resize(image, (2, 3))
    np.testing.assert_allclose(small[1, 2], image[4:8, 8:12].mean(axis=(0, 1)), atol=1e-6)
    odd = area_resize(image, (5, 7))  # non-integer ratio: the mean is still preserved
    np.testing.assert_allclose(odd.mean(axis=(0, 1)), image.mean(axis=(0, 1)), atol=1e-6)


def dense(rows: np.ndarray, cols: np.ndarray, image: np.ndarray) -> np.ndarray:
    return np.einsum("ij,jkc,lk->ilc", rows, image, cols)


@pytest.mark.parametrize("hr, lr", [((37, 50), (10, 12)), ((64, 64), (16, 16)), ((25, 31), (25, 31))])
@pytest.mark.parametrize("kernel", ["box", "bilinear"])
def test_operator_matches_its_dense_matrices(hr, lr, kernel):
    rng = np.random.default_rng(1)
    big, small = rng.random((*hr, 3)), rng.random((*lr, 2))
    op = AreaOperator(hr, lr, kernel)
    down_y, down_x = area_weights(hr[0], lr[0]), area_weights(hr[1], lr[1])
    if kernel == "box":
        up_y, up_x = down_y.T * (hr[0] / lr[0]), down_x.T * (hr[1] / lr[1])
    else:
        up_y, up_x = linear_weights(lr[0], hr[0]), linear_weights(lr[1], hr[1])
    np.testing.assert_allclose(op.down(big).numpy(), dense(down_y, down_x, big), atol=1e-12)
    np.testing.assert_allclose(op.up(small).numpy(), dense(up_y, up_x, small), atol=1e-12)


@pytest.mark.parametrize("shape", [(3, 5), (9, 9), (40, 23)])
def test_gaussian_blur_matches_scipy(shape):
    image = np.random.default_rng(2).random(shape).astype(np.float32)
    import torch

    ours = GaussianBlur(shape, 1.0)(torch.from_numpy(image)).numpy()
    np.testing.assert_allclose(ours, gaussian_filter(image, 1.0), atol=1e-6)


def test_import_loads_no_torch():
    code = "import sys, emoji_alpha.resample; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
