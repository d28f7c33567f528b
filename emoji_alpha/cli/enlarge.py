"""``emoji-alpha enlarge``: enlarge an image with LIIF; RGBA glyphs get a solved alpha channel.

One input image (any format Pillow reads, or ``-`` for standard input) is the single-file
form: it writes one file (``-o`` names it and its format; ``-o -`` is standard output).
Several inputs, a font, a folder, or ``-o`` an existing folder or one ending in ``/`` make
a batch: see :mod:`emoji_alpha.batch`.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer

from emoji_alpha.cli import options
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.options import EnlargeOptions, LiifConfig


def enlarge_command(
    inputs: Annotated[list[str], typer.Argument(
        help="Input image (PNG in any flavour, JPEG, WebP, GIF/APNG first frame, BMP, TIFF; - for standard input), "
             "or for a batch: fonts, folders of PNGs, image files.", show_default=False)],
    output: options.Output = None,
    size: options.Size = None,
    scale: options.Scale = None,
    image_format: options.ImageFormat = None,
    method: options.Method = EnlargeOptions.method,
    backgrounds: options.Backgrounds = None,
    passes: options.Passes = None,
    backproject: options.Backproject = None,
    bp_kernel: options.BpKernel = None,
    band_margin: options.BandMargin = None,
    full: Annotated[bool, typer.Option("--full", help="Run LIIF for every background over every pixel (no edge band, nothing on demand).")] = False,
    faint_alpha: options.FaintAlpha = None,
    on_demand: options.OnDemand = None,
    on_demand_residual: options.OnDemandResidual = None,
    fast: Annotated[bool, typer.Option("--fast", help="Backgrounds on demand only where the fit is off by over 1 "
                                       "level, faint tails from a smooth enlargement (README, Benchmarks).")] = False,
    keep_stack: Annotated[Optional[Path], typer.Option("--keep-stack", help="Keep the K enlargements here for `emoji-alpha solve`.")] = None,
    debug_dir: options.DebugDir = None,
    device: options.Device = LiifConfig.device,
    half: options.Half = False,
    backend: options.Backend = EnlargeOptions.backend,
    threads: options.Threads = None,
    weights: options.Weights = None,
    memory_limit: options.MemoryLimit = None,
    chunk_size: options.ChunkSize = LiifConfig.chunk_size,
    only: options.Only = None,
    limit: options.Limit = None,
    workers: options.Workers = 1,
    dask: options.Dask = None,
    force: options.Force = False,
    rebuild_manifest: Annotated[bool, typer.Option(
        "--rebuild-manifest", help="Batch: if OUTDIR/emoji-alpha.sqlite is damaged, set it aside (as "
        "emoji-alpha.sqlite.damaged) and start a new one; every glyph is then redone.")] = False,
    naming: options.Naming = None,
    quiet: options.Quiet = False,
) -> None:
    """Enlarge images to --size (e.g. 2000 or 2000x1500) or by --scale with LIIF.

    RGB input stays RGB. RGBA input is flattened over several grey backgrounds, each is
    enlarged, and colour and alpha are solved per pixel (straight alpha out).

    One image: `enlarge glyph.png -o big.webp --size 2000` (PNG, WebP, TIFF or JPEG by the
    suffix); `cat glyph.png | enlarge - -o - -s 2000 > big.png` in a pipe.

    Batch: `enlarge FONT_OR_FOLDER... -o OUTDIR/ --size 2000` writes OUTDIR/glyph-*.png (or
    .webp / .tiff with --format) and the manifest OUTDIR/emoji-alpha.sqlite; a rerun resumes
    (see `emoji-alpha status`)."""
    from emoji_alpha.options import from_flags
    from emoji_alpha.progress import set_quiet

    if quiet:
        set_quiet(True)
    enlarge_options, liif = from_flags(
        method=method, backgrounds=backgrounds, passes=passes, backproject=backproject, bp_kernel=bp_kernel,
        band_margin=band_margin, full=full, backend=backend, faint_alpha=faint_alpha, fast=fast, on_demand=on_demand,
        on_demand_residual=on_demand_residual, weights=weights, device=device, chunk_size=chunk_size, threads=threads,
        memory_limit=memory_limit, half=half)
    if is_single(inputs, output):
        if (any(value is not None for value in (only, limit, dask, naming)) or force or rebuild_manifest
                or workers != 1):
            raise EmojiAlphaError("--only, --limit, --workers, --dask, --force, --naming and --rebuild-manifest are "
                                  "for batches; give -o a folder (ending in /) to run one")
        _single(inputs[0], output, image_format, size, scale, enlarge_options, liif, keep_stack, debug_dir)
        return
    check_batch_form(inputs, output, keep_stack, debug_dir)
    _batch([Path(item) for item in inputs], Path(output), size=size, scale=scale, options=enlarge_options, liif=liif,
           workers=workers, dask_address=dask, only=only, limit=limit, force=force, rebuild_manifest=rebuild_manifest,
           naming=naming, image_format=image_format)


def is_single(inputs: list[str], output: str | None) -> bool:
    """The single-file form: one input that is one image (``-``, a file that is no font, or a
    path that does not exist, whose error the reader gives) and an ``-o`` that is not a folder.
    A folder is written only for several inputs, a font, a folder, or ``-o`` an existing
    folder or ending in ``/``."""
    from emoji_alpha.images import STDIO
    from emoji_alpha.outputs import names_folder

    if len(inputs) != 1 or (output is not None and names_folder(output)):
        return False
    source = inputs[0]
    return source == STDIO or not (Path(source).is_dir() or looks_like_font(Path(source)))


def looks_like_font(path: Path) -> bool:
    """A font file by its suffix or, for a regular file, its first 4 bytes (never opened
    otherwise: reading a FIFO would block)."""
    from emoji_alpha.batch.run import FONT_SUFFIXES
    from emoji_alpha.fonts.extract import _FONT_MAGICS

    if path.suffix.lower() in FONT_SUFFIXES:
        return True
    try:
        if not path.is_file():
            return False
        with open(path, "rb") as handle:
            return handle.read(4) in _FONT_MAGICS
    except OSError:
        return False  # unreadable: the single-file reader says why


def check_batch_form(inputs: list[str], output: str | None, keep_stack: Path | None, debug_dir: Path | None) -> None:
    """Errors for options that make no sense for a batch, before anything is written."""
    from emoji_alpha.images import STDIO
    from emoji_alpha.outputs import format_for_suffix, names_folder

    if STDIO in inputs:
        raise EmojiAlphaError("- (standard input) holds one image; give it as the only input")
    if output is None:
        raise EmojiAlphaError("a batch needs -o OUTDIR/ (the output folder)")
    if output == STDIO or (format_for_suffix(output) is not None and not names_folder(output)):
        raise EmojiAlphaError(f"-o {output} names one file, but several inputs, a font or a folder write one file "
                              f"per glyph: give -o a folder, e.g. -o out/")
    if keep_stack is not None or debug_dir is not None:
        raise EmojiAlphaError("--keep-stack and --debug-dir work on one input image only")


def _single(source: str, output: str | None, image_format: str | None, size: str | None, scale: float | None,
            enlarge_options: EnlargeOptions, liif: LiifConfig, keep_stack: Path | None,
            debug_dir: Path | None) -> None:
    from emoji_alpha.images import FORMAT_TITLES
    from emoji_alpha.pipeline import enlarge_file
    from emoji_alpha.progress import log, say, warn

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target, result = enlarge_file(source, output, size=size, scale=scale, upscaler_factory=lambda: liif.build(log),
                                      options=enlarge_options, keep_stack=keep_stack, debug_dir=debug_dir,
                                      image_format=image_format)
    for warning in caught:
        warn(str(warning.message))
    for line in result.report.pass_lines():
        log(line)
    # With -o - the image is on stdout, so the message goes to stderr.
    image = f"{result.size[1]}x{result.size[0]} {FORMAT_TITLES[target.image_format]}"
    say(f"wrote {image} to standard output" if target.to_stdout else f"wrote {target} ({image})", err=target.to_stdout)


def _batch(inputs: list[Path], out_dir: Path, **kwargs) -> None:
    from rich.console import Console

    from emoji_alpha.batch import status
    from emoji_alpha.batch.manifest import Manifest
    from emoji_alpha.batch.run import run_batch
    from emoji_alpha.progress import is_quiet

    quiet = is_quiet()
    summary = run_batch(inputs, out_dir, show_progress=not quiet, **kwargs)
    if quiet:  # errors are still shown: one line per failed glyph
        for name, error in summary.failures:
            typer.echo(f"error: {name}: {error.splitlines()[0] if error else 'failed'}", err=True)
    else:
        console = Console()
        with Manifest.in_folder(out_dir, create=False) as manifest:
            for table in status.manifest_tables(manifest):
                console.print(table)
        console.print(f"this run: {summary.done} enlarged, {summary.skipped} already done, {summary.failed} failed "
                      f"in {summary.seconds:.1f}s ({summary.executor or 'nothing to run'})", highlight=False)
    if not summary.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("enlarge")(enlarge_command)
