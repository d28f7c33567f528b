"""Options shared by several commands, defined once.

Options whose real default lives in the library (:mod:`emoji_alpha.options`) are ``None``
here so that "not given" can be told apart; their ``show_default`` text says the default,
and tests/test_cli_conventions.py checks it against the library's. The choices of
``--method``, ``--bp-kernel`` and ``--backend`` are the library's lists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from emoji_alpha.methods import NAMES, method_help
from emoji_alpha.options import BP_KERNELS, SOLVER_BACKENDS


def device_name(value: str) -> str:
    """--device's check at parse time (torch-free): the usage error names the choices."""
    from emoji_alpha.errors import EmojiAlphaError
    from emoji_alpha.options import check_device_name

    try:
        return check_device_name(value)
    except EmojiAlphaError as exc:
        raise typer.BadParameter(str(exc)) from None


MethodName = Literal[NAMES]
KernelName = Literal[BP_KERNELS]
BackendName = Literal[SOLVER_BACKENDS]
FormatName = Literal["png", "webp", "tiff", "jpeg"]

Device = Annotated[str, typer.Option("--device", "-d", metavar="cpu|cuda|cuda:N|auto", callback=device_name,
                                     help="Where LIIF runs (cuda:N: GPU number N; auto: cuda when available).")]
Half = Annotated[bool, typer.Option("--half", help="float16 LIIF on a GPU (approximate: benchmarks/results/device_speed.md).")]
Threads = Annotated[Optional[int], typer.Option("--threads", "-j", min=1, show_default="all cores",
                                                help="CPU threads for torch.")]
#: --threads without the -j short flag, for commands whose -j is --jobs.
ThreadsLong = Annotated[Optional[int], typer.Option("--threads", min=1, show_default="all cores",
                                                    help="CPU threads for torch.")]
Weights = Annotated[Optional[str], typer.Option(
    "--weights", "-w", show_default="emoji", help="emoji (fine-tuned on emoji, shipped), official (the "
    "DIV2K-trained LIIF, fetched once), emoji-fast (the fast emoji decoder, shipped), emoji-rgba (4-channel, "
    "for --method rgba-liif), or a LIIF checkpoint (.pth).")]
# str, not Path: Path() drops the trailing slash that makes `-o out/` a folder.
Output = Annotated[Optional[str], typer.Option(
    "--output", "-o", show_default=False, help="Output file for one input, in the format its suffix names (.png, "
    ".webp, .tiff, .jpg; default: next to the input, named by size); - for standard output; a folder (existing, or "
    "ending in /) for a batch.")]
ImageFormat = Annotated[Optional[FormatName], typer.Option(
    "--format", "-f", show_default="png, or -o's suffix", help="Output image format (WebP lossless; JPEG only for "
    "opaque results); needed for -o - when not PNG. A batch writes png, webp or tiff.")]
Size = Annotated[Optional[str], typer.Option("--size", "-s", help="Output size: N (longer side) or WxH.")]
Scale = Annotated[Optional[float], typer.Option("--scale", help="Scale factor instead of --size, e.g. 12.5.")]
MemoryLimit = Annotated[Optional[float], typer.Option(
    "--memory-limit", show_default="80% of RAM", help="Memory budget in GiB, for all workers together.")]
ChunkSize = Annotated[int, typer.Option("--chunk-size", min=1, help="Output pixels decoded per LIIF chunk (memory vs speed).")]
Method = Annotated[MethodName, typer.Option("--method", "-m", help=method_help())]
Backgrounds = Annotated[Optional[str], typer.Option(
    "--backgrounds", "-b", show_default="0,64,192,255", help="Grey levels 0..255 the glyph is flattened over, "
    "comma-separated.")]
BandMargin = Annotated[Optional[int], typer.Option("--band-margin", min=0, show_default="0",
                                                   help="Edge-band margin in input pixels.")]
Passes = Annotated[Optional[int], typer.Option("--passes", "-p", min=0, show_default="0",
                                               help="Refinement passes (uniform, partial, ...).")]
FaintAlpha = Annotated[Optional[int], typer.Option(
    "--faint-alpha", min=0, max=254, show_default="0: off", help="Take footprints with input alpha <= this level "
    "(0-254) from a smooth enlargement, not K LIIF ones: faster on wide faint shadows, slightly less accurate.")]
OnDemand = Annotated[Optional[str], typer.Option(
    "--on-demand", show_default="64,192", help="Grey levels (among --backgrounds) decoded in the edge band only where "
    "the fit over the others is off by more than --on-demand-residual; 'none': every level everywhere.")]
OnDemandResidual = Annotated[Optional[float], typer.Option(
    "--on-demand-residual", min=0.0, show_default="0.25", help="RMS residual in 8-bit levels above which the "
    "on-demand backgrounds are decoded (0: everywhere in the band).")]
Backproject = Annotated[Optional[int], typer.Option("--backproject", min=0, show_default="10",
                                                    help="Back-projection iterations onto the input (0: off).")]
BpKernel = Annotated[Optional[KernelName], typer.Option("--bp-kernel", show_default="bilinear",
                                                        help="Back-projection kernel.")]
Backend = Annotated[BackendName, typer.Option("--backend", help="Backend of the solve, back-projection and checks: auto (numba from 1000 x 1000 output pixels up; torch below, where numba's ~1 s start-up costs more than it saves), numba (CPU) or torch.")]
DebugDir = Annotated[Optional[Path], typer.Option("--debug-dir", help="Write the loss map and each pass's mask as PNGs here.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or info lines; warnings and errors are still shown.")]

# Batch runs (several inputs, fonts, folders).
Only = Annotated[Optional[str], typer.Option("--only", help="Batch: only these glyphs, comma-separated, e.g. u1F343,u2764.")]
Limit = Annotated[Optional[int], typer.Option("--limit", min=0, help="Batch: at most N glyphs (after --only).")]
Workers = Annotated[int, typer.Option("--workers", min=1, help="Batch: worker processes (fewer if --memory-limit says so).")]
Dask = Annotated[Optional[str], typer.Option("--dask", help="Batch: run on this Dask scheduler, e.g. tcp://host:8786.")]
Force = Annotated[bool, typer.Option("--force", help="Batch: redo glyphs the manifest says are done.")]

# Fonts (extract, and enlarge on a font).
Naming = Annotated[Optional[str], typer.Option(
    "--naming", help="Font glyph file names: sequence (default: by codepoints, glyph-u1F44B_u1F3FB.png) or glyph "
    "(by the font's glyph names, Apple's glyph-u1F44B.1.png).", show_default=False)]
