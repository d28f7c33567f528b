"""Whole fonts and folders: collect glyphs, plan workers, run, record every result.

>>> summary = run_batch(["NotoColorEmoji.ttf"], "out", size="2000", workers=2)

Inputs are fonts (extracted into ``OUTDIR/source/<font stem>/``), folders of images (PNG,
WebP, TIFF, JPEG, GIF, BMP; not recursive) or image files. Each output is
``OUTDIR/<input stem>.png``. The manifest
``OUTDIR/emoji-alpha.sqlite`` (see :mod:`emoji_alpha.batch.manifest`) makes a rerun resume:
glyphs done with the same settings whose output file still has the recorded sha256 are
skipped; ``force`` redoes them. Only this process writes the manifest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import time
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from emoji_alpha.batch.manifest import MANIFEST_NAME, ManifestRow, Manifest, UnusableManifestError
from emoji_alpha.batch.worker import GlyphOutcome, GlyphTask, WorkerConfig
from emoji_alpha.errors import DiskFullError, EmojiAlphaError, write_failure
from emoji_alpha.images import INPUT_SUFFIXES
from emoji_alpha.liif.memory import DEFAULT_CHUNK
from emoji_alpha.methods import get_method
from emoji_alpha.options import EnlargeOptions, LiifConfig

FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".woff", ".woff2"}
SOURCE_DIR = "source"
LOCK_NAME = ".emoji-alpha.lock"
#: Memory a worker process holds besides its glyph: Python, torch, numba and the LIIF model.
WORKER_OVERHEAD = 768 << 20


@dataclass
class BatchSummary:
    out_dir: Path
    total: int = 0  # glyphs selected for this run
    done: int = 0  # enlarged in this run
    skipped: int = 0  # already done (resume)
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    executor: str = ""

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def manifest(self) -> Path:
        return self.out_dir / MANIFEST_NAME


@dataclass
class _Input:
    source: Path
    name: str  # output file name
    codepoints: str
    aliases: tuple[str, ...] = ()  # every codepoint sequence of a font glyph, as in its glyph table
    in_size: tuple[int, int] | None = None  # (h, w) from the header, None if unreadable
    error: str | None = None  # why it cannot be enlarged, known before it runs (a font glyph not decoded)


def run_batch(inputs: Sequence[str | os.PathLike], out_dir: str | os.PathLike, *, size: str | None = None,
              scale: float | None = None, options: EnlargeOptions | None = None, liif: LiifConfig | None = None,
              workers: int = 1, dask_address: str | None = None, only: Iterable[str] | None = None,
              limit: int | None = None, force: bool = False, naming: str | None = None,
              show_progress: bool = True, rebuild_manifest: bool = False,
              image_format: str | None = None) -> BatchSummary:
    """Enlarge every glyph of ``inputs`` into ``out_dir`` with ``options`` and LIIF as ``liif``
    says; see the module docs.

    ``liif.memory_limit`` is the budget in bytes for all local workers together (default 80%
    of RAM); fewer than ``workers`` run when it does not allow them, and ``liif.threads``
    (default: all cores) are divided among them. With ``dask_address`` the cluster's workers
    run the glyphs and ``liif.memory_limit`` caps each glyph instead. ``naming``
    names font glyphs: ``sequence`` (default) or ``glyph`` (:mod:`emoji_alpha.fonts.naming`).
    ``image_format`` is the outputs' format: png (default), webp (lossless) or tiff. Raises
    :class:`EmojiAlphaError` for user errors (nothing to do, bad options, busy folder, a
    damaged manifest: ``rebuild_manifest`` sets that aside and starts a new one); a glyph
    that fails is recorded and the batch goes on (``summary.ok`` is then False), except when
    the disk is full (:class:`DiskFullError`: that glyph is recorded, the batch stops).
    """
    from emoji_alpha.fonts.naming import DEFAULT_NAMING, check_naming, only_items
    from emoji_alpha.sizes import output_size

    started = time.perf_counter()
    naming = check_naming(DEFAULT_NAMING if naming is None else naming)
    options = options or EnlargeOptions()
    liif = liif or LiifConfig()
    only = only_items(only)  # a comma-separated string or any iterable, read once
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise EmojiAlphaError(f"{out}: exists and is not a folder (batch output must be a folder)")
    if workers < 1:
        raise EmojiAlphaError(f"--workers must be at least 1, got {workers}")
    if limit is not None and limit < 0:
        raise EmojiAlphaError(f"--limit must not be negative, got {limit}")
    output_size((160, 160), size, scale)  # bad --size / --scale fail now, not once per glyph
    suffix = _output_suffix(image_format)
    if not inputs:
        raise EmojiAlphaError("no inputs given")
    # bad weights fail before the output folder (and its lock) exist
    weights_sha = _weights_sha(liif.weights) if get_method(options.method).needs_liif else None
    with _output_folder(out), _lock(out):
        _remove_stale_temp_files(out)
        _check_manifest(out, rebuild_manifest, show_progress)  # before a font's extraction, not after
        selected = _select(collect_inputs(inputs, out, only=only, naming=naming, show_progress=show_progress,
                                          suffix=suffix), only, limit)
        if not selected:
            raise EmojiAlphaError("no glyphs to enlarge in the inputs")
        _refuse_shrinking_all(selected, size, scale)
        budget = liif.memory_limit or _default_budget()
        summary = BatchSummary(out, total=len(selected))
        with Manifest.in_folder(out) as manifest:
            manifest.reset_running()  # left by a killed run: redo them
            todo, prefailed = _plan(manifest, selected, out, size, scale, options, liif.chunk_size, weights_sha, budget,
                                    force)
            summary.skipped = len(selected) - len(todo) - len(prefailed)
            for name, error in prefailed:
                summary.failed += 1
                summary.failures.append((name, error))
            executor = _executor(todo, WorkerConfig(size, scale, options, liif), workers=workers, budget=budget,
                                 dask_address=dask_address, user_budget=liif.memory_limit is not None)
            summary.workers, summary.executor = (executor.workers, executor.description) if executor else (0, "")
            if executor is not None:
                _execute(executor, todo, manifest, summary, show_progress)
    summary.seconds = time.perf_counter() - started
    return summary


def _check_manifest(out: Path, rebuild: bool, show_progress: bool) -> None:
    """A damaged manifest fails now (naming the fix), or with ``rebuild`` is set aside."""
    if rebuild:
        moved = Manifest.set_aside_if_unusable(out)
        if moved is not None and show_progress:
            from emoji_alpha.progress import console

            console.print(f"the damaged manifest is now {moved}; starting a new one (every glyph is redone)",
                          highlight=False)
    if (out / MANIFEST_NAME).exists():
        try:
            Manifest.in_folder(out, create=False).close()
        except UnusableManifestError:
            raise
        except EmojiAlphaError:
            pass  # empty: filled in when the batch opens it; locked or disk full: reported then


# -- inputs -----------------------------------------------------------------------------

def collect_inputs(inputs: Sequence[str | os.PathLike], out_dir: Path, *, only: Iterable[str] | None = None,
                   naming: str | None = None, show_progress: bool = False, suffix: str = ".png") -> list[_Input]:
    """Every glyph the inputs hold, fonts extracted into ``out_dir/source/``; sorted by name
    (the output file's, ending in ``suffix``).

    A font collection's faces come out as ``face-<index>/glyph-*.png``, in the sources and
    the outputs alike. A font glyph whose image cannot be decoded is an input with an
    ``error``: its manifest row says why it failed, and the rest of the font goes on."""
    from emoji_alpha.fonts.extract import extract_glyphs
    from emoji_alpha.fonts.naming import DEFAULT_NAMING, codepoint_text, only_items, parse_codepoints

    wanted = only_items(only)
    found: list[_Input] = []
    for item in map(Path, inputs):
        if not item.exists():
            raise EmojiAlphaError(f"{item}: no such file or folder")
        if item.is_dir():
            files = sorted(p for p in item.iterdir() if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
                           and not p.name.startswith("."))
            if not files:
                raise EmojiAlphaError(f"{item}: no images in this folder (a folder's {', '.join(INPUT_SUFFIXES)} "
                                      f"files are enlarged)")
            found += [_Input(p, p.stem + suffix, codepoint_text(parse_codepoints(p.name) or ())) for p in files]
        elif _is_font(item):
            # One font alone: let the extractor pick --only glyphs (it knows glyph names too).
            folder = out_dir / SOURCE_DIR / item.stem
            skipped: list = []

            def skip(glyph, font=item, skipped=skipped) -> None:
                skipped.append(glyph)
                if show_progress:
                    from emoji_alpha.progress import console

                    console.print(f"[yellow]warning:[/] {glyph.message(font.name)}", highlight=False)

            records = extract_glyphs(item, folder, only=wanted if wanted and len(inputs) == 1 else None,
                                     naming=naming or DEFAULT_NAMING, on_skip=skip)
            found += [_Input(folder / r.file, _renamed(r.file, suffix), r.codepoints,
                             tuple(s for s in r.sequences.split(", ") if s), (r.height, r.width))
                      for r in records]
            found += [_Input(folder / g.file, _renamed(g.file, suffix), g.codepoints,
                             error=f"{item}: glyph {g.glyph_name!r}: {g.reason}")
                      for g in skipped]
        else:
            found.append(_Input(item, item.stem + suffix, codepoint_text(parse_codepoints(item.name) or ())))
    by_name: dict[str, _Input] = {}
    for entry in found:
        other = by_name.setdefault(entry.name.lower(), entry)
        if other is not entry:
            raise EmojiAlphaError(f"two inputs would both write {entry.name}: {other.source} and {entry.source}")
        if (out_dir / entry.name).resolve() == entry.source.resolve():
            raise EmojiAlphaError(f"refusing to overwrite the input {entry.source}; choose another output folder")
    return sorted(found, key=lambda e: e.name)


def _output_suffix(image_format: str | None) -> str:
    """The outputs' file suffix for ``--format`` (None: png); JPEG is refused (no alpha)."""
    from emoji_alpha.images import ALPHA_FORMATS, IMAGE_FORMATS
    from emoji_alpha.outputs import DEFAULT_SUFFIXES

    image_format = (image_format or "png").lower()
    if image_format not in IMAGE_FORMATS:
        raise EmojiAlphaError(f"unknown --format {image_format!r}; a batch writes {', '.join(ALPHA_FORMATS)}")
    if image_format not in ALPHA_FORMATS:
        raise EmojiAlphaError(f"--format {image_format}: glyphs have transparency, which JPEG cannot store; "
                              f"a batch writes {', '.join(ALPHA_FORMATS)}")
    return DEFAULT_SUFFIXES[image_format]


def _renamed(file: str, suffix: str) -> str:
    """An extracted glyph's file name (``face-1/glyph-u1F343.png``) with the outputs' suffix."""
    return str(PurePosixPath(file).with_suffix(suffix))


def _is_font(path: Path) -> bool:
    from emoji_alpha.fonts.extract import _FONT_MAGICS

    if path.suffix.lower() in FONT_SUFFIXES:
        return True
    with open(path, "rb") as handle:
        return handle.read(4) in _FONT_MAGICS


def _select(found: list[_Input], only: Iterable[str] | None, limit: int | None) -> list[_Input]:
    """Apply ``--only`` (:class:`emoji_alpha.fonts.naming.OnlyItem`: codepoint names like
    u1F343, file names) and then ``--limit``."""
    from emoji_alpha.fonts.naming import OnlyItem, only_items, parse_codepoint_text

    wanted = only_items(only)
    if wanted is not None:
        chosen: list[_Input] = []
        missing = []
        named = []
        for entry in found:
            folder, _, stem = entry.name[:-4].rpartition("/")  # face-1/glyph-u1F343 in a collection
            named.append((entry, folder, stem, [parse_codepoint_text(text) for text in (entry.codepoints, *entry.aliases)]))
        for text in wanted:
            item = OnlyItem.parse(text)
            hits = [entry for entry, folder, stem, sequences in named if item.matches([stem], sequences, folder)]
            if not hits:
                missing.append(text)
            chosen += [e for e in hits if e not in chosen]
        if missing:
            raise EmojiAlphaError(f"no input glyph for --only {', '.join(missing)}")
        found = sorted(chosen, key=lambda e: e.name)
    return found[:limit] if limit is not None else found


def _refuse_shrinking_all(selected: list[_Input], size: str | None, scale: float | None) -> None:
    """One error, before any work, when the size would shrink every glyph: that is a mistyped
    flag (often ``--size 4`` meant as ``--scale 4``), not a batch of failures. In a batch of
    mixed sizes only the glyphs it would shrink fail (:func:`_plan`). Fills in ``in_size``."""
    from emoji_alpha.sizes import check_enlarges, output_size

    refused = None
    for entry in selected:
        entry.in_size = entry.in_size or _header_size(entry.source)
        if entry.error is not None or entry.in_size is None:
            return  # these fail for reasons of their own, each in its manifest row
        try:
            out_size = output_size(entry.in_size, size, scale)
        except EmojiAlphaError:
            return  # a per-glyph error (zero-sized, too large), reported in its row
        try:
            check_enlarges(entry.in_size, out_size, size, scale)
            return
        except EmojiAlphaError as exc:
            refused = refused or exc
    if refused is not None:
        every = "the batch's one glyph" if len(selected) == 1 else f"all {len(selected)} glyphs of the batch"
        raise EmojiAlphaError(f"{every}: {refused}")


def _header_size(path: Path) -> tuple[int, int] | None:
    """(h, w) from the file header without decoding, or None if it cannot be read (the
    worker then reports why)."""
    from PIL import Image

    from emoji_alpha.pngfile import read_header

    try:
        with open(path, "rb") as handle:
            head = handle.read(24)
        stated = read_header(head)
        if stated is not None:
            return stated.size
        with Image.open(path) as im:
            return (im.size[1], im.size[0])
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


# -- planning ---------------------------------------------------------------------------

def _options_json(options: EnlargeOptions) -> str:
    fields = dataclasses.asdict(options)
    fields.pop("backend")  # numba and torch give the same result
    return json.dumps(fields, sort_keys=True)


def _sha256(path: Path) -> str | None:
    """The file's sha256, None when it cannot be read (a missing output is redone; the
    worker says why a source cannot be read)."""
    from emoji_alpha.images import sha256_file

    try:
        return sha256_file(path)
    except EmojiAlphaError:
        return None


def _plan(manifest: Manifest, selected: list[_Input], out: Path, size, scale, options: EnlargeOptions,
          chunk_size: int, weights_sha: str | None, budget: int,
          force: bool) -> tuple[list[tuple[GlyphTask, int | None]], list]:
    """Rows for this run: skip what is done, pre-fail what cannot fit in memory.

    Returns ([(task, estimated bytes or None)], [(name, error)]).
    """
    import emoji_alpha
    from emoji_alpha.composite import format_backgrounds
    from emoji_alpha.images import MAX_INPUT_PIXELS
    from emoji_alpha.outputs import format_for_suffix, format_problem
    from emoji_alpha.sizes import check_enlarges, output_size

    options_json = _options_json(options)
    levels = format_backgrounds(options.backgrounds)
    todo: list[tuple[GlyphTask, int | None]] = []
    prefailed: list[tuple[str, str]] = []
    rows: list[ManifestRow] = []
    finished: list[tuple[str, str]] = []
    for entry in selected:
        entry.in_size = entry.in_size or _header_size(entry.source)
        source_sha = _sha256(entry.source)
        out_size, error, need = None, entry.error, None
        if error is None and entry.in_size is not None and entry.in_size[0] * entry.in_size[1] <= MAX_INPUT_PIXELS:
            try:
                out_size = output_size(entry.in_size, size, scale)
                check_enlarges(entry.in_size, out_size, size, scale)  # as for one file: emoji-alpha only enlarges
                problem = format_problem(format_for_suffix(entry.name), has_alpha=False, out_size=out_size)
                if problem:  # (a batch takes no alpha-less format: _output_suffix)
                    raise EmojiAlphaError(problem)
                need = glyph_memory(entry.in_size, out_size, options, chunk_size)
                if need + WORKER_OVERHEAD > budget:
                    error = (f"{entry.source}: enlarging {entry.in_size[1]}x{entry.in_size[0]} to "
                             f"{out_size[1]}x{out_size[0]} needs about {(need + WORKER_OVERHEAD) / 2**30:.1f} GiB, "
                             f"over the memory limit of {budget / 2**30:.1f} GiB")
            except EmojiAlphaError as exc:
                error = f"{entry.source}: {exc}"
        size_text = f"{out_size[1]}x{out_size[0]}" if out_size else None
        old = manifest.get(entry.name)
        output = out / entry.name
        if (not force and old is not None and old.status == "done" and error is None
                and old.source_sha256 == source_sha and old.size == size_text and old.version == emoji_alpha.__version__
                and _same_options(old, options_json) and (weights_sha is None or old.weights_sha256 == weights_sha)
                and old.output_sha256 and _sha256(output) == old.output_sha256):
            continue
        rows.append(ManifestRow(name=entry.name, source=str(entry.source), status="pending", source_sha256=source_sha,
                             codepoints=entry.codepoints, backgrounds=levels, size=size_text, method=options.method,
                             passes=options.passes, options=options_json, weights_sha256=weights_sha,
                             version=emoji_alpha.__version__))
        if error is not None:
            prefailed.append((entry.name, error))
            finished.append((entry.name, error))
        else:
            todo.append((GlyphTask(entry.name, str(entry.source), str(output)), need))
    manifest.put_pending(rows)
    for name, error in finished:
        manifest.mark_finished(name, status="failed", error=error, started_at=time.time())
    return todo, prefailed


def _same_options(row: ManifestRow, options_json: str) -> bool:
    try:
        return row.options is not None and json.loads(row.options) == json.loads(options_json)
    except json.JSONDecodeError:
        return False


def glyph_memory(in_size: tuple[int, int], out_size: tuple[int, int], options: EnlargeOptions,
                 chunk_size: int = DEFAULT_CHUNK) -> int:
    """Peak bytes to enlarge and solve one glyph: LIIF over K backgrounds (the Upscaler's own
    estimate) plus the K x H x W x 3 stack and a few H x W x 4 float images for the solve."""
    from emoji_alpha.liif.memory import estimate_memory

    count = max(2, len(options.backgrounds))
    pixels = out_size[0] * out_size[1]
    if not get_method(options.method).needs_liif:
        return in_size[0] * in_size[1] * 16 * 4 + pixels * 16 * 6
    return estimate_memory(in_size, out_size, count, chunk_size) + count * pixels * 12 + pixels * 16 * 6


def plan_workers(requested: int, needs: Iterable[int | None], budget: int) -> tuple[int, int]:
    """(workers, bytes each may use for its glyph): at most ``requested``, and no more than
    the budget holds with each worker's overhead and the largest glyph's estimate."""
    largest = max((n for n in needs if n is not None), default=0)
    per_worker = WORKER_OVERHEAD + largest
    workers = max(1, min(requested, budget // per_worker))
    return workers, budget // workers - WORKER_OVERHEAD


def _default_budget() -> int:
    from emoji_alpha.liif.memory import default_memory_limit

    return default_memory_limit()


def _weights_sha(weights: str | None) -> str:
    from emoji_alpha.images import sha256_file
    from emoji_alpha.liif import weights as weights_mod

    return sha256_file(weights_mod.resolve(weights, log=lambda _m: None))


# -- running ----------------------------------------------------------------------------

def _executor(todo, config: WorkerConfig, *, workers: int, budget: int, dask_address: str | None = None,
              user_budget: bool = False):
    """Where ``todo`` runs, each worker's ``config.liif`` given its share: of ``budget`` bytes
    and of the cores (unless ``config.liif.threads`` says). ``user_budget``: the budget is the
    user's (on Dask it then caps each glyph)."""
    from emoji_alpha.batch.executors import DaskExecutor, InlineExecutor, LocalPoolExecutor

    if not todo:
        return None
    liif = config.liif
    if dask_address:
        # Each Dask worker holds one glyph per thread; the budget caps each glyph's LIIF.
        liif = dataclasses.replace(liif, memory_limit=budget if user_budget else None)
        return DaskExecutor(dataclasses.replace(config, liif=liif), dask_address)
    count, per_glyph = plan_workers(min(workers, len(todo)), (need for _, need in todo), budget)
    cores = os.cpu_count() or 1
    liif = dataclasses.replace(liif, memory_limit=max(per_glyph, 1 << 20), threads=liif.threads or max(1, cores // count))
    config = dataclasses.replace(config, liif=liif)
    return InlineExecutor(config) if count == 1 else LocalPoolExecutor(config, count)


def _execute(executor, todo, manifest: Manifest, summary: BatchSummary, show_progress: bool) -> None:
    from emoji_alpha.progress import console

    tasks = [task for task, _ in todo]
    live = show_progress and console.is_terminal
    reported_warnings: set[str] = set()
    if show_progress:
        console.print(f"enlarging {len(tasks)} glyphs ({summary.skipped} already done) with {executor.description}",
                      highlight=False)
    with _Display(len(tasks), live) as display:
        try:
            def on_submit(task: GlyphTask) -> None:
                manifest.mark_running(task.name)
                display.status(f"{task.name} …")

            for count, outcome in enumerate(executor.run(tasks, on_submit), 1):
                _record(manifest, outcome)
                for message in outcome.warnings:
                    if message not in reported_warnings and show_progress:
                        reported_warnings.add(message)
                        console.print(f"[yellow]warning:[/] {message}", highlight=False)
                if outcome.status == "done":
                    summary.done += 1
                    line = f"{outcome.name} done in {outcome.seconds.get('total', 0.0):.2f}s"
                else:
                    summary.failed += 1
                    summary.failures.append((outcome.name, outcome.error or "unknown error"))
                    line = f"{outcome.name} [red]failed[/]: {(outcome.error or '').splitlines()[0]}"
                display.advance(line)
                if show_progress and (not live or outcome.status != "done"):
                    console.print(f"[{count}/{len(tasks)}] {line}", highlight=False)
                if outcome.stops_batch:  # disk full: every later glyph would fail the same way
                    what = (outcome.error or "no space left on the device").split(";")[0]
                    raise DiskFullError(f"{what}; the batch stopped there ({outcome.name} is recorded as failed, "
                                        "finished glyphs are kept): free some space and run it again to resume")
        except BaseException:
            # Ctrl-C, disk full: what was in flight is pending again. If even that cannot be
            # written, those rows stay 'running' (status shows them as interrupted) and the
            # next run resets them, so the original error is the one to report.
            with suppress(EmojiAlphaError):
                manifest.reset_running()
            raise


def _record(manifest: Manifest, outcome: GlyphOutcome) -> None:
    fields = dict(status=outcome.status, error=outcome.error, seconds=json.dumps(outcome.seconds), loss=outcome.loss,
                  consistency_alpha_mae=outcome.consistency_alpha_mae, output_sha256=outcome.output_sha256,
                  started_at=outcome.started_at, finished_at=outcome.finished_at, worker=outcome.worker or None)
    if outcome.size:
        fields["size"] = outcome.size
    if outcome.weights_sha256:
        fields["weights_sha256"] = outcome.weights_sha256
    manifest.mark_finished(outcome.name, **fields)


class _Display:
    """The batch's rich bar (ETA plus the latest glyph's status), or nothing off a terminal."""

    def __init__(self, total: int, live: bool) -> None:
        self.total, self.live = total, live
        self.bar = None

    def __enter__(self) -> _Display:
        if self.live:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            from emoji_alpha.progress import console

            self.bar = Progress(TextColumn("enlarging"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[status]}"),
                                console=console)
            self.bar.__enter__()
            self.task = self.bar.add_task("batch", total=self.total, status="")
        return self

    def status(self, text: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, status=text)

    def advance(self, text: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, status=text)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


class _lock:
    """One batch per output folder at a time (released by the OS if the process dies)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME

    def __enter__(self) -> None:
        try:
            self.handle = open(self.path, "a+")
        except OSError as exc:  # a read-only or full output folder
            raise write_failure(self.path, exc) from None
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise EmojiAlphaError(f"another batch is running in {self.path.parent}") from None

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


@contextlib.contextmanager
def _output_folder(out: Path):
    """Make the batch's output folder; if the batch is then refused before any work (a user
    error), a folder it made that holds only the lock file is removed again."""
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failure(out, exc) from None
    try:
        yield
    except EmojiAlphaError:
        if created:
            _remove_if_unused(out)
        raise


def _remove_if_unused(folder: Path) -> None:
    """Remove a folder this batch made if it holds nothing but the lock file (unlinked while
    locked, so no other batch can be holding it)."""
    try:
        with open(folder / LOCK_NAME, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.listdir(folder) == [LOCK_NAME]:
                os.unlink(folder / LOCK_NAME)
        folder.rmdir()
    except OSError:  # BlockingIOError included: in use, or not empty; leave it
        pass


def batch_running_in(folder: Path) -> bool:
    """Whether a batch holds ``folder``'s lock right now (without creating the lock file)."""
    try:
        handle = os.open(Path(folder) / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return False  # no lock file: no batch has started here, none is running
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
    finally:
        os.close(handle)


def _remove_stale_temp_files(folder: Path) -> None:
    """Temp files of atomic writes cut short by a kill (``.<name>.png.<random>.tmp``, or
    another output suffix)."""
    from emoji_alpha.outputs import DEFAULT_SUFFIXES

    for suffix in DEFAULT_SUFFIXES.values():
        for path in folder.glob(f".*{suffix}.*.tmp"):
            path.unlink(missing_ok=True)
