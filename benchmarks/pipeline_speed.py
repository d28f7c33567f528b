"""Whole-glyph speed: the default pipeline (edge band, 4 backgrounds with 2 on demand, exact
solve, back-projection) against the black/white two-background method with the official LIIF
algorithm (two full enlargements with the reference implementation), side by side in one run
on the same glyphs, with the default pipeline's time split and peak memory.

    python -m benchmarks.pipeline_speed                 # 160 -> 640 and 160 -> 2000
    python -m benchmarks.pipeline_speed --sizes 640 --repeats 3   # quicker; rows of other sizes are kept
    python -m benchmarks.pipeline_speed --also fast,everywhere,three   # other settings, in the same runs

With ``--repeats N`` each glyph's cases alternate N times and each keeps its fastest run
(the machine's noise only ever adds time); the table says how many runs each row took.

Writes benchmarks/results/pipeline_speed.md and .json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.harness import RESULTS, alternate, cpu_model, data_dir, in_fresh_process, table

GLYPHS = ("1fab0", "1f680+shadow")  # natural translucent wings; soft drop shadow
#: Other settings of our pipeline (``--also``): their label and their EnlargeOptions changes.
VARIANTS = {"fast": ("--fast", None),  # options.FAST_PRESET
            "everywhere": ("4 levels everywhere", {"on_demand": ()}),
            "three": ("3 levels everywhere, 192 on demand > 0.5", {"on_demand": (192 / 255,), "on_demand_residual": 0.5})}


def _run(case: str, glyph_path: str, size: int) -> dict:
    """One measurement, in a fresh process (:func:`measure`)."""
    import numpy as np
    import torch

    from emoji_alpha.images import composite_over, premultiply, read_image, write_png, unpremultiply
    from emoji_alpha.liif import Upscaler
    from emoji_alpha.liif.engine import reference_enlarge
    from emoji_alpha.options import FAST_PRESET, EnlargeOptions
    from emoji_alpha.peers import twobg_from
    from emoji_alpha.pipeline import enlarge_rgba

    premul = premultiply(read_image(glyph_path).rgba)
    # the default weights for ours, the official ones for the reference (same network, same cost);
    # "weights:NAME" is the default pipeline with --weights NAME (the weights comparison)
    weights = case.split(":", 1)[1] if case.startswith("weights:") else None
    upscaler = Upscaler("official" if case == "twobg-reference" else weights, log=lambda _m: None)
    start = time.perf_counter()
    split: dict[str, float] = {}
    if case == "twobg-reference":
        # two separate enlargements of one image each, as the official code runs them (a batch
        # of two is slower per image at 2000: its unfolded chunks no longer fit the caches)
        black, white = (reference_enlarge(upscaler.model, torch.from_numpy(rgb.transpose(2, 0, 1)[None].copy()),
                                          (size, size))[0].numpy()
                        for rgb in (premul[..., :3], composite_over(premul, 1.0)))
        out = twobg_from(black, white)
        split["liif"] = time.perf_counter() - start
    else:
        changes = VARIANTS[case][1] if case in VARIANTS else {}  # weights:NAME and default: no changes
        options = EnlargeOptions(**(FAST_PRESET if case == "fast" else changes))
        result = enlarge_rgba(premul, (size, size), upscaler, options)
        out = result.premul
        report = result.report
        split = dict(report.seconds)
        split.update({f"liif:{k}": v for k, v in upscaler.seconds.items()})
        split["band_fraction"] = report.band_fraction
        split["on_demand_fraction"] = 1.0 if report.on_demand_fraction is None else report.on_demand_fraction
    io_start = time.perf_counter()
    write_png(Path("/tmp") / f"pipeline-speed-{case}-{size}.png", unpremultiply(out))
    split["io"] = time.perf_counter() - io_start
    total = time.perf_counter() - start
    return {"case": case, "total": total, "split": split}


def measure(case: str, glyph_path: Path, size: int) -> dict:
    """One case in a fresh process, so that its peak RSS belongs to it alone."""
    fresh = in_fresh_process(_run, case, str(glyph_path), size)
    return {**fresh.result, "peak_rss_mb": fresh.peak_rss_mb}


def glyph_path(glyph: str) -> Path:
    """A benchmark glyph's 160 px input in the built dataset."""
    path = data_dir() / glyph / "160.png"
    if not path.exists():
        raise SystemExit(f"{path} missing: run `python -m benchmarks.dataset` first")
    return path


def take_turns(cases: list[str], path: Path, size: int, repeats: int) -> tuple[dict[str, dict], list[list[float]]]:
    """The cases of one glyph back to back under the same load, ``repeats`` rounds: each case's
    fastest run, and every round's totals (in case order)."""
    runs = alternate(cases, lambda case, _round: measure(case, path, size), repeats)
    best = {case: min(case_runs, key=lambda r: r["total"]) for case, case_runs in zip(cases, runs)}
    return best, [[case_runs[round_]["total"] for case_runs in runs] for round_ in range(repeats)]


def main(argv: list[str] | None = None) -> int:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="640,2000")
    parser.add_argument("--repeats", type=int, default=1, help="alternate the cases N times, keep each one's fastest")
    parser.add_argument("--also", default="", help=f"comma-separated, also these settings: {', '.join(VARIANTS)}")
    parser.add_argument("--fast", action="store_true", help="same as --also fast")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--weights", default="", help="comma-separated weight sets: instead of the reference "
                        "comparison, the default pipeline with each (e.g. emoji,emoji-fast), side by side, with "
                        "each one's ratio to the first; kept in its own table")
    args = parser.parse_args(argv)
    if args.weights:
        return compare_weights(args)
    sizes = [int(s) for s in args.sizes.split(",")]
    also = [v for v in args.also.split(",") if v]
    if args.fast and "fast" not in also:
        also.append("fast")
    unknown = [v for v in also if v not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown --also {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    previous = args.out / "pipeline_speed.json"
    kept = [r for r in json.loads(previous.read_text())["rows"] if r["size"] not in sizes] if previous.exists() else []
    rows = []
    for size in sizes:
        for glyph in GLYPHS:
            # interleaved: the cases of one glyph run back to back under the same load
            best, totals = take_turns(["default", "twobg-reference", *also], glyph_path(glyph), size, args.repeats)
            ours, theirs = best["default"], best["twobg-reference"]
            row = {"glyph": glyph, "size": size, "default": ours, "twobg_reference": theirs,
                   "ratio": ours["total"] / theirs["total"], "runs": args.repeats, "all_totals": totals}
            row["variants"] = {case: {**best[case], "ratio": best[case]["total"] / theirs["total"]} for case in also}
            rows.append(row)
            print(f"{glyph} 160->{size}: default {ours['total']:.1f} s, twobg(reference) {theirs['total']:.1f} s, "
                  f"ratio {row['ratio']:.2f}" + "".join(f"; {case} {v['ratio']:.2f}" for case, v in row["variants"].items()),
                  flush=True)
    rows = sorted(kept + rows, key=lambda r: (r["size"], GLYPHS.index(r["glyph"])))
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"machine": cpu_model(), "threads": torch.get_num_threads(),
            "torch": torch.__version__}
    (args.out / "pipeline_speed.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    lines = ["# Whole-glyph speed: default pipeline vs two-background method with the official LIIF", "",
             __doc__.split("\n\n")[0], "", f"Machine: {meta}. Each case in a fresh process (cold: imports excluded, "
             "first-call costs included); the cases of a glyph run back to back, alternating when repeated; "
             "a repeated row keeps each case's fastest run (all totals in the JSON; in brackets the range of "
             "each run's own ratio).", "",
             "Other settings measured in the same runs: " + "; ".join(f"{k}: {label}" for k, (label, _) in VARIANTS.items())
             + " (s, ratio to the reference).", ""]
    cells = []
    for r in rows:
        split = r["default"]["split"]
        other = "; ".join(f"{case} {v['total']:.1f}, {v['ratio']:.2f}" for case, v in r["variants"].items()) or "-"
        pairs = [run[0] / run[1] for run in r["all_totals"]]  # each run's default / reference, back to back
        runs = f"{len(pairs)} ({min(pairs):.2f}-{max(pairs):.2f})" if len(pairs) > 1 else "1"
        cells.append([r["glyph"], f"160->{r['size']}", runs, f"{r['default']['total']:.1f}",
                      f"{r['twobg_reference']['total']:.1f}", f"{r['ratio']:.2f}", other,
                      f"{split['band_fraction']:.2f}, {split['on_demand_fraction']:.2f}", split_text(split),
                      f"{r['default']['peak_rss_mb']:.0f} / {r['twobg_reference']['peak_rss_mb']:.0f}"])
    lines += table(["glyph", "size", "runs", "default (s)", "twobg, reference LIIF (s)", "ratio", "other settings (s, ratio)",
                    "band fraction, decoded on demand", "default split (s)", "peak RSS default / twobg (MB)"], cells)
    md_path = args.out / "pipeline_speed.md"
    marker = "\n## Weight sets side by side"
    old_text = md_path.read_text() if md_path.exists() else ""
    kept_section = marker + old_text.split(marker, 1)[1] if marker in old_text else ""  # compare_weights' table
    md_path.write_text("\n".join(lines) + "\n" + kept_section)
    print("\n".join(lines))
    return 0


def compare_weights(args) -> int:
    """The default pipeline with several weight sets on the same glyphs, alternating, each
    case in a fresh process; best of ``--repeats``; rows of other sizes are kept."""
    import torch

    weights = [w for w in args.weights.split(",") if w]
    sizes = [int(s) for s in args.sizes.split(",")]
    previous = args.out / "pipeline_speed_weights.json"
    kept = [r for r in json.loads(previous.read_text())["rows"] if r["size"] not in sizes] if previous.exists() else []
    rows = []
    for size in sizes:
        for glyph in GLYPHS:
            best, totals = take_turns([f"weights:{w}" for w in weights], glyph_path(glyph), size, args.repeats)
            best = {w: best[f"weights:{w}"] for w in weights}
            rows.append({"glyph": glyph, "size": size, "runs": args.repeats, "best": best, "all_totals": totals})
            print(f"{glyph} 160->{size}: " + ", ".join(f"{w} {best[w]['total']:.1f} s" for w in weights), flush=True)
    rows = sorted(kept + rows, key=lambda r: (r["size"], GLYPHS.index(r["glyph"])))
    meta = {"machine": cpu_model(), "threads": torch.get_num_threads(), "torch": torch.__version__}
    args.out.mkdir(parents=True, exist_ok=True)
    previous.write_text(json.dumps({"meta": meta, "weights": weights, "rows": rows}, indent=1))
    lines = ["", "## Weight sets side by side (default pipeline, `--weights`)", "",
             f"Machine: {meta}. Each case in a fresh process (cold), alternating per glyph; best of the runs; "
             "the ratio is the first weight set's time over each one's (its speed-up), per run in brackets.", ""]
    cells = []
    for r in rows:
        names = list(r["best"])
        totals = [r["best"][w]["total"] for w in names]
        pairs = [run[0] / run[-1] for run in r["all_totals"]]
        spread = f" ({min(pairs):.1f}-{max(pairs):.1f})" if len(pairs) > 1 else ""
        cells.append([r["glyph"], f"160->{r['size']}", r["runs"], *(f"{t:.1f}" for t in totals),
                      f"{totals[0] / totals[-1]:.1f}x{spread}", split_text(r["best"][names[-1]]["split"]),
                      " / ".join(f"{r['best'][w]['peak_rss_mb']:.0f}" for w in names)])
    lines += table(["glyph", "size", "runs", *(f"`{w}` (s)" for w in weights), "speed-up", "split of the last (s)",
                    "peak RSS (MB)"], cells)
    md_path = args.out / "pipeline_speed.md"
    text = md_path.read_text() if md_path.exists() else ""
    marker = "\n## Weight sets side by side"
    text = (text.split(marker)[0].rstrip("\n") + "\n") if marker in text else text
    md_path.write_text(text + "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def split_text(split: dict[str, float]) -> str:
    """A run's time split as table text (the fractions and the reference's one figure left out)."""
    return ", ".join(f"{k} {v:.2f}" for k, v in split.items() if k not in ("band_fraction", "on_demand_fraction", "liif"))


if __name__ == "__main__":
    raise SystemExit(main())
