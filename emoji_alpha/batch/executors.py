"""Where glyph tasks run: inline, a local process pool, or an existing Dask cluster.

Each executor's :meth:`run` takes the tasks and a callback ``on_submit(task)`` (the parent
marks the row 'running') and yields one :class:`GlyphOutcome` per task, in completion order.
Failures, including a worker process that dies, come back as 'failed' outcomes; only the
caller (the parent / Dask client) writes the manifest.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from emoji_alpha.batch.worker import GlyphOutcome, GlyphTask, WorkerConfig, init_worker, process_glyph
from emoji_alpha.errors import DiskFullError, EmojiAlphaError

OnSubmit = Callable[[GlyphTask], None]
DASK_EXTRA_HINT = "--dask needs the optional extra dask[distributed]: pip install 'emoji-alpha[dask]'"


def _failed(task: GlyphTask, error: str) -> GlyphOutcome:
    now = time.time()
    return GlyphOutcome(task.name, "failed", error=error, started_at=now, finished_at=now)


class InlineExecutor:
    """One worker: run in this process (no spawn, no second copy of the model)."""

    workers = 1
    description = "1 worker (in process)"

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config

    def run(self, tasks: Iterable[GlyphTask], on_submit: OnSubmit) -> Iterator[GlyphOutcome]:
        from emoji_alpha.progress import set_bars_enabled

        previous = set_bars_enabled(False)
        try:
            init_worker(self.config)
            for task in tasks:
                on_submit(task)
                yield process_glyph(task)
        finally:
            set_bars_enabled(previous)


class LocalPoolExecutor:
    """``workers`` spawned processes, each building its upscaler once (initializer).

    At most ``workers`` tasks are in flight, so a row marked 'running' really is running.
    When a worker dies (killed, out of memory) the pool breaks and every glyph in flight is
    a suspect: the pool is rebuilt and the suspects are retried one at a time, so only the
    glyph that kills a worker on its own is recorded as failed.
    """

    def __init__(self, config: WorkerConfig, workers: int) -> None:
        self.config = config
        self.workers = workers
        self.description = f"{workers} worker processes"

    def _pool(self):
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=init_worker, initargs=(self.config,))

    def run(self, tasks: Iterable[GlyphTask], on_submit: OnSubmit) -> Iterator[GlyphOutcome]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        queue = deque(tasks)
        suspects: deque[GlyphTask] = deque()
        in_flight: dict = {}
        pool = self._pool()

        def submit(task: GlyphTask) -> None:
            on_submit(task)
            in_flight[pool.submit(process_glyph, task)] = task

        try:
            while queue or suspects or in_flight:
                if suspects:  # alone, so a death names its cause
                    if not in_flight:
                        submit(suspects.popleft())
                else:
                    while queue and len(in_flight) < self.workers:
                        submit(queue.popleft())
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                lost: list[GlyphTask] = []
                for future in done:
                    task = in_flight.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        lost.append(task)
                if lost:
                    lost += in_flight.values()
                    in_flight.clear()
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = self._pool()
                    if len(lost) == 1:
                        yield _failed(lost[0], "worker process died (killed, or out of memory?)")
                    else:
                        suspects.extend(lost)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Tasks on an existing Dask cluster; results come back to this client.

    Input bytes go out with each task and the PNG comes back with its outcome, and this
    client writes it: the workers need no file system shared with the client."""

    def __init__(self, config: WorkerConfig, address: str, *, timeout: str = "20s") -> None:
        try:
            import distributed
        except ImportError:
            raise EmojiAlphaError(DASK_EXTRA_HINT) from None
        self.distributed = distributed
        try:
            self.client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise EmojiAlphaError(f"cannot connect to the Dask scheduler at {address} ({exc})") from None
        workers = self.client.scheduler_info(n_workers=-1)["workers"] if _takes_n_workers(self.client) \
            else self.client.scheduler_info()["workers"]
        if not workers:
            self.client.close()
            raise EmojiAlphaError(f"the Dask cluster at {address} has no workers")
        host_threads: dict[str, int] = {}
        for info in workers.values():
            host_threads[info["host"]] = host_threads.get(info["host"], 0) + int(info.get("nthreads", 1))
        self.workers = sum(host_threads.values())
        self.config = _with_host_threads(config, host_threads)
        self.description = f"Dask cluster at {address} ({len(workers)} workers, {self.workers} threads)"

    def run(self, tasks: Iterable[GlyphTask], on_submit: OnSubmit) -> Iterator[GlyphOutcome]:
        import dataclasses
        from concurrent.futures import CancelledError
        from pathlib import Path

        from emoji_alpha.batch.worker import process_glyph_with
        from emoji_alpha.images import write_bytes_atomic

        queue = deque(tasks)
        window = max(1, self.workers) * 2  # keep every worker thread busy, plus one queued each
        owners: dict = {}
        try:
            def submit():
                task = queue.popleft()
                on_submit(task)
                try:
                    data = Path(task.source).read_bytes()
                except OSError:
                    data = None  # the worker then reports why it cannot be read
                shipped = dataclasses.replace(task, data=data, return_output=data is not None)
                future = self.client.submit(process_glyph_with, shipped, self.config, pure=False,
                                            key=f"emoji-alpha-{task.name}-{time.time_ns()}")
                owners[future.key] = task
                return future

            first = [submit() for _ in range(min(window, len(queue)))]
            completed = self.distributed.as_completed(first, loop=self.client.loop)
            for future in completed:
                task = owners.pop(future.key)
                try:
                    outcome = future.result()
                    if outcome.output is not None:  # written here, by the client, atomically
                        try:
                            write_bytes_atomic(task.output, outcome.output)
                        except EmojiAlphaError as exc:  # disk full, read-only folder: the glyph fails
                            outcome = _failed(task, str(exc))
                            outcome.stops_batch = isinstance(exc, DiskFullError)
                        outcome.output = None
                    yield outcome
                except (self.distributed.KilledWorker, CancelledError) as exc:
                    yield _failed(task, f"Dask worker lost ({type(exc).__name__}: {exc})")
                finally:
                    future.release()
                if queue:
                    completed.add(submit())
        finally:
            self.client.close()


def _takes_n_workers(client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


def _with_host_threads(config: WorkerConfig, host_threads: dict[str, int]) -> WorkerConfig:
    import dataclasses

    return dataclasses.replace(config, host_threads=host_threads)
