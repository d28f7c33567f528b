"""Resampling: exact area (box) resizing, the separable area operator and its adjoint, linear
interpolation weights, and a separable Gaussian blur.

Every operator here is separable: a 1-D matrix per axis (``n_out x n_in``, rows summing to 1)
applied along that axis. :func:`area_weights` is the exact box filter (each weight the overlap
of an output cell with an input cell, any ratio); :func:`area_resize` applies it with numpy
(the dataset builders' downsampling); :class:`AreaOperator` applies it, and an upsampling back
(the box adjoint or linear interpolation), with torch on a device, as back-projection
(:mod:`emoji_alpha.solve.backproject`) and the faint tails of the pipeline need. Apply them to
*premultiplied* data: averaging straight colour makes dark fringes.

Importing this module loads numpy only; torch loads when a torch operator is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

#: Upsampling kernels of :class:`AreaOperator`: the box adjoint or bilinear interpolation
#: (the back-projection kernels, ``--bp-kernel``).
KERNELS = ("box", "bilinear")
#: The Gaussian is cut at this many sigmas (scipy.ndimage's default, so results match it).
GAUSSIAN_TRUNCATE = 4.0


def area_weights(n_in: int, n_out: int) -> np.ndarray:
    """Exact box-filter matrix (n_out x n_in): row i averages input cells under output cell i.

    Output cell i spans [i, i+1) * n_in / n_out in input units; each weight is the overlap
    length, rows sum to 1. Works for any ratio, up or down.
    """
    edges = np.arange(n_out + 1, dtype=np.float64) * (n_in / n_out)
    lo, hi = edges[:-1, None], edges[1:, None]
    cells = np.arange(n_in, dtype=np.float64)[None, :]
    overlap = np.clip(np.minimum(hi, cells + 1) - np.maximum(lo, cells), 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def area_resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Exact area (box) resampling of an H x W x C float image to ``size`` = (height, width).

    Apply it to *premultiplied* data: averaging straight colour makes dark fringes.
    """
    height, width = size
    rows = area_weights(image.shape[0], height)
    cols = area_weights(image.shape[1], width)
    out = np.einsum("ij,jkc,lk->ilc", rows, image.astype(np.float64), cols, optimize=True)
    return out.astype(np.float32)


def linear_weights(n_in: int, n_out: int) -> np.ndarray:
    """n_out x n_in bilinear interpolation matrix (pixel centres aligned, edges clamped)."""
    pos = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    lo = np.clip(np.floor(pos).astype(int), 0, n_in - 1)
    hi = np.clip(lo + 1, 0, n_in - 1)
    frac = np.clip(pos - np.floor(pos), 0.0, 1.0)
    frac[pos < 0] = 0.0
    weights = np.zeros((n_out, n_in))
    np.add.at(weights, (np.arange(n_out), lo), 1.0 - frac)
    np.add.at(weights, (np.arange(n_out), hi), frac)
    return weights


class Taps:
    """A sparse n_out x n_in matrix stored as T taps per row (indices and weights, n_out x T;
    unused taps have weight 0). Resampling matrices touch a few neighbouring pixels per row,
    so applying one along an image axis is T row gathers and multiply-adds: O(n_out x T) per
    line, on torch's threads, with no sparse-matrix library."""

    def __init__(self, matrix: np.ndarray, dtype: torch.dtype, device: str | torch.device = "cpu") -> None:
        import torch

        nonzero = matrix != 0
        taps = max(int(nonzero.sum(axis=1).max()), 1)
        # per row: the columns of its non-zeros first (argsort of False before True is stable)
        columns = np.argsort(~nonzero, axis=1, kind="stable")[:, :taps]
        self.index = torch.from_numpy(np.ascontiguousarray(columns.T)).long().to(device)  # T x n_out
        weight = np.ascontiguousarray(np.take_along_axis(matrix, columns, 1).T)
        self.weight = torch.from_numpy(weight).to(device=device, dtype=dtype)
        self.shape = matrix.shape

    def apply(self, image: torch.Tensor, dim: int) -> torch.Tensor:
        """The matrix applied along axis ``dim`` of ``image``."""
        shape = [1] * image.dim()
        shape[dim] = -1
        out = None
        for index, weight in zip(self.index, self.weight):
            term = image.index_select(dim, index).mul_(weight.view(shape))
            out = term if out is None else out.add_(term)
        return out


def as_tensor(image, dtype: torch.dtype, device: str | torch.device = "cpu") -> torch.Tensor:
    """``image`` (numpy or torch) as a tensor of ``dtype`` on ``device``."""
    import torch

    if not isinstance(image, torch.Tensor):
        image = torch.from_numpy(np.ascontiguousarray(image))
    return image.to(device=device, dtype=dtype)


class AreaOperator:
    """Area downsampling D from (H, W) to (h, w) and an upsampling U back, both separable:
    each output pixel touches a few input pixels per axis, so one application costs
    O(H W C). ``down`` and ``up`` take H x W x C arrays (numpy or torch) and return torch
    tensors on ``device``; the row pass runs on the larger image, so the column pass (a
    strided gather) always runs on the smaller one."""

    def __init__(self, hr_size: tuple[int, int], lr_size: tuple[int, int], kernel: str = "box",
                 dtype: type = np.float64, device: str | torch.device = "cpu") -> None:
        import torch

        if kernel not in KERNELS:
            raise ValueError(f"unknown back-projection kernel {kernel!r}; choose from {KERNELS}")
        (H, W), (h, w) = hr_size, lr_size
        down_y, down_x = area_weights(H, h), area_weights(W, w)
        if kernel == "box":
            up_y, up_x = down_y.T * (H / h), down_x.T * (W / w)
        else:
            up_y, up_x = linear_weights(h, H), linear_weights(w, W)
        self.dtype = torch.float64 if np.dtype(dtype) == np.float64 else torch.float32
        self.device = device
        self.down_y, self.down_x, self.up_y, self.up_x = (Taps(m, self.dtype, device)
                                                          for m in (down_y, down_x, up_y, up_x))

    def _apply(self, rows: Taps, cols: Taps, image) -> torch.Tensor:
        image = as_tensor(image, self.dtype, self.device)
        if rows.shape[0] > image.shape[0]:  # enlarging: columns first, on the small image
            return rows.apply(cols.apply(image, 1), 0)
        return cols.apply(rows.apply(image, 0), 1)

    def down(self, image) -> torch.Tensor:
        return self._apply(self.down_y, self.down_x, image)

    def up(self, image) -> torch.Tensor:
        return self._apply(self.up_y, self.up_x, image)


class GaussianBlur:
    """Separable Gaussian blur of an H x W map (scipy.ndimage.gaussian_filter's ``reflect``
    edges and truncation). Each axis is padded once by mirroring (one gather), then the taps
    are shifted views of the padded map: one fused multiply-add per tap, no per-tap copy
    (3x faster than :class:`Taps` at 2000 x 2000, where back-projection blurs every step)."""

    def __init__(self, size: tuple[int, int], sigma: float, device: str | torch.device = "cpu") -> None:
        import torch

        kernel = gaussian_kernel(sigma)
        radius = len(kernel) // 2
        self.kernel = [float(k) for k in kernel]
        self.padded = [torch.from_numpy(mirrored_indices(n, radius)).to(device) for n in size]

    def _axis(self, image: torch.Tensor, dim: int) -> torch.Tensor:
        padded = image.index_select(dim, self.padded[dim])
        n = image.shape[dim]
        out = padded.narrow(dim, 0, n) * self.kernel[0]
        for tap, weight in enumerate(self.kernel[1:], 1):
            out.add_(padded.narrow(dim, tap, n), alpha=weight)
        return out

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        return self._axis(self._axis(image, 0), 1)


def gaussian_kernel(sigma: float) -> np.ndarray:
    """The normalised 1-D Gaussian taps of ``sigma`` pixels, cut at ``GAUSSIAN_TRUNCATE`` sigmas
    (2 r + 1 taps, r = round(4 sigma)), as scipy.ndimage.gaussian_filter builds them."""
    radius = int(GAUSSIAN_TRUNCATE * sigma + 0.5)
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    return kernel / kernel.sum()


def mirrored_indices(n: int, radius: int) -> np.ndarray:
    """Source index of each sample of an axis of ``n`` padded by ``radius`` on both sides, with
    scipy.ndimage's ``reflect`` edges (d c b a | a b c d | d c b a)."""
    source = np.mod(np.arange(-radius, n + radius), 2 * n)  # the mirrored signal repeats every 2n
    return np.where(source >= n, 2 * n - 1 - source, source)
