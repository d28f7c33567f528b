"""The benchmarks package: every benchmark runs as ``python -m benchmarks.<name>``, its harness
(fresh processes, best-of-N, tables, the spread rule) and its tables regenerate from the
committed results."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.harness import (Metric, alternate, best_of, in_fresh_process, metric_table, run_command, spread,
                                table)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
MODULES = ["quality", "compare_weights", "compare_fast", "speed", "pipeline_speed", "solve_speed", "device_speed",
           "font_throughput", "train_emoji_liif", "dataset.cli", "same_results"]


@pytest.mark.parametrize("name", MODULES)
def test_every_benchmark_imports_quietly_and_parses_its_flags(name, capsys):
    module = importlib.import_module(f"benchmarks.{name}")
    with pytest.raises(SystemExit) as done:
        module.main(["--help"])
    assert done.value.code == 0 and "usage:" in capsys.readouterr().out


def test_no_sys_path_edits_in_benchmarks_or_tests():
    needle = "sys.path." + "insert", "sys.path." + "append"  # not this file's own words
    files = [*sorted((ROOT / "benchmarks").rglob("*.py")), *sorted((ROOT / "tests").glob("*.py"))]
    assert len(files) > 20
    assert [str(path.relative_to(ROOT)) for path in files if any(n in path.read_text() for n in needle)] == []


# ---------------------------------------------------------------------------------------------- harness


def test_table_and_metric_table_lines():
    assert table(["a", "b"], [[1, "x"], ["", 2.5]]) == ["| a | b |", "|---|---|", "| 1 | x |", "|  | 2.5 |"]
    metrics = [Metric("mae", "MAE"), Metric("psnr", "PSNR", "{:.1f}")]
    assert metric_table(["method"], metrics, [(["m"], {"mae": 1.234, "psnr": 40.06, "other": 0}, ["w"])], ["note"]) == [
        "| method | MAE | PSNR | note |", "|---|---|---|---|", "| m | 1.23 | 40.1 | w |"]


def test_spread_is_the_rule_the_benchmarks_used():
    def before(items, limit):  # quality.py and font_throughput.py before the harness
        return items[::max(1, len(items) // limit)][:limit] if limit else items

    for length in range(0, 70):
        items = list(range(length))
        for limit in range(1, 20):
            assert spread(items, limit) == before(items, limit)
            if length > limit:  # quality.py's second copy
                assert spread(items, limit) == items[::length // limit][:limit]
        assert spread(items, None) == spread(items, 0) == items


def test_best_of_keeps_the_fastest_and_syncs_around_each_run():
    calls = []
    timing = best_of(lambda: calls.append("run") or len(calls), 3, sync=lambda: calls.append("sync"))
    assert calls == ["sync", "run", "sync"] * 3 and timing.result == 8  # the last run's
    assert len(timing.runs) == 3 and timing.seconds == min(timing.runs)


def test_alternate_takes_turns_and_lets_a_case_sit_out():
    order = []
    runs = alternate(["a", "b", "c"], lambda case, round_: order.append((case, round_)) or f"{case}{round_}",
                     lambda case: 1 if case == "b" else 3)
    assert order == [("a", 0), ("b", 0), ("c", 0), ("a", 1), ("c", 1), ("a", 2), ("c", 2)]
    assert runs == [["a0", "a1", "a2"], ["b0"], ["c0", "c1", "c2"]]
    assert alternate(["a"], lambda case, round_: round_, 2) == [[0, 1]]


def test_in_fresh_process_returns_its_result_and_its_peak_memory():
    fresh = in_fresh_process(os.getpid)
    assert fresh.result != os.getpid() and fresh.peak_rss_mb > 1
    with pytest.raises(RuntimeError, match="ValueError"):
        in_fresh_process(int, "not a number")
    with pytest.raises(RuntimeError, match="exit code 3"):  # died without a word: no hang
        in_fresh_process(os._exit, 3)


def test_run_command_measures_a_talkative_child():
    run = run_command([sys.executable, "-c", "import sys; sys.stderr.write('x' * 300000); sys.exit(3)"])
    assert run.returncode == 3 and len(run.stderr) == 300000  # more than a pipe holds: no stall
    assert run.wall_s > 0 and run.peak_rss_mb > 1


# ---------------------------------------------------------------------------------------------- tables


def test_comparison_tables_regenerate_from_the_committed_results(tmp_path):
    """compare_weights and compare_fast, run as modules from the repository root, write the
    committed tables from the committed reports, byte for byte."""
    for report in RESULTS.rglob("quality*.json"):
        target = tmp_path / report.relative_to(RESULTS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(report, target)
    for module, table_name in (("compare_weights", "quality_weights.md"), ("compare_fast", "quality_fast.md")):
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", "--results", str(tmp_path)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert (tmp_path / table_name).read_bytes() == (RESULTS / table_name).read_bytes(), table_name


def test_quality_tables_regenerate_from_the_committed_results():
    from benchmarks import quality

    reports = sorted(RESULTS.rglob("quality*.json"))
    assert len(reports) >= 3
    for path in reports:
        report = json.loads(path.read_text())
        sections = [quality.markdown(task, part["summary"], len(part["per_glyph"])) for task, part in report["tasks"].items()]
        assert path.with_suffix(".md").read_text().endswith("\n".join(sections)), path.name


def test_same_results_quality_compares_every_metric_but_timing(tmp_path, capsys):
    from benchmarks import same_results

    def report(edge: float, seconds: float, psnr: float = float("nan")) -> Path:
        metrics = {"edge_alpha_mae": edge, "any_bg_psnr": psnr, "seconds": seconds}
        data = {"weights": "official", "weights_sha256": "ab", "default": {"passes": 0},
                "tasks": {"64-256": {"summary": {}, "per_glyph": {"1fab0": {"solve (default)": metrics}}}}}
        path = tmp_path / f"r{len(list(tmp_path.iterdir()))}.json"
        path.write_text(json.dumps(data))
        return path

    base = report(2.5, 1.0)
    assert same_results.compare_quality(base, report(2.5, 9.0)) == 0  # timing and nan == nan do not count
    assert "IDENTICAL: 2 metric values compared (64-256: 1 glyphs)" in capsys.readouterr().out
    assert same_results.compare_quality(base, report(2.5000001, 1.0)) == 1
    assert "DIFFERS: 64-256 1fab0 solve (default) edge_alpha_mae" in capsys.readouterr().out
    assert same_results.compare_quality(base, report(2.5, 1.0, psnr=30.0)) == 1
