"""The batch manifest: ``OUTDIR/emoji-alpha.sqlite``, one row per output glyph.

This module owns the schema. The table is written by one process only (the parent, or the
Dask client); workers send their results back. WAL mode lets ``emoji-alpha status`` and
tests read while a batch runs, and every state change is its own short transaction, so a
batch killed at any moment leaves a consistent table: rows are ``pending``, ``running``
(redone by the next run), ``done`` (the output file was written atomically *before* the
row) or ``failed``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from emoji_alpha.errors import DiskFullError, EmojiAlphaError, write_failure

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
class ManifestRow:
    """One row of the manifest: one output glyph of the batch (the columns of ``_SCHEMA``)."""

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


FIELDS = tuple(ManifestRow.__dataclass_fields__)


class UnusableManifestError(EmojiAlphaError):
    """The manifest file is damaged, not SQLite, or not ours: ``--rebuild-manifest`` sets it aside."""


#: The ``enlarge`` flag that sets a damaged manifest aside and starts a new one.
REBUILD_FLAG = "--rebuild-manifest"
#: Where ``--rebuild-manifest`` moves a damaged manifest (its -wal and -shm files follow it).
DAMAGED_SUFFIX = ".damaged"
#: Columns a table needs before we read it as a manifest (the others are added on open).
_REQUIRED_COLUMNS = {"name", "source", "status"}


def unusable(path: Path, reason: str) -> UnusableManifestError:
    reason = " ".join(reason.split())  # quick_check's findings span lines
    return UnusableManifestError(
        f"{path}: not a usable manifest ({reason}); run the batch again with {REBUILD_FLAG} to set it aside and "
        f"start a new one (every glyph is then redone), or delete {path}")


def database_error(path: Path, exc: sqlite3.Error) -> EmojiAlphaError:
    """One line for an SQLite error on the manifest, naming the fix."""
    code = getattr(exc, "sqlite_errorname", "")  # Python 3.11+; the message otherwise
    text = str(exc)
    if code == "SQLITE_FULL" or "database or disk is full" in text:
        return DiskFullError(f"no space left on the device for the manifest {path}; free some space and run again")
    if code in ("SQLITE_BUSY", "SQLITE_LOCKED") or "database is locked" in text:
        return EmojiAlphaError(f"{path}: the manifest is locked by another process ({text})")
    if code.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM")) \
            or "readonly" in text or "unable to open" in text or "disk I/O error" in text:
        return EmojiAlphaError(f"{path}: cannot use the manifest ({text})")
    return unusable(path, text)  # not a database, malformed, no such table or column


class Manifest:
    """The ``glyphs`` table of one output folder. Use as a context manager.

    Opening checks the file (SQLite, intact, a ``glyphs`` table with our key columns); a
    damaged one raises :class:`UnusableManifestError` naming the fix. Every SQLite error
    later becomes one :class:`EmojiAlphaError` line too (disk full: :class:`DiskFullError`).
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise EmojiAlphaError(f"{self.path}: no batch manifest here (run `emoji-alpha enlarge ... -o FOLDER` first)")
        if self.path.is_dir():
            raise unusable(self.path, "a folder, not a file")
        try:
            self.connection = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise database_error(self.path, exc) from None
        try:
            with self._translated():
                self.connection.row_factory = sqlite3.Row
                self._check_intact()
                if create:
                    self.connection.execute("PRAGMA journal_mode=WAL")
                    self.connection.execute("PRAGMA synchronous=NORMAL")
                    with self._transaction():
                        self.connection.execute(_SCHEMA)
                        self._add_missing_columns()
                        self.connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                self._check_columns(create)
        except BaseException:
            self.connection.close()
            raise

    def _check_intact(self) -> None:
        """Damage shows now, not halfway through a batch (quick_check reads every page: a
        manifest of thousands of glyphs takes milliseconds)."""
        found = self.connection.execute("PRAGMA quick_check(1)").fetchone()
        if found is None or found[0] != "ok":
            raise unusable(self.path, f"damaged: {found[0] if found else 'no answer from quick_check'}")

    def _check_columns(self, create: bool) -> None:
        have = {row[1] for row in self.connection.execute("PRAGMA table_info(glyphs)")}
        if not have and not create:  # a batch killed while creating it, or an empty file
            raise EmojiAlphaError(f"{self.path}: empty manifest (no glyphs table yet: was its batch stopped while "
                                  f"starting?); run the batch again (`emoji-alpha enlarge ... -o {self.path.parent}`)")
        if not _REQUIRED_COLUMNS <= have:
            missing = ", ".join(sorted(_REQUIRED_COLUMNS - have))
            raise unusable(self.path, f"its glyphs table has no {missing} column")

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """SQLite's errors as one-line EmojiAlphaErrors (programming errors stay as they are)."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError,
                                sqlite3.DataError, sqlite3.NotSupportedError)):
                raise
            raise database_error(self.path, exc) from None

    @staticmethod
    def set_aside_if_unusable(folder: str | Path) -> Path | None:
        """``--rebuild-manifest``: move a damaged manifest (and its -wal, -shm files) to
        ``emoji-alpha.sqlite.damaged`` so the batch starts a new one; returns where it went,
        or None when the manifest is missing or usable (then it is kept)."""
        path = Path(folder) / MANIFEST_NAME
        if not path.exists():
            return None
        try:
            Manifest(path, create=False).close()
            return None
        except UnusableManifestError:
            pass
        except EmojiAlphaError:
            return None  # empty (the batch fills it in), or disk full, locked: setting it aside would not help
        target = path.with_name(path.name + DAMAGED_SUFFIX)
        for suffix in ("-wal", "-shm"):  # an earlier damaged copy's: they would not match this one
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", ""):  # the database last: a crash midway leaves it where it was
            side = path.with_name(path.name + suffix)
            if side.exists():
                try:
                    os.replace(side, target.with_name(target.name + suffix))
                except OSError as exc:
                    raise write_failure(target, exc) from None
        return target

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
        with self._translated():
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.connection.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):  # SQLite may have rolled back already (disk full)
                    self.connection.execute("ROLLBACK")
                raise

    # -- reading -------------------------------------------------------------------------

    def get(self, name: str) -> ManifestRow | None:
        with self._translated():
            row = self.connection.execute("SELECT * FROM glyphs WHERE name = ?", (name,)).fetchone()
        return _to_row(row) if row is not None else None

    def rows(self, status: str | None = None) -> list[ManifestRow]:
        with self._translated():
            if status is None:
                found = self.connection.execute("SELECT * FROM glyphs ORDER BY name").fetchall()
            else:
                found = self.connection.execute("SELECT * FROM glyphs WHERE status = ? ORDER BY name",
                                                (status,)).fetchall()
        return [_to_row(row) for row in found]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        with self._translated():
            for status, count in self.connection.execute("SELECT status, COUNT(*) FROM glyphs GROUP BY status"):
                counts[status] = count
        return counts

    # -- writing (the parent / client only) ----------------------------------------------

    def put_pending(self, rows: Iterable[ManifestRow]) -> None:
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


class UnreadableManifestError(EmojiAlphaError):
    """:func:`read_rows` could not read a manifest; ``reason`` says why, without the path."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason


def read_rows(path: str | Path) -> list[ManifestRow] | None:
    """Every row of the manifest at ``path``, in table order, only read: nothing is created,
    migrated or written (nor left beside it), so a manifest of an older version (fewer
    columns: those are None) or one a batch is writing reads as it stands. None when there
    is no manifest file; an :class:`UnreadableManifestError` when it cannot be opened or
    read, has no ``glyphs`` table, or its table no ``name`` column (the report then lists the
    glyph files instead)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        connection = _connect_to_read(path)
    except sqlite3.OperationalError as exc:
        raise UnreadableManifestError(path, f"cannot open ({exc})") from None
    except sqlite3.Error as exc:
        raise UnreadableManifestError(path, f"unreadable ({exc})") from None
    try:
        connection.row_factory = sqlite3.Row
        columns = [row[1] for row in connection.execute("PRAGMA table_info(glyphs)")]
        if not columns:
            raise UnreadableManifestError(path, "no glyphs table")
        if "name" not in columns:
            raise UnreadableManifestError(path, "glyphs table has no name column")
        return [_to_row(row) for row in connection.execute("SELECT * FROM glyphs")]
    except sqlite3.Error as exc:
        raise UnreadableManifestError(path, f"unreadable ({exc})") from None
    finally:
        connection.close()


def _connect_to_read(path: Path) -> sqlite3.Connection:
    """A connection that only reads: opened read-write where the file allows it, so that when
    it is the last to close SQLite removes the WAL's -wal and -shm files (a read-only one leaves
    them beside the manifest); read-only where it must be (a write-protected file or folder)."""
    try:
        return _opened(path, "rw")
    except sqlite3.OperationalError:
        return _opened(path, "ro")


def _opened(path: Path, mode: str) -> sqlite3.Connection:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)
    try:
        connection.execute("PRAGMA schema_version")  # opens the file, so that a refusal shows now
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _to_row(row: sqlite3.Row) -> ManifestRow:
    have = row.keys()  # an older manifest read without adding columns (status, read_rows) lacks some
    return ManifestRow(**{key: row[key] if key in have else None for key in FIELDS})


def _values(row: ManifestRow) -> tuple:
    return tuple(getattr(row, key) for key in FIELDS)
