"""Refinement passes over a solved stack: the uniform-loss and partial-loss passes.

With the mean residual per channel r_c = mean_k (S_kc - P_c - (1 - a) b_k):

- **uniform loss** (pass 1, 3, 5, ...): a residual equal on R, G and B cannot come from a
  colour error of a coloured pixel; since the backgrounds are grey, it is an alpha error.
  For pixels whose residual spread max_c r_c - min_c r_c is within ``tolerance`` while its
  size is not, alpha is re-solved exactly with the colour fixed.
- **partial loss** (pass 2, 4, ...): a residual like (11, 12, 13) levels is split into its
  common part m, the sign-aware minimum (the entry of smallest magnitude when all three
  share a sign, else 0), which is an alpha error, and the rest r_c - m, a colour error. The
  colour takes the rest (P_c += r_c - m, clipped) and alpha is then re-solved exactly.

Either pass changes a pixel only if its loss L strictly decreases, so no pass increases L.
After an exact solve (the global minimiser of L) both change nothing; they matter after
steps that move away from it, such as back-projection onto the input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emoji_alpha.solve import recompositing_loss, residuals, solve_alpha_given_colour, sufficient_stats

#: Residuals within this many 8-bit levels count as equal (uniform) or as zero.
DEFAULT_TOLERANCE = 0.5 / 255.0


@dataclass
class PassReport:
    name: str
    loss_before: float
    loss_after: float
    changed: int
    mask: np.ndarray  # pixels changed (for --debug-dir)


def pass_name(index: int) -> str:
    """Pass ``index`` (0-based): uniform, partial, uniform, ..."""
    return "uniform" if index % 2 == 0 else "partial"


def run_passes(stack: np.ndarray, backgrounds: np.ndarray, premul: np.ndarray, alpha: np.ndarray, passes: int, *,
               tolerance: float = DEFAULT_TOLERANCE, backend: str = "numba"
               ) -> tuple[np.ndarray, np.ndarray, list[PassReport]]:
    """Apply ``passes`` alternating passes to K x N x 3 ``stack``; returns (premul, alpha, reports)."""
    premul, alpha = premul.copy(), alpha.copy()
    stats = sufficient_stats(stack, backgrounds, backend=backend)
    loss = recompositing_loss(stack, backgrounds, premul, alpha, backend=backend)
    reports = []
    for index in range(passes):
        name = pass_name(index)
        resid = residuals(stack, backgrounds, premul, alpha, backend=backend)
        if name == "uniform":
            candidate_p = premul
            spread = resid.max(axis=-1) - resid.min(axis=-1)
            pick = (spread <= tolerance) & (np.abs(resid.mean(axis=-1)) > tolerance)
        else:
            common = sign_aware_min(resid)
            pick = np.abs(common) > tolerance
            candidate_p = np.clip(premul + (resid - common[..., None]), 0.0, 1.0).astype(np.float32)
        candidate_a = solve_alpha_given_colour(stats, candidate_p)
        candidate_p = np.minimum(candidate_p, candidate_a[..., None])
        new_loss = recompositing_loss(stack, backgrounds, candidate_p, candidate_a, backend=backend)
        accept = pick & (new_loss < loss)
        before = float(loss.sum())
        premul[accept] = candidate_p[accept]
        alpha[accept] = candidate_a[accept]
        loss = np.where(accept, new_loss, loss)
        reports.append(PassReport(name, before, float(loss.sum()), int(accept.sum()), accept))
    return premul, alpha, reports


def sign_aware_min(resid: np.ndarray) -> np.ndarray:
    """Common part of a residual triple: the entry of smallest magnitude when all entries share
    a sign, else 0. (11, 12, 13) -> 11; (-3, -5, -4) -> -3; (2, -1, 4) -> 0."""
    positive = (resid > 0).all(axis=-1)
    negative = (resid < 0).all(axis=-1)
    return np.where(positive, resid.min(axis=-1), np.where(negative, resid.max(axis=-1), 0.0)).astype(np.float32)
