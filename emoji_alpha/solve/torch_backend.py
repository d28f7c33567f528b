"""The exact solver batched in torch (CPU or CUDA); same maths as :mod:`emoji_alpha.solve.exact`.

Functions here take and return tensors (``stack`` is ``(K, *spatial, 3)``); the wrappers in
``exact`` convert numpy in and out when called with ``backend="torch"``.  Arithmetic is float64
(float32 only on devices without float64, e.g. MPS); pixels are processed in chunks so memory
stays bounded.
"""

from __future__ import annotations

import numpy as np
import torch

from emoji_alpha.solve.exact import SufficientStats, _prepare_backgrounds

CHUNK = 1 << 15


def _dtype(device) -> torch.dtype:
    return torch.float32 if torch.device(device).type == "mps" else torch.float64


def as_tensor(x, device="cpu") -> torch.Tensor:
    """Tensor view of ``x`` on ``device`` (numpy arrays become float32)."""
    if isinstance(x, torch.Tensor):
        return x.to(device)
    x = np.asarray(x)
    x = np.ascontiguousarray(x, dtype=np.float32)
    if not x.flags.writeable:
        x = x.copy()
    return torch.from_numpy(x).to(device)


def _flat_stack(stack: torch.Tensor) -> tuple[torch.Tensor, tuple]:
    if stack.ndim < 3 or stack.shape[-1] != 3 or stack.shape[0] < 1:
        raise ValueError(f"stack must have shape (K, *spatial, 3) with K >= 1, got {tuple(stack.shape)}")
    if not stack.is_floating_point():
        raise ValueError(f"stack must be floating point, got {stack.dtype}")
    spatial = tuple(stack.shape[1:-1])
    return stack.reshape(stack.shape[0], -1, 3), spatial


def _pixels(x, spatial: tuple, channels: bool, name: str, device, dtype) -> torch.Tensor:
    x = as_tensor(x, device).to(dtype)
    n = int(np.prod(spatial, dtype=np.int64))
    want = (n, 3) if channels else (n,)
    if x.numel() != int(np.prod(want)):
        raise ValueError(f"{name} has shape {tuple(x.shape)}, expected {spatial + ((3,) if channels else ())}")
    x = x.reshape(want)
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinity")
    return x


def _prior(alpha_prior, spatial: tuple, device, dtype) -> torch.Tensor:
    n = int(np.prod(spatial, dtype=np.int64))
    if alpha_prior is None:
        return torch.ones(n, device=device, dtype=dtype)
    prior = as_tensor(alpha_prior, device).to(dtype)
    prior = prior.expand(spatial).reshape(n) if prior.ndim else prior.expand(n)
    if not bool(torch.isfinite(prior).all()):
        raise ValueError("alpha_prior contains NaN or infinity")
    return prior


def _store(p: torch.Tensor, a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """float32 outputs with 0 <= a <= 1 and 0 <= P <= a re-imposed after the cast."""
    a32 = a.to(torch.float32).clamp(0.0, 1.0)
    p32 = torch.minimum(p.to(torch.float32).clamp(min=0.0), a32[:, None])
    return p32, a32


def _chunk_sums(x: torch.Tensor, b: torch.Tensor):
    """x: (K, n, 3) in compute dtype -> s1, s2, sb (n, 3)."""
    s1 = x[0].clone()
    s2 = x[0] * x[0]
    sb = x[0] * b[0]
    for k in range(1, x.shape[0]):
        s1 += x[k]
        s2 += x[k] * x[k]
        sb += x[k] * b[k]
    return s1, s2, sb


def _dfda(t, kf, b1, b2, m, sb_total):
    """Half f'(t) summed over channels; t (n, m) knots, m (n, 3) means, sb_total (n,) -> (n, m).

    Branch-free form of the numba ``_dfda``: with p = mean S_c - (1 - t) mean b and
    P = clip(p, 0, t), f'/2 = sum_c [sb_c - (1 - t) b2 - b1 P - K max(p - t, 0)].
    """
    u = 1.0 - t
    p = m[:, None, :] - (u * (b1 / kf))[:, :, None]
    tt = t[:, :, None]
    pen = b1 * torch.minimum(p.clamp(min=0.0), tt) + kf * (p - tt).clamp(min=0.0)
    return sb_total[:, None] - (3.0 * b2) * u - (pen[..., 0] + pen[..., 1] + pen[..., 2])


def _root(kf: float, b1: float, b2: float, s1: torch.Tensor, sb: torch.Tensor) -> torch.Tensor:
    """Exact minimiser of f over [0, 1] for distinct backgrounds (see ``exact`` docstring)."""
    mb = b1 / kf
    m = s1 / kf
    lower = (1.0 - m / mb).clamp(0.0, 1.0) if mb > 0.0 else torch.zeros_like(m)
    upper = ((m - mb) / (1.0 - mb)).clamp(0.0, 1.0) if mb < 1.0 else torch.ones_like(m)
    n = s1.shape[0]
    ends = torch.tensor([0.0, 1.0], dtype=s1.dtype, device=s1.device).expand(n, 2)
    knots = torch.cat([ends, lower, upper], dim=1)  # (n, 8)
    g = _dfda(knots, kf, b1, b2, m, sb[:, 0] + sb[:, 1] + sb[:, 2])
    neg = g < 0.0
    lo_t = torch.where(neg, knots, torch.full_like(knots, -1.0))
    lo_i = lo_t.argmax(1, keepdim=True)
    hi_t = torch.where(neg, torch.full_like(knots, 2.0), knots)
    hi_i = hi_t.argmin(1, keepdim=True)
    lo = knots.gather(1, lo_i)[:, 0]
    hi = knots.gather(1, hi_i)[:, 0]
    glo = g.gather(1, lo_i)[:, 0]
    ghi = g.gather(1, hi_i)[:, 0]
    denom = torch.where(ghi > glo, ghi - glo, torch.ones_like(ghi))
    a = torch.minimum(torch.maximum(lo + (hi - lo) * (-glo / denom), lo), hi)
    a = torch.where(g[:, 0] >= 0.0, torch.zeros_like(a), a)
    return torch.where(g[:, 1] <= 0.0, torch.ones_like(a), a)


def _lowest_alpha_equal_bg(m: torch.Tensor, beta: float) -> torch.Tensor:
    m = m.clamp(0.0, 1.0)
    lo = torch.zeros_like(m)
    if beta > 0.0:
        lo = torch.maximum(lo, 1.0 - m / beta)
    if beta < 1.0:
        lo = torch.maximum(lo, (m - beta) / (1.0 - beta))
    return lo.amax(1)


def solve_exact(stack: torch.Tensor, backgrounds, *, alpha_prior=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact joint solve; returns float32 ``(premul (*spatial, 3), alpha spatial)`` on the stack's device."""
    flat, spatial = _flat_stack(stack)
    device = flat.device
    dtype = _dtype(device)
    bnp = _prepare_backgrounds(backgrounds, flat.shape[0])
    b = torch.as_tensor(bnp, dtype=dtype, device=device)
    kf = float(flat.shape[0])
    b1 = float(bnp.sum())
    b2 = float(np.dot(bnp, bnp))
    mb = b1 / kf
    equal = bool(np.all(bnp == bnp[0]))
    prior = _prior(alpha_prior, spatial, device, dtype) if equal else None
    n = flat.shape[1]
    out_p = torch.empty((n, 3), dtype=torch.float32, device=device)
    out_a = torch.empty(n, dtype=torch.float32, device=device)
    for start in range(0, n, CHUNK):
        sl = slice(start, min(start + CHUNK, n))
        x = flat[:, sl].to(dtype)
        if not bool(torch.isfinite(x).all()):
            raise ValueError("stack contains NaN or infinity")
        s1, _, sb = _chunk_sums(x, b)
        if equal:
            m = s1 / kf
            lo = _lowest_alpha_equal_bg(m, float(bnp[0]))
            a = torch.minimum(torch.maximum(prior[sl], lo.clamp(max=1.0)), torch.ones_like(lo))
            p = torch.minimum(torch.clamp(m - (1.0 - a)[:, None] * float(bnp[0]), min=0.0), a[:, None])
        else:
            a = _root(kf, b1, b2, s1, sb)
            p = torch.minimum(torch.clamp(s1 / kf - (1.0 - a)[:, None] * mb, min=0.0), a[:, None])
        out_p[sl], out_a[sl] = _store(p, a)
    return out_p.reshape(spatial + (3,)), out_a.reshape(spatial)


def sufficient_stats(stack: torch.Tensor, backgrounds) -> SufficientStats:
    """Per-pixel ``sum S``, ``sum S^2``, ``sum S b`` as ``(N, 3)`` tensors plus the background sums."""
    flat, spatial = _flat_stack(stack)
    dtype = _dtype(flat.device)
    bnp = _prepare_backgrounds(backgrounds, flat.shape[0])
    x = flat.to(dtype)
    if not bool(torch.isfinite(x).all()):
        raise ValueError("stack contains NaN or infinity")
    s1, s2, sb = _chunk_sums(x, torch.as_tensor(bnp, dtype=dtype, device=flat.device))
    return SufficientStats(int(flat.shape[0]), float(bnp.sum()), float(np.dot(bnp, bnp)), s1, s2, sb, spatial)


def solve_alpha_given_colour(stats: SufficientStats, premul, *, alpha_prior=None) -> torch.Tensor:
    """Alpha minimising ``L`` with ``P`` fixed (see ``exact.solve_alpha_given_colour``)."""
    device, dtype = stats.s_sum.device, stats.s_sum.dtype
    p = _pixels(premul, stats.spatial_shape, True, "premul", device, dtype)
    if p.numel() and (float(p.min()) < 0.0 or float(p.max()) > 1.0):
        raise ValueError("premul must lie in [0, 1]")
    lo = p.amax(1).clamp(0.0, 1.0)
    if stats.b_sq_sum > 0.0:
        a = 1.0 - (stats.sb_sum - p * stats.b_sum).sum(1) / (3.0 * stats.b_sq_sum)
    else:
        a = _prior(alpha_prior, stats.spatial_shape, device, dtype)
    a = torch.minimum(torch.maximum(a, lo), torch.ones_like(a))
    return a.to(torch.float32).reshape(stats.spatial_shape)


def solve_colour_given_alpha(stats: SufficientStats, alpha) -> torch.Tensor:
    """``P_c = clip(mean S_c - (1 - a) mean b, 0, a)`` with alpha fixed (clipped to [0, 1])."""
    device, dtype = stats.s_sum.device, stats.s_sum.dtype
    a = _pixels(alpha, stats.spatial_shape, False, "alpha", device, torch.float32).to(dtype).clamp(0.0, 1.0)
    kf = float(stats.count)
    p = torch.minimum(torch.clamp(stats.s_sum / kf - (1.0 - a)[:, None] * (stats.b_sum / kf), min=0.0), a[:, None])
    p32, _ = _store(p, a)
    return p32.reshape(stats.spatial_shape + (3,))


def loss_and_residuals(stack: torch.Tensor, backgrounds, premul, alpha) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-pixel ``L`` (spatial) and mean residuals ``r_c`` ((*spatial, 3)), float32."""
    flat, spatial = _flat_stack(stack)
    device = flat.device
    dtype = _dtype(device)
    bnp = _prepare_backgrounds(backgrounds, flat.shape[0])
    b = torch.as_tensor(bnp, dtype=dtype, device=device)[:, None, None]
    p = _pixels(premul, spatial, True, "premul", device, torch.float32).to(dtype)
    a = _pixels(alpha, spatial, False, "alpha", device, torch.float32).to(dtype)
    n = flat.shape[1]
    loss = torch.empty(n, dtype=torch.float32, device=device)
    resid = torch.empty((n, 3), dtype=torch.float32, device=device)
    for start in range(0, n, CHUNK):
        sl = slice(start, min(start + CHUNK, n))
        r = flat[:, sl].to(dtype) - p[None, sl] - (1.0 - a[None, sl, None]) * b
        loss[sl] = (r * r).sum((0, 2)).to(torch.float32)
        resid[sl] = r.mean(0).to(torch.float32)
    return loss.reshape(spatial), resid.reshape(spatial + (3,))


def recompositing_loss(stack: torch.Tensor, backgrounds, premul, alpha) -> torch.Tensor:
    return loss_and_residuals(stack, backgrounds, premul, alpha)[0]


def residuals(stack: torch.Tensor, backgrounds, premul, alpha) -> torch.Tensor:
    return loss_and_residuals(stack, backgrounds, premul, alpha)[1]
