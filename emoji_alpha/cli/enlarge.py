"""``emoji-alpha enlarge``: enlarge an image with LIIF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emoji_alpha.cli import options


def enlarge_command(
    source: Annotated[Path, typer.Argument(help="Input image (PNG in any flavour).", show_default=False)],
    output: options.Output = None,
    size: options.Size = None,
    scale: options.Scale = None,
    device: options.Device = "cpu",
    threads: options.Threads = None,
    weights: options.Weights = None,
    memory_limit: options.MemoryLimit = None,
    chunk_size: options.ChunkSize = 16384,
) -> None:
    """Enlarge SOURCE to --size (e.g. 2000 or 2000x1500) or by --scale with LIIF."""
    from emoji_alpha.pipeline import enlarge_file
    from emoji_alpha.progress import log

    def make_upscaler():
        from emoji_alpha.liif import Upscaler

        limit = int(memory_limit * 2**30) if memory_limit else None
        return Upscaler(weights, device, chunk_size=chunk_size, threads=threads, memory_limit=limit, log=log)

    path, result = enlarge_file(source, output, size=size, scale=scale, upscaler_factory=make_upscaler)
    typer.echo(f"wrote {path} ({result.size[1]}x{result.size[0]})")


def register(app: typer.Typer) -> None:
    app.command("enlarge")(enlarge_command)
