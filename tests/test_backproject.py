"""Back-projection onto the input: exact consistency, masks, constraints."""

from __future__ import annotations

import numpy as np
import pytest

from emoji_alpha.resample import area_resize
from emoji_alpha.solve.backproject import back_project, consistency_error, enforce_constraints


@pytest.mark.parametrize("weighting", ["uniform", "soft"])
def test_box_back_projection_reproduces_the_input_at_whole_scales(weighting):
    """One box step makes D(X) = x exactly when no constraint binds (mid-range values)."""
    rng = np.random.default_rng(3)
    lr = np.empty((8, 8, 4), np.float32)
    lr[..., 3] = rng.uniform(0.4, 0.8, (8, 8))
    lr[..., :3] = lr[..., 3:] * rng.uniform(0.3, 0.7, (8, 8, 3))
    guess = np.repeat(np.repeat(lr, 4, 0), 4, 1) + rng.normal(0, 0.01, (32, 32, 4)).astype(np.float32)
    everywhere = np.ones((32, 32), bool)
    before = consistency_error(guess, lr)
    out = back_project(guess, lr, alpha_mask=everywhere, colour_mask=everywhere, kernel="box", weighting=weighting)
    after = consistency_error(out, lr)
    assert before.alpha_max > 0.5 and before.colour_max > 0.5
    assert after.alpha_max < 1e-3 and after.colour_max < 1e-3
    np.testing.assert_allclose(area_resize(out, (8, 8)), lr, atol=1e-5)


def test_back_projection_leaves_masked_pixels_alone():
    rng = np.random.default_rng(4)
    lr = rng.uniform(0.2, 0.6, (6, 6, 4)).astype(np.float32)
    enforce_constraints(lr)
    guess = np.clip(np.repeat(np.repeat(lr, 3, 0), 3, 1) + rng.normal(0, 0.05, (18, 18, 4)), 0, 1).astype(np.float32)
    enforce_constraints(guess)
    alpha_mask = np.zeros((18, 18), bool)
    alpha_mask[:9] = True
    colour_mask = np.zeros((18, 18), bool)
    colour_mask[:, :9] = True
    out = back_project(guess, lr, alpha_mask=alpha_mask, colour_mask=colour_mask, iterations=3, kernel="bilinear",
                       weighting="soft")
    np.testing.assert_array_equal(out[9:, :, 3], guess[9:, :, 3])
    # colour outside its mask moves only where alpha moved under it (clipped to P <= a)
    np.testing.assert_array_equal(out[9:, 9:], guess[9:, 9:])
    assert not np.array_equal(out[:9, :, 3], guess[:9, :, 3])
    assert not np.array_equal(out[9:, :9, :3], guess[9:, :9, :3])


def test_enforce_constraints_in_place():
    premul = np.array([[[0.5, -0.1, 0.9, 0.6], [0.2, 0.2, 0.2, 1.3], [0.1, 0.3, 0.0, -0.2]]], np.float32)
    out = enforce_constraints(premul)
    assert out is premul
    np.testing.assert_allclose(premul, [[[0.5, 0.0, 0.6, 0.6], [0.2, 0.2, 0.2, 1.0], [0.0, 0.0, 0.0, 0.0]]])


@pytest.mark.parametrize("kernel", ["box", "bilinear"])
@pytest.mark.parametrize("weighting", ["uniform", "soft"])
@pytest.mark.parametrize("hr, lr", [((50, 37), (8, 6)), ((64, 64), (16, 16))])
def test_cpu_kernels_match_the_torch_path(kernel, weighting, hr, lr):
    """The CPU's numba kernels and the torch path (the GPU's) take the same steps: same result
    to float32 rounding, at whole and fractional scales, with masks and binding constraints."""
    from emoji_alpha.solve.backproject import _back_project_cpu, _back_project_torch

    rng = np.random.default_rng(7)
    small = rng.uniform(0.0, 1.0, (*lr, 4)).astype(np.float32)
    small[: lr[0] // 3, :, 3] = 0.0  # a transparent strip
    enforce_constraints(small)
    guess = np.clip(rng.uniform(-0.1, 1.1, (*hr, 4)), 0, 1).astype(np.float32)
    enforce_constraints(guess)
    alpha_mask = rng.uniform(size=hr) > 0.3
    colour_mask = rng.uniform(size=hr) > 0.2
    kw = dict(alpha_mask=alpha_mask, colour_mask=colour_mask, iterations=4, kernel=kernel, weighting=weighting)
    before = guess.copy()
    cpu = _back_project_cpu(guess, small, **kw)
    np.testing.assert_array_equal(guess, before)  # the input is left alone
    reference = _back_project_torch(guess, small, **kw)
    assert cpu.dtype == np.float32 and cpu.shape == (*hr, 4)
    np.testing.assert_allclose(cpu, reference, atol=2e-6, rtol=0)
    assert np.abs(cpu - guess).max() > 1e-3  # it did move something


@pytest.mark.parametrize("hr, lr", [((50, 37), (8, 6)), ((64, 64), (16, 16))])
def test_consistency_error_on_cpu_matches_torch(hr, lr):
    from emoji_alpha.resample import AreaOperator

    rng = np.random.default_rng(8)
    big = rng.uniform(size=(*hr, 4)).astype(np.float32)
    small = rng.uniform(size=(*lr, 4)).astype(np.float32)
    cpu = consistency_error(big, small)
    down = AreaOperator(hr, lr).down(big).numpy()  # torch, float64
    diff = np.abs(down - small.astype(np.float64)) * 255.0
    assert cpu.alpha_mae == pytest.approx(float(diff[..., 3].mean()), rel=1e-12)
    assert cpu.colour_max == pytest.approx(float(diff[..., :3].max()), rel=1e-12)
