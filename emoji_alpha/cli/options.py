"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

Device = Annotated[str, typer.Option("--device", "-d", help="cpu, cuda or auto (cuda when available).")]
Half = Annotated[bool, typer.Option("--half", help="float16 LIIF on a GPU (approximate: benchmarks/results/device_speed.md).")]
Threads = Annotated[Optional[int], typer.Option("--threads", "-j", min=1, help="CPU threads for torch (default: all cores).")]
Weights = Annotated[Optional[str], typer.Option(
    "--weights", "-w", help="emoji (default: fine-tuned on emoji, shipped), official (the DIV2K-trained LIIF, "
    "fetched once), emoji-rgba (4-channel, for --method rgba-liif), or a LIIF checkpoint (.pth).")]
Output = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="Output PNG for one PNG input (default: next to it, named by size); a folder for a batch.")]
Size = Annotated[Optional[str], typer.Option("--size", "-s", help="Output size: N (longer side) or WxH.")]
Scale = Annotated[Optional[float], typer.Option("--scale", help="Scale factor instead of --size, e.g. 12.5.")]
MemoryLimit = Annotated[Optional[float], typer.Option(
    "--memory-limit", help="Memory budget in GiB, for all workers together (default: 80% of RAM).")]
ChunkSize = Annotated[int, typer.Option("--chunk-size", min=1, help="Output pixels decoded per LIIF chunk (memory vs speed).")]
Passes = Annotated[Optional[int], typer.Option("--passes", "-p", min=0, help="Refinement passes (uniform, partial, ...).")]
FaintAlpha = Annotated[Optional[int], typer.Option(
    "--faint-alpha", min=0, max=254, help="Take footprints with input alpha <= this level (0-254) from a smooth "
    "enlargement, not K LIIF ones: faster on wide faint shadows, slightly less accurate (default 0: off).")]
OnDemand = Annotated[Optional[str], typer.Option(
    "--on-demand", help="Grey levels (among --backgrounds) decoded in the edge band only where the fit over the "
    "others is off by more than --on-demand-residual; 'none': every level everywhere (default 64,192).")]
OnDemandResidual = Annotated[Optional[float], typer.Option(
    "--on-demand-residual", min=0.0, help="RMS residual in 8-bit levels above which the on-demand backgrounds are "
    "decoded (default 0.25; 0: everywhere in the band).")]
Backproject = Annotated[Optional[int], typer.Option("--backproject", min=0, help="Back-projection iterations onto the input (0: off).")]
BpKernel = Annotated[Optional[str], typer.Option("--bp-kernel", help="Back-projection kernel: box or bilinear.")]
Backend = Annotated[str, typer.Option("--backend", help="Solver backend: auto (torch for small bands, where numba's ~0.8 s start-up costs more than the solve; numba otherwise), numba (CPU) or torch.")]
DebugDir = Annotated[Optional[Path], typer.Option("--debug-dir", help="Write the loss map and each pass's mask as PNGs here.")]

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
