"""``python -m benchmarks.dataset``: build the ground-truth pairs (the glyphs of
benchmarks/glyphs.txt), or rescore every SVG and rewrite that list first (``--select``), or
rebuild only the committed CI subset (``--tiny``)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from benchmarks.dataset import __doc__ as PACKAGE_DOC
from benchmarks.dataset.pairs import build_pairs, build_tiny
from benchmarks.dataset.selection import DEFAULT_EDGE, choose_glyphs, read_glyph_list, write_glyph_list
from benchmarks.dataset.sources import twemoji_svg_dir
from benchmarks.harness.paths import GLYPH_LIST, TINY, data_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dataset", description=PACKAGE_DOC.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
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
        choice = choose_glyphs(svg_dir, args.jobs, args.edge)
        write_glyph_list(args.glyphs, choice.natural, choice.variants, choice.edge, choice.controls, choice.scored)
        if any(s.genuine for s in choice.controls):
            print("warning: a control glyph has translucent pixels", file=sys.stderr)
        if not all(s.genuine for s in choice.variants):
            print("warning: a variant has no genuinely semi-transparent pixel", file=sys.stderr)
        print(f"scored {choice.scored} SVGs and {len(choice.variants)} variants in {time.perf_counter() - start:.1f} s; "
              f"{len(choice.natural)} distinct drawings genuinely translucent; wrote {choice.count} names to {args.glyphs}")

    names = read_glyph_list(args.glyphs)
    if args.tiny:
        tiny = build_tiny(names, svg_dir)
        print(f"wrote {TINY} ({', '.join(tiny)})")
        return 0
    out_dir = args.out or data_dir()
    start = time.perf_counter()
    records = build_pairs(names, out_dir, svg_dir=svg_dir)
    print(f"built {len(records)} glyphs in {time.perf_counter() - start:.1f} s -> {out_dir}")
    return 0
