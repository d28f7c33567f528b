"""numba kernel of the fast decoder's render function on a CPU (see :mod:`emoji_alpha.liif.lmf_engine`).

One pass per output pixel with everything in registers: torch would run a dozen elementwise
passes over K x n x m intermediates, memory-bound at ~16 floats per operation. The caller
allocates the output; the kernel writes into it.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Pixels per parallel block (scratch vectors are allocated once per block).
BLOCK = 512


@njit(parallel=True, fastmath=True, cache=True)
def render_pixels(table, image_rows, hw_w, pixels, out_w, cell_y, rel_y, cell_x, rel_x,
                  hidden_t, out_t, out_bias, width, result):  # pragma: no cover - compiled
    """result[b, p, :] = the ensemble-mixed colour of output pixel pixels[p] of image b.

    table: cells x L modulations (A | B | c | d | e), image_rows[b]: the first row of image b;
    hw_w: feature columns; cell_*/rel_*: 2 x n_out neighbour cells / relative coordinates of the
    shifts -1 and +1 per output row and column; hidden_t: m x m (R^T); out_t: m x C (O^T)."""
    n = pixels.shape[0]
    batch = image_rows.shape[0]
    channels = out_t.shape[1]
    m = width
    blocks = (n + BLOCK - 1) // BLOCK
    for blk in prange(blocks):
        g1 = np.empty(m, np.float32)
        g2 = np.empty(m, np.float32)
        acc = np.empty(m, np.float32)
        acc_e = np.empty(channels, np.float32)
        areas = np.empty(4, np.float32)
        for p in range(blk * BLOCK, min(n, (blk + 1) * BLOCK)):
            qy = pixels[p] // out_w
            qx = pixels[p] - qy * out_w
            for k in range(4):
                areas[k] = abs(rel_y[k // 2, qy] * rel_x[k % 2, qx]) + 1e-9
            total = areas[0] + areas[1] + areas[2] + areas[3]
            for b in range(batch):
                for i in range(m):
                    acc[i] = 0.0
                for c in range(channels):
                    acc_e[c] = 0.0
                for k in range(4):
                    ky, kx = k // 2, k % 2
                    ry = rel_y[ky, qy]
                    rx = rel_x[kx, qx]
                    weight = areas[3 - k] / total  # the diagonally opposite neighbour's area
                    row = image_rows[b] + cell_y[ky, qy] * hw_w + cell_x[kx, qx]
                    for j in range(m):  # branch-free loops over m vectorise
                        g1[j] = max(table[row, 2 * m + j] + table[row, j] * ry + table[row, m + j] * rx, 0.0)
                    for i in range(m):
                        g2[i] = table[row, 3 * m + i]
                    for j in range(m):
                        gj = g1[j]
                        for i in range(m):
                            g2[i] += gj * hidden_t[j, i]
                    for i in range(m):
                        acc[i] += weight * max(g2[i], 0.0)
                    for c in range(channels):
                        acc_e[c] += weight * table[row, 4 * m + c]
                for c in range(channels):
                    v = out_bias[c] + acc_e[c]
                    for i in range(m):
                        v += acc[i] * out_t[i, c]
                    v = v * 0.5 + 0.5
                    result[b, p, c] = min(max(v, 0.0), 1.0)
