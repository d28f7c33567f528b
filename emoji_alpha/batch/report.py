"""Rich summaries of a batch manifest, for ``emoji-alpha status`` and the end of a run."""

from __future__ import annotations

import json

from emoji_alpha.batch.manifest import STATUSES, Manifest

#: Failures listed in full; the rest are counted.
MAX_FAILURES_SHOWN = 20


def manifest_tables(manifest: Manifest, *, names: set[str] | None = None,
                    max_failures: int | None = MAX_FAILURES_SHOWN) -> list:
    """[counts per status with time spent, failures with reasons] as rich renderables.

    ``names`` limits the tables to those glyphs (the ones a run was asked for).
    """
    from rich.table import Table

    rows = [row for row in manifest.rows() if names is None or row.name in names]
    counts = dict.fromkeys(STATUSES, 0)
    busy = dict.fromkeys(STATUSES, 0.0)
    for row in rows:
        counts[row.status] += 1
        busy[row.status] += _total_seconds(row.seconds)
    starts = [row.started_at for row in rows if row.started_at]
    ends = [row.finished_at for row in rows if row.finished_at]
    counts_table = Table(title=f"{manifest.path.parent}: {len(rows)} glyphs", title_justify="left")
    counts_table.add_column("status")
    counts_table.add_column("glyphs", justify="right")
    counts_table.add_column("glyph time", justify="right")
    colours = {"done": "green", "failed": "red", "running": "yellow", "pending": "dim"}
    for status in STATUSES:
        counts_table.add_row(f"[{colours[status]}]{status}[/]", str(counts[status]), _duration(busy[status]))
    counts_table.add_section()
    wall = max(ends) - min(starts) if starts and ends and max(ends) > min(starts) else 0.0
    counts_table.add_row("total", str(len(rows)), _duration(sum(busy.values())) + f" (wall {_duration(wall)})")
    tables = [counts_table]
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
