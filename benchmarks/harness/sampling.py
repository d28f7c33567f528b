"""A subset spread over an ordered list, so that it keeps every kind of item the list has."""

from __future__ import annotations

from typing import Sequence, TypeVar

T = TypeVar("T")


def spread(items: Sequence[T], count: int | None) -> list[T]:
    """At most ``count`` items, every k-th from the first with k = len(items) // count.

    The glyph list is ordered by kind (translucent, variants, edge-heavy, controls) and a font
    sample by edge score, so an evenly spaced subset has some of each. ``count`` None or 0,
    or not below the length: every item.
    """
    if not count or len(items) <= count:
        return list(items)
    return list(items[:: len(items) // count][:count])
