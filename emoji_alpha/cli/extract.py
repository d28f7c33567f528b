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
        output: Optional[Path] = typer.Option(None, "--output", "-o", show_default=False,
                                              help="Output folder (created if needed)."),
        out: Optional[Path] = typer.Option(None, "--out", hidden=True, help="Old name of --output."),
        only: Optional[str] = typer.Option(
            None, "--only", help="Comma-separated glyphs to extract, e.g. u1F343,u1F1FA_u1F1F8."
        ),
        strike: Optional[int] = typer.Option(None, "--strike", show_default="largest", help="Bitmap strike (ppem)."),
        size: int = typer.Option(160, "--size", help="Pixel size for vector (COLR/SVG) glyphs."),
        naming: options.Naming = None,
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary; errors are still shown."),
    ) -> None:
        """Write every colour glyph as glyph-<codepoints>.png plus a glyphs.sqlite table
        (every codepoint sequence of each glyph). Each face of a .ttc collection of several
        goes into its own subfolder face-<index>/.

        sbix JPEG and TIFF glyphs are written as RGBA PNGs; a glyph whose image cannot be
        decoded is skipped with a one-line warning."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from emoji_alpha.errors import EmojiAlphaError
        from emoji_alpha.fonts.extract import extract_glyphs
        from emoji_alpha.fonts.naming import DEFAULT_NAMING
        from emoji_alpha.progress import is_quiet, say, set_quiet

        if quiet:
            set_quiet(True)
        if output is not None and out is not None and output != out:
            raise EmojiAlphaError("give the output folder once (-o/--output; --out is its old name)")
        out = output or out
        if out is None:
            raise EmojiAlphaError("extract needs -o OUTDIR (the folder for the glyph PNGs)")

        wanted = [item for item in only.split(",")] if only is not None else None
        console = Console(stderr=True)
        with Progress(
            TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, transient=True, disable=is_quiet() or not console.is_terminal,  # no stray blank line in logs
        ) as bar:
            task = bar.add_task("extract", total=None)
            skipped = []

            def warn(glyph) -> None:
                skipped.append(glyph)
                console.print(f"[yellow]warning:[/] {glyph.message(font.name)}", highlight=False, soft_wrap=True)

            records = extract_glyphs(
                font, out, only=wanted, strike=strike, size=size, naming=DEFAULT_NAMING if naming is None else naming,
                progress=lambda done, total: bar.update(task, completed=done, total=total), on_skip=warn,
            )
        if "/" in records[0].file:  # a collection of several faces, each in its subfolder: a line each
            for face in sorted({record.face for record in records}):
                mine = [r for r in records if r.face == face]
                left_out = sum(1 for g in skipped if g.file.startswith(f"face-{face}/"))
                left_out_text = f", {left_out} skipped" if left_out else ""
                say(f"{len(mine)} glyphs from {font.name} face {face} ({mine[0].source}, {mine[0].strike})"
                    f"{left_out_text} -> {out / f'face-{face}'}")
            return
        left_out = f", {len(skipped)} skipped" if skipped else ""
        say(f"{len(records)} glyphs from {font.name} ({records[0].source}, {records[0].strike}){left_out} -> {out}")
