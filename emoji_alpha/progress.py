"""Rich progress display on stderr, shared by the commands (quiet when not a terminal)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

console = Console(stderr=True)


def log(message: str) -> None:
    console.print(message, highlight=False)


_bars_enabled = True


def set_bars_enabled(enabled: bool) -> bool:
    """Turn the per-stage bars of :func:`progress_bar` on or off (batch runs show their own
    bar, and worker processes show none); returns the previous setting."""
    global _bars_enabled
    previous, _bars_enabled = _bars_enabled, enabled
    return previous


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A bar with ETA; yields ``advance(n)``."""
    if not _bars_enabled:
        yield lambda n: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=False, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
