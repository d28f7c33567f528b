"""Whole-font throughput: a fixed sample of Noto Color Emoji glyphs enlarged to 2000 px as one
batch with each weight set, and the whole font's hours projected on this machine.

    python -m benchmarks.font_throughput                       # 50 glyphs, emoji-fast and emoji
    python -m benchmarks.font_throughput --glyphs 60 --weights emoji-fast
    python -m benchmarks.font_throughput --subset emoji=10   # the slow set on 10 glyphs spread over the sample

The sample is spread over simple and complex glyphs: every extracted glyph is scored by its
edge pixels (input alpha strictly between 0 and 255, the pixels the solver works on) and the
sample takes evenly spaced quantiles of that score, so its mean time per glyph estimates the
font's. Each weight set runs the real CLI batch (``emoji-alpha enlarge DIR -o OUT --size
2000``) in a fresh process (imports and model loading included), alternating between weight
sets when repeated; the peak RSS is the batch process's. Results:
benchmarks/results/font_throughput.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from benchmarks.harness import RESULTS, cache_dir, cpu_model, run_command, spread, table

NOTO = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")


def edge_score(path: Path) -> int:
    """Pixels whose alpha is strictly between 0 and 255 (the edge band's size at input scale)."""
    from emoji_alpha.images import read_image

    alpha = read_image(path).rgba[..., 3]
    return int(((alpha > 0) & (alpha < 1)).sum())


def choose_sample(glyphs: list[Path], count: int) -> list[Path]:
    """``count`` glyphs at evenly spaced quantiles of the edge score (ties broken by name)."""
    scored = sorted(glyphs, key=lambda p: (edge_score(p), p.name))
    picks = np.unique(np.round(np.linspace(0, len(scored) - 1, count)).astype(int))
    return [scored[i] for i in picks]


def run_batch(sample_dir: Path, out_dir: Path, size: int, weights: str, workers: int) -> dict:
    """One CLI batch in a fresh process: wall seconds, peak RSS of that process (MB), and the
    manifest's per-glyph seconds."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    run = run_command([sys.executable, "-m", "emoji_alpha", "enlarge", str(sample_dir), "-o", str(out_dir),
                       "--size", str(size), "--weights", weights, "--workers", str(workers)])
    if run.returncode != 0:
        raise SystemExit(f"batch with --weights {weights} failed (exit {run.returncode}): "
                         f"{run.stderr.strip().splitlines()[-1:]}")
    seconds = glyph_seconds(out_dir)
    return {"weights": weights, "wall_s": run.wall_s, "peak_rss_mb": run.peak_rss_mb, "glyphs": len(seconds),
            "glyph_seconds": seconds}


def glyph_seconds(out_dir: Path) -> dict[str, float]:
    """Per-glyph seconds recorded by the batch manifest (its done rows)."""
    from emoji_alpha.batch.manifest import Manifest

    with Manifest.in_folder(out_dir, create=False) as manifest:
        return {row.name: float(json.loads(row.seconds or "{}").get("total", "nan")) for row in manifest.rows("done")}


def main(argv: list[str] | None = None) -> int:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--font", type=Path, default=NOTO)
    parser.add_argument("--glyphs", type=int, default=50, help="sample size (at least 50 for the results file)")
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--weights", default="emoji-fast,emoji", help="comma-separated weight sets")
    parser.add_argument("--subset", default="", help="weights=N,...: run that weight set on N glyphs spread over "
                                                      "the sample only (for the slow exact model)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: cache/font-throughput)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not args.font.exists():
        raise SystemExit(f"{args.font} not found: apt-get install fonts-noto-color-emoji")
    work = args.work or cache_dir() / "font-throughput"
    source = work / "source"
    if not any(source.glob("*.png")):
        subprocess.run([sys.executable, "-m", "emoji_alpha", "extract", str(args.font), "-o", str(source)], check=True)
    glyphs = sorted(source.glob("*.png"))
    sample = choose_sample(glyphs, args.glyphs)
    subsets = {name: int(n) for name, n in (item.split("=") for item in args.subset.split(",") if item)}
    rows = []
    for weights in [w for w in args.weights.split(",") if w]:
        count = subsets.get(weights, len(sample))
        chosen = spread(sample, count)  # a subset spread over the sample's quantiles
        folder = work / f"sample-{len(chosen)}"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for path in chosen:
            shutil.copy2(path, folder / path.name)
        print(f"{weights}: {len(chosen)} glyphs at {args.size} px ...", flush=True)
        row = run_batch(folder, work / f"out-{weights}", args.size, weights, args.workers)
        row["sample"] = [p.name for p in chosen]
        row["per_glyph_s"] = row["wall_s"] / len(chosen)
        row["font_hours"] = row["per_glyph_s"] * len(glyphs) / 3600
        rows.append(row)
        print(f"  {row['wall_s']:.0f} s, {row['per_glyph_s']:.1f} s/glyph, whole font {row['font_hours']:.1f} h, "
              f"peak {row['peak_rss_mb']:.0f} MB", flush=True)
    meta = {"machine": cpu_model(), "cores": os.cpu_count(), "torch": torch.__version__, "font": args.font.name,
            "font_glyphs": len(glyphs), "size": args.size, "workers": args.workers}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "font_throughput.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    lines = ["# Whole-font throughput", "", __doc__.split("\n\n")[0], "",
             f"Machine: {meta['machine']}, {meta['cores']} cores, torch {meta['torch']}; {meta['font']} "
             f"({meta['font_glyphs']} glyphs extracted); {args.size} px; {args.workers} worker(s). Wall time of the "
             "whole batch process (imports and model loading included; the font is extracted once, before), "
             "projected to the font as wall per glyph x glyph count; the median glyph is the manifest's "
             "per-glyph time.", ""]
    lines += table(["--weights", "glyphs", "wall (s)", "s / glyph", "median glyph (s)", "whole font (h)", "peak RSS (MB)"],
                   ([r["weights"], r["glyphs"], f"{r['wall_s']:.0f}", f"{r['per_glyph_s']:.1f}",
                     f"{np.median(list(r['glyph_seconds'].values())):.1f}" if r["glyph_seconds"] else "-",
                     f"{r['font_hours']:.1f}", f"{r['peak_rss_mb']:.0f}"] for r in rows))
    first = rows[0]
    for other in rows[1:]:  # per-glyph times on the glyphs both ran (a subset runs fewer)
        common = sorted(set(first["glyph_seconds"]) & set(other["glyph_seconds"]))
        if common:
            mine = sum(first["glyph_seconds"][n] for n in common)
            theirs = sum(other["glyph_seconds"][n] for n in common)
            lines += ["", f"On the {len(common)} glyphs both ran (manifest times per glyph): `{other['weights']}` "
                          f"{theirs / len(common):.1f} s, `{first['weights']}` {mine / len(common):.1f} s per glyph: "
                          f"{theirs / mine:.1f}x."]
    (args.out / "font_throughput.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
