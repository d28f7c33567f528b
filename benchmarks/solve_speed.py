"""Time the exact alpha solver on a 2000 x 2000 stack with K = 3 backgrounds.

Usage: python -m benchmarks.solve_speed [--size 2000] [--repeats 3] [--no-torch]
Writes benchmarks/results/solve_speed.md.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from pathlib import Path

import numpy as np

from benchmarks.harness import RESULTS, best_of, cpu_model, peak_rss_mb, table
from emoji_alpha.solve import solve_exact

BACKGROUNDS = [0.0, 0.5, 1.0]


def make_stack(size: int, seed: int = 0) -> np.ndarray:
    """Emoji-like content: a third transparent, a third opaque, a third soft edges; plus noise."""
    rng = np.random.default_rng(seed)
    n = size * size
    kind = rng.integers(0, 3, n)
    a = np.where(kind == 0, 0.0, np.where(kind == 1, 1.0, rng.uniform(0, 1, n)))
    p = rng.uniform(0, 1, (n, 3)) * a[:, None]
    b = np.asarray(BACKGROUNDS)[:, None, None]
    s = p[None] + (1.0 - a)[None, :, None] * b
    s += rng.normal(0, 0.01, s.shape)
    return s.astype(np.float32).reshape(len(BACKGROUNDS), size, size, 3)


def timed(fn, repeats: int) -> tuple[float, int]:
    """Best wall time over repeats and the tracemalloc peak (bytes) of one call."""
    best = best_of(fn, repeats).seconds
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)

    import numba

    stack = make_stack(args.size)
    t = time.perf_counter()
    solve_exact(stack[:, :4, :4], BACKGROUNDS)  # JIT compile or load from the numba cache
    warmup = time.perf_counter() - t
    rows = []
    numba_s, numba_peak = timed(lambda: solve_exact(stack, BACKGROUNDS), args.repeats)
    rows.append(("numba", f"{numba.get_num_threads()} numba threads", numba_s, numba_peak))
    if not args.no_torch:
        import torch

        solve_exact(stack[:, :4, :4], BACKGROUNDS, backend="torch")
        default_threads = torch.get_num_threads()
        for threads in sorted({1, default_threads}):
            torch.set_num_threads(threads)
            torch_s, torch_peak = timed(lambda: solve_exact(stack, BACKGROUNDS, backend="torch"), 1)
            rows.append(("torch (cpu, float64)", f"{threads} torch threads", torch_s, torch_peak))
        torch.set_num_threads(default_threads)
    load = os.getloadavg()[0]
    max_rss = peak_rss_mb()

    lines = [
        "# Exact solver speed",
        "",
        f"`python -m benchmarks.solve_speed --size {args.size}`: {args.size} x {args.size} pixels, "
        f"K = {len(BACKGROUNDS)} backgrounds {BACKGROUNDS}, float32 stack "
        f"({stack.nbytes / 2**20:.0f} MiB); best of {args.repeats} after a warm-up call "
        f"(warm-up {warmup:.2f} s: JIT compile, or load from numba's on-disk cache).",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs, "
        f"numpy {np.__version__}, numba {numba.__version__}; 1-minute load average at the end "
        f"{load:.1f} (other processes share the CPUs, so times are upper bounds).",
        "",
        *table(["backend", "threads", "wall time (s)", "Mpixel/s", "peak Python allocations (MiB)"],
               ([name, threads, f"{secs:.3f}", f"{args.size * args.size / secs / 1e6:.1f}", f"{peak / 2**20:.0f}"]
                for name, threads, secs, peak in rows)),
        "",
        f"Process peak RSS (whole run, including the input stack and torch): {max_rss:.0f} MiB.",
        "Peak allocations are tracemalloc's peak during one call (numpy buffers; torch's own "
        "allocator is not traced, so the torch row undercounts).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "solve_speed.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
