"""Turning the shared solver flags into :class:`SolveOptions` (defaults from the benchmark)."""

from __future__ import annotations

from emoji_alpha.errors import EmojiAlphaError


def build_options(*, method: str = "solve", backgrounds: str | None = None, passes: int | None = None,
                  backproject: int | None = None, bp_kernel: str | None = None, band_margin: int | None = None,
                  full: bool = False, backend: str = "auto", faint_alpha: int | None = None, fast: bool = False,
                  base=None):
    """SolveOptions from CLI flags; unset flags keep the defaults (or ``base``'s values), or
    with ``fast`` the :data:`FAST_PRESET`'s (explicit flags still win)."""
    import dataclasses

    from emoji_alpha.composite import parse_backgrounds
    from emoji_alpha.pipeline import FAST_PRESET, METHODS, SolveOptions
    from emoji_alpha.solve.backproject import KERNELS

    if method not in METHODS:
        raise EmojiAlphaError(f"unknown --method {method!r}; choose from {', '.join(METHODS)}")
    if bp_kernel is not None and bp_kernel not in KERNELS:
        raise EmojiAlphaError(f"unknown --bp-kernel {bp_kernel!r}; choose from {', '.join(KERNELS)}")
    if backend not in ("auto", "numba", "torch"):
        raise EmojiAlphaError(f"unknown --backend {backend!r}; choose auto, numba or torch")
    options = base or SolveOptions()
    changes: dict = {"method": method, "backend": backend, **(FAST_PRESET if fast else {})}
    if backgrounds is not None:
        levels = parse_backgrounds(backgrounds)
        changes["backgrounds"] = tuple(float(v) for v in levels)
    for name, value in (("passes", passes), ("backproject", backproject), ("bp_kernel", bp_kernel)):
        if value is not None:
            changes[name] = value
    if faint_alpha is not None:
        changes["faint_alpha"] = faint_alpha / 255.0
    if full:
        changes["band_margin"] = None
    elif band_margin is not None:
        changes["band_margin"] = band_margin
    return dataclasses.replace(options, **changes)
