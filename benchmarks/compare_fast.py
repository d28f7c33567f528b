"""The fast decoder (``--weights emoji-fast``) against the exact emoji LIIF (``--weights emoji``)
on the quality benchmark, glyph for glyph, with issue #17's bounds checked.

    python benchmarks/quality.py --weights emoji --minimal --rgba                     # quality_emoji.json
    python benchmarks/quality.py --weights emoji --minimal --tasks 160-2000 --out benchmarks/results/emoji-2000
    python benchmarks/quality.py --weights emoji-fast --minimal --tasks 64-256,160-640,160-2000
    python benchmarks/compare_fast.py    # reads every quality_emoji{,_fast}.json under results/                                                # -> results/quality_fast.md

Both sides run the default pipeline (edge band, 4 backgrounds with 2 on demand, exact solve,
back-projection); only the decoder differs. Means over the glyphs both runs have. Bounds: edge
alpha MAE at most 1.1x the exact model's, any-background PSNR at most 0.5 dB below it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
METHOD = "solve (default)"
KEYS = [("edge_alpha_mae", "edge α MAE", "{:.2f}"), ("alpha_mae", "α MAE", "{:.2f}"), ("fringe", "fringe", "{:.2f}"),
        ("any_bg_psnr", "any-bg PSNR", "{:.2f}"), ("composite_psnr_worst", "worst-of-8 PSNR", "{:.2f}")]
MAE_BOUND, PSNR_BOUND = 1.1, 0.5


def per_glyph(report: dict, task: str) -> dict[str, dict]:
    glyphs = report.get("tasks", {}).get(task, {}).get("per_glyph", {})
    return {name: methods[METHOD] for name, methods in glyphs.items() if METHOD in methods}


def compare(exact: dict[str, dict], fast: dict[str, dict]) -> tuple[dict, dict, int]:
    common = sorted(set(exact) & set(fast))
    mean = lambda rows: {key: float(np.mean([rows[n][key] for n in common])) for key, _, _ in KEYS}  # noqa: E731
    return mean(exact), mean(fast), len(common)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    # each side may come from several runs (a task run on its own, into a subfolder)
    fast_reports = [json.loads(p.read_text()) for p in sorted(args.results.glob("**/quality_emoji_fast.json"))]
    exact_reports = [json.loads(p.read_text()) for p in sorted(args.results.glob("**/quality_emoji.json"))]
    lines = ["# Fast decoder vs exact emoji LIIF (quality benchmark)", "", __doc__.split("\n\n")[2], "",
             "Alpha errors in 8-bit levels, PSNR in dB.", "",
             "| task | glyphs | weights | " + " | ".join(label for _, label, _ in KEYS) + " | within the bounds |",
             "|---|---|---|" + "---|" * len(KEYS) + "---|"]
    verdicts = []
    tasks = sorted({task for report in fast_reports for task in report["tasks"]}, key=lambda t: int(t.split("-")[1]))
    for task in tasks:
        exact_rows: dict[str, dict] = {}
        fast_rows: dict[str, dict] = {}
        for report in exact_reports:
            exact_rows.update(per_glyph(report, task))
        for report in fast_reports:
            fast_rows.update(per_glyph(report, task))
        if not exact_rows or not set(exact_rows) & set(fast_rows):
            continue
        exact, fast, count = compare(exact_rows, fast_rows)
        ratio = fast["edge_alpha_mae"] / exact["edge_alpha_mae"]
        drop = exact["any_bg_psnr"] - fast["any_bg_psnr"]
        ok = ratio <= MAE_BOUND and drop <= PSNR_BOUND
        verdicts.append(ok)
        for name, row, verdict in (("emoji (exact)", exact, ""),
                                   ("emoji-fast", fast, f"{'yes' if ok else 'no'}: edge α MAE x{ratio:.2f}, "
                                                        f"any-bg PSNR {-drop:+.2f} dB")):
            lines.append(f"| {task} | {count} | {name} | " + " | ".join(fmt.format(row[key]) for key, _, fmt in KEYS)
                         + f" | {verdict} |")
    lines += ["", f"All tasks within the bounds: {'yes' if verdicts and all(verdicts) else 'no'}.", ""]
    (args.results / "quality_fast.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
