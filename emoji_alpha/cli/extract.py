"""``emoji-alpha extract``: colour emoji font -> one RGBA PNG per glyph + glyphs.sqlite."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from emoji_alpha.cli import options


def register(app: typer.Typer) -> None:
    """Add the ``extract`` command to ``app``."""

    @app.command()
    def extract(
        font: Path = typer.Argument(..., help="Colour emoji font (sbix, CBDT, COLR or SVG)."),
        out: Path = typer.Option(..., "-o", "--out", help="Output folder (created if needed)."),
        only: Optional[str] = typer.Option(
            None, "--only", help="Comma-separated glyphs to extract, e.g. u1F343,u1F1FA_u1F1F8."
        ),
        strike: Optional[int] = typer.Option(None, "--strike", help="Bitmap strike (ppem); default largest."),
        size: int = typer.Option(160, "--size", help="Pixel size for vector (COLR/SVG) glyphs."),
        naming: options.Naming = None,
    ) -> None:
        """Write every colour glyph as glyph-<codepoints>.png plus a glyphs.sqlite table
        (every codepoint sequence of each glyph). Each face of a .ttc collection of several
        goes into its own subfolder face-<index>/."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from emoji_alpha.fonts.extract import extract_glyphs
        from emoji_alpha.fonts.naming import DEFAULT_NAMING

        wanted = [item for item in only.split(",")] if only is not None else None
        console = Console(stderr=True)
        with Progress(
            TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, transient=True,
        ) as bar:
            task = bar.add_task("extract", total=None)
            records = extract_glyphs(
                font, out, only=wanted, strike=strike, size=size, naming=DEFAULT_NAMING if naming is None else naming,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if "/" in records[0].file:  # a collection of several faces, each in its subfolder: a line each
            for face in sorted({record.face for record in records}):
                mine = [r for r in records if r.face == face]
                typer.echo(f"{len(mine)} glyphs from {font.name} face {face} ({mine[0].source}, {mine[0].strike}) "
                           f"-> {out / f'face-{face}'}")
            return
        typer.echo(f"{len(records)} glyphs from {font.name} ({records[0].source}, {records[0].strike}) -> {out}")
