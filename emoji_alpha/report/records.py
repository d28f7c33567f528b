"""What an output folder holds: one :class:`OutputGlyph` per glyph, from the batch manifest
(``emoji-alpha.sqlite``, read through :func:`emoji_alpha.batch.manifest.read_rows`) where there
is one, else from ``glyph-*.png``.

The manifest is read defensively, and read-only: a missing file, table or column, or an unreadable database,
falls back to what is on disk, with a note. Glyph files on disk that the manifest does not
list are added; manifest rows whose file is gone are kept (failed glyphs have no file).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from emoji_alpha.batch.manifest import MANIFEST_NAME, ManifestRow, UnreadableManifestError, read_rows
from emoji_alpha.errors import EmojiAlphaError

GLYPH_GLOB = "glyph-*.png"


@dataclass
class OutputGlyph:
    """One glyph of an output folder, as the report shows it: its file, and what its manifest
    row says (defaults when there is none)."""

    name: str  # output file name, relative to the output folder
    path: Path | None  # the output PNG, None when it does not exist
    source: str = ""
    codepoints: str = ""
    status: str = "done"
    error: str = ""
    method: str = ""
    backgrounds: str = ""
    size: str = ""
    passes: int | None = None
    loss: float | None = None  # levels^2
    consistency: float | None = None  # alpha MAE, levels
    seconds: dict = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return Path(self.name).stem

    @property
    def key(self) -> str:
        """The name without ``.png``, any subfolder kept (``face-1/glyph-u1F343`` for a font
        collection's face): where the glyph's thumbnail, grid and peer cache live."""
        return self.name[:-4] if self.name.lower().endswith(".png") else self.name

    @property
    def ok(self) -> bool:
        return self.path is not None and self.status in ("done", "")

    def sequences(self) -> list:
        """The codepoint sequence ``--only`` matches: the manifest's codepoints, else the one the
        file name spells (``glyph-u1F343.png``); none when neither has one."""
        from emoji_alpha.fonts.naming import parse_codepoint_text, parse_codepoints

        seq = parse_codepoint_text(self.codepoints) if self.codepoints else None
        return [seq if seq is not None else parse_codepoints(self.name)]


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _seconds(value) -> dict:
    if isinstance(value, (int, float)):
        return {"total": float(value)}
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except json.JSONDecodeError:
        return {}
    if isinstance(data, (int, float)):
        return {"total": float(data)}
    return {str(k): float(v) for k, v in data.items() if _float(v) is not None} if isinstance(data, dict) else {}


def _manifest_rows(path: Path, notes: list[str]) -> list[ManifestRow]:
    """The manifest's rows (:func:`emoji_alpha.batch.manifest.read_rows`), or none with a note."""
    try:
        return read_rows(path) or []
    except UnreadableManifestError as exc:
        notes.append(f"{path.name}: {exc.reason}; listing {GLYPH_GLOB} instead")
        return []


def load_records(out_dir: Path, notes: list[str] | None = None) -> list[OutputGlyph]:
    """Every glyph of ``out_dir``, sorted by name. Raises EmojiAlphaError when there is none."""
    notes = notes if notes is not None else []
    out_dir = Path(out_dir)
    if not out_dir.exists():
        raise EmojiAlphaError(f"{out_dir}: no such folder")
    if not out_dir.is_dir():
        raise EmojiAlphaError(f"{out_dir}: not a folder (give the output folder of `emoji-alpha enlarge ... -o DIR`)")
    records: dict[str, OutputGlyph] = {}
    for row in _manifest_rows(out_dir / MANIFEST_NAME, notes):
        name = str(row.name or "").strip()
        if not name or name in records:
            continue
        file = out_dir / name
        inside = file.resolve().is_relative_to(out_dir.resolve())
        path = file if inside and file.is_file() else None
        status = str(row.status or "done")
        if path is None and status == "done":
            status = "missing"
        records[name] = OutputGlyph(
            name=name, path=path, source=str(row.source or ""), codepoints=str(row.codepoints or ""),
            status=status, error=str(row.error or ""), method=str(row.method or ""),
            backgrounds=str(row.backgrounds or ""), size=str(row.size or ""),
            passes=_int(row.passes), loss=_float(row.loss),
            consistency=_float(row.consistency_alpha_mae), seconds=_seconds(row.seconds))
    for file in sorted(out_dir.glob(GLYPH_GLOB)):
        if file.name not in records and file.is_file():
            records[file.name] = OutputGlyph(name=file.name, path=file)
    if not records:
        raise EmojiAlphaError(f"{out_dir}: no glyphs (no {GLYPH_GLOB} files and no {MANIFEST_NAME} rows)")
    return sorted(records.values(), key=lambda r: r.name)


def select_only(records: list[OutputGlyph], only: list[str] | tuple[str, ...] | None) -> list[OutputGlyph]:
    """The records ``--only`` names (stems, file names or codepoints like u1F343, see
    :class:`emoji_alpha.fonts.naming.OnlyItem`); unknown names fail."""
    from emoji_alpha.fonts.naming import OnlyItem, only_items

    picked: list[OutputGlyph] = []
    named = [(record, record.key.rpartition("/"), record.sequences()) for record in records]
    for token in only_items(only) or []:
        item = OnlyItem.parse(token)
        matches = [record for record, (folder, _, stem), sequences in named if item.matches([stem], sequences, folder)]
        if not matches:
            raise EmojiAlphaError(f"--only {token}: no glyph of that name or codepoint in the output folder")
        picked.extend(m for m in matches if m not in picked)
    return picked


def parse_levels(text: str) -> tuple[float, ...] | None:
    """Background levels from the manifest (JSON list or comma list of 8-bit levels) as floats in [0, 1]."""
    if not text:
        return None
    try:
        value = json.loads(text)
        values = [float(v) for v in (value if isinstance(value, list) else [value])]
    except (json.JSONDecodeError, TypeError, ValueError):
        try:
            values = [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
        except ValueError:
            return None
    if not values or any(v < 0 or v > 255 for v in values):
        return None
    fractions = all(v <= 1.0 for v in values) and any(v != int(v) for v in values)
    return tuple(v if fractions else v / 255.0 for v in values)
