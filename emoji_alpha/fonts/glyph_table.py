"""The glyph table of an extraction folder: ``glyphs.sqlite``, table ``glyphs``, one row per
extracted glyph file (:class:`ExtractedGlyph`).

This module owns the format: :mod:`emoji_alpha.fonts.extract` writes it (:func:`save`) and
everything else reads it through :func:`read_sequences`. Re-running an extraction upserts
rows by file name; a table from an older version gets the columns added since on the next
write, and reads as it stands (without them) until then.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from emoji_alpha.errors import DiskFullError, EmojiAlphaError
from emoji_alpha.fonts import naming

DB_NAME = "glyphs.sqlite"


@dataclass(frozen=True)
class ExtractedGlyph:
    """One extracted glyph, as written to disk and to the glyph table."""

    #: path inside the output folder, e.g. ``glyph-u1F343.png`` (``face-1/glyph-u1F343.png``
    #: for the second face of a collection; its own table says ``glyph-u1F343.png``)
    file: str
    #: the sequence the file stands for, as hex, space separated, VS16 dropped; '' if none
    codepoints: str
    #: every sequence that reaches the glyph, best first, comma separated ("1F1FA 1F1F2, 1F1FA 1F1F8")
    sequences: str
    glyph_name: str
    glyph_id: int
    font: str  #: font file name
    face: int  #: index of the font in a ``.ttc`` collection (0 for a single font)
    source: str  #: 'sbix', 'CBDT', 'COLR' or 'SVG'
    strike: int  #: ppem of the bitmap strike, or the render size for vector glyphs
    width: int
    height: int
    sha256: str  #: of the PNG file's bytes
    bearing_x: int | None = None  #: bitmap metrics where the font has them (CBDT, sbix origin)
    bearing_y: int | None = None
    advance: int | None = None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS glyphs (
    file TEXT PRIMARY KEY,
    codepoints TEXT NOT NULL,
    sequences TEXT NOT NULL DEFAULT '',
    glyph_name TEXT NOT NULL,
    glyph_id INTEGER NOT NULL,
    font TEXT NOT NULL,
    face INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    strike INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    bearing_x INTEGER,
    bearing_y INTEGER,
    advance INTEGER
)
"""


#: Columns added since the first version of the table, added to older tables on the next run.
_ADDED_COLUMNS = {"sequences": "TEXT NOT NULL DEFAULT ''", "face": "INTEGER NOT NULL DEFAULT 0"}


def save(out_dir: Path, glyphs: list[ExtractedGlyph]) -> None:
    """Upsert ``glyphs`` (files named relative to ``out_dir``) into ``out_dir/glyphs.sqlite``."""
    fields = list(ExtractedGlyph.__dataclass_fields__)
    sql = f"INSERT OR REPLACE INTO glyphs ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"
    path = out_dir / DB_NAME
    try:
        connection = sqlite3.connect(path)
        try:
            with connection:  # one transaction: the table is updated whole or not at all
                connection.execute(_SCHEMA)
                present = {row[1] for row in connection.execute("PRAGMA table_info(glyphs)")}
                for column, kind in _ADDED_COLUMNS.items():
                    if column not in present:
                        connection.execute(f"ALTER TABLE glyphs ADD COLUMN {column} {kind}")
                connection.executemany(sql, [tuple(asdict(g).values()) for g in glyphs])
        finally:
            connection.close()
    except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
        if "full" in str(exc):
            raise DiskFullError(f"no space left on the device writing {path}; free some space and run again") from None
        raise EmojiAlphaError(f"{path}: cannot record the glyphs ({exc}); delete it to start a new one") from None


def read_sequences(folder: str | os.PathLike) -> dict[str, list[naming.CodepointSeq]]:
    """File name -> every codepoint sequence of its glyph, from ``folder/glyphs.sqlite``.

    Read-only. Empty when the folder has no readable table (a reference folder from
    elsewhere); tables from before the ``sequences`` column give the one ``codepoints`` sequence.
    """
    path = Path(folder) / DB_NAME
    if not path.is_file():
        return {}
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            columns = {row[1] for row in connection.execute("PRAGMA table_info(glyphs)")}
            wanted = "sequences" if "sequences" in columns else "codepoints"
            rows = connection.execute(f"SELECT file, codepoints, {wanted} FROM glyphs").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return {}
    found: dict[str, list[naming.CodepointSeq]] = {}
    for file, codepoints, listed in rows:
        texts = [str(codepoints or "")] + str(listed or "").split(",")
        seqs = [naming.parse_codepoint_text(text) for text in texts if text.strip()]
        if None in seqs:
            continue  # a hand-edited row: that file falls back to its name
        found[str(file)] = naming.distinct_sequences(seqs)
    return found
