"""``emoji-alpha status``: what a batch output folder holds (counts, failures, time)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def status_command(
    folder: Annotated[Path, typer.Argument(help="A batch output folder (holds emoji-alpha.sqlite).", show_default=False)],
    all_failures: Annotated[bool, typer.Option("--all", help="List every failure, not only the first ones.")] = False,
) -> None:
    """Summarise a batch: glyphs per status, failures with their reasons, time spent.

    Glyphs a killed batch left running show as 'interrupted' (the next run redoes them)."""
    from rich.console import Console

    from emoji_alpha.batch import status
    from emoji_alpha.batch.manifest import Manifest
    from emoji_alpha.batch.run import batch_running_in

    console = Console()
    interrupted = not batch_running_in(folder)  # the lock, not the rows, says whether one runs
    with Manifest.in_folder(folder, create=False) as manifest:
        tables = status.manifest_tables(manifest, max_failures=None if all_failures else status.MAX_FAILURES_SHOWN,
                                        interrupted=interrupted)
    for table in tables:
        console.print(table)


def register(app: typer.Typer) -> None:
    app.command("status")(status_command)
