"""Official vs emoji-trained LIIF, side by side, from two runs of the quality benchmark.

    python benchmarks/quality.py                          # official weights -> quality.json
    python benchmarks/quality.py --weights emoji --rgba   # emoji weights    -> quality_emoji.json
    python benchmarks/compare_weights.py                  # -> results/quality_weights.md

Same glyphs, same truth, same metrics; only the LIIF weights differ (and ``rgba-liif`` is the
4-channel model, which needs no backgrounds).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
METHODS = ("solve (default)", "twobg", "separate", "keygrey")
EXTRA = ("rgba-liif", "rgba-liif no-bp")
KEYS = [("edge_alpha_mae", "edge α MAE"), ("alpha_rmse", "α RMSE"), ("fringe", "fringe"),
        ("any_bg_psnr", "any-bg PSNR"), ("composite_psnr_worst", "worst-of-8 PSNR")]


def rows(official: dict, emoji: dict, task: str) -> list[tuple[str, dict]]:
    out = []
    for method in METHODS:
        for label, report in (("official", official), ("emoji", emoji)):
            summary = report["tasks"].get(task, {}).get("summary", {})
            if method in summary:
                out.append((f"{method}, {label} weights", summary[method]))
    summary = emoji["tasks"].get(task, {}).get("summary", {})
    out += [(f"{method} (emoji-rgba weights)", summary[method]) for method in EXTRA if method in summary]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    official = json.loads((args.results / "quality.json").read_text())
    emoji = json.loads((args.results / "quality_emoji.json").read_text())
    lines = ["# Official vs emoji-trained LIIF on the quality benchmark", "", __doc__.split("\n\n")[2], "",
             "Alpha errors in 8-bit levels, PSNR in dB; means over the same glyphs, sorted by edge α MAE.", ""]
    for task in official["tasks"]:
        if task not in emoji["tasks"]:
            continue
        count = len(emoji["tasks"][task]["per_glyph"])
        lines += [f"### {task} ({count} glyphs)", "", "| method | " + " | ".join(label for _, label in KEYS) + " |",
                  "|---|" + "---|" * len(KEYS)]
        table = rows(official, emoji, task)
        for name, summary in sorted(table, key=lambda r: r[1]["edge_alpha_mae"]):
            lines.append(f"| {name} | " + " | ".join(f"{summary[key]:.2f}" for key, _ in KEYS) + " |")
        best = min(table, key=lambda r: r[1]["edge_alpha_mae"])
        lines += ["", f"Lowest edge α MAE: {best[0]} ({best[1]['edge_alpha_mae']:.2f}).", ""]
    (args.results / "quality_weights.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
