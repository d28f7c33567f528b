"""``emoji-alpha report``: comparison grids and an HTML gallery for an output folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from emoji_alpha.cli import options
from emoji_alpha.methods import PEERS


def report_command(
    out_dir: Annotated[Path, typer.Argument(help="Output folder of `emoji-alpha enlarge ... -o DIR`.", show_default=False)],
    only: Annotated[Optional[str], typer.Option("--only", help="Glyphs that get a grid, e.g. u1F343,glyph-u1F4A8.")] = None,
    grids: Annotated[str, typer.Option("--grids", help="Which other glyphs get a grid: all, none, N or 'N worst' (by loss).")] = "50 worst",
    compare: Annotated[Optional[str], typer.Option("--compare", help=f"Peer methods beside the result: {','.join(PEERS)}.")] = None,
    zoom: Annotated[Optional[str], typer.Option("--zoom", help="Close-up X,Y,W,H in output pixels, added to every grid.")] = None,
    panel: Annotated[int, typer.Option("--panel", min=32, help="Grid panel size in pixels.")] = 256,
    thumb_size: Annotated[int, typer.Option("--thumb-size", min=16, help="Gallery thumbnail size in pixels.")] = 256,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, show_default="cores, at most 8", help="Processes for thumbnails.")] = None,
    device: options.Device = "cpu",
    threads: options.ThreadsLong = None,  # -j is --jobs here
    weights: options.Weights = None,
    quiet: options.Quiet = False,
) -> None:
    """Write OUTDIR/index.html (a gallery of every glyph, sortable by loss) and comparison grids
    (input, each background's LIIF enlargement, alpha, composites, loss and pass masks) under
    OUTDIR/report/. LIIF runs only where no kept stack exists or for --compare."""
    from emoji_alpha.progress import log, say, set_quiet
    from emoji_alpha.report import write_report
    from emoji_alpha.report.grid import parse_zoom

    if quiet:
        set_quiet(True)
    zoom_box = parse_zoom(zoom)

    def make_upscaler():
        from emoji_alpha.liif import Upscaler

        return Upscaler(weights, device, threads=threads, log=log)

    summary = write_report(out_dir, only=[t for t in (only or "").split(",") if t.strip()],
                           compare=[m for m in (compare or "").split(",") if m.strip()], zoom=zoom_box, grids=grids,
                           upscaler_factory=make_upscaler, panel=panel, thumb_size=thumb_size, jobs=jobs)
    seconds = summary.seconds
    say(f"wrote {summary.index} ({summary.glyphs} glyphs, {summary.failed} failed or missing; "
               f"{summary.thumbs_written} thumbnails made, {summary.thumbs_cached} up to date; "
               f"{len(summary.grids)} grids; {seconds['total']:.1f} s)")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
