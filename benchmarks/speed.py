"""LIIF decoding speed: the fast engine against the official algorithm, side by side.

Every case runs in a fresh spawned process (so its peak RSS is its own), cases alternate
reference / engine and repeat, and the best time of each is kept: the machine may be shared,
so compare the *ratios* measured in one run, not absolute times across runs.

    python -m benchmarks.speed            # 160->640 and 160->2000 (the reference takes minutes)
    python -m benchmarks.speed --quick    # 160->640 and 64->256

Writes benchmarks/results/speed.md and speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import RESULTS, TINY, alternate, cpu_model, in_fresh_process, table

#: Multiply-adds per output pixel (cost model): engine (3 x 4 x 256^2 + gather) vs reference
#: (4 x (580 x 256 + 3 x 256^2)).
ENGINE_MACS = 0.79e6
REFERENCE_MACS = 1.38e6


def _input(size: int):
    """Deterministic emoji-like RGB input: the tiny dataset's 1f600 glyph over white, resized."""
    import numpy as np
    import torch
    from PIL import Image

    png = TINY / "1f600" / "64.png"
    if png.exists():
        rgba = np.asarray(Image.open(png).convert("RGBA"), dtype=np.float32) / 255.0
        rgb = rgba[..., :3] * rgba[..., 3:] + (1.0 - rgba[..., 3:])
        image = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))[None]
    else:  # smooth random image
        g = torch.Generator().manual_seed(0)
        image = torch.rand(1, 3, 16, 16, generator=g)
    image = torch.nn.functional.interpolate(image, size=(size, size), mode="bicubic", align_corners=False)
    return image.clamp(0, 1)


def _case(spec: dict, out_path: str) -> dict:
    """Run one case in this (fresh) process; returns its timings, saves the output."""
    import numpy as np
    import torch

    from emoji_alpha.liif import weights
    from emoji_alpha.liif.engine import LiifEngine, reference_enlarge

    torch.manual_seed(0)
    model = weights.load_model(weights.resolve("official", log=lambda _: None), "cpu")
    base = _input(spec["in"])
    # K images of a background stack: the same glyph over different backgrounds
    images = torch.cat([base * (1.0 - 0.3 * k) + 0.3 * k * (k % 2) for k in range(spec["k"])]).clamp(0, 1)
    out = (spec["out"], spec["out"])
    res: dict = {"threads": torch.get_num_threads()}
    with torch.inference_mode():
        t = time.perf_counter()
        model.encode((images - 0.5) / 0.5)
        res["encoder_s"] = time.perf_counter() - t
        if spec["kind"] == "reference":
            t = time.perf_counter()
            result = reference_enlarge(model, images, out).reshape(spec["k"], -1, 3)
            res["total_s"] = time.perf_counter() - t
            res["decode_s"] = res["total_s"] - res["encoder_s"]
        else:
            engine = LiifEngine(model)
            if spec["separate"]:
                t0 = time.perf_counter()
                parts, prep, query = [], 0.0, 0.0
                for k in range(spec["k"]):
                    t = time.perf_counter()
                    prepared = engine.prepare(images[k:k + 1], out)
                    prep += time.perf_counter() - t
                    t = time.perf_counter()
                    parts.append(engine.query(prepared))
                    query += time.perf_counter() - t
                result = torch.cat(parts)
                res["total_s"] = time.perf_counter() - t0
            else:
                t0 = time.perf_counter()
                prepared = engine.prepare(images, out)
                prep = time.perf_counter() - t0
                t = time.perf_counter()
                result = engine.query(prepared)
                query = time.perf_counter() - t
                res["total_s"] = time.perf_counter() - t0
            res["prepare_s"] = prep  # includes the encoder
            res["query_s"] = query
            res["decode_s"] = query
    np.save(out_path, result.float().numpy())
    return res


def run_case(spec: dict, out_path: str) -> dict:
    """One case in a fresh spawned process: its timings and its own peak RSS."""
    fresh = in_fresh_process(_case, spec, out_path)
    return {**fresh.result, "peak_rss_mb": fresh.peak_rss_mb}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="160->640 and 64->256 only")
    parser.add_argument("--repeats", type=int, default=2, help="best of this many runs per case")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    import numpy as np

    sizes = [(160, 640), (64, 256)] if args.quick else [(160, 640), (160, 2000)]
    cases = []
    for size_in, size_out in sizes:
        big = size_out >= 1500
        reps = 1 if big else args.repeats
        for kind in ("reference", "engine"):
            cases.append({"kind": kind, "in": size_in, "out": size_out, "k": 1, "separate": False, "reps": reps})
    bs_in, bs_out = sizes[0] if not args.quick else sizes[1]
    for separate in (True, False):
        cases.append({"kind": "engine", "in": bs_in, "out": bs_out, "k": 3, "separate": separate, "reps": args.repeats})

    with tempfile.TemporaryDirectory() as tmp:
        outputs = {i: os.path.join(tmp, f"case{i}.npy") for i in range(len(cases))}

        def run(i: int, rep: int) -> dict:
            spec = cases[i]
            res = run_case(spec, outputs[i])
            label = f"{spec['kind']} {spec['in']}->{spec['out']} K={spec['k']}{' separate' if spec['separate'] else ''}"
            print(f"[{rep}] {label}: {res['total_s']:.2f} s, peak {res['peak_rss_mb']:.0f} MB", flush=True)
            return res

        # alternate the cases repeat by repeat so reference and engine see the same load
        runs = alternate(range(len(cases)), run, lambda i: cases[i]["reps"])
        # each case: its fastest run, every run's total, the highest peak RSS of its runs
        results = [{**spec, **min(case_runs, key=lambda r: r["total_s"]), "runs": [r["total_s"] for r in case_runs],
                    "peak_rss_mb": max(r["peak_rss_mb"] for r in case_runs)} for spec, case_runs in zip(cases, runs)]
        # accuracy: engine vs the reference of the same size
        refs = {(r["in"], r["out"]): i for i, r in enumerate(results) if r["kind"] == "reference"}
        for i, r in enumerate(results):
            key = (r["in"], r["out"])
            pixels = r["out"] ** 2 * r["k"]
            macs = REFERENCE_MACS if r["kind"] == "reference" else ENGINE_MACS
            r["gflops"] = 2 * macs * pixels / r["decode_s"] / 1e9
            r["mpix_per_s"] = pixels / r["total_s"] / 1e6
            if r["kind"] == "engine" and key in refs:
                ref = np.load(outputs[refs[key]])
                got = np.load(outputs[i])
                if r["k"] == 1:
                    r["max_abs_diff"] = float(np.abs(got - ref).max())
                    r["speedup"] = results[refs[key]]["total_s"] / r["total_s"]
                    r["decode_speedup"] = results[refs[key]]["decode_s"] / r["decode_s"]
        sep = [r for r in results if r["k"] == 3]
        if len(sep) == 2:
            a, b = (np.load(outputs[results.index(r)]) for r in sep)
            sep[1]["batch_vs_separate_diff"] = float(np.abs(a - b).max())
            sep[1]["batch_speedup_vs_separate"] = sep[0]["total_s"] / sep[1]["total_s"]

    meta = {"machine": cpu_model(), "cpus": os.cpu_count(),
            "python": sys.version.split()[0], "quick": args.quick,
            "load_average_at_end": os.getloadavg(), "time": time.strftime("%Y-%m-%d %H:%M:%S")}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    lines = ["# LIIF decoding speed", "",
             f"{meta['time']}, {meta['machine']}, {meta['cpus']} CPUs, {results[0]['threads']} torch threads, load average at end "
             f"{', '.join(f'{x:.1f}' for x in meta['load_average_at_end'])}. Best of the runs listed; "
             "each case in a fresh process (peak RSS is its own). GFLOP/s counts 2 x multiply-adds of the "
             f"cost model ({ENGINE_MACS / 1e6:.2f} M/pixel engine, {REFERENCE_MACS / 1e6:.2f} M reference) "
             "over the decode time (total minus encoder for the reference, the query for the engine).", ""]
    lines += table(["case", "total s", "encoder s", "prepare s", "query/decode s", "GFLOP/s", "Mpix/s", "peak RSS MB",
                    "speedup vs ref", "max abs diff", "runs s"],
                   ([f"{r['kind']} {r['in']}->{r['out']} K={r['k']}" + (" (3 separate calls)" if r["separate"] else ""),
                     f"{r['total_s']:.2f}", f"{r['encoder_s']:.2f}", f"{r.get('prepare_s', float('nan')):.2f}",
                     f"{r['decode_s']:.2f}", f"{r['gflops']:.1f}", f"{r['mpix_per_s']:.3f}", f"{r['peak_rss_mb']:.0f}",
                     f"{r.get('speedup', float('nan')):.2f}", f"{r.get('max_abs_diff', float('nan')):.1e}",
                     ", ".join(f"{x:.2f}" for x in r["runs"])] for r in results))
    if len(sep) == 2 and "batch_speedup_vs_separate" in sep[1]:
        lines += ["", f"K=3 batched vs 3 separate calls: {sep[1]['batch_speedup_vs_separate']:.2f}x, "
                  f"max abs difference {sep[1]['batch_vs_separate_diff']:.1e}."]
    (args.out / "speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
