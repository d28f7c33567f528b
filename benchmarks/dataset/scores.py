"""Selection scores: how many of a glyph's pixels are *genuinely* semi-transparent.

Each glyph is rendered at :data:`SCORE_SIZE` px (directly by resvg, for speed) and scored by
two independent counts, because anti-aliasing alone makes ~1-3 % of a glyph soft: pixels made
translucent by an opacity attribute (exact: render again without them and compare; for a
variant, without its effect), and soft pixels more than :data:`SOFT_DEPTH_PX` from any hard
one (anti-aliased edges are only ~1-2 px wide, so they never reach that depth). See
benchmarks/DATASET.md.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.dataset.sources import render_svg_string, twemoji_svg_dir
from benchmarks.dataset.variants import render_premultiplied

#: Selection score: soft alpha band, depth and the resolution it is measured at.
SCORE_SIZE = 256
SOFT_LO, SOFT_HI = 0.05, 0.95
SOFT_DEPTH_PX = 2.0

#: Every way an SVG attribute or style rule can make paint translucent.
_OPACITY = re.compile(r"""\b(?:fill-|stroke-|stop-)?opacity\s*(?:=\s*"[^"]*"|=\s*'[^']*'|:\s*[^;"']+;?)""")


def strip_opacity(svg: str) -> str:
    """The SVG with every opacity / fill-opacity / stroke-opacity / stop-opacity removed."""
    return _OPACITY.sub("", svg)


@dataclass(frozen=True)
class GlyphScore:
    """Alpha statistics of one glyph at :data:`SCORE_SIZE` px (pixel counts)."""

    name: str
    translucent: int  # alpha rises by > SOFT_LO when all opacity is removed: the main score
    deep_soft: int  # soft pixels more than SOFT_DEPTH_PX from any hard pixel
    soft: int  # all pixels with SOFT_LO < alpha < SOFT_HI (edges included)
    covered: int  # pixels with alpha > 0

    @property
    def genuine(self) -> bool:
        """Has semi-transparency that anti-aliasing does not explain."""
        return self.translucent > 0 or self.deep_soft > 0


def deep_soft_mask(alpha: np.ndarray, lo: float = SOFT_LO, hi: float = SOFT_HI, depth: float = SOFT_DEPTH_PX) -> np.ndarray:
    """Soft pixels (lo < alpha < hi) whose Euclidean distance to every hard pixel exceeds ``depth``.

    ``distance_transform_edt`` gives each soft pixel its distance to the nearest non-soft
    pixel centre; the image is padded with one hard ring so soft areas touching the border
    do not count as infinitely deep.
    """
    from scipy import ndimage

    soft = (alpha > lo) & (alpha < hi)
    padded = np.pad(soft, 1, constant_values=False)
    depth_map = ndimage.distance_transform_edt(padded)[1:-1, 1:-1]
    return soft & (depth_map > depth)


def alpha_counts(alpha: np.ndarray) -> dict[str, int]:
    """The :class:`GlyphScore` counts that need the alpha alone: ``deep_soft``, ``soft``, ``covered``."""
    return {"deep_soft": int(deep_soft_mask(alpha).sum()), "soft": int(((alpha > SOFT_LO) & (alpha < SOFT_HI)).sum()),
            "covered": int((alpha > 0).sum())}


def score_glyph(path: str | os.PathLike, size: int = SCORE_SIZE) -> GlyphScore:
    """Render ``path`` at ``size`` and count its genuinely semi-transparent pixels.

    Two independent tests, because anti-aliasing alone makes ~1-3 % of a glyph soft:

    * ``translucent`` (exact attribution): render again with every opacity attribute and
      style removed; pixels whose alpha rises by more than :data:`SOFT_LO` owe their
      transparency to opacity, not to edge coverage. Where a translucent shape lies over
      an opaque one alpha stays 1 and nothing is counted: only visible translucency is.
    * ``deep_soft`` (geometric, catches any other cause such as gradient stops):
      :func:`deep_soft_mask`.
    """
    svg = Path(path).read_text(encoding="utf-8")
    alpha = render_svg_string(svg, size)[..., 3]
    translucent = 0
    stripped = strip_opacity(svg)
    if stripped != svg:  # only ~1 % of Twemoji SVGs use opacity: render twice only those
        opaque_alpha = render_svg_string(stripped, size)[..., 3]
        translucent = int(((opaque_alpha - alpha) > SOFT_LO).sum())
    return GlyphScore(name=Path(path).stem, translucent=translucent, **alpha_counts(alpha))


def score_variant(name: str, svg_dir: Path | None = None, size: int = SCORE_SIZE) -> GlyphScore:
    """Score a ``<base>+<kind>`` variant like :func:`score_glyph`, drawn directly at ``size``.

    ``translucent`` is exact here too: pixels whose alpha the effect changed by more than
    :data:`SOFT_LO` (the effect-free glyph in the same place is the reference).
    """
    premul, base = render_premultiplied(name, svg_dir or twemoji_svg_dir(), size)
    alpha = premul[..., 3]
    return GlyphScore(name=name, translucent=int((np.abs(alpha - base[..., 3]) > SOFT_LO).sum()), **alpha_counts(alpha))


def score_all(svg_dir: Path, jobs: int) -> list[GlyphScore]:
    """Score every SVG in ``svg_dir`` (in parallel), sorted by name."""
    from rich.progress import Progress

    paths = sorted(svg_dir.glob("*.svg"))
    scores: list[GlyphScore] = []
    with Progress(transient=False) as progress, ProcessPoolExecutor(max_workers=jobs) as pool:
        task = progress.add_task(f"scoring {len(paths)} SVGs at {SCORE_SIZE} px", total=len(paths))
        for result in pool.map(score_glyph, paths, chunksize=16):
            scores.append(result)
            progress.advance(task)
    return sorted(scores, key=lambda s: s.name)
