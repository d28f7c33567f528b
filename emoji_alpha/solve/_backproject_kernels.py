"""numba kernels of back-projection on a CPU (see :mod:`emoji_alpha.solve.backproject`).

Each is one pass over its arrays, writing into an array the caller allocated. Resampling
along an axis is T taps per output line (indices and weights, T x n_out, as
:class:`emoji_alpha.resample.Taps` stores them): ``out[i] = sum_t weight[t, i] image[index[t, i]]``.
The torch path makes a temporary per tap and per elementwise step over whole H x W x 4 arrays
(memory-bound at 2000 x 2000); here each output line is accumulated in cache, and the upsampling,
the masked update and the constraints are one pass over the enlargement.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def resample_rows(image, index, weight, out):  # pragma: no cover - compiled
    """Along axis 0 of ``image`` (n_in x L, any trailing layout flattened): out is n_out x L."""
    taps = index.shape[0]
    length = image.shape[1]
    for i in prange(out.shape[0]):
        w = weight[0, i]
        src = index[0, i]
        for x in range(length):
            out[i, x] = image[src, x] * w
        for t in range(1, taps):
            w = weight[t, i]
            src = index[t, i]
            for x in range(length):
                out[i, x] += image[src, x] * w


@njit(parallel=True, cache=True)
def resample_columns(image, index, weight, out):  # pragma: no cover - compiled
    """Along axis 1 of ``image`` (rows x n_in x C): out is rows x n_out x C."""
    taps = index.shape[0]
    channels = image.shape[2]
    for r in prange(image.shape[0]):
        for j in range(out.shape[1]):
            for c in range(channels):
                out[r, j, c] = image[r, index[0, j], c] * weight[0, j]
            for t in range(1, taps):
                w = weight[t, j]
                src = index[t, j]
                for c in range(channels):
                    out[r, j, c] += image[r, src, c] * w


@njit(parallel=True, cache=True)
def update_rows(x, small, index, weight, mask):  # pragma: no cover - compiled
    """In place, per row Y of the enlargement ``x`` (H x W*4, RGBA interleaved): x += mask *
    U_y(small), with ``small`` (h x W*4) already upsampled along the columns; then the
    constraints 0 <= a <= 1 and 0 <= P_c <= a."""
    taps = index.shape[0]
    length = x.shape[1]
    for y in prange(x.shape[0]):
        update = np.empty(length, np.float32)
        w = weight[0, y]
        src = index[0, y]
        for i in range(length):
            update[i] = small[src, i] * w
        for t in range(1, taps):
            w = weight[t, y]
            src = index[t, y]
            for i in range(length):
                update[i] += small[src, i] * w
        for i in range(length):
            x[y, i] += update[i] * mask[y, i]
        for i in range(0, length, 4):
            alpha = min(max(x[y, i + 3], 0.0), 1.0)
            x[y, i] = min(max(x[y, i], 0.0), alpha)
            x[y, i + 1] = min(max(x[y, i + 1], 0.0), alpha)
            x[y, i + 2] = min(max(x[y, i + 2], 0.0), alpha)
            x[y, i + 3] = alpha


@njit(parallel=True, cache=True)
def blur_columns(image, padded, kernel, out):  # pragma: no cover - compiled
    """A 1-D filter along axis 1 of ``image`` (rows x W): each row is gathered once into a
    padded line (``padded``: source column of each of the W + T - 1 samples), then
    out[r, j] = sum_t kernel[t] line[j + t]."""
    taps = kernel.shape[0]
    width = image.shape[1]
    for r in prange(image.shape[0]):
        line = np.empty(padded.shape[0], np.float32)
        for i in range(padded.shape[0]):
            line[i] = image[r, padded[i]]
        k = kernel[0]
        for j in range(width):
            out[r, j] = line[j] * k
        for t in range(1, taps):
            k = kernel[t]
            for j in range(width):
                out[r, j] += line[j + t] * k


@njit(parallel=True, cache=True)
def uncertainty(x, out):  # pragma: no cover - compiled
    """out = a (1 - a) of the enlargement's alpha (H x W)."""
    for y in prange(x.shape[0]):
        for px in range(x.shape[1]):
            a = x[y, px, 3]
            out[y, px] = a * (1.0 - a)


@njit(parallel=True, cache=True)
def soft_weights(smoothed, floor, alpha_base, mask, alpha_weights):  # pragma: no cover - compiled
    """alpha_weights = mask[..., 3] = (smoothed + floor) * alpha_base (the soft weighting)."""
    for y in prange(smoothed.shape[0]):
        for px in range(smoothed.shape[1]):
            value = (smoothed[y, px] + floor) * alpha_base[y, px]
            mask[y, px, 3] = value
            alpha_weights[y, px] = value
