"""Pair two folders of emoji images: by codepoint name first, then by perceptual hash.

A folder written by ``emoji-alpha extract`` has a glyph table (``glyphs.sqlite``) that
lists every codepoint sequence of each file's glyph; those are its keys, so a glyph named by
one sequence pairs with a reference named by another (Noto's one glyph for the flags of the
US and the US Outlying Islands pairs with both ``1f1fa-1f1f8.png`` and ``1f1fa-1f1f2.png``),
and glyph-name files (``glyph-u1F44B.1.png``) pair by their true sequence. Other names are
read with :func:`emoji_alpha.fonts.naming.parse_codepoints`, so our ``glyph-u1F600.png``
pairs with ``emoji_u1f600.png`` (Noto sources) or ``1f600.png`` (Twemoji). Whatever is left
is paired by ``imagehash.phash`` (composited over white, so transparent pixels' hidden
colour does not count), greedily by smallest Hamming distance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.fonts.naming import CodepointSeq, parse_codepoints
from emoji_alpha.images import INPUT_SUFFIXES

#: Largest phash Hamming distance (of 64 bits) still taken as the same picture.
DEFAULT_MAX_DISTANCE = 10


@dataclass(frozen=True)
class Pair:
    """One matched pair; ``distance`` is the phash distance (``None`` for name matches)."""

    file: str
    ref: str
    method: str  # 'name' or 'phash'
    distance: int | None = None


@dataclass
class MatchResult:
    pairs: list[Pair] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  #: in the first folder
    unmatched_ref: list[str] = field(default_factory=list)  #: in the reference folder

    def to_dict(self) -> dict:
        return {
            "pairs": [vars(p) for p in self.pairs],
            "unmatched": self.unmatched,
            "unmatched_ref": self.unmatched_ref,
        }


def _list_images(folder: Path) -> list[str]:
    if not folder.is_dir():
        raise EmojiAlphaError(f"{folder}: not a folder")
    return sorted(p.name for p in folder.iterdir() if p.suffix.lower() in INPUT_SUFFIXES and p.is_file())


def _codepoint_keys(folder: Path, names: list[str]) -> dict[str, list[CodepointSeq]]:
    """Each file's codepoint sequences: from the folder's glyph table, else from its name."""
    from emoji_alpha.fonts.glyph_table import read_sequences

    table = read_sequences(folder)
    keys: dict[str, list[CodepointSeq]] = {}
    for name in names:
        parsed = parse_codepoints(name)
        keys[name] = table.get(name) or ([parsed] if parsed is not None else [])
    return keys


def _phash(path: Path):
    import imagehash
    from PIL import Image

    from emoji_alpha.images import composite_over, premultiply, read_image, to_uint8

    rgba = read_image(path).rgba
    flat = to_uint8(composite_over(premultiply(rgba), 1.0))
    return imagehash.phash(Image.fromarray(flat, mode="RGB"))


def match_folders(
    folder: str | os.PathLike,
    ref_folder: str | os.PathLike,
    *,
    max_distance: int = DEFAULT_MAX_DISTANCE,
    use_hash: bool = True,
) -> MatchResult:
    """Pair the images of ``folder`` with those of ``ref_folder`` (PNG, or any image suffix a
    folder batch takes: a batch's WebP outputs, say); see the module docstring."""
    folder, ref_folder = Path(folder), Path(ref_folder)
    files, refs = _list_images(folder), _list_images(ref_folder)
    result = MatchResult()
    ref_by_key: dict[CodepointSeq, str] = {}
    for ref, keys in _codepoint_keys(ref_folder, refs).items():
        for key in keys:
            ref_by_key.setdefault(key, ref)  # sorted order: first spelling wins on duplicates
    used: set[str] = set()
    left: list[str] = []
    for name, keys in _codepoint_keys(folder, files).items():
        # A glyph reached by several sequences pairs with a reference for each of them.
        found = [ref for ref in dict.fromkeys(ref_by_key.get(key) for key in keys) if ref is not None and ref not in used]
        for ref in found:
            used.add(ref)
            result.pairs.append(Pair(name, ref, "name"))
        if not found:
            left.append(name)
    left_refs = [r for r in refs if r not in used]
    if use_hash and left and left_refs:
        hashes = {name: _phash(folder / name) for name in left}
        ref_hashes = {ref: _phash(ref_folder / ref) for ref in left_refs}
        candidates = sorted(
            (hashes[a] - ref_hashes[b], a, b) for a in left for b in left_refs
        )
        taken_a: set[str] = set()
        for distance, a, b in candidates:
            if distance > max_distance:
                break
            if a in taken_a or b in used:
                continue
            taken_a.add(a)
            used.add(b)
            result.pairs.append(Pair(a, b, "phash", int(distance)))
        left = [a for a in left if a not in taken_a]
    result.unmatched = left
    result.unmatched_ref = [r for r in refs if r not in used]
    return result
