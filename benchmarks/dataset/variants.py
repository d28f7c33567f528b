"""Translucent variants ``<base>+shadow``, ``+glow`` and ``+glass``.

Twemoji is almost entirely opaque (only 8 distinct drawings have any genuinely
semi-transparent pixel), so these add what real emoji fonts have, drawn on the render in
premultiplied float64 before any downsampling (:func:`apply_variant`): a soft drop shadow or a
coloured glow composited *under* the glyph (out = fg + (1 - a_fg) * layer), or a uniform /
ramped opacity over the whole glyph. Their parameters come from the SHA-256 of the name
(:func:`variant_params`), so every build is the same.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from benchmarks.dataset.sources import render_svg
from emoji_alpha.images import premultiply

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
