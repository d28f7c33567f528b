"""Consistency with the input: back-projection of the enlarged RGBA onto the input glyph.

The input is (up to 8-bit rounding) the exact area average of the true enlarged glyph, in
premultiplied space. With D the area-downsampling operator (separable box matrices A_y, A_x,
D(X) = A_y X A_x^T), a consistent result satisfies D(X) = x. Iterative back-projection
(Irani & Peleg 1991) adds the upsampled residual:

    X <- X + M * U( (x - D(X)) / D(M) )

where M masks the pixels allowed to change (the edge band for alpha; every non-transparent
pixel for colour) and dividing by D(M) spreads each input pixel's residual over the part of
its footprint that may change. With the box kernel U = (H/h)(W/w) A_y^T R A_x (the adjoint,
scaled) and whole-number scale factors one step makes D(X) = x exactly; the bilinear kernel
spreads residuals smoothly and needs a few iterations. Afterwards the constraints
0 <= a <= 1, 0 <= P <= a are restored. D, U and the Gaussian are :mod:`emoji_alpha.resample`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from emoji_alpha.resample import AreaOperator, GaussianBlur, as_tensor

WEIGHTINGS = ("uniform", "soft")
#: Weight floor of the soft weighting: small, so confident pixels barely move (0.005 beat
#: 0.02 and 0.1 on the quality benchmark), but non-zero so every block can still be fixed.
SOFT_FLOOR = 0.005
#: The uncertainty map is smoothed by a Gaussian of this many pixels first. Unsmoothed weights
#: score best on edge alpha MAE (4.05 vs 4.36 levels on 30 glyphs at 64 -> 256) but pile
#: corrections onto single pixels and leave visible dots along edges, at the input's pixel
#: period; sigma 1 removes them and still beats uniform weights (4.57).
SOFT_SIGMA = 1.0


@dataclass(frozen=True)
class Consistency:
    """Mean and largest absolute differences between the area-downsampled enlargement and
    the input (premultiplied), in 8-bit levels."""

    alpha_mae: float
    alpha_max: float
    colour_mae: float
    colour_max: float


def consistency_error(premul_hr: np.ndarray, premul_lr: np.ndarray, device: str = "cpu",
                      backend: str = "auto") -> Consistency:
    """How well the enlargement reproduces the input when area-downsampled (premultiplied),
    in float64; ``backend`` as for :func:`back_project`."""
    op = AreaOperator(premul_hr.shape[:2], premul_lr.shape[:2], device=device)
    if _kernels_for(backend, device, premul_hr.shape[:2]):
        down = _CpuResampler(op, np.float64).down(np.ascontiguousarray(premul_hr, np.float64))
        diff = np.abs(down - np.asarray(premul_lr, np.float64)) * 255.0
    else:
        diff = (op.down(premul_hr) - as_tensor(premul_lr, torch.float64, device)).abs_().mul_(255.0)
    return Consistency(alpha_mae=float(diff[..., 3].mean()), alpha_max=float(diff[..., 3].max()),
                       colour_mae=float(diff[..., :3].mean()), colour_max=float(diff[..., :3].max()))


def _kernels_for(backend: str, device, size: tuple[int, int]) -> bool:
    """Whether the numba kernels run: on a CPU when ``backend`` is numba, or ``auto`` resolves
    to numba for an enlargement of ``size`` (:func:`emoji_alpha.solve.choose_backend`)."""
    from emoji_alpha.solve.exact import choose_backend

    return torch.device(device).type == "cpu" and choose_backend(backend, size[0] * size[1]) == "numba"


def back_project(premul_hr: np.ndarray, premul_lr: np.ndarray, *, alpha_mask: np.ndarray, colour_mask: np.ndarray,
                 iterations: int = 1, kernel: str = "box", weighting: str = "uniform", device: str = "cpu",
                 backend: str = "auto") -> np.ndarray:
    """Back-project ``premul_hr`` (H x W x 4) onto the input ``premul_lr`` (h x w x 4); only
    pixels in ``alpha_mask`` change alpha and only pixels in ``colour_mask`` change colour.

    ``weighting="soft"`` multiplies the alpha mask by w = G_sigma * (a (1 - a)) + SOFT_FLOOR
    (recomputed each iteration; G_sigma a small Gaussian): residuals go mostly where alpha is uncertain (edges, translucent areas) and
    barely move pixels that are confidently transparent or opaque. D(M w U(R / D(M w))) = R
    still holds exactly for the box kernel at whole-number scales. ``backend`` (the solver's
    names): ``numba`` runs numba kernels on the CPU (:func:`_back_project_cpu`), ``torch`` whole-array
    torch operations on ``device`` (always on a GPU), ``auto`` numba for large enlargements."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"unknown weighting {weighting!r}; choose from {WEIGHTINGS}")
    if _kernels_for(backend, device, premul_hr.shape[:2]):
        return _back_project_cpu(premul_hr, premul_lr, alpha_mask=alpha_mask, colour_mask=colour_mask,
                                 iterations=iterations, kernel=kernel, weighting=weighting)
    return _back_project_torch(premul_hr, premul_lr, alpha_mask=alpha_mask, colour_mask=colour_mask,
                               iterations=iterations, kernel=kernel, weighting=weighting, device=device)


def _back_project_torch(premul_hr: np.ndarray, premul_lr: np.ndarray, *, alpha_mask: np.ndarray,
                        colour_mask: np.ndarray, iterations: int, kernel: str, weighting: str,
                        device: str = "cpu") -> np.ndarray:
    """:func:`back_project` with torch: whole-array operations on ``device`` (the GPU's path,
    and the CPU kernels' reference in the tests)."""
    # float32 throughout: residuals are ~1e-3 levels, far above float32 rounding, and the
    # H x W x 4 arrays are the memory and time cost at 2000 x 2000. Torch runs the
    # element-wise passes on all its threads.
    op = AreaOperator(premul_hr.shape[:2], premul_lr.shape[:2], kernel, dtype=np.float32, device=device)
    blur = GaussianBlur(premul_hr.shape[:2], SOFT_SIGMA, device=device) if weighting == "soft" and SOFT_SIGMA else None
    x = as_tensor(premul_hr.astype(np.float32, copy=True), torch.float32, device)
    target = as_tensor(premul_lr, torch.float32, device)
    alpha_base = as_tensor(alpha_mask, torch.float32, device)
    # M per channel (colour mask on R, G, B; the alpha weights on A) and its footprint sums
    # D(M): whole H x W x 4 arrays, so every update is one contiguous operation
    weights = torch.empty_like(x)
    weights[..., :3] = as_tensor(colour_mask, torch.float32, device)[..., None]
    weights[..., 3] = alpha_base
    coverage = op.down(weights)
    for _ in range(iterations):
        if weighting == "soft":
            alpha = x[..., 3]
            uncertainty = alpha * (1.0 - alpha)
            if blur is not None:
                # smoothed, so corrections do not pile onto single pixels along an edge
                uncertainty = blur(uncertainty)
            torch.mul(uncertainty.add_(SOFT_FLOOR), alpha_base, out=weights[..., 3])
            coverage[..., 3] = op.down(weights[..., 3:])[..., 0]
        update = op.up(_share(target - op.down(x), coverage))
        x += update.mul_(weights)
        _enforce_constraints(x)
    return x.cpu().numpy()


class _CpuResampler:
    """An :class:`AreaOperator`'s taps as numpy arrays, applied with the numba kernels: each
    output line is accumulated in cache from its input lines (torch makes a whole-array
    temporary per tap). Same separable order as the operator: down rows first, up columns first."""

    def __init__(self, op: AreaOperator, dtype: type = np.float32) -> None:
        def arrays(taps):
            return (np.ascontiguousarray(taps.index.cpu().numpy(), np.int64),
                    np.ascontiguousarray(taps.weight.cpu().numpy(), dtype))

        self.dtype = dtype
        self.hr_size = (op.up_y.shape[0], op.up_x.shape[0])
        self.lr_size = (op.down_y.shape[0], op.down_x.shape[0])
        self.down_y, self.down_x, self.up_y, self.up_x = (arrays(t) for t in (op.down_y, op.down_x, op.up_y, op.up_x))

    def down(self, image: np.ndarray) -> np.ndarray:
        """D(image): H x W x C -> h x w x C (C-contiguous input of this resampler's dtype)."""
        from emoji_alpha.solve import _backproject_kernels as kernels

        (H, W), (h, w), channels = self.hr_size, self.lr_size, image.shape[2]
        rows = np.empty((h, W, channels), self.dtype)
        kernels.resample_rows(image.reshape(H, W * channels), *self.down_y, rows.reshape(h, W * channels))
        out = np.empty((h, w, channels), self.dtype)
        kernels.resample_columns(rows, *self.down_x, out)
        return out

    def up_columns(self, image: np.ndarray) -> np.ndarray:
        """U's column pass: h x w x C -> h x W x C (the row pass is fused into the update)."""
        from emoji_alpha.solve import _backproject_kernels as kernels

        out = np.empty((image.shape[0], self.hr_size[1], image.shape[2]), self.dtype)
        kernels.resample_columns(np.ascontiguousarray(image, self.dtype), *self.up_x, out)
        return out


def _back_project_cpu(premul_hr: np.ndarray, premul_lr: np.ndarray, *, alpha_mask: np.ndarray,
                      colour_mask: np.ndarray, iterations: int, kernel: str, weighting: str) -> np.ndarray:
    """:func:`back_project` on a CPU, the same steps as :func:`_back_project_torch` in float32:
    per iteration a down pass over the enlargement, the (small) residual shared and upsampled
    along the columns, then one fused pass X += M U_y(...) with the constraints; the soft
    weights are a(1 - a), blurred along rows and columns, plus the floor, times the band."""
    from emoji_alpha.resample import gaussian_kernel, mirrored_indices
    from emoji_alpha.solve import _backproject_kernels as kernels

    (H, W), (h, w) = premul_hr.shape[:2], premul_lr.shape[:2]
    resampler = _CpuResampler(AreaOperator((H, W), (h, w), kernel, dtype=np.float32))
    x = np.array(premul_hr, np.float32, order="C")  # a copy: the caller's array is left alone
    target = np.asarray(premul_lr, np.float32)
    alpha_base = np.ascontiguousarray(alpha_mask, np.float32)
    weights = np.empty_like(x)
    weights[..., :3] = np.asarray(colour_mask, np.float32)[..., None]
    weights[..., 3] = alpha_base
    coverage = resampler.down(weights)
    soft = weighting == "soft"
    if soft and SOFT_SIGMA:
        gaussian = gaussian_kernel(SOFT_SIGMA).astype(np.float32)
        radius = len(gaussian) // 2
        # rows: taps (T x H) for resample_rows; columns: one padded line per row, then the taps
        padded_rows = mirrored_indices(H, radius)
        blur_rows = (np.stack([padded_rows[t:t + H] for t in range(len(gaussian))]).astype(np.int64),
                     np.repeat(gaussian[:, None], H, axis=1))
        blur_columns = (mirrored_indices(W, radius).astype(np.int64), gaussian)
    uncertainty, smoothed = np.empty((H, W), np.float32), np.empty((H, W), np.float32)
    alpha_weights = np.empty((H, W, 1), np.float32)
    for _ in range(iterations):
        if soft:
            kernels.uncertainty(x, uncertainty)
            if SOFT_SIGMA:
                # smoothed, so corrections do not pile onto single pixels along an edge
                kernels.resample_rows(uncertainty, *blur_rows, smoothed)
                kernels.blur_columns(smoothed, *blur_columns, uncertainty)
            kernels.soft_weights(uncertainty, np.float32(SOFT_FLOOR), alpha_base, weights, alpha_weights[..., 0])
            coverage[..., 3] = resampler.down(alpha_weights)[..., 0]
        residual = target - resampler.down(x)
        share = np.where(coverage > 1e-6, residual / np.maximum(coverage, np.float32(1e-6)), np.float32(0.0))
        kernels.update_rows(x.reshape(H, W * 4), resampler.up_columns(share).reshape(h, W * 4), *resampler.up_y,
                            weights.reshape(H, W * 4))
    return x


def _share(residual: torch.Tensor, coverage: torch.Tensor) -> torch.Tensor:
    """residual / coverage, 0 where no pixel of the footprint may change."""
    return torch.where(coverage > 1e-6, residual / coverage.clamp(min=1e-6), 0.0)


def _enforce_constraints(premul: torch.Tensor) -> torch.Tensor:
    alpha = premul[..., 3:4].clamp(0.0, 1.0)
    # colour to [0, a] and alpha to [0, a] = its clip, in one pass over all four channels
    return torch.minimum(premul.clamp_(min=0.0), alpha, out=premul)


def enforce_constraints(premul: np.ndarray) -> np.ndarray:
    """In place: 0 <= a <= 1 and 0 <= P_c <= a."""
    _enforce_constraints(torch.from_numpy(premul))
    return premul
