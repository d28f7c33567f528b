"""The exact solver batched in torch (CPU or CUDA); same maths as :mod:`emoji_alpha.solve.exact`.

A sibling of :mod:`emoji_alpha.solve.numba_backend`, with the same functions and signatures:
:mod:`emoji_alpha.solve.exact` checks the inputs (:mod:`emoji_alpha.solve.problem`) and calls
one of them with numpy arrays; the work runs on ``device`` and the outputs come back as numpy
arrays. Statistics stay tensors on the device, so the sub-solvers that take them run there.
Arithmetic is float64 (float32 only on devices without float64, e.g. MPS); pixels are
processed in chunks so memory stays bounded.
"""

from __future__ import annotations

import numpy as np
import torch

from emoji_alpha.solve.problem import SufficientStats

CHUNK = 1 << 15


def _dtype(device) -> torch.dtype:
    return torch.float32 if torch.device(device).type == "mps" else torch.float64


def _tensor(x: np.ndarray, device, dtype: torch.dtype | None = None) -> torch.Tensor:
    """``x`` as a float32 tensor on ``device``, then in ``dtype`` if given. Every input goes
    through float32 on its way in (the alpha prior included), as this backend always took them."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    if not x.flags.writeable:
        x = x.copy()
    tensor = torch.from_numpy(x).to(device)
    return tensor if dtype is None else tensor.to(dtype)


def _numpy(x: torch.Tensor) -> np.ndarray:
    return x.detach().cpu().numpy()


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


def solve_exact(stack: np.ndarray, backgrounds: np.ndarray, prior: np.ndarray | None, *,
                device: str = "cpu") -> tuple[np.ndarray, np.ndarray, int]:
    """Joint exact solve of a ``(K, N, 3)`` stack: ``(premul (N, 3), alpha (N,), bad)``, where
    ``bad`` counts the pixels with a non-finite observation. ``prior`` (``(N,)``) is given
    exactly when all backgrounds are equal (alpha not identifiable), None otherwise."""
    flat = _tensor(stack, device)
    device = flat.device
    dtype = _dtype(device)
    b = torch.as_tensor(backgrounds, dtype=dtype, device=device)
    kf = float(flat.shape[0])
    b1 = float(backgrounds.sum())
    b2 = float(np.dot(backgrounds, backgrounds))
    mb = b1 / kf
    equal = prior is not None
    if equal:
        prior = _tensor(prior, device, dtype)
    n = flat.shape[1]
    out_p = torch.empty((n, 3), dtype=torch.float32, device=device)
    out_a = torch.empty(n, dtype=torch.float32, device=device)
    bad = torch.zeros((), dtype=torch.int64, device=device)
    for start in range(0, n, CHUNK):
        sl = slice(start, min(start + CHUNK, n))
        x = flat[:, sl].to(dtype)
        bad += (~torch.isfinite(x).all(0).all(-1)).sum()
        s1, _, sb = _chunk_sums(x, b)
        if equal:
            m = s1 / kf
            lo = _lowest_alpha_equal_bg(m, float(backgrounds[0]))
            a = torch.minimum(torch.maximum(prior[sl], lo.clamp(max=1.0)), torch.ones_like(lo))
            p = torch.minimum(torch.clamp(m - (1.0 - a)[:, None] * float(backgrounds[0]), min=0.0), a[:, None])
        else:
            a = _root(kf, b1, b2, s1, sb)
            p = torch.minimum(torch.clamp(s1 / kf - (1.0 - a)[:, None] * mb, min=0.0), a[:, None])
        out_p[sl], out_a[sl] = _store(p, a)
    return _numpy(out_p), _numpy(out_a), int(bad)


def stack_sums(stack: np.ndarray, backgrounds: np.ndarray, *,
               device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-pixel ``sum_k S_kc``, ``sum_k S_kc^2``, ``sum_k S_kc b_k``, each an ``(N, 3)`` tensor
    on ``device``."""
    flat = _tensor(stack, device)
    dtype = _dtype(flat.device)
    return _chunk_sums(flat.to(dtype), torch.as_tensor(backgrounds, dtype=dtype, device=flat.device))


def solve_alpha_given_colour(stats: SufficientStats, premul: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Alpha ``(N,)`` minimising the loss with ``premul`` ``(N, 3)`` fixed; ``prior`` where
    every background is 0."""
    device, dtype = stats.s_sum.device, stats.s_sum.dtype
    p = _tensor(premul, device, dtype)
    lo = p.amax(1).clamp(0.0, 1.0)
    if stats.b_sq_sum > 0.0:
        a = 1.0 - (stats.sb_sum - p * stats.b_sum).sum(1) / (3.0 * stats.b_sq_sum)
    else:
        a = _tensor(prior, device, dtype)
    a = torch.minimum(torch.maximum(a, lo), torch.ones_like(a))
    return _numpy(a.to(torch.float32))


def solve_colour_given_alpha(stats: SufficientStats, alpha: np.ndarray) -> np.ndarray:
    """Colour ``(N, 3)`` minimising the loss with ``alpha`` ``(N,)`` fixed:
    ``P_c = clip(mean S_c - (1 - a) mean b, 0, a)``, alpha clipped to [0, 1]."""
    device, dtype = stats.s_sum.device, stats.s_sum.dtype
    a = _tensor(alpha, device, dtype).clamp(0.0, 1.0)
    kf = float(stats.count)
    p = torch.minimum(torch.clamp(stats.s_sum / kf - (1.0 - a)[:, None] * (stats.b_sum / kf), min=0.0), a[:, None])
    p32, _ = _store(p, a)
    return _numpy(p32)


def loss_and_residuals(stack: np.ndarray, backgrounds: np.ndarray, premul: np.ndarray, alpha: np.ndarray, *,
                       device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel loss ``(N,)`` and mean residuals ``(N, 3)``."""
    flat = _tensor(stack, device)
    device = flat.device
    dtype = _dtype(device)
    b = torch.as_tensor(backgrounds, dtype=dtype, device=device)[:, None, None]
    p = _tensor(premul, device, dtype)
    a = _tensor(alpha, device, dtype)
    n = flat.shape[1]
    loss = torch.empty(n, dtype=torch.float32, device=device)
    resid = torch.empty((n, 3), dtype=torch.float32, device=device)
    for start in range(0, n, CHUNK):
        sl = slice(start, min(start + CHUNK, n))
        r = flat[:, sl].to(dtype) - p[None, sl] - (1.0 - a[None, sl, None]) * b
        loss[sl] = (r * r).sum((0, 2)).to(torch.float32)
        resid[sl] = r.mean(0).to(torch.float32)
    return _numpy(loss), _numpy(resid)
