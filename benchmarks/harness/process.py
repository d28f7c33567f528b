"""Measurements in a fresh process, so that imports, first-call costs and above all the peak
resident memory belong to the one case measured there.

* :func:`in_fresh_process` calls a Python function in a newly spawned interpreter (not
  forked: nothing of this process's memory or threads comes along) and returns its result
  with that interpreter's peak RSS;
* :func:`run_command` runs a command and returns its wall time and peak RSS (``wait4``'s
  resource usage of that child).
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queues
import resource
import subprocess
import tempfile
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Sequence


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class Fresh:
    """What a function returned in its own process, and that process's peak RSS (MB) after it."""

    result: Any
    peak_rss_mb: float


def in_fresh_process(fn: Callable[..., Any], *args: Any) -> Fresh:
    """``fn(*args)`` in a freshly spawned Python process.

    ``fn`` must be importable by name (a module-level function) and its result picklable. An
    exception there is raised here as a RuntimeError carrying its traceback; a process that
    dies without a word (killed, out of memory) too, instead of leaving this one waiting.
    """
    context = multiprocessing.get_context("spawn")
    channel = context.Queue()
    child = context.Process(target=_call, args=(fn, args, channel))
    child.start()
    while True:
        try:
            status, value, peak = channel.get(timeout=1.0)
            break
        except queues.Empty:
            if not child.is_alive():
                try:  # it may have answered just before it ended
                    status, value, peak = channel.get(timeout=1.0)
                    break
                except queues.Empty:
                    child.join()
                    raise RuntimeError(f"{fn.__qualname__}{args}: its process ended (exit code {child.exitcode}) "
                                       "without a result") from None
    child.join()
    if status == "error":
        raise RuntimeError(f"{fn.__qualname__}{args} failed in its process:\n{value}")
    return Fresh(value, peak)


def _call(fn: Callable[..., Any], args: tuple, channel) -> None:
    """The child's side: run, then report the result (or the error) and the peak RSS."""
    try:
        result = fn(*args)
    except BaseException:  # report it: the parent is waiting for an answer
        channel.put(("error", traceback.format_exc(), None))
        return
    channel.put(("ok", result, peak_rss_mb()))


@dataclass(frozen=True)
class CommandRun:
    """One command's exit code, wall seconds, peak RSS (MB) and standard error."""

    returncode: int
    wall_s: float
    peak_rss_mb: float
    stderr: str


def run_command(command: Sequence[str]) -> CommandRun:
    """Run ``command`` (standard output discarded) and measure it; its standard error goes to a
    temporary file, so that a talkative child cannot fill a pipe and stall."""
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=errors, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        return CommandRun(process.returncode, wall, usage.ru_maxrss / 1024, errors.read())
