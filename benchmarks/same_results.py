"""Same results before and after a change that should keep them: run the pipeline on the shipped
samples through the API, the pipeline and the CLI (single files for seven settings, keep-stack +
solve, two batches with manifests), save every output, and compare two such runs bitwise.

    PYTHONPATH=/path/to/old-tree python -m benchmarks.same_results run /tmp/before --tree /path/to/old-tree
    python -m benchmarks.same_results run /tmp/after
    python -m benchmarks.same_results compare /tmp/before /tmp/after     # IDENTICAL, or what differs
    python -m benchmarks.same_results quality before/quality.json after/quality.json  # two quality reports

(The redesign step of issue #19 was checked with it: IDENTICAL.) The tree's own code must be the
one imported: run it with that tree first on PYTHONPATH; ``--tree`` also names the tree whose CLI
the subprocesses run and whose samples are read.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np

TREE = Path(__file__).resolve().parents[1]  # the tree under test (--tree)
GLYPHS = ["glyph-u1F47B-glass.png", "glyph-u2B50-glow.png", "glyph-u1F680-shadow.png"]
OPAQUE = "opaque-u1F600-on-white.png"
SIZE = 112
#: (label, API keywords, CLI flags)
CASES = [
    ("default", {}, []),
    ("passes2", {"passes": 2}, ["--passes", "2"]),
    ("twobg", {"method": "twobg"}, ["-m", "twobg"]),
    ("lanczos", {"method": "lanczos"}, ["-m", "lanczos"]),
]
EXTRA = [  # one glyph only
    ("glyph-u2B50-glow.png", "fast", {"fast": True}, ["--fast"]),
    ("glyph-u1F47B-glass.png", "rgba-liif", {"method": "rgba-liif"}, ["-m", "rgba-liif"]),
    ("glyph-u1F47B-glass.png", "full-bp-box", {"full": True, "bp_kernel": "box", "backgrounds": "0,128,255"},
     ["--full", "--bp-kernel", "box", "-b", "0,128,255"]),
]


def canonical(result) -> dict:
    """The figures of a pipeline result, whatever shape it reports them in (the old info dict
    or the typed report), as the old dict's keys and values."""
    info = getattr(result, "info", None)
    if isinstance(info, dict):
        source = {k: v for k, v in info.items() if k != "seconds"}
    else:
        report = dataclasses.asdict(result.report)
        source = {k: v for k, v in report.items() if v is not None and k not in ("seconds", "backend")}
        if report["loss"] is None:
            source.pop("passes", None)  # the old dict had passes only for a solved stack
    return source


def run(outdir: Path) -> None:
    samples = TREE / "emoji_alpha" / "samples"
    outdir.mkdir(parents=True, exist_ok=True)
    import emoji_alpha
    from emoji_alpha.images import read_image
    from emoji_alpha.liif import Upscaler
    try:
        from emoji_alpha.options import build_options
    except ImportError:
        from emoji_alpha.cli.solver_options import build_options
    from emoji_alpha.pipeline import enlarge_loaded

    figures = {}
    upscalers = {}

    def upscaler(weights):
        if weights not in upscalers:
            upscalers[weights] = Upscaler(weights, "cpu", log=lambda _m: None)
        return upscalers[weights]

    jobs = [(g, label, kw, flags) for g in GLYPHS for label, kw, flags in CASES]
    jobs += [(g, label, kw, flags) for g, label, kw, flags in EXTRA]
    jobs += [(OPAQUE, "opaque", {}, [])]
    for glyph, label, kw, flags in jobs:
        name = f"{Path(glyph).stem}--{label}"
        print(name, flush=True)
        # API
        image = emoji_alpha.enlarge(samples / glyph, size=SIZE, **kw)
        np.save(outdir / f"{name}.api.npy", np.asarray(image))
        # pipeline floats
        loaded = read_image(samples / glyph)
        fkw = dict(kw)
        if "backgrounds" in fkw:
            pass
        options = build_options(**fkw)
        weights = "emoji-rgba" if options.method == "rgba-liif" else None
        needs = options.method != "lanczos" or not loaded.has_alpha
        from emoji_alpha.pipeline import _NoLiif
        result = enlarge_loaded(loaded, (SIZE, SIZE), upscaler(weights) if needs else _NoLiif(), options)
        np.save(outdir / f"{name}.float.npy", result.straight())
        figures[name] = canonical(result)
        # CLI single file
        out_png = outdir / f"{name}.cli.png"
        cli(["enlarge", str(samples / glyph), "-o", str(out_png), "--size", str(SIZE), "-q", *flags])
    # keep-stack + solve
    glyph = GLYPHS[0]
    stack_dir = outdir / "work" / "stack"
    cli(["enlarge", str(samples / glyph), "-o", str(outdir / "keep.cli.png"), "--size", str(SIZE), "-q",
         "--keep-stack", str(stack_dir), "--debug-dir", str(outdir / "work" / "debug")])
    for label, flags in (("solve-default", []), ("solve-passes2", ["--passes", "2"]),
                         ("solve-bp0-torch", ["--backproject", "0", "--backend", "torch"])):
        res = cli(["solve", str(stack_dir), "-o", str(outdir / f"{label}.cli.png"), *flags])
        (outdir / f"{label}.stderr.txt").write_text((res.stdout + res.stderr).replace(str(outdir), "OUT"))
    for path in sorted((outdir / "work" / "debug").glob("*.png")):
        shutil.copy(path, outdir / f"debug-{path.name}")
    # batch (CLI)
    src = outdir / "work" / "batch-in"
    src.mkdir(parents=True, exist_ok=True)
    for g in GLYPHS + [OPAQUE]:
        shutil.copy(samples / g, src / g)
    batch_out = outdir / "batch"
    res = cli(["enlarge", str(src), "-o", str(batch_out) + "/", "--size", str(SIZE)])
    (outdir / "batch.stdout.txt").write_text(res.stdout)
    batch_out2 = outdir / "batch-passes2"
    cli(["enlarge", str(src), "-o", str(batch_out2) + "/", "--size", str(SIZE), "--passes", "2", "--workers", "2"])
    (outdir / "figures.json").write_text(json.dumps(figures, indent=1, sort_keys=True))


def cli(args):
    env = dict(os.environ, PYTHONPATH=str(TREE))
    res = subprocess.run(["nice", "-n", "19", sys.executable, "-m", "emoji_alpha", *args], capture_output=True,
                         text=True, env=env)
    if res.returncode != 0:
        raise SystemExit(f"CLI failed: {args}\n{res.stderr}")
    return res


def manifest_rows(folder: Path) -> list:
    with sqlite3.connect(folder / "emoji-alpha.sqlite") as db:
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute("select * from glyphs order by name")]
    keep = ("name", "status", "backgrounds", "size", "method", "passes", "options", "loss",
            "consistency_alpha_mae", "output_sha256", "weights_sha256", "source_sha256", "codepoints", "version")
    return [{k: r.get(k) for k in keep} for r in rows]


def compare(a: Path, b: Path) -> int:
    bad = 0
    files = sorted(p.name for p in a.iterdir() if p.is_file() and not p.name.endswith(".txt"))
    other = sorted(p.name for p in b.iterdir() if p.is_file() and not p.name.endswith(".txt"))
    if files != other:
        print("file lists differ:", set(files) ^ set(other))
        bad += 1
    for name in files:
        if not (b / name).exists():
            continue
        if name.endswith(".npy"):
            x, y = np.load(a / name), np.load(b / name)
            same = x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
        else:
            same = (a / name).read_bytes() == (b / name).read_bytes()
        if not same:
            print("DIFFERS:", name)
            bad += 1
    for folder in ("batch", "batch-passes2"):
        pngs = sorted(p.name for p in (a / folder).glob("*.png"))
        for name in pngs:
            if (a / folder / name).read_bytes() != (b / folder / name).read_bytes():
                print("DIFFERS:", folder, name)
                bad += 1
        ra, rb = manifest_rows(a / folder), manifest_rows(b / folder)
        if ra != rb:
            print("manifest rows differ in", folder)
            for x, y in zip(ra, rb):
                for k in x:
                    if x[k] != y[k]:
                        print("  ", x["name"], k, x[k], "!=", y[k])
            bad += 1
    for label in ("solve-default", "solve-passes2", "solve-bp0-torch"):
        ta, tb = (a / f"{label}.stderr.txt").read_text(), (b / f"{label}.stderr.txt").read_text()
        if ta != tb:
            print("solve messages differ:", label, repr(ta), repr(tb))
            bad += 1
    print(f"compared {len(files)} files + 2 batch folders: {'IDENTICAL' if not bad else f'{bad} differences'}")
    return bad


#: Quality-report fields that measure the machine, not the result.
TIMING_FIELDS = ("seconds",)


def compare_quality(before: Path, after: Path) -> int:
    """Compare two quality reports (``benchmarks.quality``'s JSON) metric by metric, every glyph,
    method and task, exactly (timing left out); print what differs. Returns how many values
    differ or are missing on one side."""
    from benchmarks import quality_report

    a, b = quality_report.read(before), quality_report.read(after)
    bad, compared = 0, 0
    for key in ("weights", "weights_sha256", "default"):
        if a.get(key) != b.get(key):
            print(f"DIFFERS: {key}: {a.get(key)!r} vs {b.get(key)!r}")
            bad += 1
    for task in sorted(set(a["tasks"]) | set(b["tasks"])):
        glyphs_a, glyphs_b = (r["tasks"].get(task, {}).get("per_glyph", {}) for r in (a, b))
        for glyph in sorted(set(glyphs_a) | set(glyphs_b)):
            methods_a, methods_b = glyphs_a.get(glyph, {}), glyphs_b.get(glyph, {})
            for method in sorted(set(methods_a) | set(methods_b)):
                x, y = methods_a.get(method), methods_b.get(method)
                if x is None or y is None:
                    print(f"MISSING: {task} {glyph} {method} in the {'before' if x is None else 'after'} report")
                    bad += 1
                    continue
                for metric in sorted((set(x) | set(y)) - set(TIMING_FIELDS)):
                    compared += 1
                    if x.get(metric) != y.get(metric) and not (x.get(metric) != x.get(metric)
                                                               and y.get(metric) != y.get(metric)):  # nan == nan
                        print(f"DIFFERS: {task} {glyph} {method} {metric}: {x.get(metric)!r} vs {y.get(metric)!r}")
                        bad += 1
    counts = ", ".join(f"{task}: {len(report['per_glyph'])} glyphs" for task, report in sorted(a["tasks"].items()))
    print(f"{'IDENTICAL' if not bad else f'{bad} DIFFERENCES'}: {compared} metric values compared ({counts})")
    return bad


def main(argv: list[str] | None = None) -> int:
    import argparse

    global TREE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="write every output of this tree into OUTDIR")
    p.add_argument("outdir", type=Path)
    p.add_argument("--tree", type=Path, default=TREE, help="the tree under test (default: this one)")
    p = sub.add_parser("compare", help="compare two OUTDIRs bitwise")
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    p = sub.add_parser("quality", help="compare two quality reports (JSON) metric by metric, timing left out")
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "compare":
        return 1 if compare(args.before, args.after) else 0
    if args.command == "quality":
        return 1 if compare_quality(args.before, args.after) else 0
    TREE = args.tree.resolve()
    run(args.outdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
