"""Private numba kernels for the exact alpha solver (the maths: :mod:`emoji_alpha.solve.exact`; called by
:mod:`emoji_alpha.solve.numba_backend`).

Every kernel works per pixel (``prange`` over pixels) in float64 and writes into arrays the
caller allocated.  Layouts: ``stack`` is ``(K, N, 3)`` float32, ``b`` is ``(K,)`` float64,
per-pixel statistics are ``(N, 3)`` float64, outputs are float32.

Notation (per pixel and channel c, sums over the K backgrounds):
``s1 = sum_k S_kc``, ``s2 = sum_k S_kc^2``, ``sb = sum_k S_kc b_k``,
``b1 = sum_k b_k``, ``b2 = sum_k b_k^2``, ``u = 1 - a``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _clip(x, lo, hi):
    return min(max(x, lo), hi)


@njit(cache=True)
def _dfda(a, kf, b1, b2, s1, sb):
    """Half the derivative of one channel's reduced loss f_c(a) = min_{0<=P<=a} L_c(P, a).

    With P at its optimum, the envelope theorem gives dL/da = 2 (sb - P b1 - u b2); when P sits
    on its upper bound P = a it moves with a, adding dL/dP = -2 (s1 - K a - u b1).  The result is
    continuous in a (dL/dP = 0 where the branches meet), so f is C^1 and f' piecewise linear.
    At a = 0 it is the right derivative.
    """
    u = 1.0 - a
    p = (s1 - u * b1) / kf
    if p <= 0.0:
        return sb - u * b2
    if p >= a:
        return (sb - a * b1 - u * b2) - (s1 - kf * a - u * b1)
    return sb - p * b1 - u * b2


@njit(cache=True)
def _dfda3(a, kf, b1, b2, s10, s11, s12, sb0, sb1, sb2):
    return (_dfda(a, kf, b1, b2, s10, sb0) + _dfda(a, kf, b1, b2, s11, sb1)
            + _dfda(a, kf, b1, b2, s12, sb2))


@njit(cache=True)
def _knot_lower(m, mb):
    """The a where the unclipped colour m - (1 - a) mb crosses 0, clipped to [0, 1]."""
    if mb > 0.0:
        return _clip(1.0 - m / mb, 0.0, 1.0)
    return 0.0


@njit(cache=True)
def _knot_upper(m, mb):
    """The a where the unclipped colour m - (1 - a) mb crosses a, clipped to [0, 1]."""
    if mb < 1.0:
        return _clip((m - mb) / (1.0 - mb), 0.0, 1.0)
    return 1.0


@njit(cache=True)
def _root(kf, b1, b2, mb, s10, s11, s12, sb0, sb1, sb2):
    """Exact minimiser over [0, 1] of the convex piecewise quadratic f(a) (distinct backgrounds).

    f' is continuous, nondecreasing and linear between the knots {0, 1, and per channel the two
    a where P_c reaches 0 or a}.  Bracket the root between the largest knot with f' < 0 and the
    smallest knot with f' >= 0 (no knot lies strictly between them, so f' is linear there) and
    interpolate; endpoints are taken when f' does not change sign.
    """
    g1 = _dfda3(1.0, kf, b1, b2, s10, s11, s12, sb0, sb1, sb2)
    if g1 <= 0.0:
        return 1.0
    g0 = _dfda3(0.0, kf, b1, b2, s10, s11, s12, sb0, sb1, sb2)
    if g0 >= 0.0:
        return 0.0
    lo = 0.0
    glo = g0
    hi = 1.0
    ghi = g1
    knots = (_knot_lower(s10 / kf, mb), _knot_lower(s11 / kf, mb), _knot_lower(s12 / kf, mb),
             _knot_upper(s10 / kf, mb), _knot_upper(s11 / kf, mb), _knot_upper(s12 / kf, mb))
    for j in range(6):
        t = knots[j]
        if t <= lo or t >= hi:
            continue
        g = _dfda3(t, kf, b1, b2, s10, s11, s12, sb0, sb1, sb2)
        if g < 0.0:
            lo = t
            glo = g
        else:
            hi = t
            ghi = g
    return _clip(lo + (hi - lo) * (-glo / (ghi - glo)), lo, hi)


@njit(cache=True)
def _write(out_p, out_a, i, a, p0, p1, p2):
    """Store (P, a) as float32, re-imposing 0 <= a <= 1 and 0 <= P_c <= a after the cast."""
    a32 = min(max(np.float32(a), np.float32(0.0)), np.float32(1.0))
    out_a[i] = a32
    out_p[i, 0] = min(max(np.float32(p0), np.float32(0.0)), a32)
    out_p[i, 1] = min(max(np.float32(p1), np.float32(0.0)), a32)
    out_p[i, 2] = min(max(np.float32(p2), np.float32(0.0)), a32)


@njit(cache=True, parallel=True)
def solve_exact_kernel(stack, b, out_p, out_a):
    """Joint exact solve for distinct backgrounds.  Returns the number of non-finite pixels
    (those get P = 0, a = 0)."""
    n_k = stack.shape[0]
    n = stack.shape[1]
    kf = float(n_k)
    b1 = 0.0
    b2 = 0.0
    for k in range(n_k):
        b1 += b[k]
        b2 += b[k] * b[k]
    mb = b1 / kf
    bad = 0
    for i in prange(n):
        s10 = 0.0
        s11 = 0.0
        s12 = 0.0
        sb0 = 0.0
        sb1 = 0.0
        sb2 = 0.0
        for k in range(n_k):
            bk = b[k]
            x0 = float(stack[k, i, 0])
            x1 = float(stack[k, i, 1])
            x2 = float(stack[k, i, 2])
            s10 += x0
            s11 += x1
            s12 += x2
            sb0 += x0 * bk
            sb1 += x1 * bk
            sb2 += x2 * bk
        if not (abs(s10 + s11 + s12 + sb0 + sb1 + sb2) < 1e300):
            bad += 1
            _write(out_p, out_a, i, 0.0, 0.0, 0.0, 0.0)
            continue
        a = _root(kf, b1, b2, mb, s10, s11, s12, sb0, sb1, sb2)
        u = 1.0 - a
        _write(out_p, out_a, i, a, _clip(s10 / kf - u * mb, 0.0, a),
               _clip(s11 / kf - u * mb, 0.0, a), _clip(s12 / kf - u * mb, 0.0, a))
    return bad


@njit(cache=True)
def _lowest_alpha_equal_bg(m, beta):
    """Smallest a for which the clipped mean m' is reachable as P + (1 - a) beta, 0 <= P <= a."""
    m = _clip(m, 0.0, 1.0)
    lo = 0.0
    if beta > 0.0:
        lo = max(lo, 1.0 - m / beta)
    if beta < 1.0:
        lo = max(lo, (m - beta) / (1.0 - beta))
    return lo


@njit(cache=True, parallel=True)
def solve_equal_bg_kernel(stack, beta, prior, out_p, out_a):
    """Exact solve when all backgrounds equal beta (alpha not identifiable).

    Every a in [a_lo, 1] is a minimiser; take the one closest to ``prior[i]``.  Returns the
    number of non-finite pixels (those get P = 0, a = 0)."""
    n_k = stack.shape[0]
    n = stack.shape[1]
    kf = float(n_k)
    bad = 0
    for i in prange(n):
        m0 = 0.0
        m1 = 0.0
        m2 = 0.0
        for k in range(n_k):
            m0 += float(stack[k, i, 0])
            m1 += float(stack[k, i, 1])
            m2 += float(stack[k, i, 2])
        m0 /= kf
        m1 /= kf
        m2 /= kf
        if not (abs(m0 + m1 + m2) < 1e300) or not (abs(prior[i]) < 1e300):
            bad += 1
            _write(out_p, out_a, i, 0.0, 0.0, 0.0, 0.0)
            continue
        lo = max(_lowest_alpha_equal_bg(m0, beta), _lowest_alpha_equal_bg(m1, beta),
                 _lowest_alpha_equal_bg(m2, beta))
        a = _clip(prior[i], min(lo, 1.0), 1.0)
        u = 1.0 - a
        _write(out_p, out_a, i, a, _clip(m0 - u * beta, 0.0, a), _clip(m1 - u * beta, 0.0, a),
               _clip(m2 - u * beta, 0.0, a))
    return bad


@njit(cache=True, parallel=True)
def stats_kernel(stack, b, s1, s2, sb):
    """Per-pixel sums s1, s2, sb (float64, (N, 3))."""
    n_k = stack.shape[0]
    n = stack.shape[1]
    for i in prange(n):
        for c in range(3):
            acc1 = 0.0
            acc2 = 0.0
            accb = 0.0
            for k in range(n_k):
                x = float(stack[k, i, c])
                acc1 += x
                acc2 += x * x
                accb += x * b[k]
            s1[i, c] = acc1
            s2[i, c] = acc2
            sb[i, c] = accb


@njit(cache=True, parallel=True)
def alpha_given_colour_kernel(s1, sb, b1, b2, premul, prior, out_a):
    """a = clip(1 - sum_c (sb_c - P_c b1) / (3 b2), max(0, max_c P_c), 1); prior where b2 == 0."""
    n = s1.shape[0]
    for i in prange(n):
        p0 = float(premul[i, 0])
        p1 = float(premul[i, 1])
        p2 = float(premul[i, 2])
        lo = min(max(0.0, p0, p1, p2), 1.0)
        if b2 > 0.0:
            num = (sb[i, 0] - p0 * b1) + (sb[i, 1] - p1 * b1) + (sb[i, 2] - p2 * b1)
            a = 1.0 - num / (3.0 * b2)
        else:
            a = prior[i]
        out_a[i] = np.float32(_clip(a, lo, 1.0))


@njit(cache=True, parallel=True)
def colour_given_alpha_kernel(s1, kf, b1, alpha, out_p):
    """P_c = clip(s1_c / K - (1 - a) b1 / K, 0, a), stored float32 and clamped to a."""
    n = s1.shape[0]
    mb = b1 / kf
    for i in prange(n):
        a = _clip(float(alpha[i]), 0.0, 1.0)
        a32 = np.float32(a)
        u = 1.0 - a
        for c in range(3):
            p = _clip(s1[i, c] / kf - u * mb, 0.0, a)
            out_p[i, c] = min(max(np.float32(p), np.float32(0.0)), a32)


@njit(cache=True, parallel=True)
def loss_kernel(stack, b, premul, alpha, out_loss, out_resid):
    """L = sum_k sum_c r_kc^2 and mean_k r_kc with r_kc = S_kc - P_c - (1 - a) b_k, in float64."""
    n_k = stack.shape[0]
    n = stack.shape[1]
    kf = float(n_k)
    for i in prange(n):
        u = 1.0 - float(alpha[i])
        total = 0.0
        for c in range(3):
            p = float(premul[i, c])
            acc = 0.0
            for k in range(n_k):
                r = float(stack[k, i, c]) - p - u * b[k]
                acc += r
                total += r * r
            out_resid[i, c] = np.float32(acc / kf)
        out_loss[i] = np.float32(total)
