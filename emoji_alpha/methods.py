"""The enlargement methods (``--method``), named once: what each needs and where it lives.

The CLI's choices and help, option checking, the pipeline, the batch (which upscaler to
build, the memory plan) and the report (``--compare``, which panels a grid has) all read
this table instead of testing method names. Importing it is cheap (no numpy): each
method's function is named as ``"module:function"`` and imported when first called.

Two calling conventions, told apart by :attr:`Method.peer`:

- ours (``solve``, ``rgba-liif``): ``f(premul_lr, size, upscaler, options, timer, *,
  keep_stack=None, debug_dir=None, source="") -> (premul, SolveReport)``
  (:mod:`emoji_alpha.pipeline`);
- the peers, the usual approaches kept for comparison: ``f(premul_lr, size, upscaler) ->
  premul`` (:mod:`emoji_alpha.peers`), so a report or a benchmark can call them alone.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from emoji_alpha.errors import EmojiAlphaError


@dataclass(frozen=True)
class Method:
    name: str
    #: ``"module:function"``, imported on first use (see the module docs for its signature).
    function_path: str
    #: Whether an RGBA glyph needs the LIIF upscaler (an opaque input always does: it is
    #: enlarged once with LIIF, whatever the method).
    needs_liif: bool = True
    #: The weights it uses unless ``--weights`` says otherwise (None: the default weights).
    weights: str | None = None
    #: Channels of the LIIF model it runs: 3 (RGB composites) or 4 (premultiplied RGBA).
    channels: int = 3
    #: Flattens the glyph over the K backgrounds and solves the stack: it can be kept
    #: (``--keep-stack``) and a report shows its backgrounds, loss map and pass masks.
    solves_stack: bool = False
    #: One of the usual approaches, for comparison (``report --compare``).
    peer: bool = False
    #: A few words for ``--method``'s help, after the name.
    note: str = ""

    @property
    def function(self) -> Callable:
        module, name = self.function_path.split(":")
        return getattr(importlib.import_module(module), name)


METHODS: dict[str, Method] = {method.name: method for method in (
    Method("solve", "emoji_alpha.pipeline:enlarge_solve", solves_stack=True),
    Method("rgba-liif", "emoji_alpha.pipeline:enlarge_rgba_direct", weights="emoji-rgba", channels=4,
           note="the 4-channel emoji LIIF"),
    Method("twobg", "emoji_alpha.peers:enlarge_twobg", peer=True),
    Method("separate", "emoji_alpha.peers:enlarge_separate", peer=True),
    Method("keygrey", "emoji_alpha.peers:enlarge_keygrey", peer=True),
    Method("lanczos", "emoji_alpha.peers:enlarge_lanczos", needs_liif=False, peer=True),
)}
#: Every method's name, ours first.
NAMES = tuple(METHODS)
#: The peers' names (``report --compare``).
PEERS = tuple(name for name, method in METHODS.items() if method.peer)


def get_method(name: str, flag: str = "--method") -> Method:
    """The method called ``name``; an :class:`EmojiAlphaError` naming the choices otherwise."""
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        raise EmojiAlphaError(f"unknown {flag} {name!r}; choose from {', '.join(NAMES)}") from None


def method_help() -> str:
    """``--method``'s help: which methods are ours, which are the peers."""
    ours = [f"{m.name} ({m.note})" if m.note else m.name for m in METHODS.values() if not m.peer]
    return f"{' and '.join(ours)} are ours; the others are the usual approaches, for comparison."
