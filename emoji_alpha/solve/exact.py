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

from typing import Any, NamedTuple

import numpy as np

BACKENDS = ("numba", "torch")
#: ``backend="auto"`` (the pipeline's default) takes numba only for large problems: numba's
#: one-off start in a process (import and LLVM set-up, ~0.8 s on 2 cores) costs more than the
#: whole torch solve (~0.45 us per pixel, float64, 2 threads; numba ~0.06 us once started)
#: below about this many pixels. Both give the same result (tests/test_solve_exact.py).
AUTO_NUMBA_PIXELS = 2_000_000


class SufficientStats(NamedTuple):
    """Per-pixel sufficient statistics of the loss (arrays are ``(N, 3)`` float64, numpy for the
    numba backend, torch tensors for the torch backend)."""

    count: int  # K
    b_sum: float  # sum_k b_k
    b_sq_sum: float  # sum_k b_k^2
    s_sum: Any  # sum_k S_kc
    s_sq_sum: Any  # sum_k S_kc^2
    sb_sum: Any  # sum_k S_kc b_k
    spatial_shape: tuple


# --------------------------------------------------------------------------- validation


def _is_tensor(x) -> bool:
    return type(x).__module__.startswith("torch")


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")


def choose_backend(backend: str, pixels: int, *, numba_started: bool = False) -> str:
    """``backend`` itself; for ``"auto"`` numba when the problem has at least
    :data:`AUTO_NUMBA_PIXELS` pixels or the caller says numba has already run for this job
    (``numba_started``: its start-up is paid), torch otherwise. A function of its arguments
    alone: what else the process has run does not change it."""
    if backend != "auto":
        _check_backend(backend)
        return backend
    return "numba" if numba_started or pixels >= AUTO_NUMBA_PIXELS else "torch"


def _prepare_stack(stack) -> tuple[np.ndarray, tuple]:
    """Return a C-contiguous float32 ``(K, N, 3)`` view/copy and the spatial shape."""
    if _is_tensor(stack):
        stack = stack.detach().cpu().numpy()
    stack = np.asarray(stack)
    if stack.ndim < 3 or stack.shape[-1] != 3 or stack.shape[0] < 1:
        raise ValueError(f"stack must have shape (K, *spatial, 3) with K >= 1, got {stack.shape}")
    if not np.issubdtype(stack.dtype, np.floating):
        raise ValueError(f"stack must be floating point, got {stack.dtype}")
    spatial = tuple(stack.shape[1:-1])
    flat = np.ascontiguousarray(stack.reshape(stack.shape[0], -1, 3), dtype=np.float32)
    return flat, spatial


def _prepare_backgrounds(backgrounds, count: int) -> np.ndarray:
    b = np.asarray(backgrounds, dtype=np.float64).reshape(-1)
    if b.shape[0] != count:
        raise ValueError(f"need one background per composite: {count} composites, {b.shape[0]} backgrounds")
    if not np.all(np.isfinite(b)) or b.min() < 0.0 or b.max() > 1.0:
        raise ValueError(f"backgrounds must be grey levels in [0, 1], got {b.tolist()}")
    return np.ascontiguousarray(b)


def _prepare_pixels(x, spatial: tuple, channels: bool, name: str, dtype=np.float32) -> np.ndarray:
    """Flatten ``x`` (``(*spatial, 3)``, ``(N, 3)``, ``spatial`` or ``(N,)``) to ``(N, 3)``/``(N,)``."""
    if _is_tensor(x):
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    n = int(np.prod(spatial, dtype=np.int64))
    want = (n, 3) if channels else (n,)
    if x.size != int(np.prod(want)):
        raise ValueError(f"{name} has shape {x.shape}, expected {spatial + ((3,) if channels else ())}")
    x = np.ascontiguousarray(x.reshape(want), dtype=dtype)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinity")
    return x


def _prepare_prior(alpha_prior, spatial: tuple) -> np.ndarray:
    n = int(np.prod(spatial, dtype=np.int64))
    if alpha_prior is None:
        return np.ones(n, dtype=np.float64)
    if _is_tensor(alpha_prior):
        alpha_prior = alpha_prior.detach().cpu().numpy()
    prior = np.asarray(alpha_prior, dtype=np.float64)
    if prior.ndim == 0:
        prior = np.full(n, float(prior))
    else:
        prior = np.ascontiguousarray(np.broadcast_to(prior, spatial).reshape(n))
    if not np.all(np.isfinite(prior)):
        raise ValueError("alpha_prior contains NaN or infinity")
    return prior


def _raise_if_bad(bad: int) -> None:
    if bad:
        raise ValueError(f"stack contains NaN or infinity ({bad} pixels)")


def _torch_module():
    from emoji_alpha.solve import torch_backend

    return torch_backend


def _to_numpy(x) -> np.ndarray:
    return x.detach().cpu().numpy() if _is_tensor(x) else np.asarray(x)


# --------------------------------------------------------------------------- public API


def solve_exact(stack, backgrounds, *, alpha_prior=None, backend: str = "numba",
                device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Exact minimiser of ``L(P, a)`` for every pixel.

    Args:
        stack: ``(K, *spatial, 3)`` observations ``S_kc`` (float32 preferred), any finite values.
        backgrounds: ``K`` grey levels ``b_k`` in ``[0, 1]``.
        alpha_prior: used only when all backgrounds are equal (alpha not identifiable): the
            returned alpha is the minimiser closest to it; ``None`` means 1.  Scalar or
            broadcastable to ``spatial``.
        backend: ``"numba"`` (CPU) or ``"torch"``.
        device: torch device for the torch backend (ignored by numba).

    Returns:
        ``(premul, alpha)``: float32 arrays of shapes ``(*spatial, 3)`` and ``spatial`` with
        ``0 <= alpha <= 1`` and ``0 <= premul <= alpha``.
    """
    _check_backend(backend)
    if backend == "torch":
        tk = _torch_module()
        p, a = tk.solve_exact(tk.as_tensor(stack, device), backgrounds, alpha_prior=alpha_prior)
        return _to_numpy(p), _to_numpy(a)
    from emoji_alpha.solve import _numba_kernels as nk

    flat, spatial = _prepare_stack(stack)
    b = _prepare_backgrounds(backgrounds, flat.shape[0])
    n = flat.shape[1]
    out_p = np.empty((n, 3), dtype=np.float32)
    out_a = np.empty(n, dtype=np.float32)
    if np.all(b == b[0]):
        bad = nk.solve_equal_bg_kernel(flat, float(b[0]), _prepare_prior(alpha_prior, spatial), out_p, out_a)
    else:
        bad = nk.solve_exact_kernel(flat, b, out_p, out_a)
    _raise_if_bad(bad)
    return out_p.reshape(spatial + (3,)), out_a.reshape(spatial)


def sufficient_stats(stack, backgrounds, *, backend: str = "numba", device: str = "cpu") -> SufficientStats:
    """Per-pixel sums ``sum_k S_kc``, ``sum_k S_kc^2``, ``sum_k S_kc b_k`` plus ``K``,
    ``sum_k b_k``, ``sum_k b_k^2``: everything the loss and the sub-solvers need."""
    _check_backend(backend)
    if backend == "torch":
        tk = _torch_module()
        return tk.sufficient_stats(tk.as_tensor(stack, device), backgrounds)
    from emoji_alpha.solve import _numba_kernels as nk

    flat, spatial = _prepare_stack(stack)
    if not np.all(np.isfinite(flat)):
        raise ValueError("stack contains NaN or infinity")
    b = _prepare_backgrounds(backgrounds, flat.shape[0])
    n = flat.shape[1]
    s1 = np.empty((n, 3))
    s2 = np.empty((n, 3))
    sb = np.empty((n, 3))
    nk.stats_kernel(flat, b, s1, s2, sb)
    return SufficientStats(int(flat.shape[0]), float(b.sum()), float(np.dot(b, b)), s1, s2, sb, spatial)


def solve_alpha_given_colour(stats: SufficientStats, premul, *, alpha_prior=None) -> np.ndarray:
    """Minimise ``L`` over alpha alone with ``P`` fixed.

    ``L`` is a 1-D quadratic in ``u = 1 - a`` with minimiser
    ``u* = sum_c (sum_k S_kc b_k - P_c sum_k b_k) / (3 sum_k b_k^2)``; the result is
    ``clip(1 - u*, max(0, max_c P_c), 1)``.  When every ``b_k = 0`` ``L`` does not depend on
    alpha and the feasible alpha closest to ``alpha_prior`` (default 1) is returned.
    ``premul`` must lie in ``[0, 1]``.  Returns float32 alpha of shape ``spatial``; it never
    increases ``L`` compared with any feasible input alpha.
    """
    if _is_tensor(stats.s_sum):
        tk = _torch_module()
        return _to_numpy(tk.solve_alpha_given_colour(stats, premul, alpha_prior=alpha_prior))
    from emoji_alpha.solve import _numba_kernels as nk

    spatial = stats.spatial_shape
    p = _prepare_pixels(premul, spatial, True, "premul")
    if p.size and (p.min() < 0.0 or p.max() > 1.0):
        raise ValueError("premul must lie in [0, 1]")
    out = np.empty(p.shape[0], dtype=np.float32)
    nk.alpha_given_colour_kernel(stats.s_sum, stats.sb_sum, stats.b_sum, stats.b_sq_sum, p,
                                 _prepare_prior(alpha_prior, spatial), out)
    return out.reshape(spatial)


def solve_colour_given_alpha(stats: SufficientStats, alpha) -> np.ndarray:
    """Minimise ``L`` over ``P`` with alpha fixed (clipped to ``[0, 1]``):
    ``P_c = clip(mean_k S_kc - (1 - a) mean_k b_k, 0, a)``.  Returns float32 ``(*spatial, 3)``
    with ``0 <= P_c <= a`` holding on the float32 values."""
    if _is_tensor(stats.s_sum):
        tk = _torch_module()
        return _to_numpy(tk.solve_colour_given_alpha(stats, alpha))
    from emoji_alpha.solve import _numba_kernels as nk

    spatial = stats.spatial_shape
    a = _prepare_pixels(alpha, spatial, False, "alpha")
    out = np.empty((a.shape[0], 3), dtype=np.float32)
    nk.colour_given_alpha_kernel(stats.s_sum, float(stats.count), stats.b_sum, a, out)
    return out.reshape(spatial + (3,))


def _loss_and_residuals(stack, backgrounds, premul, alpha, backend, device):
    _check_backend(backend)
    if backend == "torch":
        tk = _torch_module()
        loss, resid = tk.loss_and_residuals(tk.as_tensor(stack, device), backgrounds, premul, alpha)
        return _to_numpy(loss), _to_numpy(resid)
    from emoji_alpha.solve import _numba_kernels as nk

    flat, spatial = _prepare_stack(stack)
    b = _prepare_backgrounds(backgrounds, flat.shape[0])
    p = _prepare_pixels(premul, spatial, True, "premul")
    a = _prepare_pixels(alpha, spatial, False, "alpha")
    n = flat.shape[1]
    loss = np.empty(n, dtype=np.float32)
    resid = np.empty((n, 3), dtype=np.float32)
    nk.loss_kernel(flat, b, p, a, loss, resid)
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
