r"""Backgrounds on demand: decode the extra backgrounds only where the others disagree.

Over grey backgrounds two levels already determine :math:`(P, a)` if LIIF's enlargements are
consistent with one another; more levels average LIIF's errors out, and they matter only
where the enlargements disagree. So the edge band is decoded over the *base* levels first
and solved exactly (:func:`emoji_alpha.solve.solve_exact`), and the fit's RMS residual per
equation, in 8-bit levels,

.. math::

    r = 255 \sqrt{L_{base}(P, a) / (3 K_{base})},

says where they disagree. Where :math:`r` exceeds a threshold the *on-demand* levels are
decoded too. Everywhere else their rows of the stack are filled with the fit's own
composites :math:`P + (1 - a) b_j`: that adds zero to the loss at :math:`(P, a)`, which
already minimises the base loss under the constraints, so the completed stack re-solves to
the same :math:`(P, a)` there. The stack stays self-consistent and can be kept and re-solved
(``emoji-alpha solve``) like a fully decoded one.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Callable

import numpy as np

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import composite_over

#: Two backgrounds' levels count as the same when they differ by less than this (8-bit levels
#: parsed from text and float levels in code round differently).
SAME_LEVEL = 0.5 / 255.0


def split_levels(levels, on_demand) -> tuple[list[int], list[int]]:
    """Indices of ``levels`` decoded everywhere (base) and only on demand. ``on_demand``
    levels that are not among ``levels`` are ignored; the base needs two distinct levels."""
    levels = np.asarray(levels, np.float64)
    wanted = np.asarray(list(on_demand), np.float64)
    extra = [k for k, level in enumerate(levels) if wanted.size and np.min(np.abs(wanted - level)) < SAME_LEVEL]
    base = [k for k in range(levels.size) if k not in extra]
    if extra and len({round(float(levels[k]) * 255.0, 3) for k in base}) < 2:
        raise EmojiAlphaError("backgrounds on demand need at least two other distinct background levels")
    return base, extra


def base_fit(base_stack: np.ndarray, base_levels, backend: str = "numba",
             device: str = "cpu") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact fit over the base levels of a ``K_base x N x 3`` stack: (premul N x 3, alpha N,
    RMS residual per equation N, in 8-bit levels)."""
    from emoji_alpha.solve.exact import recompositing_loss, solve_exact

    premul, alpha = solve_exact(base_stack, base_levels, backend=backend, device=device)
    loss = recompositing_loss(base_stack, base_levels, premul, alpha, backend=backend, device=device)
    return premul, alpha, 255.0 * np.sqrt(loss / (3.0 * base_stack.shape[0]))


def complete_on_demand(band_stack: np.ndarray, levels, base: list[int], extra: list[int], threshold: float,
                       decode: Callable[[np.ndarray], np.ndarray], *, backend: str = "numba",
                       device: str = "cpu", timer=None) -> np.ndarray:
    """Fill the on-demand rows ``extra`` of a ``K x N x 3`` band stack in place, given its
    ``base`` rows: ``decode(indices)`` (``len(extra) x n x 3``) where the base fit's residual
    exceeds ``threshold`` levels, the fit's composites elsewhere. Returns the decoded mask.
    ``timer(name)``, if given, times the fit as ``"solve"`` (decoding times itself)."""
    levels = np.asarray(levels, np.float32)
    with timer("solve") if timer else nullcontext():
        premul, alpha, rms = base_fit(band_stack[base], levels[base], backend, device)
    decoded = rms > threshold
    index = np.flatnonzero(decoded)
    if index.size:
        band_stack[np.ix_(extra, index)] = decode(index)
    keep = ~decoded
    band_stack[np.ix_(extra, np.flatnonzero(keep))] = composite_over(premul[keep], levels[extra], alpha=alpha[keep],
                                                                      stacked=True)
    return decoded

