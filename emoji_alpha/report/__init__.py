"""``emoji-alpha report OUTDIR``: comparison grids and a static HTML gallery of an output folder.

Writes, under the output folder::

    index.html               the gallery (open it from disk; no server): each glyph links its
                             enlarged PNG and, where it has one, its comparison grid
    report/thumbs/*.png      one thumbnail per glyph (premultiplied area reduction)
    report/grids/*.png       comparison grids, for --only glyphs and the N worst by loss
    report/cache/<name>/     peer-method enlargements for --compare (reused on later runs)

Glyphs in subfolders (``face-1/glyph-u1F343.png``, a font collection's faces) keep their
subfolder under thumbs/, grids/ and cache/, so faces never overwrite each other's files.

Thumbnails are cheap (decode, Pillow reduce, encode) and rebuilt only when the glyph is newer;
grids are costlier (they may run LIIF), so only some glyphs get one (``grids``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.report.records import OutputGlyph, load_records, select_only

DEFAULT_GRIDS = "50 worst"
DEFAULT_PANEL = 256


@dataclass
class ReportSummary:
    out_dir: Path
    index: Path
    glyphs: int  # records listed in the gallery (failed ones included)
    failed: int
    thumbs_written: int
    thumbs_cached: int
    grids: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def parse_grids(spec: str | int | None) -> tuple[str, int]:
    """``all``, ``none``, ``N worst`` or ``N`` -> (kind, count)."""
    if spec is None:
        spec = DEFAULT_GRIDS
    if isinstance(spec, int):
        return ("worst", spec) if spec > 0 else ("none", 0)
    text = " ".join(str(spec).lower().replace("-", " ").split())
    if text in ("all", "none"):
        return text, 0
    words = text.split()
    if words and words[-1] == "worst":
        words = words[:-1]
    if len(words) == 1 and words[0].isdigit():
        count = int(words[0])
        return ("worst", count) if count > 0 else ("none", 0)
    raise EmojiAlphaError(f"--grids must be all, none, N or 'N worst'; got {spec!r}")


def pick_grids(records: list[OutputGlyph], spec: str | int | None, only: list[OutputGlyph]) -> list[OutputGlyph]:
    kind, count = parse_grids(spec)
    usable = [r for r in records if r.ok]
    if kind == "all":
        chosen = usable
    elif kind == "none":
        chosen = []
    else:
        ranked = sorted((r for r in usable if r.loss is not None), key=lambda r: -r.loss)
        chosen = ranked[:count]
    chosen = [r for r in only if r.ok] + [r for r in chosen if r not in only]
    return chosen


def _default_upscaler():
    from emoji_alpha.liif import Upscaler
    from emoji_alpha.progress import log

    return Upscaler(log=log)


def _auto_jobs() -> int:
    try:
        return max(1, min(8, len(os.sched_getaffinity(0))))
    except AttributeError:
        return max(1, min(8, os.cpu_count() or 1))


def write_report(out_dir: str | os.PathLike, *, only: Iterable[str] | None = None, compare: Iterable[str] = (),
                 zoom: tuple[int, int, int, int] | str | None = None, grids: str | int | None = DEFAULT_GRIDS,
                 upscaler_factory: Callable[[], object] | None = None, panel: int = DEFAULT_PANEL,
                 thumb_size: int = DEFAULT_PANEL, jobs: int | None = None) -> ReportSummary:
    """Write thumbnails, comparison grids and ``index.html`` for an output folder.

    ``only``: glyph stems, file names or codepoints (``u1F343``) that get a grid; ``grids``:
    which other glyphs get one (``all``, ``none``, ``N worst`` by loss); ``compare``: peer
    methods shown beside the result (twobg, separate, keygrey, lanczos); ``zoom``: a close-up
    ``(x, y, w, h)`` in output pixels added to every grid; ``upscaler_factory()`` builds the LIIF
    upscaler, only if something must be enlarged (default: the official weights on the CPU).
    """
    from rich.markup import escape

    from emoji_alpha.images import write_bytes_atomic
    from emoji_alpha.progress import log, progress_bar
    from emoji_alpha.report import gallery, grid
    from emoji_alpha.methods import PEERS

    started = time.perf_counter()
    out_dir = Path(out_dir)
    notes: list[str] = []
    records = load_records(out_dir, notes)
    only_records = select_only(records, list(only or []))
    compare = tuple(m.strip() for m in compare if m and m.strip())
    unknown = [m for m in compare if m not in PEERS]
    if unknown:
        raise EmojiAlphaError(f"--compare {','.join(unknown)}: unknown method; choose from {', '.join(PEERS)}")
    if isinstance(zoom, str):
        zoom = grid.parse_zoom(zoom)
    if panel < 32 or thumb_size < 16:
        raise EmojiAlphaError("panel and thumbnail sizes must be at least 32 and 16 pixels")
    gridded = pick_grids(records, grids, only_records)
    for record in only_records:
        if not record.ok:
            notes.append(f"{record.name}: {record.status}, no grid" + (f" ({record.error})" if record.error else ""))
    jobs = jobs or _auto_jobs()
    seconds: dict[str, float] = {}

    # Thumbnails.
    tick = time.perf_counter()
    thumbs: dict[str, str] = {}
    names_by_source: dict[str, str] = {}
    work = []
    for record in records:
        if record.ok:
            relative = f"{gallery.THUMB_DIR}/{gallery.thumb_name(record.key)}"
            thumbs[record.name] = relative
            names_by_source[str(record.path)] = record.name
            work.append((str(record.path), str(out_dir / relative), thumb_size))
    with progress_bar("thumbnails", len(work)) as advance:
        written, errors = gallery.make_thumbnails(work, jobs, advance)
    for source, message in errors:
        notes.append(message)
        thumbs.pop(names_by_source[source], None)
    seconds["thumbs"] = time.perf_counter() - tick

    # Grids.
    tick = time.perf_counter()
    upscaler_state: dict = {}

    def get_upscaler():
        if "value" not in upscaler_state:
            try:
                upscaler_state["value"] = (upscaler_factory or _default_upscaler)()
            except EmojiAlphaError as exc:
                notes.append(f"LIIF unavailable ({exc}); panels that need it are skipped")
                upscaler_state["value"] = None
        return upscaler_state["value"]

    grid_paths: dict[str, str] = {}
    written_grids: list[Path] = []
    with progress_bar("grids", len(gridded)) as advance:
        for record in gridded:
            relative = f"{gallery.GRID_DIR}/{record.key}.png"
            try:
                sources = grid.gather(record, out_dir, panel=panel, zoom=zoom, get_upscaler=get_upscaler)
                image = grid.build_grid(sources, panel=panel, zoom=zoom, compare=compare,
                                        cache_dir=out_dir / "report" / "cache" / record.key, get_upscaler=get_upscaler)
            except EmojiAlphaError as exc:
                notes.append(f"{record.name}: no grid ({exc})")
                advance(1)
                continue
            import io

            buffer = io.BytesIO()
            image.save(buffer, format="PNG", compress_level=6)
            write_bytes_atomic(out_dir / relative, buffer.getvalue())
            grid_paths[record.name] = relative
            written_grids.append(out_dir / relative)
            advance(1)
    seconds["grids"] = time.perf_counter() - tick

    # Gallery.
    tick = time.perf_counter()
    index = out_dir / "index.html"
    page = gallery.render_gallery(records, title=f"emoji-alpha: {out_dir.resolve().name}", thumbs=thumbs,
                                  grids=grid_paths, notes=notes)
    write_bytes_atomic(index, page.encode("utf-8"))
    seconds["gallery"] = time.perf_counter() - tick
    seconds["total"] = time.perf_counter() - started
    failed = sum(not r.ok for r in records)
    for note in notes:
        log(f"[yellow]note:[/] {escape(note)}")
    return ReportSummary(out_dir, index, len(records), failed, written, len(work) - written - len(errors),
                         written_grids, notes, seconds)
