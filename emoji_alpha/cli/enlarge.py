"""``emoji-alpha enlarge``: enlarge an image with LIIF; RGBA glyphs get a solved alpha channel.

One PNG file with ``-o OUT.png`` (or no ``-o``) is the single-file form. Anything else
(several inputs, a font, a folder, ``-o`` a folder) is a batch: see :mod:`emoji_alpha.batch`.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer

from emoji_alpha.cli import options
from emoji_alpha.errors import EmojiAlphaError


def enlarge_command(
    inputs: Annotated[list[Path], typer.Argument(
        help="Input image (PNG in any flavour), or for a batch: fonts, folders of PNGs, image files.",
        show_default=False)],
    output: options.Output = None,
    size: options.Size = None,
    scale: options.Scale = None,
    method: Annotated[str, typer.Option("--method", "-m", help="solve (default), rgba-liif, twobg, separate, keygrey or lanczos.")] = "solve",
    backgrounds: Annotated[Optional[str], typer.Option("--backgrounds", "-b", help="Grey levels 0..255, e.g. 0,128,255.")] = None,
    passes: options.Passes = None,
    backproject: options.Backproject = None,
    bp_kernel: options.BpKernel = None,
    band_margin: Annotated[Optional[int], typer.Option("--band-margin", min=0, help="Edge-band margin in input pixels.")] = None,
    full: Annotated[bool, typer.Option("--full", help="Run LIIF for every background over every pixel (no edge band, nothing on demand).")] = False,
    faint_alpha: options.FaintAlpha = None,
    on_demand: options.OnDemand = None,
    on_demand_residual: options.OnDemandResidual = None,
    fast: Annotated[bool, typer.Option("--fast", help="Backgrounds on demand only where the fit is off by over 1 "
                                       "level, faint tails from a smooth enlargement (README, Benchmarks).")] = False,
    keep_stack: Annotated[Optional[Path], typer.Option("--keep-stack", help="Keep the K enlargements here for `emoji-alpha solve`.")] = None,
    debug_dir: options.DebugDir = None,
    device: options.Device = "cpu",
    half: options.Half = False,
    backend: options.Backend = "auto",
    threads: options.Threads = None,
    weights: options.Weights = None,
    memory_limit: options.MemoryLimit = None,
    chunk_size: options.ChunkSize = 16384,
    only: options.Only = None,
    limit: options.Limit = None,
    workers: options.Workers = 1,
    dask: options.Dask = None,
    force: options.Force = False,
    naming: options.Naming = None,
) -> None:
    """Enlarge images to --size (e.g. 2000 or 2000x1500) or by --scale with LIIF.

    RGB input stays RGB. RGBA input is flattened over several grey backgrounds, each is
    enlarged, and colour and alpha are solved per pixel (straight-alpha 8-bit PNG out).

    Batch: `enlarge FONT_OR_FOLDER... -o OUTDIR --size 2000` writes OUTDIR/glyph-*.png and
    the manifest OUTDIR/emoji-alpha.sqlite; a rerun resumes (see `emoji-alpha status`)."""
    from emoji_alpha.cli.solver_options import build_options

    solve_options = build_options(method=method, backgrounds=backgrounds, passes=passes, backproject=backproject,
                                  bp_kernel=bp_kernel, band_margin=band_margin, full=full, backend=backend,
                                  faint_alpha=faint_alpha, fast=fast, on_demand=on_demand,
                                  on_demand_residual=on_demand_residual)
    weights = default_weights(solve_options.method, weights)
    if half:
        from emoji_alpha.liif.upscaler import check_half

        check_half(device)
    if is_single(inputs, output):
        if any(value is not None for value in (only, limit, dask, naming)) or force or workers != 1:
            raise EmojiAlphaError("--only, --limit, --workers, --dask, --force and --naming are for batches; "
                                  "give -o a folder to run one")
        _single(inputs[0], output, size, scale, solve_options, keep_stack, debug_dir, device, threads, weights,
                memory_limit, chunk_size, half)
        return
    if output is None:
        raise EmojiAlphaError("a batch needs -o OUTDIR (the output folder)")
    if keep_stack is not None or debug_dir is not None:
        raise EmojiAlphaError("--keep-stack and --debug-dir work on one PNG file only")
    _batch(inputs, output, size=size, scale=scale, options=solve_options, workers=workers, memory_limit=memory_limit,
           dask_address=dask, only=only, limit=limit, force=force, weights=weights, device=device, threads=threads,
           chunk_size=chunk_size, half=half, naming=naming)


def default_weights(method: str, weights: str | None) -> str | None:
    """--method rgba-liif uses the 4-channel emoji weights unless --weights says otherwise."""
    from emoji_alpha.pipeline import RGBA_METHOD, RGBA_WEIGHTS

    return RGBA_WEIGHTS if method == RGBA_METHOD and weights is None else weights


def is_single(inputs: list[Path], output: Path | None) -> bool:
    """One input that is a PNG file, and -o absent or ending in .png: the single-file form."""
    if len(inputs) != 1 or inputs[0].is_dir() or inputs[0].suffix.lower() != ".png":
        return False
    return output is None or output.suffix.lower() == ".png"


def _single(source, output, size, scale, solve_options, keep_stack, debug_dir, device, threads, weights,
            memory_limit, chunk_size, half=False) -> None:
    from emoji_alpha.pipeline import enlarge_file
    from emoji_alpha.progress import log

    def make_upscaler():
        from emoji_alpha.liif import Upscaler

        limit = int(memory_limit * 2**30) if memory_limit else None
        return Upscaler(weights, device, chunk_size=chunk_size, threads=threads, memory_limit=limit, half=half, log=log)

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


def _batch(inputs: list[Path], out_dir: Path, **kwargs) -> None:
    from rich.console import Console

    from emoji_alpha.batch import report
    from emoji_alpha.batch.manifest import Manifest
    from emoji_alpha.batch.run import run_batch

    summary = run_batch(inputs, out_dir, **kwargs)
    console = Console()
    with Manifest.in_folder(out_dir, create=False) as manifest:
        for table in report.manifest_tables(manifest):
            console.print(table)
    console.print(f"this run: {summary.done} enlarged, {summary.skipped} already done, {summary.failed} failed "
                  f"in {summary.seconds:.1f}s ({summary.executor or 'nothing to run'})", highlight=False)
    if not summary.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("enlarge")(enlarge_command)
