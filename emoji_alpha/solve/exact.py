r"""Exact per-pixel recovery of premultiplied colour and alpha from flattened composites.

A glyph with premultiplied colour :math:`P \in \mathbb{R}^3` and alpha :math:`a` flattened over
:math:`K` grey backgrounds :math:`b_k \in [0, 1]` (and enlarged) gives observations
:math:`S_{kc}`.  Per pixel we solve the convex QP

.. math::

    \min_{P, a} L(P, a) = \sum_k \sum_c (S_{kc} - P_c - (1 - a) b_k)^2
    \quad\text{s.t.}\quad 0 \le a \le 1,\; 0 \le P_c \le a

exactly (not least squares followed by clipping).

Method.  For fixed :math:`a` the problem separates per channel and each channel is a 1-D convex
quadratic, so :math:`P_c(a) = \mathrm{clip}(\bar S_c - (1 - a)\bar b, 0, a)` (bars are means over
k).  The reduced function :math:`f(a) = \min_P L(P, a)` is convex, :math:`C^1` and piecewise
quadratic; its derivative (envelope theorem, plus :math:`\partial L/\partial P_c` for channels
held at :math:`P_c = a`) is continuous, nondecreasing and linear between the knots
:math:`\{0, 1\}` and, per channel, the two values of :math:`a` where :math:`P_c` reaches 0 or
:math:`a`.  Everything is evaluated in O(1) from the sufficient statistics
:math:`K, \sum b_k, \sum b_k^2, \sum_k S_{kc}, \sum_k S_{kc}^2, \sum_k S_{kc} b_k`.  If
:math:`f'(1) \le 0` then :math:`a = 1`; if :math:`f'(0) \ge 0` then :math:`a = 0`; otherwise the
root is bracketed between the largest knot with :math:`f' < 0` and the smallest knot with
:math:`f' \ge 0` and found by linear interpolation, which is exact there.

Uniqueness and tie-break.  With at least two distinct backgrounds every piece of :math:`f` is
strictly convex (the curvature is :math:`K\,\mathrm{var}(b)`, :math:`\sum b_k^2` or
:math:`\sum (1 - b_k)^2`, all positive), so the minimiser is unique and ``alpha_prior`` is
ignored.  When all backgrounds equal :math:`\beta` (``K = 1`` or repeated levels) alpha is not
identifiable: only :math:`P_c + (1 - a)\beta` is observed, and the minimisers are exactly
:math:`a \in [a_{lo}, 1]` with :math:`P_c = \mathrm{clip}(\bar S_c - (1 - a)\beta, 0, a)`, where
:math:`a_{lo}` is the smallest alpha that can reproduce :math:`\mathrm{clip}(\bar S_c, 0, 1)`.  The
solver then returns the minimiser whose alpha is closest to ``alpha_prior`` (scalar or per pixel);
without a prior it returns :math:`a = 1` (an opaque pixel showing the observed colour).

Arithmetic is float64 inside the kernels; outputs are float32 with the constraints re-imposed
after the cast (``0 <= a <= 1`` and ``0 <= P_c <= a`` hold exactly on the float32 values).
Inputs must be finite (``ValueError`` otherwise), so outputs never contain NaN.

Shapes: ``stack`` is ``(K, *spatial, 3)`` (e.g. ``K x N x 3`` or ``K x H x W x 3``); colour
outputs are ``(*spatial, 3)`` and alpha/loss outputs ``spatial``.
"""

from __future__ import annotations

import importlib

import numpy as np

from emoji_alpha.solve.problem import (SufficientStats, check_finite_stack, prepare_backgrounds, prepare_pixels,
                                       prepare_premul, prepare_prior, prepare_stack)

#: Each backend's module: sibling modules with the same functions and signatures, taking the
#: inputs as :mod:`emoji_alpha.solve.problem` checks and flattens them (imported on first use,
#: so numba or torch loads only then).
BACKEND_MODULES = {"numba": "emoji_alpha.solve.numba_backend", "torch": "emoji_alpha.solve.torch_backend"}
BACKENDS = tuple(BACKEND_MODULES)
#: ``backend="auto"`` (the pipeline's default) takes numba only for large problems: numba's
#: one-off start in a process (import, loading the cached kernels: ~1 s on 2 cores) costs more
#: than it saves below about this many pixels. The pipeline counts the *output* pixels, so
#: one glyph's solve, back-projection and checks all take the same backend (numba from
#: 1000 x 1000 up). Both give the same result to float32 rounding (tests/test_solve_exact.py).
AUTO_NUMBA_PIXELS = 1_000_000


def choose_backend(backend: str, pixels: int, *, numba_started: bool = False) -> str:
    """``backend`` itself; for ``"auto"`` numba when the problem has at least
    :data:`AUTO_NUMBA_PIXELS` pixels or the caller says numba has already run for this job
    (``numba_started``: its start-up is paid), torch otherwise. A function of its arguments
    alone: what else the process has run does not change it."""
    if backend == "auto":
        return "numba" if numba_started or pixels >= AUTO_NUMBA_PIXELS else "torch"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    return backend


def _backend(name: str):
    """The module of a resolved backend name (:func:`choose_backend`)."""
    return importlib.import_module(BACKEND_MODULES[name])


def _raise_if_bad(bad: int) -> None:
    if bad:
        raise ValueError(f"stack contains NaN or infinity ({bad} pixels)")


# --------------------------------------------------------------------------- public API
# Each function checks its inputs (emoji_alpha.solve.problem), resolves the backend and calls
# the backend's function of the same job once; outputs are numpy arrays whatever the backend.


def solve_exact(stack, backgrounds, *, alpha_prior=None, backend: str = "numba",
                device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Exact minimiser of ``L(P, a)`` for every pixel.

    Args:
        stack: ``(K, *spatial, 3)`` observations ``S_kc`` (float32 preferred), any finite values.
        backgrounds: ``K`` grey levels ``b_k`` in ``[0, 1]``.
        alpha_prior: used only when all backgrounds are equal (alpha not identifiable): the
            returned alpha is the minimiser closest to it; ``None`` means 1.  Scalar or
            broadcastable to ``spatial``.
        backend: ``"numba"`` (CPU), ``"torch"`` or ``"auto"`` (:func:`choose_backend`).
        device: torch device for the torch backend (ignored by numba).

    Returns:
        ``(premul, alpha)``: float32 arrays of shapes ``(*spatial, 3)`` and ``spatial`` with
        ``0 <= alpha <= 1`` and ``0 <= premul <= alpha``.
    """
    flat, spatial = prepare_stack(stack)
    name = choose_backend(backend, flat.shape[1])
    b = prepare_backgrounds(backgrounds, flat.shape[0])
    prior = prepare_prior(alpha_prior, spatial) if np.all(b == b[0]) else None
    premul, alpha, bad = _backend(name).solve_exact(flat, b, prior, device=device)
    _raise_if_bad(bad)
    return premul.reshape(spatial + (3,)), alpha.reshape(spatial)


def sufficient_stats(stack, backgrounds, *, backend: str = "numba", device: str = "cpu") -> SufficientStats:
    """Per-pixel sums ``sum_k S_kc``, ``sum_k S_kc^2``, ``sum_k S_kc b_k`` plus ``K``,
    ``sum_k b_k``, ``sum_k b_k^2``: everything the loss and the sub-solvers need. The
    sub-solvers given these statistics run on the same backend."""
    flat, spatial = prepare_stack(stack)
    name = choose_backend(backend, flat.shape[1])
    check_finite_stack(flat)
    b = prepare_backgrounds(backgrounds, flat.shape[0])
    s1, s2, sb = _backend(name).stack_sums(flat, b, device=device)
    return SufficientStats(int(flat.shape[0]), float(b.sum()), float(np.dot(b, b)), s1, s2, sb, spatial, name)


def solve_alpha_given_colour(stats: SufficientStats, premul, *, alpha_prior=None) -> np.ndarray:
    """Minimise ``L`` over alpha alone with ``P`` fixed.

    ``L`` is a 1-D quadratic in ``u = 1 - a`` with minimiser
    ``u* = sum_c (sum_k S_kc b_k - P_c sum_k b_k) / (3 sum_k b_k^2)``; the result is
    ``clip(1 - u*, max(0, max_c P_c), 1)``.  When every ``b_k = 0`` ``L`` does not depend on
    alpha and the feasible alpha closest to ``alpha_prior`` (default 1) is returned.
    ``premul`` must lie in ``[0, 1]``.  Returns float32 alpha of shape ``spatial``; it never
    increases ``L`` compared with any feasible input alpha.
    """
    spatial = stats.spatial_shape
    p = prepare_premul(premul, spatial)
    prior = prepare_prior(alpha_prior, spatial)
    return _backend(stats.backend).solve_alpha_given_colour(stats, p, prior).reshape(spatial)


def solve_colour_given_alpha(stats: SufficientStats, alpha) -> np.ndarray:
    """Minimise ``L`` over ``P`` with alpha fixed (clipped to ``[0, 1]``):
    ``P_c = clip(mean_k S_kc - (1 - a) mean_k b_k, 0, a)``.  Returns float32 ``(*spatial, 3)``
    with ``0 <= P_c <= a`` holding on the float32 values."""
    spatial = stats.spatial_shape
    a = prepare_pixels(alpha, spatial, False, "alpha")
    return _backend(stats.backend).solve_colour_given_alpha(stats, a).reshape(spatial + (3,))


def _loss_and_residuals(stack, backgrounds, premul, alpha, backend, device):
    flat, spatial = prepare_stack(stack)
    name = choose_backend(backend, flat.shape[1])
    b = prepare_backgrounds(backgrounds, flat.shape[0])
    p = prepare_pixels(premul, spatial, True, "premul")
    a = prepare_pixels(alpha, spatial, False, "alpha")
    loss, resid = _backend(name).loss_and_residuals(flat, b, p, a, device=device)
    return loss.reshape(spatial), resid.reshape(spatial + (3,))


def recompositing_loss(stack, backgrounds, premul, alpha, *, backend: str = "numba",
                       device: str = "cpu") -> np.ndarray:
    """Per-pixel ``L = sum_k sum_c (S_kc - P_c - (1 - a) b_k)^2`` (float64 inside, float32 out),
    shape ``spatial``."""
    return _loss_and_residuals(stack, backgrounds, premul, alpha, backend, device)[0]


def residuals(stack, backgrounds, premul, alpha, *, backend: str = "numba",
              device: str = "cpu") -> np.ndarray:
    """Per-pixel mean residual ``r_c = mean_k (S_kc - P_c - (1 - a) b_k)``, float32
    ``(*spatial, 3)``."""
    return _loss_and_residuals(stack, backgrounds, premul, alpha, backend, device)[1]
