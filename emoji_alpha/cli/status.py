"""``emoji-alpha status``: what a batch output folder holds (counts, failures, time)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def status_command(
    folder: Annotated[Path, typer.Argument(help="A batch output folder (holds emoji-alpha.sqlite).", show_default=False)],
    all_failures: Annotated[bool, typer.Option("--all", help="List every failure, not only the first ones.")] = False,
) -> None:
    """Summarise a batch: glyphs per status, failures with their reasons, time spent."""
    from emoji_alpha.batch import report
    from emoji_alpha.batch.manifest import Manifest
    from rich.console import Console

    console = Console()
    with Manifest.in_folder(folder, create=False) as manifest:
        for table in report.manifest_tables(manifest, max_failures=None if all_failures else report.MAX_FAILURES_SHOWN):
            console.print(table)


def register(app: typer.Typer) -> None:
    app.command("status")(status_command)
