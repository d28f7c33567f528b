"""Best-of-N timing. The machine may be shared: noise only ever adds time, so the fastest of
several runs is the estimate, and cases that are compared take turns so that each sees the same
load."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

C = TypeVar("C")
R = TypeVar("R")


@dataclass(frozen=True)
class Timing:
    """The last run's result, the fastest run's seconds and every run's seconds."""

    result: Any
    seconds: float
    runs: list[float]


def best_of(fn: Callable[[], Any], repeats: int, *, sync: Callable[[], None] | None = None) -> Timing:
    """Call ``fn`` ``repeats`` times in this process and keep the fastest wall time. ``sync``
    (e.g. ``torch.cuda.synchronize``) runs before the clock starts and before it stops, so that
    queued GPU work is counted where it belongs. Warm-up calls are the caller's."""
    runs, result = [], None
    for _ in range(repeats):
        if sync:
            sync()
        start = time.perf_counter()
        result = fn()
        if sync:
            sync()
        runs.append(time.perf_counter() - start)
    return Timing(result, min(runs), runs)


def alternate(cases: Sequence[C], run: Callable[[C, int], R], repeats: int | Callable[[C], int]) -> list[list[R]]:
    """Each case's runs, in case order, the cases taking turns: round 0 runs every case once,
    round 1 every case again, and so on (``run(case, round)``). ``repeats`` is the number of
    rounds, or a function giving each case its own count (a case with fewer sits the later
    rounds out)."""
    counts = [repeats(case) if callable(repeats) else repeats for case in cases]
    runs: list[list[R]] = [[] for _ in cases]
    for round_ in range(max(counts, default=0)):
        for index, case in enumerate(cases):
            if round_ < counts[index]:
                runs[index].append(run(case, round_))
    return runs
