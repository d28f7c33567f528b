"""Codepoint names for emoji glyphs: cmap plus GSUB ligatures, and the file names built on them.

Every glyph reachable from text gets the codepoint sequences that produce it: single code
points from ``cmap``, multi-codepoint emoji (ZWJ sequences, flags, keycaps, skin tones) from
the GSUB ligatures that build them.

A file is named one way or the other, never a mix of both (``--naming``):

* ``sequence`` (default): by the glyph's preferred codepoint sequence, ``glyph-u1F343``,
  ``glyph-u1F44B_u1F3FB``, ``glyph-u1F468_u200D_u1F469_u200D_u1F467``; the same name whichever
  font the glyph comes from. A glyph no text reaches keeps its glyph name.
* ``glyph``: by the font's own glyph name, made file-safe: Apple's ``glyph-u1F44B.1``
  (waving hand, light skin tone), Noto's ``glyph-uFE4E6``.

One glyph can be reached by several sequences (Noto draws the flags of the US and of the US
Outlying Islands with one glyph); every one of them is returned, so callers can record them all.

VS16 (U+FE0F) is *dropped* from names: it only asks for emoji presentation, fonts reach the
same glyph with and without it (Noto and Apple both ligate either form), and keeping it would
give one glyph two spellings. The raw sequences, VS16 included, are still returned by
:func:`codepoint_sequences` for callers that need them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from emoji_alpha.errors import EmojiAlphaError

VS16 = 0xFE0F

_SAFE_CHARS_RE = re.compile(r"[^A-Za-z0-9._-]+")
_CP_TOKEN_RE = re.compile(r"^(?:[uU]\+?)?([0-9A-Fa-f]{4,6})$")
#: Apple's variant suffixes on glyph names: ``.0``-``.5`` skin tones, ``.M``/``.W`` gender,
#: possibly stacked (``u1F3C3.2.M``).
_SUFFIX_RE = re.compile(r"(?:\.(?:[0-5]{1,2}|[MW]))+$")
PREFIX = "glyph-"
#: ``--naming``: file stems from codepoint sequences (the default) or from glyph names.
NAMING_MODES = ("sequence", "glyph")
DEFAULT_NAMING = "sequence"
#: Longest glyph-name part we put in a file name (file systems cap names at 255 bytes).
_MAX_NAME = 100

CodepointSeq = tuple[int, ...]


def strip_vs16(seq: Sequence[int]) -> CodepointSeq:
    """Drop U+FE0F from a sequence, unless it *is* the whole sequence."""
    stripped = tuple(cp for cp in seq if cp != VS16)
    return stripped if stripped else tuple(seq)


@functools.lru_cache(maxsize=1)
def _rgi_sequences() -> frozenset[CodepointSeq]:
    """Every emoji sequence Unicode recommends (RGI), VS16 removed, from the ``emoji`` package.

    Needed to pick the canonical spelling: Noto also ligates each ZWJ sequence with its
    segments reversed (``1F467 200D 1F468`` as well as ``1F468 200D 1F467``), and only the
    Unicode list says which order is the real one.
    """
    import emoji

    return frozenset(strip_vs16([ord(ch) for ch in key]) for key in emoji.EMOJI_DATA)


def _preference(seq: CodepointSeq) -> tuple:
    # RGI spelling first, then shortest visible sequence, then the raw one without
    # needless VS16, then by value so the choice is deterministic.
    return (strip_vs16(seq) not in _rgi_sequences(), len(strip_vs16(seq)), len(seq), seq)


def _gsub_rules(font) -> tuple[list[tuple[tuple[str, ...], str]], list[tuple[str, str]]]:
    """Ligature rules (components, ligature) and single substitutions (src, dst) from GSUB.

    Only lookups that a feature references directly are read: lookups reached only through
    contextual rules (Noto uses them to replace invalid flag pairs by a fallback glyph) do
    not say which text produces a glyph.
    """
    if "GSUB" not in font:
        return [], []
    table = font["GSUB"].table
    if table.FeatureList is None or table.LookupList is None:
        return [], []
    indices: set[int] = set()
    for record in table.FeatureList.FeatureRecord:
        indices.update(record.Feature.LookupListIndex)
    lookups = table.LookupList.Lookup
    ligatures: list[tuple[tuple[str, ...], str]] = []
    singles: list[tuple[str, str]] = []
    for index in sorted(indices):
        if index >= len(lookups):
            continue
        lookup = lookups[index]
        for subtable in lookup.SubTable:
            kind = lookup.LookupType
            if kind == 7:  # extension: the real subtable sits one level down
                kind = subtable.ExtensionLookupType
                subtable = subtable.ExtSubTable
            if kind == 4:
                for first, ligs in subtable.ligatures.items():
                    for lig in ligs:
                        ligatures.append(((first, *lig.Component), lig.LigGlyph))
            elif kind == 1:
                singles.extend(subtable.mapping.items())
    return ligatures, singles


def codepoint_sequences(font) -> dict[str, list[CodepointSeq]]:
    """Map glyph name -> every codepoint sequence that produces it, best first.

    ``font`` is a fontTools ``TTFont``. Sequences are raw (VS16 kept); the first one is the
    preferred spelling (shortest once VS16 is removed). Glyphs no text reaches are absent.
    """
    found: dict[str, set[CodepointSeq]] = {}
    for cp, name in (font.getBestCmap() or {}).items():
        found.setdefault(name, set()).add((cp,))
    ligatures, singles = _gsub_rules(font)

    def best(name: str) -> CodepointSeq:
        return min(found[name], key=_preference)

    # Ligature components can themselves be ligatures or substitutes (Noto builds families
    # in stages), so iterate to a fixed point. Each pass can only add sequences built from
    # finitely many rules, and we compose with each component's *best* spelling only,
    # which keeps the sets small; the loop bound is a guard against pathological fonts.
    for _ in range(16):
        changed = False
        for components, lig in ligatures:
            if all(c in found for c in components):
                seq = tuple(cp for c in components for cp in best(c))
                bucket = found.setdefault(lig, set())
                if seq not in bucket:
                    bucket.add(seq)
                    changed = True
        # A single substitution only names a glyph nothing else names (e.g. an emoji-style
        # alternate of a text glyph); otherwise it would give e.g. ``.rtl`` forms a
        # second claim on their source's name.
        for src, dst in singles:
            if src in found and dst not in found:
                found[dst] = {best(src)}
                changed = True
        if not changed:
            break
    return {name: sorted(seqs, key=_preference) for name, seqs in found.items()}


def format_sequence(seq: Sequence[int]) -> str:
    """``(0x1F468, 0x200D, 0x1F469)`` -> ``u1F468_u200D_u1F469`` (VS16 dropped)."""
    return "_".join(f"u{cp:04X}" for cp in strip_vs16(seq))


def codepoint_text(seq: Sequence[int]) -> str:
    """``(0x1F1FA, 0x1F1F8)`` -> ``"1F1FA 1F1F8"``, the glyph table's spelling (VS16 dropped)."""
    return " ".join(f"{cp:04X}" for cp in strip_vs16(seq))


def parse_codepoint_text(text: str) -> CodepointSeq | None:
    """``"1F1FA 1F1F8"`` (the glyph table's and the manifest's spelling, :func:`codepoint_text`)
    -> ``(0x1F1FA, 0x1F1F8)``, VS16 dropped; None for an empty or malformed text."""
    try:
        seq = tuple(int(cp, 16) for cp in text.split())
    except ValueError:
        return None
    return strip_vs16(seq) if seq else None


def safe_glyph_name(glyph_name: str, glyph_id: int) -> str:
    """A file-name-safe form of a glyph name: ``[A-Za-z0-9._-]``, no leading dot, bounded."""
    safe = _SAFE_CHARS_RE.sub("_", glyph_name).lstrip(".")[:_MAX_NAME]
    return safe or f"gid{glyph_id}"


def distinct_sequences(sequences: Iterable[Sequence[int]]) -> list[CodepointSeq]:
    """Sequences with VS16 dropped, duplicates removed, order kept (best first)."""
    return list(dict.fromkeys(strip_vs16(seq) for seq in sequences))


def sequence_stem(seq: Sequence[int]) -> str:
    """The file stem of a codepoint sequence: ``glyph-u1F44B_u1F3FB``."""
    return PREFIX + format_sequence(seq)


def glyph_name_stem(glyph_name: str, glyph_id: int) -> str:
    """The file stem of a glyph name: ``glyph-u1F44B.1``."""
    return PREFIX + safe_glyph_name(glyph_name, glyph_id)


def check_naming(mode: str) -> str:
    if mode not in NAMING_MODES:
        raise EmojiAlphaError(f"--naming {mode}: choose {' or '.join(NAMING_MODES)}")
    return mode


def assign_file_stems(
    glyphs: Iterable[tuple[int, str]],
    sequences: Mapping[str, Sequence[CodepointSeq]],
    mode: str = DEFAULT_NAMING,
) -> dict[str, str]:
    """Give each (glyph id, glyph name) a unique file stem (see the module docs for ``mode``).

    ``sequence``: glyphs with codepoints claim names first, in glyph-id order, each taking its
    first sequence (best first) that no earlier glyph took; the rest use their glyph name.
    ``glyph``: every glyph uses its glyph name. Uniqueness is checked case-insensitively
    because macOS and Windows file systems fold case; a clash gets ``-g<glyph id>`` appended.
    """
    check_naming(mode)
    glyphs = sorted(glyphs)
    if mode == "sequence":
        glyphs = [g for g in glyphs if sequences.get(g[1])] + [g for g in glyphs if not sequences.get(g[1])]
    taken: set[str] = set()
    stems: dict[str, str] = {}
    for gid, name in glyphs:
        if mode == "sequence" and sequences.get(name):
            choices = [sequence_stem(seq) for seq in distinct_sequences(sequences[name])]
        else:
            choices = [glyph_name_stem(name, gid)]
        free = [stem for stem in choices if stem.lower() not in taken]
        stem = free[0] if free else _numbered(choices[0], gid, taken)
        taken.add(stem.lower())
        stems[name] = stem
    return stems


def _numbered(stem: str, glyph_id: int, taken: set[str]) -> str:
    """``stem-g<glyph id>`` (then ``-2``, ``-3``, ...) when ``stem`` is taken."""
    candidate, n = f"{stem}-g{glyph_id}", 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-g{glyph_id}-{n}"
    return candidate


def parse_codepoints(name: str) -> CodepointSeq | None:
    """Read a codepoint sequence back from a file name, or ``None`` if it does not carry one.

    Understands our ``glyph-u1F468_u200D_u1F469.png`` (any image suffix a folder batch takes;
    Apple suffixes such as ``.3``),
    and, for reference folders from elsewhere, ``u1F600``, ``emoji_u1f600.png`` (Noto's
    sources) and ``1f468-200d-1f469.png`` (Twemoji). VS16 is dropped, as in our names.
    ``glyph-`` names must use the ``u`` prefix so a glyph called ``glyph-cafe`` is not
    mistaken for U+CAFE.
    """
    from emoji_alpha.images import INPUT_SUFFIXES

    stem = name.rsplit("/", 1)[-1]
    for ext in (".svg", *INPUT_SUFFIXES):  # the files a folder batch takes, in any case
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
            break
    strict = stem.startswith(PREFIX)
    for prefix in (PREFIX, "emoji_", "emoji-"):
        if stem.startswith(prefix):
            stem = stem[len(prefix):]
            break
    stem = _SUFFIX_RE.sub("", stem)
    tokens = re.split(r"[_\-\s]+", stem)
    cps: list[int] = []
    # Noto writes the 'u' on the first token only (emoji_u1f468_200d_1f469); accept either.
    for token in tokens:
        if strict and not token.startswith("u"):
            return None
        match = _CP_TOKEN_RE.match(token)
        if not match:
            return None
        cp = int(match.group(1), 16)
        if cp > 0x10FFFF:
            return None
        cps.append(cp)
    return strip_vs16(cps) if cps else None


def only_items(only: str | Iterable[str] | None) -> list[str] | None:
    """``--only`` as a list: a comma-separated string or any iterable of items, each stripped,
    empty ones dropped; None when it names nothing."""
    if only is None:
        return None
    items = [item.strip() for item in (only.split(",") if isinstance(only, str) else only)]
    return [item for item in items if item] or None


@dataclass(frozen=True)
class OnlyItem:
    """One ``--only`` item and the glyphs it names: the one matcher of extraction, batches and
    reports alike.

    An item names a glyph by a name, compared without case and with or without ``.png`` and
    ``glyph-`` (``glyph-u1F343.png``, ``glyph-u1F343``, ``u1F343``; a font's glyph name such as
    ``leaf.alt`` or ``u1F44B.1``), or by a codepoint sequence it spells (:func:`parse_codepoints`:
    ``u1F343``, ``U+1F343``, ``1f343``, ``1F468-200D-1F469``, ``u1F3F3_uFE0F``; VS16 dropped),
    matching any glyph that sequence reaches. A folder in front (``face-1/glyph-u1F343``, a font
    collection's face) limits it to the glyphs in that folder.
    """

    text: str
    folder: str  # lower case; "" for an item without one
    names: frozenset[str]
    sequence: CodepointSeq | None

    @classmethod
    def parse(cls, text: str) -> OnlyItem:
        folder, _, stem = text.rpartition("/")
        stem = stem[:-4] if stem.lower().endswith(".png") else stem
        return cls(text, folder.lower(), frozenset({stem.lower(), (PREFIX + stem).lower()}), parse_codepoints(stem))

    def matches(self, names: Iterable[str], sequences: Iterable[CodepointSeq | None] = (), folder: str = "") -> bool:
        """Whether this item names a glyph in ``folder`` ("" for the top) called ``names`` (file
        stems, glyph names) and reached by ``sequences`` (VS16 dropped; None entries ignored)."""
        if self.folder and self.folder != folder.lower():
            return False
        if any(name.lower() in self.names for name in names):
            return True
        return self.sequence is not None and any(seq == self.sequence for seq in sequences)
