"""Turning the shared solver flags into :class:`SolveOptions` (defaults from the benchmark)."""

from __future__ import annotations

from emoji_alpha.errors import EmojiAlphaError


def build_options(*, method: str = "solve", backgrounds: str | None = None, passes: int | None = None,
                  backproject: int | None = None, bp_kernel: str | None = None, band_margin: int | None = None,
                  full: bool = False, backend: str = "auto", faint_alpha: int | None = None, fast: bool = False,
                  on_demand: str | None = None, on_demand_residual: float | None = None, base=None):
    """SolveOptions from CLI flags; unset flags keep the defaults (or ``base``'s values), or
    with ``fast`` the :data:`FAST_PRESET`'s (explicit flags still win). ``--backgrounds``
    without ``--on-demand`` decodes every given level everywhere."""
    import dataclasses

    from emoji_alpha.composite import parse_backgrounds
    from emoji_alpha.pipeline import BP_KERNELS as KERNELS
    from emoji_alpha.pipeline import FAST_PRESET, METHODS, SolveOptions

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
        changes["on_demand"] = ()
    if on_demand is not None:
        changes["on_demand"] = _on_demand_levels(on_demand, changes.get("backgrounds", options.backgrounds))
    if on_demand_residual is not None:
        changes["on_demand_residual"] = on_demand_residual
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


def _on_demand_levels(text: str, backgrounds: tuple[float, ...]) -> tuple[float, ...]:
    """``--on-demand`` levels (``none`` or ``""``: none), each one of the backgrounds."""
    from emoji_alpha.composite import format_backgrounds, parse_backgrounds
    from emoji_alpha.solve.on_demand import split_levels

    if text.strip().lower() in ("", "none"):
        return ()
    levels = tuple(float(v) for v in parse_backgrounds(text, "--on-demand"))
    extra = split_levels(backgrounds, levels)[1]
    if len(extra) != len(levels):
        raise EmojiAlphaError(f"--on-demand levels must be among the backgrounds ({format_backgrounds(backgrounds)}), "
                              f"got {text!r}")
    return levels
