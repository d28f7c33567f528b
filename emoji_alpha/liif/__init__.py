"""LIIF: the model code (``models/``), weights (fetch/verify/load), the fast exact engine and
the :class:`Upscaler` interface. torch is imported only when an Upscaler is built."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emoji_alpha.liif.upscaler import Upscaler

__all__ = ["Upscaler"]


def __getattr__(name: str):
    if name == "Upscaler":
        from emoji_alpha.liif.upscaler import Upscaler

        return Upscaler
    raise AttributeError(name)
