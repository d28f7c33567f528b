"""``emoji-alpha enlarge``: enlarge an image with LIIF; RGBA glyphs get a solved alpha channel."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer

from emoji_alpha.cli import options


def enlarge_command(
    source: Annotated[Path, typer.Argument(help="Input image (PNG in any flavour).", show_default=False)],
    output: options.Output = None,
    size: options.Size = None,
    scale: options.Scale = None,
    method: Annotated[str, typer.Option("--method", "-m", help="solve (default), twobg, separate, keygrey or lanczos.")] = "solve",
    backgrounds: Annotated[Optional[str], typer.Option("--backgrounds", "-b", help="Grey levels 0..255, e.g. 0,128,255.")] = None,
    passes: options.Passes = None,
    backproject: options.Backproject = None,
    bp_kernel: options.BpKernel = None,
    band_margin: Annotated[Optional[int], typer.Option("--band-margin", min=0, help="Edge-band margin in input pixels.")] = None,
    full: Annotated[bool, typer.Option("--full", help="Run LIIF over every pixel, not only the edge band.")] = False,
    keep_stack: Annotated[Optional[Path], typer.Option("--keep-stack", help="Keep the K enlargements here for `emoji-alpha solve`.")] = None,
    debug_dir: options.DebugDir = None,
    device: options.Device = "cpu",
    backend: options.Backend = "numba",
    threads: options.Threads = None,
    weights: options.Weights = None,
    memory_limit: options.MemoryLimit = None,
    chunk_size: options.ChunkSize = 16384,
) -> None:
    """Enlarge SOURCE to --size (e.g. 2000 or 2000x1500) or by --scale with LIIF.

    RGB input stays RGB. RGBA input is flattened over several grey backgrounds, each is
    enlarged, and colour and alpha are solved per pixel (straight-alpha 8-bit PNG out)."""
    from emoji_alpha.cli.solver_options import build_options
    from emoji_alpha.pipeline import enlarge_file
    from emoji_alpha.progress import log

    solve_options = build_options(method=method, backgrounds=backgrounds, passes=passes, backproject=backproject,
                                  bp_kernel=bp_kernel, band_margin=band_margin, full=full, backend=backend)

    def make_upscaler():
        from emoji_alpha.liif import Upscaler

        limit = int(memory_limit * 2**30) if memory_limit else None
        return Upscaler(weights, device, chunk_size=chunk_size, threads=threads, memory_limit=limit, log=log)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path, result = enlarge_file(source, output, size=size, scale=scale, upscaler_factory=make_upscaler,
                                    options=solve_options, keep_stack=keep_stack, debug_dir=debug_dir)
    for warning in caught:
        log(f"[yellow]warning:[/] {warning.message}")
    for report in result.info.get("passes", []):
        log(f"pass {report['name']}: loss {report['loss_before']:.3f} -> {report['loss_after']:.3f} levels^2, "
            f"{report['changed']} pixels changed")
    typer.echo(f"wrote {path} ({result.size[1]}x{result.size[0]})")


def register(app: typer.Typer) -> None:
    app.command("enlarge")(enlarge_command)
