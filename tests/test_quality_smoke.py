"""The quality benchmark keeps working: its tiny CI version (2 glyphs, 32 -> 64)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quality_benchmark_tiny(tmp_path, official_weights):
    result = subprocess.run([sys.executable, "-m", "benchmarks.quality", "--tiny", "--out", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "quality_tiny.json").read_text())
    summary = report["tasks"]["32-64"]["summary"]
    for method in ("solve (default)", "twobg", "separate", "keygrey", "lanczos"):
        assert math.isfinite(summary[method]["any_bg_psnr"]) and summary[method]["edge_alpha_mae"] >= 0
    # The solver must beat the black/white method it was built to replace, even on 2 glyphs.
    assert summary["solve (default)"]["edge_alpha_mae"] < summary["twobg"]["edge_alpha_mae"]
    assert (tmp_path / "quality_tiny.md").read_text().count("| solve") >= 5
    assert (tmp_path / "quality_worst_32-64.png").stat().st_size > 0
