"""Where the benchmarks read and write.

Committed, beside the code: the glyph list, the tiny CI subset and ``results/``. In the user
cache (``$EMOJI_ALPHA_CACHE``, default ``~/.cache/emoji-alpha``, the package's own cache, where
the weights live too): the built dataset, LIIF stacks, metric checkpoints, training data and
checkpoints, scratch folders; nothing of it goes into git.
"""

from __future__ import annotations

from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
ROOT = BENCH.parent
RESULTS = BENCH / "results"
GLYPH_LIST = BENCH / "glyphs.txt"
#: The committed CI subset (two glyphs, 32 -> 64).
TINY = BENCH / "tiny"


def cache_dir() -> Path:
    """``$EMOJI_ALPHA_CACHE`` or ``~/.cache/emoji-alpha`` (:func:`emoji_alpha.liif.weights.cache_dir`)."""
    from emoji_alpha.liif.weights import cache_dir as package_cache

    return package_cache()


def data_dir() -> Path:
    """The built ground-truth dataset (``python -m benchmarks.dataset``): ``<cache>/benchmark``."""
    return cache_dir() / "benchmark"
