"""The batch manifest: ``OUTDIR/emoji-alpha.sqlite``, one row per output glyph.

This module owns the schema. The table is written by one process only (the parent, or the
Dask client); workers send their results back. WAL mode lets ``emoji-alpha status`` and
tests read while a batch runs, and every state change is its own short transaction, so a
batch killed at any moment leaves a consistent table: rows are ``pending``, ``running``
(redone by the next run), ``done`` (the output file was written atomically *before* the
row) or ``failed``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from emoji_alpha.errors import EmojiAlphaError

MANIFEST_NAME = "emoji-alpha.sqlite"
STATUSES = ("pending", "running", "done", "failed")
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS glyphs (
    name TEXT PRIMARY KEY,              -- output file name inside OUTDIR, e.g. glyph-u1F343.png
    source TEXT NOT NULL,               -- input image path
    source_sha256 TEXT,                 -- of the input file's bytes
    codepoints TEXT NOT NULL DEFAULT '',-- hex, space separated ('' if unknown)
    backgrounds TEXT,                   -- grey levels 0..255, comma separated
    size TEXT,                          -- output WxH
    method TEXT,
    passes INTEGER,
    options TEXT,                       -- JSON of every solver option (resume redoes a glyph when they change)
    weights_sha256 TEXT,
    version TEXT,                       -- emoji-alpha version that made the output
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    error TEXT,
    seconds TEXT,                       -- JSON: per-stage timings, plus 'total'
    loss REAL,                          -- re-compositing loss, levels^2 per pixel
    consistency_alpha_mae REAL,         -- alpha MAE against the input, levels
    output_sha256 TEXT,
    started_at REAL,                    -- unix time
    finished_at REAL,
    worker TEXT                         -- where it ran: host:pid
)
"""


@dataclass
class GlyphRow:
    name: str
    source: str
    status: str
    source_sha256: str | None = None
    codepoints: str = ""
    backgrounds: str | None = None
    size: str | None = None
    method: str | None = None
    passes: int | None = None
    options: str | None = None
    weights_sha256: str | None = None
    version: str | None = None
    error: str | None = None
    seconds: str | None = None
    loss: float | None = None
    consistency_alpha_mae: float | None = None
    output_sha256: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    worker: str | None = None


FIELDS = tuple(GlyphRow.__dataclass_fields__)


class Manifest:
    """The ``glyphs`` table of one output folder. Use as a context manager."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise EmojiAlphaError(f"{self.path}: no batch manifest here (run `emoji-alpha enlarge ... -o FOLDER` first)")
        try:
            self.connection = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self.connection.row_factory = sqlite3.Row
            if create:
                self.connection.execute("PRAGMA journal_mode=WAL")
                self.connection.execute("PRAGMA synchronous=NORMAL")
                with self._transaction():
                    self.connection.execute(_SCHEMA)
                    self._add_missing_columns()
                    self.connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise EmojiAlphaError(f"{self.path}: not a usable manifest ({exc})") from None

    def _add_missing_columns(self) -> None:
        """A manifest from an older version gets the columns added since (NULL for old rows)."""
        have = {row[1] for row in self.connection.execute("PRAGMA table_info(glyphs)")}
        for line in _SCHEMA.splitlines():
            words = line.strip().split()
            if len(words) >= 2 and words[0] in FIELDS and words[0] not in have:
                self.connection.execute(f"ALTER TABLE glyphs ADD COLUMN {words[0]} {words[1].rstrip(',')}")

    @classmethod
    def in_folder(cls, folder: str | Path, *, create: bool = True) -> Manifest:
        return cls(Path(folder) / MANIFEST_NAME, create=create)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    # -- reading -------------------------------------------------------------------------

    def get(self, name: str) -> GlyphRow | None:
        row = self.connection.execute("SELECT * FROM glyphs WHERE name = ?", (name,)).fetchone()
        return _to_row(row) if row is not None else None

    def rows(self, status: str | None = None) -> list[GlyphRow]:
        if status is None:
            found = self.connection.execute("SELECT * FROM glyphs ORDER BY name")
        else:
            found = self.connection.execute("SELECT * FROM glyphs WHERE status = ? ORDER BY name", (status,))
        return [_to_row(row) for row in found]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for status, count in self.connection.execute("SELECT status, COUNT(*) FROM glyphs GROUP BY status"):
            counts[status] = count
        return counts

    # -- writing (the parent / client only) ----------------------------------------------

    def put_pending(self, rows: Iterable[GlyphRow]) -> None:
        """Insert or reset rows to ``pending`` (results of an earlier run are cleared)."""
        sql = (f"INSERT OR REPLACE INTO glyphs ({', '.join(FIELDS)}) "
               f"VALUES ({', '.join('?' * len(FIELDS))})")
        with self._transaction():
            self.connection.executemany(sql, [_values(row) for row in rows])

    def mark_running(self, name: str, started_at: float | None = None) -> None:
        self._update(name, status="running", started_at=started_at or time.time(), finished_at=None, error=None)

    def mark_finished(self, name: str, **fields) -> None:
        """Record a result: ``status`` is 'done' or 'failed', plus any other columns."""
        if fields.get("status") not in ("done", "failed"):
            raise ValueError(f"finished rows are done or failed, got {fields.get('status')!r}")
        fields.setdefault("finished_at", time.time())
        self._update(name, **fields)

    def reset_running(self) -> int:
        """Rows left ``running`` (by a killed or interrupted run) go back to ``pending``."""
        with self._transaction():
            return self.connection.execute(
                "UPDATE glyphs SET status = 'pending', started_at = NULL WHERE status = 'running'").rowcount

    def _update(self, name: str, **fields) -> None:
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown manifest columns: {', '.join(sorted(unknown))}")
        assignments = ", ".join(f"{key} = ?" for key in fields)
        with self._transaction():
            changed = self.connection.execute(f"UPDATE glyphs SET {assignments} WHERE name = ?",
                                              (*fields.values(), name)).rowcount
        if changed != 1:
            raise KeyError(f"no manifest row named {name!r}")


def _to_row(row: sqlite3.Row) -> GlyphRow:
    return GlyphRow(**{key: row[key] for key in FIELDS})


def _values(row: GlyphRow) -> tuple:
    return tuple(getattr(row, key) for key in FIELDS)
