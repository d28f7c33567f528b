"""Rich summaries of a batch manifest, for ``emoji-alpha status`` and the end of a run."""

from __future__ import annotations

import json

from emoji_alpha.batch.manifest import STATUSES, Manifest

#: Failures listed in full; the rest are counted.
MAX_FAILURES_SHOWN = 20


#: How 'running' rows show when no batch is running in the folder: a killed batch left them.
INTERRUPTED = "interrupted"


def manifest_tables(manifest: Manifest, *, names: set[str] | None = None,
                    max_failures: int | None = MAX_FAILURES_SHOWN, interrupted: bool = False) -> list:
    """[counts per status with time spent, failures with reasons] as rich renderables.

    ``names`` limits the tables to those glyphs (the ones a run was asked for).
    ``interrupted``: no batch is running in the folder, so 'running' rows were left by one
    that was killed; they show as 'interrupted' (the next run redoes them).
    """
    from rich.table import Table

    rows = [row for row in manifest.rows() if names is None or row.name in names]
    shown_statuses = [INTERRUPTED if interrupted and status == "running" else status for status in STATUSES]
    counts = dict.fromkeys(shown_statuses, 0)
    busy = dict.fromkeys(shown_statuses, 0.0)
    for row in rows:
        status = INTERRUPTED if interrupted and row.status == "running" else row.status
        counts[status] = counts.get(status, 0) + 1  # a status of another version is shown as it is
        busy[status] = busy.get(status, 0.0) + _total_seconds(row.seconds)
    starts = [row.started_at for row in rows if row.started_at]
    ends = [row.finished_at for row in rows if row.finished_at]
    counts_table = Table(title=f"{manifest.path.parent}: {len(rows)} glyphs", title_justify="left")
    counts_table.add_column("status")
    counts_table.add_column("glyphs", justify="right")
    counts_table.add_column("glyph time", justify="right")
    colours = {"done": "green", "failed": "red", "running": "yellow", INTERRUPTED: "yellow", "pending": "dim"}
    for status in counts:
        counts_table.add_row(f"[{colours.get(status, 'magenta')}]{status}[/]", str(counts[status]),
                             _duration(busy[status]))
    counts_table.add_section()
    wall = max(ends) - min(starts) if starts and ends and max(ends) > min(starts) else 0.0
    counts_table.add_row("total", str(len(rows)), _duration(sum(busy.values())) + f" (wall {_duration(wall)})")
    tables: list = [counts_table]
    if counts.get(INTERRUPTED):
        from rich.text import Text

        tables.append(Text(f"{counts[INTERRUPTED]} {INTERRUPTED}: left running by a batch that was stopped "
                           "(killed?); the next run of the batch redoes them", style="yellow"))
    failed = [row for row in rows if row.status == "failed"]
    if failed:
        table = Table(title=f"{len(failed)} failed", title_justify="left", show_lines=False)
        table.add_column("glyph", style="red", no_wrap=True)
        table.add_column("reason", overflow="fold")
        shown = failed if max_failures is None else failed[:max_failures]
        for row in shown:
            table.add_row(row.name, (row.error or "unknown").splitlines()[0])
        if len(shown) < len(failed):
            table.add_row("…", f"{len(failed) - len(shown)} more: `emoji-alpha status --all` lists them all")
        tables.append(table)
    return tables


def _total_seconds(text: str | None) -> float:
    if not text:
        return 0.0
    try:
        value = json.loads(text).get("total", 0.0)
    except (json.JSONDecodeError, AttributeError):
        return 0.0
    return float(value) if isinstance(value, (int, float)) else 0.0


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
