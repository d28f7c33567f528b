"""LIIF and whole-glyph speed on a GPU: the engine (float32 and float16) against the official
algorithm on the same card, and the default pipeline against the black/white method.

    python -m benchmarks.device_speed --device cuda        # needs a CUDA GPU

Engine cases (160 -> 640 and 160 -> 2000, 1 and 4 images): the reference is the official
algorithm (queries in chunks of 30000, the whole unfolded feature map per chunk); each case
runs once to warm up (cuDNN and kernel selection), then keeps its best of ``--repeats``
timed runs, synchronised; TF32 is off, so float32 is float32 on both sides. Differences are the largest absolute ones against the reference on
the same card, in 8-bit levels. Whole glyphs (``benchmarks.pipeline_speed``'s glyphs) run
in this warm process: the default pipeline, the same with float16 LIIF (and how far its
result moves from the float32 one), and the two-background method with the reference LIIF.

Writes benchmarks/results/device_speed.md and .json (``--out`` elsewhere).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks.harness import RESULTS, best_of, data_dir, table
from benchmarks.pipeline_speed import GLYPHS
SIZES = (640, 2000)


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _best(fn, device: str, repeats: int):
    """(result, best seconds, peak GPU MiB) of ``fn`` after one warm-up run."""
    fn()
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    timing = best_of(fn, repeats, sync=lambda: _sync(device))
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.startswith("cuda") else float("nan")
    return timing.result, timing.seconds, peak


def _precisions(device: str) -> dict[str, bool]:
    """The engine's precisions to measure: float16 (``half``) on GPUs only."""
    return {"float32": False, "float16": True} if not device.startswith("cpu") else {"float32": False}


def engine_cases(device: str, repeats: int, sizes) -> list[dict]:
    from emoji_alpha.composite import flatten
    from emoji_alpha.images import premultiply, read_image
    from emoji_alpha.liif import weights
    from emoji_alpha.liif.engine import LiifEngine, reference_enlarge

    model = weights.load_model(weights.resolve("official", log=lambda _m: None), device)
    premul = premultiply(read_image(data_dir() / GLYPHS[1] / "160.png").rgba)
    levels = (0.0, 64 / 255, 192 / 255, 1.0)
    composites = flatten(premul, np.asarray(levels, np.float32))
    images = torch.from_numpy(np.ascontiguousarray(composites.transpose(0, 3, 1, 2))).to(device)
    engines = {name: LiifEngine(model, half=half) for name, half in _precisions(device).items()}
    rows = []
    for size in sizes:
        for count in (1, 4):
            batch = images[:count]
            with torch.inference_mode():
                expected, ref_s, ref_mem = _best(lambda: reference_enlarge(model, batch, (size, size)), device, repeats)
            expected = expected.reshape(count, -1, 3).float()
            row = {"size": size, "images": count, "reference_s": ref_s, "reference_peak_mib": ref_mem}
            for name, engine in engines.items():
                got, seconds, peak = _best(lambda: engine.query(engine.prepare(batch, (size, size))), device, repeats)
                row[name] = {"seconds": seconds, "speedup": ref_s / seconds, "peak_mib": peak,
                             "max_diff_levels": float((got.float() - expected).abs().max()) * 255.0,
                             "mpix_per_s": count * size * size / seconds / 1e6}
            rows.append(row)
            print(f"engine 160->{size} x{count}: reference {ref_s:.3f} s; " + "; ".join(
                f"{name} {row[name]['seconds']:.3f} s ({row[name]['speedup']:.1f}x, {row[name]['max_diff_levels']:.4f} levels)"
                for name in engines), flush=True)
    return rows


def glyph_cases(device: str, repeats: int, sizes) -> list[dict]:
    from emoji_alpha.images import composite_over, premultiply, read_image
    from emoji_alpha.liif import Upscaler
    from emoji_alpha.liif.engine import reference_enlarge
    from emoji_alpha.options import EnlargeOptions
    from emoji_alpha.peers import twobg_from
    from emoji_alpha.pipeline import enlarge_rgba

    quiet = {"log": lambda _m: None}
    ours = {name: Upscaler(None, device, half=half, **quiet) for name, half in _precisions(device).items()}
    official = Upscaler("official", device, **quiet)
    rows = []
    for size in sizes:
        for glyph in GLYPHS:
            premul = premultiply(read_image(data_dir() / glyph / "160.png").rgba)
            row = {"glyph": glyph, "size": size}
            results = {}
            for name, upscaler in ours.items():
                def run_once():
                    upscaler.seconds = {"encode": 0.0, "query": 0.0}
                    return enlarge_rgba(premul, (size, size), upscaler, EnlargeOptions())

                result, seconds, _ = _best(run_once, device, repeats)
                results[name] = result.premul
                split = dict(result.report.seconds)  # the last run's
                split.update({f"liif:{k}": v for k, v in upscaler.seconds.items()})
                row[name] = {"seconds": seconds, "split": split}

            def twobg():
                rgb = [premul[..., :3], composite_over(premul, 1.0)]
                black, white = (reference_enlarge(official.model, torch.from_numpy(c.transpose(2, 0, 1)[None].copy())
                                                  .to(device), (size, size))[0].cpu().numpy() for c in rgb)
                return twobg_from(black, white)

            with torch.inference_mode():
                _, row["twobg_reference_s"], _ = _best(twobg, device, repeats)
            row["ratio"] = row["float32"]["seconds"] / row["twobg_reference_s"]
            diff = np.abs(results.get("float16", results["float32"]) - results["float32"]) * 255.0
            row["float16_vs_float32_levels"] = {"alpha_mean": float(diff[..., 3].mean()), "alpha_max": float(diff[..., 3].max()),
                                                "colour_mean": float(diff[..., :3].mean()), "colour_max": float(diff[..., :3].max())}
            rows.append(row)
            print(f"glyph {glyph} 160->{size}: " + ", ".join(f"{name} {row[name]['seconds']:.2f} s" for name in ours)
                  + f", twobg reference {row['twobg_reference_s']:.2f} s, ratio {row['ratio']:.2f}; float16 moves "
                  f"alpha by {diff[..., 3].mean():.3f} levels on average", flush=True)
    return rows


def write_report(meta: dict, engine_rows: list[dict], glyph_rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "device_speed.json").write_text(json.dumps({"meta": meta, "engine": engine_rows, "glyphs": glyph_rows},
                                                      indent=1))
    lines = ["# LIIF and whole-glyph speed on a GPU", "", __doc__.split("\n\n")[0], "",
             f"Card: **{meta['card']}**; torch {meta['torch']}, CUDA {meta['cuda']}, {meta['cpus']} CPU threads; "
             f"{meta['date']}. Best of {meta['repeats']} runs after a warm-up, in one warm process.", "",
             "## Engine vs the official algorithm (same card)", ""]
    missing = {"seconds": float("nan"), "speedup": float("nan"), "max_diff_levels": float("nan"),
               "mpix_per_s": float("nan"), "peak_mib": float("nan")}
    cells = []
    for r in engine_rows:
        f32, f16 = r["float32"], r.get("float16", missing)
        cells.append([f"160->{r['size']} x{r['images']}", f"{r['reference_s']:.3f}",
                      f"{f32['seconds']:.3f} ({f32['speedup']:.1f}x)", f"{f32['max_diff_levels']:.4f}",
                      f"{f16['seconds']:.3f} ({f16['speedup']:.1f}x)", f"{f16['max_diff_levels']:.2f}",
                      f"{f32['mpix_per_s']:.1f} / {f16['mpix_per_s']:.1f}",
                      f"{r['reference_peak_mib']:.0f} / {f32['peak_mib']:.0f} / {f16['peak_mib']:.0f}"])
    lines += table(["case", "reference s", "float32 s (speedup)", "float32 max diff (levels)", "float16 s (speedup)",
                    "float16 max diff (levels)", "Mpix/s float32 / float16", "peak GPU MiB ref / f32 / f16"], cells)
    lines += ["", "## Whole glyph: default pipeline vs the black/white method with the reference LIIF", ""]
    cells = []
    for r in glyph_rows:
        d = r["float16_vs_float32_levels"]
        half_s = r["float16"]["seconds"] if "float16" in r else float("nan")
        cells.append([r["glyph"], f"160->{r['size']}", f"{r['float32']['seconds']:.2f}", f"{half_s:.2f}",
                      f"{r['twobg_reference_s']:.2f}", f"{r['ratio']:.2f}",
                      f"{d['alpha_mean']:.3f} / {d['alpha_max']:.1f}, {d['colour_mean']:.3f} / {d['colour_max']:.1f}",
                      ", ".join(f"{k} {v:.2f}" for k, v in r["float32"]["split"].items())])
    lines += table(["glyph", "size", "default s", "float16 LIIF s", "twobg reference s", "ratio (default)",
                    "float16 vs float32 result: alpha mean / max, colour mean / max (levels)",
                    "default split, last run (s; LIIF's not synchronised)"], cells)
    (out / "device_speed.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="output sizes (of 160-px glyphs)")
    parser.add_argument("--skip-glyphs", action="store_true", help="engine cases only")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("no CUDA device here: this benchmark measures a GPU")
    torch.backends.cudnn.benchmark = True
    # float32 means float32 for the reference too (the engine turns TF32 off itself)
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    meta = {"card": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu (code check only)",
            "torch": torch.__version__, "cuda": torch.version.cuda, "cpus": torch.get_num_threads(),
            "repeats": args.repeats, "date": time.strftime("%Y-%m-%d %H:%M")}
    print(meta, flush=True)
    sizes = [int(v) for v in args.sizes.split(",")]
    engine_rows = engine_cases(args.device, args.repeats, sizes)
    write_report(meta, engine_rows, [], args.out)  # keep the engine half if the glyphs run out of time
    glyph_rows = [] if args.skip_glyphs else glyph_cases(args.device, args.repeats, sizes)
    write_report(meta, engine_rows, glyph_rows, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
