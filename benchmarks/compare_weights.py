"""Official vs emoji-trained LIIF, side by side, from two runs of the quality benchmark.

    python -m benchmarks.quality                          # official weights -> quality.json
    python -m benchmarks.quality --weights emoji --rgba   # emoji weights    -> quality_emoji.json
    python -m benchmarks.compare_weights                  # -> results/quality_weights.md

Same glyphs, same truth, same metrics; only the LIIF weights differ (and ``rgba-liif`` is the
4-channel model, which needs no backgrounds).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks import quality_report
from benchmarks.harness import RESULTS, metric_table

METHODS = ("solve (default)", "twobg", "separate", "keygrey")
EXTRA = ("rgba-liif", "rgba-liif no-bp")
COLUMNS = quality_report.columns("edge_alpha_mae", "alpha_rmse", "fringe", "any_bg_psnr", "composite_psnr_worst")


def rows(official: dict, emoji: dict, task: str) -> list[tuple[str, dict]]:
    out = []
    for method in METHODS:
        for label, report in (("official", official), ("emoji", emoji)):
            summary = quality_report.summary(report, task)
            if method in summary:
                out.append((f"{method}, {label} weights", summary[method]))
    summary = quality_report.summary(emoji, task)
    out += [(f"{method} (emoji-rgba weights)", summary[method]) for method in EXTRA if method in summary]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    official = quality_report.read(args.results / "quality.json")
    emoji = quality_report.read(args.results / "quality_emoji.json")
    lines = ["# Official vs emoji-trained LIIF on the quality benchmark", "", __doc__.split("\n\n")[2], "",
             "Alpha errors in 8-bit levels, PSNR in dB; means over the same glyphs, sorted by edge α MAE.", ""]
    for task in official["tasks"]:
        if task not in emoji["tasks"]:
            continue
        count = len(emoji["tasks"][task]["per_glyph"])
        ranked = sorted(rows(official, emoji, task), key=lambda r: r[1]["edge_alpha_mae"])
        lines += [f"### {task} ({count} glyphs)", ""]
        lines += metric_table(["method"], COLUMNS, (([name], summary, []) for name, summary in ranked))
        best = ranked[0]
        lines += ["", f"Lowest edge α MAE: {best[0]} ({best[1]['edge_alpha_mae']:.2f}).", ""]
    (args.results / "quality_weights.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
