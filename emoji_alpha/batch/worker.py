"""One glyph of a batch, as run inside a worker (a pool process, a Dask worker or inline).

Workers read the input, enlarge and solve it, and write the output PNG atomically; they
never touch the manifest. They send a :class:`GlyphOutcome` back and the parent records it.
Everything here is picklable and imports nothing heavy at import time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import time
import traceback
import warnings
from dataclasses import dataclass, field

from emoji_alpha.errors import DiskFullError, EmojiAlphaError
from emoji_alpha.methods import get_method
from emoji_alpha.options import EnlargeOptions, LiifConfig


@dataclass(frozen=True)
class WorkerConfig:
    """What every glyph of one batch shares. ``liif`` is one worker's: its ``threads`` are
    torch threads per worker (None: all cores, or on Dask the host's share) and its
    ``memory_limit`` the bytes one worker may use for LIIF (None: the Upscaler default)."""

    size: str | None
    scale: float | None
    options: EnlargeOptions = field(default_factory=EnlargeOptions)
    liif: LiifConfig = field(default_factory=LiifConfig)
    #: Dask only: total worker threads per host, so each worker takes its share of the cores.
    host_threads: dict = field(default_factory=dict, hash=False, compare=False)

    def key(self) -> str:
        return repr((self.size, self.scale, self.options, self.liif))


@dataclass(frozen=True)
class GlyphTask:
    name: str  #: output file name (also the manifest key)
    source: str  #: input image path
    output: str  #: output image path; its suffix names the format (.png, .webp, .tiff)
    #: Dask: the input's bytes travel with the task and the encoded output comes back in the
    #: outcome, so workers need no file system shared with the client.
    data: bytes | None = None
    return_output: bool = False


@dataclass
class GlyphOutcome:
    name: str
    status: str  # 'done' or 'failed'
    error: str | None = None
    size: str | None = None  # output WxH
    seconds: dict = field(default_factory=dict)
    loss: float | None = None
    consistency_alpha_mae: float | None = None
    output_sha256: str | None = None
    weights_sha256: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    warnings: list[str] = field(default_factory=list)
    worker: str = ""
    output: bytes | None = None  # the encoded output, when the task asked for it back (return_output)
    #: The failure is the machine's, not the glyph's (disk full): the batch records it and stops.
    stops_batch: bool = False


# Per-process state: built once by init_worker (pool) or on first use (Dask, inline).
_state: dict = {"key": None, "config": None, "upscaler": None, "init_error": None}


def init_worker(config: WorkerConfig, build: bool = True) -> None:
    """Pool initializer: remember the config and build the LIIF upscaler once.

    An error here (missing weights, no CUDA) is kept and reported for each glyph instead
    of breaking the pool.
    """
    from emoji_alpha.progress import set_bars_enabled

    set_bars_enabled(False)
    _state.update(key=config.key(), config=config, upscaler=None, init_error=None)
    if build and get_method(config.options.method).needs_liif:
        try:
            _upscaler(config)
        except EmojiAlphaError as exc:
            _state["init_error"] = str(exc)


def _upscaler(config: WorkerConfig):
    if _state["init_error"] is not None:
        raise EmojiAlphaError(_state["init_error"])
    if _state["upscaler"] is None:
        liif = dataclasses.replace(config.liif, threads=_threads(config))
        _state["upscaler"] = liif.build(log=lambda _m: None)
    return _state["upscaler"]


def _threads(config: WorkerConfig) -> int | None:
    threads = config.liif.threads
    if threads or not config.host_threads:
        return threads
    sharing = config.host_threads.get(socket.gethostname()) or config.host_threads.get(_dask_host())
    return max(1, (os.cpu_count() or 1) // sharing) if sharing else None


def _dask_host() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().address.split("://")[-1].rsplit(":", 1)[0]
    except (ImportError, ValueError):
        return None


def process_glyph(task: GlyphTask) -> GlyphOutcome:
    """Pool entry point: uses the config given to :func:`init_worker`."""
    return _process(task, _state["config"])


def process_glyph_with(task: GlyphTask, config: WorkerConfig) -> GlyphOutcome:
    """Dask entry point: the config travels with the task; the upscaler is cached per process."""
    if _state["key"] != config.key():
        init_worker(config, build=False)
    return _process(task, config)


def _process(task: GlyphTask, config: WorkerConfig) -> GlyphOutcome:
    from emoji_alpha.images import decode_image, encode_image, read_image, write_bytes_atomic
    from emoji_alpha.outputs import format_for_suffix
    from emoji_alpha.pipeline import NO_LIIF, enlarge_loaded, needs_liif
    from emoji_alpha.sizes import output_size

    outcome = GlyphOutcome(task.name, "failed", started_at=time.time(), worker=f"{socket.gethostname()}:{os.getpid()}")
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = read_image(task.source) if task.data is None else decode_image(task.data, name=task.source)
            out_size = output_size(loaded.size, config.size, config.scale)
            outcome.size = f"{out_size[1]}x{out_size[0]}"
            upscaler = _upscaler(config) if needs_liif(config.options, loaded) else NO_LIIF
            result = enlarge_loaded(loaded, out_size, upscaler, config.options, source=task.source)
            encode_start = time.perf_counter()
            data = encode_image(result.straight(), format_for_suffix(task.output) or "png")
            if task.return_output:
                outcome.output = data
            else:
                write_bytes_atomic(task.output, data)
        outcome.warnings = sorted({str(w.message) for w in caught})
        report = result.report
        outcome.seconds = {**report.seconds, "write": time.perf_counter() - encode_start}
        outcome.loss = report.loss
        if report.consistency is not None:
            outcome.consistency_alpha_mae = report.consistency.alpha_mae
        outcome.output_sha256 = hashlib.sha256(data).hexdigest()
        outcome.weights_sha256 = getattr(upscaler, "weights_sha256", "") or None
        outcome.status = "done"
    except DiskFullError as exc:
        outcome.error, outcome.stops_batch = str(exc), True
    except EmojiAlphaError as exc:  # bad input, too large for the memory budget, bad weights
        outcome.error = str(exc)
    except MemoryError:
        outcome.error = "out of memory"
    except Exception as exc:  # noqa: BLE001 - a bug must not stop a whole font; recorded with its traceback
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        outcome.error = f"internal error: {type(exc).__name__}: {exc}\n{''.join(lines)}"
    outcome.seconds["total"] = time.perf_counter() - start
    outcome.finished_at = time.time()
    return outcome
