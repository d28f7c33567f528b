"""Exact alpha solver: recover premultiplied colour and alpha from composites over grey backgrounds.

Importing this package is cheap; numba and torch load on first use.  See
:mod:`emoji_alpha.solve.exact` for the maths.
"""

from emoji_alpha.solve.exact import (
    AUTO_NUMBA_PIXELS,
    BACKENDS,
    SufficientStats,
    choose_backend,
    recompositing_loss,
    residuals,
    solve_alpha_given_colour,
    solve_colour_given_alpha,
    solve_exact,
    sufficient_stats,
)

__all__ = [
    "AUTO_NUMBA_PIXELS",
    "BACKENDS",
    "SufficientStats",
    "choose_backend",
    "recompositing_loss",
    "residuals",
    "solve_alpha_given_colour",
    "solve_colour_given_alpha",
    "solve_exact",
    "sufficient_stats",
]
