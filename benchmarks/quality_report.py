"""The quality benchmark's report (``quality*.json``): its metric columns, and the one place that
writes and reads it back (``benchmarks.quality`` writes; ``compare_weights`` and ``compare_fast``
read).

A report is ``{"weights", "weights_sha256", "default", "tasks": {task: {"summary": {method:
means}, "per_glyph": {glyph: {method: metrics}}}}}``; metrics are those of
:func:`emoji_alpha.metrics.evaluate` plus ``seconds``.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.harness.tables import Metric

#: Every metric column the quality tables print, in their order.
METRICS = {metric.key: metric for metric in (
    Metric("edge_alpha_mae", "edge α MAE"), Metric("alpha_mae", "α MAE"), Metric("alpha_rmse", "α RMSE"),
    Metric("alpha_gradient_error", "α grad err"), Metric("fringe", "fringe"), Metric("psnr_premul", "premul PSNR"),
    Metric("any_bg_psnr", "any-bg PSNR"), Metric("composite_psnr_worst", "worst-of-8 PSNR"),
    Metric("composite_psnr_mean", "mean-of-8 PSNR"))}


def columns(*keys: str) -> list[Metric]:
    """The metric columns of ``keys``, in that order."""
    return [METRICS[key] for key in keys]


def write(path: Path, report: dict) -> None:
    path.write_text(json.dumps(report, indent=1, default=float))


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def find(results: Path, stem: str) -> list[dict]:
    """Every report named ``<stem>.json`` under ``results`` (a task run on its own goes into a
    subfolder), in path order."""
    return [read(path) for path in sorted(results.glob(f"**/{stem}.json"))]


def summary(report: dict, task: str) -> dict[str, dict]:
    """Each method's means over the glyphs of ``task`` (empty when the report lacks it)."""
    return report["tasks"].get(task, {}).get("summary", {})


def per_glyph(report: dict, task: str, method: str) -> dict[str, dict]:
    """Each glyph's metrics for ``method`` in ``task`` (glyphs without it left out)."""
    glyphs = report.get("tasks", {}).get(task, {}).get("per_glyph", {})
    return {name: methods[method] for name, methods in glyphs.items() if method in methods}
