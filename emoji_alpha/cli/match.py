"""``emoji-alpha match``: pair extracted glyphs with a reference folder."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the ``match`` command to ``app``."""

    @app.command()
    def match(
        folder: Path = typer.Argument(..., help="Folder of extracted glyph PNGs."),
        ref_folder: Path = typer.Argument(..., help="Reference folder of PNGs."),
        max_distance: int = typer.Option(10, "--max-distance", help="Largest phash distance (of 64) to pair."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Pair files by codepoint name, then by perceptual hash; list what is left over."""
        from emoji_alpha.fonts.match import match_folders

        result = match_folders(folder, ref_folder, max_distance=max_distance)
        if as_json:
            typer.echo(json.dumps(result.to_dict(), indent=2))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(result.pairs)} pairs")
        for column in ("file", "reference", "by", "distance"):
            table.add_column(column)
        for pair in result.pairs:
            table.add_row(pair.file, pair.ref, pair.method, "" if pair.distance is None else str(pair.distance))
        for name in result.unmatched:
            table.add_row(name, "[red]unmatched[/red]", "", "")
        for name in result.unmatched_ref:
            table.add_row("[red]unmatched[/red]", name, "", "")
        Console().print(table)
