"""Pull every colour glyph out of an emoji font as an RGBA PNG named by its codepoints (or glyph name).

Sources, in the order we prefer them when a font has several:

* ``sbix`` (Apple): largest strike by default; PNG bytes are written exactly as stored,
  JPEG (``jpg ``) and TIFF glyphs are decoded with Pillow and written as RGBA PNGs;
  ``dupe`` glyphs are resolved to the glyph they point at; empty glyphs are skipped.
* ``CBDT``/``CBLC`` (Noto Color Emoji): PNG formats 17, 18 and 19 with their metrics.
  Noto stores palette PNGs, so anything not already 8-bit RGBA is re-encoded as RGBA.
* ``COLR`` (v0, v1) and ``SVG``: rendered at ``size`` pixels with an optional renderer,
  see :mod:`emoji_alpha.fonts.render`.

Files are named by codepoint sequence (``glyph-u1F44B_u1F3FB.png``, the default) or by glyph
name (``glyph-u1F44B.1.png``), see :mod:`emoji_alpha.fonts.naming`. Results also go to
``glyphs.sqlite`` in the output folder (the glyph table, :mod:`emoji_alpha.fonts.glyph_table`),
with every sequence that reaches each glyph. Re-running is safe: files are replaced
atomically (and not rewritten when unchanged) and rows are upserted by file name.

A ``.ttc`` collection of several faces is extracted face by face, each into its own
subfolder ``face-<index>/`` (0-based, in collection order) holding its PNGs and its own
``glyphs.sqlite``, exactly as a single font's output folder would; a one-face collection
is written like a single font.

A glyph whose image cannot be decoded is skipped with a one-line warning (``on_skip``);
the rest of the font is extracted.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

from emoji_alpha import pngfile
from emoji_alpha.errors import EmojiAlphaError, one_line, write_failure
from emoji_alpha.fonts import glyph_table, naming
from emoji_alpha.fonts.glyph_table import ExtractedGlyph
from emoji_alpha.fonts.naming import DEFAULT_NAMING, check_naming, only_items
from emoji_alpha.images import read_input_bytes

#: Default pixel size for vector (COLR, SVG) glyphs: Apple's largest sbix strike is 160.
DEFAULT_RENDER_SIZE = 160
#: sbix graphic types holding a raster Pillow can decode; 'png ' is kept byte for byte.
_SBIX_RASTER = {"png ", "jpg ", "tiff"}
_CBDT_PNG_FORMATS = {17, 18, 19}
_FONT_MAGICS = {b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2"}

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class SkippedGlyph:
    """A glyph left out because its image cannot be decoded (reported, not fatal)."""

    file: str  #: the file name it would have had
    glyph_name: str
    codepoints: str
    reason: str  #: one line, e.g. "sbix 'jpg ' image: cannot identify image file"

    def message(self, font: str) -> str:
        return f"{font}: skipped glyph {self.glyph_name!r} ({self.file}): {self.reason}"


SkipCallback = Callable[[SkippedGlyph], None]


class _UndecodableGlyph(Exception):
    """Raised by :func:`_encode` for one glyph; becomes a :class:`SkippedGlyph`."""


@dataclass(frozen=True)
class _Pick:
    """A glyph to write under one file stem (``--only`` may ask for one glyph by two sequences)."""

    job: "_Job"
    stem: str
    named_by: tuple[int, ...] | None  # the sequence the file stands for, VS16 dropped


@dataclass
class _Job:
    """A glyph waiting to be written: either image bytes or an RGBA array to encode."""

    glyph_name: str
    glyph_id: int
    png: bytes | None = None  # the stored image: PNG, or for sbix also JPEG or TIFF
    keep_bytes: bool = False  # sbix PNG: write exactly what the font stores
    kind: str = "PNG"  # what the font says the image is, for messages: sbix 'jpg ', CBDT PNG, ...
    rgba: object = None  # numpy uint8 H x W x 4 from a renderer
    bearing_x: int | None = None
    bearing_y: int | None = None
    advance: int | None = None


# fontTools reports damaged tables through many exception types; these are the ones its
# parsers raise on short or inconsistent data. They are translated only around reads of
# font data, never around our own logic, so real bugs still surface as tracebacks.
_FONT_DATA_ERRORS: tuple[type[BaseException], ...] = (
    struct.error,
    ValueError,
    IndexError,
    KeyError,
    AssertionError,
    EOFError,
    zlib.error,
)


#: Packages that parse font data: any exception raised inside them while they read a font
#: (TypeError, AttributeError, UnicodeDecodeError on damaged tables, ...) means bad data.
_FONT_PARSERS = (f"{os.sep}fontTools{os.sep}", f"{os.sep}blackrenderer{os.sep}")


def _raised_by_font_parser(exc: BaseException) -> bool:
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and any(part in frames[-1].filename for part in _FONT_PARSERS)


@contextmanager
def _reading(path: Path | str, what: str = "font"):
    from fontTools.ttLib import TTLibError

    try:
        yield
    except EmojiAlphaError:
        raise
    except Exception as exc:
        known = isinstance(exc, (TTLibError, *_FONT_DATA_ERRORS))
        if not known and (isinstance(exc, MemoryError) or not _raised_by_font_parser(exc)):
            raise  # our own bug, or out of memory: not the font's fault
        detail = one_line(str(exc).splitlines()[0], 160) if str(exc).strip() else type(exc).__name__
        raise EmojiAlphaError(f"{path}: damaged or truncated {what} ({detail})") from None


def read_font_data(path: str | os.PathLike) -> bytes:
    """A font file's bytes, refused up front when it does not start like a font."""
    path = Path(path)
    # Read into memory: no file handle to leak on any error path, and fonts (even Apple's
    # ~180 MB one) fit comfortably.
    data = read_input_bytes(path, "a font file")
    if data[:4] not in _FONT_MAGICS:
        raise EmojiAlphaError(f"{path}: not a font file (no TrueType/OpenType header)")
    if data[:4] == b"wOF2" and not _have_brotli():
        raise EmojiAlphaError(f"{path}: a WOFF2 font; reading it needs the brotli package: pip install brotli")
    return data


def face_count(path: str | os.PathLike, data: bytes) -> int:
    """How many fonts the file holds: the ``numFonts`` of a ``.ttc`` header, else 1."""
    if data[:4] != b"ttcf":
        return 1
    if len(data) < 12:
        raise EmojiAlphaError(f"{path}: truncated font collection (no header)")
    (count,) = struct.unpack(">I", data[8:12])
    if count < 1 or 12 + 4 * count > len(data):
        raise EmojiAlphaError(f"{path}: damaged font collection header ({count} faces in {len(data)} bytes)")
    return count


def open_font(path: str | os.PathLike, face: int = 0, data: bytes | None = None):
    """Open a font (TTF, OTF, WOFF, or face ``face`` of a TTC) lazily; one-line errors for bad input.

    ``data`` is the file's bytes when the caller read them already (a collection opens each
    face from one read). A truncated file is caught up front by checking every table lies
    inside the file, because fontTools would otherwise fail only when (and if) a table is read.
    """
    from fontTools.ttLib import TTFont

    _quiet_fonttools()
    path = Path(path)
    data = read_font_data(path) if data is None else data
    size, magic = len(data), data[:4]
    with _reading(path):
        font = TTFont(io.BytesIO(data), lazy=True, fontNumber=face if magic == b"ttcf" else -1)
        try:
            if magic not in (b"wOFF", b"wOF2"):  # WOFF directories hold compressed lengths
                for tag, entry in font.reader.tables.items():
                    if entry.offset + entry.length > size:
                        raise EmojiAlphaError(
                            f"{path}: truncated font (table {tag.strip()!r} ends at byte "
                            f"{entry.offset + entry.length}, file has {size})"
                        )
            font.getGlyphOrder()  # forces 'maxp'/'post' parsing: fail now, not mid-run
        except BaseException:
            font.close()  # do not leak the open file on the error path
            raise
    return font


def _quiet_fonttools() -> None:
    """fontTools logs what it repairs in damaged tables ("extra bytes in post.stringData")
    through Python's last-resort handler, i.e. as stray lines on stderr; a handler of our
    own keeps them off it. Our errors say what matters, in one line."""
    import logging

    logger = logging.getLogger("fontTools")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


def _have_brotli() -> bool:
    """Whether fontTools can decompress WOFF2 (brotli or brotlicffi, optional for fontTools)."""
    from fontTools.ttLib import woff2

    return bool(getattr(woff2, "haveBrotli", True))


def colour_format(font) -> str | None:
    """Which colour glyph source the font has, by our preference, or ``None``."""
    for tag, name in (("sbix", "sbix"), ("CBDT", "CBDT"), ("COLR", "COLR"), ("SVG ", "SVG")):
        if tag in font and (tag != "CBDT" or "CBLC" in font):
            return name
    return None


def _sbix_jobs(font, path: Path | str, strike: int | None) -> tuple[int, list[_Job]]:
    with _reading(path):
        table = font["sbix"]
        strikes = dict(table.strikes)
    if not strikes:
        raise EmojiAlphaError(f"{path}: sbix table has no strikes (no colour glyphs)")
    ppem = _pick_strike(path, sorted(strikes), strike)
    glyphs = strikes[ppem].glyphs
    order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    jobs: list[_Job] = []
    for name, glyph in glyphs.items():
        target, seen = glyph, {name}
        # 'dupe' stores only a glyph id: follow it (and chains of it) to the real image.
        while target is not None and target.graphicType == "dupe":
            ref = target.referenceGlyphName
            if ref is None or ref in seen:
                raise EmojiAlphaError(f"{path}: sbix glyph {name!r} has a broken 'dupe' reference")
            seen.add(ref)
            target = glyphs.get(ref)
        if target is None or target.graphicType not in _SBIX_RASTER or not target.imageData:
            continue  # empty glyph (space, ZWJ, ...) or a type we do not render ('mask', 'flip')
        data = target.imageData
        jobs.append(
            _Job(
                name,
                order.get(name, -1),
                png=data,
                # A 'png ' that is not a PNG goes through Pillow like JPEG and TIFF (or is skipped).
                keep_bytes=target.graphicType == "png " and pngfile.read_header(data) is not None,
                kind=f"sbix {target.graphicType!r}",
                bearing_x=target.originOffsetX,
                bearing_y=target.originOffsetY,
            )
        )
    return ppem, jobs


def _cbdt_jobs(font, path: Path | str, strike: int | None) -> tuple[int, list[_Job]]:
    with _reading(path):
        locator = font["CBLC"]
        data = font["CBDT"]
        sizes = [s.bitmapSizeTable.ppemY for s in locator.strikes]
    if not sizes:
        raise EmojiAlphaError(f"{path}: CBLC table has no strikes (no colour glyphs)")
    ppem = _pick_strike(path, sorted(set(sizes)), strike)
    index = sizes.index(ppem)
    order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    jobs: list[_Job] = []
    with _reading(path):
        strike_data = data.strikeData[index]
        for subtable in locator.strikes[index].indexSubTables:
            if subtable.imageFormat not in _CBDT_PNG_FORMATS:
                continue  # formats 1-9 are monochrome/grey bitmaps, not colour emoji
            for name in subtable.names:
                glyph = strike_data.get(name)
                if glyph is None:
                    continue
                image = glyph.imageData  # attribute access decompiles lazily
                if not image:
                    continue
                # Formats 17/18 carry metrics per glyph; format 19 shares the subtable's.
                metrics = getattr(glyph, "metrics", None) or getattr(subtable, "metrics", None)
                jobs.append(
                    _Job(
                        name,
                        order.get(name, -1),
                        png=image,
                        keep_bytes=pngfile.is_rgba8(image),
                        kind="CBDT PNG",
                        bearing_x=getattr(metrics, "BearingX", getattr(metrics, "horiBearingX", None)),
                        bearing_y=getattr(metrics, "BearingY", getattr(metrics, "horiBearingY", None)),
                        advance=getattr(metrics, "Advance", getattr(metrics, "horiAdvance", None)),
                    )
                )
    return ppem, jobs


def _pick_strike(path: Path | str, available: list[int], strike: int | None) -> int:
    if strike is None:
        return available[-1]  # largest: the most detail to enlarge from
    if strike not in available:
        raise EmojiAlphaError(
            f"{path}: no {strike} ppem strike; available: {', '.join(map(str, available))}"
        )
    return strike


def _select(
    jobs: list[_Job],
    distinct: dict[str, list[naming.CodepointSeq]],
    stems: dict[str, str],
    only: list[str] | None,
    mode: str,
    folder: str = "",
) -> tuple[list[_Pick], list[str]]:
    """The files to write, and the ``--only`` items that match no glyph.

    ``--only`` takes codepoint names (``u1F343``, any of a glyph's sequences), file names in
    either naming, and glyph names. With sequence naming a glyph asked for by another of its
    sequences is written under that one: ``--only u1F1FA_u1F1F8`` gives
    ``glyph-u1F1FA_u1F1F8.png`` even where the glyph's own name is ``glyph-u1F1FA_u1F1F2.png``.
    ``distinct`` holds each glyph's sequences, VS16 dropped, best first; ``folder`` is where
    the files go (``face-1`` for a collection's second face), for items that name one.
    """

    def default(job: _Job) -> _Pick:
        stem, seqs = stems[job.glyph_name], distinct[job.glyph_name]
        if mode != "sequence":  # a glyph name that happens to spell a sequence (Noto's uFE4E5) is still a name
            return _Pick(job, stem, seqs[0] if seqs else None)
        return _Pick(job, stem, _named_by(stem, seqs))

    if only is None:
        return [default(job) for job in jobs], []
    named = [(job, (job.glyph_name, stems[job.glyph_name], naming.glyph_name_stem(job.glyph_name, job.glyph_id)),
              distinct[job.glyph_name]) for job in jobs]
    owners = {stem.lower(): name for name, stem in stems.items()}
    chosen: dict[str, _Pick] = {}
    missing: list[str] = []
    for text in only:
        item = naming.OnlyItem.parse(text)
        hits = [job for job, names, sequences in named if item.matches(names, sequences, folder)]
        if not hits:
            missing.append(text)
            continue
        asked = item.sequence
        for job in hits:
            pick = default(job)
            if mode == "sequence" and asked in distinct[job.glyph_name]:
                alias = naming.sequence_stem(asked)
                # Never take a name another glyph owns (two glyphs can share a sequence).
                if owners.get(alias.lower(), job.glyph_name) == job.glyph_name:
                    pick = _Pick(job, alias, asked)
            chosen.setdefault(pick.stem.lower(), pick)
    order = {job.glyph_name: index for index, job in enumerate(jobs)}
    return sorted(chosen.values(), key=lambda p: (order[p.job.glyph_name], p.stem)), missing


def _named_by(stem: str, distinct: list[naming.CodepointSeq]) -> tuple[int, ...] | None:
    """The sequence a file stem stands for: the one it spells, else the glyph's best one."""
    for seq in distinct:
        if naming.sequence_stem(seq).lower() == stem.lower():
            return seq
    return distinct[0] if distinct else None


def _encode(job: _Job) -> bytes:
    """Final PNG bytes for a job: stored bytes when allowed, else an 8-bit RGBA re-encode.

    Raises :class:`_UndecodableGlyph` for an image Pillow cannot decode (that glyph is skipped).
    """
    if job.png is not None and (job.keep_bytes or pngfile.is_rgba8(job.png)):
        return job.png
    if job.png is None:
        return pngfile.encode_rgba8(job.rgba)
    return pngfile.encode_rgba8(_decode_rgba(job.png, job.kind))


def _decode_rgba(data: bytes, kind: str):
    """Any stored raster Pillow reads (palette + tRNS PNGs from Noto, grey, RGB, JPEG, TIFF)
    as straight-alpha RGBA uint8; a JPEG has no alpha, so it comes out opaque."""
    import warnings

    import numpy as np
    from PIL import Image

    from emoji_alpha.images import MAX_INPUT_PIXELS

    try:
        # Pillow warns about what it can read past (corrupt EXIF in a TIFF): not the user's
        # business unless the glyph then fails, which the skip message says.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
                if width * height > MAX_INPUT_PIXELS:
                    raise _UndecodableGlyph(f"{kind} image of {width}x{height} is too large")
                rgba = np.asarray(im.convert("RGBA"))
    except _UndecodableGlyph:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, zlib.error, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "cannot identify image file" in detail:
            detail = "not an image Pillow can decode"
        raise _UndecodableGlyph(f"{kind} image: {detail}") from None
    if rgba.size == 0:
        raise _UndecodableGlyph(f"{kind} image is zero-sized")
    return rgba


def _write(out_dir: Path, file: str, data: bytes) -> None:
    """Atomically put ``data`` at ``out_dir/file`` unless the file already holds exactly it.

    Temp file + ``os.replace`` means no reader ever sees a half-written PNG. Unlike
    :func:`emoji_alpha.images.write_bytes_atomic` there is no fsync per file: thousands of
    fsyncs made a whole-font run several times slower, and durability after a power cut is
    recovered by re-running, which compares every existing file byte for byte (and the
    table keeps each file's sha256).
    """
    target = out_dir / file
    # Re-runs leave identical files alone: no churn in mtimes, no needless writes.
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{file}.", suffix=".tmp", dir=out_dir)
    except OSError as exc:
        raise write_failure(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp_name, target)
    except BaseException as exc:
        # Clean up the temp file whatever went wrong (disk full, Ctrl-C), then re-raise.
        with suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise write_failure(target, exc) from None
        raise


def extract_glyphs(
    font_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    only: Iterable[str] | None = None,
    strike: int | None = None,
    size: int = DEFAULT_RENDER_SIZE,
    naming: str = DEFAULT_NAMING,
    progress: ProgressCallback | None = None,
    on_skip: SkipCallback | None = None,
) -> list[ExtractedGlyph]:
    """Write every colour glyph of ``font_path`` to ``out_dir`` as ``glyph-<name>.png``.

    ``only`` limits the run to some glyphs (``u1F343``, ``glyph-u1F343.png``, ``1F468-200D-1F469``
    or a glyph name); ``strike`` picks a bitmap strike by ppem (default: the largest);
    ``size`` is the pixel size for rendered COLR/SVG glyphs; ``naming`` is ``sequence``
    (default) or ``glyph`` (see the module docs). ``progress(done, total)`` is called as files
    are written. ``on_skip(SkippedGlyph)`` hears of each glyph whose image cannot be decoded
    (default: a ``UserWarning``). Returns the records, also stored in ``glyphs.sqlite`` beside
    the files. Every face of a ``.ttc`` collection is extracted, into ``face-<index>/`` when it
    holds more than one. Raises :class:`EmojiAlphaError` for anything that is not a readable
    colour font, or one whose glyphs all fail to decode.
    """
    path = Path(font_path)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise EmojiAlphaError(f"{out}: exists and is not a folder")
    if size < 1 or size > 4096:
        raise EmojiAlphaError(f"--size {size}: must be between 1 and 4096 pixels")
    check_naming(naming)
    wanted = only_items(only)
    if only is not None and wanted is None:
        raise EmojiAlphaError("--only: no glyph given (a comma-separated list such as u1F343,u1F1FA_u1F1F8)")
    data = read_font_data(path)
    faces = face_count(path, data)
    fonts = []
    try:
        plans: list[_FacePlan] = []
        for face in range(faces):
            fonts.append(open_font(path, face, data))
            folder = out if faces == 1 else out / f"face-{face}"
            plan = _plan_face(fonts[-1], path, face, folder, strike=strike, size=size, mode=naming, only=wanted,
                              collection=faces > 1)
            if plan is not None:
                plans.append(plan)
        if not plans:
            raise EmojiAlphaError(f"{path}: no colour glyphs (no sbix, CBDT, COLR or SVG table in any of its {faces} faces)")
        if wanted is not None:
            missing = [item for item in wanted if all(item in plan.missing for plan in plans)]
            if missing:
                raise EmojiAlphaError(f"{path}: no colour glyph for --only {', '.join(missing)}")
        return _write_faces(path, out, plans, progress, on_skip or _warn_skipped(path))
    finally:
        for font in fonts:
            font.close()  # lazy TTFont keeps the file open until closed


def _warn_skipped(path: Path) -> SkipCallback:
    import warnings

    return lambda skipped: warnings.warn(skipped.message(path.name), stacklevel=3)


@dataclass
class _FacePlan:
    """One face's glyphs, chosen and named, ready to be written into ``folder``."""

    face: int
    folder: Path
    source: str
    ppem: int
    distinct: dict[str, list[naming.CodepointSeq]]  # each glyph's sequences, VS16 dropped, best first
    picks: list[_Pick]
    missing: list[str]


def _plan_face(font, path: Path, face: int, folder: Path, *, strike, size, mode: str, only: list[str] | None,
               collection: bool) -> _FacePlan | None:
    """Read one face's colour glyphs and name them; None for a collection's face without any."""
    where = f"{path} (face {face})" if collection else path
    source = colour_format(font)
    if source is None:
        if collection:
            return None  # e.g. a text face beside the emoji one
        raise EmojiAlphaError(f"{path}: no colour glyphs (no sbix, CBDT, COLR or SVG table)")
    with _reading(path):
        sequences = naming.codepoint_sequences(font)
    if source == "sbix":
        ppem, jobs = _sbix_jobs(font, where, strike)
    elif source == "CBDT":
        ppem, jobs = _cbdt_jobs(font, where, strike)
    else:
        from emoji_alpha.fonts import render

        if strike is not None:
            raise EmojiAlphaError(f"{where}: {source} glyphs are vectors, use --size instead of --strike")
        ppem = size
        with _reading(path):
            names = render.colour_glyph_names(font, source)
            order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
            jobs = [_Job(name, order[name]) for name in names]  # KeyError: a colour glyph not in the font
    if not jobs:
        raise EmojiAlphaError(f"{where}: {source} table holds no colour glyphs")
    stems = naming.assign_file_stems(((job.glyph_id, job.glyph_name) for job in jobs), sequences, mode)
    distinct = {job.glyph_name: naming.distinct_sequences(sequences.get(job.glyph_name, [])) for job in jobs}
    picks, missing = _select(jobs, distinct, stems, only, mode, f"face-{face}" if collection else "")
    if source in ("COLR", "SVG") and picks:
        from emoji_alpha.fonts import render

        # Rendering happens after --only so a one-glyph request renders one glyph.
        names = list(dict.fromkeys(pick.job.glyph_name for pick in picks))
        with _reading(path):
            rendered = render.render_glyphs(path, font, source, names, size, face)
        for pick in picks:
            pick.job.rgba = rendered[pick.job.glyph_name]
    return _FacePlan(face, folder, source, ppem, distinct, picks, missing)


def _write_faces(path: Path, out: Path, plans: list[_FacePlan], progress: ProgressCallback | None,
                 on_skip: SkipCallback) -> list[ExtractedGlyph]:
    """Write every face's files and table; returns the records with files relative to ``out``."""
    total = sum(len(plan.picks) for plan in plans)
    records: list[ExtractedGlyph] = []
    skipped: list[SkippedGlyph] = []
    if progress:
        progress(0, total)
    for plan in plans:
        if not plan.picks:
            continue  # --only names nothing in this face: leave no empty folder behind
        try:
            plan.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_failure(plan.folder, exc) from None
        prefix = plan.folder.relative_to(out).as_posix() + "/" if plan.folder != out else ""

        def finish(pick: _Pick, plan: _FacePlan = plan, prefix: str = prefix) -> ExtractedGlyph | SkippedGlyph:
            job = pick.job
            file = pick.stem + ".png"
            codepoints = naming.codepoint_text(pick.named_by) if pick.named_by else ""
            try:
                data = _encode(job)
            except _UndecodableGlyph as exc:
                return SkippedGlyph(prefix + file, job.glyph_name, codepoints, str(exc))
            _write(plan.folder, file, data)
            width, height = pngfile.read_header(data)[:2]
            return ExtractedGlyph(
                file=file,
                codepoints=codepoints,
                sequences=", ".join(naming.codepoint_text(seq) for seq in plan.distinct[job.glyph_name]),
                glyph_name=job.glyph_name,
                glyph_id=job.glyph_id,
                font=path.name,
                face=plan.face,
                source=plan.source,
                strike=plan.ppem,
                width=width,
                height=height,
                sha256=hashlib.sha256(data).hexdigest(),
                bearing_x=job.bearing_x,
                bearing_y=job.bearing_y,
                advance=job.advance,
            )

        face_records: list[ExtractedGlyph] = []
        # zlib and file I/O release the GIL, so a few threads overlap encoding with writing.
        with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) + 2)) as pool:
            for result in pool.map(finish, plan.picks):
                if isinstance(result, SkippedGlyph):
                    skipped.append(result)
                    on_skip(result)  # here, in the calling thread
                else:
                    face_records.append(result)
                if progress:
                    progress(len(records) + len(face_records) + len(skipped), total)
        if face_records:
            glyph_table.save(plan.folder, face_records)
        records += [replace(r, file=prefix + r.file) for r in face_records]
    if not records:
        raise EmojiAlphaError(f"{path}: none of its {total} colour glyphs could be decoded "
                              f"(first: {skipped[0].glyph_name!r}, {skipped[0].reason})")
    return records
