"""``make demo``: enlarge the shipped sample glyphs and say where the results are."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.progress import log


def sample_paths() -> list[Path]:
    folder = resources.files("emoji_alpha") / "samples"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".png"))


def main(argv: list[str] | None = None) -> int:
    from emoji_alpha.liif import Upscaler
    from emoji_alpha.pipeline import enlarge_file

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("demo-out"))
    parser.add_argument("--size", default="512")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    upscaler = Upscaler(device=args.device, log=log)
    written = []
    for sample in sample_paths():
        target = args.output / f"{sample.stem}-{args.size}.png"
        try:
            path, _ = enlarge_file(sample, target, size=args.size, scale=None, upscaler_factory=lambda: upscaler)
        except EmojiAlphaError as exc:
            log(f"[yellow]skipped[/] {sample.name}: {exc}")
            continue
        written.append(path)
        log(f"wrote {path}")
    log(f"\n{len(written)} enlarged sample(s) in {args.output.resolve()}")
    return 0 if written else 1


if __name__ == "__main__":
    raise SystemExit(main())
