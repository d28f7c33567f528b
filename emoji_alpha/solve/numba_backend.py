"""The exact solver on the CPU with numba: allocates the outputs and runs the private kernels
(:mod:`emoji_alpha.solve._numba_kernels`).

A sibling of :mod:`emoji_alpha.solve.torch_backend`, with the same functions and signatures;
:mod:`emoji_alpha.solve.exact` checks the inputs (:mod:`emoji_alpha.solve.problem`) and calls
one of them. ``device`` is accepted for that common signature and ignored (numba runs on the
CPU). Statistics are float64 numpy arrays; outputs are float32 numpy arrays.
"""

from __future__ import annotations

import numpy as np

from emoji_alpha.solve import _numba_kernels as kernels
from emoji_alpha.solve.problem import SufficientStats


def solve_exact(stack: np.ndarray, backgrounds: np.ndarray, prior: np.ndarray | None, *,
                device: str = "cpu") -> tuple[np.ndarray, np.ndarray, int]:
    """Joint exact solve of a ``(K, N, 3)`` stack: ``(premul (N, 3), alpha (N,), bad)``, where
    ``bad`` counts the pixels with a non-finite observation. ``prior`` (``(N,)``) is given
    exactly when all backgrounds are equal (alpha not identifiable), None otherwise."""
    n = stack.shape[1]
    out_p = np.empty((n, 3), dtype=np.float32)
    out_a = np.empty(n, dtype=np.float32)
    if prior is not None:
        bad = kernels.solve_equal_bg_kernel(stack, float(backgrounds[0]), prior, out_p, out_a)
    else:
        bad = kernels.solve_exact_kernel(stack, backgrounds, out_p, out_a)
    return out_p, out_a, int(bad)


def stack_sums(stack: np.ndarray, backgrounds: np.ndarray, *,
               device: str = "cpu") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-pixel ``sum_k S_kc``, ``sum_k S_kc^2``, ``sum_k S_kc b_k``, each ``(N, 3)`` float64."""
    n = stack.shape[1]
    s1 = np.empty((n, 3))
    s2 = np.empty((n, 3))
    sb = np.empty((n, 3))
    kernels.stats_kernel(stack, backgrounds, s1, s2, sb)
    return s1, s2, sb


def solve_alpha_given_colour(stats: SufficientStats, premul: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Alpha ``(N,)`` minimising the loss with ``premul`` ``(N, 3)`` fixed; ``prior`` where
    every background is 0."""
    out = np.empty(premul.shape[0], dtype=np.float32)
    kernels.alpha_given_colour_kernel(stats.s_sum, stats.sb_sum, stats.b_sum, stats.b_sq_sum, premul, prior, out)
    return out


def solve_colour_given_alpha(stats: SufficientStats, alpha: np.ndarray) -> np.ndarray:
    """Colour ``(N, 3)`` minimising the loss with ``alpha`` ``(N,)`` fixed."""
    out = np.empty((alpha.shape[0], 3), dtype=np.float32)
    kernels.colour_given_alpha_kernel(stats.s_sum, float(stats.count), stats.b_sum, alpha, out)
    return out


def loss_and_residuals(stack: np.ndarray, backgrounds: np.ndarray, premul: np.ndarray, alpha: np.ndarray, *,
                       device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel loss ``(N,)`` and mean residuals ``(N, 3)``."""
    n = stack.shape[1]
    loss = np.empty(n, dtype=np.float32)
    resid = np.empty((n, 3), dtype=np.float32)
    kernels.loss_kernel(stack, backgrounds, premul, alpha, loss, resid)
    return loss, resid
