"""Rich progress display on stderr, shared by the commands (quiet when not a terminal), and
the ``--quiet`` switch: no bars, no info lines; warnings and errors are still shown."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

console = Console(stderr=True)

_quiet = False


def set_quiet(quiet: bool) -> bool:
    """``--quiet``: silence :func:`log`, :func:`say` and the bars; returns the previous setting."""
    global _quiet
    previous, _quiet = _quiet, quiet
    return previous


def is_quiet() -> bool:
    return _quiet


def log(message: str) -> None:
    """An info line on stderr (rich markup), unless quiet."""
    if not _quiet:
        console.print(message, highlight=False)


def warn(message: str) -> None:
    """A warning on stderr, shown even when quiet (it says the result may not be what was asked)."""
    console.print(f"[yellow]warning:[/] {message}", highlight=False)


def say(message: str, *, err: bool = False) -> None:
    """A plain result line (``wrote big.png``) on stdout, or stderr when stdout carries the
    image itself; nothing when quiet."""
    if not _quiet:
        print(message, file=sys.stderr if err else sys.stdout, flush=True)


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
    if not _bars_enabled or _quiet:
        yield lambda n: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=False, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
