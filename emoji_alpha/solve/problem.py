"""The solver's inputs, checked once, and the statistics the sub-solvers share.

:mod:`emoji_alpha.solve.exact` (the public functions) checks and flattens every input here,
once, whichever backend then runs; the backends (:mod:`emoji_alpha.solve.numba_backend`,
:mod:`emoji_alpha.solve.torch_backend`) receive only what these functions return:

- ``stack``: C-contiguous float32 ``(K, N, 3)`` (``N`` pixels, the spatial shape flattened);
- ``backgrounds``: C-contiguous float64 ``(K,)`` grey levels in ``[0, 1]``;
- per-pixel colour ``(N, 3)`` and alpha ``(N,)``: float32, finite;
- an alpha prior: float64 ``(N,)``, finite.

Importing this module is cheap (numpy only).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np


class SufficientStats(NamedTuple):
    """Per-pixel sufficient statistics of the loss, computed by ``backend``: its arrays are
    ``(N, 3)`` float64, numpy arrays for numba and tensors (on the solve's device) for torch,
    and the sub-solvers that take them run on the same backend."""

    count: int  # K
    b_sum: float  # sum_k b_k
    b_sq_sum: float  # sum_k b_k^2
    s_sum: Any  # sum_k S_kc
    s_sq_sum: Any  # sum_k S_kc^2
    sb_sum: Any  # sum_k S_kc b_k
    spatial_shape: tuple
    backend: str = "numba"


def _is_tensor(x) -> bool:
    return type(x).__module__.startswith("torch")


def _numpy(x) -> np.ndarray:
    return x.detach().cpu().numpy() if _is_tensor(x) else np.asarray(x)


def prepare_stack(stack) -> tuple[np.ndarray, tuple]:
    """A C-contiguous float32 ``(K, N, 3)`` view or copy of ``stack`` (``(K, *spatial, 3)``,
    numpy or torch) and its spatial shape."""
    stack = _numpy(stack)
    if stack.ndim < 3 or stack.shape[-1] != 3 or stack.shape[0] < 1:
        raise ValueError(f"stack must have shape (K, *spatial, 3) with K >= 1, got {stack.shape}")
    if not np.issubdtype(stack.dtype, np.floating):
        raise ValueError(f"stack must be floating point, got {stack.dtype}")
    spatial = tuple(stack.shape[1:-1])
    flat = np.ascontiguousarray(stack.reshape(stack.shape[0], -1, 3), dtype=np.float32)
    return flat, spatial


def check_finite_stack(flat: np.ndarray) -> None:
    if not np.all(np.isfinite(flat)):
        raise ValueError("stack contains NaN or infinity")


def prepare_backgrounds(backgrounds, count: int) -> np.ndarray:
    """The ``count`` grey levels as C-contiguous float64 ``(K,)``."""
    b = np.asarray(backgrounds, dtype=np.float64).reshape(-1)
    if b.shape[0] != count:
        raise ValueError(f"need one background per composite: {count} composites, {b.shape[0]} backgrounds")
    if not np.all(np.isfinite(b)) or b.min() < 0.0 or b.max() > 1.0:
        raise ValueError(f"backgrounds must be grey levels in [0, 1], got {b.tolist()}")
    return np.ascontiguousarray(b)


def prepare_pixels(x, spatial: tuple, channels: bool, name: str) -> np.ndarray:
    """Flatten ``x`` (``(*spatial, 3)``, ``(N, 3)``, ``spatial`` or ``(N,)``) to float32
    ``(N, 3)`` (``channels``) or ``(N,)``."""
    x = _numpy(x)
    n = int(np.prod(spatial, dtype=np.int64))
    want = (n, 3) if channels else (n,)
    if x.size != int(np.prod(want)):
        raise ValueError(f"{name} has shape {x.shape}, expected {spatial + ((3,) if channels else ())}")
    x = np.ascontiguousarray(x.reshape(want), dtype=np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinity")
    return x


def prepare_premul(premul, spatial: tuple) -> np.ndarray:
    """Colour for the alpha sub-solver: as :func:`prepare_pixels`, and within ``[0, 1]``."""
    p = prepare_pixels(premul, spatial, True, "premul")
    if p.size and (p.min() < 0.0 or p.max() > 1.0):
        raise ValueError("premul must lie in [0, 1]")
    return p


def prepare_prior(alpha_prior, spatial: tuple) -> np.ndarray:
    """``alpha_prior`` (None: 1; a scalar; or broadcastable to ``spatial``) as float64 ``(N,)``."""
    n = int(np.prod(spatial, dtype=np.int64))
    if alpha_prior is None:
        return np.ones(n, dtype=np.float64)
    prior = np.asarray(_numpy(alpha_prior), dtype=np.float64)
    if prior.ndim == 0:
        prior = np.full(n, float(prior))
    else:
        prior = np.ascontiguousarray(np.broadcast_to(prior, spatial).reshape(n))
    if not np.all(np.isfinite(prior)):
        raise ValueError("alpha_prior contains NaN or infinity")
    return prior
