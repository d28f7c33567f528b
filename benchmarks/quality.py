"""Quality benchmark: every method on ground-truth Twemoji RGBA pairs, enlarging x4.

For each glyph and task (64 -> 256, 160 -> 640; the CI smoke run does 32 -> 64 on
benchmarks/tiny) the 8-bit LR PNG is the input, as a user would have it, and the 16-bit HR
PNG is the truth. LIIF is the expensive part, so each glyph's composites over the nine key
grey levels (0, 32, ..., 233, 255) are enlarged once and cached as a stack; every solver
variant, ``twobg`` (levels 0 and 255) and ``keygrey`` (its key level) are then evaluated from
that same stack, so they see identical LIIF output. ``separate`` and ``lanczos`` run as they
are. At 64 -> 256 LIIF runs over every pixel; at 160 -> 640 only in the edge band (margin 2
input pixels, the pipeline's default mode), since 9 full enlargements per glyph would take
hours on 2 cores.

Writes benchmarks/results/quality.md and quality.json, and quality_worst_<task>.png (the
default method's three worst glyphs: truth | default | twobg, composite over a checkerboard
and alpha). Results are checkpointed per
glyph in the cache, so an interrupted run resumes.

    python -m benchmarks.quality                 # both tasks, all glyphs in benchmarks/glyphs.txt
    python -m benchmarks.quality --tiny          # CI smoke run: 2 glyphs, 32 -> 64
    python -m benchmarks.quality --weights emoji --rgba   # emoji-trained LIIF (issue #9)

``--weights emoji`` runs every method on the emoji-trained RGB LIIF instead (its own stack
cache; results in quality_emoji.md/.json); ``--rgba`` adds the 4-channel ``emoji-rgba``
model (``rgba-liif``, with and without back-projection), which needs no stack.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import math
import os
import time
import warnings
from pathlib import Path

import numpy as np

from benchmarks import quality_report
from benchmarks.harness import RESULTS, TINY, cache_dir, data_dir, metric_table, spread
from emoji_alpha.composite import faint_mask, footprint_masks, middle_level
from emoji_alpha.images import checkerboard, composite_over, premultiply, read_image, unpremultiply, write_png
from emoji_alpha.metrics import evaluate
from emoji_alpha.methods import PEERS, get_method
from emoji_alpha.options import FAST_PRESET, EnlargeOptions
from emoji_alpha.pipeline import enlarge_rgba, fill_faint, liif_stack, solve_stack
from emoji_alpha.progress import progress_bar
from emoji_alpha.solve.on_demand import complete_on_demand, split_levels
from emoji_alpha.peers import KEY_LEVELS, choose_key, enlarge_lanczos, enlarge_separate, remove_key, twobg_from

LEVELS = tuple(KEY_LEVELS)  # 8-bit grey levels enlarged once per glyph
TASKS = {"64-256": (64, 256, None), "160-640": (160, 640, 2), "32-64": (32, 64, None), "160-2000": (160, 2000, 0)}
#: Tasks too large for a 9-level stack per glyph: the default pipeline runs as a user runs it
#: (and twobg from its own two enlargements is not measured there).
DIRECT_TASKS = ("160-2000",)

DEFAULT = EnlargeOptions()
BG_SETS = {"K2": (0, 255), "K3": (0, 128, 255), "K3 0,96,255": (0, 96, 255), "K3 0,160,255": (0, 160, 255),
           "K3 0,64,255": (0, 64, 255), "K3 0,192,255": (0, 192, 255), "K3 32,128,233": (32, 128, 233),
           "K4": (0, 96, 160, 255), "K4 outer": (0, 64, 192, 255), "K5": (0, 64, 128, 192, 255), "K9": LEVELS}


def variants() -> dict[str, EnlargeOptions]:
    """Solver variants evaluated from the cached stack. 'solve (default)' is the shipped default."""
    def opts(bgs, **kw) -> EnlargeOptions:  # every level decoded everywhere (no backgrounds on demand)
        return dataclasses.replace(DEFAULT, backgrounds=tuple(b / 255.0 for b in bgs), on_demand=(), **kw)

    plain = dict(backproject=1, bp_kernel="box", bp_weighting="uniform", passes=0)
    out = {"solve (default)": DEFAULT}
    for name, bgs in BG_SETS.items():
        out[f"solve {name} no-bp"] = opts(bgs, **{**plain, "backproject": 0})
        out[f"solve {name} bp-box"] = opts(bgs, **plain)
        out[f"solve {name} bp-bilinear soft x10"] = opts(bgs, backproject=10, bp_kernel="bilinear", bp_weighting="soft")
    for iters in (2, 5, 10):
        out[f"solve K5 bp-bilinear x{iters}"] = opts(BG_SETS["K5"], **{**plain, "backproject": iters, "bp_kernel": "bilinear"})
    for kernel, iters in (("box", 1), ("box", 3), ("bilinear", 5), ("bilinear", 20)):
        out[f"solve K5 bp-{kernel} soft x{iters}"] = opts(BG_SETS["K5"], backproject=iters, bp_kernel=kernel,
                                                          bp_weighting="soft", passes=0)
    for passes in (1, 2):
        out[f"solve K5 no-bp passes {passes}"] = opts(BG_SETS["K5"], **{**plain, "backproject": 0, "passes": passes})
        out[f"solve (default) passes {passes}"] = dataclasses.replace(DEFAULT, passes=passes)
    out["solve --fast"] = dataclasses.replace(DEFAULT, **FAST_PRESET)
    out["solve (default) on demand: none"] = dataclasses.replace(DEFAULT, on_demand=())
    for residual in (0.125, 0.5, 1.0, 2.0):
        out[f"solve (default) on demand > {residual}"] = dataclasses.replace(DEFAULT, on_demand_residual=residual)
    out["solve (default) on demand: 192 > 0.5"] = dataclasses.replace(DEFAULT, on_demand=(192 / 255,), on_demand_residual=0.5)
    for middle in (64, 128):  # three levels, one on demand: one composite less to encode
        out[f"solve 0,{middle},255 on demand: {middle} > 0.25"] = dataclasses.replace(
            DEFAULT, backgrounds=(0.0, middle / 255, 1.0), on_demand=(middle / 255,))
    out["solve (default) on demand > 0.5, faint <= 1/255"] = dataclasses.replace(
        DEFAULT, on_demand_residual=0.5, faint_alpha=1 / 255)
    for level in (1, 2, 4, 8):
        out[f"solve (default) faint <= {level}/255"] = dataclasses.replace(DEFAULT, faint_alpha=level / 255)
    for margin in (None, 0, 1, 2):
        if margin != DEFAULT.band_margin:
            label = "full LIIF" if margin is None else f"band margin {margin}"
            out[f"solve (default) {label}"] = dataclasses.replace(DEFAULT, band_margin=margin)
    return out


def as_pipeline_stack(stack: np.ndarray, premul_lr: np.ndarray, options: EnlargeOptions, task_margin: int | None) -> np.ndarray | None:
    """The stack the pipeline would build with ``options``: the options' backgrounds, and in
    edge-band mode the decided pixels filled as :func:`emoji_alpha.pipeline.liif_stack` does
    (LIIF's value at a pixel does not depend on which other pixels are queried, so this is
    exact). None when the cached stack cannot provide it (a wider band than was computed)."""
    chosen = subset(stack, options.backgrounds)
    margin = options.band_margin
    if margin is None:
        return chosen if task_margin is None else None
    if task_margin is not None and margin > task_margin:
        return None  # LIIF was not run on the wider band
    transparent, opaque = footprint_masks(premul_lr[..., 3], chosen.shape[1:3], margin)
    faint = faint_mask(premul_lr[..., 3], chosen.shape[1:3], options.faint_alpha)
    levels = np.asarray(options.backgrounds, np.float32)
    filled = chosen.copy()
    filled[:, transparent] = levels[:, None, None]
    filled[:, opaque] = chosen[middle_level(levels)][opaque]
    base, extra = split_levels(levels, options.on_demand)
    if extra:  # the on-demand levels where the pipeline would decode them, its fill elsewhere
        band = ~(transparent | opaque | faint)
        decoded = filled[:, band]
        complete_on_demand(decoded, levels, base, extra, options.on_demand_residual,
                           lambda index: decoded[extra][:, index], backend="torch")
        filled[:, band] = decoded
    fill_faint(filled, premul_lr, levels, faint)
    return filled


def stack_for(name: str, premul_lr: np.ndarray, size: int, margin: int | None, upscaler, cache: Path) -> np.ndarray:
    """The 9-level LIIF stack of one glyph (cached as float16: LIIF noise is far above 1e-3)."""
    path = cache / f"{name}.npy"
    if path.exists():
        return np.load(path).astype(np.float32)
    options = dataclasses.replace(DEFAULT, backgrounds=tuple(b / 255.0 for b in LEVELS), band_margin=margin)
    return _cached(path, liif_stack(premul_lr, (size, size), upscaler, options))


def _cached(path: Path, image: np.ndarray) -> np.ndarray:
    """Keep ``image`` at ``path`` as float16 and return what a later run will load from there,
    so that a run that computes a stack and one that reloads it measure the same numbers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = image.astype(np.float16)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, kept)
    os.replace(tmp, path)
    return kept.astype(np.float32)


def subset(stack: np.ndarray, levels) -> np.ndarray:
    return stack[[LEVELS.index(int(round(level * 255))) for level in levels]]


#: The smallest useful set (``--minimal``): the default, the --fast preset and the default's background counts.
MINIMAL = ("solve (default)", "solve --fast", "solve K3 bp-bilinear soft x10", "solve K5 bp-bilinear soft x10", "solve K9 bp-bilinear soft x10")

#: Variants also run at 160 -> 640 (each costs seconds there): the default, its background
#: counts, back-projection on/off, passes and band margins.
CORE = ("solve (default)", "solve --fast", "solve K2 bp-bilinear soft x10", "solve K3 bp-bilinear soft x10", "solve K4 bp-bilinear soft x10",
        "solve K4 outer bp-bilinear soft x10",
        "solve K9 bp-bilinear soft x10", "solve K5 no-bp", "solve K5 bp-box", "solve K5 bp-bilinear x10",
        "solve (default) passes 1", "solve (default) passes 2", "solve K5 bp-bilinear soft x10",
        "solve (default) band margin 1", "solve (default) band margin 2", "solve (default) faint <= 2/255",
        "solve (default) faint <= 4/255", "solve (default) faint <= 8/255")


def run_glyph(name: str, lr: np.ndarray, truth: np.ndarray, size: int, margin: int | None, upscaler,
              stack_cache: Path, done: dict[str, dict], core_only: bool = False, rgba: bool = False,
              minimal: bool = False, extra: tuple[str, ...] = ()) -> dict[str, dict]:
    """Metrics of every method on one glyph. ``done`` maps ``name|label|options`` to metrics
    already computed (the checkpoint), so changing or adding variants recomputes only those."""
    premul_lr = premultiply(lr)
    results: dict[str, dict] = {}
    if size >= 2000:  # DIRECT_TASKS: the default pipeline end to end
        key = f"{name}|solve (default)|{json.dumps(_result_fields(DEFAULT))}|{size}"
        if key not in done:
            start = time.perf_counter()
            premul = enlarge_rgba(premul_lr, (size, size), upscaler, DEFAULT).premul
            done[key] = {**evaluate(unpremultiply(premul), truth), "seconds": time.perf_counter() - start}
        return {"solve (default)": done[key]}
    solver = {k: v for k, v in variants().items()
              if (k in MINIMAL if minimal else k in CORE or not core_only) or any(word in k for word in extra)}
    todo: dict[str, EnlargeOptions | None] = {**solver, **{peer: None for peer in PEERS}}
    if rgba:
        todo.update({label: None for label in RGBA_METHODS})
    stack = None
    for label, options in todo.items():
        key = f"{name}|{label}|{json.dumps(_result_fields(options)) if options else ''}"
        if key in done:
            results[label] = done[key]
            continue
        if stack is None and label not in RGBA_METHODS:  # rgba-liif needs no stack
            stack = stack_for(name, premul_lr, size, margin, upscaler, stack_cache)
        start = time.perf_counter()
        if label in RGBA_METHODS:
            premul = rgba_prediction(label, premul_lr, size)
        elif options is not None:
            pipeline_stack = as_pipeline_stack(stack, premul_lr, options, margin)
            if pipeline_stack is None:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                premul, _ = solve_stack(pipeline_stack, premul_lr, options)
        else:
            premul = peer_prediction(label, name, premul_lr, stack, size, upscaler, stack_cache)
        metrics = evaluate(unpremultiply(premul), truth)
        metrics["seconds"] = time.perf_counter() - start
        results[label] = done[key] = metrics
    return results


def _result_fields(options: EnlargeOptions) -> dict:
    """The options that change a result, for checkpoint keys: not the solver backend, nor the
    on-demand settings when no on-demand level is among the backgrounds (keys stay as before)."""
    fields = {k: v for k, v in dataclasses.asdict(options).items() if k != "backend"}
    if not split_levels(options.backgrounds, options.on_demand)[1]:
        fields.pop("on_demand"), fields.pop("on_demand_residual")
    return fields


#: The 4-channel emoji-trained model (``--rgba``): not a peer, one of ours.
RGBA_METHODS = {"rgba-liif": DEFAULT.backproject, "rgba-liif no-bp": 0}


@functools.cache
def _rgba_upscaler():
    from emoji_alpha.liif import Upscaler

    return Upscaler(get_method("rgba-liif").weights, log=lambda _m: None)


def rgba_prediction(label: str, premul_lr: np.ndarray, size: int) -> np.ndarray:
    from emoji_alpha.pipeline import enlarge_rgba_direct

    options = dataclasses.replace(DEFAULT, method="rgba-liif", backproject=RGBA_METHODS[label])
    return enlarge_rgba_direct(premul_lr, (size, size), _rgba_upscaler(), options)[0]


def peer_prediction(label: str, name: str, premul_lr: np.ndarray, stack: np.ndarray, size: int, upscaler,
                    stack_cache: Path) -> np.ndarray:
    """A peer method's result; twobg and keygrey from the shared stack (same LIIF output)."""
    if label == "twobg":
        return twobg_from(stack[LEVELS.index(0)], stack[LEVELS.index(255)])
    if label == "keygrey":
        key = choose_key(premul_lr)
        return remove_key(stack[LEVELS.index(int(round(key * 255)))], key, premul_lr)
    if label == "lanczos":
        return enlarge_lanczos(premul_lr, (size, size))
    path = stack_cache / f"{name}.separate.npy"
    if path.exists():
        return np.load(path).astype(np.float32)
    return _cached(path, enlarge_separate(premul_lr, (size, size), upscaler))


def load_pairs(task: str, names: list[str], pairs_dir: Path) -> list[tuple[str, np.ndarray, np.ndarray]]:
    lr_size, hr_size, _ = TASKS[task]
    pairs = []
    for name in names:
        folder = pairs_dir / name / ("x2000" if task in DIRECT_TASKS else "")
        lr_path, hr_path = folder / f"{lr_size}.png", folder / f"{hr_size}.16.png"
        if lr_path.exists() and hr_path.exists():
            pairs.append((name, read_image(lr_path).rgba, read_image(hr_path).rgba))
    return pairs


#: The metrics averaged and printed: every column of the quality report.
COLUMNS = list(quality_report.METRICS.values())


def summarise(per_glyph: dict[str, dict[str, dict]]) -> dict[str, dict]:
    methods = next(iter(per_glyph.values())).keys()
    summary = {}
    for method in methods:
        glyphs = {n: g for n, g in per_glyph.items() if method in g}
        rows = {column.key: [g[method][column.key] for g in glyphs.values() if not math.isnan(g[method][column.key])]
                for column in COLUMNS}
        means = {key: float(np.mean(values)) if values else float("nan") for key, values in rows.items()}
        worst = max(glyphs, key=lambda n: np.nan_to_num(glyphs[n][method]["edge_alpha_mae"], nan=-1))
        means["worst_glyph"] = worst
        means["worst_edge_alpha_mae"] = glyphs[worst][method]["edge_alpha_mae"]
        means["worst_any_bg_psnr"] = min(g[method]["any_bg_psnr"] for g in glyphs.values())
        means["seconds"] = float(np.mean([g[method]["seconds"] for g in glyphs.values()]))
        summary[method] = means
    return summary


def markdown(task: str, summary: dict[str, dict], count: int) -> str:
    peers = [p for p in PEERS if p in summary]
    ordered = sorted(summary.items(), key=lambda kv: (kv[0] in peers, kv[1]["edge_alpha_mae"]))
    lines = [f"### {task} ({count} glyphs)", ""] + metric_table(
        ["method"], COLUMNS,
        (([method], row, [f"{row['worst_glyph']} ({row['worst_edge_alpha_mae']:.2f})", f"{row['worst_any_bg_psnr']:.2f}"])
         for method, row in ordered),
        ["worst glyph (edge α MAE)", "worst any-bg PSNR"])
    if not peers:  # DIRECT_TASKS: the default alone
        return "\n".join(lines + [""])
    best_peer = min(peers, key=lambda m: summary[m]["edge_alpha_mae"])
    default = summary["solve (default)"]
    lines += ["", f"Default vs best peer ({best_peer}): edge α MAE ratio "
              f"{default['edge_alpha_mae'] / summary[best_peer]['edge_alpha_mae']:.2f}, any-background PSNR "
              f"{default['any_bg_psnr'] - max(summary[p]['any_bg_psnr'] for p in peers):+.2f} dB vs the best peer's, "
              f"fringe {default['fringe']:.2f} levels.", ""]
    return "\n".join(lines)


def worst_picture(path: Path, task: str, pairs, per_glyph, upscaler, size: int, margin, stack_cache: Path) -> None:
    """Checkerboard composites and alpha maps: truth | default | twobg, for the 3 worst glyphs."""
    worst = sorted(per_glyph, key=lambda n: -np.nan_to_num(per_glyph[n]["solve (default)"]["edge_alpha_mae"]))[:3]
    lookup = {name: (lr, hr) for name, lr, hr in pairs}
    checker = checkerboard(size, size, 16, first=0.5, second=0.9)
    rows = []
    for name in worst:
        lr, truth = lookup[name]
        premul_lr = premultiply(lr)
        stack = stack_for(name, premul_lr, size, margin, upscaler, stack_cache)
        default, _ = solve_stack(as_pipeline_stack(stack, premul_lr, DEFAULT, margin), premul_lr, DEFAULT)
        two = peer_prediction("twobg", name, premul_lr, stack, size, upscaler, stack_cache)
        panels = []
        for premul in (premultiply(truth), default, two):
            rgb = composite_over(premul, checker)
            panels += [rgb, np.repeat(premul[..., 3:4], 3, axis=2)]
        rows.append(np.concatenate(panels, axis=1))
    write_png(path, np.clip(np.concatenate(rows, axis=0), 0, 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", default="64-256,160-640")
    parser.add_argument("--tiny", action="store_true", help="CI smoke run: benchmarks/tiny, 32 -> 64")
    parser.add_argument("--limit", type=int, default=None, help="at most this many glyphs per task")
    parser.add_argument("--limit-640", type=int, default=12, help="glyphs for the costly 160 -> 640 task")
    parser.add_argument("--limit-2000", type=int, default=6, help="glyphs for the 160 -> 2000 task (add it with --tasks)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--weights", default="official", help="LIIF weights for every method: official or emoji")
    parser.add_argument("--rgba", action="store_true", help="also the 4-channel emoji-rgba model (rgba-liif)")
    parser.add_argument("--core", action="store_true", help="only the core solver variants at every size (quicker)")
    parser.add_argument("--minimal", action="store_true", help="only the default, --fast and K3/K5/K9 solver variants and the peers")
    parser.add_argument("--variants", default="", help="comma-separated words: also every solver variant whose name "
                        "contains one (e.g. 'K3 ,faint' with --minimal)")
    args = parser.parse_args(argv)

    from emoji_alpha.liif import Upscaler

    if args.tiny:
        pairs_dir, tasks = TINY, ["32-64"]
        names = sorted(p.name for p in pairs_dir.iterdir() if p.is_dir())
    else:
        from benchmarks.dataset import build_pairs, read_glyph_list, twemoji_svg_dir

        pairs_dir, tasks = data_dir(), args.tasks.split(",")
        names = read_glyph_list()
        missing = [n for n in names if not (pairs_dir / n / "640.16.png").exists()]
        if missing:
            build_pairs(missing, pairs_dir, svg_dir=twemoji_svg_dir())
    upscaler = Upscaler(args.weights, device=args.device)
    # each set of weights has its own LIIF stacks and checkpoints; the official ones keep the plain names
    suffix = "" if args.weights == "official" else f"-{args.weights}"
    report = {"weights": args.weights, "weights_sha256": upscaler.weights_sha256, "default": dataclasses.asdict(DEFAULT),
              "tasks": {}}
    sections = []
    for task in tasks:
        lr_size, hr_size, margin = TASKS[task]
        # the costly tasks take a few glyphs spread over the list (every kind of glyph), unless --limit
        spread_limits = {"160-640": args.limit_640, "160-2000": args.limit_2000}
        spread_out = task in spread_limits and not args.limit
        limit = spread_limits[task] if spread_out else args.limit
        names_for_task = names
        if task in DIRECT_TASKS:  # built on demand: a 4000 px render per glyph
            from benchmarks.dataset import build_large_pair

            names_for_task = spread(names, limit)
            for name in names_for_task:
                build_large_pair(name, pairs_dir)
        pairs = load_pairs(task, names_for_task, pairs_dir)
        pairs = spread(pairs, limit) if spread_out else pairs[:limit]
        # The tiny run keeps its stacks beside its results: never stale, nothing in the user cache.
        stack_cache = (args.out / f"tiny-stacks{suffix}" if args.tiny else cache_dir() / f"quality-stacks{suffix}") / task
        checkpoint = cache_dir() / f"quality-stacks{suffix}" / f"{task}.metrics.json"
        done = json.loads(checkpoint.read_text()) if checkpoint.exists() and not args.tiny else {}
        per_glyph: dict[str, dict] = {}
        with progress_bar(f"quality {task}", len(pairs)) as advance:
            for name, lr, truth in pairs:
                per_glyph[name] = run_glyph(name, lr, truth, hr_size, margin, upscaler, stack_cache, done,
                                            core_only=args.core or task == "160-640", rgba=args.rgba,
                                            minimal=args.minimal, extra=tuple(w for w in args.variants.split(",") if w))
                if not args.tiny:
                    checkpoint.parent.mkdir(parents=True, exist_ok=True)
                    checkpoint.with_suffix(".tmp").write_text(json.dumps(done))
                    os.replace(checkpoint.with_suffix(".tmp"), checkpoint)
                advance(1)
        summary = summarise(per_glyph)
        report["tasks"][task] = {"summary": summary, "per_glyph": per_glyph}
        sections.append(markdown(task, summary, len(per_glyph)))
        if task not in DIRECT_TASKS:
            worst_picture(args.out / f"quality_worst{suffix.replace('-', '_')}_{task}.png", task, pairs, per_glyph, upscaler, hr_size, margin, stack_cache)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = ("quality_tiny" if args.tiny else "quality") + suffix.replace("-", "_")
    quality_report.write(args.out / f"{stem}.json", report)
    text = ["# Quality benchmark" + (f" ({args.weights} weights)" if suffix else ""), "", __doc__.split("\n\n")[1], "", "Alpha errors in 8-bit levels, PSNR in dB; means over glyphs.",
            f"Default options: `{dataclasses.asdict(DEFAULT)}`.", ""] + sections
    (args.out / f"{stem}.md").write_text("\n".join(text))
    print("\n".join(sections))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
