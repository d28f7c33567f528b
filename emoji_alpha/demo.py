"""``make demo``: the main job on the shipped sample glyphs.

The samples (Twemoji, CC-BY 4.0: translucent wings, ice, bubbles, a soft drop shadow, a glow,
translucent glass, and one opaque RGB image) are enlarged as a batch with the default method
into ``demo-out/`` (resumable, with its SQLite manifest), then a report is written: an HTML
gallery and a comparison grid per glyph (input, each background's LIIF enlargement, alpha,
composites over black, white, grey and a checkerboard).
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from emoji_alpha.progress import log


def samples_dir() -> Path:
    return Path(str(resources.files("emoji_alpha") / "samples"))


def main(argv: list[str] | None = None) -> int:
    from emoji_alpha.batch.run import run_batch
    from emoji_alpha.options import LiifConfig
    from emoji_alpha.report import write_report

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=Path("demo-out"))
    parser.add_argument("--size", default="512")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    summary = run_batch([samples_dir()], args.output, size=args.size, liif=LiifConfig(device=args.device))
    write_report(args.output, grids="all")
    out = args.output.resolve()
    log(f"\nEnlarged glyphs: {out}/glyph-*.png   manifest: {out}/emoji-alpha.sqlite")
    log(f"Gallery: {out}/index.html   comparison grids: {out}/report/grids/")
    return 0 if summary.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
